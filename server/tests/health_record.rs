//! The health record, request by request, on SQLite and PostgreSQL: the FHIR import (matching,
//! refusals, idempotency, corrections), what the patient sees and never sees, the date filter,
//! sharing results, and every refusal.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use axum::http::StatusCode;
use serde_json::{json, Value};
use support::TestApp;

use app::ssr::{
    audit::Actor,
    demo_health,
    fhir::import::{import, ImportError, Target},
};

async fn record(app: &TestApp, cookie: &str, filter: &str) -> Value {
    let r = app.call(cookie, "/api/health/record", filter).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    r.json()
}

fn section<'a>(rec: &'a Value, name: &str) -> Vec<&'a str> {
    rec["lists"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s[0] == name)
        .unwrap_or_else(|| panic!("no section {name}"))[1]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["title"].as_str().unwrap())
        .collect()
}

fn lab<'a>(rec: &'a Value, title_starts: &str) -> Option<&'a Value> {
    rec["labs"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["title"].as_str().unwrap().starts_with(title_starts))
}

async fn practice_id(app: &TestApp, zone: &str) -> i64 {
    sqlx::query_scalar("SELECT id FROM practices WHERE time_zone = $1")
        .bind(zone)
        .fetch_one(app.db.read())
        .await
        .unwrap()
}

async fn entry_id(app: &TestApp, chart: i64, title: &str) -> i64 {
    sqlx::query_scalar("SELECT id FROM health_entries WHERE chart_id = $1 AND title = $2")
        .bind(chart)
        .bind(title)
        .fetch_one(app.db.read())
        .await
        .unwrap()
}

/// The smallest bundle for a patient, with `resources` about them.
fn bundle(given: &str, family: &str, birth: &str, resources: Vec<Value>) -> String {
    bundle_with_mrn(
        &format!("{given}-{family}"),
        given,
        family,
        birth,
        resources,
    )
}

fn bundle_with_mrn(
    mrn: &str,
    given: &str,
    family: &str,
    birth: &str,
    resources: Vec<Value>,
) -> String {
    let mut entry = vec![json!({"resource": {
        "resourceType": "Patient", "id": "p1",
        "identifier": [{"system": "urn:test:mrn", "value": mrn}],
        "name": [{"family": family, "given": [given]}], "birthDate": birth
    }})];
    entry.extend(resources.into_iter().map(|r| json!({ "resource": r })));
    json!({"resourceType": "Bundle", "type": "collection", "entry": entry}).to_string()
}

fn problem(id: &str, display: &str) -> Value {
    json!({"resourceType": "Condition", "id": id, "subject": {"reference": "Patient/p1"},
           "clinicalStatus": {"coding": [{"code": "active"}]},
           "code": {"coding": [{"system": "http://snomed.info/sct", "code": "1", "display": display}]},
           "onsetDateTime": "2024-01-02"})
}

