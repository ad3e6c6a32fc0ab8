//! Page protection, sessions, CSRF, headers and limits, on SQLite and PostgreSQL.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use axum::http::StatusCode;
use support::TestApp;

both!(
    signed_out_pages_redirect_to_sign_in_and_back,
    |app: TestApp| async move {
        let r = app.send(app.get("/appointments?filter=past")).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
        assert_eq!(
            r.location(),
            Some("/login?next=/appointments%3Ffilter%3Dpast")
        );
        let r = app.send(app.get("/staff/requests")).await;
        assert_eq!(r.location(), Some("/staff/login?next=/staff/requests"));
        // Public pages stay public.
        assert_eq!(app.send(app.get("/login")).await.status, StatusCode::OK);
        assert_eq!(
            app.send(app.get("/staff/login")).await.status,
            StatusCode::OK
        );
    }
);

both!(
    a_patient_cannot_open_staff_pages,
    |app: TestApp| async move {
        let cookie = app.patient().await;
        let r = app.send(app.get("/staff").cookie(&cookie)).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
        assert_eq!(r.location(), Some("/staff/login?next=/staff"));
        let page = app.send(app.get("/staff/login?next=/staff")).await;
        assert!(page
            .body
            .contains("Please sign in with your staff account to continue."));
    }
);

both!(staff_cannot_open_patient_pages, |app: TestApp| async move {
    let cookie = app.admin().await;
    let r = app.send(app.get("/").cookie(&cookie)).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(r.location(), Some("/login?next=/"));
});

both!(
    tampered_cookies_are_ignored_and_cleared,
    |app: TestApp| async move {
        let real = app.patient().await;
        let mut forged = real.clone();
        let last = forged.pop().unwrap();
        forged.push(if last == '0' { '1' } else { '0' });
        for cookie in [
            forged.as_str(),
            "portico_session=not-a-token",
            "portico_session=",
        ] {
            let r = app.send(app.get("/").cookie(cookie)).await;
            assert_eq!(r.status, StatusCode::SEE_OTHER, "{cookie}");
            assert!(
                r.set_cookie_header().unwrap().contains("Max-Age=0"),
                "{cookie}"
            );
        }
        // The genuine session is untouched.
        assert_eq!(
            app.send(app.get("/").cookie(&real)).await.status,
            StatusCode::OK
        );
    }
);

both!(
    idle_sessions_expire_after_fifteen_minutes,
    |app: TestApp| async move {
        let cookie = app.patient().await;
        app.state.clock.advance(14 * 60);
        assert_eq!(
            app.send(app.get("/").cookie(&cookie)).await.status,
            StatusCode::OK
        );
        // That visit counted as activity: another 14 minutes is still fine.
        app.state.clock.advance(14 * 60);
        assert_eq!(
            app.send(app.get("/").cookie(&cookie)).await.status,
            StatusCode::OK
        );
        app.state.clock.advance(15 * 60);
        let r = app.send(app.get("/").cookie(&cookie)).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
        assert_eq!(r.location(), Some("/login?next=/&reason=expired"));
        assert_eq!(app.count("SELECT COUNT(*) FROM sessions").await, 0);
    }
);

both!(
    sessions_end_after_twelve_hours_whatever_the_activity,
    |app: TestApp| async move {
        let cookie = app.patient().await;
        for _ in 0..(12 * 60 / 10 - 1) {
            app.state.clock.advance(10 * 60);
            let r = app
                .send(app.post("/api/auth/keep_alive", "").cookie(&cookie))
                .await;
            assert_eq!(r.status, StatusCode::OK);
        }
        app.state.clock.advance(10 * 60);
        let r = app.send(app.get("/").cookie(&cookie)).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
    }
);

both!(
    keep_alive_needs_a_session_and_restarts_the_idle_clock,
    |app: TestApp| async move {
        let r = app.send(app.post("/api/auth/keep_alive", "")).await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED);
        let cookie = app.patient().await;
        app.state.clock.advance(14 * 60);
        let r = app
            .send(app.post("/api/auth/keep_alive", "").cookie(&cookie))
            .await;
        assert_eq!(r.status, StatusCode::OK);
        assert_eq!(r.body.trim(), "900");
    }
);

