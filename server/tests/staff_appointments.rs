//! The staff side of appointments: the queue, decisions, schedules and policies, allowed and
//! refused, on SQLite and PostgreSQL.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use axum::http::StatusCode;
use support::TestApp;

both!(
    the_queue_lists_open_requests_with_counts_and_filters,
    |app: TestApp| async move {
        let staff = app.admin().await;
        let r = app.call(&staff, "/api/staff/requests", "").await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        let q = r.json();
        let counts: Vec<(String, i64)> = q["counts"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| (c[0].as_str().unwrap().to_string(), c[1].as_i64().unwrap()))
            .collect();
        // Riverside's demo: one new booking, one cancellation, one reschedule.
        assert_eq!(
            counts,
            [
                ("Booking".to_string(), 1),
                ("Cancellation".to_string(), 1),
                ("Reschedule".to_string(), 1)
            ]
        );
        assert_eq!(q["items"].as_array().unwrap().len(), 3);
        // The staff member's own practice, by the name stored for it now.
        let practice: (i64, String) = sqlx::query_as(
            "SELECT p.id, p.name FROM staff_accounts s JOIN practices p ON p.id = s.practice_id \
             WHERE s.username = 'admin'",
        )
        .fetch_one(app.db.read())
        .await
        .unwrap();
        assert_eq!(q["practice"]["id"], practice.0);
        assert_eq!(q["practice"]["name"], practice.1.as_str());
        // Only Riverside's: Harbor's pending vaccination request is not here.
        assert!(!r.body.contains("Vaccinations"));
        let r = app
            .call(&staff, "/api/staff/requests", "kind=cancellation")
            .await;
        let items = r.json()["items"].as_array().unwrap().clone();
        assert_eq!(items.len(), 1);
        assert_eq!(items[0]["request_reason"], "Schedule conflict");
        assert_eq!(items[0]["visit_reason"], "Flu shot");
        let okafor = app.provider_id("Dr. James Okafor").await;
        let r = app
            .call(&staff, "/api/staff/requests", &format!("provider={okafor}"))
            .await;
        assert_eq!(r.json()["items"].as_array().unwrap().len(), 2);
        // Another practice's filter is refused.
        let harbor: i64 =
            sqlx::query_scalar("SELECT id FROM practices WHERE time_zone = 'America/Los_Angeles'")
                .fetch_one(app.db.read())
                .await
                .unwrap();
        let r = app
            .call(&staff, "/api/staff/requests", &format!("practice={harbor}"))
            .await;
        assert_eq!(r.status, StatusCode::NOT_FOUND);
    }
);

both!(
    the_queue_pages_and_counts_every_request,
    |app: TestApp| async move {
        let staff = app.admin().await;
        // 60 more new bookings than the demo's one: copies of it, each asked a second later.
        let booking = app.appointment("Follow-up on blood pressure").await;
        for i in 1..=60 {
            sqlx::query(
                "INSERT INTO appointments (chart_id, practice_id, provider_id, starts_at, ends_at, state, \
                 visit_reason, policy, version, created_at, updated_at) \
                 SELECT chart_id, practice_id, provider_id, starts_at, ends_at, 'requested', \
                 'Copy ' || CAST($2 AS TEXT), policy, 1, created_at, updated_at + $2 FROM appointments WHERE id = $1",
            )
            .bind(booking)
            .bind(i as i64)
            .execute(app.db.write())
            .await
            .unwrap();
        }
        let first = app
            .call(&staff, "/api/staff/requests", "kind=booking")
            .await;
        assert_eq!(first.status, StatusCode::OK, "{}", first.body);
        let q = first.json();
        assert_eq!(q["total"], 61);
        assert_eq!(q["counts"][0][1], 61);
        assert_eq!(q["items"].as_array().unwrap().len(), 50);
        assert_eq!(q["has_more"], true);
        let second = app
            .call(&staff, "/api/staff/requests", "kind=booking&page=2")
            .await
            .json();
        let rest = second["items"].as_array().unwrap();
        assert_eq!(rest.len(), 11);
        assert_eq!(second["has_more"], false);
        // Oldest first across pages: the last copy is the last row of all.
        assert_eq!(rest[10]["visit_reason"], "Copy 60");
        let ids = |v: &serde_json::Value| -> Vec<i64> {
            v["items"]
                .as_array()
                .unwrap()
                .iter()
                .map(|i| i["summary"]["id"].as_i64().unwrap())
                .collect()
        };
        let (a, b) = (ids(&q), ids(&second));
        assert!(a.iter().all(|id| !b.contains(id)), "pages overlap");
        // Every kind still counted, whatever page or filter is shown.
        let all = app
            .call(&staff, "/api/staff/requests", "page=2")
            .await
            .json();
        assert_eq!(all["total"], 63);
        assert_eq!(all["items"].as_array().unwrap().len(), 13);
    }
);

