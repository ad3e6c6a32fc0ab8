//! A real Portico router on a fresh database, driven request by request.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use std::{net::SocketAddr, sync::Arc};

use axum::{
    body::Body,
    extract::ConnectInfo,
    http::{header, HeaderMap, Request, StatusCode},
    Router,
};
use http_body_util::BodyExt;
use leptos::config::LeptosOptions;
use tower::ServiceExt;

use app::ssr::{
    clock::Clock,
    config::Config,
    db::{Backend, Db},
    demo,
    password::Hasher,
    state::AppState,
    testing::TestDb,
    two_factor::{self, totp},
};

pub const ORIGIN: &str = "http://127.0.0.1:3000";

/// Where every test's clock starts: a Tuesday afternoon, so no test depends on the day it runs.
/// `PORTICO_TEST_CLOCK_START` (RFC 3339) moves it, to check that the suite passes on any day.
pub fn clock_start() -> i64 {
    std::env::var("PORTICO_TEST_CLOCK_START")
        .ok()
        .and_then(|v| chrono::DateTime::parse_from_rfc3339(&v).ok())
        .map_or(1_933_423_200, |t| t.timestamp()) // 2031-04-08T14:00:00Z
}

pub struct TestApp {
    pub router: Router,
    pub state: AppState,
    pub db: Db,
    _test_db: TestDb,
}

pub struct Reply {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: String,
}

impl Reply {
    pub fn location(&self) -> Option<&str> {
        self.headers
            .get(header::LOCATION)
            .and_then(|v| v.to_str().ok())
    }

    /// The `name=value` of the session cookie this reply sets, if any.
    pub fn session_cookie(&self) -> Option<String> {
        self.headers
            .get_all(header::SET_COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .find(|c| c.starts_with("portico_session=") || c.starts_with("__Host-portico_session="))
            .map(|c| c.split(';').next().unwrap_or_default().to_string())
    }

    /// The `name=value` of the cookie called `name` this reply sets, if any.
    pub fn cookie_named(&self, name: &str) -> Option<String> {
        self.headers
            .get_all(header::SET_COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .find(|c| c.starts_with(&format!("{name}=")))
            .map(|c| c.split(';').next().unwrap_or_default().to_string())
    }

    pub fn set_cookie_header(&self) -> Option<String> {
        self.headers
            .get(header::SET_COOKIE)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string)
    }
}

/// A request under construction.
pub struct Call {
    builder: axum::http::request::Builder,
    body: String,
    accept: Option<&'static str>,
}

impl TestApp {
    pub async fn new(backend: Backend) -> Option<TestApp> {
        Self::with_config(backend, |_| {}).await
    }

    pub async fn with_config(
        backend: Backend,
        adjust: impl FnOnce(&mut Config),
    ) -> Option<TestApp> {
        let test_db = TestDb::new(backend).await?;
        let mut config = Config::for_tests(&test_db.url);
        adjust(&mut config);
        let hasher = Hasher::new().unwrap();
        let clock = Clock::starting_at(clock_start());
        if demo::seed_if_empty(&test_db.db, &hasher, clock.now())
            .await
            .unwrap()
        {
            demo::seed_two_factor(&test_db.db, &config.secret_key, clock.now())
                .await
                .unwrap();
        }
        let texts = server::startup::text_sender(&config, &test_db.db, &clock).unwrap();
        let state = AppState {
            live: app::ssr::messaging::live::Live::start(&test_db.db, &test_db.url),
            texts,
            db: test_db.db.clone(),
            config: Arc::new(config),
            hasher,
            clock,
            leptos_options: LeptosOptions::builder().output_name("portico").build(),
        };
        Some(TestApp {
            router: server::router::router(state.clone()),
            db: test_db.db.clone(),
            state,
            _test_db: test_db,
        })
    }

