//! Appointment throughput: durable bookings per second with 16 concurrent clients on SQLite
//! and PostgreSQL, and the signed-in appointments page holding 50 appointments. Requests go
//! through the real router and middleware in-process (no sockets), in a release build:
//! `cargo bench -p server --bench appointments` (or `make bench`).
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

use app::ssr::{appointments::availability, db::Backend, schedule};
use axum::http::StatusCode;
use support::TestApp;

const CLIENTS: usize = 16;
const BOOKINGS: usize = 4000;
const PAGE_REQUESTS: usize = 4000;

fn percentile(sorted: &[Duration], p: f64) -> f64 {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i].as_secs_f64() * 1000.0
}

/// A provider open every day, all day, in 5-minute slots, bookable with no notice: plenty of
/// distinct slots for every client.
async fn open_provider(app: &TestApp) -> (i64, i64, Vec<i64>) {
    let mut c = app.db.write().acquire().await.unwrap();
    let practice: i64 =
        sqlx::query_scalar("SELECT id FROM practices WHERE time_zone = 'America/New_York'")
            .fetch_one(&mut *c)
            .await
            .unwrap();
    let provider: i64 = sqlx::query_scalar(
        "INSERT INTO providers (practice_id, display_name, created_at) VALUES ($1, 'Dr. Bench', 0) RETURNING id",
    )
    .bind(practice)
    .fetch_one(&mut *c)
    .await
    .unwrap();
    sqlx::query(
        "INSERT INTO provider_schedules (provider_id, slot_minutes, updated_at) VALUES ($1, 5, 0)",
    )
    .bind(provider)
    .execute(&mut *c)
    .await
    .unwrap();
    for wd in 0..7_i64 {
        sqlx::query(
            "INSERT INTO provider_hours (provider_id, kind, weekday, start_minute, end_minute) VALUES ($1, 'hours', $2, 0, 1435)",
        )
        .bind(provider)
        .bind(wd)
        .execute(&mut *c)
        .await
        .unwrap();
    }
    sqlx::query("UPDATE policies SET booking_notice_hours = 0 WHERE practice_id = $1")
        .bind(practice)
        .execute(&mut *c)
        .await
        .unwrap();
    let chart: i64 = sqlx::query_scalar(
        "SELECT id FROM patient_charts WHERE practice_id = $1 AND given_name = 'Emma'",
    )
    .bind(practice)
    .fetch_one(&mut *c)
    .await
    .unwrap();
    let t = availability::template(&mut c, provider)
        .await
        .unwrap()
        .unwrap();
    let from = chrono::DateTime::from_timestamp(app.state.clock.now(), 0)
        .unwrap()
        .date_naive()
        + chrono::Duration::days(2);
    let slots = schedule::slots(&t, from, 30)
        .into_iter()
        .map(|s| s.start)
        .collect();
    (provider, chart, slots)
}

struct Figures {
    rate: f64,
    p50: f64,
    p99: f64,
    errors: usize,
}

async fn bookings(backend: Backend) -> Option<Figures> {
    let app = Arc::new(TestApp::new(backend).await?);
    let cookie = app.patient().await;
    let (provider, chart, slots) = open_provider(&app).await;
    assert!(slots.len() >= BOOKINGS);
    let slots = Arc::new(slots);
    let started = Instant::now();
    let mut tasks = Vec::new();
    for client in 0..CLIENTS {
        let (app, cookie, slots) = (app.clone(), cookie.clone(), slots.clone());
        tasks.push(tokio::spawn(async move {
            let mut times = Vec::new();
            let mut errors = 0;
            for i in (client..BOOKINGS).step_by(CLIENTS) {
                let body = format!(
                    "provider_id={provider}&start={}&record_id={chart}&reason=Bench",
                    slots[i]
                );
                let t = Instant::now();
                let r = app.call(&cookie, "/api/appointments/book", &body).await;
                times.push(t.elapsed());
                if r.status != StatusCode::OK {
                    errors += 1;
                    eprintln!("booking failed: {} {}", r.status, r.body);
                }
            }
            (times, errors)
        }));
    }
    let mut times = Vec::new();
    let mut errors = 0;
    for t in tasks {
        let (t, e) = t.await.unwrap();
        times.extend(t);
        errors += e;
    }
    let elapsed = started.elapsed().as_secs_f64();
    times.sort();
    let made = app
        .count("SELECT COUNT(*) FROM appointments WHERE visit_reason = 'Bench'")
        .await;
    assert_eq!(made as usize + errors, BOOKINGS);
    Some(Figures {
        rate: BOOKINGS as f64 / elapsed,
        p50: percentile(&times, 0.5),
        p99: percentile(&times, 0.99),
        errors,
    })
}

async fn list_page() -> Figures {
    let app = Arc::new(TestApp::new(Backend::Sqlite).await.unwrap());
    let cookie = app.patient_at_riverside().await;
    let (provider, chart, slots) = open_provider(&app).await;
    let upcoming = app
        .count(&format!(
            "SELECT COUNT(*) FROM appointments WHERE chart_id = {chart} AND state IN ('requested', 'confirmed', 'cancellation_requested', 'reschedule_requested', 'proposed')"
        ))
        .await;
    for s in slots.iter().take(50 - upcoming as usize) {
        let r = app
            .call(
                &cookie,
                "/api/appointments/book",
                &format!("provider_id={provider}&start={s}&record_id={chart}&reason=Bench"),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK);
    }
    let page = app.send(app.get("/appointments").cookie(&cookie)).await;
    assert_eq!(page.status, StatusCode::OK);
    assert_eq!(page.body.matches("data-testid=\"appointment\"").count(), 50);
    let started = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..CLIENTS {
        let (app, cookie) = (app.clone(), cookie.clone());
        tasks.push(tokio::spawn(async move {
            let mut times = Vec::new();
            for _ in 0..PAGE_REQUESTS / CLIENTS {
                let t = Instant::now();
                let r = app.send(app.get("/appointments").cookie(&cookie)).await;
                assert_eq!(r.status, StatusCode::OK);
                times.push(t.elapsed());
            }
            times
        }));
    }
    let mut times = Vec::new();
    for t in tasks {
        times.extend(t.await.unwrap());
    }
    let elapsed = started.elapsed().as_secs_f64();
    times.sort();
    Figures {
        rate: times.len() as f64 / elapsed,
        p50: percentile(&times, 0.5),
        p99: percentile(&times, 0.99),
        errors: 0,
    }
}

fn main() {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        println!("| measurement ({CLIENTS} concurrent clients) | per second | p50 ms | p99 ms | errors |");
        println!("|---|---:|---:|---:|---:|");
        for (name, backend) in [("SQLite", Backend::Sqlite), ("PostgreSQL", Backend::Postgres)] {
            match bookings(backend).await {
                Some(f) => println!(
                    "| durable bookings, {name} ({BOOKINGS}) | {:.0} | {:.2} | {:.2} | {} |",
                    f.rate, f.p50, f.p99, f.errors
                ),
                None => println!("| durable bookings, {name} | unavailable | | | |"),
            }
        }
        let f = list_page().await;
        println!(
            "| signed-in /appointments with 50 appointments, SQLite ({PAGE_REQUESTS}) | {:.0} | {:.2} | {:.2} | {} |",
            f.rate, f.p50, f.p99, f.errors
        );
    });
}
