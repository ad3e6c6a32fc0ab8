//! The patient's appointment functions. Each acts for the signed-in patient on records linked
//! to their account; anything else is "not found".

use leptos::prelude::*;

use crate::{
    error::AppError,
    model::appointments::{
        AppointmentDetail, AppointmentSummary, BookingDraft, CancelReason, ProviderCard, WeekView,
    },
};

#[cfg(feature = "ssr")]
use crate::{
    model::appointments::ListFilter,
    ssr::{
        appointments::{booking, patient},
        request::with_status,
    },
};

/// Where a change made without JavaScript lands: the appointment's page.
#[cfg(feature = "ssr")]
fn go_to(id: i64, done: &str) {
    leptos_axum::redirect(&format!("/appointments/{id}?done={done}"));
}

#[server(prefix = "/api", endpoint = "appointments/list")]
pub async fn list_appointments(filter: String) -> Result<Vec<AppointmentSummary>, AppError> {
    with_status(patient::list(ListFilter::parse(&filter)).await)
}

#[server(prefix = "/api", endpoint = "appointments/detail")]
pub async fn get_appointment(id: i64) -> Result<AppointmentDetail, AppError> {
    with_status(patient::detail(id).await)
}

#[server(prefix = "/api", endpoint = "appointments/cancel_reasons")]
pub async fn cancel_reasons() -> Result<Vec<CancelReason>, AppError> {
    let run = async {
        patient::context().await?;
        patient::cancel_reasons(&crate::ssr::request::state()?).await
    };
    with_status(run.await)
}

/// Cancel a pending request at once ("Cancel Appointment" in the dialog).
#[server(prefix = "/api", endpoint = "appointments/cancel_request")]
pub async fn cancel_request(id: i64) -> Result<(), AppError> {
    let r = patient::cancel_request(id).await;
    if r.is_ok() {
        go_to(id, "cancelled");
    }
    with_status(r.map(|_| ()))
}

/// Cancel a confirmed appointment: a request to the office, or at once where the policy allows.
#[server(prefix = "/api", endpoint = "appointments/request_cancellation")]
pub async fn request_cancellation(
    id: i64,
    reason: String,
    #[server(default)] other: String,
) -> Result<(), AppError> {
    let r = patient::request_cancellation(id, reason, other).await;
    if let Ok(state) = &r {
        go_to(id, state.as_str());
    }
    with_status(r.map(|_| ()))
}

/// Move an appointment to `start` (a pending request at once; a confirmed one by request, or
/// at once where the policy allows).
#[server(prefix = "/api", endpoint = "appointments/reschedule")]
pub async fn reschedule(id: i64, start: i64) -> Result<(), AppError> {
    let r = patient::reschedule(id, start).await;
    if let Ok(state) = &r {
        go_to(
            id,
            if state.as_str() == "confirmed" {
                "moved"
            } else {
                state.as_str()
            },
        );
    }
    with_status(r.map(|_| ()))
}

/// Accept the office's proposed time, or (`accept` false) cancel altogether.
#[server(prefix = "/api", endpoint = "appointments/answer_proposal")]
pub async fn answer_proposal(id: i64, accept: bool) -> Result<(), AppError> {
    let r = patient::answer_proposal(id, accept).await;
    if r.is_ok() {
        go_to(id, if accept { "accepted" } else { "cancelled" });
    }
    with_status(r.map(|_| ()))
}

#[server(prefix = "/api", endpoint = "appointments/providers")]
pub async fn find_providers(#[server(default)] q: String) -> Result<Vec<ProviderCard>, AppError> {
    with_status(booking::find_providers(q).await)
}

/// A provider's free slots for the week of `week` (ISO date; this week when absent).
#[server(prefix = "/api", endpoint = "appointments/week")]
pub async fn provider_week(provider_id: i64, week: Option<String>) -> Result<WeekView, AppError> {
    let run = async {
        let ctx = patient::context().await?;
        booking::week_view(&ctx, provider_id, week).await
    };
    with_status(run.await)
}

/// The week of free slots for moving appointment `id`.
#[server(prefix = "/api", endpoint = "appointments/reschedule_week")]
pub async fn reschedule_week(id: i64, week: Option<String>) -> Result<WeekView, AppError> {
    let run = async {
        let ctx = patient::context().await?;
        let (a, _) = patient::visible(&ctx, id).await?;
        booking::week_view(&ctx, a.provider_id, week).await
    };
    with_status(run.await)
}

#[server(prefix = "/api", endpoint = "appointments/draft")]
pub async fn get_booking_draft(provider_id: i64, start: i64) -> Result<BookingDraft, AppError> {
    with_status(booking::draft(provider_id, start).await)
}

#[server(prefix = "/api", endpoint = "appointments/book")]
pub async fn book(
    provider_id: i64,
    start: i64,
    record_id: i64,
    #[server(default)] reason: String,
) -> Result<i64, AppError> {
    let r = booking::book(provider_id, start, record_id, reason).await;
    if let Ok(id) = &r {
        go_to(*id, "booked");
    }
    with_status(r)
}

/// The chosen new time for appointment `id`, written in its practice's zone.
#[server(prefix = "/api", endpoint = "appointments/move_label")]
pub async fn move_label(id: i64, start: i64) -> Result<String, AppError> {
    let run = async {
        let ctx = patient::context().await?;
        let (a, _) = patient::visible(&ctx, id).await?;
        Ok(crate::ssr::schedule::format_instant(start, a.zone))
    };
    with_status(run.await)
}
