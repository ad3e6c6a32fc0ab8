//! `/metrics` in the Prometheus text format: requests by route template and status, latency
//! histograms, the database pools, the outbox, live connections and the breaker.
//!
//! Only for the operator: a caller on this machine (a loopback peer whose request came through
//! no proxy), or one with `Authorization: Bearer $PORTICO_METRICS_TOKEN`. Everyone else gets
//! 403, and nothing here names a person.

use std::{
    collections::BTreeMap,
    fmt::Write,
    net::SocketAddr,
    sync::{Arc, Mutex},
    time::Instant,
};

use axum::{
    extract::{ConnectInfo, MatchedPath, Request, State},
    http::{header, HeaderMap, StatusCode},
    middleware::Next,
    response::{IntoResponse, Response},
};

use app::ssr::state::AppState;

/// Upper bounds of the latency buckets, in seconds.
const BUCKETS: [f64; 12] = [
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0,
];

#[derive(Default)]
struct Latency {
    counts: [u64; BUCKETS.len()],
    count: u64,
    sum: f64,
}

#[derive(Default)]
struct Counters {
    /// (route template, method, status) → requests.
    requests: BTreeMap<(String, String, u16), u64>,
    /// route template → latency.
    latency: BTreeMap<String, Latency>,
}

#[derive(Clone, Default)]
pub struct Metrics(Arc<Mutex<Counters>>);

impl Metrics {
    fn record(&self, route: &str, method: &str, status: u16, seconds: f64) {
        let mut c = self.0.lock().unwrap_or_else(|p| p.into_inner());
        *c.requests
            .entry((route.to_string(), method.to_string(), status))
            .or_default() += 1;
        let l = c.latency.entry(route.to_string()).or_default();
        l.count += 1;
        l.sum += seconds;
        for (i, bound) in BUCKETS.iter().enumerate() {
            if seconds <= *bound {
                l.counts[i] += 1;
            }
        }
    }
}

/// Counts every request under the route template it matched, never its real path (which may
/// hold ids or a token).
pub async fn track(State(metrics): State<Metrics>, req: Request, next: Next) -> Response {
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(|| "unmatched".to_string(), |m| m.as_str().to_string());
    let method = req.method().as_str().to_string();
    let started = Instant::now();
    let res = next.run(req).await;
    metrics.record(
        &route,
        &method,
        res.status().as_u16(),
        started.elapsed().as_secs_f64(),
    );
    res
}

/// Whether this caller may read the metrics.
pub fn allowed(peer: Option<SocketAddr>, headers: &HeaderMap, token: Option<&str>) -> bool {
    if let Some(token) = token {
        let given = headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "));
        if given.is_some_and(|g| app::ssr::token::constant_time_eq(g.as_bytes(), token.as_bytes()))
        {
            return true;
        }
    }
    // A proxy on this machine makes every visitor a loopback peer; it says so in these headers.
    let proxied = ["x-forwarded-for", "forwarded", "x-real-ip"]
        .iter()
        .any(|h| headers.contains_key(*h));
    peer.is_some_and(|p| p.ip().is_loopback()) && !proxied
}

pub async fn serve(State((state, metrics)): State<(AppState, Metrics)>, req: Request) -> Response {
    let peer = req
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0);
    if !allowed(peer, req.headers(), state.config.metrics_token.as_deref()) {
        return (StatusCode::FORBIDDEN, "forbidden").into_response();
    }
    let outbox = if state.db.breaker().is_open() {
        None
    } else {
        outbox(&state).await
    };
    (
        [(header::CONTENT_TYPE, "text/plain; version=0.0.4")],
        render(&state, &metrics, outbox, state.clock.now()),
    )
        .into_response()
}

/// Pending messages and the oldest one's creation time.
async fn outbox(state: &AppState) -> Option<(i64, Option<i64>)> {
    let q = sqlx::query_as::<_, (i64, Option<i64>)>(
        "SELECT COUNT(*), MIN(created_at) FROM outbox WHERE status = 'pending'",
    )
    .fetch_one(state.db.read());
    tokio::time::timeout(std::time::Duration::from_secs(1), q)
        .await
        .ok()?
        .ok()
}

