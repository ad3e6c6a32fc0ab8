//! Two-factor sign-in for staff: no session from a password alone, codes accepted once and
//! counted against the throttle when wrong, recovery codes, the set-up every admin (and, if the
//! practice says so, everyone) must finish, an admin's reset, and every refusal.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use app::ssr::{
    demo,
    two_factor::{seal, totp, STEP_COOKIE},
};
use axum::http::StatusCode;
use support::{Reply, TestApp};

async fn password(app: &TestApp, username: &str, password: &str) -> Reply {
    app.send(app.post(
        "/api/auth/staff_login",
        &format!("username={username}&password={password}"),
    ))
    .await
}

/// The demo admin's password: the step cookie, and what the step is.
async fn admin_password(app: &TestApp) -> (String, serde_json::Value) {
    let r = password(app, demo::ADMIN_USERNAME, demo::ADMIN_PASSWORD).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(
        r.session_cookie().is_none(),
        "a password alone made a session"
    );
    (r.cookie_named(STEP_COOKIE).unwrap(), r.json())
}

async fn code(app: &TestApp, step: &str, code: &str) -> Reply {
    app.send(
        app.post("/api/auth/staff_code", &format!("code={code}"))
            .cookie(step),
    )
    .await
}

async fn staff_id(app: &TestApp, username: &str) -> i64 {
    sqlx::query_scalar("SELECT id FROM staff_accounts WHERE username = $1")
        .bind(username)
        .fetch_one(app.db.read())
        .await
        .unwrap()
}

fn demo_secret() -> Vec<u8> {
    totp::from_base32(demo::DEMO_TOTP_SECRET).unwrap()
}

