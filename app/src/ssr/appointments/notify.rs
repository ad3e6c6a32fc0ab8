//! The emails appointments send. They say only the date, time, practice and provider: no
//! patient name, no reason for the visit, nothing else about anyone's health.

use sqlx::AnyConnection;

use super::store::Appointment;
use crate::ssr::{
    outbox::{self, Channel, Message},
    schedule::format_instant,
};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Notice {
    BookingReceived,
    BookingConfirmed,
    BookingDeclined,
    CancellationReceived,
    CancellationApproved,
    CancellationDeclined,
    /// Cancelled at once: a pending request, an instant cancellation, or a proposal turned down.
    Cancelled,
    RescheduleReceived,
    RescheduleApproved,
    RescheduleDeclined,
    Rescheduled,
    TimeProposed,
    ProposalAccepted,
    Reminder,
}

fn wording(n: Notice) -> (&'static str, &'static str) {
    match n {
        Notice::BookingReceived => (
            "Appointment request received",
            "We received your appointment request. The office will confirm it or suggest another time.",
        ),
        Notice::BookingConfirmed => ("Appointment confirmed", "Your appointment is confirmed."),
        Notice::BookingDeclined => (
            "Appointment request declined",
            "The office could not accept your appointment request. Please choose another time or call the office.",
        ),
        Notice::CancellationReceived => (
            "Cancellation request received",
            "We received your request to cancel. You are responsible for your original appointment until the office confirms the cancellation.",
        ),
        Notice::CancellationApproved => (
            "Appointment canceled",
            "The office approved your cancellation request. Your appointment is canceled.",
        ),
        Notice::CancellationDeclined => (
            "Cancellation request declined",
            "The office did not approve your cancellation request. Your appointment is still booked.",
        ),
        Notice::Cancelled => ("Appointment canceled", "Your appointment is canceled."),
        Notice::RescheduleReceived => (
            "Reschedule request received",
            "We received your request for a new time. Your original appointment stays booked until the office approves the change.",
        ),
        Notice::RescheduleApproved => (
            "Appointment rescheduled",
            "The office approved your new time.",
        ),
        Notice::RescheduleDeclined => (
            "Reschedule request declined",
            "The office could not move your appointment. Your original appointment is still booked.",
        ),
        Notice::Rescheduled => ("Appointment rescheduled", "Your appointment has moved to a new time."),
        Notice::TimeProposed => (
            "A new time was proposed for your appointment",
            "The office proposed a new time. Sign in to your portal to accept it or to cancel the appointment altogether.",
        ),
        Notice::ProposalAccepted => (
            "Appointment confirmed at the new time",
            "You accepted the new time; your appointment is confirmed.",
        ),
        Notice::Reminder => (
            "Reminder: your upcoming appointment",
            "This is a reminder of your appointment in the next 24 hours.",
        ),
    }
}

/// Subject and body for `n` about `a`, happening at `starts_at`.
pub fn render(n: Notice, a: &Appointment, starts_at: i64) -> (String, String) {
    let (subject, lead) = wording(n);
    let body = format!(
        "Hello,\n\n{lead}\n\nWhen: {}\nWhere: {}\nWith: {}\n\nSee the details in your patient portal. \
         If you have questions, call the office at {}.\n",
        format_instant(starts_at, a.zone),
        a.practice_name,
        a.provider_name,
        a.practice_phone,
    );
    (subject.to_string(), body)
}

/// Queue `n` to the chart's email address, inside the caller's transaction. Charts without an
/// address get nothing (the office has to phone them).
pub async fn queue(
    conn: &mut AnyConnection,
    now: i64,
    n: Notice,
    a: &Appointment,
    starts_at: i64,
    dedupe_key: Option<&str>,
) -> Result<bool, sqlx::Error> {
    if a.email.is_empty() {
        return Ok(false);
    }
    // The patient's own account may have turned these emails off in Account settings.
    let preference = if n == Notice::Reminder {
        "notify_reminders"
    } else {
        "notify_appointments"
    };
    let opted_out: i64 = sqlx::query_scalar(&format!(
        "SELECT COUNT(*) FROM account_charts ac JOIN portal_accounts pa ON pa.id = ac.account_id \
         WHERE ac.chart_id = $1 AND ac.relationship = 'self' AND pa.{preference} = 0"
    ))
    .bind(a.chart_id)
    .fetch_one(&mut *conn)
    .await?;
    if opted_out > 0 {
        return Ok(false);
    }
    let (subject, body) = render(n, a, starts_at);
    outbox::enqueue(
        conn,
        now,
        Message {
            channel: Channel::Email,
            to: &a.email,
            subject: &subject,
            body: &body,
            dedupe_key,
        },
    )
    .await
}
