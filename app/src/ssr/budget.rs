//! Allowances that run out: codes sent per day, wrong guesses per day, requests per hour.
//!
//! One counter per key in a fixed window that starts with its first use. Spending is a single
//! conditional upsert, so parallel requests cannot overspend: the database refuses the
//! increment once the counter reaches its limit.

use sqlx::{AnyConnection, Row};

use super::db::Db;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Budget {
    pub limit: i64,
    pub window_secs: i64,
}

pub const DAY: i64 = 24 * 60 * 60;

/// Take one from `key`'s allowance. False when it is used up (nothing is counted then).
pub async fn spend(
    conn: &mut AnyConnection,
    key: &str,
    budget: Budget,
    now: i64,
) -> Result<bool, sqlx::Error> {
    let done = sqlx::query(
        "INSERT INTO daily_budgets (key, used, window_started_at) VALUES ($1, 1, $2) \
         ON CONFLICT (key) DO UPDATE SET \
           used = CASE WHEN daily_budgets.window_started_at <= $3 THEN 1 ELSE daily_budgets.used + 1 END, \
           window_started_at = CASE WHEN daily_budgets.window_started_at <= $3 THEN $2 \
                                    ELSE daily_budgets.window_started_at END \
         WHERE daily_budgets.window_started_at <= $3 OR daily_budgets.used < $4",
    )
    .bind(key)
    .bind(now)
    .bind(now - budget.window_secs)
    .bind(budget.limit)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// How much of `key`'s allowance is used in the current window.
pub async fn used(db: &Db, key: &str, budget: Budget, now: i64) -> Result<i64, sqlx::Error> {
    let row = sqlx::query("SELECT used, window_started_at FROM daily_budgets WHERE key = $1")
        .bind(key)
        .fetch_optional(db.read())
        .await?;
    Ok(match row {
        Some(r) if r.try_get::<i64, _>(1)? > now - budget.window_secs => r.try_get(0)?,
        _ => 0,
    })
}

/// Whether anything is left of `key`'s allowance.
pub async fn available(db: &Db, key: &str, budget: Budget, now: i64) -> Result<bool, sqlx::Error> {
    Ok(used(db, key, budget, now).await? < budget.limit)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ssr::testing::TestDb;

    const THREE: Budget = Budget {
        limit: 3,
        window_secs: 100,
    };

    crate::db_test!(
        spending_stops_at_the_limit_and_renews,
        |t: TestDb| async move {
            let mut conn = t.db.write().acquire().await.unwrap();
            for _ in 0..3 {
                assert!(spend(&mut conn, "k", THREE, 1_000).await.unwrap());
            }
            assert!(!spend(&mut conn, "k", THREE, 1_050).await.unwrap());
            assert_eq!(used(&t.db, "k", THREE, 1_050).await.unwrap(), 3);
            assert!(!available(&t.db, "k", THREE, 1_099).await.unwrap());
            // A new window starts once the old one is over.
            assert!(available(&t.db, "k", THREE, 1_100).await.unwrap());
            assert!(spend(&mut conn, "k", THREE, 1_100).await.unwrap());
            assert_eq!(used(&t.db, "k", THREE, 1_100).await.unwrap(), 1);
            // Keys are independent.
            assert!(spend(&mut conn, "other", THREE, 1_100).await.unwrap());
        }
    );

    crate::db_test!(parallel_spending_never_overspends, |t: TestDb| async move {
        let mut tasks = Vec::new();
        for _ in 0..20 {
            let db = t.db.clone();
            tasks.push(tokio::spawn(async move {
                let mut conn = db.write().acquire().await.unwrap();
                spend(&mut conn, "p", THREE, 5_000).await.unwrap()
            }));
        }
        let mut spent = 0;
        for task in tasks {
            spent += i32::from(task.await.unwrap());
        }
        assert_eq!(spent, 3);
    });
}
