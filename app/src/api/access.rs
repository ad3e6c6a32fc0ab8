//! Staff functions for patients and their portal access. Each works only within the signed-in
//! staff member's practice.

use leptos::prelude::*;

use crate::{
    error::AppError,
    model::access::{ChartAccess, ChartRow, InviterRow},
};

#[cfg(feature = "ssr")]
use crate::{
    domain::access::AccessAction,
    ssr::{access, request::with_status},
};

#[server(prefix = "/api", endpoint = "staff/patients")]
pub async fn search_patients(#[server(default)] q: String) -> Result<Vec<ChartRow>, AppError> {
    with_status(access::search(q).await)
}

#[server(prefix = "/api", endpoint = "staff/patient")]
pub async fn get_chart_access(id: i64) -> Result<ChartAccess, AppError> {
    with_status(access::chart_access(id).await)
}

/// One of the portal-access panel's buttons.
#[server(prefix = "/api", endpoint = "staff/portal_access")]
pub async fn portal_access(id: i64, action: String) -> Result<String, AppError> {
    let r = match AccessAction::parse(&action) {
        Some(a) => access::act(id, a).await.map(|()| action.clone()),
        None => Err(AppError::BadRequest),
    };
    if r.is_ok() && crate::ssr::request::is_plain_form_post() {
        leptos_axum::redirect(&format!("/staff/patients/{id}?done={action}"));
    }
    with_status(r)
}

#[server(prefix = "/api", endpoint = "staff/patient_contact")]
pub async fn update_chart_contact(
    id: i64,
    #[server(default)] email: String,
    #[server(default)] phone: String,
) -> Result<(), AppError> {
    let r = access::update_contact(id, email, phone).await;
    if r.is_ok() && crate::ssr::request::is_plain_form_post() {
        leptos_axum::redirect(&format!("/staff/patients/{id}?done=contact"));
    }
    with_status(r)
}

#[server(prefix = "/api", endpoint = "staff/patient_representative")]
pub async fn link_representative(
    id: i64,
    #[server(default)] username: String,
) -> Result<(), AppError> {
    let r = access::link_representative(id, username).await;
    if r.is_ok() && crate::ssr::request::is_plain_form_post() {
        leptos_axum::redirect(&format!("/staff/patients/{id}?done=representative"));
    }
    with_status(r)
}

/// The practice's staff and who may invite; the flag says whether the caller may change it.
#[server(prefix = "/api", endpoint = "staff/inviters")]
pub async fn inviters() -> Result<(bool, Vec<InviterRow>), AppError> {
    with_status(crate::ssr::access::inviters().await)
}

/// Admins: the staff ids that may invite patients (checkboxes named `allowed[]`).
#[server(prefix = "/api", endpoint = "staff/set_inviters")]
pub async fn set_inviters(#[server(default)] allowed: Vec<i64>) -> Result<(), AppError> {
    with_status(access::set_inviters(allowed).await)
}
