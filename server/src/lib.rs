//! The axum server: state, router, middleware and background work. `main.rs` only configures
//! and serves; tests build the same router.

pub mod calendar;
pub mod chart_import;
pub mod cli;
pub mod delivery;
pub mod dev;
pub mod health;
pub mod listener;
pub mod metrics;
pub mod middleware;
pub mod record_files;
pub mod router;
pub mod shared_record;
pub mod startup;
pub mod static_files;
pub mod telemetry;
pub mod texting;
pub mod workers;

/// Largest request body accepted. Sign-in forms are tiny; this blocks memory-exhaustion posts.
pub const BODY_LIMIT_BYTES: usize = 64 * 1024;
