//! The practice's audit log: admins only.
// Each filter is its own form field, and the macro-generated client code would otherwise trip
// the argument-count lint.
#![allow(clippy::too_many_arguments)]

use leptos::prelude::*;

use crate::{error::AppError, model::audit::AuditPage};

#[cfg(feature = "ssr")]
use crate::ssr::{
    request::with_status,
    staff_audit::{self, AuditFilter},
};

#[server(prefix = "/api", endpoint = "staff/audit")]
pub async fn get_audit_log(
    #[server(default)] chart: String,
    #[server(default)] staff: String,
    #[server(default)] kind: String,
    #[server(default)] from: String,
    #[server(default)] to: String,
    #[server(default)] page: String,
) -> Result<AuditPage, AppError> {
    with_status(
        staff_audit::page(AuditFilter {
            chart,
            staff,
            kind,
            from,
            to,
            page,
        })
        .await,
    )
}
