//! The hot queries find their rows through an index, on both databases, with a clinic's worth
//! of data (`scale_seed`). A query that reads a whole table is fast on the demo and slow at a
//! clinic with ten thousand patients; this catches it before the clinic does.
//!
//! SQLite: no `SCAN t` step without an index in `EXPLAIN QUERY PLAN`. PostgreSQL: with
//! sequential scans priced out (`enable_seqscan = off`), no `Seq Scan` remains, so an index
//! that serves the query exists.

use super::{
    appointments::staff,
    db::{Backend, Db},
    demo, messaging,
    password::Hasher,
    scale_seed,
    testing::TestDb,
};
use crate::model::messages::InboxFilter;

/// `sql` with its placeholders $1, $2, … replaced by `values`, the last first so that $1 does
/// not match the start of $10.
fn args(sql: &str, values: &[&str]) -> String {
    values
        .iter()
        .enumerate()
        .rev()
        .fold(sql.to_owned(), |s, (i, v)| {
            s.replace(&format!("${}", i + 1), v)
        })
}

/// The inbox's page query as staff member 1 opening a page at `offset`, no search.
fn inbox(filter: InboxFilter, offset: &str) -> String {
    args(
        &messaging::staff::inbox_sql(filter),
        &["1", "1", "''", "'%%'", "51", offset],
    )
}

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
        ("the requests queue", args(&staff::queue_sql(), &["1", "0", "''", "51", "50"])),
        ("the requests queue's counts", args(&staff::queue_counts_sql(), &["1", "0"])),
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
        ("the staff inbox", inbox(InboxFilter::NeedsReply, "50")),
        ("the needs-reply count", args(messaging::staff::NEEDS_REPLY, &["1"])),
        (
            "the needs-reply badge",
            args(messaging::staff::NEEDS_REPLY_BADGE, &["1", "100"]),
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
/// sequential scans priced out, so that the plan left is one an index makes possible.
async fn plan(db: &Db, sql: &str) -> Vec<String> {
    plan_with(db, sql, &["enable_seqscan"]).await
}

/// [`plan`] with each of PostgreSQL's `enable_*` settings in `off` turned off (SQLite has none).
async fn plan_with(db: &Db, sql: &str, off: &[&str]) -> Vec<String> {
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
            for setting in off {
                sqlx::query(&format!("SET {setting} = off"))
                    .execute(&mut *c)
                    .await
                    .unwrap_or_else(|e| panic!("{e}"));
            }
            let lines: Vec<String> = sqlx::query_scalar(&format!("EXPLAIN {sql}"))
                .fetch_all(&mut *c)
                .await
                .unwrap_or_else(|e| panic!("{sql}: {e}"));
            sqlx::query("RESET ALL")
                .execute(&mut *c)
                .await
                .unwrap_or_else(|e| panic!("{e}"));
            lines
        }
    }
}

async fn full_scans(db: &Db, sql: &str) -> Vec<String> {
    let sqlite = db.backend() == Backend::Sqlite;
    let lines = plan(db, sql).await;
    // A scan of a subquery in FROM reads the rows that subquery's own plan produced.
    let subqueries: Vec<String> = lines
        .iter()
        .filter_map(|l| {
            l.strip_prefix("CO-ROUTINE ")
                .or_else(|| l.strip_prefix("MATERIALIZE "))
        })
        .map(|name| format!("SCAN {name}"))
        .collect();
    lines
        .into_iter()
        .filter(|l| {
            if sqlite {
                l.starts_with("SCAN ") && !l.contains(" USING ") && !subqueries.contains(l)
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

// No scan is not enough for a paged list either: at 10,000 patients the inbox and the requests
// queue read every waiting row, sorted them and kept fifty (the inbox page went from 17 to 685
// ms at p99). A page must be a walk of an index in the list's order that stops after the page.
crate::db_test!(
    paged_lists_are_read_in_index_order,
    |t: TestDb| async move {
        seed(&t.db).await;
        let mut lists: Vec<(String, String)> = InboxFilter::ALL
            .into_iter()
            .map(|f| (format!("the inbox, {f:?}"), inbox(f, "0")))
            .collect();
        lists.push((
            "the requests queue".into(),
            args(&staff::queue_sql(), &["1", "0", "''", "51", "0"]),
        ));
        lists.push((
            "the requests queue, one kind".into(),
            args(&staff::queue_sql(), &["1", "0", "'requested'", "51", "0"]),
        ));
        let sqlite = t.db.backend() == Backend::Sqlite;
        let mut sorted = Vec::new();
        for (what, sql) in lists {
            let lines = plan_with(&t.db, &sql, &["enable_seqscan", "enable_sort"]).await;
            let sorts = lines.iter().any(|l| {
                if sqlite {
                    l.contains("TEMP B-TREE FOR ORDER BY")
                } else {
                    l.trim_start().starts_with("Sort")
                        || l.contains("-> Sort")
                        || l.contains("Incremental Sort")
                }
            });
            if sorts {
                sorted.push(format!("{what}: {lines:#?}"));
            }
        }
        assert!(
            sorted.is_empty(),
            "sorted whole instead of read in order:\n{}",
            sorted.join("\n")
        );
    }
);

// The inbox and the overview show the exact needs-reply count, over every waiting
// conversation: it must come from the index alone, not from a read of each one's row.
crate::db_test!(
    the_needs_reply_count_reads_only_its_index,
    |t: TestDb| async move {
        seed(&t.db).await;
        let sql = args(messaging::staff::NEEDS_REPLY, &["1"]);
        let (covered, lines) = if t.db.backend() == Backend::Sqlite {
            let lines = plan(&t.db, &sql).await;
            (
                lines
                    .iter()
                    .any(|l| l.contains("COVERING INDEX conversations_needs_reply")),
                lines,
            )
        } else {
            // An index-only scan skips the table only for pages the visibility map marks as all
            // visible, which autovacuum keeps up on a live database; sixty patients' rows are
            // fewer than its threshold, so vacuum them here. A bitmap scan always reads the table.
            sqlx::query("VACUUM ANALYZE conversations")
                .execute(t.db.write())
                .await
                .unwrap_or_else(|e| panic!("{e}"));
            let lines = plan_with(&t.db, &sql, &["enable_seqscan", "enable_bitmapscan"]).await;
            (
                lines
                    .iter()
                    .any(|l| l.contains("Index Only Scan using conversations_needs_reply")),
                lines,
            )
        };
        assert!(
            covered,
            "the count does not come from conversations_needs_reply: {lines:#?}"
        );
    }
);