    /// A date (in the week `weeks` weeks) after every demo appointment: its calendar is empty.
    pub fn clear_week(&self, weeks: i64) -> chrono::NaiveDate {
        let days = app::ssr::demo_appointments::HORIZON_DAYS + 7 * weeks;
        chrono::DateTime::from_timestamp(self.state.clock.now() + days * 86_400, 0)
            .unwrap()
            .date_naive()
    }

    pub fn get(&self, path: &str) -> Call {
        Call::new("GET", path)
    }

    /// A POST as the app's own JavaScript sends it: same-origin, form-encoded, not HTML.
    pub fn post(&self, path: &str, body: &str) -> Call {
        Call::new("POST", path)
            .header("sec-fetch-site", "same-origin")
            .header("origin", ORIGIN)
            .accept("application/json")
            .header("content-type", "application/x-www-form-urlencoded")
            .body(body)
    }

    /// A same-origin POST of a file form (multipart), as a browser submits one.
    pub fn post_form_data(&self, path: &str, content_type: &str, body: &str) -> Call {
        Call::new("POST", path)
            .header("sec-fetch-site", "same-origin")
            .header("origin", ORIGIN)
            .accept("text/html,application/xhtml+xml")
            .header("content-type", content_type)
            .body(body)
    }

    pub async fn send(&self, call: Call) -> Reply {
        let mut builder = call.builder;
        if !call.body.is_empty() {
            builder = builder.header("content-length", call.body.len().to_string());
        }
        if let Some(accept) = call.accept {
            builder = builder.header("accept", accept);
        }
        let mut req = builder.body(Body::from(call.body)).unwrap();
        if req.extensions().get::<ConnectInfo<SocketAddr>>().is_none() {
            req.extensions_mut()
                .insert(ConnectInfo(SocketAddr::from(([127, 0, 0, 1], 40000))));
        }
        let res = self.router.clone().oneshot(req).await.unwrap();
        let status = res.status();
        let headers = res.headers().clone();
        let bytes = res.into_body().collect().await.unwrap().to_bytes();
        Reply {
            status,
            headers,
            body: String::from_utf8_lossy(&bytes).to_string(),
        }
    }

    /// Sign in through the real server function; returns the session cookie.
    pub async fn sign_in(&self, staff: bool, username: &str, password: &str) -> String {
        let path = if staff {
            "/api/auth/staff_login"
        } else {
            "/api/auth/login"
        };
        let reply = self
            .send(self.post(path, &format!("username={username}&password={password}")))
            .await;
        assert_eq!(
            reply.status,
            StatusCode::OK,
            "sign-in failed: {}",
            reply.body
        );
        if let Some(step) = reply.cookie_named(two_factor::STEP_COOKIE) {
            assert!(
                reply.session_cookie().is_none(),
                "a password alone made a session"
            );
            return self.second_factor(username, &step, &reply.json()).await;
        }
        reply
            .session_cookie()
            .expect("sign-in sets a session cookie")
    }

    /// The second step as a phone with the account's authenticator would take it: the code,
    /// or (`"SetUp"`) setting it up with the secret the set-up page shows. Returns the session.
    pub async fn second_factor(
        &self,
        username: &str,
        step: &str,
        kind: &serde_json::Value,
    ) -> String {
        let (path, code) = if kind == "SetUp" {
            let r = self
                .send(self.post("/api/auth/two_factor_setup", "").cookie(step))
                .await;
            assert_eq!(r.status, StatusCode::OK, "set-up: {}", r.body);
            let shown = r.json()["secret"].as_str().unwrap().replace(' ', "");
            let secret = totp::from_base32(&shown).unwrap();
            (
                "/api/auth/two_factor_confirm",
                self.next_code(username, &secret).await,
            )
        } else {
            assert_eq!(kind, "Code");
            let secret = self.totp_secret(username).await;
            (
                "/api/auth/staff_code",
                self.next_code(username, &secret).await,
            )
        };
        let r = self
            .send(self.post(path, &format!("code={code}")).cookie(step))
            .await;
        assert_eq!(
            r.status,
            StatusCode::OK,
            "second factor refused: {}",
            r.body
        );
        r.session_cookie()
            .expect("the second factor makes a session")
    }

