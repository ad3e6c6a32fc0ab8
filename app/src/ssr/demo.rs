//! Demo data for a first look, seeded into a new, empty database when PORTICO_DEMO_DATA=1.
//! The README lists it; later features extend it.

use sqlx::AnyConnection;

use super::{db::Db, password::Hasher};
use crate::error::AppError;

pub const PATIENT_USERNAME: &str = "demo";
pub const PATIENT_PASSWORD: &str = "Portico-demo1";
pub const ADMIN_USERNAME: &str = "admin";
pub const ADMIN_PASSWORD: &str = "Portico-admin1";
pub const FRONT_DESK_USERNAME: &str = "frontdesk";
pub const FRONT_DESK_PASSWORD: &str = "Portico-desk1";
/// The admin of the second practice: for trying (and testing) that practices stay apart.
pub const HARBOR_ADMIN_USERNAME: &str = "harbor";
pub const HARBOR_ADMIN_PASSWORD: &str = "Portico-harbor1";

const DEMO_EMAIL: &str = "emma.carter@example.com";
const DEMO_PHONE: &str = "+12125550101";

async fn practice(
    c: &mut AnyConnection,
    name: &str,
    zone: &str,
    phone: &str,
    now: i64,
) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar("INSERT INTO practices (name, time_zone, phone, created_at) VALUES ($1, $2, $3, $4) RETURNING id")
        .bind(name)
        .bind(zone)
        .bind(phone)
        .bind(now)
        .fetch_one(c)
        .await
}

async fn provider(
    c: &mut AnyConnection,
    practice: i64,
    name: &str,
    specialties: &[&str],
    now: i64,
) -> Result<i64, sqlx::Error> {
    let id: i64 = sqlx::query_scalar("INSERT INTO providers (practice_id, display_name, created_at) VALUES ($1, $2, $3) RETURNING id")
        .bind(practice)
        .bind(name)
        .bind(now)
        .fetch_one(&mut *c)
        .await?;
    for s in specialties {
        sqlx::query("INSERT INTO provider_specialties (provider_id, specialty) VALUES ($1, $2)")
            .bind(id)
            .bind(*s)
            .execute(&mut *c)
            .await?;
    }
    Ok(id)
}

/// A chart: (given name, family name, date of birth YYYY-MM-DD).
async fn chart(
    c: &mut AnyConnection,
    practice: i64,
    person: (&str, &str, &str),
    now: i64,
) -> Result<i64, sqlx::Error> {
    let (given, family, born) = person;
    sqlx::query_scalar(
        "INSERT INTO patient_charts (practice_id, given_name, family_name, date_of_birth, email, phone, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
    )
    .bind(practice)
    .bind(given)
    .bind(family)
    .bind(born)
    .bind(DEMO_EMAIL)
    .bind(DEMO_PHONE)
    .bind(now)
    .fetch_one(c)
    .await
}

async fn link(
    c: &mut AnyConnection,
    account: i64,
    chart: i64,
    relationship: &str,
    now: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query("INSERT INTO account_charts (account_id, chart_id, relationship, created_at) VALUES ($1, $2, $3, $4)")
        .bind(account)
        .bind(chart)
        .bind(relationship)
        .bind(now)
        .execute(c)
        .await?;
    Ok(())
}

/// A staff account: (username, password hash, display name, role).
async fn staff(
    c: &mut AnyConnection,
    practice: i64,
    who: (&str, &str, &str, &str),
    now: i64,
) -> Result<(), sqlx::Error> {
    let (username, hash, name, role) = who;
    sqlx::query(
        "INSERT INTO staff_accounts (practice_id, username, password_hash, display_name, role, can_invite, active, created_at) \
         VALUES ($1, $2, $3, $4, $5, TRUE, TRUE, $6)",
    )
    .bind(practice)
    .bind(username)
    .bind(hash)
    .bind(name)
    .bind(role)
    .bind(now)
    .execute(c)
    .await?;
    Ok(())
}

