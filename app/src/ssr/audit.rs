//! The append-only audit log: who did what to which record, and when.

use sqlx::AnyConnection;

use super::{breaker::is_storage_failure, db::Db, session::Principal};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Actor {
    Patient(i64),
    Staff(i64),
    System,
    Anonymous,
}

impl From<Principal> for Actor {
    fn from(p: Principal) -> Self {
        match p {
            Principal::Patient(id) => Actor::Patient(id),
            Principal::Staff(id) => Actor::Staff(id),
        }
    }
}

impl Actor {
    fn parts(self) -> (&'static str, Option<i64>) {
        match self {
            Actor::Patient(id) => ("patient", Some(id)),
            Actor::Staff(id) => ("staff", Some(id)),
            Actor::System => ("system", None),
            Actor::Anonymous => ("anonymous", None),
        }
    }
}

/// One audit record. `client` is the keyed hash of the client address, never the address.
#[derive(Clone, Copy)]
pub struct Entry<'a> {
    pub actor: Actor,
    pub action: &'a str,
    pub chart_id: Option<i64>,
    pub client: Option<&'a str>,
    pub detail: &'a str,
}

pub async fn record(conn: &mut AnyConnection, now: i64, e: Entry<'_>) -> Result<(), sqlx::Error> {
    let (kind, id) = e.actor.parts();
    sqlx::query(
        "INSERT INTO audit_log (occurred_at, actor_kind, actor_id, action, chart_id, client_ip, detail) \
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(now)
    .bind(kind)
    .bind(id)
    .bind(e.action)
    .bind(e.chart_id)
    .bind(e.client)
    .bind(e.detail)
    .execute(conn)
    .await?;
    Ok(())
}

/// Record an entry that is the only write of what the caller does (a read of patient data, a
/// refusal). When the disk refuses writes (full, read-only, failing), the entry goes to the
/// operator's log instead and the read goes on: refusing to show a patient their own
/// appointments because the audit table cannot grow would turn a full disk into an outage of
/// every page. Any other failure is the caller's.
pub async fn record_alone(db: &Db, now: i64, e: Entry<'_>) -> Result<(), sqlx::Error> {
    let written = db
        .audit_queue()
        .write(db.write(), db.backend(), now, e)
        .await;
    match written {
        Err(err) if is_storage_failure(&err) => {
            let (kind, id) = e.actor.parts();
            tracing::error!(
                target: "portico::audit",
                occurred_at = now,
                actor_kind = kind,
                actor_id = id,
                action = e.action,
                chart_id = e.chart_id,
                client = e.client,
                detail = e.detail,
                error = %err,
                "audit entry not stored: the database refused the write"
            );
            Ok(())
        }
        other => other,
    }
}