    /// An account's two-factor secret, opened as the server does.
    pub async fn totp_secret(&self, username: &str) -> Vec<u8> {
        let (id, sealed): (i64, String) =
            sqlx::query_as("SELECT id, totp_secret FROM staff_accounts WHERE username = $1")
                .bind(username)
                .fetch_one(self.db.read())
                .await
                .unwrap();
        two_factor::seal::open(&self.state.config.secret_key, id, &sealed).unwrap()
    }

    /// The code the app shows now, moving the clock on to the next 30-second step if this one
    /// was used already (a code is accepted once).
    pub async fn next_code(&self, username: &str, secret: &[u8]) -> String {
        let last: i64 =
            sqlx::query_scalar("SELECT totp_last_step FROM staff_accounts WHERE username = $1")
                .bind(username)
                .fetch_one(self.db.read())
                .await
                .unwrap();
        while totp::step_at(self.state.clock.now()) <= last {
            self.state.clock.advance(totp::STEP_SECS);
        }
        totp::code_at(secret, self.state.clock.now())
    }

    pub async fn patient(&self) -> String {
        self.sign_in(false, demo::PATIENT_USERNAME, demo::PATIENT_PASSWORD)
            .await
    }

    /// The demo patient with her Riverside record selected (the default is Harbor's, first
    /// by name).
    pub async fn patient_at_riverside(&self) -> String {
        let cookie = self.patient().await;
        let chart = self.chart_id("Emma", "America/New_York").await;
        let r = self
            .send(
                self.post("/api/records/select", &format!("record_id={chart}"))
                    .cookie(&cookie),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        cookie
    }

    pub async fn admin(&self) -> String {
        self.sign_in(true, demo::ADMIN_USERNAME, demo::ADMIN_PASSWORD)
            .await
    }

    pub async fn front_desk(&self) -> String {
        self.sign_in(true, demo::FRONT_DESK_USERNAME, demo::FRONT_DESK_PASSWORD)
            .await
    }

    /// The admin of the other practice (Harbor).
    pub async fn harbor(&self) -> String {
        self.sign_in(
            true,
            demo::HARBOR_ADMIN_USERNAME,
            demo::HARBOR_ADMIN_PASSWORD,
        )
        .await
    }

    /// POST a server function as the app's JavaScript does, with a session.
    pub async fn call(&self, cookie: &str, path: &str, body: &str) -> Reply {
        self.send(self.post(path, body).cookie(cookie)).await
    }

    /// The id of the demo appointment booked for `reason`.
    pub async fn appointment(&self, reason: &str) -> i64 {
        sqlx::query_scalar::<_, i64>("SELECT id FROM appointments WHERE visit_reason = $1")
            .bind(reason)
            .fetch_one(self.db.read())
            .await
            .unwrap_or_else(|e| panic!("no demo appointment for {reason}: {e}"))
    }

    pub async fn provider_id(&self, name: &str) -> i64 {
        sqlx::query_scalar::<_, i64>("SELECT id FROM providers WHERE display_name = $1")
            .bind(name)
            .fetch_one(self.db.read())
            .await
            .unwrap()
    }

    /// The chart of `given` name at the practice in `zone`.
    pub async fn chart_id(&self, given: &str, zone: &str) -> i64 {
        sqlx::query_scalar::<_, i64>(
            "SELECT c.id FROM patient_charts c JOIN practices p ON p.id = c.practice_id WHERE c.given_name = $1 AND p.time_zone = $2",
        )
        .bind(given)
        .bind(zone)
        .fetch_one(self.db.read())
        .await
        .unwrap()
    }

    pub async fn starts_at(&self, id: i64) -> i64 {
        sqlx::query_scalar::<_, i64>("SELECT starts_at FROM appointments WHERE id = $1")
            .bind(id)
            .fetch_one(self.db.read())
            .await
            .unwrap()
    }

    pub async fn state_of(&self, id: i64) -> String {
        sqlx::query_scalar::<_, String>("SELECT state FROM appointments WHERE id = $1")
            .bind(id)
            .fetch_one(self.db.read())
            .await
            .unwrap()
    }

    /// The newest outbox message to `to` (email address or phone number).
    pub async fn last_message_to(&self, to: &str) -> Option<(String, String)> {
        sqlx::query_as::<_, (String, String)>(
            "SELECT subject, body FROM outbox WHERE recipient = $1 ORDER BY id DESC LIMIT 1",
        )
        .bind(to)
        .fetch_optional(self.db.read())
        .await
        .unwrap()
    }

    /// The token in the newest link to `path_prefix` (e.g. `/enroll/`) emailed to `to`.
    pub async fn link_token(&self, to: &str, path_prefix: &str) -> String {
        let (_, body) = self
            .last_message_to(to)
            .await
            .unwrap_or_else(|| panic!("no message to {to}"));
        let start = body
            .find(path_prefix)
            .unwrap_or_else(|| panic!("no {path_prefix} link in: {body}"))
            + path_prefix.len();
        body[start..]
            .chars()
            .take_while(char::is_ascii_hexdigit)
            .collect()
    }

    /// The digits of the newest security code texted to `phone`.
    pub async fn texted_code(&self, phone: &str) -> String {
        let (_, body) = self
            .last_message_to(phone)
            .await
            .unwrap_or_else(|| panic!("no text to {phone}"));
        body.split(|c: char| !c.is_ascii_digit())
            .find(|w| w.len() >= 5)
            .unwrap_or_else(|| panic!("no code in: {body}"))
            .to_string()
    }

    pub async fn count(&self, sql: &str) -> i64 {
        sqlx::query_scalar::<_, i64>(sql)
            .fetch_one(self.db.read())
            .await
            .unwrap()
    }
}

impl Reply {
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.body))
    }
}

