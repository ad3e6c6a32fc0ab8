//! Loads the session a cookie names and guards the two page trees: `/staff/…` needs a staff
//! session, every other page a patient session. Each redirects to its own sign-in page and
//! back. Server functions (`/api/…`) are not guarded here; each checks its caller itself.

use axum::{
    extract::{Request, State},
    http::{header, HeaderMap, HeaderValue, Method},
    middleware::Next,
    response::{IntoResponse, Redirect, Response},
};

use app::{
    ssr::{
        request::{clear_session_cookie, RequestSession},
        session::{self, Activity, Lookup, Principal},
        state::AppState,
    },
    url,
};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Area {
    Public,
    Patient,
    Staff,
}

/// Which sign-in a path needs.
pub fn area(path: &str) -> Area {
    const PUBLIC: &[&str] = &[
        "/login",
        "/staff/login",
        "/staff/login/code",
        "/staff/login/set-up",
        "/forgot-password",
        "/forgot-username",
        "/healthz",
        "/readyz",
        "/metrics",
    ];
    if PUBLIC.contains(&path)
        || is_token_page(path)
        || path.starts_with("/api/")
        || path.starts_with("/dev/")
        || super::is_asset(path)
    {
        Area::Public
    } else if path == "/staff" || path.starts_with("/staff/") {
        Area::Staff
    } else {
        Area::Patient
    }
}

/// Background reads of an open page (live messaging) do not count as activity: the idle
/// timeout must still sign out a tab that nobody is using.
pub fn activity(path: &str) -> Activity {
    if path.starts_with("/api/live/") {
        Activity::Passive
    } else {
        Activity::Active
    }
}

/// Pages opened from an emailed link; the token in the address is the key.
pub fn is_token_page(path: &str) -> bool {
    path.starts_with("/enroll/")
        || path.starts_with("/reset-password/")
        || path.starts_with("/shared-record/")
        || path.starts_with("/staff/set-password/")
}

/// The path as logs may hold it: a token page's token is cut off.
pub fn loggable_path(path: &str) -> &str {
    if is_token_page(path) {
        path.get(1..)
            .and_then(|p| p.find('/'))
            .map_or(path, |i| &path[..i + 2])
    } else {
        path
    }
}

fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}

pub async fn session(State(state): State<AppState>, mut req: Request, next: Next) -> Response {
    let path = req.uri().path().to_string();
    if super::is_asset(&path) {
        return next.run(req).await;
    }
    // With the database away only pages that need none get here (see `breaker`); they render
    // as for someone signed out, and the cookie stays for when it returns.
    let token = cookie(req.headers(), state.config.cookie_name())
        .filter(|_| !state.db.breaker().is_open())
        .map(str::to_string);
    let (current, stale_cookie, expired) = match token {
        None => (None, false, false),
        Some(token) => match session::load_as(
            &state.db,
            &token,
            state.clock.now(),
            state.config.idle_timeout_secs,
            activity(&path),
        )
        .await
        {
            Ok(Lookup::Valid(s)) => (Some(s), false, false),
            Ok(Lookup::Expired) => (None, true, true),
            Ok(Lookup::Unknown) => (None, true, false),
            Err(e) => {
                state.db.breaker().note(&e);
                let id = app::ssr::token::reference_id();
                tracing::error!(error.id = %id, error = %e, "session lookup failed");
                return super::breaker::unavailable_page(&id);
            }
        },
    };

    let needs = area(&path);
    let is_page = matches!(*req.method(), Method::GET | Method::HEAD);
    let allowed = match (needs, current.as_ref().map(|s| s.principal)) {
        (Area::Public, _) => true,
        (Area::Patient, Some(Principal::Patient(_))) => true,
        (Area::Staff, Some(Principal::Staff(_))) => true,
        _ => !is_page,
    };
    let mut res = if allowed {
        req.extensions_mut().insert(RequestSession(current));
        next.run(req).await
    } else {
        let sign_in = if needs == Area::Staff {
            "/staff/login"
        } else {
            "/login"
        };
        let here = match req.uri().query() {
            Some(q) => format!("{path}?{q}"),
            None => path.clone(),
        };
        let reason = if expired { "&reason=expired" } else { "" };
        Redirect::to(&format!("{sign_in}?next={}{reason}", url::encode(&here))).into_response()
    };
    if stale_cookie {
        if let Ok(v) = HeaderValue::from_str(&clear_session_cookie(&state.config)) {
            res.headers_mut().append(header::SET_COOKIE, v);
        }
    }
    res
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn areas() {
        assert_eq!(area("/login"), Area::Public);
        assert_eq!(area("/enroll/abc"), Area::Public);
        assert_eq!(area("/shared-record/abc"), Area::Public);
        assert_eq!(loggable_path("/shared-record/abc123"), "/shared-record/");
        assert_eq!(loggable_path("/enroll/abc123"), "/enroll/");
        assert_eq!(loggable_path("/appointments/4"), "/appointments/4");
        assert_eq!(area("/reset-password/abc"), Area::Public);
        assert_eq!(area("/staff/set-password/abc"), Area::Public);
        assert!(!loggable_path("/staff/set-password/abc123").contains("abc123"));
        assert_eq!(area("/account"), Area::Patient);
        assert_eq!(area("/staff/login"), Area::Public);
        assert_eq!(area("/staff/login/code"), Area::Public);
        assert_eq!(area("/staff/login/set-up"), Area::Public);
        assert_eq!(area("/api/auth/login"), Area::Public);
        assert_eq!(area("/pkg/portico.wasm"), Area::Public);
        assert_eq!(area("/staff"), Area::Staff);
        assert_eq!(area("/staff/requests"), Area::Staff);
        assert_eq!(area("/staffing"), Area::Patient);
        assert_eq!(area("/"), Area::Patient);
        assert_eq!(area("/appointments"), Area::Patient);
    }

    #[test]
    fn only_live_reads_are_passive() {
        assert_eq!(activity("/api/live/stream"), Activity::Passive);
        assert_eq!(activity("/api/live/conversation"), Activity::Passive);
        assert_eq!(activity("/api/messages/reply"), Activity::Active);
        assert_eq!(activity("/messages/3"), Activity::Active);
        assert_eq!(activity("/api/liveliness"), Activity::Active);
    }

    #[test]
    fn cookies_are_found_by_exact_name() {
        let mut h = HeaderMap::new();
        h.insert(
            header::COOKIE,
            HeaderValue::from_static("a=1; portico_session_x=2; portico_session=abc"),
        );
        assert_eq!(cookie(&h, "portico_session"), Some("abc"));
        assert_eq!(cookie(&h, "missing"), None);
    }
}
