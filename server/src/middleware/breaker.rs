//! While the database is known to be away (`app::ssr::breaker`), answer at once: the 503 page
//! for anything that needs it, and the pages that need none (the sign-in forms, static files,
//! `/healthz`) as usual, so the portal still says where it is and what is happening.

use axum::{
    extract::{Request, State},
    http::{header, Method, StatusCode},
    middleware::Next,
    response::{Html, IntoResponse, Response},
};

use app::{error::AppError, ssr::state::AppState};

/// Pages whose form renders with no database; their server functions still need one.
const NO_DATABASE_PAGES: &[&str] = &[
    "/login",
    "/staff/login",
    "/forgot-password",
    "/forgot-username",
];

pub async fn breaker(State(state): State<AppState>, req: Request, next: Next) -> Response {
    if !state.db.breaker().is_open() {
        return next.run(req).await;
    }
    let path = req.uri().path();
    let is_page = matches!(*req.method(), Method::GET | Method::HEAD);
    if super::is_asset(path)
        || path == "/healthz"
        || path == "/metrics"
        || (is_page && NO_DATABASE_PAGES.contains(&path))
    {
        return next.run(req).await;
    }
    if path == "/readyz" {
        return (StatusCode::SERVICE_UNAVAILABLE, "database unavailable").into_response();
    }
    let reference = app::ssr::token::reference_id();
    if path.starts_with("/api/") {
        // A server function's caller reads the error it encodes.
        let body = serde_json::to_string(&AppError::Unavailable(reference)).unwrap_or_default();
        return (
            StatusCode::SERVICE_UNAVAILABLE,
            [
                (header::RETRY_AFTER, "5"),
                (header::CONTENT_TYPE, "application/json"),
            ],
            body,
        )
            .into_response();
    }
    unavailable_page(&reference)
}

/// The page a user sees while the portal cannot reach its database.
pub fn unavailable_page(reference: &str) -> Response {
    (
        StatusCode::SERVICE_UNAVAILABLE,
        [(header::RETRY_AFTER, "5")],
        Html(format!(
            "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">\
             <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
             <title>Portico is temporarily unavailable</title>\
             <style>body{{font:1rem/1.5 system-ui,sans-serif;max-width:32rem;margin:3rem auto;padding:0 1rem;color:#1f2933}}</style>\
             </head><body><h1>Portico is temporarily unavailable</h1>\
             <p>Portico is temporarily unavailable. Please try again in a few moments.</p>\
             <p>Nothing you entered has been lost or sent. If you need care now, call your clinic.</p>\
             <p><a href=\"\">Try again</a></p>\
             <p><small>Reference {reference}</small></p></body></html>"
        )),
    )
        .into_response()
}
