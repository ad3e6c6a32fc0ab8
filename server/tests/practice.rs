//! Running the practice: the audit log (admins only, filtered, paged, exported), the staff
//! overview's counts, the patient's home page, and the list's cancel and reschedule offers.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use axum::http::StatusCode;
use serde_json::Value;
use support::TestApp;

use app::ssr::demo_health;

async fn audit(app: &TestApp, cookie: &str, query: &str) -> Value {
    let r = app.call(cookie, "/api/staff/audit", query).await;
    assert_eq!(r.status, StatusCode::OK, "{query}: {}", r.body);
    r.json()
}

fn actions(page: &Value) -> Vec<String> {
    page["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["action"].as_str().unwrap().to_string())
        .collect()
}

async fn staff_id(app: &TestApp, username: &str) -> i64 {
    sqlx::query_scalar("SELECT id FROM staff_accounts WHERE username = $1")
        .bind(username)
        .fetch_one(app.db.read())
        .await
        .unwrap()
}

both!(
    the_audit_log_shows_a_chart_opened_by_a_colleague,
    |app: TestApp| async move {
        let chart = app.chart_id("Emma", "America/New_York").await;
        let desk = app.front_desk().await;
        let r = app
            .call(&desk, "/api/staff/patient", &format!("id={chart}"))
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);

        let admin = app.admin().await;
        let marcus = staff_id(&app, "frontdesk").await;
        let page = audit(&app, &admin, &format!("chart={chart}&staff={marcus}")).await;
        assert_eq!(page["chart_name"], "Carter, Emma");
        let row = &page["rows"][0];
        assert_eq!(row["action"], "chart.view");
        assert_eq!(row["what"], "Opened the chart");
        assert_eq!(row["who"], "Marcus Lee (Front desk)");
        assert_eq!(row["chart"], "Carter, Emma");
        assert_eq!(row["chart_id"], chart);
        // The keyed hash of the address, never the address itself.
        let address = row["address"].as_str().unwrap();
        assert!(address.starts_with("ip:") && !address.contains("127.0.0.1"));
        // Only that member's rows, only that chart's.
        assert!(page["rows"]
            .as_array()
            .unwrap()
            .iter()
            .all(|r| r["who"] == "Marcus Lee (Front desk)" && r["chart_id"] == chart));

        // Kinds: a chart view is a record read, not a message.
        let records = audit(&app, &admin, &format!("chart={chart}&kind=records")).await;
        assert!(actions(&records).contains(&"chart.view".to_string()));
        let messages = audit(&app, &admin, &format!("chart={chart}&kind=messages")).await;
        assert!(!actions(&messages).contains(&"chart.view".to_string()));
        assert!(actions(&messages).iter().all(|a| a.starts_with("message.")));
        // Dates are the practice's days: nothing on a day long ago.
        let empty = audit(&app, &admin, "from=2001-01-01&to=2001-01-02").await;
        assert_eq!(empty["rows"].as_array().unwrap().len(), 0);
        // Reading the log is itself logged.
        assert!(
            app.count("SELECT COUNT(*) FROM audit_log WHERE action = 'audit.view'")
                .await
                >= 4
        );
        // Bad filters are refused by field.
        for q in ["chart=abc", "kind=everything", "page=0", "from=yesterday"] {
            let r = app.call(&admin, "/api/staff/audit", q).await;
            assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{q}");
        }
    }
);

