//! Pure domain rules, shared by the browser (to decide what to offer) and the server (to decide
//! what to accept). No I/O, no clocks: callers pass the time in.

pub mod access;
pub mod appointment;
pub mod message;
pub mod policy;
