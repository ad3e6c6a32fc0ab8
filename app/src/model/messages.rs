//! Messaging data as the browser sees it. Times arrive written in the practice's zone, and
//! each message's author arrives as this viewer may see it ("Care team", a name).

use serde::{Deserialize, Serialize};

pub use crate::domain::message::Topic;

/// How a practice is reached when messaging is off, and what patients are told before writing.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PracticeMessaging {
    pub name: String,
    pub enabled: bool,
    /// e.g. "within 2 business days".
    pub response_time: String,
    pub phone: String,
    pub address: String,
}

/// One conversation in a list: the patient's Messages page or the practice's inbox.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConversationRow {
    pub id: i64,
    pub subject: String,
    pub topic: Topic,
    pub practice_name: String,
    pub patient_name: String,
    /// The last message's time, in the practice's zone.
    pub last_at: String,
    /// Messages from the other side this viewer has not read.
    pub unread: i64,
    pub open: bool,
    pub needs_reply: bool,
    /// The staff member who answered last (staff inbox only; empty before any answer).
    pub last_staff_name: String,
}

/// The patient's Messages page for the selected record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MessagesHome {
    pub patient_name: String,
    pub practice: PracticeMessaging,
    pub conversations: Vec<ConversationRow>,
}

/// One message as this viewer may see it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MessageView {
    pub id: i64,
    /// The author as shown to this viewer.
    pub author: String,
    pub from_practice: bool,
    /// Written by this viewer (their own account, or they themselves on staff).
    pub mine: bool,
    /// `None` for a message the practice withdrew, on the patient's side.
    pub body: Option<String>,
    pub at: String,
    /// "Withdrawn by the practice on …" (patients) or who marked it, when and why (staff).
    pub withdrawn: Option<String>,
    /// Staff only: this message may be marked as entered in error by this staff member.
    pub can_withdraw: bool,
}

/// A conversation with its messages, as a page or a live update shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConversationView {
    pub id: i64,
    pub subject: String,
    pub topic: Topic,
    pub practice: PracticeMessaging,
    pub patient_name: String,
    /// Staff only.
    pub patient_dob: String,
    /// Staff only: the linked record.
    pub chart_id: i64,
    pub open: bool,
    /// "Closed by the practice on …".
    pub closed_note: Option<String>,
    /// In a full read, every message; in a live update, those after the id asked about.
    pub messages: Vec<MessageView>,
    /// In a live update: every withdrawn message, so that earlier ones change in place.
    pub withdrawn: Vec<MessageView>,
    /// Whether the other side has read this viewer's side's last message.
    pub seen_note: Option<String>,
    pub can_write: bool,
    /// The reply the patient had been writing (saved on the server).
    pub draft: String,
    /// Sent with a reply, so a retried or doubled submit creates one message.
    pub send_key: String,
    /// The newest message id this view holds.
    pub last_id: i64,
}

/// The "New message" form, for the selected record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewMessageForm {
    pub patient_name: String,
    /// Written by a representative, about the record they represent.
    pub as_representative: bool,
    pub practice: PracticeMessaging,
    pub draft_topic: String,
    pub draft_subject: String,
    pub draft_body: String,
    pub send_key: String,
}

/// The practice's shared inbox filters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
pub enum InboxFilter {
    #[default]
    NeedsReply,
    Open,
    Closed,
    All,
}

impl InboxFilter {
    pub const ALL: [InboxFilter; 4] = [
        InboxFilter::NeedsReply,
        InboxFilter::Open,
        InboxFilter::Closed,
        InboxFilter::All,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            InboxFilter::NeedsReply => "needs_reply",
            InboxFilter::Open => "open",
            InboxFilter::Closed => "closed",
            InboxFilter::All => "all",
        }
    }

    /// Unknown values fall back to the default rather than failing the page.
    pub fn parse(s: &str) -> InboxFilter {
        Self::ALL
            .into_iter()
            .find(|f| f.as_str() == s)
            .unwrap_or_default()
    }

    pub fn label(self) -> &'static str {
        match self {
            InboxFilter::NeedsReply => "Needs reply",
            InboxFilter::Open => "Open",
            InboxFilter::Closed => "Closed",
            InboxFilter::All => "All",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Inbox {
    pub rows: Vec<ConversationRow>,
    pub needs_reply: i64,
    /// Which page `rows` is, from 1.
    pub page: i64,
    pub has_more: bool,
}

/// Staff: starting a conversation from a patient's chart.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StaffNewForm {
    pub chart_id: i64,
    pub patient_name: String,
    pub patient_dob: String,
    pub enabled: bool,
    pub send_key: String,
}

/// The practice's messaging settings (admins).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MessagingSettings {
    pub enabled: bool,
    pub response_time: String,
    /// Staff appear to patients as "Care team" rather than by name.
    pub care_team: bool,
}