both!(the_audit_log_pages_and_exports, |app: TestApp| async move {
    let admin = app.admin().await;
    let chart = app.chart_id("Emma", "America/New_York").await;
    for _ in 0..55 {
        let r = app
            .call(&admin, "/api/staff/patient", &format!("id={chart}"))
            .await;
        assert_eq!(r.status, StatusCode::OK);
    }
    let q = format!("chart={chart}&kind=records");
    let first = audit(&app, &admin, &q).await;
    assert_eq!(first["rows"].as_array().unwrap().len(), 50);
    assert_eq!(first["has_more"], true);
    let second = audit(&app, &admin, &format!("{q}&page=2")).await;
    let total: i64 = app
        .count(&format!(
            "SELECT COUNT(*) FROM audit_log WHERE chart_id = {chart} \
                 AND (action LIKE 'chart.%' OR action LIKE 'health.%')"
        ))
        .await;
    assert_eq!(second["rows"].as_array().unwrap().len() as i64, total - 50);
    assert_eq!(second["has_more"], false);
    // Newest first, and the pages do not overlap.
    assert_eq!(first["rows"][0]["action"], "chart.view");

    let csv = app
        .send(app.get(&format!("/staff/audit.csv?{q}")).cookie(&admin))
        .await;
    assert_eq!(csv.status, StatusCode::OK, "{}", csv.body);
    assert_eq!(csv.headers["content-type"], "text/csv; charset=utf-8");
    let lines: Vec<&str> = csv.body.lines().collect();
    assert!(lines[0].starts_with("Date and time,Who,Address (keyed hash),Chart"));
    assert_eq!(lines.len() as i64 - 1, total);
    assert!(lines[1].contains("\"Carter, Emma\""));
    assert_eq!(
        app.count("SELECT COUNT(*) FROM audit_log WHERE action = 'audit.export'")
            .await,
        1
    );
});

both!(
    only_admins_of_the_practice_read_its_log,
    |app: TestApp| async move {
        let chart = app.chart_id("Emma", "America/New_York").await;
        let desk = app.front_desk().await;
        assert_eq!(
            app.call(&desk, "/api/staff/audit", "").await.status,
            StatusCode::FORBIDDEN
        );
        let csv = app.send(app.get("/staff/audit.csv").cookie(&desk)).await;
        assert_eq!(csv.status, StatusCode::FORBIDDEN);
        assert_eq!(
            app.count("SELECT COUNT(*) FROM audit_log WHERE action = 'audit.denied'")
                .await,
            2
        );
        let patient = app.patient().await;
        assert_eq!(
            app.call(&patient, "/api/staff/audit", "").await.status,
            StatusCode::FORBIDDEN
        );
        // Staff pages send anyone else to the staff sign-in.
        let r = app.send(app.get("/staff/audit.csv").cookie(&patient)).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
        assert!(r.location().unwrap().starts_with("/staff/login"));
        assert_eq!(
            app.call("", "/api/staff/audit", "").await.status,
            StatusCode::UNAUTHORIZED
        );
        assert_eq!(
            app.send(app.get("/staff/audit.csv")).await.status,
            StatusCode::SEE_OTHER
        );
        // Another practice's admin sees none of Riverside's charts, and cannot filter on one.
        let harbor = app.harbor().await;
        let r = app
            .call(&harbor, "/api/staff/audit", &format!("chart={chart}"))
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        let page = audit(&app, &harbor, "").await;
        assert!(page["rows"]
            .as_array()
            .unwrap()
            .iter()
            .all(|r| r["chart_id"] != chart && r["who"] != "Marcus Lee (Front desk)"));
        assert!(!page["rows"].as_array().unwrap().is_empty());
    }
);

both!(
    patients_opening_an_appointment_are_logged,
    |app: TestApp| async move {
        let patient = app.patient_at_riverside().await;
        let chart = app.chart_id("Emma", "America/New_York").await;
        let id: i64 = sqlx::query_scalar(
            "SELECT id FROM appointments WHERE chart_id = $1 ORDER BY id LIMIT 1",
        )
        .bind(chart)
        .fetch_one(app.db.read())
        .await
        .unwrap();
        let r = app
            .call(&patient, "/api/appointments/detail", &format!("id={id}"))
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        let admin = app.admin().await;
        let page = audit(&app, &admin, "kind=appointments").await;
        let row = page["rows"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["action"] == "appointment.view")
            .expect("the view is logged");
        assert_eq!(row["who"], "Emma Carter (patient)");
        assert_eq!(row["what"], "Viewed an appointment");
    }
);

