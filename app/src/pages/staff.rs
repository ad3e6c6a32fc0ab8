//! Staff pages for appointments: requests, one appointment, the schedule, hours and policies.

pub mod appointment;
pub mod audit;
pub mod chart_results;
pub mod hours;
pub mod messages;
pub mod own_account;
pub mod patients;
pub mod requests;
pub mod schedule;
pub mod settings;
pub mod team;