both!(
    the_password_alone_opens_no_staff_page,
    |app: TestApp| async move {
        let (step, kind) = admin_password(&app).await;
        assert_eq!(kind, "Code");
        // The step cookie is not a session.
        let r = app.call(&step, "/api/staff/team", "").await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{}", r.body);
        let wrong = code(&app, &step, "000000").await;
        assert_eq!(
            wrong.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{}",
            wrong.body
        );
        assert!(
            wrong.body.contains("That code is not right"),
            "{}",
            wrong.body
        );
        assert!(wrong.session_cookie().is_none());
        let good = app.next_code("admin", &demo_secret()).await;
        let r = code(&app, &step, &good).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert_eq!(r.json(), "/staff");
        let session = r.session_cookie().unwrap();
        assert_eq!(
            app.call(&session, "/api/staff/team", "").await.status,
            StatusCode::OK
        );
        // The step is spent, and the same code does not sign in a second time.
        assert_eq!(
            code(&app, &step, &good).await.status,
            StatusCode::UNPROCESSABLE_ENTITY
        );
        let (again, _) = admin_password(&app).await;
        let reused = code(&app, &again, &good).await;
        assert_eq!(reused.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(reused.body.contains("already used"), "{}", reused.body);
        // Nor does the previous step's code (accepted as drift, but older than the last one).
        let before = totp::code_at(&demo_secret(), app.state.clock.now() - 30);
        if before != good {
            assert_eq!(
                code(&app, &again, &before).await.status,
                StatusCode::UNPROCESSABLE_ENTITY
            );
        }
        assert_eq!(
            app.count("SELECT COUNT(*) FROM audit_log WHERE action = 'sign_in.code_failed'")
                .await,
            3
        );
        assert_eq!(
            app.count("SELECT COUNT(*) FROM audit_log WHERE action = 'sign_in' AND detail = 'authenticator code'")
                .await,
            1
        );
    }
);

both!(
    wrong_codes_count_against_the_throttle,
    |app: TestApp| async move {
        let (step, _) = admin_password(&app).await;
        for _ in 0..4 {
            assert_eq!(
                code(&app, &step, "123456").await.status,
                StatusCode::UNPROCESSABLE_ENTITY
            );
        }
        let fifth = code(&app, &step, "123456").await;
        assert_eq!(fifth.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(
            fifth.body.contains("Too many wrong codes"),
            "{}",
            fifth.body
        );
        // The step is over: even the right code needs the password again.
        let good = app.next_code("admin", &demo_secret()).await;
        assert_eq!(
            code(&app, &step, &good).await.status,
            StatusCode::UNPROCESSABLE_ENTITY
        );
        // And the password now waits, like after five wrong passwords.
        let r = password(&app, demo::ADMIN_USERNAME, demo::ADMIN_PASSWORD).await;
        assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS, "{}", r.body);
        app.state.clock.advance(31);
        let (step, _) = admin_password(&app).await;
        let good = app.next_code("admin", &demo_secret()).await;
        assert_eq!(code(&app, &step, &good).await.status, StatusCode::OK);
    }
);

both!(a_recovery_code_signs_in_once, |app: TestApp| async move {
    let (step, _) = admin_password(&app).await;
    let r = code(&app, &step, &demo::DEMO_RECOVERY_CODES[0].to_uppercase()).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let session = r.session_cookie().unwrap();
    let status = app.call(&session, "/api/staff/own_two_factor", "").await;
    assert_eq!(status.status, StatusCode::OK);
    let status = status.json();
    assert_eq!(status["on"], true);
    assert_eq!(status["required"], true);
    assert_eq!(
        status["recovery_codes_left"],
        demo::DEMO_RECOVERY_CODES.len() as i64 - 1
    );
    let (step, _) = admin_password(&app).await;
    let r = code(&app, &step, demo::DEMO_RECOVERY_CODES[0]).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    // Another account's recovery codes are not this one's.
    let r = code(&app, &step, "zzzzz-zzzzz").await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
});

both!(
    a_new_admin_sets_it_up_before_any_staff_page,
    |app: TestApp| async move {
        let admin = app.admin().await;
        let marcus = staff_id(&app, "frontdesk").await;
        let r = app
            .call(
                &admin,
                "/api/staff/team/role",
                &format!("id={marcus}&role=admin&provider="),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        let r = password(&app, demo::FRONT_DESK_USERNAME, demo::FRONT_DESK_PASSWORD).await;
        assert_eq!(r.json(), "SetUp");
        assert!(r.session_cookie().is_none());
        let step = r.cookie_named(STEP_COOKIE).unwrap();
        // No code step without a set-up, and no set-up without the password step.
        assert_eq!(
            code(&app, &step, "123456").await.status,
            StatusCode::UNPROCESSABLE_ENTITY
        );
        assert_eq!(
            app.send(app.post("/api/auth/two_factor_setup", ""))
                .await
                .status,
            StatusCode::UNPROCESSABLE_ENTITY
        );
        let setup = app
            .send(app.post("/api/auth/two_factor_setup", "").cookie(&step))
            .await;
        assert_eq!(setup.status, StatusCode::OK, "{}", setup.body);
        let setup = setup.json();
        assert!(setup["qr_svg"].as_str().unwrap().starts_with("<svg"));
        let codes = setup["recovery_codes"].as_array().unwrap();
        assert_eq!(codes.len(), 10);
        let shown = setup["secret"].as_str().unwrap().replace(' ', "");
        let secret = totp::from_base32(&shown).unwrap();
        assert_eq!(secret.len(), 20);
        // Stored sealed: neither the secret nor its base32 is in the database.
        let (sealed, hashes): (String, i64) = sqlx::query_as(
            "SELECT totp_secret, (SELECT COUNT(*) FROM staff_recovery_codes WHERE staff_id = $1) \
             FROM staff_accounts WHERE id = $1",
        )
        .bind(marcus)
        .fetch_one(app.db.read())
        .await
        .unwrap();
        assert!(!sealed.contains(&shown));
        assert_eq!(hashes, 10);
        assert_eq!(
            seal::open(&app.state.config.secret_key, marcus, &sealed).unwrap(),
            secret
        );
        assert!(seal::open(b"another key entirely", marcus, &sealed).is_none());
        assert!(seal::open(&app.state.config.secret_key, marcus + 1, &sealed).is_none());
        let wrong = app
            .send(
                app.post("/api/auth/two_factor_confirm", "code=000000")
                    .cookie(&step),
            )
            .await;
        assert_eq!(wrong.status, StatusCode::UNPROCESSABLE_ENTITY);
        let good = app.next_code("frontdesk", &secret).await;
        let r = app
            .send(
                app.post("/api/auth/two_factor_confirm", &format!("code={good}"))
                    .cookie(&step),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        let session = r.session_cookie().unwrap();
        assert_eq!(
            app.call(&session, "/api/staff/team", "").await.status,
            StatusCode::OK
        );
        // From now on the code step, with one of the codes shown at set-up.
        let r = password(&app, demo::FRONT_DESK_USERNAME, demo::FRONT_DESK_PASSWORD).await;
        assert_eq!(r.json(), "Code");
        let step = r.cookie_named(STEP_COOKIE).unwrap();
        let r = code(&app, &step, codes[3].as_str().unwrap()).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert_eq!(
            app.count("SELECT COUNT(*) FROM audit_log WHERE action = 'settings.two_factor_on'")
                .await,
            1
        );
    }
);

both!(
    a_practice_may_require_it_of_everyone,
    |app: TestApp| async move {
        let admin = app.admin().await;
        let desk = app.front_desk().await;
        // Not required of the front desk yet: the password is enough.
        assert_eq!(
            app.call(&desk, "/api/staff/own_two_factor", "")
                .await
                .json()["required"],
            false
        );
        let r = app
            .call(&admin, "/api/staff/team/two_factor", "required=true")
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert_eq!(
            app.call(&admin, "/api/staff/team", "").await.json()["two_factor_required"],
            true
        );
        // Those without it are signed out at once; the admin who chose it is not.
        assert_eq!(
            app.call(&desk, "/api/staff/own_two_factor", "")
                .await
                .status,
            StatusCode::UNAUTHORIZED
        );
        assert_eq!(
            app.call(&admin, "/api/staff/team", "").await.status,
            StatusCode::OK
        );
        let r = password(&app, demo::FRONT_DESK_USERNAME, demo::FRONT_DESK_PASSWORD).await;
        assert_eq!(r.json(), "SetUp");
        // Riverside's choice, not Harbor's.
        assert_eq!(
            app.count("SELECT COUNT(*) FROM practices WHERE staff_two_factor = TRUE")
                .await,
            1
        );
        let r = app
            .call(&admin, "/api/staff/team/two_factor", "required=false")
            .await;
        assert_eq!(r.status, StatusCode::OK);
        let r = password(&app, demo::FRONT_DESK_USERNAME, demo::FRONT_DESK_PASSWORD).await;
        assert_eq!(r.json(), "Done");
        assert!(r.session_cookie().is_some());
        assert_eq!(
            app.count("SELECT COUNT(*) FROM audit_log WHERE action = 'settings.two_factor'")
                .await,
            2
        );
    }
);

both!(an_admin_resets_a_lost_phone, |app: TestApp| async move {
    let admin = app.admin().await;
    let marcus = staff_id(&app, "frontdesk").await;
    let me = staff_id(&app, "admin").await;
    app.call(
        &admin,
        "/api/staff/team/role",
        &format!("id={marcus}&role=admin&provider="),
    )
    .await;
    // Marcus, now an admin, sets it up (the test helper does as the page asks).
    let marcus_session = app.front_desk().await;
    let team = app.call(&admin, "/api/staff/team", "").await.json();
    let row = team["members"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["id"] == marcus)
        .unwrap()
        .clone();
    assert_eq!(row["two_factor"], true);
    let r = app
        .call(
            &admin,
            "/api/staff/team/reset_two_factor",
            &format!("id={me}"),
        )
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.body);
    let r = app
        .call(
            &admin,
            "/api/staff/team/reset_two_factor",
            &format!("id={marcus}"),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(
        app.call(&marcus_session, "/api/staff/team", "")
            .await
            .status,
        StatusCode::UNAUTHORIZED
    );
    let r = password(&app, demo::FRONT_DESK_USERNAME, demo::FRONT_DESK_PASSWORD).await;
    assert_eq!(r.json(), "SetUp");
    assert_eq!(
        app.count("SELECT COUNT(*) FROM staff_recovery_codes s JOIN staff_accounts a ON a.id = s.staff_id WHERE a.username = 'frontdesk'")
            .await,
        0
    );
    assert_eq!(
        app.count("SELECT COUNT(*) FROM audit_log WHERE action = 'staff.two_factor_reset'")
            .await,
        1
    );
});

both!(only_admins_reset_or_require_it, |app: TestApp| async move {
    let admin_id = staff_id(&app, "admin").await;
    let calls = [
        ("/api/staff/team/reset_two_factor", format!("id={admin_id}")),
        ("/api/staff/team/two_factor", "required=true".to_string()),
    ];
    let desk = app.front_desk().await;
    let patient = app.patient().await;
    for (path, body) in &calls {
        for (who, expected) in [
            (&desk, StatusCode::FORBIDDEN),
            (&patient, StatusCode::FORBIDDEN),
            (&String::new(), StatusCode::UNAUTHORIZED),
        ] {
            assert_eq!(app.call(who, path, body).await.status, expected, "{path}");
        }
    }
    // Another practice's admin cannot reach Riverside's staff.
    let harbor = app.harbor().await;
    assert_eq!(
        app.call(&harbor, calls[0].0, &calls[0].1).await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        app.call(&patient, "/api/staff/own_two_factor", "")
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        app.count("SELECT COUNT(*) FROM staff_accounts WHERE totp_confirmed_at IS NULL AND username = 'admin'")
            .await,
        0
    );
});

both!(without_javascript_too, |app: TestApp| async move {
    let r = app
        .send(
            app.post(
                "/api/auth/staff_login",
                &format!(
                    "username={}&password={}&next=%2Fstaff%2Frequests",
                    demo::ADMIN_USERNAME,
                    demo::ADMIN_PASSWORD
                ),
            )
            .without_javascript("http://127.0.0.1:3000/staff/login"),
        )
        .await;
    assert!(r.status.is_redirection(), "{} {}", r.status, r.body);
    assert_eq!(r.location(), Some("/staff/login/code"));
    let step = r.cookie_named(STEP_COOKIE).unwrap();
    let page = app.send(app.get("/staff/login/code").cookie(&step)).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("Enter your sign-in code"));
    let good = app.next_code("admin", &demo_secret()).await;
    let r = app
        .send(
            app.post("/api/auth/staff_code", &format!("code={good}"))
                .cookie(&step)
                .without_javascript("http://127.0.0.1:3000/staff/login/code"),
        )
        .await;
    assert!(r.status.is_redirection(), "{} {}", r.status, r.body);
    assert_eq!(r.location(), Some("/staff/requests"));
    assert!(r.session_cookie().is_some());
});