both!(
    the_staff_overview_counts_what_needs_doing,
    |app: TestApp| async move {
        let admin = app.admin().await;
        let practice: i64 =
            sqlx::query_scalar("SELECT practice_id FROM staff_accounts WHERE username = 'admin'")
                .fetch_one(app.db.read())
                .await
                .unwrap();
        // One visit moved to an hour from now is on today's list.
        let now = app.state.clock.now();
        let today: i64 = sqlx::query_scalar(
            "SELECT id FROM appointments WHERE practice_id = $1 AND state = 'confirmed' ORDER BY id LIMIT 1",
        )
        .bind(practice)
        .fetch_one(app.db.read())
        .await
        .unwrap();
        sqlx::query("UPDATE appointments SET starts_at = $1, ends_at = $2 WHERE id = $3")
            .bind(now + 3600)
            .bind(now + 5400)
            .bind(today)
            .execute(app.db.write())
            .await
            .unwrap();

        let o = app.call(&admin, "/api/staff/overview", "").await;
        assert_eq!(o.status, StatusCode::OK, "{}", o.body);
        let o = o.json();
        assert!(o["today"]
            .as_array()
            .unwrap()
            .iter()
            .any(|a| a["id"] == today));
        for (kind, state) in [
            ("Booking", "requested"),
            ("Cancellation", "cancellation_requested"),
            ("Reschedule", "reschedule_requested"),
        ] {
            let n = app
                .count(&format!(
                    "SELECT COUNT(*) FROM appointments WHERE practice_id = {practice} AND state = '{state}'"
                ))
                .await;
            let shown = o["requests"]
                .as_array()
                .unwrap()
                .iter()
                .find(|p| p[0] == kind)
                .unwrap()[1]
                .as_i64()
                .unwrap();
            assert_eq!(shown, n, "{kind}");
        }
        let replies = app
            .count(&format!(
                "SELECT COUNT(*) FROM conversations WHERE practice_id = {practice} AND status = 'open' AND needs_reply = 1"
            ))
            .await;
        assert_eq!(o["needs_reply"], replies);
        let unshared = o["unshared_total"].as_i64().unwrap();
        assert_eq!(unshared as usize, o["unshared"].as_array().unwrap().len());
        assert!(o["unshared"]
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r["title"] == demo_health::UNSHARED_REPORTS[0]));

        // Sharing a result takes it off the list.
        let chart = app.chart_id("Emma", "America/New_York").await;
        let tsh: i64 =
            sqlx::query_scalar("SELECT id FROM health_entries WHERE chart_id = $1 AND title = $2")
                .bind(chart)
                .bind(demo_health::UNSHARED_REPORTS[0])
                .fetch_one(app.db.read())
                .await
                .unwrap();
        let r = app
            .call(
                &admin,
                "/api/staff/share_result",
                &format!("chart={chart}&id={tsh}"),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        let after = app.call(&admin, "/api/staff/overview", "").await.json();
        assert_eq!(after["unshared_total"], unshared - 1);

        // Front desk staff see it too; patients and strangers do not.
        let desk = app.front_desk().await;
        assert_eq!(
            app.call(&desk, "/api/staff/overview", "").await.status,
            StatusCode::OK
        );
        let patient = app.patient().await;
        assert_eq!(
            app.call(&patient, "/api/staff/overview", "").await.status,
            StatusCode::FORBIDDEN
        );
        assert_eq!(
            app.call("", "/api/staff/overview", "").await.status,
            StatusCode::UNAUTHORIZED
        );
    }
);

