//! Staff accounts as admins manage them, and a member's own sign-ins.

use serde::{Deserialize, Serialize};

use super::{appointments::Named, StaffRole};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StaffMember {
    pub id: i64,
    pub name: String,
    /// Also the username they sign in with.
    pub email: String,
    pub username: String,
    pub role: StaffRole,
    /// A provider's own schedule, by name.
    pub provider: Option<Named>,
    pub active: bool,
    /// No password chosen yet: the set-password link is still waiting.
    pub invited: bool,
    /// The latest sign-in, in the practice's zone; empty if never.
    pub last_sign_in: String,
    /// The admin looking at the list.
    pub is_you: bool,
    /// A second factor is set up.
    #[serde(default)]
    pub two_factor: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StaffList {
    pub members: Vec<StaffMember>,
    /// The practice's providers, for linking a provider account to a schedule.
    pub providers: Vec<Named>,
    /// The practice requires a second factor of every staff member (admins always need one).
    #[serde(default)]
    pub two_factor_required: bool,
}

/// One of a member's own recent sign-ins.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignInRow {
    pub at: String,
    /// "Signed in", "Sign-in failed", "Signed out".
    pub what: String,
    /// The keyed hash of the address, shortened for reading.
    pub address: String,
}

/// What the set-password page shows for its link.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum PasswordLink {
    /// Choose a password for this account (the name and username are shown).
    Valid {
        name: String,
        username: String,
    },
    Invalid,
}
