//! The health record at size: a chart with ten years of data (2,000 observations and 200
//! other entries). The signed-in record page's requests per second beside `/healthz` in the
//! same run, the FHIR export and the PDF (p50 / p99), and importing a 5,000-resource bundle
//! (resources per second). Real router and middleware in-process, release build, SQLite:
//! `cargo bench -p server --bench health_record` (or `make bench`).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::print_stdout,
    dead_code
)]

#[path = "../tests/support/mod.rs"]
mod support;

use std::{
    sync::Arc,
    time::{Duration, Instant},
};

use app::ssr::{
    audit::Actor,
    db::Backend,
    fhir::import::{import, Target},
};
use axum::http::StatusCode;
use serde_json::{json, Value};
use support::TestApp;

const CLIENTS: usize = 16;
const PAGE_REQUESTS: usize = 800;
const FILE_REQUESTS: usize = 100;

fn percentile(sorted: &[Duration], p: f64) -> f64 {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i].as_secs_f64() * 1000.0
}

/// `observations` vitals and labs over ten years, and `others` problems, medications and
/// immunizations, for the patient `given family` born `birth`.
fn bundle(given: &str, family: &str, birth: &str, observations: usize, others: usize) -> String {
    let subject = json!({"reference": "Patient/p"});
    let mut entry = vec![json!({"resource": {"resourceType": "Patient", "id": "p",
        "name": [{"family": family, "given": [given]}], "birthDate": birth}})];
    let vitals = [
        ("29463-7", "Body weight", "kg", 70.0),
        ("8867-4", "Heart rate", "/min", 70.0),
        ("8310-5", "Body temperature", "Cel", 36.8),
    ];
    let labs = [
        ("2345-7", "Glucose", "mg/dL", 95.0),
        ("4548-4", "Hemoglobin A1c", "%", 5.5),
    ];
    for i in 0..observations {
        let day = format!(
            "{}-{:02}-{:02}",
            2016 + i * 10 / observations,
            1 + i % 12,
            1 + i % 28
        );
        let (lab, (code, title, unit, base)) = if i % 5 < 3 {
            (false, vitals[i % 3])
        } else {
            (true, labs[i % 2])
        };
        let mut r = json!({"resourceType": "Observation", "id": format!("o{i}"), "status": "final",
            "category": [{"coding": [{"code": if lab { "laboratory" } else { "vital-signs" }}]}],
            "code": {"coding": [{"system": "http://loinc.org", "code": code, "display": title}]},
            "subject": subject, "effectiveDateTime": day,
            "valueQuantity": {"value": base + (i % 17) as f64 / 10.0, "unit": unit}});
        if lab {
            r["referenceRange"] =
                json!([{"low": {"value": base * 0.8}, "high": {"value": base * 1.1}}]);
        }
        entry.push(json!({"resource": r}));
    }
    for i in 0..others {
        let day = format!("{}-{:02}-15", 2016 + i * 10 / others.max(1), 1 + i % 12);
        let r = match i % 3 {
            0 => json!({"resourceType": "Condition", "id": format!("c{i}"), "subject": subject,
                "clinicalStatus": {"coding": [{"code": "active"}]},
                "code": {"coding": [{"system": "http://snomed.info/sct", "code": "38341003", "display": format!("Problem {i}")}]},
                "onsetDateTime": day}),
            1 => {
                json!({"resourceType": "MedicationRequest", "id": format!("m{i}"), "subject": subject,
                "status": "active", "intent": "order",
                "medicationCodeableConcept": {"coding": [{"system": "http://www.nlm.nih.gov/research/umls/rxnorm", "code": "314076", "display": format!("Medication {i}")}]},
                "authoredOn": day, "dosageInstruction": [{"text": "Once a day"}]})
            }
            _ => json!({"resourceType": "Immunization", "id": format!("i{i}"), "patient": subject,
                "status": "completed", "vaccineCode": {"coding": [{"system": "http://hl7.org/fhir/sid/cvx", "code": "140", "display": "Influenza"}]},
                "occurrenceDateTime": day}),
        };
        entry.push(json!({"resource": r}));
    }
    json!({"resourceType": "Bundle", "type": "collection", "entry": entry}).to_string()
}

async fn new_chart(app: &TestApp, given: &str) -> (i64, i64) {
    let practice: i64 =
        sqlx::query_scalar("SELECT id FROM practices WHERE time_zone = 'America/New_York'")
            .fetch_one(app.db.read())
            .await
            .unwrap();
    let chart: i64 = sqlx::query_scalar(
        "INSERT INTO patient_charts (practice_id, given_name, family_name, date_of_birth, created_at) \
         VALUES ($1, $2, 'Bench', '1970-01-01', 0) RETURNING id",
    )
    .bind(practice)
    .bind(given)
    .fetch_one(app.db.write())
    .await
    .unwrap();
    (practice, chart)
}

/// Requests per second and latencies of `path` for the signed-in `cookie`, from `CLIENTS`
/// concurrent clients.
async fn load(app: &Arc<TestApp>, cookie: &str, path: &str, total: usize) -> (f64, f64, f64) {
    load_from(app, cookie, path, total, CLIENTS).await
}

