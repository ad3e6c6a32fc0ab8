//! Security codes (SPEC §5): numeric, from the OS's CSPRNG, stored only as a keyed hash bound
//! to the flow and subject that asked for them, valid 10 minutes, single use.
//!
//! Limits: 3 wrong guesses per code; 10 wrong guesses and 5 codes sent per account a day.
//! Every limit is enforced by a conditional write, so parallel requests cannot exceed it.

use sqlx::{AnyConnection, Row};

use super::{
    budget::{self, Budget, DAY},
    config::Config,
    db::Db,
    token,
};

pub const TTL_SECS: i64 = 10 * 60;
pub const WRONG_PER_CODE: i64 = 3;
pub const WRONG_PER_DAY: Budget = Budget {
    limit: 10,
    window_secs: DAY,
};
pub const SENDS_PER_DAY: Budget = Budget {
    limit: 5,
    window_secs: DAY,
};

/// What a code unlocks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Purpose {
    /// Proving identity with an invitation (by the chart's phone).
    Enroll,
    /// Proving identity with a password-reset link.
    Reset,
    /// Confirming a new email address in account settings.
    Email,
    /// Confirming a new phone number in account settings.
    Phone,
}

impl Purpose {
    pub fn as_str(self) -> &'static str {
        match self {
            Purpose::Enroll => "enroll",
            Purpose::Reset => "reset",
            Purpose::Email => "email",
            Purpose::Phone => "phone",
        }
    }
}

/// Who asked, and whose allowance it spends.
#[derive(Debug, Clone)]
pub struct Scope {
    pub purpose: Purpose,
    /// The thing the code unlocks, e.g. `invitation:7`.
    pub subject: String,
    /// The account (or, before enrollment, the chart) whose daily limits apply.
    pub budget_key: String,
}

impl Scope {
    fn sends_key(&self) -> String {
        format!("code.sent:{}", self.budget_key)
    }
    fn wrong_key(&self) -> String {
        format!("code.wrong:{}", self.budget_key)
    }
}

/// A uniformly random code of `digits` digits (leading zeros kept).
pub fn generate(digits: u32) -> String {
    let modulus = 10u32.pow(digits);
    // Rejection sampling: the top of u32's range would favour small codes.
    let zone = u32::MAX - (u32::MAX % modulus);
    loop {
        let mut buf = [0u8; 4];
        #[allow(clippy::expect_used)]
        getrandom::fill(&mut buf).expect("operating system random number generator failed");
        let n = u32::from_le_bytes(buf);
        if n < zone {
            return format!("{:0width$}", n % modulus, width = digits as usize);
        }
    }
}

fn code_hash(config: &Config, scope: &Scope, code: &str) -> String {
    token::keyed_hash(
        &config.secret_key,
        &format!("code:{}:{}:{code}", scope.purpose.as_str(), scope.subject),
    )
}

/// Equal strings in time that does not depend on where they differ.
pub fn constant_time_eq(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

/// Why a new code was not issued.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NotIssued {
    /// Five codes already today.
    DailyLimit,
    /// Ten wrong guesses today: the path is locked.
    Locked,
    /// Asked again before the countdown ended; seconds left.
    TooSoon(i64),
}

