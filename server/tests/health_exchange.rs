//! The health record leaving Portico, request by request, on SQLite and PostgreSQL: the three
//! downloads, sending by secure link and by plain email, the recipient's page, the activity
//! log, limits and refusals, and the FHIR round trip.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::collections::HashSet;

use axum::http::StatusCode;
use serde_json::Value;
use support::TestApp;

use app::ssr::{
    audit::Actor,
    fhir::{
        export::us_core_missing,
        import::{import, Target},
    },
};

fn form(pairs: &[(&str, &str)]) -> String {
    pairs
        .iter()
        .map(|(k, v)| format!("{k}={}", app::url::encode(v)))
        .collect::<Vec<_>>()
        .join("&")
}

async fn download(app: &TestApp, cookie: &str, path: &str) -> support::Reply {
    app.send(app.get(path).cookie(cookie)).await
}

/// Every reference in `v` (outside the entry's fullUrl).
fn references(v: &Value, out: &mut Vec<String>) {
    match v {
        Value::Object(m) => {
            if let Some(Value::String(r)) = m.get("reference") {
                out.push(r.clone());
            }
            m.values().for_each(|c| references(c, out));
        }
        Value::Array(a) => a.iter().for_each(|c| references(c, out)),
        _ => {}
    }
}

both!(
    the_fhir_download_is_a_self_contained_us_core_bundle,
    |app: TestApp| async move {
        let patient = app.patient_at_riverside().await;
        let r = download(&app, &patient, "/health-record/download/fhir").await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert_eq!(r.headers["content-type"], "application/fhir+json");
        assert!(r.headers["content-disposition"]
            .to_str()
            .unwrap()
            .starts_with("attachment; filename=\"health-record-"));
        let b: Value = serde_json::from_str(&r.body).unwrap();
        assert_eq!(
            (b["resourceType"].as_str(), b["type"].as_str()),
            (Some("Bundle"), Some("collection"))
        );
        let entries = b["entry"].as_array().unwrap();
        let urls: HashSet<&str> = entries
            .iter()
            .map(|e| e["fullUrl"].as_str().unwrap())
            .collect();
        assert_eq!(urls.len(), entries.len(), "fullUrls are unique");
        let mut refs = Vec::new();
        for e in entries {
            references(&e["resource"], &mut refs);
            assert_eq!(
                us_core_missing(&e["resource"]),
                Vec::<String>::new(),
                "{}",
                e["resource"]
            );
        }
        assert!(refs.len() > 50);
        for r in &refs {
            assert!(
                urls.contains(r.as_str()),
                "{r} does not resolve inside the file"
            );
        }
        let types: HashSet<&str> = entries
            .iter()
            .map(|e| e["resource"]["resourceType"].as_str().unwrap())
            .collect();
        for t in [
            "Patient",
            "Organization",
            "Condition",
            "MedicationRequest",
            "AllergyIntolerance",
            "Immunization",
            "Procedure",
            "CarePlan",
            "Observation",
            "DiagnosticReport",
        ] {
            assert!(types.contains(t), "{t}");
        }
        assert!(
            !types.contains("DocumentReference"),
            "chart notes are never exported"
        );
        assert!(!r.body.contains("Confidential chart note"));
        assert!(!r.body.contains("Thyrotropin"), "nor unshared results");

        // The filter applies: one day.
        let day = download(
            &app,
            &patient,
            "/health-record/download/fhir?from=2025-03-10",
        )
        .await;
        let b: Value = serde_json::from_str(&day.body).unwrap();
        let clinical: Vec<&Value> = b["entry"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| &e["resource"])
            .filter(|r| r["resourceType"] != "Patient" && r["resourceType"] != "Organization")
            .collect();
        assert!(!clinical.is_empty());
        for r in clinical {
            let d = r["effectiveDateTime"]
                .as_str()
                .or(r["issued"].as_str())
                .or(r["occurrenceDateTime"].as_str())
                .or(r["onsetDateTime"].as_str())
                .unwrap_or("?");
            assert!(d.starts_with("2025-03-10"), "{d}: {r}");
        }
    }
);

