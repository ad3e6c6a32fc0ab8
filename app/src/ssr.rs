//! Server-only code: configuration, database, sessions, hashing. Never compiled to WASM.

pub mod accounts;
pub mod audit;
pub mod auth;
pub mod clock;
pub mod config;
pub mod db;
pub mod demo;
pub mod password;
pub mod request;
pub mod schedule;
pub mod session;
pub mod state;
pub mod throttle;
pub mod token;

#[cfg(any(test, feature = "test-support"))]
pub mod testing;
