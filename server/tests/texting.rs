//! The HTTP SMS/voice provider against a fake provider on a local port.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::sync::{Arc, Mutex};

use axum::{
    extract::State,
    http::{HeaderMap, StatusCode},
    routing::post,
    Json, Router,
};
use support::TestApp;

use app::ssr::{
    db::Backend,
    texts::{TextChannel, TextSender},
};
use server::texting::HttpTexts;

/// What the fake provider received: the Authorization header and the JSON body.
type Seen = Vec<(Option<String>, serde_json::Value)>;

#[derive(Clone, Default)]
struct Fake {
    seen: Arc<Mutex<Seen>>,
    status: Arc<Mutex<u16>>,
}

async fn receive(
    State(fake): State<Fake>,
    headers: HeaderMap,
    Json(body): Json<serde_json::Value>,
) -> StatusCode {
    let auth = headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    fake.seen.lock().unwrap().push((auth, body));
    StatusCode::from_u16(*fake.status.lock().unwrap()).unwrap()
}

/// A fake provider answering `POST /send`; returns its URL and what it saw.
async fn fake_provider() -> (String, Fake) {
    let fake = Fake::default();
    *fake.status.lock().unwrap() = 202;
    let app = Router::new()
        .route("/send", post(receive))
        .with_state(fake.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (format!("http://{addr}/send"), fake)
}

#[tokio::test]
async fn posts_json_with_the_bearer_token() {
    let (url, fake) = fake_provider().await;
    let texts = HttpTexts::new(&url, Some("s3cret".into())).unwrap();
    texts
        .send(TextChannel::Voice, "+12125550123", "Your code is 1, 2, 3.")
        .await
        .unwrap();
    let seen = fake.seen.lock().unwrap().clone();
    assert_eq!(seen.len(), 1);
    assert_eq!(seen[0].0.as_deref(), Some("Bearer s3cret"));
    assert_eq!(seen[0].1["channel"], "voice");
    assert_eq!(seen[0].1["to"], "+12125550123");
    assert_eq!(seen[0].1["body"], "Your code is 1, 2, 3.");
}

#[tokio::test]
async fn a_refusal_or_a_dead_provider_is_an_error() {
    let (url, fake) = fake_provider().await;
    *fake.status.lock().unwrap() = 500;
    let texts = HttpTexts::new(&url, None).unwrap();
    assert!(texts.send(TextChannel::Sms, "+1", "x").await.is_err());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let closed = format!("http://{}/send", listener.local_addr().unwrap());
    drop(listener);
    let texts = HttpTexts::new(&closed, None).unwrap();
    assert!(texts.send(TextChannel::Sms, "+1", "x").await.is_err());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn enrollment_codes_go_through_the_configured_provider() {
    let (url, fake) = fake_provider().await;
    let app = TestApp::with_config(Backend::Sqlite, |c| {
        c.sms_url = Some(url.clone());
        c.code_digits = 5;
    })
    .await
    .unwrap();
    let admin = app.admin().await;
    let chart = app.chart_id("Oliver", "America/New_York").await;
    let r = app
        .call(
            &admin,
            "/api/staff/portal_access",
            &format!("id={chart}&action=invite"),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let token = app
        .link_token("oliver.bennett@example.com", "/enroll/")
        .await;
    let r = app
        .send(app.post(
            "/api/enroll/send_code",
            &format!("token={token}&phone=2125550123&channel=sms"),
        ))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let body = fake.seen.lock().unwrap()[0].1["body"]
        .as_str()
        .unwrap()
        .to_string();
    let code: String = body
        .split(|c: char| !c.is_ascii_digit())
        .find(|w| w.len() == 5)
        .expect("a 5-digit code")
        .into();
    // Nothing about it is kept in the outbox when a real provider sends it.
    assert_eq!(
        app.count("SELECT COUNT(*) FROM outbox WHERE channel = 'sms'")
            .await,
        0
    );
    let r = app
        .send(app.post("/api/enroll/code", &format!("token={token}&code={code}")))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    // A provider failure is a clear message, not a crash.
    *fake.status.lock().unwrap() = 503;
    app.state.clock.advance(200);
    let r = app
        .send(app.post(
            "/api/enroll/send_code",
            &format!("token={token}&phone=2125550123&channel=sms"),
        ))
        .await;
    // The invitation is still pending (proof is per browser), so a new code is tried.
    assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.body);
    assert!(r.body.contains("could not send the code"), "{}", r.body);
}