both!(
    the_printable_page_and_the_pdf_hold_the_same_record,
    |app: TestApp| async move {
        let patient = app.patient_at_riverside().await;
        let print = download(&app, &patient, "/health-record/download/print").await;
        assert_eq!(print.status, StatusCode::OK);
        assert!(print.headers["content-disposition"]
            .to_str()
            .unwrap()
            .starts_with("inline"));
        assert!(print.body.contains("Health record summary: Emma Carter"));
        assert!(print.body.contains("Essential hypertension"));
        assert!(print.body.contains("6.1%"));
        assert!(!print.body.contains("Confidential chart note"));
        assert!(!print.body.contains("Thyrotropin"));
        let pdf = download(
            &app,
            &patient,
            "/health-record/download/pdf?from=2025-01-01&to=2025-12-31",
        )
        .await;
        assert_eq!(
            (pdf.status, pdf.headers["content-type"].to_str().unwrap()),
            (StatusCode::OK, "application/pdf")
        );
        assert!(pdf.body.starts_with("%PDF-"));
        let hex = |t: &str| t.bytes().map(|b| format!("{b:02x}")).collect::<String>();
        let lower = pdf.body.to_lowercase();
        assert!(
            !lower.contains(&hex("Confidential")) && !pdf.body.contains("Confidential"),
            "no chart note in the PDF"
        );
        assert!(
            lower.contains(&hex("Hemoglobin A1c")) || pdf.body.contains("Hemoglobin A1c"),
            "the PDF holds the record"
        );
        let details: Vec<String> = sqlx::query_scalar(
            "SELECT detail FROM audit_log WHERE action = 'health.download' ORDER BY id",
        )
        .fetch_all(app.db.read())
        .await
        .unwrap();
        assert_eq!(
            details,
            vec![
                "printable page".to_string(),
                "PDF · From Jan 1, 2025 to Dec 31, 2025".into()
            ]
        );
        let bad = download(
            &app,
            &patient,
            "/health-record/download/pdf?from=2025-02-30",
        )
        .await;
        assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(
            download(&app, &patient, "/health-record/download/docx")
                .await
                .status,
            StatusCode::NOT_FOUND
        );
    }
);

both!(
    downloads_are_refused_to_others_and_limited,
    |app: TestApp| async move {
        let signed_out = app.send(app.get("/health-record/download/fhir")).await;
        assert!(
            matches!(
                signed_out.status,
                StatusCode::UNAUTHORIZED | StatusCode::SEE_OTHER
            ),
            "{}",
            signed_out.status
        );
        assert!(!signed_out.body.contains("Emma"));
        let admin = app.admin().await;
        let staff = download(&app, &admin, "/health-record/download/fhir").await;
        assert_ne!(staff.status, StatusCode::OK);
        assert!(!staff.body.contains("hypertension"));

        let patient = app.patient().await;
        for _ in 0..50 {
            assert_eq!(
                download(&app, &patient, "/health-record/download/print")
                    .await
                    .status,
                StatusCode::OK
            );
        }
        let over = download(&app, &patient, "/health-record/download/print").await;
        assert_eq!(over.status, StatusCode::TOO_MANY_REQUESTS);
        assert!(over.body.contains("many times today"));
        let send = app
            .call(
                &patient,
                "/api/health/send",
                &form(&[("to_email", "dr@clinic.example"), ("method", "secure")]),
            )
            .await;
        assert_eq!(
            send.status,
            StatusCode::TOO_MANY_REQUESTS,
            "sending shares the allowance"
        );
    }
);