/// Issue a new code for `scope`, replacing any earlier one. Returns the code to send; it is
/// never stored.
pub async fn issue(
    conn: &mut AnyConnection,
    config: &Config,
    scope: &Scope,
    payload: &str,
    now: i64,
) -> Result<Result<String, NotIssued>, sqlx::Error> {
    let last: Option<i64> = sqlx::query_scalar(
        "SELECT MAX(created_at) FROM security_codes WHERE purpose = $1 AND subject = $2",
    )
    .bind(scope.purpose.as_str())
    .bind(&scope.subject)
    .fetch_one(&mut *conn)
    .await?;
    if let Some(at) = last {
        let wait = at + config.code_resend_secs - now;
        if wait > 0 {
            return Ok(Err(NotIssued::TooSoon(wait)));
        }
    }
    if wrong_used(conn, scope, now).await? >= WRONG_PER_DAY.limit {
        return Ok(Err(NotIssued::Locked));
    }
    if !budget::spend(conn, &scope.sends_key(), SENDS_PER_DAY, now).await? {
        return Ok(Err(NotIssued::DailyLimit));
    }
    // Only the newest code works.
    sqlx::query(
        "UPDATE security_codes SET expires_at = $3 \
         WHERE purpose = $1 AND subject = $2 AND used_at IS NULL AND expires_at > $3",
    )
    .bind(scope.purpose.as_str())
    .bind(&scope.subject)
    .bind(now)
    .execute(&mut *conn)
    .await?;
    let code = generate(config.code_digits);
    sqlx::query(
        "INSERT INTO security_codes (purpose, subject, budget_key, code_hash, payload, wrong_guesses, created_at, expires_at) \
         VALUES ($1, $2, $3, $4, $5, 0, $6, $7)",
    )
    .bind(scope.purpose.as_str())
    .bind(&scope.subject)
    .bind(&scope.budget_key)
    .bind(code_hash(config, scope, &code))
    .bind(payload)
    .bind(now)
    .bind(now + TTL_SECS)
    .execute(&mut *conn)
    .await?;
    Ok(Ok(code))
}

async fn wrong_used(conn: &mut AnyConnection, scope: &Scope, now: i64) -> Result<i64, sqlx::Error> {
    let row = sqlx::query("SELECT used, window_started_at FROM daily_budgets WHERE key = $1")
        .bind(scope.wrong_key())
        .fetch_optional(&mut *conn)
        .await?;
    Ok(match row {
        Some(r) if r.try_get::<i64, _>(1)? > now - WRONG_PER_DAY.window_secs => r.try_get(0)?,
        _ => 0,
    })
}

/// Whether `scope`'s account has used up today's wrong guesses.
pub async fn locked(db: &Db, scope: &Scope, now: i64) -> Result<bool, sqlx::Error> {
    Ok(!budget::available(db, &scope.wrong_key(), WRONG_PER_DAY, now).await?)
}

/// The outcome of typing a code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Check {
    /// Right, and now used up. Carries the payload stored with the code.
    Accepted(String),
    /// Wrong; this many tries are left for this code.
    Wrong(i64),
    /// No live code: never sent, expired, replaced or used.
    NoCode,
    /// Three wrong guesses on this code: a new code is needed.
    CodeSpent,
    /// Ten wrong guesses today: the path is locked until tomorrow.
    Locked,
}

