//! Request middleware, outermost first in `router`: request ids and tracing, security headers,
//! body limit, CSRF, client address, session and page guard.

pub mod api_status;
pub mod client_ip;
pub mod csrf;
pub mod request_id;
pub mod security_headers;
pub mod session;

/// Static files that need neither a session nor `no-store`.
pub fn is_asset(path: &str) -> bool {
    path.starts_with("/pkg/")
        || path.starts_with("/assets/")
        || matches!(path, "/favicon.svg" | "/favicon.ico" | "/robots.txt")
}