/// The same from `clients` clients; one client measures how long a file takes to make.
async fn load_from(
    app: &Arc<TestApp>,
    cookie: &str,
    path: &str,
    total: usize,
    clients: usize,
) -> (f64, f64, f64) {
    let started = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..clients {
        let (app, cookie, path) = (app.clone(), cookie.to_string(), path.to_string());
        tasks.push(tokio::spawn(async move {
            let mut times = Vec::new();
            for _ in 0..total / clients {
                let t = Instant::now();
                let r = app.send(app.get(&path).cookie(&cookie)).await;
                assert_eq!(r.status, StatusCode::OK, "{path}");
                times.push(t.elapsed());
            }
            times
        }));
    }
    let mut times = Vec::new();
    for t in tasks {
        times.extend(t.await.unwrap());
    }
    let rate = times.len() as f64 / started.elapsed().as_secs_f64();
    times.sort();
    (rate, percentile(&times, 0.5), percentile(&times, 0.99))
}

/// Downloads are limited per account and day; the benchmark downloads far more.
async fn reset_allowances(app: &TestApp) {
    sqlx::query("DELETE FROM daily_budgets")
        .execute(app.db.write())
        .await
        .unwrap();
}

fn main() {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let app = Arc::new(TestApp::new(Backend::Sqlite).await.unwrap());
        let (practice, _) = new_chart(&app, "Ten").await;
        let ten_years = bundle("Ten", "Bench", "1970-01-01", 2000, 200);
        import(&app.db, app.state.clock.now(), Target::Practice(practice), &ten_years, Actor::System).await.unwrap();
        sqlx::query("UPDATE health_entries SET shared_at = 1 WHERE needs_sharing = 1")
            .execute(app.db.write())
            .await
            .unwrap();
        let cookie = app.patient().await;
        // The bench account views the ten-year chart.
        let chart: i64 = sqlx::query_scalar("SELECT id FROM patient_charts WHERE given_name = 'Ten'")
            .fetch_one(app.db.read()).await.unwrap();
        let account: i64 = sqlx::query_scalar("SELECT id FROM portal_accounts WHERE username = 'demo'")
            .fetch_one(app.db.read()).await.unwrap();
        sqlx::query("INSERT INTO account_charts (account_id, chart_id, relationship, created_at) VALUES ($1, $2, 'self', 0)")
            .bind(account).bind(chart).execute(app.db.write()).await.unwrap();
        let r = app.send(app.post("/api/records/select", &format!("record_id={chart}")).cookie(&cookie)).await;
        assert_eq!(r.status, StatusCode::OK);
        let page = app.send(app.get("/health-record").cookie(&cookie)).await;
        assert!(page.body.contains("Problem 198"), "the page shows the ten-year record");

        println!("| measurement ({CLIENTS} concurrent clients, SQLite) | per second | p50 ms | p99 ms |");
        println!("|---|---:|---:|---:|");
        let floor = load(&app, &cookie, "/healthz", PAGE_REQUESTS * 4).await;
        println!("| /healthz (the floor, same run) | {:.0} | {:.2} | {:.2} |", floor.0, floor.1, floor.2);
        let rec = load(&app, &cookie, "/health-record", PAGE_REQUESTS).await;
        println!(
            "| signed-in /health-record, 2,000 observations + 200 entries | {:.0} ({:.1} % of /healthz) | {:.2} | {:.2} |",
            rec.0, 100.0 * rec.0 / floor.0, rec.1, rec.2
        );
        reset_allowances(&app).await;
        // One at a time: how long making the file takes (targets: export p99 ≤ 150 ms, PDF ≤ 1 s).
        for (name, path) in [("FHIR export", "/health-record/download/fhir"), ("PDF", "/health-record/download/pdf")] {
            let f = load_from(&app, &cookie, path, FILE_REQUESTS / 2, 1).await;
            println!("| {name}, one client | {:.1} | {:.1} | {:.1} |", f.0, f.1, f.2);
            reset_allowances(&app).await;
            let f = load(&app, &cookie, path, FILE_REQUESTS / 2).await;
            println!("| {name}, {CLIENTS} clients | {:.1} | {:.1} | {:.1} |", f.0, f.1, f.2);
            reset_allowances(&app).await;
        }

        // Import: a 5,000-resource bundle into a new chart, then the same again (unchanged).
        let (practice, _) = new_chart(&app, "Five").await;
        let five = bundle("Five", "Bench", "1970-01-01", 4500, 499);
        let count = serde_json::from_str::<Value>(&five).unwrap()["entry"].as_array().unwrap().len() - 1;
        let t = Instant::now();
        let r = import(&app.db, app.state.clock.now(), Target::Practice(practice), &five, Actor::System).await.unwrap();
        let first = t.elapsed().as_secs_f64();
        assert_eq!(r.added, count);
        let t = Instant::now();
        let again = import(&app.db, app.state.clock.now(), Target::Practice(practice), &five, Actor::System).await.unwrap();
        let second = t.elapsed().as_secs_f64();
        assert_eq!(again.unchanged, count);
        println!(
            "| import of {count} resources (target ≥ 2,000/s) | {:.0} resources/s ({first:.2} s) | | |",
            count as f64 / first
        );
        println!("| the same bundle again (unchanged) | {:.0} resources/s ({second:.2} s) | | |", count as f64 / second);
    });
}
