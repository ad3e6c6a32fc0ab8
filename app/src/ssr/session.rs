//! Server-side sessions, stored in the database so several server instances share them.

use sqlx::{Any, AnyConnection, Row};

use super::{db::Db, token};

/// The default idle timeout (SPEC §6); `PORTICO_IDLE_TIMEOUT_SECS` may shorten or lengthen it.
pub const IDLE_TIMEOUT_SECS: i64 = 15 * 60;
pub const ABSOLUTE_TIMEOUT_SECS: i64 = 12 * 60 * 60;
/// `last_seen_at` is refreshed at most this often, so a busy page costs no write per request.
pub const TOUCH_INTERVAL_SECS: i64 = 30;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Principal {
    Patient(i64),
    Staff(i64),
}

#[derive(Debug, Clone)]
pub struct Session {
    pub id_hash: String,
    pub principal: Principal,
    pub selected_chart_id: Option<i64>,
    pub created_at: i64,
    pub last_seen_at: i64,
    /// The idle timeout in force when the session was loaded.
    pub idle_timeout_secs: i64,
    /// Who holds it, read in the same query; `None` once the account (or, for staff, its
    /// activation) is gone.
    pub holder: Option<Holder>,
}

/// The account behind a session as the pages need it on every request: reading it with the
/// session saves each page a query, and it is exactly as fresh (both come from this request).
#[derive(Clone, PartialEq, Eq)]
pub struct Holder {
    pub display_name: String,
    pub username: String,
    pub staff: Option<StaffHolder>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StaffHolder {
    pub role: String,
    pub practice_id: i64,
    pub practice_name: String,
}

// Names stay out of logs and panics.
impl std::fmt::Debug for Holder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Holder")
            .field("staff", &self.staff)
            .finish_non_exhaustive()
    }
}

impl Session {
    /// The staff member holding this session, while the account is active.
    pub fn staff(&self) -> Option<(&Holder, &StaffHolder)> {
        let holder = self.holder.as_ref()?;
        Some((holder, holder.staff.as_ref()?))
    }

    /// Seconds until whichever timeout comes first.
    pub fn seconds_left(&self, now: i64) -> i64 {
        let idle = self.last_seen_at + self.idle_timeout_secs - now;
        let absolute = self.created_at + ABSOLUTE_TIMEOUT_SECS - now;
        idle.min(absolute).max(0)
    }

    pub fn is_expired(&self, now: i64) -> bool {
        self.seconds_left(now) == 0
    }
}

/// What a cookie turned out to be.
#[derive(Debug, Clone)]
pub enum Lookup {
    Valid(Session),
    /// It named a session that timed out (now deleted).
    Expired,
    /// It named nothing: never issued, tampered with, or signed out.
    Unknown,
}

/// Store a new session inside `tx`; returns the cookie token (only the hash is stored).
pub async fn create(
    tx: &mut AnyConnection,
    principal: Principal,
    now: i64,
) -> Result<String, sqlx::Error> {
    let token = token::new_token();
    let (patient, staff) = match principal {
        Principal::Patient(id) => (Some(id), None),
        Principal::Staff(id) => (None, Some(id)),
    };
    sqlx::query(
        "INSERT INTO sessions (id_hash, patient_account_id, staff_account_id, created_at, \
         last_seen_at) VALUES ($1, $2, $3, $4, $4)",
    )
    .bind(token::token_hash(&token))
    .bind(patient)
    .bind(staff)
    .bind(now)
    .execute(tx)
    .await?;
    Ok(token)
}

/// Find the session a cookie token names, enforcing both timeouts and recording activity.
pub async fn load(
    db: &Db,
    token: &str,
    now: i64,
    idle_timeout_secs: i64,
) -> Result<Lookup, sqlx::Error> {
    load_as(db, token, now, idle_timeout_secs, Activity::Active).await
}

/// Whether a request counts as the person being active.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Activity {
    Active,
    /// A page reading in the background (live updates): checked like any request, but it does
    /// not hold off the idle timeout.
    Passive,
}

pub async fn load_as(
    db: &Db,
    token: &str,
    now: i64,
    idle_timeout_secs: i64,
    activity: Activity,
) -> Result<Lookup, sqlx::Error> {
    // Tokens are 64 hex characters; anything else cannot name a session.
    if token.len() != 64 || !token.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Ok(Lookup::Unknown);
    }
    by_hash(
        db,
        token::token_hash(token),
        now,
        idle_timeout_secs,
        activity,
    )
    .await
}

