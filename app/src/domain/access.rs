//! Portal-access rules shared by the browser and the server: how dates of birth, phone
//! numbers, codes and security answers are read, and the questions offered.

/// Security questions offered at enrollment and in account settings.
pub const SECURITY_QUESTIONS: &[&str] = &[
    "What was the name of your first pet?",
    "In what city were you born?",
    "What was the name of your elementary school?",
    "What is your oldest sibling's middle name?",
    "What was the make of your first car?",
    "What is the name of the street you grew up on?",
];

/// Where a chart's portal access stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum PortalStatus {
    NotInvited,
    Invited,
    Active,
    Revoked,
}

impl PortalStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            PortalStatus::NotInvited => "not_invited",
            PortalStatus::Invited => "invited",
            PortalStatus::Active => "active",
            PortalStatus::Revoked => "revoked",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "not_invited" => PortalStatus::NotInvited,
            "invited" => PortalStatus::Invited,
            "active" => PortalStatus::Active,
            "revoked" => PortalStatus::Revoked,
            _ => return None,
        })
    }

    pub fn label(self) -> &'static str {
        match self {
            PortalStatus::NotInvited => "Portal: not invited",
            PortalStatus::Invited => "Portal: invited",
            PortalStatus::Active => "Portal: active",
            PortalStatus::Revoked => "Portal: revoked",
        }
    }
}

/// What staff may do to a chart's portal access in each status.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum AccessAction {
    Invite,
    Resend,
    Cancel,
    Revoke,
    Reenable,
    Reset,
}

impl AccessAction {
    pub const ALL: [AccessAction; 6] = [
        AccessAction::Invite,
        AccessAction::Resend,
        AccessAction::Cancel,
        AccessAction::Revoke,
        AccessAction::Reenable,
        AccessAction::Reset,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            AccessAction::Invite => "invite",
            AccessAction::Resend => "resend",
            AccessAction::Cancel => "cancel",
            AccessAction::Revoke => "revoke",
            AccessAction::Reenable => "reenable",
            AccessAction::Reset => "reset",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|a| a.as_str() == s)
    }

    pub fn label(self) -> &'static str {
        match self {
            AccessAction::Invite => "Invite to patient portal",
            AccessAction::Resend => "Resend invite",
            AccessAction::Cancel => "Cancel invite",
            AccessAction::Revoke => "Revoke access",
            AccessAction::Reenable => "Re-enable access",
            AccessAction::Reset => "Reset account",
        }
    }

    /// Whether the action needs the "may invite patients" permission.
    pub fn invites(self) -> bool {
        matches!(
            self,
            AccessAction::Invite | AccessAction::Resend | AccessAction::Reset
        )
    }

    /// The status the chart must be in for this action.
    pub fn allowed_in(self, status: PortalStatus) -> bool {
        use PortalStatus::*;
        match self {
            AccessAction::Invite => matches!(status, NotInvited),
            AccessAction::Resend | AccessAction::Cancel => matches!(status, Invited),
            AccessAction::Revoke => matches!(status, Active),
            AccessAction::Reenable => matches!(status, Revoked),
            AccessAction::Reset => matches!(status, Active | Revoked),
        }
    }

    /// The status after the action.
    pub fn leads_to(self) -> PortalStatus {
        match self {
            AccessAction::Invite | AccessAction::Resend | AccessAction::Reset => {
                PortalStatus::Invited
            }
            AccessAction::Cancel => PortalStatus::NotInvited,
            AccessAction::Revoke => PortalStatus::Revoked,
            AccessAction::Reenable => PortalStatus::Active,
        }
    }
}

fn valid_date(y: u32, m: u32, d: u32) -> bool {
    let leap = (y.is_multiple_of(4) && !y.is_multiple_of(100)) || y.is_multiple_of(400);
    let days = match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return false,
    };
    (1900..=2200).contains(&y) && (1..=days).contains(&d)
}

fn iso(y: u32, m: u32, d: u32) -> Option<String> {
    valid_date(y, m, d).then(|| format!("{y:04}-{m:02}-{d:02}"))
}

/// A date of birth typed as MM/DD/YYYY (enrollment), as an ISO date.
pub fn dob_from_us(s: &str) -> Option<String> {
    let mut parts = s.trim().split('/');
    let m = parts.next()?.trim().parse().ok()?;
    let d = parts.next()?.trim().parse().ok()?;
    let y_str = parts.next()?.trim();
    if parts.next().is_some() || y_str.len() != 4 {
        return None;
    }
    iso(y_str.parse().ok()?, m, d)
}

/// A date of birth typed as YYYYMMDD (password recovery), as an ISO date.
pub fn dob_from_compact(s: &str) -> Option<String> {
    let s = s.trim();
    if s.len() != 8 || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    iso(
        s[0..4].parse().ok()?,
        s[4..6].parse().ok()?,
        s[6..8].parse().ok()?,
    )
}

/// A phone number reduced to its digits for comparison; a North American leading 1 is
/// dropped, so "+1 (555) 010-2030" and "555-010-2030" are the same number.
pub fn phone_digits(s: &str) -> String {
    let digits: String = s.chars().filter(char::is_ascii_digit).collect();
    match digits.strip_prefix('1') {
        Some(rest) if digits.len() == 11 => rest.to_string(),
        _ => digits,
    }
}

