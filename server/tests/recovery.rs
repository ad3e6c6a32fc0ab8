//! Forgotten passwords and usernames, and the limits on security codes, through the real
//! router on both databases.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::time::{Duration, Instant};

use axum::http::StatusCode;
use support::TestApp;

use app::ssr::demo;

const EMMA_EMAIL: &str = "emma.carter@example.com";
const EMMA_PHONE: &str = "+12125550101";

/// Ask for a reset link for `demo`; returns its token.
async fn reset_link(app: &TestApp) -> String {
    let r = app
        .send(app.post("/api/recovery/password", "username=demo"))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    app.link_token(EMMA_EMAIL, "/reset-password/").await
}

async fn reset_state(app: &TestApp, token: &str, step: Option<&str>) -> serde_json::Value {
    let mut call = app.post("/api/recovery/state", &format!("token={token}"));
    if let Some(c) = step {
        call = call.cookie(c);
    }
    let r = app.send(call).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    r.json()
}

async fn prove_by_question(app: &TestApp, token: &str) -> String {
    let r = app
        .send(app.post(
            "/api/recovery/answer",
            &format!("token={token}&date_of_birth=19860412&answer=+biscuit+"),
        ))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    r.cookie_named("portico_step").expect("a step cookie")
}

both!(
    forgot_password_by_security_question,
    |app: TestApp| async move {
        let other_device = app.patient().await;
        let token = reset_link(&app).await;
        let (subject, _) = app.last_message_to(EMMA_EMAIL).await.unwrap();
        assert!(subject.contains("Reset"), "{subject}");
        let v = reset_state(&app, &token, None).await;
        assert_eq!(v["Verify"]["question"].as_str(), Some(demo::DEMO_QUESTION));

        let r = app
            .send(app.post(
                "/api/recovery/answer",
                &format!("token={token}&date_of_birth=19860413&answer=Biscuit"),
            ))
            .await;
        assert!(r.body.contains("date of birth is incorrect"), "{}", r.body);
        let r = app
            .send(app.post(
                "/api/recovery/answer",
                &format!("token={token}&date_of_birth=19860412&answer=Rex"),
            ))
            .await;
        assert!(
            r.body.contains("security question is incorrect"),
            "{}",
            r.body
        );
        let r = app
            .send(app.post(
                "/api/recovery/answer",
                &format!("token={token}&date_of_birth=04/12/1986&answer=Biscuit"),
            ))
            .await;
        assert!(r.body.contains("YYYYMMDD"), "{}", r.body);

        let step = prove_by_question(&app, &token).await;
        assert_eq!(
            reset_state(&app, &token, Some(&step)).await.as_str(),
            Some("NewPassword")
        );
        let set = |password: &str| {
            app.post(
                "/api/recovery/new_password",
                &format!("token={token}&password={password}"),
            )
            .cookie(&step)
        };
        let r = app.send(set("short")).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        let r = app.send(set("New-Harbor-77")).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        // Other sessions ended; an email says so; the old password is gone; the link is spent.
        assert_eq!(
            app.send(app.get("/").cookie(&other_device)).await.status,
            StatusCode::SEE_OTHER
        );
        let (subject, body) = app.last_message_to(EMMA_EMAIL).await.unwrap();
        assert!(subject.contains("password was changed"), "{subject}");
        assert!(!body.contains("New-Harbor-77"));
        let r = app
            .send(app.post("/api/auth/login", "username=demo&password=Portico-demo1"))
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        app.sign_in(false, "demo", "New-Harbor-77").await;
        let r = app.send(set("Other-Harbor-88")).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND);
        assert!(
            r.body
                .contains("The reset token you have provided is not valid"),
            "{}",
            r.body
        );
        assert!(reset_state(&app, &token, None).await.as_str() == Some("Invalid"));
    }
);

