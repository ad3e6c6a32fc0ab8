//! Server-only code: configuration, database, sessions, hashing. Never compiled to WASM.

pub mod access;
pub mod account_settings;
pub mod accounts;
pub mod activity;
pub mod appointments;
pub mod assets;
pub mod audit;
pub mod audit_queue;
pub mod auth;
pub mod backup;
pub mod breaker;
pub mod budget;
pub mod clock;
pub mod codes;
pub mod config;
pub mod db;
pub mod demo;
pub mod demo_appointments;
pub mod demo_health;
pub mod demo_messages;
pub mod enroll;
pub mod fhir;
pub mod health;
pub mod ics;
pub mod identity;
pub mod messaging;
pub mod new_password;
pub mod outbox;
pub mod overview;
pub mod password;
#[cfg(test)]
mod query_plans;
pub mod recovery;
pub mod request;
pub mod scale_seed;
pub mod schedule;
pub mod session;
pub mod staff_accounts;
pub mod staff_audit;
pub mod state;
pub mod texts;
pub mod throttle;
pub mod token;
pub mod two_factor;

#[cfg(any(test, feature = "test-support"))]
pub mod testing;