async fn secure_send(app: &TestApp, cookie: &str, to: &str) -> (i64, String, String) {
    let r = app
        .call(
            cookie,
            "/api/health/send",
            &form(&[
                ("to_email", to),
                ("method", "secure"),
                ("from", "2025-03-10"),
            ]),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let id = r.json().as_i64().unwrap();
    let sent = app
        .call(cookie, "/api/health/sent", &format!("id={id}"))
        .await
        .json();
    let code = sent["code"].as_str().unwrap().to_string();
    let token = app.link_token(to, "/shared-record/").await;
    (id, code, token)
}

async fn enter(app: &TestApp, token: &str, code: &str) -> support::Reply {
    app.send(app.post(&format!("/shared-record/{token}"), &format!("code={code}")))
        .await
}

both!(
    a_secure_link_opens_once_with_the_code,
    |app: TestApp| async move {
        let patient = app.patient_at_riverside().await;
        let (id, code, token) = secure_send(&app, &patient, "dr.lee@clinic.example").await;
        assert_eq!(code.len(), 6);
        let (subject, body) = app.last_message_to("dr.lee@clinic.example").await.unwrap();
        assert_eq!(
            subject,
            "Emma Carter sent you health information from Riverside Family Medicine"
        );
        assert!(
            !body.contains(&code),
            "the code never travels with the link"
        );
        assert!(!body.contains("hypertension"));

        let form_page = app.send(app.get(&format!("/shared-record/{token}"))).await;
        assert_eq!(form_page.status, StatusCode::OK);
        assert!(form_page.body.contains("Enter the 6-digit code"));
        assert_eq!(form_page.headers["referrer-policy"], "no-referrer");
        let wrong = if code == "000000" { "111111" } else { "000000" };
        let r = enter(&app, &token, wrong).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.body.contains("That code is not right"));
        let r = enter(&app, &token, &code).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert!(r.body.contains("Health record summary: Emma Carter"));
        assert!(r.body.contains("On Mar 10, 2025"), "the sender's filter");
        assert!(!r.body.contains("Confidential chart note"));
        assert_eq!(
            enter(&app, &token, &code).await.status,
            StatusCode::NOT_FOUND,
            "single use"
        );
        assert_eq!(
            app.send(app.get(&format!("/shared-record/{token}")))
                .await
                .status,
            StatusCode::NOT_FOUND
        );
        let sent = app
            .call(&patient, "/api/health/sent", &format!("id={id}"))
            .await
            .json();
        assert_eq!(
            (sent["code"].clone(), sent["opened"].as_bool()),
            (Value::Null, Some(true))
        );

        // Three wrong codes end a link.
        let (_, code, token) = secure_send(&app, &patient, "nurse@clinic.example").await;
        let wrong = if code == "000000" { "111111" } else { "000000" };
        let mut statuses = Vec::new();
        for _ in 0..3 {
            statuses.push(enter(&app, &token, wrong).await.status);
        }
        assert_eq!(
            statuses,
            vec![
                StatusCode::UNPROCESSABLE_ENTITY,
                StatusCode::UNPROCESSABLE_ENTITY,
                StatusCode::NOT_FOUND
            ]
        );
        assert_eq!(
            enter(&app, &token, &code).await.status,
            StatusCode::NOT_FOUND
        );
        // A made-up token shows nothing.
        assert_eq!(
            app.send(app.get(&format!("/shared-record/{}", "ab".repeat(32))))
                .await
                .status,
            StatusCode::NOT_FOUND
        );

        // Another account cannot read this account's confirmation.
        let harbor_patient_cookie = app.admin().await;
        assert_ne!(
            app.call(
                &harbor_patient_cookie,
                "/api/health/sent",
                &format!("id={id}")
            )
            .await
            .status,
            StatusCode::OK
        );
    }
);