both!(
    the_demo_record_shows_every_section_and_only_shared_results,
    |app: TestApp| async move {
        let patient = app.patient_at_riverside().await;
        let rec = record(&app, &patient, "").await;
        assert_eq!(rec["patient_name"], "Emma Carter");
        assert_eq!(rec["practice"]["name"], "Riverside Family Medicine");
        assert!(section(&rec, "Problems").contains(&"Essential hypertension"));
        assert!(section(&rec, "Medications").contains(&"lisinopril 10 MG Oral Tablet"));
        assert_eq!(section(&rec, "Allergies"), vec!["Penicillin"]);
        assert!(section(&rec, "Immunizations").contains(&"Tdap"));
        assert_eq!(
            section(&rec, "Procedures"),
            vec!["Electrocardiographic procedure"]
        );
        assert_eq!(section(&rec, "CarePlans"), vec!["Blood pressure plan"]);
        assert_eq!(section(&rec, "Imaging"), vec!["XR Chest 2 Views"]);

        let a1c = lab(&rec, "Hemoglobin A1c").expect("the shared A1c");
        let latest = &a1c["results"][0];
        assert_eq!(
            (latest["value"].as_str(), latest["flag"].as_str()),
            (Some("6.1%"), Some("High"))
        );
        assert_eq!(latest["range"], "4–5.6%");
        assert_eq!(latest["lab"], "Riverside Regional Laboratory");
        assert_eq!(latest["specimen"], "Blood specimen");
        assert_eq!(
            a1c["results"].as_array().unwrap().len(),
            3,
            "the test's history"
        );
        let k = lab(&rec, "Potassium").unwrap();
        assert_eq!(
            (
                k["results"][0]["status"].as_str(),
                k["results"][0]["corrected"].as_bool()
            ),
            (Some("Corrected"), Some(true))
        );
        assert!(
            lab(&rec, "Thyrotropin").is_none(),
            "the unshared TSH stays hidden"
        );
        assert!(
            lab(&rec, "25-Hydroxyvitamin").is_none(),
            "and the vitamin D"
        );

        let bp: Vec<&Value> = rec["vitals"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|v| v["title"].as_str().unwrap().contains("blood pressure"))
            .collect();
        assert_eq!(bp.len(), 2, "systolic and diastolic");
        assert_eq!(bp[0]["rows"].as_array().unwrap().len(), 11);
        assert_eq!(bp[0]["points"].as_str().unwrap().split(' ').count(), 11);

        // Appointments beside the record, split at the server's clock.
        let chart = app.chart_id("Emma", "America/New_York").await;
        let now = app.state.clock.now();
        let upcoming = app.count(&format!("SELECT COUNT(*) FROM appointments WHERE chart_id = {chart} AND starts_at >= {now} AND state NOT IN ('declined', 'cancelled')")).await;
        let past = app.count(&format!("SELECT COUNT(*) FROM appointments WHERE chart_id = {chart} AND starts_at < {now} AND state NOT IN ('declined', 'cancelled')")).await;
        assert!(upcoming + past > 0, "the demo has appointments");
        assert_eq!(rec["upcoming"].as_array().unwrap().len() as i64, upcoming);
        assert_eq!(rec["past"].as_array().unwrap().len() as i64, past);

        let body = app.call(&patient, "/api/health/record", "").await.body;
        assert!(
            !body.contains("Confidential chart note"),
            "chart notes never reach the patient"
        );
        assert!(!body.contains("3.9"), "nor an unshared value");
        let page = app.send(app.get("/health-record").cookie(&patient)).await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(page.body.contains("Essential hypertension"));
        assert!(!page.body.contains("Confidential chart note"));
        assert!(!page.body.contains("Thyrotropin"));
    }
);

