//! The patient's appointment functions, allowed and refused, on SQLite and PostgreSQL.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use axum::http::StatusCode;
use support::TestApp;

/// The free slot starts shown for a provider in the week `weeks` weeks after the demo data.
pub async fn free_slots(app: &TestApp, cookie: &str, provider_id: i64, weeks: i64) -> Vec<i64> {
    free_slots_on(app, cookie, provider_id, app.clear_week(weeks)).await
}

/// The free slot starts shown for a provider in the week of `week`.
pub async fn free_slots_on(
    app: &TestApp,
    cookie: &str,
    provider_id: i64,
    week: chrono::NaiveDate,
) -> Vec<i64> {
    let r = app
        .call(
            cookie,
            "/api/appointments/week",
            &format!("provider_id={provider_id}&week={week}"),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    r.json()["days"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|d| d["slots"].as_array().unwrap().clone())
        .map(|s| s["start"].as_i64().unwrap())
        .collect()
}

pub const RIVERSIDE: &str = "America/New_York";

/// Book the first free slot with Dr. Patel `weeks` ahead for Emma at Riverside.
pub async fn book_patel(app: &TestApp, cookie: &str, weeks: i64) -> (i64, i64) {
    let patel = app.provider_id("Dr. Maya Patel").await;
    let emma = app.chart_id("Emma", RIVERSIDE).await;
    let start = free_slots(app, cookie, patel, weeks).await[0];
    let r = app
        .call(
            cookie,
            "/api/appointments/book",
            &format!("provider_id={patel}&start={start}&record_id={emma}&reason=Check-up"),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    (r.body.trim().parse().unwrap(), start)
}

both!(
    the_list_filters_by_state_and_time,
    |app: TestApp| async move {
        let cookie = app.patient_at_riverside().await;
        let list = |filter: &'static str| {
            let (app, cookie) = (&app, cookie.clone());
            async move {
                let r = app
                    .call(
                        &cookie,
                        "/api/appointments/list",
                        &format!("filter={filter}"),
                    )
                    .await;
                assert_eq!(r.status, StatusCode::OK, "{}", r.body);
                r.json()
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|a| a["state"].as_str().unwrap().to_string())
                    .collect::<Vec<_>>()
            }
        };
        let upcoming = list("upcoming").await;
        for s in [
            "Confirmed",
            "Requested",
            "CancellationRequested",
            "RescheduleRequested",
            "Proposed",
        ] {
            assert!(upcoming.iter().any(|u| u == s), "{s} in {upcoming:?}");
        }
        assert!(!upcoming
            .iter()
            .any(|u| u == "Cancelled" || u == "Completed"));
        let pending = list("pending").await;
        assert!(!pending.iter().any(|u| u == "Confirmed"));
        assert_eq!(pending.len(), 4, "{pending:?}");
        let mut canceled = list("canceled").await;
        canceled.sort();
        assert_eq!(canceled, ["Cancelled", "Declined"]);
        let mut past = list("past").await;
        past.sort();
        assert_eq!(past, ["Completed", "NoShow"]);
        // Times are in the practice's zone, with its abbreviation.
        let r = app
            .call(&cookie, "/api/appointments/list", "filter=upcoming")
            .await;
        let when = r.json()[0]["when"].as_str().unwrap().to_string();
        assert!(when.ends_with(" EST") || when.ends_with(" EDT"), "{when}");
    }
);

both!(the_list_needs_a_patient, |app: TestApp| async move {
    let r = app
        .send(app.post("/api/appointments/list", "filter=upcoming"))
        .await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    let staff = app.admin().await;
    let r = app
        .call(&staff, "/api/appointments/list", "filter=upcoming")
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
});