both!(
    plain_email_needs_send_anyway_and_carries_the_summary,
    |app: TestApp| async move {
        let patient = app.patient_at_riverside().await;
        let r = app
            .call(
                &patient,
                "/api/health/send",
                &form(&[("to_email", "me@home.example"), ("method", "plain")]),
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.body.contains("Send anyway"), "{}", r.body);
        assert_eq!(
            app.count("SELECT COUNT(*) FROM outbox WHERE recipient = 'me@home.example'")
                .await,
            0
        );
        for (to, why) in [
            ("", "Enter the email address"),
            ("not-an-address", "like name@example.com"),
        ] {
            let r = app
                .call(
                    &patient,
                    "/api/health/send",
                    &form(&[("to_email", to), ("method", "secure")]),
                )
                .await;
            assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
            assert!(r.body.contains(why), "{}", r.body);
        }
        let r = app
            .call(
                &patient,
                "/api/health/send",
                &form(&[
                    ("to_email", "me@home.example"),
                    ("method", "plain"),
                    ("send_anyway", "yes"),
                ]),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        let (name, attachment): (String, String) = sqlx::query_as(
            "SELECT attachment_name, attachment FROM outbox WHERE recipient = 'me@home.example'",
        )
        .fetch_one(app.db.read())
        .await
        .unwrap();
        assert!(name.ends_with(".html"));
        assert!(
            attachment.contains("Essential hypertension")
                && !attachment.contains("Confidential chart note")
        );
        let sent = app
            .call(&patient, "/api/health/sent", &format!("id={}", r.json()))
            .await
            .json();
        assert_eq!(
            (sent["method"].as_str(), sent["code"].clone()),
            (Some("Plain"), Value::Null)
        );
        // Signed out and staff may not send.
        assert_eq!(
            app.call(
                "",
                "/api/health/send",
                "to_email=a%40b.example&method=secure"
            )
            .await
            .status,
            StatusCode::UNAUTHORIZED
        );
        let admin = app.admin().await;
        assert_eq!(
            app.call(
                &admin,
                "/api/health/send",
                "to_email=a%40b.example&method=secure"
            )
            .await
            .status,
            StatusCode::FORBIDDEN
        );
    }
);

both!(
    the_activity_log_shows_what_the_account_did,
    |app: TestApp| async move {
        let patient = app.patient_at_riverside().await;
        app.call(&patient, "/api/health/record", "").await;
        download(&app, &patient, "/health-record/download/pdf").await;
        app.call(
            &patient,
            "/api/health/send",
            &form(&[("to_email", "dr@clinic.example"), ("method", "secure")]),
        )
        .await;
        let log = app.call(&patient, "/api/activity", "").await;
        assert_eq!(log.status, StatusCode::OK, "{}", log.body);
        let rows = log.json()["rows"].as_array().unwrap().clone();
        let what: Vec<&str> = rows.iter().map(|r| r["what"].as_str().unwrap()).collect();
        assert_eq!(
            what[0],
            "Sent the health record: Secure link to dr@clinic.example"
        );
        assert_eq!(what[1], "Downloaded the health record: PDF");
        assert_eq!(what[2], "Viewed the health record");
        assert!(what.contains(&"Signed in"));
        assert_eq!(rows[0]["who"], "Emma Carter");
        assert_eq!(rows[0]["record"], "Emma Carter");

        // As Lily's representative.
        let lily = app.chart_id("Lily", "America/Los_Angeles").await;
        app.send(
            app.post("/api/records/select", &format!("record_id={lily}"))
                .cookie(&patient),
        )
        .await;
        app.call(&patient, "/api/health/record", "").await;
        let rows = app
            .call(&patient, "/api/activity", "kind=health_record")
            .await
            .json()["rows"]
            .as_array()
            .unwrap()
            .clone();
        assert_eq!(
            (rows[0]["who"].as_str(), rows[0]["record"].as_str()),
            (Some("Emma Carter (representative)"), Some("Lily Carter"))
        );
        assert!(rows.iter().all(|r| r["kind"] == "HealthRecord"));
        let none = app
            .call(&patient, "/api/activity", "kind=messages")
            .await
            .json();
        assert!(none["rows"].as_array().unwrap().is_empty());
        assert_eq!(
            app.call(&patient, "/api/activity", "kind=everything")
                .await
                .status,
            StatusCode::UNPROCESSABLE_ENTITY
        );

        let csv = app
            .send(app.get("/activity.csv?kind=health_record").cookie(&patient))
            .await;
        assert_eq!(csv.status, StatusCode::OK);
        assert!(csv
            .body
            .starts_with("Date and time,Who,Record,Kind,What\r\n"));
        assert!(csv.body.contains(
            "Emma Carter (representative),Lily Carter,Health record,Viewed the health record"
        ));
        // Another account's log holds none of this; staff have no patient log.
        let admin = app.admin().await;
        assert_eq!(
            app.call(&admin, "/api/activity", "").await.status,
            StatusCode::FORBIDDEN
        );
        assert_eq!(
            app.call("", "/api/activity", "").await.status,
            StatusCode::UNAUTHORIZED
        );
    }
);

both!(
    export_then_import_leaves_the_record_as_it_was,
    |app: TestApp| async move {
        let patient = app.patient_at_riverside().await;
        let before = app.call(&patient, "/api/health/record", "").await.json();
        let exported = download(&app, &patient, "/health-record/download/fhir")
            .await
            .body;
        let riverside: i64 =
            sqlx::query_scalar("SELECT id FROM practices WHERE time_zone = 'America/New_York'")
                .fetch_one(app.db.read())
                .await
                .unwrap();
        let now = app.state.clock.now();
        let first = import(
            &app.db,
            now,
            Target::Practice(riverside),
            &exported,
            Actor::System,
        )
        .await
        .unwrap();
        assert_eq!(first.added, 0, "nothing new: {}", first.summary());
        let after = app.call(&patient, "/api/health/record", "").await.json();
        assert_eq!(before, after);
        let again = download(&app, &patient, "/health-record/download/fhir")
            .await
            .body;
        let strip = |s: &str| {
            let mut v: Value = serde_json::from_str(s).unwrap();
            v["timestamp"] = Value::Null;
            v
        };
        assert_eq!(
            strip(&exported),
            strip(&again),
            "exporting again gives the same file"
        );
        let second = import(
            &app.db,
            now,
            Target::Practice(riverside),
            &again,
            Actor::System,
        )
        .await
        .unwrap();
        assert_eq!((second.added, second.updated), (0, 0));
    }
);
