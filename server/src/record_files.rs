//! `GET /health-record/download/{format}?from=&to=`: the selected record as a printable page,
//! a PDF or FHIR R4 JSON. Plain downloads, so they work without JavaScript.

use axum::{
    extract::{Path, Query, State},
    http::{header, StatusCode},
    response::{IntoResponse, Response},
    Extension,
};
use serde::Deserialize;

use app::ssr::{
    health::download::{download, Format},
    request::{ClientIp, RequestSession},
    state::AppState,
    throttle,
};

#[derive(Deserialize)]
pub struct Dates {
    #[serde(default)]
    from: String,
    #[serde(default)]
    to: String,
}

pub async fn get(
    State(state): State<AppState>,
    Path(format): Path<String>,
    Query(dates): Query<Dates>,
    Extension(session): Extension<RequestSession>,
    Extension(ip): Extension<ClientIp>,
) -> Response {
    let Some(format) = Format::parse(&format) else {
        return (StatusCode::NOT_FOUND, "No such download.").into_response();
    };
    let client = throttle::address_key(&state.config, &ip.0);
    match download(&state, session.0, format, &dates.from, &dates.to, &client).await {
        Ok(f) => {
            let disposition = if f.inline { "inline" } else { "attachment" };
            (
                [
                    (header::CONTENT_TYPE, f.content_type.to_string()),
                    (
                        header::CONTENT_DISPOSITION,
                        format!("{disposition}; filename=\"{}\"", f.name),
                    ),
                ],
                f.body,
            )
                .into_response()
        }
        Err(e) => {
            let status = StatusCode::from_u16(e.status()).unwrap_or(StatusCode::NOT_FOUND);
            (status, e.to_string()).into_response()
        }
    }
}

#[derive(Deserialize)]
pub struct ActivityFilter {
    #[serde(default)]
    kind: String,
    #[serde(default)]
    from: String,
    #[serde(default)]
    to: String,
}

/// `GET /activity.csv?kind=&from=&to=`: the activity log as the page filters it.
pub async fn activity_csv(
    State(state): State<AppState>,
    Query(f): Query<ActivityFilter>,
    Extension(session): Extension<RequestSession>,
) -> Response {
    let result = async {
        let s = session.0.ok_or(app::error::AppError::Unauthorized)?;
        let app::ssr::session::Principal::Patient(account) = s.principal else {
            return Err(app::error::AppError::Forbidden);
        };
        app::ssr::activity::log(&state.db, account, &f.kind, &f.from, &f.to).await
    };
    match result.await {
        Ok(log) => (
            [
                (header::CONTENT_TYPE, "text/csv; charset=utf-8"),
                (
                    header::CONTENT_DISPOSITION,
                    "attachment; filename=\"activity.csv\"",
                ),
            ],
            app::ssr::activity::csv(&log),
        )
            .into_response(),
        Err(e) => {
            let status = StatusCode::from_u16(e.status()).unwrap_or(StatusCode::NOT_FOUND);
            (status, e.to_string()).into_response()
        }
    }
}

#[derive(Deserialize)]
pub struct AuditQuery {
    #[serde(default)]
    chart: String,
    #[serde(default)]
    staff: String,
    #[serde(default)]
    kind: String,
    #[serde(default)]
    from: String,
    #[serde(default)]
    to: String,
}

/// `GET /staff/audit.csv?chart=&staff=&kind=&from=&to=`: the practice's audit log as the
/// page filters it, every page of it. Admins only.
pub async fn audit_csv(
    State(state): State<AppState>,
    Query(q): Query<AuditQuery>,
    Extension(session): Extension<RequestSession>,
    Extension(ip): Extension<ClientIp>,
) -> Response {
    use app::ssr::{appointments::staff::context_for, staff_audit};
    let client = throttle::address_key(&state.config, &ip.0);
    let result = async {
        let ctx = context_for(state.clone(), session.0, client).await?;
        let filter = staff_audit::AuditFilter {
            chart: q.chart,
            staff: q.staff,
            kind: q.kind,
            from: q.from,
            to: q.to,
            page: String::new(),
        };
        staff_audit::export(ctx, filter).await
    };
    match result.await {
        Ok(body) => (
            [
                (header::CONTENT_TYPE, "text/csv; charset=utf-8"),
                (
                    header::CONTENT_DISPOSITION,
                    "attachment; filename=\"audit-log.csv\"",
                ),
            ],
            body,
        )
            .into_response(),
        Err(e) => {
            let status = StatusCode::from_u16(e.status()).unwrap_or(StatusCode::NOT_FOUND);
            (status, e.to_string()).into_response()
        }
    }
}