both!(forgot_password_by_phone_code, |app: TestApp| async move {
    let token = reset_link(&app).await;
    let r = app
        .send(app.post(
            "/api/recovery/send_code",
            &format!("token={token}&phone=2125550999&channel=voice"),
        ))
        .await;
    assert!(
        r.body.contains("Phone number does not match records"),
        "{}",
        r.body
    );
    let r = app
        .send(app.post(
            "/api/recovery/send_code",
            &format!("token={token}&phone=212.555.0101&channel=sms"),
        ))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let code = app.texted_code(EMMA_PHONE).await;
    let r = app
        .send(app.post("/api/recovery/code", &format!("token={token}&code={code}")))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let step = r.cookie_named("portico_step").unwrap();
    let r = app
        .send(
            app.post(
                "/api/recovery/new_password",
                &format!("token={token}&password=New-Harbor-77"),
            )
            .cookie(&step),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
});

both!(
    twenty_parallel_uses_of_one_link_succeed_once,
    |app: TestApp| async move {
        let token = reset_link(&app).await;
        let step = prove_by_question(&app, &token).await;
        let app = std::sync::Arc::new(app);
        let mut tasks = Vec::new();
        for i in 0..20 {
            let (app, token, step) = (app.clone(), token.clone(), step.clone());
            tasks.push(tokio::spawn(async move {
                app.send(
                    app.post(
                        "/api/recovery/new_password",
                        &format!("token={token}&password=Parallel-Pass-{i}"),
                    )
                    .cookie(&step),
                )
                .await
                .status
            }));
        }
        let mut ok = 0;
        for t in tasks {
            let status = t.await.unwrap();
            if status == StatusCode::OK {
                ok += 1;
            } else {
                assert_eq!(status, StatusCode::NOT_FOUND);
            }
        }
        assert_eq!(ok, 1);
        assert_eq!(
            app.count("SELECT COUNT(*) FROM audit_log WHERE action = 'recovery.password_changed'")
                .await,
            1
        );
    }
);

both!(
    fifty_parallel_wrong_codes_count_three,
    |app: TestApp| async move {
        let token = reset_link(&app).await;
        let r = app
            .send(app.post(
                "/api/recovery/send_code",
                &format!("token={token}&phone=2125550101&channel=sms"),
            ))
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        let code = app.texted_code(EMMA_PHONE).await;
        let wrong = if code == "000000" { "000001" } else { "000000" };
        let app = std::sync::Arc::new(app);
        let mut tasks = Vec::new();
        // From fifty addresses, so that only the code's own limit is at work.
        for i in 0..50u8 {
            let (app, token) = (app.clone(), token.clone());
            tasks.push(tokio::spawn(async move {
                app.send(
                    app.post("/api/recovery/code", &format!("token={token}&code={wrong}"))
                        .sent_from([10, 9, 0, i]),
                )
                .await
                .status
            }));
        }
        for t in tasks {
            assert_ne!(t.await.unwrap(), StatusCode::OK);
        }
        assert_eq!(
            app.count("SELECT MAX(wrong_guesses) FROM security_codes")
                .await,
            3
        );
        let r = app
            .send(
                app.post("/api/recovery/code", &format!("token={token}&code={code}"))
                    .sent_from([10, 9, 1, 1]),
            )
            .await;
        assert_eq!(
            r.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "the right code is refused too: {}",
            r.body
        );
        assert!(r.body.contains("3 incorrect tries"), "{}", r.body);
        assert!(r.cookie_named("portico_step").is_none());
    }
);

both!(expired_reset_links_are_refused, |app: TestApp| async move {
    let token = reset_link(&app).await;
    app.state.clock.advance(60 * 60 + 1);
    assert_eq!(
        reset_state(&app, &token, None).await.as_str(),
        Some("Invalid")
    );
    let r = app
        .send(app.post(
            "/api/recovery/answer",
            &format!("token={token}&date_of_birth=19860412&answer=Biscuit"),
        ))
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert!(r
        .body
        .contains("The reset token you have provided is not valid"));
});

both!(
    wrong_answers_lock_the_day_and_send_to_the_clinic,
    |app: TestApp| async move {
        let token = reset_link(&app).await;
        for _ in 0..10 {
            app.send(app.post(
                "/api/recovery/answer",
                &format!("token={token}&date_of_birth=19860412&answer=Nope"),
            ))
            .await;
        }
        let r = app
            .send(app.post(
                "/api/recovery/answer",
                &format!("token={token}&date_of_birth=19860412&answer=Biscuit"),
            ))
            .await;
        assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS, "{}", r.body);
        assert!(r.body.contains("contact your clinic"), "{}", r.body);
        assert_eq!(
            reset_state(&app, &token, None).await["Verify"]["locked"],
            true
        );
    }
);

both!(
    same_answer_for_known_and_unknown_accounts,
    |app: TestApp| async move {
        let known = app
            .send(app.post("/api/recovery/password", "username=demo"))
            .await;
        let unknown = app
            .send(app.post("/api/recovery/password", "username=nobody-here"))
            .await;
        assert_eq!(known.status, unknown.status);
        assert_eq!(known.body, unknown.body);
        let known = app
            .send(app.post("/api/recovery/username", &format!("email={EMMA_EMAIL}")))
            .await;
        let unknown = app
            .send(app.post("/api/recovery/username", "email=nobody%40example.com"))
            .await;
        assert_eq!(known.status, unknown.status);
        assert_eq!(known.body, unknown.body);
        let (subject, body) = app.last_message_to(EMMA_EMAIL).await.unwrap();
        assert!(subject.contains("username"), "{subject}");
        assert!(body.contains("  demo"), "{body}");
        assert!(app.last_message_to("nobody@example.com").await.is_none());
    }
);