both!(
    the_patient_home_shows_what_waits,
    |app: TestApp| async move {
        let patient = app.patient_at_riverside().await;
        let chart = app.chart_id("Emma", "America/New_York").await;
        // Results shared before the record was last opened are not new.
        assert_eq!(
            app.call(&patient, "/api/health/record", "").await.status,
            StatusCode::OK
        );
        app.state.clock.advance(60);
        let now = app.state.clock.now();
        let home = app.call(&patient, "/api/home", "").await;
        assert_eq!(home.status, StatusCode::OK, "{}", home.body);
        let home = home.json();
        let next: i64 = sqlx::query_scalar(
            "SELECT id FROM appointments WHERE chart_id = $1 AND ends_at > $2 AND state IN \
             ('requested', 'confirmed', 'cancellation_requested', 'reschedule_requested', 'proposed') \
             ORDER BY starts_at, id LIMIT 1",
        )
        .bind(chart)
        .bind(now)
        .fetch_one(app.db.read())
        .await
        .unwrap();
        assert_eq!(home["next"]["id"], next);
        let proposed: Vec<i64> = sqlx::query_scalar(
            "SELECT id FROM appointments WHERE chart_id = $1 AND state = 'proposed' AND ends_at > $2",
        )
        .bind(chart)
        .bind(now)
        .fetch_all(app.db.read())
        .await
        .unwrap();
        let hrefs: Vec<String> = home["waiting"]
            .as_array()
            .unwrap()
            .iter()
            .map(|w| w["href"].as_str().unwrap().to_string())
            .collect();
        for id in &proposed {
            assert!(hrefs.contains(&format!("/appointments/{id}")), "{hrefs:?}");
        }
        assert!(!hrefs.contains(&"/health-record".to_string()));

        // A result shared by the practice waits until the record is opened.
        let admin = app.admin().await;
        let tsh: i64 =
            sqlx::query_scalar("SELECT id FROM health_entries WHERE chart_id = $1 AND title = $2")
                .bind(chart)
                .bind(demo_health::UNSHARED_REPORTS[0])
                .fetch_one(app.db.read())
                .await
                .unwrap();
        app.state.clock.advance(60);
        let r = app
            .call(
                &admin,
                "/api/staff/share_result",
                &format!("chart={chart}&id={tsh}"),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK);
        let home = app.call(&patient, "/api/home", "").await.json();
        let item = home["waiting"]
            .as_array()
            .unwrap()
            .iter()
            .find(|w| w["href"] == "/health-record")
            .expect("the new result waits");
        assert_eq!(item["text"], "1 new result in your health record.");
        app.state.clock.advance(60);
        assert_eq!(
            app.call(&patient, "/api/health/record", "").await.status,
            StatusCode::OK
        );
        let home = app.call(&patient, "/api/home", "").await.json();
        assert!(home["waiting"]
            .as_array()
            .unwrap()
            .iter()
            .all(|w| w["href"] != "/health-record"));

        // Staff have no patient home.
        assert_eq!(
            app.call(&admin, "/api/home", "").await.status,
            StatusCode::FORBIDDEN
        );
        assert_eq!(
            app.call("", "/api/home", "").await.status,
            StatusCode::UNAUTHORIZED
        );
    }
);

both!(
    the_list_offers_what_the_page_offers,
    |app: TestApp| async move {
        let patient = app.patient_at_riverside().await;
        let list = app
            .call(&patient, "/api/appointments/list", "filter=upcoming")
            .await;
        assert_eq!(list.status, StatusCode::OK);
        let list = list.json();
        let items = list.as_array().unwrap();
        assert!(!items.is_empty());
        for a in items {
            let id = a["id"].as_i64().unwrap();
            let d = app
                .call(&patient, "/api/appointments/detail", &format!("id={id}"))
                .await
                .json();
            let state = a["state"].as_str().unwrap();
            let far = a["starts_at"].as_i64().unwrap() - app.state.clock.now() > 48 * 3600;
            match state {
                // A pending booking is cancelled at once, whenever it is.
                "Requested" => assert_eq!(a["can_cancel"], true, "{id}"),
                // A visit already waiting on the office offers nothing more from the list.
                "CancellationRequested" | "RescheduleRequested" => {
                    assert_eq!(a["can_cancel"], false, "{id}");
                }
                "Confirmed" if far => {
                    assert_eq!(a["can_cancel"], true, "{id}");
                    assert_eq!(a["can_reschedule"], true, "{id}");
                }
                _ => {}
            }
            assert_eq!(d["summary"]["id"], id);
        }
        assert!(items.iter().any(|a| a["can_cancel"] == true));
        let cancelled = app
            .call(&patient, "/api/appointments/list", "filter=canceled")
            .await
            .json();
        assert!(cancelled
            .as_array()
            .unwrap()
            .iter()
            .all(|a| a["can_cancel"] == false && a["can_reschedule"] == false));
    }
);
