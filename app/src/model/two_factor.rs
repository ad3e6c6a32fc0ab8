//! Two-factor sign-in for staff, as the pages see it.

use serde::{Deserialize, Serialize};

/// What a staff sign-in needs after a correct password.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum SignInStep {
    /// Signed in.
    Done,
    /// A code from the authenticator app (or a recovery code), on `/staff/login/code`.
    Code,
    /// Two-factor sign-in must be set up first, on `/staff/login/set-up`.
    SetUp,
}

impl SignInStep {
    /// The page of the step, if there is one.
    pub fn page(self) -> Option<&'static str> {
        match self {
            SignInStep::Done => None,
            SignInStep::Code => Some("/staff/login/code"),
            SignInStep::SetUp => Some("/staff/login/set-up"),
        }
    }
}

/// The set-up page: what to scan or type into the app, and the recovery codes (shown this once).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TwoFactorSetup {
    /// Who is setting up (the username, as the app will label the entry).
    pub account: String,
    /// The QR code, as an SVG drawn by the server.
    pub qr_svg: String,
    /// The secret in base32, in groups of four, for typing in by hand.
    pub secret: String,
    pub recovery_codes: Vec<String>,
}

/// A staff member's own two-factor state, on their account page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TwoFactorStatus {
    pub on: bool,
    /// When it was set up, in the practice's zone.
    pub since: String,
    pub recovery_codes_left: i64,
    /// Whether this person must use it (admins always; everyone if the practice says so).
    pub required: bool,
}
