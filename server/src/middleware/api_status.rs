//! A server function whose arguments cannot be read fails before its body runs, so it cannot
//! set its own status and Leptos answers 500. The error it carries is `BadRequest`; give it 400.

use axum::{
    body::{to_bytes, Body},
    extract::Request,
    http::StatusCode,
    middleware::Next,
    response::Response,
};

/// Server-function error bodies are a few bytes of JSON.
const LIMIT: usize = 64 * 1024;

pub async fn api_status(req: Request, next: Next) -> Response {
    let is_api = req.uri().path().starts_with("/api/");
    let res = next.run(req).await;
    if !is_api || res.status() != StatusCode::INTERNAL_SERVER_ERROR {
        return res;
    }
    let (mut parts, body) = res.into_parts();
    let bytes = to_bytes(body, LIMIT).await.unwrap_or_default();
    if bytes.as_ref() == b"\"BadRequest\"" {
        parts.status = StatusCode::BAD_REQUEST;
    }
    Response::from_parts(parts, Body::from(bytes))
}
