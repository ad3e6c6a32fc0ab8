//! Messaging under load, in-process through the real router (release build):
//! `cargo bench -p server --bench messaging` (or `make bench`).
//!
//! - durable messages per second with 16 clients, SQLite and PostgreSQL;
//! - delivery latency from a send on instance A to a live stream on instance B (PostgreSQL);
//! - 2,000 idle live connections on one instance: memory per connection, delivery p99;
//! - messages missing after the listener's connection is killed mid-run (checked by ids).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::print_stdout,
    dead_code
)]

#[path = "../tests/support/mod.rs"]
mod support;

use std::{
    collections::BTreeSet,
    sync::Arc,
    time::{Duration, Instant},
};

use app::ssr::{
    db::{Backend, Db},
    messaging::live::Live,
    session::{self, Principal},
    state::AppState,
};
use axum::{body::Body, http::StatusCode, Router};
use http_body_util::BodyExt;
use support::TestApp;

const CLIENTS: usize = 16;
const SENDS: usize = 4_000;
const DELIVERIES: usize = 1_000;
const IDLE_STREAMS: usize = 2_000;

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn percentile(sorted: &[Duration], p: f64) -> f64 {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    ms(sorted[i])
}

fn key(n: usize) -> String {
    format!("{n:032x}")
}

/// A new conversation from the practice to Emma's Riverside record; returns its id.
async fn conversation(app: &TestApp, admin: &str, n: usize) -> i64 {
    let chart = app.chart_id("Emma", "America/New_York").await;
    let r = app
        .call(
            admin,
            "/api/staff/messages/start",
            &format!(
                "chart={chart}&topic=other&subject=Bench+{n}&body=Start&key={}",
                key(1_000_000 + n)
            ),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    r.json().as_i64().unwrap()
}

async fn send(router: &Router, admin: &str, conv: i64, n: usize) -> StatusCode {
    let body = format!("id={conv}&body=Message+{n}&key={}", key(n));
    let req = axum::http::Request::post("/api/staff/messages/reply")
        .header("cookie", admin)
        .header("sec-fetch-site", "same-origin")
        .header("origin", support::ORIGIN)
        .header("accept", "application/json")
        .header("content-type", "application/x-www-form-urlencoded")
        .body(Body::from(body))
        .unwrap();
    let mut req = req;
    req.extensions_mut()
        .insert(axum::extract::ConnectInfo(std::net::SocketAddr::from((
            [127, 0, 0, 1],
            40000,
        ))));
    tower::ServiceExt::oneshot(router.clone(), req)
        .await
        .unwrap()
        .status()
}

async fn durable(backend: Backend) -> Option<String> {
    let app = Arc::new(TestApp::new(backend).await?);
    let admin = app.admin().await;
    let mut convs = Vec::new();
    for n in 0..CLIENTS {
        convs.push(conversation(&app, &admin, n).await);
    }
    let started = Instant::now();
    let mut tasks = Vec::new();
    for (c, conv) in convs.into_iter().enumerate() {
        let (app, admin) = (app.clone(), admin.clone());
        tasks.push(tokio::spawn(async move {
            let mut times = Vec::new();
            for n in (c..SENDS).step_by(CLIENTS) {
                let t = Instant::now();
                assert_eq!(send(&app.router, &admin, conv, n).await, StatusCode::OK);
                times.push(t.elapsed());
            }
            times
        }));
    }
    let mut times = Vec::new();
    for t in tasks {
        times.extend(t.await.unwrap());
    }
    let rate = SENDS as f64 / started.elapsed().as_secs_f64();
    times.sort();
    let stored = app
        .count("SELECT COUNT(*) FROM messages WHERE body LIKE 'Message %'")
        .await;
    assert_eq!(stored as usize, SENDS);
    Some(format!(
        "| durable messages, {CLIENTS} clients, {backend:?} | {rate:.0}/s | p50 {:.1} ms | p99 {:.1} ms |",
        percentile(&times, 0.5),
        percentile(&times, 0.99)
    ))
}

/// A live stream, read as a browser would.
struct Stream {
    body: Body,
    buf: String,
}

impl Stream {
    async fn open(router: &Router, cookie: &str) -> Stream {
        let mut req = axum::http::Request::get("/api/live/stream")
            .header("cookie", cookie)
            .body(Body::empty())
            .unwrap();
        req.extensions_mut()
            .insert(axum::extract::ConnectInfo(std::net::SocketAddr::from((
                [127, 0, 0, 1],
                40000,
            ))));
        let res = tower::ServiceExt::oneshot(router.clone(), req)
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::OK);
        let mut s = Stream {
            body: res.into_body(),
            buf: String::new(),
        };
        assert_eq!(s.next().await.0, "ready");
        s
    }

    /// The next event: its name and data.
    async fn next(&mut self) -> (String, String) {
        loop {
            if let Some(end) = self.buf.find("\n\n") {
                let chunk: String = self.buf.drain(..end + 2).collect();
                let name = chunk.lines().find_map(|l| l.strip_prefix("event: "));
                let data = chunk
                    .lines()
                    .find_map(|l| l.strip_prefix("data: "))
                    .unwrap_or("");
                if let Some(name) = name {
                    return (name.to_string(), data.to_string());
                }
                continue;
            }
            let frame = tokio::time::timeout(Duration::from_secs(30), self.body.frame())
                .await
                .expect("an event within 30 s")
                .expect("the stream is open")
                .unwrap();
            if let Ok(data) = frame.into_data() {
                self.buf.push_str(&String::from_utf8_lossy(&data));
            }
        }
    }
}