both!(
    current_user_is_none_when_signed_out_and_carries_no_secret,
    |app: TestApp| async move {
        let r = app.send(app.post("/api/auth/me", "")).await;
        assert_eq!(r.status, StatusCode::OK);
        assert_eq!(r.body.trim(), "null");
        let cookie = app.patient().await;
        let r = app.send(app.post("/api/auth/me", "").cookie(&cookie)).await;
        assert!(
            r.body.contains("\"display_name\":\"Emma Carter\""),
            "{}",
            r.body
        );
        assert!(r.body.contains("Lily Carter"), "{}", r.body);
        assert!(!r.body.contains("argon2"), "no password hash");
        assert!(!r.body.contains("id_hash"), "no session id");
    }
);

both!(
    record_switcher_only_switches_to_linked_records,
    |app: TestApp| async move {
        let anonymous = app
            .send(app.post("/api/records/select", "record_id=1"))
            .await;
        assert_eq!(anonymous.status, StatusCode::UNAUTHORIZED);

        let cookie = app.patient().await;
        let lily: i64 =
            sqlx::query_scalar("SELECT id FROM patient_charts WHERE given_name = 'Lily'")
                .fetch_one(app.db.read())
                .await
                .unwrap();
        let r = app
            .send(
                app.post("/api/records/select", &format!("record_id={lily}"))
                    .cookie(&cookie),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        let me = app.send(app.post("/api/auth/me", "").cookie(&cookie)).await;
        assert!(
            me.body.contains(&format!("\"selected_record_id\":{lily}")),
            "{}",
            me.body
        );

        // A chart of another patient: not found, nothing changes, and it is audited.
        let stranger: i64 = sqlx::query_scalar(
        "INSERT INTO patient_charts (practice_id, given_name, family_name, date_of_birth, created_at) \
         VALUES (1, 'Sam', 'Stranger', '1990-01-01', 0) RETURNING id",
    )
    .fetch_one(app.db.write())
    .await
    .unwrap();
        let r = app
            .send(
                app.post("/api/records/select", &format!("record_id={stranger}"))
                    .cookie(&cookie),
            )
            .await;
        assert_eq!(r.status, StatusCode::NOT_FOUND);
        let me = app.send(app.post("/api/auth/me", "").cookie(&cookie)).await;
        assert!(me.body.contains(&format!("\"selected_record_id\":{lily}")));
        assert_eq!(
            app.count("SELECT COUNT(*) FROM audit_log WHERE action = 'record.switch_denied'")
                .await,
            1
        );

        // Staff have no records to switch.
        let staff = app.admin().await;
        let r = app
            .send(
                app.post("/api/records/select", &format!("record_id={lily}"))
                    .cookie(&staff),
            )
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
    }
);

both!(cross_site_posts_are_rejected, |app: TestApp| async move {
    let body = "username=demo&password=Portico-demo1";
    let cases: [(&[(&str, &str)], &str); 4] = [
        (
            &[
                ("sec-fetch-site", "cross-site"),
                ("origin", "https://evil.example"),
            ],
            "cross-site",
        ),
        (&[("sec-fetch-site", "same-site")], "same-site"),
        (&[("origin", "https://evil.example")], "foreign origin"),
        (&[], "no origin at all"),
    ];
    for (headers, label) in cases {
        let mut call = support::Call::post_raw("/api/auth/login", body);
        for (k, v) in headers {
            call = call.header(k, v);
        }
        let r = app.send(call).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{label}");
        assert!(r.body.contains("blocked"), "{label}");
    }
    assert_eq!(app.count("SELECT COUNT(*) FROM sessions").await, 0);
    // An Origin naming this site is enough for browsers that send no Sec-Fetch-Site.
    let ok = app
        .send(support::Call::post_raw("/api/auth/login", body).header("origin", support::ORIGIN))
        .await;
    assert_eq!(ok.status, StatusCode::OK);
});

both!(oversized_bodies_are_refused, |app: TestApp| async move {
    let audited = app.count("SELECT COUNT(*) FROM audit_log").await;
    let huge = format!("username=demo&password={}", "A".repeat(200 * 1024));
    let r = app.send(app.post("/api/auth/login", &huge)).await;
    assert_eq!(r.status, StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(app.count("SELECT COUNT(*) FROM audit_log").await, audited);
});

both!(security_headers_on_every_page, |app: TestApp| async move {
    let a = app.send(app.get("/login")).await;
    let b = app.send(app.get("/login")).await;
    let csp = a.headers["content-security-policy"].to_str().unwrap();
    assert!(csp.contains("frame-ancestors 'none'"));
    assert!(csp.contains("script-src 'self' 'nonce-"));
    assert_ne!(
        csp,
        b.headers["content-security-policy"].to_str().unwrap(),
        "a nonce per response"
    );
    let nonce = csp
        .split("'nonce-")
        .nth(1)
        .unwrap()
        .split('\'')
        .next()
        .unwrap();
    assert!(
        a.body.contains(&format!("nonce=\"{nonce}\"")),
        "scripts carry the nonce"
    );
    assert_eq!(a.headers["x-content-type-options"], "nosniff");
    assert!(a.headers.contains_key("referrer-policy"));
    assert!(a.headers.contains_key("x-request-id"));
    assert!(
        !a.headers.contains_key("strict-transport-security"),
        "no HSTS in development"
    );
});

#[tokio::test]
async fn production_sets_hsts_and_secure_cookies() {
    let app = TestApp::with_config(app::ssr::db::Backend::Sqlite, |c| {
        c.environment = app::ssr::config::Environment::Production;
        c.base_url = "https://portal.example.org".into();
    })
    .await
    .unwrap();
    let r = app
        .send(
            support::Call::post_raw("/api/auth/login", "username=demo&password=Portico-demo1")
                .header("origin", "https://portal.example.org"),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let cookie = r.set_cookie_header().unwrap();
    assert!(cookie.starts_with("__Host-portico_session="), "{cookie}");
    assert!(cookie.contains("; Secure"), "{cookie}");
    assert!(r.headers["strict-transport-security"]
        .to_str()
        .unwrap()
        .contains("max-age="));
}

both!(health_and_readiness, |app: TestApp| async move {
    assert_eq!(app.send(app.get("/healthz")).await.status, StatusCode::OK);
    assert_eq!(app.send(app.get("/readyz")).await.status, StatusCode::OK);
    app.db.close().await;
    assert_eq!(app.send(app.get("/healthz")).await.status, StatusCode::OK);
    assert_eq!(
        app.send(app.get("/readyz")).await.status,
        StatusCode::SERVICE_UNAVAILABLE
    );
});

both!(
    internal_errors_show_a_reference_not_the_cause,
    |app: TestApp| async move {
        sqlx::query("DROP TABLE auth_throttle")
            .execute(app.db.write())
            .await
            .unwrap();
        let r = app
            .send(app.post("/api/auth/login", "username=demo&password=Portico-demo1"))
            .await;
        assert_eq!(r.status, StatusCode::INTERNAL_SERVER_ERROR);
        assert!(
            r.body.starts_with("{\"Internal\":\""),
            "only an opaque id: {}",
            r.body
        );
        assert!(!r.body.contains("auth_throttle"), "{}", r.body);
        // Without JavaScript the sign-in page shows the reference and nothing else.
        let r = app
            .send(
                app.post("/api/auth/login", "username=demo&password=Portico-demo1")
                    .without_javascript("http://127.0.0.1:3000/login"),
            )
            .await;
        let back = r
            .location()
            .unwrap()
            .trim_start_matches("http://127.0.0.1:3000")
            .to_string();
        let page = app.send(app.get(&back)).await;
        assert!(
            page.body.contains("quote reference"),
            "{back} {}",
            page.body.split("<form").nth(1).unwrap_or_default()
        );
        assert!(!page.body.contains("auth_throttle"));
        assert!(!page.body.to_lowercase().contains("no such table"));
    }
);

both!(
    unknown_pages_are_a_friendly_404_when_signed_in,
    |app: TestApp| async move {
        let cookie = app.patient().await;
        let r = app.send(app.get("/no-such-page").cookie(&cookie)).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND);
        assert!(r.body.contains("We could not find that page"));
    }
);

both!(
    sessions_are_shared_by_every_instance,
    |app: TestApp| async move {
        // A second, independent server on the same database, as behind a load balancer.
        let other_state = app::ssr::state::AppState {
            db: app::ssr::db::Db::connect(&app.state.config.database_url)
                .await
                .unwrap(),
            ..app.state.clone()
        };
        let other = server::router::router(other_state);
        let cookie = app.patient().await;
        let req = axum::http::Request::get("/")
            .header("cookie", &cookie)
            .body(axum::body::Body::empty())
            .unwrap();
        let res = tower::ServiceExt::oneshot(other.clone(), req)
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::OK);
        // Signing out on the first instance ends it on the second.
        app.send(app.post("/api/auth/logout", "").cookie(&cookie))
            .await;
        let req = axum::http::Request::get("/")
            .header("cookie", &cookie)
            .body(axum::body::Body::empty())
            .unwrap();
        let res = tower::ServiceExt::oneshot(other, req).await.unwrap();
        assert_eq!(res.status(), StatusCode::SEE_OTHER);
    }
);