/// The session stored under `id_hash`, as `load_as` finds it.
pub async fn by_hash(
    db: &Db,
    id_hash: String,
    now: i64,
    idle_timeout_secs: i64,
    activity: Activity,
) -> Result<Lookup, sqlx::Error> {
    let row = sqlx::query(
        "SELECT s.patient_account_id, s.staff_account_id, s.selected_chart_id, s.created_at, \
         s.last_seen_at, COALESCE(pa.display_name, st.display_name), \
         COALESCE(pa.username, st.username), st.role, st.practice_id, p.name \
         FROM sessions s \
         LEFT JOIN portal_accounts pa ON pa.id = s.patient_account_id \
         LEFT JOIN staff_accounts st ON st.id = s.staff_account_id AND st.active = TRUE \
         LEFT JOIN practices p ON p.id = st.practice_id \
         WHERE s.id_hash = $1",
    )
    .bind(&id_hash)
    .fetch_optional(db.read())
    .await?;
    let Some(row) = row else {
        return Ok(Lookup::Unknown);
    };
    let patient: Option<i64> = row.try_get(0)?;
    let staff: Option<i64> = row.try_get(1)?;
    let principal = match (patient, staff) {
        (Some(id), None) => Principal::Patient(id),
        (None, Some(id)) => Principal::Staff(id),
        _ => return Ok(Lookup::Unknown),
    };
    let mut session = Session {
        id_hash,
        principal,
        selected_chart_id: row.try_get(2)?,
        created_at: row.try_get(3)?,
        last_seen_at: row.try_get(4)?,
        idle_timeout_secs,
        holder: holder(&row, principal)?,
    };
    if session.is_expired(now) {
        delete(db, &session.id_hash).await?;
        return Ok(Lookup::Expired);
    }
    if activity == Activity::Active && now - session.last_seen_at >= TOUCH_INTERVAL_SECS {
        match touch(db, &session.id_hash, now).await {
            Ok(()) => session.last_seen_at = now,
            // A disk that refuses writes must not sign everyone out of reading: the idle
            // clock stands still until it takes writes again.
            Err(e) if super::breaker::is_storage_failure(&e) => {
                tracing::warn!(error = %e, "session activity not recorded");
            }
            Err(e) => return Err(e),
        }
    }
    Ok(Lookup::Valid(session))
}

fn holder(row: &sqlx::any::AnyRow, principal: Principal) -> Result<Option<Holder>, sqlx::Error> {
    let (Some(display_name), Some(username)) = (row.try_get(5)?, row.try_get(6)?) else {
        return Ok(None);
    };
    let staff = match principal {
        Principal::Patient(_) => None,
        Principal::Staff(_) => Some(StaffHolder {
            role: row.try_get(7)?,
            practice_id: row.try_get(8)?,
            practice_name: row.try_get(9)?,
        }),
    };
    Ok(Some(Holder {
        display_name,
        username,
        staff,
    }))
}

pub async fn touch(db: &Db, id_hash: &str, now: i64) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE sessions SET last_seen_at = $1 WHERE id_hash = $2")
        .bind(now)
        .bind(id_hash)
        .execute(db.write())
        .await?;
    Ok(())
}

pub async fn delete(db: &Db, id_hash: &str) -> Result<(), sqlx::Error> {
    delete_in(&mut *db.write().acquire().await?, id_hash).await
}

pub async fn delete_in(conn: &mut AnyConnection, id_hash: &str) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM sessions WHERE id_hash = $1")
        .bind(id_hash)
        .execute(conn)
        .await?;
    Ok(())
}

pub async fn select_chart(
    conn: &mut AnyConnection,
    id_hash: &str,
    chart_id: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE sessions SET selected_chart_id = $1 WHERE id_hash = $2")
        .bind(chart_id)
        .bind(id_hash)
        .execute(conn)
        .await?;
    Ok(())
}