both!(staff_functions_need_staff, |app: TestApp| async move {
    let patient = app.patient().await;
    let id = app.appointment("Follow-up on blood pressure").await;
    let policy = "booking_notice_hours=1&cancellation_notice_hours=1&reschedule_notice_hours=1&cancellation_approval=never&reschedule_approval=never";
    for (path, body) in [
        ("/api/staff/requests", String::new()),
        ("/api/staff/appointment", format!("id={id}")),
        ("/api/staff/approve", format!("id={id}")),
        ("/api/staff/decline", format!("id={id}&reason=No")),
        (
            "/api/staff/propose",
            format!("id={id}&start=0&reason=a&note=b"),
        ),
        ("/api/staff/close", format!("id={id}&no_show=true")),
        ("/api/staff/free_times", format!("id={id}")),
        ("/api/staff/schedule", "week=false".to_string()),
        ("/api/staff/hours", "provider=1".to_string()),
        (
            "/api/staff/save_hours",
            "provider=1&slot_minutes=30".to_string(),
        ),
        (
            "/api/staff/day_off",
            "provider=1&day=2030-01-01&off=true".to_string(),
        ),
        ("/api/staff/policy", String::new()),
        ("/api/staff/save_policy", policy.to_string()),
    ] {
        let r = app.call(&patient, path, &body).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{path}");
        let r = app.send(app.post(path, &body)).await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{path}");
    }
    assert_eq!(app.state_of(id).await, "requested");
});

