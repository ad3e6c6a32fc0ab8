//! Appointment data as the browser sees it. Times arrive already written in the practice's
//! zone ("Tue, Mar 10, 2026, 9:00 AM EDT"), so neither the server's nor the browser's zone can
//! change what is shown, and hydration renders exactly what the server did.

use serde::{Deserialize, Serialize};

use crate::domain::{
    appointment::{Action, Actor, State},
    policy::{self, NotOffered, Policy, Terms},
};

/// The list filter on the patient's appointments page.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
pub enum ListFilter {
    #[default]
    Upcoming,
    Pending,
    Canceled,
    Past,
}

impl ListFilter {
    pub const ALL: [ListFilter; 4] = [
        ListFilter::Upcoming,
        ListFilter::Pending,
        ListFilter::Canceled,
        ListFilter::Past,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ListFilter::Upcoming => "upcoming",
            ListFilter::Pending => "pending",
            ListFilter::Canceled => "canceled",
            ListFilter::Past => "past",
        }
    }

    /// Unknown values fall back to the default rather than failing the page.
    pub fn parse(s: &str) -> ListFilter {
        ListFilter::ALL
            .into_iter()
            .find(|f| f.as_str() == s)
            .unwrap_or_default()
    }

    pub fn label(self) -> &'static str {
        match self {
            ListFilter::Upcoming => "Upcoming",
            ListFilter::Pending => "Pending",
            ListFilter::Canceled => "Canceled",
            ListFilter::Past => "Past",
        }
    }

    pub fn empty_text(self) -> &'static str {
        match self {
            ListFilter::Upcoming => "You have no upcoming appointments.",
            ListFilter::Pending => "You have no requests waiting for an answer.",
            ListFilter::Canceled => "You have no canceled appointments.",
            ListFilter::Past => "You have no past appointments.",
        }
    }
}

/// One line of the appointments list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AppointmentSummary {
    pub id: i64,
    pub state: State,
    pub when: String,
    pub starts_at: i64,
    /// A time waiting for an answer: the one asked for, or the one the office proposed.
    pub pending_when: Option<String>,
    pub provider_name: String,
    pub practice_name: String,
    pub patient_name: String,
    /// Patients' list only: what the list offers beside the appointment, as its page would.
    #[serde(default)]
    pub can_cancel: bool,
    #[serde(default)]
    pub can_reschedule: bool,
}

/// One entry of "Appointment details" (the history).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HistoryEntry {
    pub when: String,
    pub who: String,
    pub what: String,
    pub reason: String,
    pub note: String,
}

/// Everything the details page shows and decides from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AppointmentDetail {
    pub summary: AppointmentSummary,
    pub ends_when: String,
    pub visit_reason: String,
    pub practice_phone: String,
    /// The policy stored on the booking.
    pub policy: Policy,
    /// The server's clock when this was read: policy windows are judged by it, not by the
    /// browser's clock.
    pub now: i64,
    pub actor: Actor,
    pub history: Vec<HistoryEntry>,
}

impl AppointmentDetail {
    fn offers(&self, action: Action) -> bool {
        crate::domain::appointment::actions_for(self.summary.state, self.actor).contains(&action)
    }

    /// Cancel a pending request (always instant).
    pub fn can_cancel_request(&self) -> bool {
        self.offers(Action::CancelRequest)
    }

    /// The terms for cancelling a confirmed appointment, or why it is not offered; `None`
    /// when the state has no such action.
    pub fn cancellation(&self) -> Option<Result<Terms, NotOffered>> {
        self.offers(Action::RequestCancellation)
            .then(|| policy::cancellation(&self.policy, self.summary.starts_at, self.now))
    }

    pub fn reschedule(&self) -> Option<Result<Terms, NotOffered>> {
        self.offers(Action::RequestReschedule)
            .then(|| policy::reschedule(&self.policy, self.summary.starts_at, self.now))
    }

    pub fn can_answer_proposal(&self) -> bool {
        self.offers(Action::AcceptProposal)
    }

    pub fn can_change_requested_time(&self) -> bool {
        self.offers(Action::ChangeRequestedTime) && self.summary.starts_at > self.now
    }
}

/// A reason a patient can pick when cancelling.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CancelReason {
    pub code: String,
    pub label: String,
}

