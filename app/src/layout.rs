//! The two app shells: the patient portal and the staff workspace.

pub mod guard;
pub mod patient;
pub mod shell;
pub mod staff;