/// Remove sessions past either timeout; run periodically by the server.
pub async fn purge_expired(db: &Db, now: i64, idle_timeout_secs: i64) -> Result<u64, sqlx::Error> {
    let done =
        sqlx::query::<Any>("DELETE FROM sessions WHERE last_seen_at <= $1 OR created_at <= $2")
            .bind(now - idle_timeout_secs)
            .bind(now - ABSOLUTE_TIMEOUT_SECS)
            .execute(db.write())
            .await?;
    Ok(done.rows_affected())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn session(created_at: i64, last_seen_at: i64) -> Session {
        Session {
            id_hash: String::new(),
            principal: Principal::Patient(1),
            selected_chart_id: None,
            created_at,
            last_seen_at,
            idle_timeout_secs: IDLE_TIMEOUT_SECS,
            holder: None,
        }
    }

    #[test]
    fn idle_timeout_is_fifteen_minutes() {
        let s = session(0, 0);
        assert_eq!(s.seconds_left(0), 900);
        assert!(!s.is_expired(899));
        assert!(s.is_expired(900));
    }

    #[test]
    fn absolute_timeout_wins_when_sooner() {
        let twelve_hours = 12 * 3600;
        let s = session(0, twelve_hours - 60);
        assert_eq!(s.seconds_left(twelve_hours - 60), 60);
        assert!(s.is_expired(twelve_hours));
    }

    use crate::ssr::testing::TestDb;

    async fn patient_session(t: &TestDb, now: i64) -> String {
        crate::ssr::demo::seed_if_empty(&t.db, &crate::ssr::password::Hasher::new().unwrap(), 0)
            .await
            .unwrap();
        let mut tx = t.db.begin().await.unwrap();
        let token = create(&mut tx, Principal::Patient(1), now).await.unwrap();
        tx.commit().await.unwrap();
        token
    }

    crate::db_test!(
        sessions_round_trip_and_store_only_a_hash,
        |t: TestDb| async move {
            let token = patient_session(&t, 1000).await;
            let stored: String = sqlx::query_scalar("SELECT id_hash FROM sessions")
                .fetch_one(t.db.read())
                .await
                .unwrap();
            assert_ne!(stored, token);
            match load(&t.db, &token, 1001, IDLE_TIMEOUT_SECS).await.unwrap() {
                Lookup::Valid(s) => assert_eq!(s.principal, Principal::Patient(1)),
                other => panic!("{other:?}"),
            }
            assert!(matches!(
                load(&t.db, &"0".repeat(64), 1001, IDLE_TIMEOUT_SECS)
                    .await
                    .unwrap(),
                Lookup::Unknown
            ));
            assert!(matches!(
                load(&t.db, "short", 1001, IDLE_TIMEOUT_SECS).await.unwrap(),
                Lookup::Unknown
            ));
        }
    );

    crate::db_test!(
        activity_is_recorded_at_most_every_interval,
        |t: TestDb| async move {
            let token = patient_session(&t, 1000).await;
            let seen = || async {
                sqlx::query_scalar::<_, i64>("SELECT last_seen_at FROM sessions")
                    .fetch_one(t.db.read())
                    .await
                    .unwrap()
            };
            load(
                &t.db,
                &token,
                1000 + TOUCH_INTERVAL_SECS - 1,
                IDLE_TIMEOUT_SECS,
            )
            .await
            .unwrap();
            assert_eq!(seen().await, 1000);
            load(&t.db, &token, 1000 + TOUCH_INTERVAL_SECS, IDLE_TIMEOUT_SECS)
                .await
                .unwrap();
            assert_eq!(seen().await, 1000 + TOUCH_INTERVAL_SECS);
        }
    );

    crate::db_test!(
        the_holder_is_read_with_the_session_and_goes_with_its_activation,
        |t: TestDb| async move {
            patient_session(&t, 1000).await;
            let staff: i64 =
                sqlx::query_scalar("SELECT id FROM staff_accounts WHERE username = 'frontdesk'")
                    .fetch_one(t.db.read())
                    .await
                    .unwrap();
            let mut tx = t.db.begin().await.unwrap();
            let token = create(&mut tx, Principal::Staff(staff), 1000)
                .await
                .unwrap();
            tx.commit().await.unwrap();
            let holder = |lookup: Lookup| match lookup {
                Lookup::Valid(s) => s.holder,
                other => panic!("{other:?}"),
            };
            let found = holder(load(&t.db, &token, 1001, IDLE_TIMEOUT_SECS).await.unwrap())
                .expect("an active staff member holds the session");
            assert_eq!(found.username, "frontdesk");
            let practice = found.staff.expect("staff details").practice_id;
            let expected: i64 =
                sqlx::query_scalar("SELECT practice_id FROM staff_accounts WHERE id = $1")
                    .bind(staff)
                    .fetch_one(t.db.read())
                    .await
                    .unwrap();
            assert_eq!(practice, expected);

            sqlx::query("UPDATE staff_accounts SET active = FALSE WHERE id = $1")
                .bind(staff)
                .execute(t.db.write())
                .await
                .unwrap();
            let gone = holder(load(&t.db, &token, 1002, IDLE_TIMEOUT_SECS).await.unwrap());
            assert!(
                gone.is_none(),
                "deactivation applies on the very next request"
            );
        }
    );

    crate::db_test!(expired_sessions_are_deleted, |t: TestDb| async move {
        let token = patient_session(&t, 1000).await;
        assert!(matches!(
            load(&t.db, &token, 1000 + IDLE_TIMEOUT_SECS, IDLE_TIMEOUT_SECS)
                .await
                .unwrap(),
            Lookup::Expired
        ));
        assert!(matches!(
            load(&t.db, &token, 1000, IDLE_TIMEOUT_SECS).await.unwrap(),
            Lookup::Unknown
        ));
        let other = patient_session(&t, 5000).await;
        assert_eq!(
            purge_expired(&t.db, 5000 + ABSOLUTE_TIMEOUT_SECS, IDLE_TIMEOUT_SECS)
                .await
                .unwrap(),
            1
        );
        assert!(matches!(
            load(&t.db, &other, 5001, IDLE_TIMEOUT_SECS).await.unwrap(),
            Lookup::Unknown
        ));
    });
}