both!(
    booking_holds_the_slot_records_history_and_queues_an_email,
    |app: TestApp| async move {
        let cookie = app.patient_at_riverside().await;
        let before = app.count("SELECT COUNT(*) FROM outbox").await;
        let (id, start) = book_patel(&app, &cookie, 3).await;
        assert_eq!(app.state_of(id).await, "requested");
        assert_eq!(
        app.count(&format!("SELECT COUNT(*) FROM slot_holds WHERE appointment_id = {id} AND starts_at = {start}")).await,
        1
    );
        assert_eq!(app.count(&format!("SELECT COUNT(*) FROM appointment_events WHERE appointment_id = {id} AND action = 'book'")).await, 1);
        assert_eq!(
            app.count("SELECT COUNT(*) FROM audit_log WHERE action = 'appointment.book'")
                .await,
            1
        );
        assert_eq!(app.count("SELECT COUNT(*) FROM outbox").await, before + 1);
        let body: String = sqlx::query_scalar("SELECT body FROM outbox ORDER BY id DESC LIMIT 1")
            .fetch_one(app.db.read())
            .await
            .unwrap();
        assert!(body.contains("Dr. Maya Patel") && body.contains("Riverside Family Medicine"));
        assert!(
            !body.contains("Check-up"),
            "no visit reason in email: {body}"
        );
        assert!(!body.contains("Emma"), "no patient name in email");
        // The slot is no longer offered.
        let patel = app.provider_id("Dr. Maya Patel").await;
        assert!(!free_slots(&app, &cookie, patel, 3).await.contains(&start));
        // The list shows it under Pending.
        let r = app
            .call(&cookie, "/api/appointments/list", "filter=pending")
            .await;
        assert!(r
            .json()
            .as_array()
            .unwrap()
            .iter()
            .any(|a| a["id"].as_i64() == Some(id)));
    }
);

both!(
    bad_bookings_are_refused_and_change_nothing,
    |app: TestApp| async move {
        let cookie = app.patient().await;
        let patel = app.provider_id("Dr. Maya Patel").await;
        let emma = app.chart_id("Emma", RIVERSIDE).await;
        let lily = app.chart_id("Lily", "America/Los_Angeles").await;
        let free = free_slots(&app, &cookie, patel, 3).await;
        let (_, taken) = book_patel(&app, &cookie, 3).await;
        let appointments = app.count("SELECT COUNT(*) FROM appointments").await;
        let book = |start: i64, record: i64, reason: String| {
            let (app, cookie) = (&app, cookie.clone());
            async move {
                app.call(
                    &cookie,
                    "/api/appointments/book",
                    &format!(
                        "provider_id={patel}&start={start}&record_id={record}&reason={reason}"
                    ),
                )
                .await
            }
        };
        let ok_reason = || "Check-up".to_string();
        // Taken.
        let r = book(taken, emma, ok_reason()).await;
        assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.body);
        assert!(r.body.contains("no longer available"));
        // Outside hours: 3 AM.
        let r = book(free[1] - 6 * 3600, emma, ok_reason()).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
        assert!(r
            .body
            .contains("not one of this provider's appointment times"));
        // Off the slot grid by a minute.
        let r = book(free[1] + 60, emma, ok_reason()).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        // In the past: the same time on that weekday, a week or more before now.
        let week = 7 * 86_400;
        let past = free[1] - ((free[1] - app.state.clock.now()) / week + 1) * week;
        assert!(past < app.state.clock.now());
        let r = book(past, emma, ok_reason()).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
        // Inside Riverside's 24-hour booking notice: the next slot within a day, if any exists.
        let now = app.state.clock.now();
        let today = chrono::DateTime::from_timestamp(now, 0)
            .unwrap()
            .date_naive();
        let soon = free_slots_on(&app, &cookie, patel, today).await;
        assert!(
            soon.iter().all(|s| *s >= now + 24 * 3600),
            "slots inside the notice are not offered"
        );
        // A reason over 500 characters, and none.
        let r = book(free[1], emma, "x".repeat(501)).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.body.contains("500 characters"));
        let r = book(free[1], emma, String::new()).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        // Lily's chart is at Harbor, not at Dr. Patel's practice.
        let r = book(free[1], lily, ok_reason()).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
        assert_eq!(
            app.count("SELECT COUNT(*) FROM appointments").await,
            appointments
        );
    }
);

