//! Types that cross the wire between server and browser. None of them carries a secret.

pub mod access;
pub mod activity;
pub mod appointments;
pub mod audit;
pub mod health;
pub mod messages;
pub mod overview;
pub mod staff_accounts;
pub mod two_factor;

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum PrincipalKind {
    Patient,
    Staff,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum StaffRole {
    Admin,
    Provider,
    FrontDesk,
}

impl StaffRole {
    pub fn as_str(self) -> &'static str {
        match self {
            StaffRole::Admin => "admin",
            StaffRole::Provider => "provider",
            StaffRole::FrontDesk => "front_desk",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "admin" => Some(StaffRole::Admin),
            "provider" => Some(StaffRole::Provider),
            "front_desk" => Some(StaffRole::FrontDesk),
            _ => None,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            StaffRole::Admin => "Practice admin",
            StaffRole::Provider => "Provider",
            StaffRole::FrontDesk => "Front desk",
        }
    }
}

/// How a portal account relates to a patient record.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Relationship {
    /// The account holder's own chart.
    SelfRecord,
    /// A chart the account holder manages for someone else (a child, a relative).
    Representative,
}

impl Relationship {
    pub fn as_str(self) -> &'static str {
        match self {
            Relationship::SelfRecord => "self",
            Relationship::Representative => "representative",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "self" => Some(Relationship::SelfRecord),
            "representative" => Some(Relationship::Representative),
            _ => None,
        }
    }
}

/// One patient record the signed-in account may view.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecordSummary {
    pub id: i64,
    pub patient_name: String,
    pub practice_name: String,
    pub relationship: Relationship,
}

impl RecordSummary {
    /// The label used in the record switcher.
    pub fn label(&self) -> String {
        match self.relationship {
            Relationship::SelfRecord => {
                format!("{} · {}", self.patient_name, self.practice_name)
            }
            Relationship::Representative => format!(
                "{} (you represent) · {}",
                self.patient_name, self.practice_name
            ),
        }
    }
}

/// Who is signed in, as the browser may know it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CurrentUser {
    pub kind: PrincipalKind,
    pub display_name: String,
    pub username: String,
    /// Staff only.
    pub role: Option<StaffRole>,
    /// Staff only: the practice they work for.
    pub practice_name: Option<String>,
    /// Patients only: the records this account may view.
    pub records: Vec<RecordSummary>,
    pub selected_record_id: Option<i64>,
    /// Seconds until the server ends the session for inactivity.
    pub idle_seconds_left: i64,
    /// Beside "Messages": the selected record's unread messages (patients), or the practice's
    /// conversations that need a reply (staff), counted up to [`BADGE_CAP`].
    pub messages_count: i64,
}

/// Every staff page counts the conversations waiting for a reply; counting stops here, so that
/// a page costs the same with ten thousand waiting as with a hundred. The inbox has the exact
/// figure.
pub const BADGE_CAP: i64 = 100;

/// A navigation count as shown: "99+" from [`BADGE_CAP`] on.
pub fn badge(n: i64) -> String {
    if n >= BADGE_CAP {
        format!("{}+", BADGE_CAP - 1)
    } else {
        n.to_string()
    }
}

/// What a screen reader hears for a navigation count: "99+" read aloud says nothing of "more".
pub fn badge_label(n: i64) -> String {
    if n >= BADGE_CAP {
        format!("more than {}", BADGE_CAP - 1)
    } else {
        n.to_string()
    }
}

/// A count as text, grouped by thousands the way the clinic's staff read them: "10,001".
pub fn grouped(n: i64) -> String {
    let digits = n.unsigned_abs().to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3 + 1);
    if n < 0 {
        out.push('-');
    }
    for (i, d) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(d);
    }
    out
}

impl CurrentUser {
    pub fn selected_record(&self) -> Option<&RecordSummary> {
        let id = self.selected_record_id?;
        self.records.iter().find(|r| r.id == id)
    }

    pub fn is_patient(&self) -> bool {
        self.kind == PrincipalKind::Patient
    }

    pub fn is_staff(&self) -> bool {
        self.kind == PrincipalKind::Staff
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_badge_stops_counting_at_its_cap() {
        assert_eq!(badge(1), "1");
        assert_eq!(badge(BADGE_CAP - 1), "99");
        assert_eq!(badge(BADGE_CAP), "99+");
        assert_eq!(badge(10_000), "99+");
        assert_eq!(badge_label(BADGE_CAP - 1), "99");
        assert_eq!(badge_label(BADGE_CAP), "more than 99");
    }

    #[test]
    fn counts_are_grouped_by_thousands() {
        assert_eq!(grouped(0), "0");
        assert_eq!(grouped(999), "999");
        assert_eq!(grouped(1_000), "1,000");
        assert_eq!(grouped(10_001), "10,001");
        assert_eq!(grouped(1_234_567), "1,234,567");
        assert_eq!(grouped(-4_200), "-4,200");
    }

    #[test]
    fn roles_round_trip() {
        for role in [StaffRole::Admin, StaffRole::Provider, StaffRole::FrontDesk] {
            assert_eq!(StaffRole::parse(role.as_str()), Some(role));
        }
        assert_eq!(StaffRole::parse("root"), None);
    }

    #[test]
    fn relationships_round_trip() {
        for rel in [Relationship::SelfRecord, Relationship::Representative] {
            assert_eq!(Relationship::parse(rel.as_str()), Some(rel));
        }
        assert_eq!(Relationship::parse("owner"), None);
    }

    #[test]
    fn selected_record_must_be_one_of_the_linked_records() {
        let user = CurrentUser {
            kind: PrincipalKind::Patient,
            display_name: "A".into(),
            username: "a".into(),
            role: None,
            practice_name: None,
            records: vec![RecordSummary {
                id: 7,
                patient_name: "A".into(),
                practice_name: "P".into(),
                relationship: Relationship::SelfRecord,
            }],
            selected_record_id: Some(8),
            idle_seconds_left: 900,
            messages_count: 0,
        };
        assert!(user.selected_record().is_none());
    }
}
