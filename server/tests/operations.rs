//! What an operator relies on, through the real router on SQLite and PostgreSQL: the fast 503
//! while the database is away, and `/metrics`.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::time::Duration;

use axum::http::StatusCode;
use support::TestApp;

both!(
    with_the_database_away_pages_fail_at_once_and_sign_in_forms_still_render,
    |app: TestApp| async move {
        let patient = app.patient().await;
        app.db.breaker().open("test");

        let page = app.send(app.get("/appointments").cookie(&patient)).await;
        assert_eq!(page.status, StatusCode::SERVICE_UNAVAILABLE);
        assert!(
            page.body.contains("temporarily unavailable"),
            "{}",
            page.body
        );
        assert!(page.body.contains("Reference "));
        assert_eq!(page.headers["retry-after"], "5");

        let api = app
            .send(app.post("/api/auth/login", "username=demo&password=Portico-demo1"))
            .await;
        assert_eq!(api.status, StatusCode::SERVICE_UNAVAILABLE);
        assert!(api.body.contains("Unavailable"), "{}", api.body);

        assert_eq!(
            app.send(app.get("/readyz")).await.status,
            StatusCode::SERVICE_UNAVAILABLE
        );
        assert_eq!(app.send(app.get("/healthz")).await.status, StatusCode::OK);
        // The sign-in forms need no database; a session cookie is kept for later.
        for path in ["/login", "/staff/login"] {
            let form = app.send(app.get(path).cookie(&patient)).await;
            assert_eq!(form.status, StatusCode::OK, "{path}");
            assert!(
                form.body.contains("name=\"password\""),
                "{path}: {}",
                form.body
            );
            assert!(form.set_cookie_header().is_none(), "{path}");
        }

        // The probe finds the database answering and closes the breaker.
        let mut conn = None;
        assert!(app.db.probe(&mut conn, Duration::from_secs(2)).await);
        let page = app.send(app.get("/appointments").cookie(&patient)).await;
        assert_eq!(page.status, StatusCode::OK);
        assert_eq!(app.db.breaker().trips(), 1);
    }
);

both!(
    metrics_count_routes_by_template_for_this_machine_only,
    |app: TestApp| async move {
        let patient = app.patient().await;
        for id in [1, 2] {
            app.send(app.get(&format!("/appointments/{id}")).cookie(&patient))
                .await;
        }
        app.send(app.get("/healthz")).await;
        let m = app.send(app.get("/metrics")).await;
        assert_eq!(m.status, StatusCode::OK, "{}", m.body);
        assert!(m.headers["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/plain"));
        let line = |prefix: &str| {
            m.body
                .lines()
                .find(|l| l.starts_with(prefix))
                .unwrap_or_else(|| panic!("{prefix} missing in\n{}", m.body))
                .to_string()
        };
        assert!(line(
            "portico_http_requests_total{route=\"/healthz\",method=\"GET\",status=\"200\"}"
        )
        .ends_with(" 1"));
        // Both appointments under the one template, never their real paths.
        assert!(
            line("portico_http_request_duration_seconds_count{route=\"/appointments/{id}\"}")
                .ends_with(" 2")
        );
        assert!(!m.body.contains("/appointments/1\""));
        line("portico_http_request_duration_seconds_bucket{route=\"/healthz\",le=\"+Inf\"} 1");
        line("portico_db_connections{state=\"in_use\"}");
        assert_eq!(line("portico_db_unavailable"), "portico_db_unavailable 0");
        line("portico_outbox_pending ");
        line("portico_outbox_oldest_pending_age_seconds ");
        assert_eq!(
            line("portico_live_connections"),
            "portico_live_connections 0"
        );
        // The two appointment views wrote their audit entries.
        let commits: u64 = line("portico_audit_commits_total ")
            .rsplit(' ')
            .next()
            .unwrap()
            .parse()
            .unwrap();
        assert!((1..=2).contains(&commits), "{commits}");

        // Anyone else: another machine, or this one through a proxy.
        let outside = app
            .send(app.get("/metrics").sent_from([203, 0, 113, 9]))
            .await;
        assert_eq!(outside.status, StatusCode::FORBIDDEN);
        assert!(!outside.body.contains("portico_"));
        let proxied = app
            .send(app.get("/metrics").header("x-forwarded-for", "203.0.113.9"))
            .await;
        assert_eq!(proxied.status, StatusCode::FORBIDDEN);
        // A signed-in patient is no operator either.
        let patient_from_outside = app
            .send(
                app.get("/metrics")
                    .cookie(&patient)
                    .sent_from([203, 0, 113, 9]),
            )
            .await;
        assert_eq!(patient_from_outside.status, StatusCode::FORBIDDEN);
    }
);

mod with_a_token {
    use super::*;

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_bearer_token_opens_metrics_to_another_machine() {
        let token = "m".repeat(40);
        let app = TestApp::with_config(app::ssr::db::Backend::Sqlite, |c| {
            c.metrics_token = Some(token.clone())
        })
        .await
        .unwrap();
        let get = || app.get("/metrics").sent_from([10, 0, 0, 8]);
        assert_eq!(app.send(get()).await.status, StatusCode::FORBIDDEN);
        let wrong = get().header("authorization", &format!("Bearer {}", "x".repeat(40)));
        assert_eq!(app.send(wrong).await.status, StatusCode::FORBIDDEN);
        let right = get().header("authorization", &format!("Bearer {token}"));
        let m = app.send(right).await;
        assert_eq!(m.status, StatusCode::OK);
        assert!(m.body.contains("portico_db_unavailable 0"));
    }
}

/// A SQLite file that refuses writes (a read-only or failing disk; `query_only` gives the same
/// SQLITE_READONLY a read-only mount does): the write is refused with the clear message, reads
/// go on, nothing trips the breaker, and writes work again once the disk does.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_disk_that_refuses_writes_refuses_them_clearly_and_reads_go_on() {
    let app = TestApp::new(app::ssr::db::Backend::Sqlite)
        .await
        .expect("SQLite is always available");
    let patient = app.patient_at_riverside().await;
    let send = |key: &'static str| {
        let (app, patient) = (&app, &patient);
        async move {
            app.call(
                patient,
                "/api/messages/start",
                &format!("topic=billing&subject=Refund&body=Please+refund&key={key}"),
            )
            .await
        }
    };
    // The write pool has one connection: this is the one every write uses.
    sqlx::query("PRAGMA query_only = ON")
        .execute(app.db.write())
        .await
        .unwrap();
    let refused = send("00000000000000000000000000000001").await;
    assert_eq!(
        refused.status,
        StatusCode::SERVICE_UNAVAILABLE,
        "{}",
        refused.body
    );
    assert!(refused.body.contains("Unavailable"), "{}", refused.body);
    assert!(!refused.body.contains("readonly"), "{}", refused.body);
    let page = app.send(app.get("/appointments").cookie(&patient)).await;
    assert_eq!(page.status, StatusCode::OK, "reads go on");
    assert!(!app.db.breaker().is_open());

    sqlx::query("PRAGMA query_only = OFF")
        .execute(app.db.write())
        .await
        .unwrap();
    let sent = send("00000000000000000000000000000002").await;
    assert_eq!(sent.status, StatusCode::OK, "{}", sent.body);
    assert_eq!(
        app.count("SELECT COUNT(*) FROM conversations WHERE subject = 'Refund'")
            .await,
        1
    );
}