fn render(
    state: &AppState,
    metrics: &Metrics,
    outbox: Option<(i64, Option<i64>)>,
    now: i64,
) -> String {
    let mut out = String::new();
    let c = metrics.0.lock().unwrap_or_else(|p| p.into_inner());
    let _ = writeln!(out, "# HELP portico_http_requests_total Requests answered, by route template, method and status.\n# TYPE portico_http_requests_total counter");
    for ((route, method, status), n) in &c.requests {
        let _ = writeln!(
            out,
            "portico_http_requests_total{{route=\"{}\",method=\"{method}\",status=\"{status}\"}} {n}",
            escape(route)
        );
    }
    let _ = writeln!(out, "# HELP portico_http_request_duration_seconds Time to answer, by route template.\n# TYPE portico_http_request_duration_seconds histogram");
    for (route, l) in &c.latency {
        let route = escape(route);
        for (bound, n) in BUCKETS.iter().zip(l.counts) {
            let _ = writeln!(
                out,
                "portico_http_request_duration_seconds_bucket{{route=\"{route}\",le=\"{bound}\"}} {n}"
            );
        }
        let _ = writeln!(
            out,
            "portico_http_request_duration_seconds_bucket{{route=\"{route}\",le=\"+Inf\"}} {}\n\
             portico_http_request_duration_seconds_sum{{route=\"{route}\"}} {}\n\
             portico_http_request_duration_seconds_count{{route=\"{route}\"}} {}",
            l.count, l.sum, l.count
        );
    }
    drop(c);
    let (busy, idle) = state.db.pool_sizes();
    let breaker = state.db.breaker();
    let _ = writeln!(
        out,
        "# HELP portico_db_connections Database connections by state.\n# TYPE portico_db_connections gauge\n\
         portico_db_connections{{state=\"in_use\"}} {busy}\nportico_db_connections{{state=\"idle\"}} {idle}\n\
         # HELP portico_db_unavailable 1 while the database is known to be away (requests get 503 at once).\n# TYPE portico_db_unavailable gauge\n\
         portico_db_unavailable {}\n\
         # HELP portico_db_breaker_trips_total Times the database was found away since start.\n# TYPE portico_db_breaker_trips_total counter\n\
         portico_db_breaker_trips_total {}\n\
         # HELP portico_live_connections Open live messaging connections on this instance.\n# TYPE portico_live_connections gauge\n\
         portico_live_connections {}\n\
         # HELP portico_audit_commits_total Commits of audit entries that were a request's only write; several requests share one.\n# TYPE portico_audit_commits_total counter\n\
         portico_audit_commits_total {}",
        u8::from(breaker.is_open()),
        breaker.trips(),
        state.live.connections(),
        state.db.audit_queue().commits()
    );
    if let Some((pending, oldest)) = outbox {
        let age = oldest.map_or(0, |t| (now - t).max(0));
        let _ = writeln!(
            out,
            "# HELP portico_outbox_pending Emails and texts waiting to be sent.\n# TYPE portico_outbox_pending gauge\n\
             portico_outbox_pending {pending}\n\
             # HELP portico_outbox_oldest_pending_age_seconds Age of the oldest message waiting to be sent.\n# TYPE portico_outbox_oldest_pending_age_seconds gauge\n\
             portico_outbox_oldest_pending_age_seconds {age}"
        );
    }
    out
}

fn escape(label: &str) -> String {
    label.replace('\\', "\\\\").replace('"', "\\\"")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn addr(s: &str) -> Option<SocketAddr> {
        s.parse().ok()
    }

    #[test]
    fn only_this_machine_or_the_token_may_read() {
        let none = HeaderMap::new();
        assert!(allowed(addr("127.0.0.1:5000"), &none, None));
        assert!(allowed(addr("[::1]:5000"), &none, None));
        assert!(!allowed(addr("10.0.0.8:5000"), &none, None));
        assert!(!allowed(None, &none, None));
        let mut proxied = HeaderMap::new();
        proxied.insert("x-forwarded-for", "203.0.113.9".parse().unwrap());
        assert!(!allowed(addr("127.0.0.1:5000"), &proxied, None));
        let token = "t".repeat(32);
        let mut bearer = HeaderMap::new();
        bearer.insert(
            header::AUTHORIZATION,
            format!("Bearer {token}").parse().unwrap(),
        );
        assert!(allowed(addr("10.0.0.8:5000"), &bearer, Some(&token)));
        assert!(!allowed(
            addr("10.0.0.8:5000"),
            &bearer,
            Some(&"u".repeat(32))
        ));
        assert!(!allowed(addr("10.0.0.8:5000"), &bearer, None));
    }

    #[test]
    fn latency_lands_in_every_bucket_at_or_above_it() {
        let m = Metrics::default();
        m.record("/x", "GET", 200, 0.003);
        let c = m.0.lock().unwrap();
        let l = &c.latency["/x"];
        assert_eq!(&l.counts[..3], &[0, 0, 1]);
        assert_eq!(l.counts[BUCKETS.len() - 1], 1);
        assert_eq!(l.count, 1);
    }
}
