//! Staff portal access and patient enrollment, through the real router, on both databases.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use axum::http::StatusCode;
use support::{Call, TestApp};

use app::ssr::demo;

const OLIVER_EMAIL: &str = demo::NEW_PATIENT_EMAIL;
const OLIVER_PHONE: &str = demo::NEW_PATIENT_PHONE;

async fn oliver(app: &TestApp) -> i64 {
    app.chart_id("Oliver", "America/New_York").await
}

async fn portal_status(app: &TestApp, chart: i64) -> String {
    sqlx::query_scalar::<_, String>("SELECT portal_status FROM patient_charts WHERE id = $1")
        .bind(chart)
        .fetch_one(app.db.read())
        .await
        .unwrap()
}

async fn act(app: &TestApp, cookie: &str, chart: i64, action: &str) -> support::Reply {
    app.call(
        cookie,
        "/api/staff/portal_access",
        &format!("id={chart}&action={action}"),
    )
    .await
}

/// Invite a chart as the admin; returns the link token and the PIN the panel shows.
async fn invite(app: &TestApp, chart: i64, email: &str) -> (String, String) {
    let admin = app.admin().await;
    let r = act(app, &admin, chart, "invite").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let token = app.link_token(email, "/enroll/").await;
    let panel = app
        .call(&admin, "/api/staff/patient", &format!("id={chart}"))
        .await;
    assert_eq!(panel.status, StatusCode::OK, "{}", panel.body);
    let pin = panel.json()["invitation"]["pin"]
        .as_str()
        .expect("the panel shows the PIN")
        .to_string();
    (token, pin)
}

async fn state(app: &TestApp, token: &str, step: Option<&str>) -> serde_json::Value {
    let mut call = app.post("/api/enroll/state", &format!("token={token}"));
    if let Some(c) = step {
        call = call.cookie(c);
    }
    let r = app.send(call).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    r.json()
}

/// Prove identity with PIN and date of birth; returns the step cookie.
async fn prove_with_pin(app: &TestApp, token: &str, pin: &str, dob: &str) -> String {
    let r = app
        .send(app.post(
            "/api/enroll/pin",
            &format!("token={token}&pin={pin}&date_of_birth={dob}"),
        ))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    r.cookie_named("portico_step").expect("a step cookie")
}