fn message_id(data: &str) -> Option<i64> {
    data.split("\"m\":")
        .nth(1)?
        .trim_end_matches('}')
        .parse()
        .ok()
}

async fn second_instance(app: &TestApp) -> Router {
    let db = Db::connect(&app.state.config.database_url).await.unwrap();
    let live = Live::start(&db, &app.state.config.database_url);
    // Let its listener connect before measuring.
    tokio::time::sleep(Duration::from_millis(500)).await;
    server::router::router(AppState {
        live,
        db,
        ..app.state.clone()
    })
}

async fn across_instances() -> Option<String> {
    let app = TestApp::new(Backend::Postgres).await?;
    let b = second_instance(&app).await;
    let admin = app.admin().await;
    let patient = app.patient_at_riverside().await;
    let conv = conversation(&app, &admin, 0).await;
    let mut stream = Stream::open(&b, &patient).await;
    let mut times = Vec::new();
    for n in 0..DELIVERIES {
        let t = Instant::now();
        assert_eq!(send(&app.router, &admin, conv, n).await, StatusCode::OK);
        loop {
            let (name, data) = stream.next().await;
            if name == "changed" && message_id(&data).is_some_and(|m| m > 0) {
                break;
            }
        }
        times.push(t.elapsed());
    }
    times.sort();
    Some(format!(
        "| delivery, send on A to a stream on B ({DELIVERIES} messages, PostgreSQL) | p50 {:.1} ms | p99 {:.1} ms | |",
        percentile(&times, 0.5),
        percentile(&times, 0.99)
    ))
}

fn rss_kib() -> i64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmRSS:"))
                .and_then(|l| l.split_whitespace().nth(1)?.parse().ok())
        })
        .unwrap_or(0)
}

/// Sessions for `n` portal accounts that all represent Emma's Riverside record.
async fn many_sessions(app: &TestApp, n: usize) -> Vec<String> {
    let chart = app.chart_id("Emma", "America/New_York").await;
    let now = app.state.clock.now();
    let mut tx = app.db.begin().await.unwrap();
    let mut cookies = Vec::new();
    for i in 0..n {
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO portal_accounts (username, password_hash, display_name, created_at) VALUES ($1, 'x', 'Bench', $2) RETURNING id",
        )
        .bind(format!("bench{i}"))
        .bind(now)
        .fetch_one(&mut *tx)
        .await
        .unwrap();
        sqlx::query("INSERT INTO account_charts (account_id, chart_id, relationship, created_at) VALUES ($1, $2, 'representative', $3)")
            .bind(id)
            .bind(chart)
            .bind(now)
            .execute(&mut *tx)
            .await
            .unwrap();
        let token = session::create(&mut tx, Principal::Patient(id), now)
            .await
            .unwrap();
        cookies.push(format!("portico_session={token}"));
    }
    tx.commit().await.unwrap();
    cookies
}