both!(
    bookings_inside_the_minimum_notice_are_refused,
    |app: TestApp| async move {
        let cookie = app.patient().await;
        let patel = app.provider_id("Dr. Maya Patel").await;
        let emma = app.chart_id("Emma", RIVERSIDE).await;
        let start = free_slots(&app, &cookie, patel, 2).await[0];
        // Move the clock to 23 hours before the slot: inside Riverside's 24-hour notice.
        let now = app.state.clock.now();
        app.state.clock.advance(start - now - 23 * 3600);
        let cookie = app.patient().await;
        let r = app
            .call(
                &cookie,
                "/api/appointments/book",
                &format!("provider_id={patel}&start={start}&record_id={emma}&reason=Soon"),
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
        assert!(r.body.contains("at least 24 hours"), "{}", r.body);
    }
);

both!(
    fifty_concurrent_bookings_of_one_slot_make_one_appointment,
    |app: TestApp| async move {
        let cookie = app.patient().await;
        let patel = app.provider_id("Dr. Maya Patel").await;
        let emma = app.chart_id("Emma", RIVERSIDE).await;
        let start = free_slots(&app, &cookie, patel, 4).await[0];
        let app = std::sync::Arc::new(app);
        let mut tasks = Vec::new();
        for _ in 0..50 {
            let (app, cookie) = (app.clone(), cookie.clone());
            tasks.push(tokio::spawn(async move {
                app.call(
                    &cookie,
                    "/api/appointments/book",
                    &format!("provider_id={patel}&start={start}&record_id={emma}&reason=Race"),
                )
                .await
                .status
            }));
        }
        let mut ok = 0;
        for t in tasks {
            match t.await.unwrap() {
                StatusCode::OK => ok += 1,
                StatusCode::CONFLICT => {}
                other => panic!("unexpected {other}"),
            }
        }
        assert_eq!(ok, 1);
        assert_eq!(
            app.count("SELECT COUNT(*) FROM appointments WHERE visit_reason = 'Race'")
                .await,
            1
        );
        assert_eq!(
            app.count(&format!(
                "SELECT COUNT(*) FROM slot_holds WHERE starts_at = {start}"
            ))
            .await,
            1
        );
    }
);

both!(
    a_pending_request_is_cancelled_at_once,
    |app: TestApp| async move {
        let cookie = app.patient().await;
        let (id, start) = book_patel(&app, &cookie, 3).await;
        let r = app
            .call(
                &cookie,
                "/api/appointments/cancel_request",
                &format!("id={id}"),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert_eq!(app.state_of(id).await, "cancelled");
        assert_eq!(
            app.count(&format!(
                "SELECT COUNT(*) FROM slot_holds WHERE starts_at = {start}"
            ))
            .await,
            0,
            "slot released"
        );
        // Twice (a double submit): refused, nothing more recorded.
        let events = app.count("SELECT COUNT(*) FROM appointment_events").await;
        let r = app
            .call(
                &cookie,
                "/api/appointments/cancel_request",
                &format!("id={id}"),
            )
            .await;
        assert_eq!(r.status, StatusCode::CONFLICT);
        assert!(r.body.contains("canceled"), "{}", r.body);
        assert_eq!(
            app.count("SELECT COUNT(*) FROM appointment_events").await,
            events
        );
    }
);

both!(
    cancelling_a_confirmed_appointment_follows_the_policy,
    |app: TestApp| async move {
        let cookie = app.patient().await;
        // Riverside approves everything: a request, the slot still held.
        let id = app.appointment("Annual physical").await;
        let r = app
            .call(
                &cookie,
                "/api/appointments/request_cancellation",
                &format!("id={id}&reason=other&other=Moving+away"),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert_eq!(app.state_of(id).await, "cancellation_requested");
        assert_eq!(
            app.count(&format!(
                "SELECT COUNT(*) FROM slot_holds WHERE appointment_id = {id}"
            ))
            .await,
            1
        );
        let reason: String = sqlx::query_scalar("SELECT reason FROM appointment_events WHERE appointment_id = $1 ORDER BY id DESC LIMIT 1")
        .bind(id).fetch_one(app.db.read()).await.unwrap();
        assert_eq!(reason, "Moving away");
        let subject: String =
            sqlx::query_scalar("SELECT subject FROM outbox ORDER BY id DESC LIMIT 1")
                .fetch_one(app.db.read())
                .await
                .unwrap();
        assert_eq!(subject, "Cancellation request received");

        // Harbor, 30 hours out: instant.
        let outside = app.appointment("Mole check").await;
        let r = app
            .call(
                &cookie,
                "/api/appointments/request_cancellation",
                &format!("id={outside}&reason=cost"),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert_eq!(app.state_of(outside).await, "cancelled");
        assert_eq!(
            app.count(&format!(
                "SELECT COUNT(*) FROM slot_holds WHERE appointment_id = {outside}"
            ))
            .await,
            0
        );

        // Harbor, 20 hours out: the details offer it with the $50 fee and approval; it becomes a request.
        let inside = app.appointment("Rash").await;
        let r = app
            .call(&cookie, "/api/appointments/detail", &format!("id={inside}"))
            .await;
        assert_eq!(r.status, StatusCode::OK);
        let d = r.json();
        assert_eq!(d["policy"]["late_cancellation_fee_cents"], 5000);
        let now = d["now"].as_i64().unwrap();
        let start = d["summary"]["starts_at"].as_i64().unwrap();
        assert!(start - now < 24 * 3600 && start - now > 3600);
        let r = app
            .call(
                &cookie,
                "/api/appointments/request_cancellation",
                &format!("id={inside}&reason=feeling_better"),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK);
        assert_eq!(app.state_of(inside).await, "cancellation_requested");
    }
);

both!(
    bad_cancellation_reasons_are_refused,
    |app: TestApp| async move {
        let cookie = app.patient().await;
        let id = app.appointment("Annual physical").await;
        for (body, needle) in [
            (format!("id={id}&reason=other&other="), "your reason"),
            (
                format!("id={id}&reason=other&other={}", "x".repeat(501)),
                "500 characters",
            ),
            (format!("id={id}&reason=bogus"), "choose a reason"),
        ] {
            let r = app
                .call(&cookie, "/api/appointments/request_cancellation", &body)
                .await;
            assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
            assert!(r.body.contains(needle), "{}", r.body);
        }
        assert_eq!(app.state_of(id).await, "confirmed");
        // A pending request is cancelled, not "requested": the wrong path is refused.
        let pending = app.appointment("Follow-up on blood pressure").await;
        let r = app
            .call(
                &cookie,
                "/api/appointments/request_cancellation",
                &format!("id={pending}&reason=cost"),
            )
            .await;
        assert_eq!(r.status, StatusCode::CONFLICT);
        assert_eq!(app.state_of(pending).await, "requested");
    }
);

both!(
    someone_elses_appointment_is_not_found_and_audited,
    |app: TestApp| async move {
        // A second patient with their own chart and appointment.
        let hash = app
            .state
            .hasher
            .hash("Other-patient1".into())
            .await
            .unwrap();
        let mut conn = app.db.write().acquire().await.unwrap();
        let practice: i64 =
            sqlx::query_scalar("SELECT id FROM practices WHERE time_zone = 'America/New_York'")
                .fetch_one(&mut *conn)
                .await
                .unwrap();
        let omar_chart: i64 = sqlx::query_scalar("INSERT INTO patient_charts (practice_id, given_name, family_name, date_of_birth, created_at) VALUES ($1, 'Omar', 'Reyes', '1970-01-01', 0) RETURNING id")
        .bind(practice).fetch_one(&mut *conn).await.unwrap();
        let account: i64 = sqlx::query_scalar("INSERT INTO portal_accounts (username, password_hash, display_name, created_at) VALUES ('omar', $1, 'Omar Reyes', 0) RETURNING id")
        .bind(&hash).fetch_one(&mut *conn).await.unwrap();
        sqlx::query("INSERT INTO account_charts (account_id, chart_id, relationship, created_at) VALUES ($1, $2, 'self', 0)")
        .bind(account).bind(omar_chart).execute(&mut *conn).await.unwrap();
        drop(conn);
        let omar = app.sign_in(false, "omar", "Other-patient1").await;
        let emmas = app.appointment("Annual physical").await;
        for (path, body) in [
            ("/api/appointments/detail", format!("id={emmas}")),
            ("/api/appointments/cancel_request", format!("id={emmas}")),
            (
                "/api/appointments/request_cancellation",
                format!("id={emmas}&reason=cost"),
            ),
            (
                "/api/appointments/answer_proposal",
                format!("id={emmas}&accept=true"),
            ),
            ("/api/appointments/reschedule_week", format!("id={emmas}")),
            ("/api/appointments/detail", "id=999999".to_string()),
        ] {
            let r = app.call(&omar, path, &body).await;
            assert_eq!(r.status, StatusCode::NOT_FOUND, "{path}: {}", r.body);
            assert!(r.body.contains("We could not find that appointment."));
        }
        assert_eq!(app.state_of(emmas).await, "confirmed");
        assert_eq!(
            app.count("SELECT COUNT(*) FROM audit_log WHERE action = 'appointment.denied'")
                .await,
            6
        );
        let r = app
            .send(
                app.get(&format!("/appointments/{emmas}/calendar.ics"))
                    .cookie(&omar),
            )
            .await;
        assert_eq!(r.status, StatusCode::NOT_FOUND);
        // Omar cannot book for Emma's chart either.
        let patel = app.provider_id("Dr. Maya Patel").await;
        let emma_chart = app.chart_id("Emma", RIVERSIDE).await;
        let start = free_slots(&app, &omar, patel, 3).await[0];
        let r = app
            .call(
                &omar,
                "/api/appointments/book",
                &format!("provider_id={patel}&start={start}&record_id={emma_chart}&reason=x"),
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    }
);

both!(
    a_representative_acts_for_the_child_and_history_says_so,
    |app: TestApp| async move {
        let cookie = app.patient().await;
        let id = app.appointment("Vaccinations").await;
        let r = app
            .call(&cookie, "/api/appointments/detail", &format!("id={id}"))
            .await;
        assert_eq!(r.json()["actor"], "Representative");
        let r = app
            .call(
                &cookie,
                "/api/appointments/cancel_request",
                &format!("id={id}"),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK);
        let kind: String = sqlx::query_scalar("SELECT actor_kind FROM appointment_events WHERE appointment_id = $1 ORDER BY id DESC LIMIT 1")
        .bind(id).fetch_one(app.db.read()).await.unwrap();
        assert_eq!(kind, "representative");
    }
);

both!(
    a_proposed_time_is_accepted_or_turned_down,
    |app: TestApp| async move {
        let cookie = app.patient().await;
        let id = app.appointment("Skin check").await;
        let pending: i64 =
            sqlx::query_scalar("SELECT pending_starts_at FROM appointments WHERE id = $1")
                .bind(id)
                .fetch_one(app.db.read())
                .await
                .unwrap();
        let r = app
            .call(
                &cookie,
                "/api/appointments/answer_proposal",
                &format!("id={id}&accept=true"),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert_eq!(app.state_of(id).await, "confirmed");
        let starts = app.starts_at(id).await;
        assert_eq!(starts, pending);
        assert_eq!(
            app.count(&format!(
                "SELECT COUNT(*) FROM slot_holds WHERE appointment_id = {id}"
            ))
            .await,
            1,
            "the old slot is released"
        );
        // Already answered.
        let r = app
            .call(
                &cookie,
                "/api/appointments/answer_proposal",
                &format!("id={id}&accept=false"),
            )
            .await;
        assert_eq!(r.status, StatusCode::CONFLICT);
    }
);

both!(
    a_reschedule_request_keeps_the_original_until_approved,
    |app: TestApp| async move {
        let cookie = app.patient().await;
        let id = app.appointment("Annual physical").await;
        let patel = app.provider_id("Dr. Maya Patel").await;
        let new = free_slots(&app, &cookie, patel, 5).await[0];
        let r = app
            .call(
                &cookie,
                "/api/appointments/reschedule",
                &format!("id={id}&start={new}"),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert_eq!(app.state_of(id).await, "reschedule_requested");
        assert_eq!(
            app.count(&format!(
                "SELECT COUNT(*) FROM slot_holds WHERE appointment_id = {id}"
            ))
            .await,
            2,
            "both times held"
        );
        let staff = app.admin().await;
        let r = app
            .call(&staff, "/api/staff/approve", &format!("id={id}"))
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert_eq!(app.state_of(id).await, "confirmed");
        let starts = app.starts_at(id).await;
        assert_eq!(starts, new);
        assert_eq!(
            app.count(&format!(
                "SELECT COUNT(*) FROM slot_holds WHERE appointment_id = {id}"
            ))
            .await,
            1
        );
        // A taken slot is refused.
        let other = app.appointment("Flu shot").await;
        let taken = app.starts_at(other).await;
        let r = app
            .call(
                &cookie,
                "/api/appointments/reschedule",
                &format!("id={id}&start={taken}"),
            )
            .await;
        assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.body);
    }
);

both!(
    the_calendar_file_is_in_the_practice_zone,
    |app: TestApp| async move {
        let cookie = app.patient().await;
        let id = app.appointment("Annual physical").await;
        let r = app
            .send(
                app.get(&format!("/appointments/{id}/calendar.ics"))
                    .cookie(&cookie),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK);
        assert_eq!(r.headers["content-type"], "text/calendar; charset=utf-8");
        assert!(r.headers["content-disposition"]
            .to_str()
            .unwrap()
            .contains(".ics"));
        assert!(r.body.contains("DTSTART;TZID=America/New_York:"));
        assert!(r.body.contains("T090000\r\n"), "9 AM local: {}", r.body);
        assert!(r.body.contains("SUMMARY:Appointment with Dr. Maya Patel"));
        let r = app
            .send(app.get(&format!("/appointments/{id}/calendar.ics")))
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "signed out: to sign-in");
    }
);

both!(
    without_javascript_a_change_lands_on_the_appointment,
    |app: TestApp| async move {
        let cookie = app.patient().await;
        let (id, _) = book_patel(&app, &cookie, 3).await;
        let r = app
            .send(
                app.post("/api/appointments/cancel_request", &format!("id={id}"))
                    .cookie(&cookie)
                    .without_javascript(&format!("http://127.0.0.1:3000/appointments/{id}/cancel")),
            )
            .await;
        assert!(r.status.is_redirection(), "{}", r.status);
        assert_eq!(
            r.location(),
            Some(format!("/appointments/{id}?done=cancelled").as_str())
        );
        // The pages render on the server.
        let page = app
            .send(app.get(&format!("/appointments/{id}")).cookie(&cookie))
            .await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(page.body.contains("Canceled"), "{}", page.body);
    }
);

both!(
    the_dev_outbox_lists_messages_and_is_gone_in_production,
    |app: TestApp| async move {
        let cookie = app.patient().await;
        book_patel(&app, &cookie, 3).await;
        let r = app.send(app.get("/dev/outbox.json")).await;
        assert_eq!(r.status, StatusCode::OK);
        let first = &r.json()[0];
        for key in [
            "id",
            "channel",
            "to",
            "subject",
            "body",
            "created_at",
            "status",
        ] {
            assert!(first.get(key).is_some(), "{key} in {first}");
        }
        assert_eq!(first["subject"], "Appointment request received");
        assert_eq!(first["to"], "emma.carter@example.com");
        let r = app.send(app.get("/dev/outbox")).await;
        assert_eq!(r.status, StatusCode::OK);
        assert!(r.body.contains("Appointment request received"));
    }
);

#[tokio::test]
async fn the_dev_outbox_is_not_found_in_production() {
    let app = TestApp::with_config(app::ssr::db::Backend::Sqlite, |c| {
        c.environment = app::ssr::config::Environment::Production;
        c.base_url = "https://portal.example.org".into();
    })
    .await
    .unwrap();
    for path in ["/dev/outbox", "/dev/outbox.json", "/dev/clock"] {
        let r = app.send(app.get(path)).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{path}");
        assert!(!r.body.contains("emma.carter"));
    }
}

both!(
    the_week_opens_on_the_first_with_free_times,
    |app: TestApp| async move {
        let cookie = app.patient().await;
        let patel = app.provider_id("Dr. Maya Patel").await;
        // The clock runs on: the server's "now" is no earlier than this, and a slot exactly 24
        // hours after its "now" is allowed, so compare with the time before asking.
        let now = app.state.clock.now();
        let v = app
            .call(
                &cookie,
                "/api/appointments/week",
                &format!("provider_id={patel}"),
            )
            .await
            .json();
        let first: Vec<i64> = v["days"]
            .as_array()
            .unwrap()
            .iter()
            .flat_map(|d| d["slots"].as_array().unwrap().clone())
            .map(|s| s["start"].as_i64().unwrap())
            .collect();
        assert!(!first.is_empty(), "{v}");
        assert!(
            first.iter().all(|s| *s >= now + 24 * 3600),
            "booking notice respected"
        );
        assert!(first[0] < now + 10 * 86_400, "the nearest week with times");
        // Seven calendar days, Monday first.
        assert_eq!(v["days"].as_array().unwrap().len(), 7);
        assert!(v["days"][0]["label"].as_str().unwrap().starts_with("Mon"));
    }
);

/// Every patient function, with a plausible body.
const PATIENT_FUNCTIONS: &[(&str, &str)] = &[
    ("/api/appointments/list", "filter=upcoming"),
    ("/api/appointments/detail", "id=1"),
    ("/api/appointments/cancel_reasons", ""),
    ("/api/appointments/cancel_request", "id=1"),
    ("/api/appointments/request_cancellation", "id=1&reason=cost"),
    ("/api/appointments/reschedule", "id=1&start=0"),
    ("/api/appointments/answer_proposal", "id=1&accept=true"),
    ("/api/appointments/providers", "q="),
    ("/api/appointments/week", "provider_id=1"),
    ("/api/appointments/reschedule_week", "id=1"),
    ("/api/appointments/draft", "provider_id=1&start=0"),
    (
        "/api/appointments/book",
        "provider_id=1&start=0&record_id=1&reason=x",
    ),
    ("/api/appointments/move_label", "id=1&start=0"),
];

both!(
    every_patient_function_needs_a_signed_in_patient,
    |app: TestApp| async move {
        let staff = app.admin().await;
        let before = app.count("SELECT COUNT(*) FROM appointment_events").await;
        for (path, body) in PATIENT_FUNCTIONS {
            let r = app.send(app.post(path, body)).await;
            assert_eq!(
                r.status,
                StatusCode::UNAUTHORIZED,
                "anonymous {path}: {}",
                r.body
            );
            let r = app.call(&staff, path, body).await;
            assert_eq!(r.status, StatusCode::FORBIDDEN, "staff {path}: {}", r.body);
        }
        assert_eq!(
            app.count("SELECT COUNT(*) FROM appointment_events").await,
            before
        );
    }
);

both!(
    reasons_draft_and_the_move_label,
    |app: TestApp| async move {
        let cookie = app.patient().await;
        let r = app
            .call(&cookie, "/api/appointments/cancel_reasons", "")
            .await;
        let labels: Vec<String> = r
            .json()
            .as_array()
            .unwrap()
            .iter()
            .map(|x| x["label"].as_str().unwrap().to_string())
            .collect();
        assert_eq!(
            labels,
            [
                "Feeling better",
                "Schedule conflict",
                "Transportation",
                "Cost",
                "Scheduled by mistake",
                "Other"
            ]
        );
        let patel = app.provider_id("Dr. Maya Patel").await;
        let start = free_slots(&app, &cookie, patel, 3).await[0];
        let d = app
            .call(
                &cookie,
                "/api/appointments/draft",
                &format!("provider_id={patel}&start={start}"),
            )
            .await;
        assert_eq!(d.status, StatusCode::OK, "{}", d.body);
        let d = d.json();
        // Only Emma has a record at Riverside: she is the one offered, and chosen.
        assert_eq!(d["people"].as_array().unwrap().len(), 1);
        assert_eq!(d["selected_record_id"], d["people"][0]["record_id"]);
        assert!(d["when"].as_str().unwrap().contains(" E"), "{d}");
        // A time off the grid is refused at the draft already.
        let r = app
            .call(
                &cookie,
                "/api/appointments/draft",
                &format!("provider_id={patel}&start={}", start + 60),
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        let id = app.appointment("Annual physical").await;
        let r = app
            .call(
                &cookie,
                "/api/appointments/move_label",
                &format!("id={id}&start={start}"),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK);
        assert_eq!(r.json(), d["when"]);
    }
);

both!(
    a_pending_request_can_change_its_time,
    |app: TestApp| async move {
        let cookie = app.patient().await;
        let (id, old) = book_patel(&app, &cookie, 3).await;
        let patel = app.provider_id("Dr. Maya Patel").await;
        let new = free_slots(&app, &cookie, patel, 4).await[0];
        let r = app
            .call(
                &cookie,
                "/api/appointments/reschedule",
                &format!("id={id}&start={new}"),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert_eq!(app.state_of(id).await, "requested");
        let holds: Vec<i64> =
            sqlx::query_scalar("SELECT starts_at FROM slot_holds WHERE appointment_id = $1")
                .bind(id)
                .fetch_all(app.db.read())
                .await
                .unwrap();
        assert_eq!(holds, [new], "the old time {old} is released");
        // The same time again is refused.
        let r = app
            .call(
                &cookie,
                "/api/appointments/reschedule",
                &format!("id={id}&start={new}"),
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    }
);

both!(
    unreadable_arguments_are_a_bad_request,
    |app: TestApp| async move {
        let cookie = app.patient().await;
        for (path, body) in [
            ("/api/appointments/detail", "id=abc"),
            ("/api/appointments/book", "provider_id=1"),
            ("/api/appointments/answer_proposal", "id=1&accept=maybe"),
        ] {
            let r = app.call(&cookie, path, body).await;
            assert_eq!(r.status, StatusCode::BAD_REQUEST, "{path}: {}", r.body);
            assert_eq!(r.body, "\"BadRequest\"");
        }
    }
);

both!(
    appointment_emails_follow_the_patients_preferences,
    |app: TestApp| async move {
        let cookie = app.patient_at_riverside().await;
        let r = app
            .call(&cookie, "/api/account/preferences", "notify_reminders=on")
            .await;
        assert_eq!(r.status, axum::http::StatusCode::OK, "{}", r.body);
        let before = app.count("SELECT COUNT(*) FROM outbox").await;
        book_patel(&app, &cookie, 4).await;
        assert_eq!(
            app.count("SELECT COUNT(*) FROM outbox").await,
            before,
            "appointment emails are off"
        );
        app.call(
            &cookie,
            "/api/account/preferences",
            "notify_appointments=on&notify_reminders=on",
        )
        .await;
        book_patel(&app, &cookie, 5).await;
        assert_eq!(app.count("SELECT COUNT(*) FROM outbox").await, before + 1);
    }
);

both!(
    demo_appointments_stay_inside_their_horizon,
    |app: TestApp| async move {
        // Tests that need an empty calendar rely on this (TestApp::clear_week).
        let end = app.state.clock.now() + app::ssr::demo_appointments::HORIZON_DAYS * 86_400;
        let latest = app
            .count("SELECT COALESCE(MAX(starts_at), 0) FROM slot_holds")
            .await;
        assert!(
            latest > app.state.clock.now(),
            "the demo holds future slots"
        );
        assert!(latest < end, "a demo slot is held past the horizon");
        let latest = app
            .count("SELECT COALESCE(MAX(starts_at), 0) FROM appointments")
            .await;
        assert!(latest < end, "a demo appointment lies past the horizon");
    }
);

both!(
    a_removed_record_leaves_the_very_next_page,
    |app: TestApp| async move {
        // The records are remembered within one page render only (RecordsMemo).
        let cookie = app.patient().await;
        let lily = app.chart_id("Lily", "America/Los_Angeles").await;
        let option = format!("<option value=\"{lily}\"");
        let page = app.send(app.get("/").cookie(&cookie)).await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(
            page.body.contains(&option),
            "Lily is in the record switcher"
        );
        sqlx::query("DELETE FROM account_charts WHERE chart_id = $1")
            .bind(lily)
            .execute(app.db.write())
            .await
            .unwrap();
        let page = app.send(app.get("/").cookie(&cookie)).await;
        assert!(!page.body.contains(&option), "Lily is gone at once");
    }
);

both!(
    a_chosen_record_that_is_unlinked_falls_back_to_the_first,
    |app: TestApp| async move {
        // The chosen record is checked against the records read for the page, not trusted
        // from the session: once the link is gone, her visits are no longer listed.
        let cookie = app.patient().await;
        let lily = app.chart_id("Lily", "America/Los_Angeles").await;
        sqlx::query(
            "INSERT INTO appointments (chart_id, practice_id, provider_id, starts_at, ends_at, \
             state, visit_reason, policy, created_at, updated_at) \
             SELECT c.id, c.practice_id, v.id, 0, 1200, 'cancelled', 'Only for Lily', a.policy, 0, 0 \
             FROM patient_charts c JOIN providers v ON v.practice_id = c.practice_id \
             CROSS JOIN (SELECT policy FROM appointments LIMIT 1) a WHERE c.id = $1 LIMIT 1",
        )
        .bind(lily)
        .execute(app.db.write())
        .await
        .unwrap();
        let r = app
            .call(&cookie, "/api/records/select", &format!("record_id={lily}"))
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        let cancelled = || app.call(&cookie, "/api/appointments/list", "filter=canceled");
        let before = cancelled().await;
        assert_eq!(before.status, StatusCode::OK, "{}", before.body);
        assert!(before.body.contains("Lily Carter"), "{}", before.body);

        sqlx::query("DELETE FROM account_charts WHERE chart_id = $1")
            .bind(lily)
            .execute(app.db.write())
            .await
            .unwrap();
        let after = cancelled().await;
        assert_eq!(after.status, StatusCode::OK, "{}", after.body);
        assert!(!after.body.contains("Lily Carter"), "{}", after.body);
        let page = app
            .send(app.get("/appointments?filter=canceled").cookie(&cookie))
            .await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(
            !page.body.contains("Lily Carter"),
            "neither in the switcher nor the list"
        );
        let me = app.call(&cookie, "/api/auth/me", "").await;
        assert!(
            !me.body.contains(&format!("\"selected_record_id\":{lily}")),
            "{}",
            me.body
        );
    }
);