both!(
    approve_decline_and_their_refusals,
    |app: TestApp| async move {
        let staff = app.front_desk().await;
        let booking = app.appointment("Follow-up on blood pressure").await;
        let r = app
            .call(&staff, "/api/staff/approve", &format!("id={booking}"))
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert_eq!(app.state_of(booking).await, "confirmed");
        let subject: String =
            sqlx::query_scalar("SELECT subject FROM outbox ORDER BY id DESC LIMIT 1")
                .fetch_one(app.db.read())
                .await
                .unwrap();
        assert_eq!(subject, "Appointment confirmed");
        // Approving again (a double submit, or a confirmed appointment): refused.
        let r = app
            .call(&staff, "/api/staff/approve", &format!("id={booking}"))
            .await;
        assert_eq!(r.status, StatusCode::CONFLICT);

        let cancellation = app.appointment("Flu shot").await;
        let r = app
            .call(
                &staff,
                "/api/staff/decline",
                &format!("id={cancellation}&reason="),
            )
            .await;
        assert_eq!(
            r.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "a reason is required"
        );
        let r = app
            .call(
                &staff,
                "/api/staff/decline",
                &format!("id={cancellation}&reason={}", "x".repeat(501)),
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        let r = app
            .call(
                &staff,
                "/api/staff/decline",
                &format!("id={cancellation}&reason=Too+late+to+cancel"),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert_eq!(app.state_of(cancellation).await, "confirmed");
        // The patient sees the office's reason in the history, and "The office" as who.
        let patient = app.patient().await;
        let d = app
            .call(
                &patient,
                "/api/appointments/detail",
                &format!("id={cancellation}"),
            )
            .await
            .json();
        let last = d["history"].as_array().unwrap().last().unwrap().clone();
        assert_eq!(last["reason"], "Too late to cancel");
        assert_eq!(last["who"], "The office");

        let reschedule = app.appointment("Heart check").await;
        let before = app.starts_at(reschedule).await;
        let r = app
            .call(
                &staff,
                "/api/staff/decline",
                &format!("id={reschedule}&reason=Fully+booked"),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK);
        let after = app.starts_at(reschedule).await;
        assert_eq!(before, after, "confirmed at the old time");
        assert_eq!(
            app.count(&format!(
                "SELECT COUNT(*) FROM slot_holds WHERE appointment_id = {reschedule}"
            ))
            .await,
            1,
            "the asked-for slot is released"
        );
    }
);

both!(
    staff_of_another_practice_cannot_touch_it,
    |app: TestApp| async move {
        let harbor = app.harbor().await;
        let id = app.appointment("Follow-up on blood pressure").await;
        for (path, body) in [
            ("/api/staff/appointment", format!("id={id}")),
            ("/api/staff/approve", format!("id={id}")),
            ("/api/staff/decline", format!("id={id}&reason=No")),
            (
                "/api/staff/propose",
                format!("id={id}&start=0&reason=a&note=b"),
            ),
            ("/api/staff/close", format!("id={id}&no_show=true")),
            ("/api/staff/free_times", format!("id={id}")),
        ] {
            let r = app.call(&harbor, path, &body).await;
            assert_eq!(r.status, StatusCode::NOT_FOUND, "{path}: {}", r.body);
        }
        assert_eq!(app.state_of(id).await, "requested");
        assert!(
            app.count("SELECT COUNT(*) FROM audit_log WHERE action = 'appointment.denied'")
                .await
                >= 6
        );
        let patel = app.provider_id("Dr. Maya Patel").await;
        let r = app
            .call(&harbor, "/api/staff/hours", &format!("provider={patel}"))
            .await;
        assert_eq!(r.status, StatusCode::NOT_FOUND);
        let r = app
            .call(
                &harbor,
                "/api/staff/schedule",
                &format!("provider={patel}&week=true"),
            )
            .await;
        assert_eq!(r.status, StatusCode::NOT_FOUND);
    }
);

both!(
    proposing_a_time_then_the_patient_accepts,
    |app: TestApp| async move {
        let staff = app.admin().await;
        let id = app.appointment("Annual physical").await;
        let r = app
            .call(&staff, "/api/staff/free_times", &format!("id={id}"))
            .await;
        assert_eq!(r.status, StatusCode::OK);
        let new = r.json()[3][0].as_i64().unwrap();
        // Reason and note are both required.
        let r = app
            .call(
                &staff,
                "/api/staff/propose",
                &format!("id={id}&start={new}&reason=Provider+away&note="),
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        let r = app
            .call(
                &staff,
                "/api/staff/propose",
                &format!("id={id}&start={}&reason=a&note=b", new + 60),
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "not a slot");
        let r = app
            .call(
                &staff,
                "/api/staff/propose",
                &format!("id={id}&start={new}&reason=Provider+away&note=Could+you+come+later%3F"),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert_eq!(app.state_of(id).await, "proposed");
        let subject: String =
            sqlx::query_scalar("SELECT subject FROM outbox ORDER BY id DESC LIMIT 1")
                .fetch_one(app.db.read())
                .await
                .unwrap();
        assert_eq!(subject, "A new time was proposed for your appointment");
        let patient = app.patient().await;
        let d = app
            .call(&patient, "/api/appointments/detail", &format!("id={id}"))
            .await
            .json();
        assert_eq!(d["summary"]["state"], "Proposed");
        assert!(d["summary"]["pending_when"].as_str().is_some());
        assert_eq!(
            d["history"].as_array().unwrap().last().unwrap()["note"],
            "Could you come later?"
        );
        let r = app
            .call(
                &patient,
                "/api/appointments/answer_proposal",
                &format!("id={id}&accept=true"),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK);
        let starts = app.starts_at(id).await;
        assert_eq!(starts, new);
    }
);

both!(
    a_concurrent_approve_and_cancel_make_one_transition,
    |app: TestApp| async move {
        let patient = app.patient().await;
        let staff = app.admin().await;
        let app = std::sync::Arc::new(app);
        for round in 0..5 {
            let (id, _) = {
                let patel = app.provider_id("Dr. Maya Patel").await;
                let emma = app.chart_id("Emma", "America/New_York").await;
                let week = app.clear_week(round);
                let r = app
                    .call(
                        &patient,
                        "/api/appointments/week",
                        &format!("provider_id={patel}&week={week}"),
                    )
                    .await;
                let start = r.json()["days"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .flat_map(|d| d["slots"].as_array().unwrap().clone())
                    .next()
                    .unwrap()["start"]
                    .as_i64()
                    .unwrap();
                let r = app
                    .call(
                        &patient,
                        "/api/appointments/book",
                        &format!("provider_id={patel}&start={start}&record_id={emma}&reason=Race"),
                    )
                    .await;
                (r.body.trim().parse::<i64>().unwrap(), start)
            };
            let events = app
                .count(&format!(
                    "SELECT COUNT(*) FROM appointment_events WHERE appointment_id = {id}"
                ))
                .await;
            let outbox = app.count("SELECT COUNT(*) FROM outbox").await;
            let (a, b) = {
                let (a1, s1, p1) = (app.clone(), staff.clone(), patient.clone());
                let approve = tokio::spawn(async move {
                    a1.call(&s1, "/api/staff/approve", &format!("id={id}"))
                        .await
                });
                let a2 = app.clone();
                let cancel = tokio::spawn(async move {
                    a2.call(&p1, "/api/appointments/cancel_request", &format!("id={id}"))
                        .await
                });
                (approve.await.unwrap(), cancel.await.unwrap())
            };
            let oks = [a.status, b.status]
                .iter()
                .filter(|s| **s == StatusCode::OK)
                .count();
            assert_eq!(
                oks, 1,
                "exactly one wins: {} {} / {} {}",
                a.status, a.body, b.status, b.body
            );
            let loser = if a.status == StatusCode::OK { &b } else { &a };
            assert_eq!(loser.status, StatusCode::CONFLICT);
            assert!(loser.body.contains("Reload"), "{}", loser.body);
            assert_eq!(
                app.count(&format!(
                    "SELECT COUNT(*) FROM appointment_events WHERE appointment_id = {id}"
                ))
                .await,
                events + 1
            );
            assert_eq!(app.count("SELECT COUNT(*) FROM outbox").await, outbox + 1);
        }
    }
);

both!(
    past_appointments_are_completed_or_missed,
    |app: TestApp| async move {
        let staff = app.admin().await;
        let future = app.appointment("Annual physical").await;
        let r = app
            .call(
                &staff,
                "/api/staff/close",
                &format!("id={future}&no_show=true"),
            )
            .await;
        assert_eq!(
            r.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "not yet happened: {}",
            r.body
        );
        assert_eq!(app.state_of(future).await, "confirmed");
        // A day after the visit, wherever the demo data put it.
        let after = app.starts_at(future).await + 86_400;
        app.state.clock.advance(after - app.state.clock.now());
        let staff = app.admin().await;
        let r = app
            .call(
                &staff,
                "/api/staff/close",
                &format!("id={future}&no_show=true"),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert_eq!(app.state_of(future).await, "no_show");
    }
);

both!(
    policies_are_edited_by_admins_only,
    |app: TestApp| async move {
        let body = "online_booking=on&online_cancellation=on&booking_notice_hours=48&cancellation_notice_hours=12&reschedule_notice_hours=12&cancellation_approval=inside_window&reschedule_approval=always&late_cancellation_fee=25.50&no_show_fee=40";
        let desk = app.front_desk().await;
        let r = app.call(&desk, "/api/staff/save_policy", body).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
        assert_eq!(app.count("SELECT booking_notice_hours FROM policies WHERE provider_id IS NULL AND practice_id = (SELECT practice_id FROM staff_accounts WHERE username = 'admin')").await, 24);
        let r = app.call(&desk, "/api/staff/policy", "").await;
        assert_eq!(r.json()["can_edit"], false);
        let admin = app.admin().await;
        let r = app.call(&admin, "/api/staff/save_policy", body).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        let p = app.call(&admin, "/api/staff/policy", "").await.json();
        assert_eq!(p["policy"]["booking_notice_hours"], 48);
        assert_eq!(p["policy"]["online_rescheduling"], false);
        assert_eq!(p["policy"]["late_cancellation_fee_cents"], 2550);
        assert_eq!(p["policy"]["cancellation_approval"], "InsideNoticeWindow");
        // Existing bookings keep the policy they were booked under.
        let id = app.appointment("Annual physical").await;
        let patient = app.patient().await;
        let d = app
            .call(&patient, "/api/appointments/detail", &format!("id={id}"))
            .await
            .json();
        assert_eq!(d["policy"]["booking_notice_hours"], 24);
        // Bad values are refused.
        let r = app
            .call(
                &admin,
                "/api/staff/save_policy",
                &body.replace("=48", "=9999"),
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        let r = app
            .call(
                &admin,
                "/api/staff/save_policy",
                &body.replace("=25.50", "=lots"),
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    }
);

both!(
    online_booking_off_is_respected_and_explained,
    |app: TestApp| async move {
        let admin = app.admin().await;
        let body = "online_cancellation=on&booking_notice_hours=24&cancellation_notice_hours=24&reschedule_notice_hours=24&cancellation_approval=always&reschedule_approval=always";
        assert_eq!(
            app.call(&admin, "/api/staff/save_policy", body)
                .await
                .status,
            StatusCode::OK
        );
        let patient = app.patient().await;
        let r = app
            .call(&patient, "/api/appointments/providers", "q=patel")
            .await;
        let cards = r.json();
        assert!(cards[0]["not_bookable"]
            .as_str()
            .unwrap()
            .contains("does not take bookings online"));
        let patel = cards[0]["id"].as_i64().unwrap();
        let r = app
            .call(
                &patient,
                "/api/appointments/week",
                &format!("provider_id={patel}"),
            )
            .await;
        assert!(r.json()["days"]
            .as_array()
            .unwrap()
            .iter()
            .all(|d| d["slots"].as_array().unwrap().is_empty()));
    }
);

both!(hours_days_off_and_the_schedule, |app: TestApp| async move {
    let admin = app.admin().await;
    let patel = app.provider_id("Dr. Maya Patel").await;
    let form = app
        .call(&admin, "/api/staff/hours", &format!("provider={patel}"))
        .await
        .json();
    assert_eq!(form["slot_minutes"], 30);
    assert_eq!(form["days"][0]["start"], "09:00");
    assert_eq!(form["days"][0]["break_start"], "12:00");
    assert_eq!(form["days"][6]["start"], "");
    // Mondays only, 8 to 10, 20-minute slots.
    let mut body = format!("provider={patel}&slot_minutes=20");
    for wd in 0..7 {
        let (s, e) = if wd == 0 {
            ("08:00", "10:00")
        } else {
            ("", "")
        };
        body.push_str(&format!("&days[{wd}][weekday]={wd}&days[{wd}][label]=D&days[{wd}][start]={s}&days[{wd}][end]={e}&days[{wd}][break_start]=&days[{wd}][break_end]="));
    }
    let r = app.call(&admin, "/api/staff/save_hours", &body).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let patient = app.patient().await;
    let week = app.clear_week(0);
    let v = app
        .call(
            &patient,
            "/api/appointments/week",
            &format!("provider_id={patel}&week={week}"),
        )
        .await
        .json();
    let times: Vec<String> = v["days"][0]["slots"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["time"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(
        times,
        ["8:00 AM", "8:20 AM", "8:40 AM", "9:00 AM", "9:20 AM", "9:40 AM"]
    );
    assert!(v["days"][1]["slots"].as_array().unwrap().is_empty());
    // A day off removes that Monday.
    let monday = v["days"][0]["date"].as_str().unwrap().to_string();
    let r = app
        .call(
            &admin,
            "/api/staff/day_off",
            &format!("provider={patel}&day={monday}&off=true"),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
    let v = app
        .call(
            &patient,
            "/api/appointments/week",
            &format!("provider_id={patel}&week={week}"),
        )
        .await
        .json();
    assert!(v["days"][0]["slots"].as_array().unwrap().is_empty());
    // Bad hours are refused; front desk may not edit.
    let bad = body.replace("days[0][end]=10:00", "days[0][end]=07:00");
    let r = app.call(&admin, "/api/staff/save_hours", &bad).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let desk = app.front_desk().await;
    assert_eq!(
        app.call(&desk, "/api/staff/save_hours", &body).await.status,
        StatusCode::FORBIDDEN
    );
    // The schedule shows the week with seven days.
    let s = app
        .call(
            &desk,
            "/api/staff/schedule",
            &format!("provider={patel}&date={monday}&week=true"),
        )
        .await;
    assert_eq!(s.status, StatusCode::OK, "{}", s.body);
    let s = s.json();
    assert_eq!(s["days"].as_array().unwrap().len(), 7);
    assert_eq!(s["days"][0]["day_off"], true);
});

both!(
    a_new_slot_length_never_overlaps_a_booked_visit,
    |app: TestApp| async move {
        let patient = app.patient().await;
        let patel = app.provider_id("Dr. Maya Patel").await;
        let emma = app.chart_id("Emma", "America/New_York").await;
        let week = app.clear_week(0);
        let first = week_slots(&app, &patient, patel, week).await[0];
        let r = app
            .call(
                &patient,
                "/api/appointments/book",
                &format!("provider_id={patel}&start={first}&record_id={emma}&reason=Overlap"),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        // 20-minute slots from now on: the 20-minute mark overlaps the booked 30 minutes.
        let admin = app.admin().await;
        let mut body = format!("provider={patel}&slot_minutes=20");
        for wd in 0..7 {
            let (s, e, bs, be) = if wd < 5 {
                ("09:00", "17:00", "12:00", "13:00")
            } else {
                ("", "", "", "")
            };
            body.push_str(&format!("&days[{wd}][weekday]={wd}&days[{wd}][label]=D&days[{wd}][start]={s}&days[{wd}][end]={e}&days[{wd}][break_start]={bs}&days[{wd}][break_end]={be}"));
        }
        assert_eq!(
            app.call(&admin, "/api/staff/save_hours", &body)
                .await
                .status,
            StatusCode::OK
        );
        let now = week_slots(&app, &patient, patel, week).await;
        assert!(
            !now.contains(&first) && !now.contains(&(first + 1200)),
            "9:00 and 9:20 are taken"
        );
        assert!(now.contains(&(first + 2400)), "9:40 is free");
        let r = app
            .call(
                &patient,
                "/api/appointments/book",
                &format!(
                    "provider_id={patel}&start={}&record_id={emma}&reason=Overlap",
                    first + 1200
                ),
            )
            .await;
        assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.body);
        assert_eq!(
            app.count("SELECT COUNT(*) FROM appointments WHERE visit_reason = 'Overlap'")
                .await,
            1
        );
    }
);

async fn week_slots(
    app: &TestApp,
    cookie: &str,
    provider: i64,
    week: chrono::NaiveDate,
) -> Vec<i64> {
    let v = app
        .call(
            cookie,
            "/api/appointments/week",
            &format!("provider_id={provider}&week={week}"),
        )
        .await
        .json();
    v["days"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|d| d["slots"].as_array().unwrap().clone())
        .map(|s| s["start"].as_i64().unwrap())
        .collect()
}