/// A provider a patient can book with.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProviderCard {
    pub id: i64,
    pub name: String,
    pub specialties: Vec<String>,
    pub practice_name: String,
    /// Why this provider cannot be booked online, if so.
    pub not_bookable: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SlotView {
    pub start: i64,
    /// "9:00 AM"
    pub time: String,
    /// "Tue, Mar 10, 2026, 9:00 AM EDT"
    pub when: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DayView {
    /// "Mon, Mar 9"
    pub label: String,
    pub date: String,
    pub slots: Vec<SlotView>,
}

/// A provider's free slots for one week (Monday to Sunday in the practice's zone).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WeekView {
    pub provider: ProviderCard,
    /// ISO date of the Monday.
    pub week: String,
    pub week_label: String,
    pub previous_week: Option<String>,
    pub next_week: String,
    pub days: Vec<DayView>,
    /// Shown above the grid: the minimum notice and the zone the times are in.
    pub notes: Vec<String>,
}

/// Someone the signed-in patient may book for at a practice.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BookableFor {
    pub record_id: i64,
    pub label: String,
}

/// The confirmation step of booking.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BookingDraft {
    pub provider: ProviderCard,
    pub start: i64,
    pub when: String,
    pub people: Vec<BookableFor>,
    pub selected_record_id: Option<i64>,
}

/// What a request in the staff queue asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum RequestKind {
    Booking,
    Cancellation,
    Reschedule,
}

impl RequestKind {
    pub const ALL: [RequestKind; 3] = [
        RequestKind::Booking,
        RequestKind::Cancellation,
        RequestKind::Reschedule,
    ];

    pub fn of(state: State) -> Option<RequestKind> {
        match state {
            State::Requested => Some(RequestKind::Booking),
            State::CancellationRequested => Some(RequestKind::Cancellation),
            State::RescheduleRequested => Some(RequestKind::Reschedule),
            _ => None,
        }
    }

    pub fn state(self) -> State {
        match self {
            RequestKind::Booking => State::Requested,
            RequestKind::Cancellation => State::CancellationRequested,
            RequestKind::Reschedule => State::RescheduleRequested,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            RequestKind::Booking => "booking",
            RequestKind::Cancellation => "cancellation",
            RequestKind::Reschedule => "reschedule",
        }
    }

    pub fn parse(s: &str) -> Option<RequestKind> {
        RequestKind::ALL.into_iter().find(|k| k.as_str() == s)
    }

    pub fn label(self) -> &'static str {
        match self {
            RequestKind::Booking => "New bookings",
            RequestKind::Cancellation => "Cancellations",
            RequestKind::Reschedule => "Reschedules",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct QueueItem {
    pub summary: AppointmentSummary,
    pub kind: RequestKind,
    /// When the patient asked.
    pub asked: String,
    /// The reason for the visit.
    pub visit_reason: String,
    /// What the patient said with a cancellation or reschedule request.
    pub request_reason: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Named {
    pub id: i64,
    pub name: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Queue {
    pub practice: Named,
    pub providers: Vec<Named>,
    pub counts: Vec<(RequestKind, i64)>,
    /// One page of the requests that match the filter, oldest first.
    pub items: Vec<QueueItem>,
    /// How many requests match the filter, over all pages.
    pub total: i64,
    /// Which page `items` is, from 1.
    pub page: i64,
    pub has_more: bool,
}

/// An appointment as staff see it, with the actions they may take now.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StaffAppointment {
    pub summary: AppointmentSummary,
    pub provider_id: i64,
    pub ends_when: String,
    pub visit_reason: String,
    pub patient_born: String,
    pub history: Vec<HistoryEntry>,
    pub actions: Vec<Action>,
    pub in_the_past: bool,
}

/// One row of a provider's day: a free slot or an appointment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScheduleEntry {
    pub time: String,
    pub appointment: Option<AppointmentSummary>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScheduleDay {
    pub label: String,
    pub date: String,
    pub day_off: bool,
    pub entries: Vec<ScheduleEntry>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScheduleView {
    pub providers: Vec<Named>,
    pub provider_id: i64,
    pub week: bool,
    pub date: String,
    pub title: String,
    pub previous: String,
    pub next: String,
    pub zone: String,
    pub days: Vec<ScheduleDay>,
}

/// One weekday's opening hours as the Settings form edits them ("HH:MM", empty = closed).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DayHours {
    pub weekday: u8,
    pub label: String,
    pub start: String,
    pub end: String,
    pub break_start: String,
    pub break_end: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HoursForm {
    pub provider: Named,
    pub slot_minutes: i64,
    pub days: Vec<DayHours>,
    pub days_off: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PolicyForm {
    pub practice: Named,
    pub policy: Policy,
    pub can_edit: bool,
}
