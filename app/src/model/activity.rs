//! The patient's activity log as the browser sees it.

use serde::{Deserialize, Serialize};

/// What kind of thing happened, for the filter.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum ActivityKind {
    SignIn,
    HealthRecord,
    Appointments,
    Messages,
    Settings,
}

impl ActivityKind {
    pub const ALL: [ActivityKind; 5] = [
        ActivityKind::SignIn,
        ActivityKind::HealthRecord,
        ActivityKind::Appointments,
        ActivityKind::Messages,
        ActivityKind::Settings,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ActivityKind::SignIn => "sign_in",
            ActivityKind::HealthRecord => "health_record",
            ActivityKind::Appointments => "appointments",
            ActivityKind::Messages => "messages",
            ActivityKind::Settings => "settings",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        ActivityKind::ALL.into_iter().find(|k| k.as_str() == s)
    }

    pub fn label(self) -> &'static str {
        match self {
            ActivityKind::SignIn => "Sign-ins",
            ActivityKind::HealthRecord => "Health record",
            ActivityKind::Appointments => "Appointments",
            ActivityKind::Messages => "Messages",
            ActivityKind::Settings => "Settings",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ActivityRow {
    /// In the practice's zone.
    pub at: String,
    /// "Emma Carter", "Emma Carter (representative)", "The person you sent your record to".
    pub who: String,
    /// The record it concerned; empty for the account itself (signing in, settings).
    pub record: String,
    pub what: String,
    pub kind: ActivityKind,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ActivityLog {
    pub rows: Vec<ActivityRow>,
    /// More happened than is listed: narrow the dates, or export.
    pub truncated: bool,
}
