//! Staff functions for appointments: the request queue, decisions, schedules and policies.
//! Each works only within the signed-in staff member's practice.
// The policy form posts its fields one by one, and the macro-generated client code would
// otherwise trip the argument-count lint.
#![allow(clippy::too_many_arguments)]

use leptos::prelude::*;

use crate::{
    error::AppError,
    model::appointments::{DayHours, HoursForm, PolicyForm, Queue, ScheduleView, StaffAppointment},
};

#[cfg(feature = "ssr")]
use crate::{
    domain::policy::{Approval, Policy},
    model::appointments::RequestKind,
    ssr::{appointments::staff, request::with_status},
};

#[server(prefix = "/api", endpoint = "staff/requests")]
pub async fn request_queue(
    practice: Option<i64>,
    provider: Option<i64>,
    kind: Option<String>,
    #[server(default)] page: Option<i64>,
) -> Result<Queue, AppError> {
    let kind = kind.as_deref().and_then(RequestKind::parse);
    with_status(staff::queue(practice, provider, kind, page.unwrap_or(1)).await)
}

#[server(prefix = "/api", endpoint = "staff/appointment")]
pub async fn get_staff_appointment(id: i64) -> Result<StaffAppointment, AppError> {
    with_status(staff::detail(id).await)
}

#[server(prefix = "/api", endpoint = "staff/approve")]
pub async fn approve(id: i64) -> Result<(), AppError> {
    with_status(staff::approve(id).await.map(|_| ()))
}

#[server(prefix = "/api", endpoint = "staff/decline")]
pub async fn decline(id: i64, #[server(default)] reason: String) -> Result<(), AppError> {
    with_status(staff::decline(id, reason).await.map(|_| ()))
}

#[server(prefix = "/api", endpoint = "staff/propose")]
pub async fn propose(
    id: i64,
    start: Option<i64>,
    #[server(default)] reason: String,
    #[server(default)] note: String,
) -> Result<(), AppError> {
    let r = match start {
        Some(start) => staff::propose(id, start, reason, note).await,
        None => Err(AppError::field(
            "start",
            "Please choose one of the provider's free times.",
        )),
    };
    with_status(r.map(|_| ()))
}

/// Mark a past appointment completed, or (`no_show`) missed.
#[server(prefix = "/api", endpoint = "staff/close")]
pub async fn close_appointment(id: i64, no_show: bool) -> Result<(), AppError> {
    with_status(staff::close(id, no_show).await.map(|_| ()))
}

/// The provider's free times over two weeks from `from`, for proposing a new time.
#[server(prefix = "/api", endpoint = "staff/free_times")]
pub async fn free_times(id: i64, from: Option<String>) -> Result<Vec<(i64, String)>, AppError> {
    with_status(staff::free_times(id, from).await)
}

#[server(prefix = "/api", endpoint = "staff/schedule")]
pub async fn schedule(
    provider: Option<i64>,
    date: Option<String>,
    week: bool,
) -> Result<ScheduleView, AppError> {
    with_status(staff::schedule(provider, date, week).await)
}

#[server(prefix = "/api", endpoint = "staff/hours")]
pub async fn provider_hours(provider: i64) -> Result<HoursForm, AppError> {
    with_status(staff::hours(provider).await)
}

#[server(prefix = "/api", endpoint = "staff/save_hours")]
pub async fn save_hours(
    provider: i64,
    slot_minutes: i64,
    #[server(default)] days: Vec<DayHours>,
) -> Result<(), AppError> {
    with_status(staff::save_hours(provider, slot_minutes, days).await)
}

#[server(prefix = "/api", endpoint = "staff/day_off")]
pub async fn day_off(provider: i64, day: String, off: bool) -> Result<(), AppError> {
    with_status(staff::day_off(provider, day, off).await)
}

#[server(prefix = "/api", endpoint = "staff/policy")]
pub async fn practice_policy() -> Result<PolicyForm, AppError> {
    with_status(staff::policy_form().await)
}

/// Dollars as typed ("50", "50.00", "$50") to cents.
#[cfg(feature = "ssr")]
fn cents(field: &str, s: &str) -> Result<i64, AppError> {
    let t = s.trim().trim_start_matches('$');
    if t.is_empty() {
        return Ok(0);
    }
    let (whole, frac) = t.split_once('.').unwrap_or((t, "0"));
    let frac = format!("{frac:0<2}");
    match (
        whole.parse::<i64>(),
        frac.get(..2).and_then(|f| f.parse::<i64>().ok()),
    ) {
        (Ok(w), Some(f)) if w >= 0 && frac.len() == 2 => Ok(w * 100 + f),
        _ => Err(AppError::field(field, "Enter an amount like 50 or 50.00.")),
    }
}

#[server(prefix = "/api", endpoint = "staff/save_policy")]
pub async fn save_policy(
    #[server(default)] online_booking: Option<String>,
    #[server(default)] online_cancellation: Option<String>,
    #[server(default)] online_rescheduling: Option<String>,
    booking_notice_hours: i64,
    cancellation_notice_hours: i64,
    reschedule_notice_hours: i64,
    cancellation_approval: String,
    reschedule_approval: String,
    #[server(default)] late_cancellation_fee: String,
    #[server(default)] no_show_fee: String,
) -> Result<(), AppError> {
    let run = async {
        let approval = |field: &str, s: &str| {
            Approval::parse(s).ok_or_else(|| AppError::field(field, "Choose one of the options."))
        };
        let p = Policy {
            online_booking: online_booking.is_some(),
            online_cancellation: online_cancellation.is_some(),
            online_rescheduling: online_rescheduling.is_some(),
            booking_notice_hours,
            cancellation_notice_hours,
            reschedule_notice_hours,
            cancellation_approval: approval("cancellation_approval", &cancellation_approval)?,
            reschedule_approval: approval("reschedule_approval", &reschedule_approval)?,
            late_cancellation_fee_cents: cents("late_cancellation_fee", &late_cancellation_fee)?,
            no_show_fee_cents: cents("no_show_fee", &no_show_fee)?,
        };
        staff::save_policy(p).await
    };
    with_status(run.await)
}