/// Seed the demo data if the database has no practices yet. Returns whether it seeded.
pub async fn seed_if_empty(db: &Db, hasher: &Hasher, now: i64) -> Result<bool, AppError> {
    let practices: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM practices")
        .fetch_one(db.read())
        .await?;
    if practices > 0 {
        return Ok(false);
    }
    let patient_hash = hasher.hash(PATIENT_PASSWORD.into()).await?;
    let admin_hash = hasher.hash(ADMIN_PASSWORD.into()).await?;
    let desk_hash = hasher.hash(FRONT_DESK_PASSWORD.into()).await?;
    let harbor_hash = hasher.hash(HARBOR_ADMIN_PASSWORD.into()).await?;

    let mut tx = db.begin().await?;
    let c = &mut *tx;
    let riverside = practice(
        c,
        "Riverside Family Medicine",
        "America/New_York",
        "+1 212 555 0140",
        now,
    )
    .await?;
    let harbor = practice(
        c,
        "Harbor Pediatrics & Internal Medicine",
        "America/Los_Angeles",
        "+1 415 555 0190",
        now,
    )
    .await?;

    let patel = provider(c, riverside, "Dr. Maya Patel", &["Family Medicine"], now).await?;
    let okafor = provider(
        c,
        riverside,
        "Dr. James Okafor",
        &["Internal Medicine", "Cardiology"],
        now,
    )
    .await?;
    let alvarez = provider(c, harbor, "Dr. Sofia Alvarez", &["Pediatrics"], now).await?;
    let kim = provider(
        c,
        harbor,
        "Dr. Daniel Kim",
        &["Internal Medicine", "Dermatology"],
        now,
    )
    .await?;

    let emma = ("Emma", "Carter", "1986-04-12");
    let emma_riverside = chart(c, riverside, emma, now).await?;
    let emma_harbor = chart(c, harbor, emma, now).await?;
    let lily_harbor = chart(c, harbor, ("Lily", "Carter", "2017-09-03"), now).await?;

    let account: i64 = sqlx::query_scalar(
        "INSERT INTO portal_accounts (username, password_hash, display_name, email, status, created_at) \
         VALUES ($1, $2, 'Emma Carter', $3, 'active', $4) RETURNING id",
    )
    .bind(PATIENT_USERNAME)
    .bind(&patient_hash)
    .bind(DEMO_EMAIL)
    .bind(now)
    .fetch_one(&mut *c)
    .await?;
    link(c, account, emma_riverside, "self", now).await?;
    link(c, account, emma_harbor, "self", now).await?;
    link(c, account, lily_harbor, "representative", now).await?;

    staff(
        c,
        riverside,
        (ADMIN_USERNAME, &admin_hash, "Priya Shah", "admin"),
        now,
    )
    .await?;
    staff(
        c,
        riverside,
        (FRONT_DESK_USERNAME, &desk_hash, "Marcus Lee", "front_desk"),
        now,
    )
    .await?;
    staff(
        c,
        harbor,
        (HARBOR_ADMIN_USERNAME, &harbor_hash, "Noah Brooks", "admin"),
        now,
    )
    .await?;

    super::demo_appointments::seed(
        c,
        super::demo_appointments::Ids {
            riverside,
            harbor,
            patel,
            okafor,
            alvarez,
            kim,
            emma_riverside,
            emma_harbor,
            lily_harbor,
            account,
        },
        now,
    )
    .await?;

    tx.commit().await?;
    Ok(true)
}
#[cfg(test)]
mod tests {
    use super::*;

    use crate::ssr::testing::TestDb;

    crate::db_test!(demo_data_is_seeded_once, |t: TestDb| async move {
        let hasher = Hasher::new().unwrap();
        assert!(seed_if_empty(&t.db, &hasher, 0).await.unwrap());
        assert!(!seed_if_empty(&t.db, &hasher, 0).await.unwrap());
        let count = |sql: &'static str| {
            let db = t.db.clone();
            async move {
                sqlx::query_scalar::<_, i64>(sql)
                    .fetch_one(db.read())
                    .await
                    .unwrap()
            }
        };
        assert_eq!(count("SELECT COUNT(*) FROM practices").await, 2);
        assert_eq!(count("SELECT COUNT(*) FROM providers").await, 4);
        assert_eq!(
            count("SELECT COUNT(*) FROM account_charts WHERE relationship = 'representative'")
                .await,
            1
        );
        assert_eq!(count("SELECT COUNT(DISTINCT c.practice_id) FROM account_charts ac JOIN patient_charts c ON c.id = ac.chart_id WHERE ac.relationship = 'self'").await, 2);
        let zones: Vec<String> =
            sqlx::query_scalar("SELECT time_zone FROM practices ORDER BY time_zone")
                .fetch_all(t.db.read())
                .await
                .unwrap();
        assert_eq!(zones, ["America/Los_Angeles", "America/New_York"]);
    });
}