/// Whether a typed number is the one on record.
pub fn same_phone(typed: &str, on_record: &str) -> bool {
    let a = phone_digits(typed);
    a.len() >= 7 && a == phone_digits(on_record)
}

/// A phone number shown without giving it away: "(•••) •••-2030".
pub fn masked_phone(s: &str) -> String {
    let d = phone_digits(s);
    if d.len() < 4 {
        return "the phone number on your record".into();
    }
    format!("the number ending in {}", &d[d.len() - 4..])
}

/// A code or PIN as typed, without spaces or dashes; `None` unless it is all digits.
pub fn typed_digits(s: &str) -> Option<String> {
    let d: String = s.chars().filter(|c| !matches!(c, ' ' | '-')).collect();
    (!d.is_empty() && d.len() <= 12 && d.bytes().all(|b| b.is_ascii_digit())).then_some(d)
}

/// Security answers are compared without regard to case or repeated spaces: people remember
/// the words, not how they typed them years ago.
pub fn normalize_answer(s: &str) -> String {
    s.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

/// A plausible email address (the real check is the message arriving).
pub fn email_problem(s: &str) -> Option<&'static str> {
    let s = s.trim();
    let Some((local, domain)) = s.split_once('@') else {
        return Some("Enter an email address like name@example.com.");
    };
    if local.is_empty() || !domain.contains('.') || domain.starts_with('.') || s.len() > 254 {
        return Some("Enter an email address like name@example.com.");
    }
    if s.chars().any(|c| c.is_whitespace() || c == ',' || c == ';') {
        return Some("Enter one email address, without spaces.");
    }
    None
}

/// A plausible phone number: 10 to 15 digits.
pub fn phone_problem(s: &str) -> Option<&'static str> {
    let n = s.chars().filter(char::is_ascii_digit).count();
    (!(10..=15).contains(&n)).then_some("Enter a phone number with its area code.")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_of_birth_in_both_formats() {
        assert_eq!(dob_from_us("04/12/1986").as_deref(), Some("1986-04-12"));
        assert_eq!(dob_from_us(" 4/2/1986 ").as_deref(), Some("1986-04-02"));
        assert_eq!(dob_from_us("1986-04-12"), None);
        assert_eq!(dob_from_us("02/30/1986"), None);
        assert_eq!(dob_from_us("02/29/2000").as_deref(), Some("2000-02-29"));
        assert_eq!(dob_from_us("02/29/1900"), None);
        assert_eq!(dob_from_us("12/01/86"), None);
        assert_eq!(dob_from_compact("19860412").as_deref(), Some("1986-04-12"));
        assert_eq!(dob_from_compact("1986-04-12"), None);
        assert_eq!(dob_from_compact("19861312"), None);
    }

    #[test]
    fn phones_compare_by_digits() {
        assert!(same_phone("+1 (555) 010-2030", "555-010-2030"));
        assert!(same_phone("5550102030", "+15550102030"));
        assert!(!same_phone("555-010-2031", "555-010-2030"));
        assert!(!same_phone("", ""));
        assert_eq!(masked_phone("+1 555 010 2030"), "the number ending in 2030");
    }

    #[test]
    fn codes_are_digits_only() {
        assert_eq!(typed_digits("123 456").as_deref(), Some("123456"));
        assert_eq!(typed_digits("1234-5678").as_deref(), Some("12345678"));
        assert_eq!(typed_digits("12a456"), None);
        assert_eq!(typed_digits(""), None);
    }

    #[test]
    fn answers_ignore_case_and_spacing() {
        assert_eq!(normalize_answer("  Rex  the Dog "), "rex the dog");
        assert_ne!(normalize_answer("Rex"), normalize_answer("Rexy"));
    }

    #[test]
    fn staff_actions_follow_the_status() {
        use AccessAction::*;
        use PortalStatus::*;
        let allowed = |s| {
            AccessAction::ALL
                .into_iter()
                .filter(|a| a.allowed_in(s))
                .collect::<Vec<_>>()
        };
        assert_eq!(allowed(NotInvited), vec![Invite]);
        assert_eq!(allowed(Invited), vec![Resend, Cancel]);
        assert_eq!(allowed(Active), vec![Revoke, Reset]);
        assert_eq!(allowed(Revoked), vec![Reenable, Reset]);
        assert_eq!(Reset.leads_to(), Invited);
        assert!(Invite.invites() && Resend.invites() && !Revoke.invites());
        for a in AccessAction::ALL {
            assert_eq!(AccessAction::parse(a.as_str()), Some(a));
        }
        for s in [NotInvited, Invited, Active, Revoked] {
            assert_eq!(PortalStatus::parse(s.as_str()), Some(s));
        }
    }

    #[test]
    fn contact_details() {
        assert!(email_problem("a@b.co").is_none());
        assert!(email_problem("a@b").is_some());
        assert!(email_problem("a b@c.co").is_some());
        assert!(phone_problem("+1 555 010 2030").is_none());
        assert!(phone_problem("010 2030").is_some());
    }
}
