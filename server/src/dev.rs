//! Development-only pages: the outbox as a mailbox (`/dev/outbox`) and as JSON
//! (`/dev/outbox.json`). The router adds them only outside production, so there they are 404.

use axum::{
    extract::State,
    http::StatusCode,
    response::{Html, IntoResponse, Response},
    Json,
};

use app::ssr::{outbox, state::AppState};

const SHOWN: i64 = 200;

pub async fn outbox_json(State(state): State<AppState>) -> Response {
    match outbox::recent(&state.db, SHOWN).await {
        Ok(list) => Json(list).into_response(),
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
