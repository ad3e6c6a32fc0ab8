//! Server functions, one file per domain. Each checks who is asking on the server; the
//! bodies live in `ssr` so that they never reach the WASM bundle.

pub mod access;
pub mod account;
pub mod activity;
pub mod appointments;
pub mod auth;
pub mod enroll;
pub mod health;
pub mod messages;
pub mod overview;
pub mod staff;
pub mod staff_accounts;
pub mod staff_audit;
pub mod staff_messages;
pub mod two_factor;