/// Check a typed code against the newest live code for `scope`.
pub async fn check(
    db: &Db,
    config: &Config,
    scope: &Scope,
    typed: &str,
    now: i64,
) -> Result<Check, sqlx::Error> {
    if locked(db, scope, now).await? {
        return Ok(Check::Locked);
    }
    let row = sqlx::query(
        "SELECT id, code_hash, wrong_guesses, payload FROM security_codes \
         WHERE purpose = $1 AND subject = $2 AND used_at IS NULL AND expires_at > $3 \
         ORDER BY id DESC LIMIT 1",
    )
    .bind(scope.purpose.as_str())
    .bind(&scope.subject)
    .bind(now)
    .fetch_optional(db.read())
    .await?;
    let Some(row) = row else {
        return Ok(Check::NoCode);
    };
    let id: i64 = row.try_get(0)?;
    let stored: String = row.try_get(1)?;
    let wrong: i64 = row.try_get(2)?;
    let payload: String = row.try_get(3)?;
    if wrong >= WRONG_PER_CODE {
        return Ok(Check::CodeSpent);
    }
    let mut tx = db.begin().await?;
    if constant_time_eq(&code_hash(config, scope, typed), &stored) {
        // The guards repeat what was read: a parallel request may have used the code or spent
        // its guesses in the meantime.
        let used = sqlx::query(
            "UPDATE security_codes SET used_at = $2 \
             WHERE id = $1 AND used_at IS NULL AND wrong_guesses < $3 AND expires_at > $2",
        )
        .bind(id)
        .bind(now)
        .bind(WRONG_PER_CODE)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        return Ok(if used.rows_affected() == 1 {
            Check::Accepted(payload)
        } else {
            Check::CodeSpent
        });
    }
    let counted = sqlx::query(
        "UPDATE security_codes SET wrong_guesses = wrong_guesses + 1 \
         WHERE id = $1 AND used_at IS NULL AND wrong_guesses < $2",
    )
    .bind(id)
    .bind(WRONG_PER_CODE)
    .execute(&mut *tx)
    .await?;
    if counted.rows_affected() == 0 {
        tx.commit().await?;
        return Ok(Check::CodeSpent);
    }
    let within_day = budget::spend(&mut tx, &scope.wrong_key(), WRONG_PER_DAY, now).await?;
    tx.commit().await?;
    if !within_day {
        return Ok(Check::Locked);
    }
    let left: i64 = sqlx::query_scalar("SELECT wrong_guesses FROM security_codes WHERE id = $1")
        .bind(id)
        .fetch_one(db.read())
        .await?;
    Ok(Check::Wrong((WRONG_PER_CODE - left).max(0)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ssr::testing::TestDb;

    #[test]
    fn codes_have_the_configured_length_and_vary() {
        for digits in [5, 6] {
            let codes: Vec<String> = (0..200).map(|_| generate(digits)).collect();
            assert!(codes
                .iter()
                .all(|c| c.len() == digits as usize && c.bytes().all(|b| b.is_ascii_digit())));
            let distinct: std::collections::HashSet<_> = codes.iter().collect();
            assert!(distinct.len() > 150, "{} distinct of 200", distinct.len());
        }
    }

    #[test]
    fn comparison_is_exact() {
        assert!(constant_time_eq("abc", "abc"));
        assert!(!constant_time_eq("abc", "abd"));
        assert!(!constant_time_eq("abc", "ab"));
    }

    fn scope(subject: &str) -> Scope {
        Scope {
            purpose: Purpose::Reset,
            subject: subject.into(),
            budget_key: "account:1".into(),
        }
    }

    fn config() -> Config {
        let mut c = Config::for_tests("sqlite:x");
        c.code_resend_secs = 1;
        c
    }

    async fn issue_one(t: &TestDb, s: &Scope, now: i64) -> Result<String, NotIssued> {
        let mut conn = t.db.write().acquire().await.unwrap();
        issue(&mut conn, &config(), s, "", now).await.unwrap()
    }

    crate::db_test!(
        a_code_works_once_and_only_for_its_scope,
        |t: TestDb| async move {
            let c = config();
            let s = scope("reset:1");
            let code = issue_one(&t, &s, 1_000).await.unwrap();
            assert_eq!(code.len(), 6);
            // Bound to its flow: the same digits do nothing elsewhere.
            let other = Scope {
                purpose: Purpose::Enroll,
                ..s.clone()
            };
            assert_eq!(
                check(&t.db, &c, &other, &code, 1_001).await.unwrap(),
                Check::NoCode
            );
            assert_eq!(
                check(&t.db, &c, &s, &code, 1_001).await.unwrap(),
                Check::Accepted(String::new())
            );
            assert_eq!(
                check(&t.db, &c, &s, &code, 1_002).await.unwrap(),
                Check::NoCode
            );
        }
    );

    crate::db_test!(codes_expire_after_ten_minutes, |t: TestDb| async move {
        let s = scope("reset:2");
        let code = issue_one(&t, &s, 1_000).await.unwrap();
        assert_eq!(
            check(&t.db, &config(), &s, &code, 1_000 + TTL_SECS)
                .await
                .unwrap(),
            Check::NoCode
        );
    });

    crate::db_test!(a_new_code_replaces_the_old_one, |t: TestDb| async move {
        let s = scope("reset:3");
        let first = issue_one(&t, &s, 1_000).await.unwrap();
        let second = issue_one(&t, &s, 1_010).await.unwrap();
        if first != second {
            assert_eq!(
                check(&t.db, &config(), &s, &first, 1_011).await.unwrap(),
                Check::Wrong(2)
            );
        }
        assert_eq!(
            check(&t.db, &config(), &s, &second, 1_012).await.unwrap(),
            Check::Accepted(String::new())
        );
    });

    crate::db_test!(three_wrong_guesses_spend_a_code, |t: TestDb| async move {
        let s = scope("reset:4");
        let code = issue_one(&t, &s, 1_000).await.unwrap();
        let wrong = if code == "000000" { "000001" } else { "000000" };
        let c = config();
        assert_eq!(
            check(&t.db, &c, &s, wrong, 1_001).await.unwrap(),
            Check::Wrong(2)
        );
        assert_eq!(
            check(&t.db, &c, &s, wrong, 1_002).await.unwrap(),
            Check::Wrong(1)
        );
        assert_eq!(
            check(&t.db, &c, &s, wrong, 1_003).await.unwrap(),
            Check::Wrong(0)
        );
        assert_eq!(
            check(&t.db, &c, &s, &code, 1_004).await.unwrap(),
            Check::CodeSpent
        );
    });

    crate::db_test!(
        sends_and_wrong_guesses_have_daily_limits,
        |t: TestDb| async move {
            let c = config();
            let s = scope("reset:5");
            let mut now = 10_000;
            for _ in 0..5 {
                issue_one(&t, &s, now).await.unwrap();
                now += 10;
            }
            assert_eq!(issue_one(&t, &s, now).await, Err(NotIssued::DailyLimit));
            // Another subject of the same account shares the allowance.
            assert_eq!(
                issue_one(&t, &scope("reset:6"), now).await,
                Err(NotIssued::DailyLimit)
            );
            // A day later it is back.
            now += DAY;
            let mut wrong_total = 0;
            while wrong_total < 10 {
                let code = issue_one(&t, &s, now).await.unwrap();
                let wrong = if code == "000000" { "000001" } else { "000000" };
                for _ in 0..3 {
                    if wrong_total == 10 {
                        break;
                    }
                    let r = check(&t.db, &c, &s, wrong, now).await.unwrap();
                    wrong_total += 1;
                    assert!(matches!(r, Check::Wrong(_)), "{r:?} after {wrong_total}");
                }
                now += 10;
            }
            assert!(locked(&t.db, &s, now).await.unwrap());
            assert_eq!(issue_one(&t, &s, now).await, Err(NotIssued::Locked));
        }
    );

    crate::db_test!(resending_waits_for_the_countdown, |t: TestDb| async move {
        let mut c = config();
        c.code_resend_secs = 120;
        let s = scope("reset:7");
        let mut conn = t.db.write().acquire().await.unwrap();
        issue(&mut conn, &c, &s, "", 1_000).await.unwrap().unwrap();
        assert_eq!(
            issue(&mut conn, &c, &s, "", 1_030).await.unwrap(),
            Err(NotIssued::TooSoon(90))
        );
        assert!(issue(&mut conn, &c, &s, "", 1_120).await.unwrap().is_ok());
    });

    crate::db_test!(
        fifty_parallel_wrong_guesses_count_three,
        |t: TestDb| async move {
            let c = config();
            let s = scope("reset:8");
            let code = issue_one(&t, &s, 1_000).await.unwrap();
            let wrong = if code == "000000" { "000001" } else { "000000" };
            let mut tasks = Vec::new();
            for _ in 0..50 {
                let (db, c, s) = (t.db.clone(), c.clone(), s.clone());
                tasks.push(tokio::spawn(async move {
                    check(&db, &c, &s, wrong, 1_001).await.unwrap()
                }));
            }
            for task in tasks {
                let r = task.await.unwrap();
                assert!(matches!(r, Check::Wrong(_) | Check::CodeSpent), "{r:?}");
            }
            let counted: i64 = sqlx::query_scalar("SELECT wrong_guesses FROM security_codes")
                .fetch_one(t.db.read())
                .await
                .unwrap();
            assert_eq!(counted, 3);
            assert_eq!(
                check(&t.db, &c, &s, &code, 1_002).await.unwrap(),
                Check::CodeSpent
            );
        }
    );
}
