//! Sign-in and sign-out through the real router, on SQLite and PostgreSQL.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::time::Instant;

use axum::http::StatusCode;
use support::TestApp;

both!(patient_signs_in_and_sees_home, |app: TestApp| async move {
    let reply = app
        .send(app.post("/api/auth/login", "username=Demo&password=Portico-demo1"))
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    let set_cookie = reply.set_cookie_header().unwrap();
    assert!(set_cookie.contains("HttpOnly"), "{set_cookie}");
    assert!(set_cookie.contains("SameSite=Lax"), "{set_cookie}");
    assert!(
        !set_cookie.contains("Secure"),
        "development cookies are not Secure"
    );
    let cookie = reply.session_cookie().unwrap();

    let home = app.send(app.get("/").cookie(&cookie)).await;
    assert_eq!(home.status, StatusCode::OK);
    assert!(home.body.contains("Welcome, "), "{}", home.body);
    assert!(home.body.contains("Emma Carter"));
    assert_eq!(home.headers["cache-control"], "no-store");
    assert_eq!(
        app.count("SELECT COUNT(*) FROM audit_log WHERE action = 'sign_in'")
            .await,
        1
    );
});

both!(
    staff_signs_in_and_sees_overview,
    |app: TestApp| async move {
        let cookie = app.admin().await;
        let page = app.send(app.get("/staff").cookie(&cookie)).await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(page.body.contains("Priya Shah"));
        assert!(page.body.contains("Riverside Family Medicine"));
    }
);

both!(accounts_are_separate_per_side, |app: TestApp| async move {
    // A patient's credentials do not open the staff side, and vice versa.
    let r = app
        .send(app.post(
            "/api/auth/staff_login",
            "username=demo&password=Portico-demo1",
        ))
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let r = app
        .send(app.post("/api/auth/login", "username=admin&password=Portico-admin1"))
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(app.count("SELECT COUNT(*) FROM sessions").await, 0);
});

both!(
    wrong_password_and_unknown_user_look_the_same,
    |app: TestApp| async move {
        let wrong = app
            .send(app.post("/api/auth/login", "username=demo&password=Wrong-pass1"))
            .await;
        let unknown = app
            .send(app.post("/api/auth/login", "username=nobody&password=Wrong-pass1"))
            .await;
        assert_eq!(wrong.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(wrong.status, unknown.status);
        assert_eq!(wrong.body, unknown.body);
        assert!(
            wrong.body.contains("Username or password is incorrect"),
            "{}",
            wrong.body
        );
        assert!(wrong.session_cookie().is_none());
        assert_eq!(app.count("SELECT COUNT(*) FROM sessions").await, 0);
        assert_eq!(
            app.count("SELECT COUNT(*) FROM audit_log WHERE action = 'sign_in.failed'")
                .await,
            2
        );
    }
);

both!(
    unknown_user_costs_as_much_as_a_wrong_password,
    |app: TestApp| async move {
        // Alternate the two kinds of attempt so that both see the same load from tests running
        // alongside. Five wrong passwords per account stay within the per-account allowance.
        let mut wrong = Vec::new();
        let mut unknown = Vec::new();
        for i in 0..10 {
            let (path, known) = if i % 2 == 0 {
                ("/api/auth/login", "demo")
            } else {
                ("/api/auth/staff_login", "admin")
            };
            for (username, times) in [
                (known.to_string(), &mut wrong),
                (format!("ghost{i}"), &mut unknown),
            ] {
                let t = Instant::now();
                let r = app
                    .send(app.post(path, &format!("username={username}&password=Wrong-{i}")))
                    .await;
                assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
                times.push(t.elapsed().as_secs_f64() * 1000.0);
            }
        }
        let median = |v: &mut Vec<f64>| {
            v.sort_by(|a, b| a.partial_cmp(b).unwrap());
            v[v.len() / 2]
        };
        let (w, u) = (median(&mut wrong), median(&mut unknown));
        // Without the dummy hash an unknown name answers about twenty times faster.
        assert!(
            (0.33..3.0).contains(&(u / w)),
            "unknown {u:.1} ms vs wrong {w:.1} ms"
        );
    }
);

both!(
    empty_fields_get_inline_messages,
    |app: TestApp| async move {
        let r = app
            .send(app.post("/api/auth/login", "username=&password="))
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.body.contains("Enter your username."), "{}", r.body);
        assert!(r.body.contains("Enter your password."), "{}", r.body);
    }
);

both!(
    repeated_failures_slow_down_the_account,
    |app: TestApp| async move {
        for i in 0..5 {
            let r = app
                .send(app.post(
                    "/api/auth/login",
                    &format!("username=demo&password=Wrong-{i}"),
                ))
                .await;
            assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        }
        // Now even the right password must wait, with a clear message.
        let r = app
            .send(app.post("/api/auth/login", "username=demo&password=Portico-demo1"))
            .await;
        assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS, "{}", r.body);
        assert!(
            r.body.contains("Too many unsuccessful sign-in attempts"),
            "{}",
            r.body
        );
        assert!(r.session_cookie().is_none());
        // The same answer for a name that has no account, so throttling reveals nothing.
        for i in 0..5 {
            app.send(app.post(
                "/api/auth/login",
                &format!("username=ghost&password=Wrong-{i}"),
            ))
            .await;
        }
        let ghost = app
            .send(app.post("/api/auth/login", "username=ghost&password=Wrong-9"))
            .await;
        assert_eq!(ghost.status, StatusCode::TOO_MANY_REQUESTS);
        // It is a slow-down, not a lock-out.
        app.state.clock.advance(31);
        app.patient().await;
    }
);

