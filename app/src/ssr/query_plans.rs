//! The hot queries find their rows through an index, on both databases, with a clinic's worth
//! of data (`scale_seed`). A query that reads a whole table is fast on the demo and slow at a
//! clinic with ten thousand patients; this catches it before the clinic does.
//!
//! SQLite: no `SCAN t` step without an index in `EXPLAIN QUERY PLAN`. PostgreSQL: with
//! sequential scans priced out (`enable_seqscan = off`), no `Seq Scan` remains, so an index
//! that serves the query exists.

use super::{
    db::{Backend, Db},
    demo,
    password::Hasher,
    scale_seed,
    testing::TestDb,
};

/// (what, SQL with literal arguments): the session, a patient's lists, the staff queues.
fn hot_queries() -> Vec<(&'static str, String)> {
    let sel = super::appointments::store::SELECT;
    vec![
        ("session by token", "SELECT * FROM sessions WHERE id_hash = 'x'".into()),
        (
            "account by username",
            "SELECT id FROM portal_accounts WHERE username = 'scale00010'".into(),
        ),
        ("a patient's records", "SELECT chart_id FROM account_charts WHERE account_id = 12".into()),
        (
            "a patient's appointments",
            format!("{sel} WHERE a.chart_id = 20 AND a.starts_at >= 0 ORDER BY a.starts_at, a.id LIMIT 200"),
        ),
        (
            "the requests queue",
            format!("{sel} WHERE a.practice_id = 1 AND a.state IN ('requested', 'cancellation_requested', 'reschedule_requested') \
                     AND (0 = 0 OR a.provider_id = 0) AND ('' = '' OR a.state = '') ORDER BY a.updated_at, a.id LIMIT 51 OFFSET 50"),
        ),
        (
            "the requests queue's counts",
            "SELECT a.state, COUNT(*) FROM appointments a WHERE a.practice_id = 1 AND a.state IN \
             ('requested', 'cancellation_requested', 'reschedule_requested') AND (0 = 0 OR a.provider_id = 0) GROUP BY a.state".into(),
        ),
        (
            "a provider's day",
            "SELECT id FROM appointments WHERE provider_id = 1 AND starts_at >= 0 AND starts_at < 86400".into(),
        ),
        (
            "slot holds",
            "SELECT appointment_id FROM slot_holds WHERE provider_id = 1 AND starts_at < 99 ORDER BY starts_at DESC LIMIT 1".into(),
        ),
        (
            "a patient's conversations",
            "SELECT id FROM conversations WHERE chart_id = 20 ORDER BY last_message_at DESC LIMIT 200".into(),
        ),
        (
            "the staff inbox",
            "SELECT id FROM conversations WHERE practice_id = 1 AND needs_reply = 1 ORDER BY last_message_at DESC LIMIT 200".into(),
        ),
        (
            "a conversation's messages",
            "SELECT id, body FROM messages WHERE conversation_id = 20 ORDER BY id".into(),
        ),
        (
            "a record section",
            "SELECT id FROM health_entries WHERE chart_id = 20 AND section = 'labs' ORDER BY recorded_on DESC".into(),
        ),
        (
            "the audit log of a chart",
            "SELECT id FROM audit_log WHERE chart_id = 20 ORDER BY occurred_at DESC LIMIT 50".into(),
        ),
        (
            "the outbox",
            "SELECT id FROM outbox WHERE status = 'pending' AND next_attempt_at <= 99 ORDER BY id LIMIT 50".into(),
        ),
    ]
}

/// The plan's lines: SQLite's `EXPLAIN QUERY PLAN` details, or PostgreSQL's `EXPLAIN` with
/// sequential scans priced out.
async fn plan(db: &Db, sql: &str) -> Vec<String> {
    match db.backend() {
        Backend::Sqlite => {
            let rows: Vec<(i64, i64, i64, String)> =
                sqlx::query_as(&format!("EXPLAIN QUERY PLAN {sql}"))
                    .fetch_all(db.read())
                    .await
                    .unwrap_or_else(|e| panic!("{sql}: {e}"));
            rows.into_iter().map(|r| r.3).collect()
        }
        Backend::Postgres => {
            let mut c = db.read().acquire().await.unwrap_or_else(|e| panic!("{e}"));
            sqlx::query("SET enable_seqscan = off")
                .execute(&mut *c)
                .await
                .unwrap_or_else(|e| panic!("{e}"));
            let lines: Vec<String> = sqlx::query_scalar(&format!("EXPLAIN {sql}"))
                .fetch_all(&mut *c)
                .await
                .unwrap_or_else(|e| panic!("{sql}: {e}"));
            sqlx::query("RESET enable_seqscan")
                .execute(&mut *c)
                .await
                .unwrap_or_else(|e| panic!("{e}"));
            lines
        }
    }
}

async fn full_scans(db: &Db, sql: &str) -> Vec<String> {
    let sqlite = db.backend() == Backend::Sqlite;
    plan(db, sql)
        .await
        .into_iter()
        .filter(|l| {
            if sqlite {
                l.starts_with("SCAN ") && !l.contains(" USING ")
            } else {
                l.contains("Seq Scan") && !l.contains("on practices") && !l.contains("on providers")
            }
        })
        .collect()
}

/// The demo practice and sixty more patients' worth of every table, analysed.
async fn seed(db: &Db) {
    let now = 1_800_000_000;
    demo::seed_if_empty(db, &Hasher::new().unwrap_or_else(|e| panic!("{e}")), now)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    scale_seed::seed(db, now, 60)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    sqlx::query("ANALYZE")
        .execute(db.write())
        .await
        .unwrap_or_else(|e| panic!("{e}"));
}

crate::db_test!(hot_queries_use_indexes, |t: TestDb| async move {
    seed(&t.db).await;
    let mut slow = Vec::new();
    for (what, sql) in hot_queries() {
        let scans = full_scans(&t.db, &sql).await;
        if !scans.is_empty() {
            slow.push(format!("{what}: {scans:?}"));
        }
    }
    assert!(slow.is_empty(), "full table scans:\n{}", slow.join("\n"));
});

// Not scanning a table is not enough when the index read is a whole patient's history: the
// home page's "new results" read every audit row of the account until the index carried the
// action and the chart (the page went from 1,251 to 219 req/s as a benchmark added rows).
crate::db_test!(
    the_homes_last_record_view_is_one_seek,
    |t: TestDb| async move {
        seed(&t.db).await;
        let sql = crate::ssr::overview::NEW_RESULTS
            .replace("$1", "20")
            .replace("$2", "12");
        let lines = plan(&t.db, &sql).await;
        let audit: Vec<&String> = lines.iter().filter(|l| l.contains("audit_log")).collect();
        assert!(
            !audit.is_empty() && audit.iter().all(|l| l.contains("audit_log_actor_action")),
            "the audit read does not use audit_log_actor_action: {lines:#?}"
        );
    }
);
