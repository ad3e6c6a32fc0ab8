//! The practice's audit log as an admin sees it.

use serde::{Deserialize, Serialize};

use super::appointments::Named;

/// A group of audit actions, for the filter.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum AuditKind {
    SignIn,
    Records,
    Appointments,
    Messages,
    Portal,
    Settings,
}

impl AuditKind {
    pub const ALL: [AuditKind; 6] = [
        AuditKind::SignIn,
        AuditKind::Records,
        AuditKind::Appointments,
        AuditKind::Messages,
        AuditKind::Portal,
        AuditKind::Settings,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            AuditKind::SignIn => "sign_in",
            AuditKind::Records => "records",
            AuditKind::Appointments => "appointments",
            AuditKind::Messages => "messages",
            AuditKind::Portal => "portal",
            AuditKind::Settings => "settings",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        AuditKind::ALL.into_iter().find(|k| k.as_str() == s)
    }

    pub fn label(self) -> &'static str {
        match self {
            AuditKind::SignIn => "Sign-ins and account recovery",
            AuditKind::Records => "Charts and health records",
            AuditKind::Appointments => "Appointments",
            AuditKind::Messages => "Messages",
            AuditKind::Portal => "Portal access",
            AuditKind::Settings => "Settings and staff",
        }
    }

    /// The action prefixes (SQL `LIKE` patterns) of this group.
    pub fn patterns(self) -> &'static [&'static str] {
        match self {
            AuditKind::SignIn => &[
                "sign\\_in%",
                "sign\\_out%",
                "recovery.%",
                "identity.%",
                "two\\_factor.%",
            ],
            AuditKind::Records => &["chart.%", "health.%"],
            AuditKind::Appointments => &["appointment.%", "book"],
            AuditKind::Messages => &["message.%"],
            AuditKind::Portal => &["portal.%", "enroll.%"],
            AuditKind::Settings => &["settings.%", "schedule.%", "policy.%", "staff.%", "audit.%"],
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditRow {
    /// In the practice's zone.
    pub at: String,
    /// "Priya Shah (Practice admin)", "Emma Carter (patient)", "Someone not signed in".
    pub who: String,
    /// The keyed hash of the client address, as stored; empty when none was recorded.
    pub address: String,
    /// "Carter, Emma"; empty when the action concerned no chart.
    pub chart: String,
    pub chart_id: Option<i64>,
    /// The stored action name, e.g. `chart.view`.
    pub action: String,
    /// The action in words, with its detail.
    pub what: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditPage {
    pub rows: Vec<AuditRow>,
    /// 1-based.
    pub page: i64,
    pub has_more: bool,
    /// The practice's staff, for the filter.
    pub staff: Vec<Named>,
    /// The name of the chart filtered on, if any.
    pub chart_name: Option<String>,
}
