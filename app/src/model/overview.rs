//! The two home pages: what needs doing, for staff and for patients.

use serde::{Deserialize, Serialize};

use super::appointments::{AppointmentSummary, RequestKind};

/// A result waiting for a provider to share it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UnsharedResult {
    pub chart_id: i64,
    /// "Carter, Emma"
    pub patient: String,
    pub title: String,
    pub recorded_on: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StaffOverview {
    /// "Thursday, December 3", in the practice's zone.
    pub day: String,
    /// Today's visits at the practice, or the provider's own, earliest first.
    pub today: Vec<AppointmentSummary>,
    /// Whose visits `today` lists: the practice's name or the provider's.
    pub today_of: String,
    pub requests: Vec<(RequestKind, i64)>,
    pub needs_reply: i64,
    pub unshared: Vec<UnsharedResult>,
    /// All unshared results, of which `unshared` lists the oldest few.
    pub unshared_total: i64,
}

/// Something waiting for the patient, with where to see it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WaitingItem {
    pub href: String,
    pub text: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PatientHome {
    pub next: Option<AppointmentSummary>,
    pub waiting: Vec<WaitingItem>,
}
