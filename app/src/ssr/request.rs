//! Per-request facts that the HTTP middleware attaches, read back inside server functions.

use axum::http::{header, request::Parts, HeaderValue};
use leptos::prelude::use_context;
use leptos_axum::ResponseOptions;

use super::{config::Config, session::Session, state::AppState};
use crate::error::AppError;

/// The client's address as the server sees it (or as the trusted proxy reports it).
#[derive(Clone, Debug)]
pub struct ClientIp(pub String);

/// The session the request's cookie named, if it is still valid.
#[derive(Clone, Debug, Default)]
pub struct RequestSession(pub Option<Session>);

/// The CSP nonce for this response's inline scripts.
#[derive(Clone, Debug)]
pub struct CspNonce(pub String);

/// The application state. Never `expect_context`: route listing renders without it.
pub fn state() -> Result<AppState, AppError> {
    use_context::<AppState>().ok_or_else(|| AppError::internal("AppState missing from context"))
}

fn parts() -> Option<Parts> {
    use_context::<Parts>()
}

pub fn session() -> Option<Session> {
    parts()?.extensions.get::<RequestSession>()?.0.clone()
}

pub fn client_ip() -> String {
    parts()
        .and_then(|p| p.extensions.get::<ClientIp>().map(|c| c.0.clone()))
        .unwrap_or_else(|| "unknown".into())
}

/// The client address as stored for throttling and audit: keyed-hashed, never in the clear.
pub fn client_key(config: &Config) -> String {
    super::throttle::address_key(config, &client_ip())
}

pub fn csp_nonce() -> Option<String> {
    parts()?.extensions.get::<CspNonce>().map(|n| n.0.clone())
}

/// True for a plain HTML form post (JavaScript off), which expects a real redirect.
pub fn is_plain_form_post() -> bool {
    parts()
        .and_then(|p| {
            p.headers
                .get(header::ACCEPT)
                .and_then(|v| v.to_str().ok())
                .map(|v| v.contains("text/html"))
        })
        .unwrap_or(false)
}

pub fn set_cookie(value: String) {
    if let (Some(res), Ok(v)) = (
        use_context::<ResponseOptions>(),
        HeaderValue::from_str(&value),
    ) {
        res.append_header(header::SET_COOKIE, v);
    }
}

/// The session cookie: HttpOnly, SameSite=Lax, Secure outside development.
pub fn session_cookie(config: &Config, token: &str) -> String {
    let secure = if config.is_production() {
        "; Secure"
    } else {
        ""
    };
    format!(
        "{}={token}; Path=/; HttpOnly; SameSite=Lax; Max-Age={}{secure}",
        config.cookie_name(),
        super::session::ABSOLUTE_TIMEOUT_SECS
    )
}

pub fn clear_session_cookie(config: &Config) -> String {
    let secure = if config.is_production() {
        "; Secure"
    } else {
        ""
    };
    format!(
        "{}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0{secure}",
        config.cookie_name()
    )
}

/// A cookie sent with this request.
pub fn cookie(name: &str) -> Option<String> {
    let parts = parts()?;
    parts
        .headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.to_string())
}

/// The cookie that says "identity proven" between the steps of an enrollment or a password
/// reset: it keeps that proof out of the address and ties it to this browser.
pub const STEP_COOKIE: &str = "portico_step";

pub fn step_cookie(config: &Config, token: &str, max_age: i64) -> String {
    let secure = if config.is_production() {
        "; Secure"
    } else {
        ""
    };
    format!("{STEP_COOKIE}={token}; Path=/; HttpOnly; SameSite=Lax; Max-Age={max_age}{secure}")
}

/// `with_status`, for forms on pages whose address holds a token. Those pages send no
/// Referer (Referrer-Policy: no-referrer), so a plain form post that fails is sent back to
/// `page` here, with the error where `form_error` finds it.
pub fn back_on_error<T>(
    result: Result<T, AppError>,
    fn_path: &str,
    page: &str,
) -> Result<T, AppError> {
    if let (Err(e), true) = (&result, is_plain_form_post()) {
        let back = server_fn::error::ServerFnUrlError::new(fn_path, e.clone())
            .to_url(&format!("http://localhost{page}"))
            .map(|u| format!("{}?{}", u.path(), u.query().unwrap_or_default()));
        if let (Ok(back), Some(res)) = (back, use_context::<ResponseOptions>()) {
            if let Ok(v) = HeaderValue::from_str(&back) {
                res.set_status(axum::http::StatusCode::FOUND);
                res.insert_header(header::LOCATION, v);
            }
        }
        return result;
    }
    with_status(result)
}

/// Give a failing server function the HTTP status its error deserves. A plain form post keeps
/// the redirect that carries the error back to the form.
pub fn with_status<T>(result: Result<T, AppError>) -> Result<T, AppError> {
    if let Err(e) = &result {
        if !is_plain_form_post() {
            if let (Some(res), Ok(code)) = (
                use_context::<ResponseOptions>(),
                axum::http::StatusCode::from_u16(e.status()),
            ) {
                res.set_status(code);
            }
        }
    }
    result
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cookies_are_http_only_and_lax_and_secure_in_production() {
        let mut c = Config::for_tests("sqlite:x");
        let dev = session_cookie(&c, "abc");
        assert!(dev.starts_with("portico_session=abc;"));
        assert!(dev.contains("HttpOnly") && dev.contains("SameSite=Lax"));
        assert!(!dev.contains("Secure"));
        c.environment = super::super::config::Environment::Production;
        let prod = session_cookie(&c, "abc");
        assert!(prod.starts_with("__Host-portico_session=abc;"));
        assert!(prod.contains("; Secure"));
        assert!(clear_session_cookie(&c).contains("Max-Age=0"));
    }
}
