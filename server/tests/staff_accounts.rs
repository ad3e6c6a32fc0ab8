//! Staff accounts: adding a colleague who chooses a password through the emailed link,
//! roles, deactivation (sessions end at once), password resets, the last admin, a member's
//! own password and sign-ins, and every refusal.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use axum::http::StatusCode;
use support::TestApp;

const NEW_EMAIL: &str = "nina.brooks@riverside.example";
const NEW_PASSWORD: &str = "Quiet-harbor7";

fn form(pairs: &[(&str, &str)]) -> String {
    pairs
        .iter()
        .map(|(k, v)| format!("{k}={}", app::url::encode(v)))
        .collect::<Vec<_>>()
        .join("&")
}

async fn staff_id(app: &TestApp, username: &str) -> i64 {
    sqlx::query_scalar("SELECT id FROM staff_accounts WHERE username = $1")
        .bind(username)
        .fetch_one(app.db.read())
        .await
        .unwrap()
}

/// The admin adds Nina at the front desk; returns her id.
async fn add_nina(app: &TestApp, admin: &str) -> i64 {
    let r = app
        .call(
            admin,
            "/api/staff/team/add",
            &form(&[
                ("name", "Nina Brooks"),
                ("email", NEW_EMAIL),
                ("role", "front_desk"),
                ("provider", ""),
            ]),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    r.json().as_i64().unwrap()
}

async fn set_password(app: &TestApp, token: &str, password: &str) -> support::Reply {
    app.send(app.post(
        "/api/staff/set_password",
        &form(&[("token", token), ("password", password)]),
    ))
    .await
}

async fn try_sign_in(app: &TestApp, username: &str, password: &str) -> StatusCode {
    app.send(app.post(
        "/api/auth/staff_login",
        &form(&[("username", username), ("password", password)]),
    ))
    .await
    .status
}

both!(
    an_added_member_chooses_a_password_and_signs_in,
    |app: TestApp| async move {
        let admin = app.admin().await;
        let id = add_nina(&app, &admin).await;
        let (subject, body) = app.last_message_to(NEW_EMAIL).await.unwrap();
        assert!(subject.contains("Riverside"), "{subject}");
        assert!(body.contains("username nina.brooks@riverside.example"));
        let token = app.link_token(NEW_EMAIL, "/staff/set-password/").await;
        assert_eq!(token.len(), 64);
        // No password yet: nothing signs in.
        assert_eq!(
            try_sign_in(&app, NEW_EMAIL, NEW_PASSWORD).await,
            StatusCode::UNPROCESSABLE_ENTITY
        );
        let state = app
            .send(app.post("/api/staff/password_link", &format!("token={token}")))
            .await;
        assert_eq!(state.status, StatusCode::OK);
        assert_eq!(state.json()["Valid"]["username"], NEW_EMAIL);
        let bogus = app
            .send(app.post(
                "/api/staff/password_link",
                &format!("token={}", "a".repeat(64)),
            ))
            .await;
        assert_eq!(bogus.json(), "Invalid");

        // The password rules of patients.
        let weak = set_password(&app, &token, "password1").await;
        assert_eq!(weak.status, StatusCode::UNPROCESSABLE_ENTITY);
        let ok = set_password(&app, &token, NEW_PASSWORD).await;
        assert_eq!(ok.status, StatusCode::OK, "{}", ok.body);
        // Single use.
        let again = set_password(&app, &token, "Another-pass9").await;
        assert_eq!(again.status, StatusCode::NOT_FOUND);

        let nina = app.sign_in(true, NEW_EMAIL, NEW_PASSWORD).await;
        let me = app.call(&nina, "/api/auth/me", "").await.json();
        assert_eq!(me["display_name"], "Nina Brooks");
        assert_eq!(me["role"], "FrontDesk");
        // Listed, with her first sign-in.
        let list = app.call(&admin, "/api/staff/team", "").await.json();
        let row = list["members"]
            .as_array()
            .unwrap()
            .iter()
            .find(|m| m["id"] == id)
            .unwrap()
            .clone();
        assert_eq!(row["invited"], false);
        assert_ne!(row["last_sign_in"], "");
        for action in ["staff.add", "staff.password_set"] {
            assert_eq!(
                app.count(&format!(
                    "SELECT COUNT(*) FROM audit_log WHERE action = '{action}'"
                ))
                .await,
                1,
                "{action}"
            );
        }
        // The same email twice is refused.
        let r = app
            .call(
                &admin,
                "/api/staff/team/add",
                &form(&[("name", "Nina"), ("email", NEW_EMAIL), ("role", "admin")]),
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    }
);

both!(
    deactivation_signs_out_at_once_and_reactivation_restores,
    |app: TestApp| async move {
        let admin = app.admin().await;
        let desk = app.front_desk().await;
        let marcus = staff_id(&app, "frontdesk").await;
        assert_eq!(
            app.call(&desk, "/api/staff/overview", "").await.status,
            StatusCode::OK
        );
        let r = app
            .call(
                &admin,
                "/api/staff/team/active",
                &format!("id={marcus}&active=false"),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert_eq!(
            app.call(&desk, "/api/staff/overview", "").await.status,
            StatusCode::UNAUTHORIZED
        );
        assert_eq!(
            app.count(&format!(
                "SELECT COUNT(*) FROM sessions WHERE staff_account_id = {marcus}"
            ))
            .await,
            0
        );
        assert_eq!(
            try_sign_in(&app, "frontdesk", app::ssr::demo::FRONT_DESK_PASSWORD).await,
            StatusCode::UNPROCESSABLE_ENTITY
        );
        // Nothing they did is lost.
        assert!(
            app.count(&format!(
                "SELECT COUNT(*) FROM audit_log WHERE actor_kind = 'staff' AND actor_id = {marcus}"
            ))
            .await
                > 0
        );
        let r = app
            .call(
                &admin,
                "/api/staff/team/active",
                &format!("id={marcus}&active=true"),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK);
        assert_eq!(
            try_sign_in(&app, "frontdesk", app::ssr::demo::FRONT_DESK_PASSWORD).await,
            StatusCode::OK
        );
    }
);

both!(the_last_admin_stays_an_admin, |app: TestApp| async move {
    let admin = app.admin().await;
    let me = staff_id(&app, "admin").await;
    let r = app
        .call(
            &admin,
            "/api/staff/team/role",
            &format!("id={me}&role=front_desk&provider="),
        )
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.body);
    assert!(r.body.contains("at least one active admin"));
    let r = app
        .call(
            &admin,
            "/api/staff/team/active",
            &format!("id={me}&active=false"),
        )
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    // With a second admin, the first may step down.
    let marcus = staff_id(&app, "frontdesk").await;
    let r = app
        .call(
            &admin,
            "/api/staff/team/role",
            &format!("id={marcus}&role=admin&provider="),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let r = app
        .call(
            &admin,
            "/api/staff/team/role",
            &format!("id={me}&role=front_desk&provider="),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    // A provider account needs a provider of this practice.
    let r = app
        .call(
            &admin,
            "/api/staff/team/role",
            &format!("id={marcus}&role=provider&provider="),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "no longer an admin");
    let desk_admin = app.front_desk().await;
    let r = app
        .call(
            &desk_admin,
            "/api/staff/team/role",
            &format!("id={me}&role=provider&provider="),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let harbor_provider = app.provider_id("Dr. Sofia Alvarez").await;
    let r = app
        .call(
            &desk_admin,
            "/api/staff/team/role",
            &format!("id={me}&role=provider&provider={harbor_provider}"),
        )
        .await;
    assert_eq!(
        r.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "another practice's provider"
    );
});

both!(a_reset_ends_the_old_password, |app: TestApp| async move {
    let admin = app.admin().await;
    let id = add_nina(&app, &admin).await;
    let token = app.link_token(NEW_EMAIL, "/staff/set-password/").await;
    assert_eq!(
        set_password(&app, &token, NEW_PASSWORD).await.status,
        StatusCode::OK
    );
    let nina = app.sign_in(true, NEW_EMAIL, NEW_PASSWORD).await;
    let r = app
        .call(
            &admin,
            "/api/staff/team/reset_password",
            &format!("id={id}"),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(
        app.call(&nina, "/api/staff/overview", "").await.status,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        try_sign_in(&app, NEW_EMAIL, NEW_PASSWORD).await,
        StatusCode::UNPROCESSABLE_ENTITY
    );
    let fresh = app.link_token(NEW_EMAIL, "/staff/set-password/").await;
    assert_ne!(fresh, token);
    assert_eq!(
        set_password(&app, &fresh, "Brand-new-pass4").await.status,
        StatusCode::OK
    );
    assert_eq!(
        try_sign_in(&app, NEW_EMAIL, "Brand-new-pass4").await,
        StatusCode::OK
    );
});

both!(
    members_change_their_own_password_and_see_their_sign_ins,
    |app: TestApp| async move {
        let password = app::ssr::demo::FRONT_DESK_PASSWORD;
        assert_eq!(
            try_sign_in(&app, "frontdesk", "Wrong-guess1").await,
            StatusCode::UNPROCESSABLE_ENTITY
        );
        let other = app.front_desk().await;
        let desk = app.front_desk().await;
        let rows = app.call(&desk, "/api/staff/own_sign_ins", "").await.json();
        let what: Vec<&str> = rows
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["what"].as_str().unwrap())
            .collect();
        assert_eq!(what[0], "Signed in");
        assert!(what.contains(&"Sign-in failed"), "{what:?}");

        let wrong = app
            .call(
                &desk,
                "/api/staff/own_password",
                &form(&[("current", "nope"), ("password", NEW_PASSWORD)]),
            )
            .await;
        assert_eq!(wrong.status, StatusCode::UNPROCESSABLE_ENTITY);
        let weak = app
            .call(
                &desk,
                "/api/staff/own_password",
                &form(&[("current", password), ("password", "short")]),
            )
            .await;
        assert_eq!(weak.status, StatusCode::UNPROCESSABLE_ENTITY);
        let ok = app
            .call(
                &desk,
                "/api/staff/own_password",
                &form(&[("current", password), ("password", NEW_PASSWORD)]),
            )
            .await;
        assert_eq!(ok.status, StatusCode::OK, "{}", ok.body);
        // This session stays; the other one ended.
        assert_eq!(
            app.call(&desk, "/api/staff/overview", "").await.status,
            StatusCode::OK
        );
        assert_eq!(
            app.call(&other, "/api/staff/overview", "").await.status,
            StatusCode::UNAUTHORIZED
        );
        assert_eq!(
            try_sign_in(&app, "frontdesk", NEW_PASSWORD).await,
            StatusCode::OK
        );
        assert_eq!(
            try_sign_in(&app, "frontdesk", password).await,
            StatusCode::UNPROCESSABLE_ENTITY
        );
    }
);

both!(
    only_admins_of_the_practice_manage_staff,
    |app: TestApp| async move {
        let marcus = staff_id(&app, "frontdesk").await;
        let admin_id = staff_id(&app, "admin").await;
        let calls = [
            ("/api/staff/team", String::new()),
            (
                "/api/staff/team/add",
                form(&[("name", "X"), ("email", "x@example.com"), ("role", "admin")]),
            ),
            (
                "/api/staff/team/role",
                format!("id={admin_id}&role=front_desk&provider="),
            ),
            (
                "/api/staff/team/active",
                format!("id={admin_id}&active=false"),
            ),
            ("/api/staff/team/reset_password", format!("id={admin_id}")),
        ];
        let desk = app.front_desk().await;
        let patient = app.patient().await;
        for (path, body) in &calls {
            assert_eq!(
                app.call(&desk, path, body).await.status,
                StatusCode::FORBIDDEN,
                "{path}"
            );
            assert_eq!(
                app.call(&patient, path, body).await.status,
                StatusCode::FORBIDDEN,
                "{path}"
            );
            assert_eq!(
                app.call("", path, body).await.status,
                StatusCode::UNAUTHORIZED,
                "{path}"
            );
        }
        for (path, body) in [
            (
                "/api/staff/own_password",
                form(&[("current", "a"), ("password", "b")]),
            ),
            ("/api/staff/own_sign_ins", String::new()),
        ] {
            assert_eq!(
                app.call(&patient, path, &body).await.status,
                StatusCode::FORBIDDEN
            );
            assert_eq!(
                app.call("", path, &body).await.status,
                StatusCode::UNAUTHORIZED
            );
        }
        // Another practice's admin cannot touch Riverside's staff.
        let harbor = app.harbor().await;
        for (path, body) in &calls[2..] {
            let body = body.replace(&format!("id={admin_id}"), &format!("id={marcus}"));
            assert_eq!(
                app.call(&harbor, path, &body).await.status,
                StatusCode::NOT_FOUND,
                "{path}"
            );
        }
        assert!(
            app.count("SELECT COUNT(*) FROM audit_log WHERE action = 'staff.denied'")
                .await
                >= 5
        );
    }
);

both!(
    a_provider_account_sees_its_own_day,
    |app: TestApp| async move {
        let admin = app.admin().await;
        let patel = app.provider_id("Dr. Maya Patel").await;
        let r = app
            .call(
                &admin,
                "/api/staff/team/add",
                &form(&[
                    ("name", "Maya Patel"),
                    ("email", "maya.patel@riverside.example"),
                    ("role", "provider"),
                    ("provider", &patel.to_string()),
                ]),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        let token = app
            .link_token("maya.patel@riverside.example", "/staff/set-password/")
            .await;
        assert_eq!(
            set_password(&app, &token, NEW_PASSWORD).await.status,
            StatusCode::OK
        );
        let maya = app
            .sign_in(true, "maya.patel@riverside.example", NEW_PASSWORD)
            .await;
        let o = app.call(&maya, "/api/staff/overview", "").await.json();
        assert_eq!(o["today_of"], "Dr. Maya Patel");
        let a = app.call(&admin, "/api/staff/overview", "").await.json();
        assert_ne!(a["today_of"], "Dr. Maya Patel");
    }
);
