//! Server-only code: configuration, database, sessions, hashing. Never compiled to WASM.

pub mod accounts;
pub mod appointments;
pub mod audit;
pub mod auth;
pub mod clock;
pub mod config;
pub mod db;
pub mod demo;
pub mod demo_appointments;
pub mod ics;
pub mod outbox;
pub mod password;
pub mod request;
pub mod schedule;
pub mod session;
pub mod state;
pub mod throttle;
pub mod token;

#[cfg(any(test, feature = "test-support"))]
pub mod testing;
