//! Cross-site request forgery protection for every state-changing request.
//!
//! Browsers mark where a request comes from (`Sec-Fetch-Site`, and `Origin` on every POST).
//! A non-GET request is allowed only when one of them says "this site". With neither header
//! the request is refused: the check fails closed.

use axum::{
    extract::{Request, State},
    http::{header, Method, StatusCode},
    middleware::Next,
    response::{IntoResponse, Response},
};

use app::ssr::state::AppState;

pub const BLOCKED_MESSAGE: &str =
    "This request was blocked because it did not come from Portico's own pages. Reload the page and try again.";

pub async fn csrf(State(state): State<AppState>, req: Request, next: Next) -> Response {
    if matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS) {
        return next.run(req).await;
    }
    let headers = req.headers();
    let text = |name| {
        headers
            .get(name)
            .and_then(|v: &header::HeaderValue| v.to_str().ok())
    };
    let allowed = match text(header::HeaderName::from_static("sec-fetch-site")) {
        Some(site) => site == "same-origin",
        None => match text(header::ORIGIN) {
            Some(origin) => {
                origin == state.config.origin()
                    || text(header::HOST).is_some_and(|host| origin_host(origin) == Some(host))
            }
            None => false,
        },
    };
    if allowed {
        next.run(req).await
    } else {
        tracing::warn!(path = %req.uri().path(), "cross-site request blocked");
        (StatusCode::FORBIDDEN, BLOCKED_MESSAGE).into_response()
    }
}

/// `host[:port]` of an `Origin` value.
fn origin_host(origin: &str) -> Option<&str> {
    origin
        .strip_prefix("https://")
        .or_else(|| origin.strip_prefix("http://"))
}

#[cfg(test)]
mod tests {
    #[test]
    fn origin_host_strips_the_scheme() {
        assert_eq!(
            super::origin_host("http://127.0.0.1:3000"),
            Some("127.0.0.1:3000")
        );
        assert_eq!(super::origin_host("https://a.example"), Some("a.example"));
        assert_eq!(super::origin_host("null"), None);
    }
}