both!(
    known_and_unknown_take_the_same_time,
    |app: TestApp| async move {
        // Interleaved, from different addresses so that no limit is reached.
        let mut known = Vec::new();
        let mut unknown = Vec::new();
        for i in 0..15u8 {
            let t = Instant::now();
            let r = app
                .send(
                    app.post("/api/recovery/password", "username=demo")
                        .sent_from([10, 1, 0, i]),
                )
                .await;
            known.push(t.elapsed());
            assert_eq!(r.status, StatusCode::OK);
            let t = Instant::now();
            let name = format!("username=nobody{i}");
            let r = app
                .send(
                    app.post("/api/recovery/password", &name)
                        .sent_from([10, 2, 0, i]),
                )
                .await;
            unknown.push(t.elapsed());
            assert_eq!(r.status, StatusCode::OK);
        }
        let median = |v: &mut Vec<Duration>| {
            v.sort();
            v[v.len() / 2]
        };
        let (k, u) = (median(&mut known), median(&mut unknown));
        let gap = k.abs_diff(u);
        assert!(
            gap < Duration::from_millis(10),
            "known {k:?} vs unknown {u:?}"
        );
    }
);

both!(recovery_requests_are_limited, |app: TestApp| async move {
    // Five reset emails a day per username; further requests answer the same but send none.
    for _ in 0..7 {
        let r = app
            .send(app.post("/api/recovery/password", "username=demo"))
            .await;
        assert_eq!(r.status, StatusCode::OK);
    }
    assert_eq!(
        app.count("SELECT COUNT(*) FROM outbox WHERE subject LIKE 'Reset%'")
            .await,
        5
    );
    // Twenty requests an hour per address.
    let mut limited = false;
    for _ in 0..20 {
        let r = app
            .send(app.post("/api/recovery/username", "email=x%40example.com"))
            .await;
        limited |= r.status == StatusCode::TOO_MANY_REQUESTS;
    }
    assert!(limited);
});

both!(
    account_settings_need_the_current_password,
    |app: TestApp| async move {
        let me = app.patient().await;
        let other = app.patient().await;
        let s = app.call(&me, "/api/account/settings", "").await.json();
        assert_eq!(s["username"], "demo");
        assert_eq!(s["other_sessions"], 1);
        let r = app
            .call(
                &me,
                "/api/account/password",
                "current_password=wrong&new_password=New-Harbor-77",
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(
            r.body.contains("current password is incorrect"),
            "{}",
            r.body
        );
        let r = app
            .call(
                &me,
                "/api/account/password",
                "current_password=Portico-demo1&new_password=New-Harbor-77",
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert_eq!(
            app.send(app.get("/").cookie(&other)).await.status,
            StatusCode::SEE_OTHER
        );
        assert_eq!(
            app.send(app.get("/").cookie(&me)).await.status,
            StatusCode::OK
        );

        // Email change, confirmed by a code sent to the new address.
        let r = app
            .call(&me, "/api/account/email", "email=emma%40example.org")
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        let (_, body) = app.last_message_to("emma@example.org").await.unwrap();
        let code: String = body
            .split(|c: char| !c.is_ascii_digit())
            .find(|w| w.len() == 6)
            .unwrap()
            .into();
        let r = app
            .call(
                &me,
                "/api/account/confirm",
                &format!("what=email&code={code}"),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert_eq!(
            app.call(&me, "/api/account/settings", "").await.json()["email"],
            "emma@example.org"
        );

        let r = app
            .call(
                &me,
                "/api/account/preferences",
                "notify_appointments=on&sms_opt_out=on",
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        let s = app.call(&me, "/api/account/settings", "").await.json();
        assert_eq!(
            (s["sms_opt_out"].as_bool(), s["notify_messages"].as_bool()),
            (Some(true), Some(false))
        );

        let r = app.call(&me, "/api/account/sign_out_everywhere", "").await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert_eq!(
            app.send(app.get("/").cookie(&me)).await.status,
            StatusCode::SEE_OTHER
        );
        // Staff and strangers have no account settings.
        let staff = app.admin().await;
        assert_eq!(
            app.call(&staff, "/api/account/settings", "").await.status,
            StatusCode::FORBIDDEN
        );
        assert_eq!(
            app.send(app.post("/api/account/settings", "")).await.status,
            StatusCode::UNAUTHORIZED
        );
    }
);