both!(
    staff_invite_then_enroll_with_pin,
    |app: TestApp| async move {
        let chart = oliver(&app).await;
        assert_eq!(portal_status(&app, chart).await, "not_invited");
        let (token, pin) = invite(&app, chart, OLIVER_EMAIL).await;
        assert_eq!(portal_status(&app, chart).await, "invited");
        assert_eq!(token.len(), 64, "256-bit link token");
        assert_eq!(pin.len(), 8);
        let (subject, body) = app.last_message_to(OLIVER_EMAIL).await.unwrap();
        assert!(subject.contains("invites you"), "{subject}");
        assert!(body.contains("Access your records"));
        assert!(!body.contains(&pin), "the PIN never travels with the link");
        // Stored only as a hash.
        assert_eq!(
            app.count(&format!(
                "SELECT COUNT(*) FROM portal_invitations WHERE token_hash = '{token}'"
            ))
            .await,
            0
        );

        assert!(state(&app, &token, None).await.get("Verify").is_some());
        let wrong_pin = if pin == "00000000" {
            "00000001"
        } else {
            "00000000"
        };
        let r = app
            .send(app.post(
                "/api/enroll/pin",
                &format!("token={token}&pin={wrong_pin}&date_of_birth=11/23/1979"),
            ))
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(
            r.body.contains("Invalid PIN or Security Code"),
            "{}",
            r.body
        );
        let r = app
            .send(app.post(
                "/api/enroll/pin",
                &format!("token={token}&pin={pin}&date_of_birth=11/24/1979"),
            ))
            .await;
        assert!(r.body.contains("date of birth is incorrect"), "{}", r.body);
        assert!(r.cookie_named("portico_step").is_none());

        let step = prove_with_pin(&app, &token, &pin, "11/23/1979").await;
        // The proof belongs to this browser: without the cookie the page still asks.
        assert!(state(&app, &token, None).await.get("Verify").is_some());
        let choose = state(&app, &token, Some(&step)).await;
        assert_eq!(
            choose["Choose"]["suggested_username"].as_str(),
            Some(OLIVER_EMAIL)
        );

        let create = |username: &str, password: &str| {
            format!(
            "token={token}&username={username}&password={password}&security_question=In+what+city+were+you+born%3F&security_answer=Boston"
        )
        };
        let r = app
            .send(
                app.post("/api/enroll/create", &create("demo", "Blue-Harbor-42"))
                    .cookie(&step),
            )
            .await;
        assert!(
            r.body.contains("Username has already been taken"),
            "{}",
            r.body
        );
        let r = app
            .send(
                app.post("/api/enroll/create", &create("oliver", "Password1"))
                    .cookie(&step),
            )
            .await;
        assert!(r.body.contains("too common"), "{}", r.body);
        let r = app
            .send(
                app.post("/api/enroll/create", &create("oliver", "Blue-Harbor-42"))
                    .cookie(&step),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        let session = r.session_cookie().expect("signed in");
        assert_eq!(portal_status(&app, chart).await, "active");
        let home = app.send(app.get("/").cookie(&session)).await;
        assert_eq!(home.status, StatusCode::OK);
        assert!(home.body.contains("Oliver Bennett"), "{}", home.body);

        // The link is spent.
        let dead = state(&app, &token, Some(&step)).await;
        assert!(dead["Dead"]["title"]
            .as_str()
            .unwrap()
            .contains("already been used"));
        // And the new account signs in normally.
        app.sign_in(false, "oliver", "Blue-Harbor-42").await;
        assert_eq!(
        app.count("SELECT COUNT(*) FROM audit_log WHERE action IN ('portal.invite', 'enroll.failed', 'enroll.verified', 'portal.enrolled')")
            .await,
        5
    );
    }
);

both!(enrollment_by_phone_code, |app: TestApp| async move {
    let chart = oliver(&app).await;
    let (token, _) = invite(&app, chart, OLIVER_EMAIL).await;
    let send = |phone: &str| format!("token={token}&phone={phone}&channel=sms");
    let r = app
        .send(app.post("/api/enroll/send_code", &send("212-555-0199")))
        .await;
    assert!(
        r.body.contains("Phone number does not match records"),
        "{}",
        r.body
    );
    assert!(app.last_message_to(OLIVER_PHONE).await.is_none());
    let r = app
        .send(app.post("/api/enroll/send_code", &send("(212)+555-0123")))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let code = app.texted_code(OLIVER_PHONE).await;
    assert_eq!(code.len(), 6);
    // Stored only as a keyed hash.
    assert_eq!(
        app.count(&format!(
            "SELECT COUNT(*) FROM security_codes WHERE code_hash LIKE '%{code}%'"
        ))
        .await,
        0
    );
    let v = state(&app, &token, None).await;
    assert!(v["Verify"]["code"]["resend_in_secs"].as_i64().unwrap() > 100);
    // Asking again before the countdown ends is refused.
    let r = app.send(app.post("/api/enroll/send_code", &send(""))).await;
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS, "{}", r.body);
    let r = app
        .send(app.post("/api/enroll/code", &format!("token={token}&code={code}")))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let step = r.cookie_named("portico_step").unwrap();
    assert!(state(&app, &token, Some(&step))
        .await
        .get("Choose")
        .is_some());
    // Single use.
    let r = app
        .send(app.post("/api/enroll/code", &format!("token={token}&code={code}")))
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
});