async fn idle_streams() -> Option<String> {
    let app = TestApp::new(Backend::Sqlite).await?;
    let admin = app.admin().await;
    let conv = conversation(&app, &admin, 0).await;
    let cookies = many_sessions(&app, IDLE_STREAMS).await;
    let before = rss_kib();
    let mut streams = Vec::new();
    for c in &cookies {
        streams.push(Stream::open(&app.router, c).await);
    }
    tokio::time::sleep(Duration::from_millis(500)).await;
    let per = (rss_kib() - before) as f64 / IDLE_STREAMS as f64;
    let sent = Instant::now();
    assert_eq!(send(&app.router, &admin, conv, 0).await, StatusCode::OK);
    let mut tasks = Vec::new();
    for mut s in streams {
        tasks.push(tokio::spawn(async move {
            loop {
                let (name, _) = s.next().await;
                if name == "changed" {
                    return sent.elapsed();
                }
            }
        }));
    }
    let mut times = Vec::new();
    for t in tasks {
        times.push(t.await.unwrap());
    }
    times.sort();
    Some(format!(
        "| {IDLE_STREAMS} idle live streams, SQLite | {per:.1} KiB each (in-process, without sockets) | delivery to all: p50 {:.1} ms | p99 {:.1} ms |",
        percentile(&times, 0.5),
        percentile(&times, 0.99)
    ))
}

/// A browser's side of the protocol: on every event, read what is newer than the last id held.
async fn read_newer(router: &Router, cookie: &str, conv: i64, after: i64) -> Vec<i64> {
    let mut req = axum::http::Request::post("/api/live/conversation")
        .header("cookie", cookie)
        .header("sec-fetch-site", "same-origin")
        .header("origin", support::ORIGIN)
        .header("accept", "application/json")
        .header("content-type", "application/x-www-form-urlencoded")
        .body(Body::from(format!("id={conv}&after={after}")))
        .unwrap();
    req.extensions_mut()
        .insert(axum::extract::ConnectInfo(std::net::SocketAddr::from((
            [127, 0, 0, 1],
            40000,
        ))));
    let res = tower::ServiceExt::oneshot(router.clone(), req)
        .await
        .unwrap();
    let bytes = res.into_body().collect().await.unwrap().to_bytes();
    let v: serde_json::Value = serde_json::from_slice(&bytes).unwrap();
    v["messages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["id"].as_i64().unwrap())
        .collect()
}

async fn nothing_lost() -> Option<String> {
    let app = Arc::new(TestApp::new(Backend::Postgres).await?);
    let b = second_instance(&app).await;
    let admin = app.admin().await;
    let patient = app.patient_at_riverside().await;
    let conv = conversation(&app, &admin, 0).await;
    let mut stream = Stream::open(&b, &patient).await;
    let mut held: BTreeSet<i64> = read_newer(&b, &patient, conv, 0)
        .await
        .into_iter()
        .collect();

    let sender = {
        let (app, admin) = (app.clone(), admin.clone());
        tokio::spawn(async move {
            for n in 0..DELIVERIES {
                assert_eq!(send(&app.router, &admin, conv, n).await, StatusCode::OK);
                if n == DELIVERIES / 2 {
                    let killed: i64 = sqlx::query_scalar(
                        "SELECT COUNT(pg_terminate_backend(pid)) FROM pg_stat_activity \
                         WHERE datname = current_database() AND query LIKE 'LISTEN%'",
                    )
                    .fetch_one(app.db.read())
                    .await
                    .unwrap();
                    assert!(killed >= 1);
                }
            }
        })
    };
    let mut resyncs = 0;
    let stored = loop {
        let (name, _) = tokio::select! {
            e = stream.next() => e,
            _ = tokio::time::sleep(Duration::from_secs(3)) => {
                if sender.is_finished() { break app.count(&format!("SELECT COUNT(*) FROM messages WHERE conversation_id = {conv}")).await; }
                continue;
            }
        };
        if name == "resync" {
            resyncs += 1;
        }
        let after = held.last().copied().unwrap_or(0);
        held.extend(read_newer(&b, &patient, conv, after).await);
    };
    sender.await.unwrap();
    let all: BTreeSet<i64> =
        sqlx::query_scalar::<_, i64>("SELECT id FROM messages WHERE conversation_id = $1")
            .bind(conv)
            .fetch_all(app.db.read())
            .await
            .unwrap()
            .into_iter()
            .collect();
    let missing = all.difference(&held).count();
    assert_eq!(all.len() as i64, stored);
    Some(format!(
        "| listener killed mid-run ({DELIVERIES} messages, PostgreSQL) | {missing} missing | {resyncs} resync | |"
    ))
}

fn main() {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        println!("| messaging | figure | | |");
        println!("|---|---|---|---|");
        for backend in [Backend::Sqlite, Backend::Postgres] {
            if let Some(line) = durable(backend).await {
                println!("{line}");
            }
        }
        for line in [
            across_instances().await,
            idle_streams().await,
            nothing_lost().await,
        ]
        .into_iter()
        .flatten()
        {
            println!("{line}");
        }
    });
}
