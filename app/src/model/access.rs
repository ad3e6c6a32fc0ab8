//! What the portal-access pages receive: charts and their access for staff, and the state of
//! an enrollment or recovery link for patients. Secrets never appear here, except the PIN in
//! the staff panel, which staff are meant to read out to the patient.

use serde::{Deserialize, Serialize};

use crate::domain::access::{AccessAction, PortalStatus};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChartRow {
    pub id: i64,
    pub name: String,
    /// Shown as the practice writes dates: "04/12/1986".
    pub date_of_birth: String,
    pub email: String,
    pub phone: String,
    pub status: PortalStatus,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LinkedAccount {
    pub username: String,
    pub relationship: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InvitationView {
    /// The access code (PIN) staff give the patient.
    pub pin: String,
    pub sent_to: String,
    pub sent_at: String,
    pub expires_at: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChartAccess {
    pub chart: ChartRow,
    pub practice: String,
    pub invitation: Option<InvitationView>,
    pub accounts: Vec<LinkedAccount>,
    /// What this staff member may do now.
    pub actions: Vec<AccessAction>,
    pub can_invite: bool,
    pub history: Vec<AccessEvent>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccessEvent {
    pub at: String,
    pub what: String,
}

/// A staff member and whether they may invite patients (Settings, admins only).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InviterRow {
    pub id: i64,
    pub name: String,
    pub role: String,
    pub can_invite: bool,
}

/// Where an invitation link stands, for the page it opens.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum LinkState {
    /// Usable: prove identity first.
    Verify(VerifyStep),
    /// Identity proven in this browser: link an account or create one.
    Choose(ChooseStep),
    /// Not usable; the text says what happened and what to do.
    Dead { title: String, text: String },
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VerifyStep {
    pub practice: String,
    pub practice_phone: String,
    /// Whether a code can be sent to the chart's phone (a number on file, a provider set up).
    pub phone_possible: bool,
    /// A code was sent; its countdown.
    pub code: Option<CodeState>,
    /// Wrong guesses have used up today's allowance.
    pub locked: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CodeState {
    pub sent_to: String,
    pub resend_in_secs: i64,
    pub digits: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChooseStep {
    pub practice: String,
    pub given_name: String,
    /// Pre-filled username: the chart's email.
    pub suggested_username: String,
}

/// Where a password-reset link stands.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum ResetState {
    /// Choose a method: the question (shown) with date of birth, or a code by phone.
    Verify {
        question: String,
        phone_possible: bool,
        code: Option<CodeState>,
        locked: bool,
    },
    /// Verified in this browser: choose the new password.
    NewPassword,
    /// Expired, used or unknown.
    Invalid,
}

/// The account settings page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccountSettings {
    pub username: String,
    pub email: String,
    pub phone: String,
    pub security_question: String,
    pub sms_opt_out: bool,
    pub notify_appointments: bool,
    pub notify_messages: bool,
    pub notify_reminders: bool,
    /// A new email or phone waiting for its code.
    pub pending_email: Option<String>,
    pub pending_phone: Option<String>,
    pub other_sessions: i64,
}
