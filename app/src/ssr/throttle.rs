//! Slowing down password guessing, per account name and per client address.
//!
//! Failures are counted in the database (so every server instance sees them) within a window.
//! Past a free allowance each further attempt must wait, doubling up to a cap. There is never a
//! permanent lockout, so an attacker cannot lock a patient out for long by guessing.

use sqlx::{AnyConnection, Row};

use super::{config::Config, db::Db, token};

#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Failures allowed in a window before waiting starts.
    pub free_failures: i64,
    pub window_secs: i64,
    pub base_delay_secs: i64,
    pub max_delay_secs: i64,
}

/// Per account name: five tries, then 30 s, 1 min, 2 min … up to 15 min between attempts.
pub const ACCOUNT: Limits = Limits {
    free_failures: 5,
    window_secs: 15 * 60,
    base_delay_secs: 30,
    max_delay_secs: 15 * 60,
};

/// Per client address: generous, because a whole clinic or household may share one address.
pub const ADDRESS: Limits = Limits {
    free_failures: 50,
    window_secs: 15 * 60,
    base_delay_secs: 30,
    max_delay_secs: 15 * 60,
};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Counter {
    pub failures: i64,
    pub window_started_at: i64,
    pub last_failure_at: i64,
}

/// Seconds the next attempt must wait under `limits` (0: go ahead).
pub fn wait_secs(limits: Limits, c: Counter, now: i64) -> i64 {
    if now - c.window_started_at >= limits.window_secs || c.failures < limits.free_failures {
        return 0;
    }
    let doublings = (c.failures - limits.free_failures).min(20) as u32;
    let delay = (limits.base_delay_secs.saturating_mul(1 << doublings)).min(limits.max_delay_secs);
    (c.last_failure_at + delay - now).max(0)
}

/// The message a throttled person sees.
pub fn message(wait: i64) -> String {
    let when = if wait <= 60 {
        "a minute".to_string()
    } else {
        format!("{} minutes", (wait + 59) / 60)
    };
    format!("Too many unsuccessful sign-in attempts. For your security, please wait {when} and try again.")
}

pub fn account_key(kind: &str, username: &str) -> String {
    format!("{kind}:{username}")
}

/// Addresses are stored keyed-hashed: the table should not be a list of patients' IPs.
pub fn address_key(config: &Config, ip: &str) -> String {
    format!("ip:{}", &token::keyed_hash(&config.secret_key, ip)[..32])
}

async fn counter(db: &Db, key: &str) -> Result<Option<Counter>, sqlx::Error> {
    let row = sqlx::query(
        "SELECT failures, window_started_at, last_failure_at FROM auth_throttle WHERE key = $1",
    )
    .bind(key)
    .fetch_optional(db.read())
    .await?;
    row.map(|r| {
        Ok(Counter {
            failures: r.try_get(0)?,
            window_started_at: r.try_get(1)?,
            last_failure_at: r.try_get(2)?,
        })
    })
    .transpose()
}

/// The longest wait any of `keys` imposes now.
pub async fn check(db: &Db, keys: &[(&str, Limits)], now: i64) -> Result<i64, sqlx::Error> {
    let mut wait = 0;
    for (key, limits) in keys {
        if let Some(c) = counter(db, key).await? {
            wait = wait.max(wait_secs(*limits, c, now));
        }
    }
    Ok(wait)
}

pub async fn record_failure(
    conn: &mut AnyConnection,
    key: &str,
    window_secs: i64,
    now: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO auth_throttle (key, failures, window_started_at, last_failure_at) \
         VALUES ($1, 1, $2, $2) \
         ON CONFLICT (key) DO UPDATE SET \
           failures = CASE WHEN auth_throttle.window_started_at <= $3 THEN 1 \
                           ELSE auth_throttle.failures + 1 END, \
           window_started_at = CASE WHEN auth_throttle.window_started_at <= $3 THEN $2 \
                           ELSE auth_throttle.window_started_at END, \
           last_failure_at = $2",
    )
    .bind(key)
    .bind(now)
    .bind(now - window_secs)
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn clear(conn: &mut AnyConnection, key: &str) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM auth_throttle WHERE key = $1")
        .bind(key)
        .execute(conn)
        .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn c(failures: i64, last: i64) -> Counter {
        Counter {
            failures,
            window_started_at: 0,
            last_failure_at: last,
        }
    }

    #[test]
    fn free_attempts_do_not_wait() {
        assert_eq!(wait_secs(ACCOUNT, c(4, 100), 100), 0);
    }

    #[test]
    fn waiting_starts_at_the_allowance_and_doubles() {
        assert_eq!(wait_secs(ACCOUNT, c(5, 100), 100), 30);
        assert_eq!(wait_secs(ACCOUNT, c(6, 100), 100), 60);
        assert_eq!(wait_secs(ACCOUNT, c(7, 100), 100), 120);
        assert_eq!(wait_secs(ACCOUNT, c(5, 100), 129), 1);
        assert_eq!(wait_secs(ACCOUNT, c(5, 100), 130), 0);
    }

    #[test]
    fn waits_are_capped() {
        assert_eq!(wait_secs(ACCOUNT, c(60, 100), 100), 900);
    }

    #[test]
    fn a_new_window_starts_over() {
        assert_eq!(wait_secs(ACCOUNT, c(30, 899), 900), 0);
    }

    #[test]
    fn messages_round_up_to_minutes() {
        assert!(message(30).contains("a minute"));
        assert!(message(61).contains("2 minutes"));
        assert!(message(900).contains("15 minutes"));
    }

    use crate::ssr::testing::TestDb;

    crate::db_test!(
        failures_count_within_a_window_and_reset_after,
        |t: TestDb| async move {
            let mut conn = t.db.write().acquire().await.unwrap();
            for i in 0..5 {
                record_failure(&mut conn, "patient:x", ACCOUNT.window_secs, 100 + i)
                    .await
                    .unwrap();
            }
            drop(conn);
            let keys = [("patient:x", ACCOUNT)];
            assert_eq!(check(&t.db, &keys, 104).await.unwrap(), 30);
            assert_eq!(check(&t.db, &keys, 134).await.unwrap(), 0);
            // A failure after the window has passed starts a new count.
            let mut conn = t.db.write().acquire().await.unwrap();
            record_failure(
                &mut conn,
                "patient:x",
                ACCOUNT.window_secs,
                100 + ACCOUNT.window_secs,
            )
            .await
            .unwrap();
            let failures: i64 =
                sqlx::query_scalar("SELECT failures FROM auth_throttle WHERE key = 'patient:x'")
                    .fetch_one(&mut *conn)
                    .await
                    .unwrap();
            assert_eq!(failures, 1);
            clear(&mut conn, "patient:x").await.unwrap();
            drop(conn);
            assert_eq!(check(&t.db, &keys, 2000).await.unwrap(), 0);
        }
    );
}