both!(
    repeated_failures_slow_down_the_address,
    |app: TestApp| async move {
        let ip = [10, 9, 8, 7];
        for i in 0..50 {
            let r = app
                .send(
                    app.post(
                        "/api/auth/login",
                        &format!("username=user{i}&password=Wrong-1"),
                    )
                    .sent_from(ip),
                )
                .await;
            assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        }
        let blocked = app
            .send(
                app.post("/api/auth/login", "username=demo&password=Portico-demo1")
                    .sent_from(ip),
            )
            .await;
        assert_eq!(blocked.status, StatusCode::TOO_MANY_REQUESTS);
        // Another address is unaffected.
        let other = app
            .send(
                app.post("/api/auth/login", "username=demo&password=Portico-demo1")
                    .sent_from([10, 9, 8, 6]),
            )
            .await;
        assert_eq!(other.status, StatusCode::OK);
    }
);

both!(
    plain_form_sign_in_redirects_to_a_safe_next,
    |app: TestApp| async move {
        let r = app
            .send(
                app.post(
                    "/api/auth/login",
                    "username=demo&password=Portico-demo1&next=%2Fappointments",
                )
                .without_javascript("http://127.0.0.1:3000/login?next=%2Fappointments"),
            )
            .await;
        assert_eq!(r.status, StatusCode::FOUND);
        assert_eq!(r.location(), Some("/appointments"));
        assert!(r.session_cookie().is_some());

        let r = app
            .send(
                app.post(
                    "/api/auth/login",
                    "username=demo&password=Portico-demo1&next=https%3A%2F%2Fevil.example",
                )
                .without_javascript("http://127.0.0.1:3000/login"),
            )
            .await;
        assert_eq!(r.location(), Some("/"), "no open redirect");
    }
);

both!(
    plain_form_errors_return_to_the_form,
    |app: TestApp| async move {
        let r = app
            .send(
                app.post("/api/auth/login", "username=demo&password=nope&next=")
                    .without_javascript("http://127.0.0.1:3000/login"),
            )
            .await;
        assert_eq!(r.status, StatusCode::FOUND);
        let back = r.location().unwrap();
        assert!(back.starts_with("http://127.0.0.1:3000/login?"), "{back}");
        assert!(back.contains("__err="), "{back}");
        // The sign-in page renders the error from that address.
        let path = back.trim_start_matches("http://127.0.0.1:3000");
        let page = app.send(app.get(path)).await;
        let shown = page
            .body
            .split("Username or password is incorrect")
            .next()
            .unwrap_or_default();
        assert!(
            page.body.contains("Username or password is incorrect"),
            "{}",
            &shown[shown.len().saturating_sub(300)..]
        );
    }
);

both!(
    a_new_session_id_at_every_sign_in,
    |app: TestApp| async move {
        let first = app.patient().await;
        let r = app
            .send(
                app.post("/api/auth/login", "username=demo&password=Portico-demo1")
                    .cookie(&first),
            )
            .await;
        let second = r.session_cookie().unwrap();
        assert_ne!(first, second);
        let old = app.send(app.get("/").cookie(&first)).await;
        assert_eq!(old.status, StatusCode::SEE_OTHER, "the old id is dead");
        assert_eq!(app.count("SELECT COUNT(*) FROM sessions").await, 1);
    }
);

both!(sign_out_ends_the_session, |app: TestApp| async move {
    let cookie = app.patient().await;
    let r = app
        .send(app.post("/api/auth/logout", "").cookie(&cookie))
        .await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.set_cookie_header().unwrap().contains("Max-Age=0"));
    assert_eq!(app.count("SELECT COUNT(*) FROM sessions").await, 0);
    let after = app.send(app.get("/").cookie(&cookie)).await;
    assert_eq!(after.status, StatusCode::SEE_OTHER);
    assert_eq!(
        app.count("SELECT COUNT(*) FROM audit_log WHERE action = 'sign_out'")
            .await,
        1
    );
});

both!(
    plain_form_sign_out_goes_to_the_right_sign_in_page,
    |app: TestApp| async move {
        let cookie = app.admin().await;
        let r = app
            .send(
                app.post("/api/auth/logout", "")
                    .cookie(&cookie)
                    .without_javascript("http://127.0.0.1:3000/staff"),
            )
            .await;
        assert_eq!(r.status, StatusCode::FOUND);
        assert_eq!(r.location(), Some("/staff/login?signed_out=1"));
    }
);

both!(
    sign_out_without_a_session_changes_nothing,
    |app: TestApp| async move {
        let cookie = app.patient().await;
        let r = app.send(app.post("/api/auth/logout", "")).await;
        assert_eq!(r.status, StatusCode::OK);
        assert_eq!(
            app.count("SELECT COUNT(*) FROM audit_log WHERE action = 'sign_out'")
                .await,
            0
        );
        // Someone else's session is untouched.
        assert_eq!(app.count("SELECT COUNT(*) FROM sessions").await, 1);
        assert_eq!(
            app.send(app.get("/").cookie(&cookie)).await.status,
            StatusCode::OK
        );
    }
);
