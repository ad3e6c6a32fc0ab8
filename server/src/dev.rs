//! Development-only endpoints: the outbox as a mailbox (`/dev/outbox`) and as JSON
//! (`/dev/outbox.json`, `?to=` filters by recipient), and `POST /dev/charts`, which adds a
//! never-invited chart so that browser journeys each enroll their own patient. `GET /dev/clock`
//! gives the server's own time in Unix seconds (which `PORTICO_CLOCK_START` moves), so that
//! browser journeys compute the two-factor code the server expects. The router adds
//! them only outside production, so there they are 404.

use axum::{
    extract::{Query, State},
    http::StatusCode,
    response::{Html, IntoResponse, Response},
    Form, Json,
};
use serde::Deserialize;

use app::ssr::{outbox, state::AppState};

const SHOWN: i64 = 200;

#[derive(Deserialize)]
pub struct OutboxFilter {
    to: Option<String>,
}

pub async fn outbox_json(
    State(state): State<AppState>,
    Query(filter): Query<OutboxFilter>,
) -> Response {
    match outbox::recent(&state.db, SHOWN).await {
        Ok(mut list) => {
            if let Some(to) = filter.to {
                list.retain(|m| m.to == to);
            }
            Json(list).into_response()
        }
        Err(e) => {
            tracing::error!(error = %e, "reading the outbox failed");
            StatusCode::INTERNAL_SERVER_ERROR.into_response()
        }
    }
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

pub async fn outbox_page(State(state): State<AppState>) -> Response {
    let list = match outbox::recent(&state.db, SHOWN).await {
        Ok(l) => l,
        Err(e) => {
            tracing::error!(error = %e, "reading the outbox failed");
            return StatusCode::INTERNAL_SERVER_ERROR.into_response();
        }
    };
    let mut rows = String::new();
    for m in &list {
        rows.push_str(&format!(
            "<article class=\"card\"><h2>{}</h2><p class=\"muted\">#{} · {} to {} · {} · created {}</p><pre>{}</pre></article>",
            escape(&m.subject),
            m.id,
            escape(&m.channel),
            escape(&m.to),
            escape(&m.status),
            m.created_at,
            escape(&m.body)
        ));
    }
    if list.is_empty() {
        rows.push_str("<p>No messages yet.</p>");
    }
    Html(format!(
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Outbox · Portico (development)</title>\
         <link rel=\"stylesheet\" href=\"/pkg/portico.css\"></head><body><main class=\"page\">\
         <h1>Outbox (development only)</h1><p>Messages the portal would send. Also as <a href=\"/dev/outbox.json\">JSON</a>.</p>{rows}</main></body></html>"
    ))
    .into_response()
}

#[derive(Deserialize)]
pub struct NewChart {
    given_name: String,
    family_name: String,
    /// YYYY-MM-DD
    date_of_birth: String,
    email: String,
    phone: String,
}

/// Add a never-invited chart at the first practice; answers `{"id": …}`.
pub async fn new_chart(State(state): State<AppState>, Form(c): Form<NewChart>) -> Response {
    let created = sqlx::query_scalar::<_, i64>(
        "INSERT INTO patient_charts (practice_id, given_name, family_name, date_of_birth, email, phone, created_at) \
         VALUES ((SELECT MIN(id) FROM practices), $1, $2, $3, $4, $5, $6) RETURNING id",
    )
    .bind(&c.given_name)
    .bind(&c.family_name)
    .bind(&c.date_of_birth)
    .bind(&c.email)
    .bind(&c.phone)
    .bind(state.clock.now())
    .fetch_one(state.db.write())
    .await;
    match created {
        Ok(id) => Json(serde_json::json!({ "id": id })).into_response(),
        Err(e) => {
            tracing::error!(error = %e, "creating a development chart failed");
            StatusCode::INTERNAL_SERVER_ERROR.into_response()
        }
    }
}

pub async fn clock(State(state): State<AppState>) -> String {
    state.clock.now().to_string()
}
