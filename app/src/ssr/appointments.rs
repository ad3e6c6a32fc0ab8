//! Appointments on the server: storage, availability, transitions and their notifications.

pub mod availability;
pub mod booking;
pub mod calendar;
pub mod notify;
pub mod patient;
pub mod reminders;
pub mod staff;
pub mod store;
pub mod transition;

/// What every refused transition raced by another one says.
pub const CHANGED: &str = "This appointment has changed. Reload to see its current state.";
/// A slot someone else holds.
pub const TAKEN: &str = "That time is no longer available. Please choose another time.";
pub const NOT_FOUND: &str = "We could not find that appointment.";
pub const REASON_MAX: usize = 500;