both!(
    a_representative_sees_the_record_they_represent,
    |app: TestApp| async move {
        let patient = app.patient().await;
        let lily = app.chart_id("Lily", "America/Los_Angeles").await;
        let r = app
            .send(
                app.post("/api/records/select", &format!("record_id={lily}"))
                    .cookie(&patient),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        let rec = record(&app, &patient, "").await;
        assert_eq!(rec["patient_name"], "Lily Carter");
        assert_eq!(section(&rec, "Problems"), vec!["Asthma"]);
        assert_eq!(
            lab(&rec, "Hemoglobin").unwrap()["results"][0]["flag"],
            "Low"
        );
        assert_eq!(
            app.count(&format!(
                "SELECT COUNT(*) FROM audit_log WHERE action = 'health.view' AND chart_id = {lily}"
            ))
            .await,
            1
        );
    }
);

both!(
    the_date_filter_is_one_day_or_a_range,
    |app: TestApp| async move {
        let patient = app.patient_at_riverside().await;
        let day = record(&app, &patient, "from=2025-03-10").await;
        assert_eq!(day["filter_label"], "On Mar 10, 2025");
        assert_eq!(
            lab(&day, "Hemoglobin A1c").unwrap()["results"]
                .as_array()
                .unwrap()
                .len(),
            1
        );
        assert!(section(&day, "Problems").is_empty());
        assert!(day["vitals"].as_array().unwrap().iter().all(|v| v["rows"]
            .as_array()
            .unwrap()
            .len()
            == 1));

        let range = record(&app, &patient, "from=2021-01-01&to=2021-12-31").await;
        assert_eq!(range["filter_label"], "From Jan 1, 2021 to Dec 31, 2021");
        assert_eq!(section(&range, "Problems"), vec!["Essential hypertension"]);
        assert!(range["labs"].as_array().unwrap().is_empty());

        for bad in ["from=2025-03-11&to=2025-03-10", "from=10%2F03%2F2025"] {
            let r = app.call(&patient, "/api/health/record", bad).await;
            assert_eq!(
                r.status,
                StatusCode::UNPROCESSABLE_ENTITY,
                "{bad}: {}",
                r.body
            );
        }
    }
);

both!(
    sharing_a_result_shows_it_and_emails_without_it,
    |app: TestApp| async move {
        let chart = app.chart_id("Emma", "America/New_York").await;
        let tsh = entry_id(&app, chart, demo_health::UNSHARED_REPORTS[0]).await;
        let admin = app.admin().await;
        let results = app
            .call(
                &admin,
                "/api/staff/chart_results",
                &format!("chart={chart}"),
            )
            .await;
        assert_eq!(results.status, StatusCode::OK, "{}", results.body);
        let listed = results.json();
        assert_eq!(listed["can_share"], true);
        let row = listed["results"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["id"] == tsh)
            .unwrap()
            .clone();
        assert_eq!(row["shared"], "");

        let r = app
            .call(
                &admin,
                "/api/staff/share_result",
                &format!("chart={chart}&id={tsh}"),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        let patient = app.patient_at_riverside().await;
        let rec = record(&app, &patient, "").await;
        assert_eq!(
            lab(&rec, "Thyrotropin").unwrap()["results"][0]["value"],
            "3.9 m[IU]/L"
        );
        let (subject, body) = app
            .last_message_to(app::ssr::demo::DEMO_EMAIL)
            .await
            .unwrap();
        assert_eq!(
            subject,
            "A new result is available from Riverside Family Medicine"
        );
        assert!(!body.contains("3.9") && !body.contains("Thyro"), "{body}");
        let listed = app
            .call(
                &admin,
                "/api/staff/chart_results",
                &format!("chart={chart}"),
            )
            .await
            .json();
        let row = listed["results"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["id"] == tsh)
            .unwrap()
            .clone();
        assert!(
            row["shared"]
                .as_str()
                .unwrap()
                .starts_with("Shared by Priya Shah on "),
            "{row}"
        );

        // Sharing again changes nothing and sends nothing more.
        let mails = app.count("SELECT COUNT(*) FROM outbox").await;
        let again = app
            .call(
                &admin,
                "/api/staff/share_result",
                &format!("chart={chart}&id={tsh}"),
            )
            .await;
        assert_eq!(again.status, StatusCode::OK);
        assert_eq!(app.count("SELECT COUNT(*) FROM outbox").await, mails);
    }
);

both!(
    every_refusal_of_the_health_record,
    |app: TestApp| async move {
        let chart = app.chart_id("Emma", "America/New_York").await;
        let tsh = entry_id(&app, chart, demo_health::UNSHARED_REPORTS[0]).await;
        let share = format!("chart={chart}&id={tsh}");
        // Signed out.
        assert_eq!(
            app.call("", "/api/health/record", "").await.status,
            StatusCode::UNAUTHORIZED
        );
        assert_eq!(
            app.call("", "/api/staff/share_result", &share).await.status,
            StatusCode::UNAUTHORIZED
        );
        // The other side.
        let admin = app.admin().await;
        assert_eq!(
            app.call(&admin, "/api/health/record", "").await.status,
            StatusCode::FORBIDDEN
        );
        let patient = app.patient().await;
        assert_eq!(
            app.call(
                &patient,
                "/api/staff/chart_results",
                &format!("chart={chart}")
            )
            .await
            .status,
            StatusCode::FORBIDDEN
        );
        assert_eq!(
            app.call(&patient, "/api/staff/share_result", &share)
                .await
                .status,
            StatusCode::FORBIDDEN
        );
        // Another practice's staff.
        let harbor = app.harbor().await;
        assert_eq!(
            app.call(
                &harbor,
                "/api/staff/chart_results",
                &format!("chart={chart}")
            )
            .await
            .status,
            StatusCode::NOT_FOUND
        );
        assert_eq!(
            app.call(&harbor, "/api/staff/share_result", &share)
                .await
                .status,
            StatusCode::NOT_FOUND
        );
        // The front desk sees, but does not share.
        let desk = app.front_desk().await;
        let seen = app
            .call(&desk, "/api/staff/chart_results", &format!("chart={chart}"))
            .await;
        assert_eq!(
            (seen.status, seen.json()["can_share"].as_bool()),
            (StatusCode::OK, Some(false))
        );
        assert_eq!(
            app.call(&desk, "/api/staff/share_result", &share)
                .await
                .status,
            StatusCode::FORBIDDEN
        );
        // An entry of another chart, through this chart's id.
        let lily = app.chart_id("Lily", "America/Los_Angeles").await;
        let cbc = entry_id(&app, lily, "CBC panel - Blood by Automated count").await;
        let r = app
            .call(
                &admin,
                "/api/staff/share_result",
                &format!("chart={chart}&id={cbc}"),
            )
            .await;
        assert_eq!(r.status, StatusCode::NOT_FOUND);
        assert_eq!(
            app.count("SELECT COUNT(*) FROM audit_log WHERE action = 'health.share'")
                .await,
            0
        );
        // A patient never reaches another record: the switcher refuses it.
        let oliver = sqlx::query_scalar::<_, i64>(
            "SELECT id FROM patient_charts WHERE given_name = 'Oliver'",
        )
        .fetch_one(app.db.read())
        .await
        .unwrap();
        let r = app
            .send(
                app.post("/api/records/select", &format!("record_id={oliver}"))
                    .cookie(&patient),
            )
            .await;
        assert_ne!(r.status, StatusCode::OK);
        assert_eq!(
            record(&app, &patient, "").await["patient_name"],
            "Emma Carter"
        );
    }
);

both!(
    importing_twice_changes_nothing_and_a_correction_updates,
    |app: TestApp| async move {
        let riverside = practice_id(&app, "America/New_York").await;
        let now = app.state.clock.now();
        let again = import(
            &app.db,
            now,
            Target::Practice(riverside),
            demo_health::EMMA_RIVERSIDE,
            Actor::System,
        )
        .await
        .unwrap();
        assert_eq!((again.added, again.updated), (0, 0));
        assert_eq!(again.unchanged, 65, "{}", again.summary());
        assert_eq!(
            again.skipped.len(),
            3,
            "the practitioner, lab and specimen: {:?}",
            again.skipped
        );
        let audits = app
            .count("SELECT COUNT(*) FROM audit_log WHERE action = 'health.import'")
            .await;

        let mut b: Value = serde_json::from_str(demo_health::EMMA_RIVERSIDE).unwrap();
        let hdl = b["entry"]
            .as_array_mut()
            .unwrap()
            .iter_mut()
            .find(|e| e["resource"]["code"]["coding"][0]["code"] == "2085-9")
            .unwrap();
        hdl["resource"]["status"] = json!("corrected");
        hdl["resource"]["valueQuantity"]["value"] = json!(35);
        let r = import(
            &app.db,
            now,
            Target::Practice(riverside),
            &b.to_string(),
            Actor::System,
        )
        .await
        .unwrap();
        assert_eq!((r.added, r.updated), (0, 1));
        assert_eq!(
            app.count("SELECT COUNT(*) FROM audit_log WHERE action = 'health.import'")
                .await,
            audits + 1
        );
        let patient = app.patient_at_riverside().await;
        let rec = record(&app, &patient, "").await;
        let hdl = &lab(&rec, "Cholesterol in HDL").unwrap()["results"][0];
        assert_eq!(
            (
                hdl["value"].as_str(),
                hdl["flag"].as_str(),
                hdl["corrected"].as_bool()
            ),
            (Some("35 mg/dL"), Some("Low"), Some(true))
        );
    }
);

both!(
    a_bundle_matches_one_chart_or_is_refused_whole,
    |app: TestApp| async move {
        let riverside = practice_id(&app, "America/New_York").await;
        let now = app.state.clock.now();
        let entries = || app.count("SELECT COUNT(*) FROM health_entries");
        let before = entries().await;
        let refusal = |r: Result<_, ImportError>| match r {
            Err(ImportError::Refused(why)) => why.join("\n"),
            Ok(_) => panic!("imported"),
            Err(ImportError::Db(e)) => panic!("{e}"),
        };

        // By name and date of birth, then by the identifier it learnt.
        let oliver = bundle(
            "Oliver",
            "Bennett",
            "1979-11-23",
            vec![problem("c1", "Asthma")],
        );
        let r = import(
            &app.db,
            now,
            Target::Practice(riverside),
            &oliver,
            Actor::System,
        )
        .await
        .unwrap();
        assert_eq!(r.added, 1);
        let oliver_chart = r.chart_id;
        let renamed = bundle_with_mrn(
            "Oliver-Bennett",
            "Oliver",
            "Bennett-Hale",
            "1979-11-23",
            vec![problem("c2", "Gout")],
        );
        let r = import(
            &app.db,
            now,
            Target::Practice(riverside),
            &renamed,
            Actor::System,
        )
        .await
        .unwrap();
        assert_eq!(
            (r.chart_id, r.added),
            (oliver_chart, 1),
            "matched by the identifier it learnt"
        );

        // Nobody, the wrong chart, and a bad resource among good ones: nothing is written.
        let nobody = bundle("Nobody", "Known", "2000-01-01", vec![problem("c3", "Flu")]);
        assert!(refusal(
            import(
                &app.db,
                now,
                Target::Practice(riverside),
                &nobody,
                Actor::System
            )
            .await
        )
        .contains("No chart at this practice matches Nobody Known"));
        let emma_chart = app.chart_id("Emma", "America/New_York").await;
        assert!(refusal(
            import(
                &app.db,
                now,
                Target::Chart(emma_chart),
                &oliver,
                Actor::System
            )
            .await
        )
        .contains("not for this chart"));
        let mixed = bundle(
            "Oliver",
            "Bennett",
            "1979-11-23",
            vec![
                problem("c4", "Migraine"),
                json!({"resourceType": "Observation", "id": "o1", "subject": {"reference": "Patient/p1"}, "status": "final",
               "category": [{"coding": [{"code": "laboratory"}]}], "code": {"text": "Glucose"}, "effectiveDateTime": "2025-01-01"}),
                json!({"resourceType": "Condition", "id": "c5", "subject": {"reference": "Patient/other"}, "code": {"text": "Gout"}}),
            ],
        );
        let why = refusal(
            import(
                &app.db,
                now,
                Target::Practice(riverside),
                &mixed,
                Actor::System,
            )
            .await,
        );
        assert!(
            why.contains("Observation/o1: Glucose has no value."),
            "{why}"
        );
        assert!(
            why.contains("Condition/c5: it names no patient of this bundle."),
            "{why}"
        );
        assert!(refusal(
            import(
                &app.db,
                now,
                Target::Practice(riverside),
                "{not json",
                Actor::System
            )
            .await
        )
        .contains("not valid JSON"));
        let two = json!({"resourceType": "Bundle", "type": "collection", "entry": [
        {"resource": {"resourceType": "Patient", "id": "a"}}, {"resource": {"resourceType": "Patient", "id": "b"}}]});
        assert!(refusal(
            import(
                &app.db,
                now,
                Target::Practice(riverside),
                &two.to_string(),
                Actor::System
            )
            .await
        )
        .contains("2 patients"));
        let history = json!({"resourceType": "Bundle", "type": "history", "entry": []});
        assert!(refusal(
            import(
                &app.db,
                now,
                Target::Practice(riverside),
                &history.to_string(),
                Actor::System
            )
            .await
        )
        .contains("\"history\""));
        assert_eq!(
            entries().await,
            before + 2,
            "only the two good imports wrote"
        );

        // Two charts with the same name and birth date: ambiguous, refused.
        sqlx::query("INSERT INTO patient_charts (practice_id, given_name, family_name, date_of_birth, created_at) VALUES ($1, 'Ann', 'Lee', '1990-01-01', 0), ($1, 'Ann', 'Lee', '1990-01-01', 0)")
        .bind(riverside).execute(app.db.write()).await.unwrap();
        let ann = bundle("Ann", "Lee", "1990-01-01", vec![problem("c6", "Flu")]);
        assert!(refusal(
            import(
                &app.db,
                now,
                Target::Practice(riverside),
                &ann,
                Actor::System
            )
            .await
        )
        .contains("More than one chart"));
    }
);

fn multipart(json: &str) -> (String, String) {
    let boundary = "----portico-test-boundary";
    let body = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"bundle\"; filename=\"b.json\"\r\n\
         Content-Type: application/json\r\n\r\n{json}\r\n--{boundary}--\r\n"
    );
    (format!("multipart/form-data; boundary={boundary}"), body)
}

async fn upload(app: &TestApp, cookie: &str, chart: i64, json: &str) -> support::Reply {
    let (ct, body) = multipart(json);
    app.send(
        app.post_form_data(&format!("/staff/patients/{chart}/import"), &ct, &body)
            .cookie(cookie),
    )
    .await
}

both!(
    an_admin_uploads_a_bundle_on_the_chart_page,
    |app: TestApp| async move {
        let oliver: i64 =
            sqlx::query_scalar("SELECT id FROM patient_charts WHERE given_name = 'Oliver'")
                .fetch_one(app.db.read())
                .await
                .unwrap();
        let admin = app.admin().await;
        let good = bundle(
            "Oliver",
            "Bennett",
            "1979-11-23",
            vec![problem("c1", "Asthma")],
        );
        let r = upload(&app, &admin, oliver, &good).await;
        assert_eq!(
            (r.status, r.location()),
            (
                StatusCode::SEE_OTHER,
                Some(format!("/staff/patients/{oliver}/record#import").as_str())
            ),
            "{}",
            r.body
        );
        let listed = app
            .call(
                &admin,
                "/api/staff/chart_results",
                &format!("chart={oliver}"),
            )
            .await
            .json();
        assert_eq!(listed["can_import"], true);
        assert_eq!(listed["last_import"]["imported"], true);
        assert!(listed["last_import"]["summary"]
            .as_str()
            .unwrap()
            .starts_with("Oliver Bennett: 1 added, 0 updated, 0 unchanged"));

        // Emma's bundle on Oliver's chart: refused whole, and the page says why.
        let before = app.count("SELECT COUNT(*) FROM health_entries").await;
        let r = upload(&app, &admin, oliver, app::ssr::demo_health::EMMA_RIVERSIDE).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
        assert_eq!(
            app.count("SELECT COUNT(*) FROM health_entries").await,
            before
        );
        let listed = app
            .call(
                &admin,
                "/api/staff/chart_results",
                &format!("chart={oliver}"),
            )
            .await
            .json();
        assert_eq!(listed["last_import"]["imported"], false);
        assert!(listed["last_import"]["problems"][0]
            .as_str()
            .unwrap()
            .contains("not for this chart"));

        // Not allowed: the front desk, another practice, a patient, nobody; and no file.
        let desk = app.front_desk().await;
        assert_eq!(
            upload(&app, &desk, oliver, &good).await.status,
            StatusCode::FORBIDDEN
        );
        assert_eq!(
            app.call(
                &desk,
                "/api/staff/chart_results",
                &format!("chart={oliver}")
            )
            .await
            .json()["can_import"],
            false
        );
        let harbor = app.harbor().await;
        assert_eq!(
            upload(&app, &harbor, oliver, &good).await.status,
            StatusCode::NOT_FOUND
        );
        let patient = app.patient().await;
        assert_ne!(
            upload(&app, &patient, oliver, &good).await.status,
            StatusCode::SEE_OTHER
        );
        assert_ne!(
            upload(&app, "", oliver, &good).await.status,
            StatusCode::SEE_OTHER
        );
        assert_eq!(
            upload(&app, &admin, oliver, "  ").await.status,
            StatusCode::UNPROCESSABLE_ENTITY
        );
        assert_eq!(app.count("SELECT COUNT(*) FROM health_imports").await, 2);
    }
);

both!(
    staff_write_resolve_and_correct_the_record,
    |app: TestApp| async move {
        let chart = app.chart_id("Emma", "America/New_York").await;
        let admin = app.admin().await;
        let add = |pairs: &[(&str, &str)]| {
            let mut body = format!("chart={chart}");
            for (k, v) in pairs {
                body.push_str(&format!("&{k}={}", app::url::encode(v)));
            }
            body
        };
        for body in [
            add(&[
                ("kind", "problem"),
                ("name", "Gout"),
                ("code", "90560007"),
                ("date", "2030-02-01"),
            ]),
            add(&[
                ("kind", "medication"),
                ("name", "allopurinol 100 MG Oral Tablet"),
                ("code", "197319"),
                ("detail", "1 tablet daily"),
            ]),
            add(&[
                ("kind", "vital"),
                ("code", "8867-4"),
                ("value", "64"),
                ("date", "2030-02-01"),
            ]),
            add(&[
                ("kind", "lab"),
                ("name", "Uric acid"),
                ("code", "3084-1"),
                ("value", "9.1"),
                ("unit", "mg/dL"),
                ("low", "2.5"),
                ("high", "7.0"),
                ("date", "2030-02-01"),
            ]),
        ] {
            let r = app.call(&admin, "/api/staff/chart_entry", &body).await;
            assert_eq!(r.status, StatusCode::OK, "{body}: {}", r.body);
        }
        let patient = app.patient_at_riverside().await;
        let rec = record(&app, &patient, "").await;
        assert!(section(&rec, "Problems").contains(&"Gout"));
        assert!(section(&rec, "Medications").contains(&"allopurinol 100 MG Oral Tablet"));
        assert!(
            lab(&rec, "Uric acid").is_none(),
            "a result staff enter is shared like any other"
        );
        let uric = entry_id(&app, chart, "Uric acid").await;
        assert_eq!(
            app.call(
                &admin,
                "/api/staff/share_result",
                &format!("chart={chart}&id={uric}")
            )
            .await
            .status,
            StatusCode::OK
        );
        let rec = record(&app, &patient, "").await;
        let u = &lab(&rec, "Uric acid").unwrap()["results"][0];
        assert_eq!(
            (u["value"].as_str(), u["flag"].as_str(), u["range"].as_str()),
            (Some("9.1 mg/dL"), Some("High"), Some("2.5–7 mg/dL"))
        );
        assert_eq!(
            app.count(&format!(
                "SELECT COUNT(*) FROM health_entries WHERE chart_id = {chart} AND source = 'staff'"
            ))
            .await,
            4
        );

        let gout = entry_id(&app, chart, "Gout").await;
        let r = app
            .call(
                &admin,
                "/api/staff/chart_entry_change",
                &format!("chart={chart}&id={gout}&action=resolve"),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        let rec = record(&app, &patient, "").await;
        let problems = rec["lists"][0][1].as_array().unwrap();
        let g = problems.iter().find(|p| p["title"] == "Gout").unwrap();
        assert_eq!(g["status"], "Resolved");
        let r = app
            .call(
                &admin,
                "/api/staff/chart_entry_change",
                &format!("chart={chart}&id={gout}&action=error"),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert!(
            !section(&record(&app, &patient, "").await, "Problems").contains(&"Gout"),
            "an entry in error leaves the patient's view"
        );
        let listed = app
            .call(
                &admin,
                "/api/staff/chart_results",
                &format!("chart={chart}"),
            )
            .await
            .json();
        let e = listed["entries"]
            .as_array()
            .unwrap()
            .iter()
            .find(|e| e["id"] == gout)
            .unwrap()
            .clone();
        assert_eq!(
            (e["in_error"].as_bool(), e["source"].as_str()),
            (Some(true), Some("Entered in Portico")),
            "the chart keeps it"
        );
        let fhir = app
            .send(app.get("/health-record/download/fhir").cookie(&patient))
            .await
            .body;
        assert!(!fhir.contains("Gout"), "nor is it exported");

        // Refusals: bad input, the front desk, another practice, a patient, an entry elsewhere.
        let bad = app
            .call(
                &admin,
                "/api/staff/chart_entry",
                &add(&[("kind", "vital"), ("code", "8867-4"), ("value", "fast")]),
            )
            .await;
        assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
        let desk = app.front_desk().await;
        assert_eq!(
            app.call(
                &desk,
                "/api/staff/chart_entry",
                &add(&[("kind", "problem"), ("name", "Flu")])
            )
            .await
            .status,
            StatusCode::FORBIDDEN
        );
        assert_eq!(
            app.call(
                &desk,
                "/api/staff/chart_entry_change",
                &format!("chart={chart}&id={uric}&action=error")
            )
            .await
            .status,
            StatusCode::FORBIDDEN
        );
        let harbor = app.harbor().await;
        assert_eq!(
            app.call(
                &harbor,
                "/api/staff/chart_entry",
                &add(&[("kind", "problem"), ("name", "Flu")])
            )
            .await
            .status,
            StatusCode::NOT_FOUND
        );
        assert_eq!(
            app.call(
                &patient,
                "/api/staff/chart_entry",
                &add(&[("kind", "problem"), ("name", "Flu")])
            )
            .await
            .status,
            StatusCode::FORBIDDEN
        );
        let lily = app.chart_id("Lily", "America/Los_Angeles").await;
        let asthma = entry_id(&app, lily, "Asthma").await;
        assert_eq!(
            app.call(
                &admin,
                "/api/staff/chart_entry_change",
                &format!("chart={chart}&id={asthma}&action=error")
            )
            .await
            .status,
            StatusCode::NOT_FOUND
        );
        assert_eq!(
            app.count("SELECT COUNT(*) FROM health_entries WHERE title = 'Flu'")
                .await,
            0
        );
    }
);
