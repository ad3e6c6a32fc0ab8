//! The health record's server functions.
// A staff entry takes one argument per form input, as the no-JavaScript form posts them; the
// server-function macro's client half does not carry an attribute on the function itself.
#![allow(clippy::too_many_arguments)]

use leptos::prelude::*;

use crate::{
    error::AppError,
    model::health::{ChartResults, HealthRecord, SentRecord},
};

#[cfg(feature = "ssr")]
use crate::ssr::{
    health::{entry, patient, staff, transmit},
    request::with_status,
};

/// The selected record, filtered by date: `from` alone is one day, both a range.
#[server(prefix = "/api", endpoint = "health/record")]
pub async fn get_health_record(
    #[server(default)] from: String,
    #[server(default)] to: String,
) -> Result<HealthRecord, AppError> {
    with_status(patient::view(from, to).await)
}

/// A chart's results and whether each is shared (staff of the chart's practice).
#[server(prefix = "/api", endpoint = "staff/chart_results")]
pub async fn get_chart_results(chart: i64) -> Result<ChartResults, AppError> {
    with_status(staff::results(chart).await)
}

/// Shows a result to the patient (providers and admins).
#[server(prefix = "/api", endpoint = "staff/share_result")]
pub async fn share_result(chart: i64, id: i64) -> Result<(), AppError> {
    let r = staff::share_result(chart, id).await;
    if r.is_ok() && crate::ssr::request::is_plain_form_post() {
        leptos_axum::redirect(&format!("/staff/patients/{chart}/record#results"));
    }
    with_status(r)
}

/// Sends the selected record (filtered by date) to an email address; lands on the confirmation.
#[server(prefix = "/api", endpoint = "health/send")]
pub async fn send_record(
    #[server(default)] to_email: String,
    #[server(default)] method: String,
    #[server(default)] send_anyway: String,
    #[server(default)] from: String,
    #[server(default)] to: String,
) -> Result<i64, AppError> {
    let r = transmit::send(to_email, method, !send_anyway.is_empty(), from, to).await;
    if let Ok(id) = &r {
        leptos_axum::redirect(&format!("/health-record/sent/{id}"));
    }
    with_status(r)
}

#[server(prefix = "/api", endpoint = "health/sent")]
pub async fn get_sent_record(id: i64) -> Result<SentRecord, AppError> {
    with_status(transmit::sent(id).await)
}

/// Writes an entry into a chart (providers and admins); see `ssr::health::entry`.
#[server(prefix = "/api", endpoint = "staff/chart_entry")]
pub async fn add_chart_entry(
    chart: i64,
    kind: String,
    #[server(default)] name: String,
    #[server(default)] code: String,
    #[server(default)] date: String,
    #[server(default)] detail: String,
    #[server(default)] value: String,
    #[server(default)] unit: String,
    #[server(default)] low: String,
    #[server(default)] high: String,
) -> Result<(), AppError> {
    let typed = entry::Typed {
        name,
        code,
        date,
        detail,
        value,
        unit,
        low,
        high,
    };
    let r = entry::add(chart, kind, typed).await;
    if r.is_ok() && crate::ssr::request::is_plain_form_post() {
        leptos_axum::redirect(&format!("/staff/patients/{chart}/record#record"));
    }
    with_status(r)
}

/// Resolves, stops, or marks an entry entered in error.
#[server(prefix = "/api", endpoint = "staff/chart_entry_change")]
pub async fn change_chart_entry(chart: i64, id: i64, action: String) -> Result<(), AppError> {
    let r = entry::change(chart, id, action).await;
    if r.is_ok() && crate::ssr::request::is_plain_form_post() {
        leptos_axum::redirect(&format!("/staff/patients/{chart}/record#record"));
    }
    with_status(r)
}
