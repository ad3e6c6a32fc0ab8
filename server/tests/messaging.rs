//! Secure messaging, request by request, on SQLite and PostgreSQL: both sides of a
//! conversation, retries, limits, drafts, alerts, the live channel, and every refusal.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::time::Duration;

use axum::{body::Body, http::StatusCode};
use http_body_util::BodyExt;
use support::TestApp;

fn key(n: u32) -> String {
    format!("{n:032x}")
}

fn form(pairs: &[(&str, &str)]) -> String {
    pairs
        .iter()
        .map(|(k, v)| format!("{k}={}", app::url::encode(v)))
        .collect::<Vec<_>>()
        .join("&")
}

/// The demo patient, Riverside selected, starts a conversation; returns its id.
async fn start(app: &TestApp, cookie: &str, subject: &str, body: &str, k: u32) -> i64 {
    let r = app
        .call(
            cookie,
            "/api/messages/start",
            &form(&[
                ("topic", "billing"),
                ("subject", subject),
                ("body", body),
                ("key", &key(k)),
            ]),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    r.json().as_i64().unwrap()
}

async fn conversation(app: &TestApp, cookie: &str, path: &str, id: i64) -> serde_json::Value {
    let r = app.call(cookie, path, &format!("id={id}")).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    r.json()
}

fn bodies(v: &serde_json::Value) -> Vec<String> {
    v["messages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["body"].as_str().unwrap_or("—").to_string())
        .collect()
}

both!(
    a_patient_writes_and_the_practice_answers,
    |app: TestApp| async move {
        let patient = app.patient_at_riverside().await;
        let unread = || async {
            app.call(&patient, "/api/auth/me", "").await.json()["messages_count"]
                .as_i64()
                .unwrap()
        };
        let unread_before = unread().await;
        let id = start(
            &app,
            &patient,
            "Invoice from March",
            "Why was I billed twice?",
            1,
        )
        .await;

        let admin = app.admin().await;
        let inbox = app
            .call(&admin, "/api/staff/messages/inbox", "filter=needs_reply")
            .await;
        assert_eq!(inbox.status, StatusCode::OK, "{}", inbox.body);
        let row = inbox.json()["rows"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["id"] == id)
            .cloned()
            .expect("the new conversation needs a reply");
        assert_eq!(row["patient_name"], "Emma Carter");
        assert_eq!(row["unread"], 1);

        let v = conversation(&app, &admin, "/api/staff/messages/conversation", id).await;
        assert_eq!(bodies(&v), ["Why was I billed twice?"]);
        assert_eq!(v["patient_dob"], "1986-04-12");
        let r = app
            .call(
                &admin,
                "/api/staff/messages/reply",
                &form(&[
                    ("id", &id.to_string()),
                    ("body", "It was a duplicate; we refunded it."),
                    ("key", &key(2)),
                ]),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);

        // Answered: no longer waiting, and the staff member is named as the last to answer.
        let inbox = app
            .call(&admin, "/api/staff/messages/inbox", "filter=all&q=invoice")
            .await
            .json();
        assert_eq!(inbox["rows"].as_array().unwrap().len(), 1);
        assert_eq!(inbox["rows"][0]["needs_reply"], false);
        assert_eq!(inbox["rows"][0]["last_staff_name"], "Priya Shah");

        // The patient sees one unread message, by name, then reads it.
        assert_eq!(unread().await, unread_before + 1);
        let v = conversation(&app, &patient, "/api/messages/conversation", id).await;
        assert_eq!(
            bodies(&v),
            [
                "Why was I billed twice?",
                "It was a duplicate; we refunded it."
            ]
        );
        assert_eq!(
            v["messages"][1]["author"],
            "Priya Shah · Riverside Family Medicine"
        );
        assert_eq!(v["messages"][0]["mine"], true);
        assert_eq!(unread().await, unread_before);
        // Staff now see that it was read.
        let v = conversation(&app, &admin, "/api/staff/messages/conversation", id).await;
        assert_eq!(v["seen_note"], "Read by the patient");

        // Only what is newer than the last id held comes back to an open page.
        let since = app
            .call(
                &patient,
                "/api/live/conversation",
                &format!("id={id}&after={}", v["last_id"]),
            )
            .await
            .json();
        assert_eq!(since["messages"].as_array().unwrap().len(), 0);

        // Audited, without any message text.
        let actions = app
            .count("SELECT COUNT(*) FROM audit_log WHERE action IN ('message.start', 'message.send', 'message.view')")
            .await;
        assert!(actions >= 4, "{actions}");
        assert_eq!(
            app.count("SELECT COUNT(*) FROM audit_log WHERE detail LIKE '%billed%' OR detail LIKE '%refunded%' OR detail LIKE '%Invoice%'").await,
            0
        );
    }
);

both!(
    a_representative_writes_as_themselves,
    |app: TestApp| async move {
        // Harbor (Emma's and Lily's) is selected first; choose Lily's record.
        let patient = app.patient().await;
        let lily = app.chart_id("Lily", "America/Los_Angeles").await;
        app.call(
            &patient,
            "/api/records/select",
            &format!("record_id={lily}"),
        )
        .await;
        let f = app
            .call(&patient, "/api/messages/new_form", "")
            .await
            .json();
        assert_eq!(f["as_representative"], true);
        assert_eq!(f["patient_name"], "Lily Carter");
        let id = start(
            &app,
            &patient,
            "Allergy form",
            "Please send the allergy form.",
            3,
        )
        .await;
        let harbor = app.harbor().await;
        let v = conversation(&app, &harbor, "/api/staff/messages/conversation", id).await;
        assert_eq!(v["messages"][0]["author"], "Emma Carter (representative)");
        assert_eq!(v["patient_name"], "Lily Carter");
    }
);

both!(
    a_retried_send_creates_one_message,
    |app: TestApp| async move {
        let patient = app.patient_at_riverside().await;
        let a = start(&app, &patient, "Twice", "Sent twice", 7).await;
        let b = start(&app, &patient, "Twice", "Sent twice", 7).await;
        assert_eq!(a, b);
        let reply = form(&[("id", &a.to_string()), ("body", "Again"), ("key", &key(8))]);
        let first = app
            .call(&patient, "/api/messages/reply", &reply)
            .await
            .json();
        let second = app
            .call(&patient, "/api/messages/reply", &reply)
            .await
            .json();
        assert_eq!(first, second);
        assert_eq!(
            app.count(&format!(
                "SELECT COUNT(*) FROM messages WHERE conversation_id = {a}"
            ))
            .await,
            2
        );
        // A key that this server could not have made is refused.
        let r = app
            .call(
                &patient,
                "/api/messages/reply",
                &form(&[("id", &a.to_string()), ("body", "x"), ("key", "../../etc")]),
            )
            .await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST);
    }
);

both!(
    nobody_reads_or_writes_what_is_not_theirs,
    |app: TestApp| async move {
        let patient = app.patient_at_riverside().await;
        let mine = start(&app, &patient, "Mine", "My own message", 10).await;
        // A conversation about a record that is not linked to Emma's account.
        let admin = app.admin().await;
        let oliver = app.chart_id("Oliver", "America/New_York").await;
        let r = app
            .call(
                &admin,
                "/api/staff/messages/start",
                &form(&[
                    ("chart", &oliver.to_string()),
                    ("topic", "other"),
                    ("subject", "Hi Oliver"),
                    ("body", "Private"),
                    ("key", &key(11)),
                ]),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        let olivers = r.json().as_i64().unwrap();

        // Signed out: every function asks for a sign-in.
        for (path, body) in [
            ("/api/messages/home", String::new()),
            ("/api/messages/conversation", format!("id={mine}")),
            ("/api/live/conversation", format!("id={mine}&after=0")),
            (
                "/api/messages/reply",
                form(&[("id", &mine.to_string()), ("body", "x"), ("key", &key(12))]),
            ),
            ("/api/messages/draft", format!("conversation={mine}&body=x")),
            ("/api/staff/messages/inbox", "filter=all".into()),
            ("/api/staff/messages/conversation", format!("id={mine}")),
            (
                "/api/staff/messages/set_open",
                format!("id={mine}&open=false"),
            ),
            (
                "/api/staff/messages/save_settings",
                "response_time=soon".into(),
            ),
        ] {
            let r = app.send(app.post(path, &body)).await;
            assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{path}");
        }

        // Guessing another record's conversation: not found, and audited.
        for path in ["/api/messages/conversation", "/api/live/conversation"] {
            let r = app
                .call(&patient, path, &format!("id={olivers}&after=0"))
                .await;
            assert_eq!(r.status, StatusCode::NOT_FOUND, "{path}");
            assert!(!r.body.contains("Private"));
        }
        let r = app
            .call(
                &patient,
                "/api/messages/reply",
                &form(&[
                    ("id", &olivers.to_string()),
                    ("body", "x"),
                    ("key", &key(13)),
                ]),
            )
            .await;
        assert_eq!(r.status, StatusCode::NOT_FOUND);
        let r = app
            .call(
                &patient,
                "/api/messages/draft",
                &format!("conversation={olivers}&body=x"),
            )
            .await;
        assert_eq!(r.status, StatusCode::NOT_FOUND);
        assert!(app.count("SELECT COUNT(*) FROM audit_log WHERE action = 'message.denied' AND actor_kind = 'patient'").await >= 3);

        // Each side's functions refuse the other side.
        for (path, body) in [
            ("/api/staff/messages/inbox", "filter=all".to_string()),
            ("/api/live/staff_inbox", "filter=all".into()),
            ("/api/staff/messages/conversation", format!("id={mine}")),
            (
                "/api/staff/messages/reply",
                form(&[("id", &mine.to_string()), ("body", "x"), ("key", &key(14))]),
            ),
            (
                "/api/staff/messages/set_open",
                format!("id={mine}&open=false"),
            ),
            (
                "/api/staff/messages/withdraw",
                format!("id={mine}&message_id=1&reason=x"),
            ),
            ("/api/staff/messages/new_form", format!("chart={oliver}")),
            (
                "/api/staff/messages/start",
                form(&[
                    ("chart", &oliver.to_string()),
                    ("topic", "other"),
                    ("subject", "s"),
                    ("body", "b"),
                    ("key", &key(15)),
                ]),
            ),
            ("/api/staff/messages/settings", String::new()),
            (
                "/api/staff/messages/save_settings",
                "response_time=soon".into(),
            ),
        ] {
            let r = app.call(&patient, path, &body).await;
            assert_eq!(r.status, StatusCode::FORBIDDEN, "{path}");
        }
        for (path, body) in [
            ("/api/messages/home", String::new()),
            ("/api/live/messages_home", String::new()),
            ("/api/messages/new_form", String::new()),
            ("/api/messages/conversation", format!("id={mine}")),
            (
                "/api/messages/reply",
                form(&[("id", &mine.to_string()), ("body", "x"), ("key", &key(16))]),
            ),
            (
                "/api/messages/start",
                form(&[
                    ("topic", "other"),
                    ("subject", "s"),
                    ("body", "b"),
                    ("key", &key(17)),
                ]),
            ),
            ("/api/messages/draft", "conversation=0&body=x".into()),
        ] {
            let r = app.call(&admin, path, &body).await;
            assert_eq!(r.status, StatusCode::FORBIDDEN, "{path}");
        }

        // Another practice's staff find nothing.
        let harbor = app.harbor().await;
        for path in [
            "/api/staff/messages/conversation",
            "/api/live/staff_conversation",
        ] {
            let r = app.call(&harbor, path, &format!("id={mine}&after=0")).await;
            assert_eq!(r.status, StatusCode::NOT_FOUND, "{path}");
        }
        let r = app
            .call(
                &harbor,
                "/api/staff/messages/set_open",
                &format!("id={mine}&open=false"),
            )
            .await;
        assert_eq!(r.status, StatusCode::NOT_FOUND);
        let r = app
            .call(
                &harbor,
                "/api/staff/messages/new_form",
                &format!("chart={oliver}"),
            )
            .await;
        assert_eq!(r.status, StatusCode::NOT_FOUND);
        let r = app
            .call(
                &harbor,
                "/api/staff/messages/start",
                &form(&[
                    ("chart", &oliver.to_string()),
                    ("topic", "other"),
                    ("subject", "s"),
                    ("body", "b"),
                    ("key", &key(18)),
                ]),
            )
            .await;
        assert_eq!(r.status, StatusCode::NOT_FOUND);
        let r = app
            .call(
                &harbor,
                "/api/staff/messages/reply",
                &form(&[("id", &mine.to_string()), ("body", "x"), ("key", &key(19))]),
            )
            .await;
        assert_eq!(r.status, StatusCode::NOT_FOUND);
        let r = app
            .call(
                &harbor,
                "/api/staff/messages/withdraw",
                &format!("id={olivers}&message_id=1&reason=x"),
            )
            .await;
        assert_eq!(r.status, StatusCode::NOT_FOUND);
        assert_eq!(
            app.count(&format!(
                "SELECT COUNT(*) FROM conversations WHERE chart_id = {oliver}"
            ))
            .await,
            1,
            "nothing was started for another practice's patient"
        );
        let inbox = app
            .call(&harbor, "/api/staff/messages/inbox", "filter=all")
            .await
            .json();
        assert!(inbox["rows"]
            .as_array()
            .unwrap()
            .iter()
            .all(|r| r["id"] != mine));

        // Only admins change settings.
        let desk = app.front_desk().await;
        let r = app
            .call(
                &desk,
                "/api/staff/messages/save_settings",
                "response_time=soon",
            )
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
        // Only the author or an admin withdraws a staff message; nobody withdraws a patient's.
        let v = conversation(&app, &admin, "/api/staff/messages/conversation", olivers).await;
        let staff_msg = v["messages"][0]["id"].as_i64().unwrap();
        let r = app
            .call(
                &desk,
                "/api/staff/messages/withdraw",
                &format!("id={olivers}&message_id={staff_msg}&reason=wrong"),
            )
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
        let v = conversation(&app, &admin, "/api/staff/messages/conversation", mine).await;
        let patient_msg = v["messages"][0]["id"].as_i64().unwrap();
        let r = app
            .call(
                &admin,
                "/api/staff/messages/withdraw",
                &format!("id={mine}&message_id={patient_msg}&reason=wrong"),
            )
            .await;
        assert_eq!(r.status, StatusCode::CONFLICT);
        // A message id from another conversation is not found there.
        let r = app
            .call(
                &admin,
                "/api/staff/messages/withdraw",
                &format!("id={mine}&message_id={staff_msg}&reason=wrong"),
            )
            .await;
        assert_eq!(r.status, StatusCode::NOT_FOUND);
    }
);

both!(
    closing_reopening_and_entered_in_error,
    |app: TestApp| async move {
        let patient = app.patient_at_riverside().await;
        let admin = app.admin().await;
        let id = start(&app, &patient, "Closing", "Please close this", 20).await;
        let r = app
            .call(
                &admin,
                "/api/staff/messages/reply",
                &form(&[
                    ("id", &id.to_string()),
                    ("body", "Your result is normal"),
                    ("key", &key(21)),
                ]),
            )
            .await;
        let answer = r.json().as_i64().unwrap();
        let r = app
            .call(
                &admin,
                "/api/staff/messages/withdraw",
                &format!("id={id}&message_id={answer}&reason="),
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        let r = app
            .call(
                &admin,
                "/api/staff/messages/withdraw",
                &format!("id={id}&message_id={answer}&reason=Wrong+patient"),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        let r = app
            .call(
                &admin,
                "/api/staff/messages/withdraw",
                &format!("id={id}&message_id={answer}&reason=again"),
            )
            .await;
        assert_eq!(r.status, StatusCode::CONFLICT);
        // The patient sees that it was withdrawn, not what it said; staff see both and why.
        let v = conversation(&app, &patient, "/api/messages/conversation", id).await;
        assert!(v["messages"][1]["body"].is_null());
        assert!(v["messages"][1]["withdrawn"]
            .as_str()
            .unwrap()
            .starts_with("This message was withdrawn by the practice on "));
        let v = conversation(&app, &admin, "/api/staff/messages/conversation", id).await;
        assert_eq!(v["messages"][1]["body"], "Your result is normal");
        assert!(v["messages"][1]["withdrawn"]
            .as_str()
            .unwrap()
            .contains("Wrong patient"));
        // Nothing is ever edited or deleted, whatever the application does.
        for sql in ["UPDATE messages SET body = 'x'", "DELETE FROM messages"] {
            assert!(
                sqlx::query(sql).execute(app.db.write()).await.is_err(),
                "{sql}"
            );
        }

        let r = app
            .call(
                &admin,
                "/api/staff/messages/set_open",
                &format!("id={id}&open=false"),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        let v = conversation(&app, &patient, "/api/messages/conversation", id).await;
        assert_eq!(v["open"], false);
        assert_eq!(v["can_write"], false);
        assert!(v["closed_note"]
            .as_str()
            .unwrap()
            .starts_with("Closed by the practice on "));
        let r = app
            .call(
                &patient,
                "/api/messages/reply",
                &form(&[
                    ("id", &id.to_string()),
                    ("body", "One more thing"),
                    ("key", &key(22)),
                ]),
            )
            .await;
        assert_eq!(r.status, StatusCode::CONFLICT);
        assert!(r.body.contains("Start a new message"));
        // The patient starts a new one instead.
        start(&app, &patient, "Another thing", "One more thing", 23).await;
        let r = app
            .call(
                &admin,
                "/api/staff/messages/set_open",
                &format!("id={id}&open=true"),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK);
        let r = app
            .call(
                &patient,
                "/api/messages/reply",
                &form(&[
                    ("id", &id.to_string()),
                    ("body", "Thanks"),
                    ("key", &key(24)),
                ]),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        for action in ["message.close", "message.reopen", "message.withdraw"] {
            assert_eq!(
                app.count(&format!(
                    "SELECT COUNT(*) FROM audit_log WHERE action = '{action}'"
                ))
                .await,
                1,
                "{action}"
            );
        }
    }
);

both!(
    messaging_switched_off_keeps_the_history_readable,
    |app: TestApp| async move {
        let patient = app.patient_at_riverside().await;
        let admin = app.admin().await;
        let id = start(&app, &patient, "Before", "Written before", 30).await;
        let r = app
            .call(
                &admin,
                "/api/staff/messages/save_settings",
                "response_time=within+1+business+day&care_team=on",
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        let home = app.call(&patient, "/api/messages/home", "").await.json();
        assert_eq!(home["practice"]["enabled"], false);
        assert_eq!(home["practice"]["phone"], "+1 212 555 0140");
        assert!(!home["practice"]["address"].as_str().unwrap().is_empty());
        let v = conversation(&app, &patient, "/api/messages/conversation", id).await;
        assert_eq!(bodies(&v), ["Written before"]);
        assert_eq!(v["can_write"], false);
        let r = app
            .call(
                &patient,
                "/api/messages/start",
                &form(&[
                    ("topic", "other"),
                    ("subject", "After"),
                    ("body", "x"),
                    ("key", &key(31)),
                ]),
            )
            .await;
        assert_eq!(r.status, StatusCode::CONFLICT);
        assert!(r.body.contains("+1 212 555 0140"));
        let r = app
            .call(
                &patient,
                "/api/messages/reply",
                &form(&[("id", &id.to_string()), ("body", "x"), ("key", &key(32))]),
            )
            .await;
        assert_eq!(r.status, StatusCode::CONFLICT);

        // On again, staff shown as "Care team".
        app.call(
            &admin,
            "/api/staff/messages/save_settings",
            "enabled=on&response_time=within+1+business+day&care_team=on",
        )
        .await;
        app.call(
            &admin,
            "/api/staff/messages/reply",
            &form(&[
                ("id", &id.to_string()),
                ("body", "Hello"),
                ("key", &key(33)),
            ]),
        )
        .await;
        let v = conversation(&app, &patient, "/api/messages/conversation", id).await;
        assert_eq!(v["messages"][1]["author"], "Care team");
        let f = app
            .call(&patient, "/api/messages/new_form", "")
            .await
            .json();
        assert_eq!(f["practice"]["response_time"], "within 1 business day");
        assert_eq!(
            app.count("SELECT COUNT(*) FROM audit_log WHERE action = 'message.settings'")
                .await,
            2
        );
    }
);

both!(
    limits_say_so_and_keep_what_was_typed,
    |app: TestApp| async move {
        let patient = app.patient_at_riverside().await;
        for n in 0..5 {
            start(&app, &patient, &format!("Question {n}"), "Hello", 40 + n).await;
        }
        let r = app
            .call(
                &patient,
                "/api/messages/start",
                &form(&[
                    ("topic", "other"),
                    ("subject", "Sixth"),
                    ("body", "Kept text"),
                    ("key", &key(50)),
                ]),
            )
            .await;
        assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS);
        let f = app
            .call(&patient, "/api/messages/new_form", "")
            .await
            .json();
        assert_eq!(f["draft_body"], "Kept text");
        assert_eq!(f["draft_subject"], "Sixth");

        // Five messages were sent this minute; five more replies are allowed, then no more.
        let id = app.count("SELECT MAX(id) FROM conversations").await;
        for n in 0..5 {
            let r = app
                .call(
                    &patient,
                    "/api/messages/reply",
                    &form(&[
                        ("id", &id.to_string()),
                        ("body", "more"),
                        ("key", &key(60 + n)),
                    ]),
                )
                .await;
            assert_eq!(r.status, StatusCode::OK, "{n}: {}", r.body);
        }
        let r = app
            .call(
                &patient,
                "/api/messages/reply",
                &form(&[
                    ("id", &id.to_string()),
                    ("body", "too fast"),
                    ("key", &key(70)),
                ]),
            )
            .await;
        assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS);
        assert!(r.body.contains("your message is still here"));
        let v = conversation(&app, &patient, "/api/messages/conversation", id).await;
        assert_eq!(v["draft"], "too fast");
        // A minute later it goes through, and the draft is gone.
        app.state.clock.advance(61);
        let r = app
            .call(
                &patient,
                "/api/messages/reply",
                &form(&[
                    ("id", &id.to_string()),
                    ("body", "too fast"),
                    ("key", &key(70)),
                ]),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        let v = conversation(&app, &patient, "/api/messages/conversation", id).await;
        assert_eq!(v["draft"], "");
    }
);

both!(drafts_are_kept_on_the_server, |app: TestApp| async move {
    let patient = app.patient_at_riverside().await;
    let r = app
        .call(
            &patient,
            "/api/messages/draft",
            "conversation=0&topic=medication&subject=Refill&body=Half+written",
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    // Another sign-in (the old session expired, say) finds it.
    let again = app.patient_at_riverside().await;
    let f = app.call(&again, "/api/messages/new_form", "").await.json();
    assert_eq!(
        (f["draft_topic"].as_str(), f["draft_body"].as_str()),
        (Some("medication"), Some("Half written"))
    );
    start(&app, &again, "Refill", "Half written", 80).await;
    let f = app.call(&again, "/api/messages/new_form", "").await.json();
    assert_eq!(f["draft_body"], "");
});

both!(
    an_unread_answer_is_emailed_once_without_its_content,
    |app: TestApp| async move {
        let patient = app.patient_at_riverside().await;
        let admin = app.admin().await;
        let id = start(&app, &patient, "Secret subject", "Hello", 90).await;
        app.call(
            &admin,
            "/api/staff/messages/reply",
            &form(&[
                ("id", &id.to_string()),
                ("body", "Secret answer"),
                ("key", &key(91)),
            ]),
        )
        .await;
        let queue = || app::ssr::messaging::alerts::queue_due(&app.state);
        assert_eq!(queue().await.unwrap(), 0, "not before five minutes");
        app.state.clock.advance(5 * 60);
        assert_eq!(queue().await.unwrap(), 1);
        let (subject, body) = app
            .last_message_to(app::ssr::demo::DEMO_EMAIL)
            .await
            .unwrap();
        assert_eq!(
            subject,
            "You have a new message from Riverside Family Medicine"
        );
        assert!(body.contains("Sign in to read it."));
        assert!(!body.contains("Secret") && !subject.contains("Secret"));
        // Another answer within four hours: no second email.
        app.call(
            &admin,
            "/api/staff/messages/reply",
            &form(&[("id", &id.to_string()), ("body", "More"), ("key", &key(92))]),
        )
        .await;
        app.state.clock.advance(60 * 60);
        assert_eq!(queue().await.unwrap(), 0);
        // After four hours, one more, unless the patient read it or turned alerts off.
        app.state.clock.advance(3 * 60 * 60);
        sqlx::query("UPDATE portal_accounts SET notify_messages = 0")
            .execute(app.db.write())
            .await
            .unwrap();
        assert_eq!(queue().await.unwrap(), 0, "alerts are off");
        sqlx::query("UPDATE portal_accounts SET notify_messages = 1")
            .execute(app.db.write())
            .await
            .unwrap();
        let patient = app.patient_at_riverside().await;
        conversation(&app, &patient, "/api/messages/conversation", id).await;
        assert_eq!(queue().await.unwrap(), 0);
    }
);

/// The next server-sent event's name, within a few seconds.
async fn next_event(body: &mut Body, buf: &mut String) -> String {
    loop {
        if let Some(end) = buf.find("\n\n") {
            let chunk: String = buf.drain(..end + 2).collect();
            if let Some(name) = chunk.lines().find_map(|l| l.strip_prefix("event: ")) {
                return name.to_string();
            }
            continue;
        }
        let frame = tokio::time::timeout(Duration::from_secs(10), body.frame())
            .await
            .expect("an event within ten seconds")
            .expect("the stream is still open")
            .unwrap();
        if let Ok(data) = frame.into_data() {
            buf.push_str(&String::from_utf8_lossy(&data));
        }
    }
}

async fn open_stream(router: &axum::Router, cookie: &str) -> axum::response::Response {
    let mut req = axum::http::Request::get("/api/live/stream")
        .header("cookie", cookie)
        .body(Body::empty())
        .unwrap();
    req.extensions_mut()
        .insert(axum::extract::ConnectInfo(std::net::SocketAddr::from((
            [127, 0, 0, 1],
            40000,
        ))));
    tower::ServiceExt::oneshot(router.clone(), req)
        .await
        .unwrap()
}

both!(
    the_live_channel_says_only_that_something_changed,
    |app: TestApp| async move {
        let r = open_stream(&app.router, "portico_session=none").await;
        assert_eq!(r.status(), StatusCode::UNAUTHORIZED);

        let patient = app.patient_at_riverside().await;
        let admin = app.admin().await;
        let id = start(&app, &patient, "Live", "Are you there?", 100).await;
        let res = open_stream(&app.router, &patient).await;
        assert_eq!(res.status(), StatusCode::OK);
        assert_eq!(res.headers()["content-type"], "text/event-stream");
        let mut body = res.into_body();
        let mut buf = String::new();
        assert_eq!(next_event(&mut body, &mut buf).await, "ready");

        // Harbor's messages are not Emma-at-Riverside's business... but Harbor's staff writing
        // to Lily is (Emma represents her); Riverside's answer certainly is.
        app.call(
            &admin,
            "/api/staff/messages/reply",
            &form(&[
                ("id", &id.to_string()),
                ("body", "Yes, secret words"),
                ("key", &key(101)),
            ]),
        )
        .await;
        assert_eq!(next_event(&mut body, &mut buf).await, "changed");
        assert!(!buf.contains("secret"));

        // The channel never keeps the session alive; the live reads do not either.
        let seen = || {
            app.count("SELECT MAX(last_seen_at) FROM sessions WHERE patient_account_id IS NOT NULL")
        };
        let before = seen().await;
        app.state.clock.advance(40);
        let r = app
            .call(
                &patient,
                "/api/live/conversation",
                &format!("id={id}&after=0"),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK);
        let _ = open_stream(&app.router, &patient).await;
        assert_eq!(seen().await, before);

        // Signing out ends the stream with a signed-out event.
        app.call(&patient, "/api/auth/logout", "").await;
        loop {
            let e = next_event(&mut body, &mut buf).await;
            if e == "signed_out" {
                break;
            }
            assert_eq!(e, "changed", "only changes before the sign-out");
        }
        assert!(tokio::time::timeout(Duration::from_secs(5), body.frame())
            .await
            .unwrap()
            .is_none());
    }
);

both!(
    an_idle_session_ends_its_open_stream,
    |app: TestApp| async move {
        let app = TestApp::with_config(app.state.db.backend(), |c| c.idle_timeout_secs = 3)
            .await
            .unwrap();
        let patient = app.patient().await;
        let res = open_stream(&app.router, &patient).await;
        let mut body = res.into_body();
        let mut buf = String::new();
        assert_eq!(next_event(&mut body, &mut buf).await, "ready");
        assert_eq!(next_event(&mut body, &mut buf).await, "signed_out");
    }
);

both!(
    an_account_holds_at_most_five_live_connections,
    |app: TestApp| async move {
        let patient = app.patient().await;
        let mut open = Vec::new();
        for _ in 0..5 {
            let r = open_stream(&app.router, &patient).await;
            assert_eq!(r.status(), StatusCode::OK);
            open.push(r);
        }
        let r = open_stream(&app.router, &patient).await;
        assert_eq!(r.status(), StatusCode::TOO_MANY_REQUESTS);
        drop(open);
        tokio::time::sleep(Duration::from_millis(50)).await;
        assert_eq!(
            open_stream(&app.router, &patient).await.status(),
            StatusCode::OK
        );
    }
);

both!(
    revoking_access_ends_the_patients_open_stream,
    |app: TestApp| async move {
        let patient = app.patient_at_riverside().await;
        let admin = app.admin().await;
        let res = open_stream(&app.router, &patient).await;
        let mut body = res.into_body();
        let mut buf = String::new();
        assert_eq!(next_event(&mut body, &mut buf).await, "ready");
        let chart = app.chart_id("Emma", "America/New_York").await;
        let r = app
            .call(
                &admin,
                "/api/staff/portal_access",
                &format!("id={chart}&action=revoke"),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert_eq!(next_event(&mut body, &mut buf).await, "signed_out");
    }
);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn signals_cross_instances_and_a_lost_listener_means_read_everything() {
    let Some(app) = TestApp::new(app::ssr::db::Backend::Postgres).await else {
        return;
    };
    // A second instance on the same database, with its own hub and listener.
    let db = app::ssr::db::Db::connect(&app.state.config.database_url)
        .await
        .unwrap();
    let other = server::router::router(app::ssr::state::AppState {
        live: app::ssr::messaging::live::Live::start(&db, &app.state.config.database_url),
        db,
        ..app.state.clone()
    });
    let patient = app.patient_at_riverside().await;
    let admin = app.admin().await;
    let id = start(&app, &patient, "Across", "Hello", 200).await;
    let res = open_stream(&other, &patient).await;
    let mut body = res.into_body();
    let mut buf = String::new();
    assert_eq!(next_event(&mut body, &mut buf).await, "ready");
    // The listener may connect after the stream opened; it then asks for a full read.
    let mut first = String::new();
    app.call(
        &admin,
        "/api/staff/messages/reply",
        &form(&[
            ("id", &id.to_string()),
            ("body", "From A"),
            ("key", &key(201)),
        ]),
    )
    .await;
    while first != "changed" {
        first = next_event(&mut body, &mut buf).await;
        assert!(first == "changed" || first == "resync", "{first}");
    }

    // Killing every listening connection on this database: the stream is told to re-read.
    let killed: i64 = sqlx::query_scalar(
        "SELECT COUNT(pg_terminate_backend(pid)) FROM pg_stat_activity \
         WHERE datname = current_database() AND query LIKE 'LISTEN%'",
    )
    .fetch_one(app.db.read())
    .await
    .unwrap();
    assert!(killed >= 1, "no listener found");
    assert_eq!(next_event(&mut body, &mut buf).await, "resync");
    // And signals flow again once it is back.
    tokio::time::sleep(Duration::from_millis(1500)).await;
    app.call(
        &admin,
        "/api/staff/messages/reply",
        &form(&[
            ("id", &id.to_string()),
            ("body", "Again"),
            ("key", &key(202)),
        ]),
    )
    .await;
    loop {
        let e = next_event(&mut body, &mut buf).await;
        if e == "changed" {
            break;
        }
        assert_eq!(e, "resync");
    }
}

both!(
    switching_messaging_off_ends_open_streams,
    |app: TestApp| async move {
        let patient = app.patient_at_riverside().await;
        let admin = app.admin().await;
        let res = open_stream(&app.router, &patient).await;
        let mut body = res.into_body();
        let mut buf = String::new();
        assert_eq!(next_event(&mut body, &mut buf).await, "ready");
        let r = app
            .call(
                &admin,
                "/api/staff/messages/save_settings",
                "response_time=soon",
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert_eq!(next_event(&mut body, &mut buf).await, "reload");
        assert!(tokio::time::timeout(Duration::from_secs(5), body.frame())
            .await
            .unwrap()
            .is_none());
    }
);

both!(
    the_inbox_pages_the_latest_first,
    |app: TestApp| async move {
        let admin = app.admin().await;
        let chart = app.chart_id("Emma", "America/New_York").await;
        let practice: i64 =
            sqlx::query_scalar("SELECT practice_id FROM patient_charts WHERE id = $1")
                .bind(chart)
                .fetch_one(app.db.read())
                .await
                .unwrap();
        let before = app
            .count(&format!(
            "SELECT COUNT(*) FROM conversations WHERE status = 'open' AND practice_id = {practice}"
        ))
            .await as usize;
        // Newer than anything the demo holds, one a second.
        for i in 1..=60_i64 {
            sqlx::query(
                "INSERT INTO conversations (practice_id, chart_id, topic, subject, needs_reply, \
             last_message_at, started_by, idempotency_key, created_at) \
             VALUES ($1, $2, 'other', $3, 1, $4, 'patient', $3, $4)",
            )
            .bind(practice)
            .bind(chart)
            .bind(format!("Question {i}"))
            .bind(4_000_000_000 + i)
            .execute(app.db.write())
            .await
            .unwrap();
        }
        let page = |n: i64| {
            let app = &app;
            let admin = &admin;
            async move {
                let r = app
                    .call(
                        admin,
                        "/api/staff/messages/inbox",
                        &format!("filter=open&page={n}"),
                    )
                    .await;
                assert_eq!(r.status, StatusCode::OK, "{}", r.body);
                r.json()
            }
        };
        let first = page(1).await;
        let rows = first["rows"].as_array().unwrap();
        assert_eq!(rows.len(), 50);
        assert_eq!(rows[0]["subject"], "Question 60");
        assert_eq!(first["has_more"], true);
        let second = page(2).await;
        let rest = second["rows"].as_array().unwrap();
        assert_eq!(rest[0]["subject"], "Question 10");
        let total = before + 60;
        assert_eq!(rest.len(), (total - 50).min(50));
        assert_eq!(second["has_more"], total > 100);
        let ids = |rows: &[serde_json::Value]| {
            rows.iter()
                .map(|r| r["id"].as_i64().unwrap())
                .collect::<Vec<_>>()
        };
        assert!(
            ids(rows).iter().all(|id| !ids(rest).contains(id)),
            "pages overlap"
        );
    }
);
