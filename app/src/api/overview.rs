//! The home pages' counts.

use leptos::prelude::*;

use crate::{
    error::AppError,
    model::overview::{PatientHome, StaffOverview},
};

#[cfg(feature = "ssr")]
use crate::ssr::{overview, request::with_status};

/// Staff of the practice only.
#[server(prefix = "/api", endpoint = "staff/overview")]
pub async fn get_staff_overview() -> Result<StaffOverview, AppError> {
    with_status(overview::staff_overview().await)
}

/// The signed-in patient, for the selected record.
#[server(prefix = "/api", endpoint = "home")]
pub async fn get_patient_home() -> Result<PatientHome, AppError> {
    with_status(overview::patient_home().await)
}
