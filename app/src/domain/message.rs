//! What a message may be: topics, lengths, plain text.

use serde::{Deserialize, Serialize};

use crate::error::{AppError, FieldError};

pub const SUBJECT_MAX: usize = 120;
pub const BODY_MAX: usize = 4_000;
pub const REASON_MAX: usize = 500;
pub const RESPONSE_TIME_MAX: usize = 120;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Topic {
    Appointment,
    Medication,
    TestResult,
    Billing,
    Other,
}

impl Topic {
    pub const ALL: [Topic; 5] = [
        Topic::Appointment,
        Topic::Medication,
        Topic::TestResult,
        Topic::Billing,
        Topic::Other,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Topic::Appointment => "appointment",
            Topic::Medication => "medication",
            Topic::TestResult => "test_result",
            Topic::Billing => "billing",
            Topic::Other => "other",
        }
    }

    pub fn parse(s: &str) -> Option<Topic> {
        Self::ALL.into_iter().find(|t| t.as_str() == s)
    }

    pub fn label(self) -> &'static str {
        match self {
            Topic::Appointment => "Appointment",
            Topic::Medication => "Medication",
            Topic::TestResult => "Test result",
            Topic::Billing => "Billing",
            Topic::Other => "Other",
        }
    }
}

/// Trimmed, with Windows line endings made plain; control characters other than line breaks
/// and tabs removed (they cannot be shown and could hide text).
pub fn clean(text: &str) -> String {
    text.replace("\r\n", "\n")
        .chars()
        .filter(|c| !c.is_control() || *c == '\n' || *c == '\t')
        .collect::<String>()
        .trim()
        .to_string()
}

fn body_problem(body: &str) -> Option<String> {
    let n = body.chars().count();
    if n == 0 {
        Some("Write your message.".into())
    } else if n > BODY_MAX {
        Some(format!(
            "Keep the message to {BODY_MAX} characters (it has {n})."
        ))
    } else {
        None
    }
}

/// A reply's text, cleaned, or the problem with it.
pub fn check_body(body: &str) -> Result<String, AppError> {
    let body = clean(body);
    match body_problem(&body) {
        Some(m) => Err(AppError::field("body", m)),
        None => Ok(body),
    }
}

/// A new conversation's topic, subject and first message, cleaned, or every problem with them.
pub fn check_new(
    topic: &str,
    subject: &str,
    body: &str,
) -> Result<(Topic, String, String), AppError> {
    let mut errors = Vec::new();
    let topic = Topic::parse(topic);
    if topic.is_none() {
        errors.push(FieldError {
            field: "topic".into(),
            message: "Choose what your message is about.".into(),
        });
    }
    let subject = clean(subject).replace(['\n', '\t'], " ");
    let n = subject.chars().count();
    if n == 0 {
        errors.push(FieldError {
            field: "subject".into(),
            message: "Enter a subject.".into(),
        });
    } else if n > SUBJECT_MAX {
        errors.push(FieldError {
            field: "subject".into(),
            message: format!("Keep the subject to {SUBJECT_MAX} characters (it has {n})."),
        });
    }
    let body = clean(body);
    if let Some(m) = body_problem(&body) {
        errors.push(FieldError {
            field: "body".into(),
            message: m,
        });
    }
    match (AppError::fields(errors), topic) {
        (Some(e), _) => Err(e),
        (None, Some(t)) => Ok((t, subject, body)),
        (None, None) => Err(AppError::field(
            "topic",
            "Choose what your message is about.",
        )),
    }
}

/// The reason given for marking a message as entered in error.
pub fn check_reason(reason: &str) -> Result<String, AppError> {
    let reason = clean(reason);
    let n = reason.chars().count();
    if n == 0 {
        Err(AppError::field(
            "reason",
            "Say why this message was entered in error.",
        ))
    } else if n > REASON_MAX {
        Err(AppError::field(
            "reason",
            format!("Keep the reason to {REASON_MAX} characters (it has {n})."),
        ))
    } else {
        Ok(reason)
    }
}

/// The practice's "usually answers" text.
pub fn check_response_time(text: &str) -> Result<String, AppError> {
    let text = clean(text).replace(['\n', '\t'], " ");
    let n = text.chars().count();
    if n == 0 {
        Err(AppError::field(
            "response_time",
            "Say how soon the practice usually answers, e.g. “within 2 business days”.",
        ))
    } else if n > RESPONSE_TIME_MAX {
        Err(AppError::field(
            "response_time",
            format!("Keep this to {RESPONSE_TIME_MAX} characters."),
        ))
    } else {
        Ok(text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn topics_round_trip() {
        for t in Topic::ALL {
            assert_eq!(Topic::parse(t.as_str()), Some(t));
        }
        assert_eq!(Topic::parse("urgent"), None);
    }

    #[test]
    fn a_new_message_needs_a_topic_a_subject_and_a_body() {
        let e = check_new("", " ", "").unwrap_err();
        for field in ["topic", "subject", "body"] {
            assert!(e.field_message(field).is_some(), "{field}");
        }
        let (t, s, b) = check_new("billing", "  Invoice\nquestion ", " Hello\r\nthere ").unwrap();
        assert_eq!(
            (t, s.as_str(), b.as_str()),
            (Topic::Billing, "Invoice question", "Hello\nthere")
        );
    }

    #[test]
    fn lengths_are_counted_in_characters() {
        let subject = "é".repeat(SUBJECT_MAX);
        assert!(check_new("other", &subject, "x").is_ok());
        let long = "é".repeat(SUBJECT_MAX + 1);
        let e = check_new("other", &long, "x").unwrap_err();
        assert!(e.field_message("subject").unwrap().contains("120"));
        assert!(check_body(&"a".repeat(BODY_MAX)).is_ok());
        assert!(check_body(&"a".repeat(BODY_MAX + 1)).is_err());
    }

    #[test]
    fn control_characters_are_removed_but_lines_kept() {
        assert_eq!(clean("a\u{0}b\u{1b}[31m\nc"), "ab[31m\nc");
        assert!(check_body("\u{0}\u{7}").is_err());
    }

    #[test]
    fn reasons_and_response_times_are_bounded() {
        assert!(check_reason(" ").is_err());
        assert!(check_reason(&"r".repeat(REASON_MAX + 1)).is_err());
        assert_eq!(check_reason(" Wrong patient ").unwrap(), "Wrong patient");
        assert!(check_response_time("").is_err());
        assert_eq!(
            check_response_time("within 1 business day").unwrap(),
            "within 1 business day"
        );
    }
}