both!(
    enrollment_links_an_existing_account,
    |app: TestApp| async move {
        let chart = oliver(&app).await;
        let (token, pin) = invite(&app, chart, OLIVER_EMAIL).await;
        let step = prove_with_pin(&app, &token, &pin, "11/23/1979").await;
        let r = app
            .send(
                app.post(
                    "/api/enroll/link",
                    &format!("token={token}&username=demo&password=wrong-Password1"),
                )
                .cookie(&step),
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
        let r = app
            .send(
                app.post(
                    "/api/enroll/link",
                    &format!("token={token}&username=demo&password=Portico-demo1"),
                )
                .cookie(&step),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        let account: i64 = app
            .count("SELECT id FROM portal_accounts WHERE username = 'demo'")
            .await;
        assert_eq!(
        app.count(&format!(
            "SELECT COUNT(*) FROM account_charts WHERE account_id = {account} AND chart_id = {chart} AND relationship = 'self'"
        ))
        .await,
        1
    );
    }
);

both!(dead_links_say_what_happened, |app: TestApp| async move {
    let chart = oliver(&app).await;
    let (first, _) = invite(&app, chart, OLIVER_EMAIL).await;
    let admin = app.admin().await;
    assert_eq!(
        act(&app, &admin, chart, "resend").await.status,
        StatusCode::OK
    );
    let second = app.link_token(OLIVER_EMAIL, "/enroll/").await;
    assert_ne!(first, second);
    let old = state(&app, &first, None).await;
    assert!(old["Dead"]["title"]
        .as_str()
        .unwrap()
        .contains("newer invitation"));
    assert!(state(&app, &second, None).await.get("Verify").is_some());
    assert_eq!(
        act(&app, &admin, chart, "cancel").await.status,
        StatusCode::OK
    );
    assert_eq!(portal_status(&app, chart).await, "not_invited");
    let cancelled = state(&app, &second, None).await;
    assert!(cancelled["Dead"]["title"]
        .as_str()
        .unwrap()
        .contains("cancelled"));
    // Expired after 14 days.
    assert_eq!(
        act(&app, &admin, chart, "invite").await.status,
        StatusCode::OK
    );
    let third = app.link_token(OLIVER_EMAIL, "/enroll/").await;
    app.state.clock.advance(14 * 24 * 3600 + 1);
    let expired = state(&app, &third, None).await;
    assert!(expired["Dead"]["title"]
        .as_str()
        .unwrap()
        .contains("expired"));
    let unknown = state(&app, &"ab".repeat(32), None).await;
    assert!(unknown["Dead"]["title"]
        .as_str()
        .unwrap()
        .contains("not valid"));
    // The page itself answers 200 with the explanation, never a 404, and keeps its address
    // to itself.
    let page = app.send(app.get(&format!("/enroll/{third}"))).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(
        page.body.contains("This invitation has expired"),
        "{}",
        page.body
    );
    assert_eq!(page.headers["referrer-policy"], "no-referrer");
    let page = app.send(app.get(&format!("/reset-password/{third}"))).await;
    assert_eq!(page.status, StatusCode::OK);
    assert_eq!(page.headers["referrer-policy"], "no-referrer");
});

both!(
    revoke_ends_sessions_and_reenable_restores,
    |app: TestApp| async move {
        let patient = app.patient().await;
        let chart = app.chart_id("Emma", "America/New_York").await;
        let admin = app.admin().await;
        assert_eq!(portal_status(&app, chart).await, "active");
        let r = act(&app, &admin, chart, "revoke").await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert_eq!(portal_status(&app, chart).await, "revoked");
        let home = app.send(app.get("/").cookie(&patient)).await;
        assert_eq!(
            home.status,
            StatusCode::SEE_OTHER,
            "the session ended at once"
        );
        // Emma still has her Harbor record, so she can sign in, but not see Riverside's.
        let again = app.patient().await;
        let me = app.call(&again, "/api/auth/me", "").await.json();
        assert!(!me.to_string().contains("Riverside"), "{me}");
        assert_eq!(
            act(&app, &admin, chart, "reenable").await.status,
            StatusCode::OK
        );
        let me = app.call(&again, "/api/auth/me", "").await.json();
        assert!(me.to_string().contains("Riverside"), "{me}");
    }
);

both!(
    reset_account_keeps_data_and_invites_again,
    |app: TestApp| async move {
        let patient = app.patient().await;
        let chart = app.chart_id("Emma", "America/New_York").await;
        let appointments_before = app
            .count(&format!(
                "SELECT COUNT(*) FROM appointments WHERE chart_id = {chart}"
            ))
            .await;
        let admin = app.admin().await;
        let r = act(&app, &admin, chart, "reset").await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert_eq!(portal_status(&app, chart).await, "invited");
        assert_eq!(
            app.send(app.get("/").cookie(&patient)).await.status,
            StatusCode::SEE_OTHER
        );
        assert_eq!(
            app.count(&format!(
                "SELECT COUNT(*) FROM appointments WHERE chart_id = {chart}"
            ))
            .await,
            appointments_before
        );
        let token = app.link_token("emma.carter@example.com", "/enroll/").await;
        let panel = app
            .call(&admin, "/api/staff/patient", &format!("id={chart}"))
            .await
            .json();
        let pin = panel["invitation"]["pin"].as_str().unwrap().to_string();
        let step = prove_with_pin(&app, &token, &pin, "04/12/1986").await;
        // The old username stays taken: a new one must be chosen.
        let r = app
        .send(app.post("/api/enroll/create", &format!("token={token}&username=demo&password=Blue-Harbor-42&security_question=In+what+city+were+you+born%3F&security_answer=Boston")).cookie(&step))
        .await;
        assert!(
            r.body.contains("Username has already been taken"),
            "{}",
            r.body
        );
    }
);

both!(what_staff_may_not_do, |app: TestApp| async move {
    let chart = oliver(&app).await;
    // Nobody signed in.
    let r = app
        .send(app.post(
            "/api/staff/portal_access",
            &format!("id={chart}&action=invite"),
        ))
        .await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    // A patient.
    let patient = app.patient().await;
    assert_eq!(
        act(&app, &patient, chart, "invite").await.status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        app.call(&patient, "/api/staff/patients", "q=").await.status,
        StatusCode::FORBIDDEN
    );
    // Another practice's admin: not found.
    let harbor = app.harbor().await;
    assert_eq!(
        act(&app, &harbor, chart, "invite").await.status,
        StatusCode::NOT_FOUND
    );
    let found = app
        .call(&harbor, "/api/staff/patients", "q=Oliver")
        .await
        .json();
    assert_eq!(found.as_array().unwrap().len(), 0);
    // Front desk once the admin takes away the right to invite.
    let admin = app.admin().await;
    let admin_id = app
        .count("SELECT id FROM staff_accounts WHERE username = 'admin'")
        .await;
    let r = app
        .call(
            &admin,
            "/api/staff/set_inviters",
            &format!("allowed[0]={admin_id}"),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let desk = app.front_desk().await;
    assert_eq!(
        act(&app, &desk, chart, "invite").await.status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(portal_status(&app, chart).await, "not_invited");
    // Only admins set who may invite.
    assert_eq!(
        app.call(&desk, "/api/staff/set_inviters", "").await.status,
        StatusCode::FORBIDDEN
    );
    // An action the status does not allow.
    assert_eq!(
        act(&app, &admin, chart, "revoke").await.status,
        StatusCode::CONFLICT
    );
    assert_eq!(
        act(&app, &admin, chart, "explode").await.status,
        StatusCode::BAD_REQUEST
    );
    assert!(
        app.count("SELECT COUNT(*) FROM audit_log WHERE action = 'portal.denied'")
            .await
            >= 1
    );
});

both!(staff_search_and_contact_edits, |app: TestApp| async move {
    let admin = app.admin().await;
    for q in [
        "oliver",
        "Bennett",
        "11/23/1979",
        "oliver.bennett@example",
        "212-555-0123",
    ] {
        let found = app
            .call(&admin, "/api/staff/patients", &format!("q={q}"))
            .await
            .json();
        let names: Vec<&str> = found
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["name"].as_str().unwrap())
            .collect();
        assert_eq!(names, ["Bennett, Oliver"], "search {q}");
    }
    let chart = oliver(&app).await;
    let r = app
        .call(
            &admin,
            "/api/staff/patient_contact",
            &format!("id={chart}&email=nope&phone=12"),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let r = app
        .call(
            &admin,
            "/api/staff/patient_contact",
            &format!("id={chart}&email=o.b%40example.org&phone=%2B1+212+555+0124"),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    // Representatives: link the demo account to Oliver's chart.
    let r = app
        .call(
            &admin,
            "/api/staff/patient_representative",
            &format!("id={chart}&username=nobody"),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let r = app
        .call(
            &admin,
            "/api/staff/patient_representative",
            &format!("id={chart}&username=demo"),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let patient = app.patient().await;
    let me = app.call(&patient, "/api/auth/me", "").await.json();
    assert!(me.to_string().contains("Oliver Bennett"), "{me}");
});

both!(
    plain_forms_work_without_javascript,
    |app: TestApp| async move {
        let chart = oliver(&app).await;
        let admin = app.admin().await;
        let r = app
            .send(
                app.post(
                    "/api/staff/portal_access",
                    &format!("id={chart}&action=invite"),
                )
                .cookie(&admin)
                .without_javascript(&format!("http://127.0.0.1:3000/staff/patients/{chart}")),
            )
            .await;
        assert_eq!(r.status, StatusCode::FOUND, "{}", r.body);
        assert_eq!(
            r.location(),
            Some(format!("/staff/patients/{chart}?done=invite").as_str())
        );
        let token = app.link_token(OLIVER_EMAIL, "/enroll/").await;
        let page = app
            .send(app.get(&format!("/staff/patients/{chart}")).cookie(&admin))
            .await;
        assert!(page.body.contains("Access code (PIN)"), "{}", page.body);
        let enroll = app.send(app.get(&format!("/enroll/{token}"))).await;
        assert!(
            enroll.body.contains("Use the PIN from your clinic"),
            "{}",
            enroll.body
        );
        // The page sends no Referer (no-referrer), so the server itself sends the form back.
        let r = app
            .send(
                Call::post_raw(
                    "/api/enroll/pin",
                    &format!("token={token}&pin=1&date_of_birth=x"),
                )
                .header("sec-fetch-site", "same-origin")
                .accept("text/html,application/xhtml+xml"),
            )
            .await;
        assert_eq!(r.status, StatusCode::FOUND, "{}", r.body);
        let back = r.location().unwrap().to_string();
        assert!(
            back.starts_with(&format!(
                "/enroll/{token}?__path=%2Fapi%2Fenroll%2Fpin&__err="
            )),
            "{back}"
        );
        let page = app.send(app.get(&back)).await;
        assert!(
            page.body.contains("Enter your date of birth as MM/DD/YYYY"),
            "{}",
            page.body
        );
    }
);

both!(
    identity_attempts_are_limited_per_address,
    |app: TestApp| async move {
        let chart = oliver(&app).await;
        let (token, _) = invite(&app, chart, OLIVER_EMAIL).await;
        let mut statuses = Vec::new();
        for _ in 0..110 {
            let r = app
                .send(app.post("/api/enroll/code", &format!("token={token}&code=123456")))
                .await;
            statuses.push(r.status);
        }
        // No code was ever sent, so every try fails; the address is slowed after 50 failures
        // and stopped after 100 tries in an hour.
        assert!(statuses[..50]
            .iter()
            .all(|s| *s == StatusCode::UNPROCESSABLE_ENTITY));
        assert_eq!(statuses[109], StatusCode::TOO_MANY_REQUESTS);
        // Another address is not affected.
        let r = app
            .send(
                app.post("/api/enroll/code", &format!("token={token}&code=123456"))
                    .sent_from([10, 7, 7, 7]),
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    }
);