impl Call {
    /// A form POST with no browser provenance headers at all.
    pub fn post_raw(path: &str, body: &str) -> Call {
        Call::new("POST", path)
            .accept("application/json")
            .header("content-type", "application/x-www-form-urlencoded")
            .body(body)
    }

    fn new(method: &str, path: &str) -> Call {
        Call {
            builder: Request::builder().method(method).uri(path),
            body: String::new(),
            accept: None,
        }
    }

    pub fn header(mut self, name: &str, value: &str) -> Call {
        self.builder = self.builder.header(name, value);
        self
    }

    pub fn cookie(self, cookie: &str) -> Call {
        self.header("cookie", cookie)
    }

    pub fn sent_from(mut self, ip: [u8; 4]) -> Call {
        self.builder = self
            .builder
            .extension(ConnectInfo(SocketAddr::from((ip, 40000))));
        self
    }

    pub fn accept(mut self, accept: &'static str) -> Call {
        self.accept = Some(accept);
        self
    }

    pub fn body(mut self, body: &str) -> Call {
        self.body = body.to_string();
        self
    }

    /// As a browser with JavaScript off submits a form.
    pub fn without_javascript(self, referer: &str) -> Call {
        self.accept("text/html,application/xhtml+xml")
            .header("referer", referer)
    }
}

/// Run one test body against SQLite and against PostgreSQL.
#[macro_export]
macro_rules! both {
    ($name:ident, $body:expr) => {
        mod $name {
            #[allow(unused_imports)]
            use super::*;

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                let app = $crate::support::TestApp::new(app::ssr::db::Backend::Sqlite)
                    .await
                    .expect("SQLite is always available");
                ($body)(app).await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                if let Some(app) =
                    $crate::support::TestApp::new(app::ssr::db::Backend::Postgres).await
                {
                    ($body)(app).await;
                }
            }
        }
    };
}
