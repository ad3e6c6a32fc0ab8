//! Demo data for a first look, seeded into a new, empty database when PORTICO_DEMO_DATA=1.
//! The README lists it; later features extend it.

use sqlx::{AnyConnection, Row};

use super::{db::Db, password::Hasher};
use crate::error::AppError;

pub const PATIENT_USERNAME: &str = "demo";
pub const PATIENT_PASSWORD: &str = "Portico-demo1";
pub const ADMIN_USERNAME: &str = "admin";
pub const ADMIN_PASSWORD: &str = "Portico-admin1";
pub const FRONT_DESK_USERNAME: &str = "frontdesk";
pub const FRONT_DESK_PASSWORD: &str = "Portico-desk1";

async fn insert_id(
    conn: &mut AnyConnection,
    sql: &str,
    binds: &[Bind<'_>],
) -> Result<i64, sqlx::Error> {
    let mut q = sqlx::query(sql);
    for b in binds {
        q = match b {
            Bind::Text(s) => q.bind(s.to_string()),
            Bind::Int(i) => q.bind(*i),
        };
    }
    q.fetch_one(conn).await?.try_get(0)
}

enum Bind<'a> {
    Text(&'a str),
    Int(i64),
}
use Bind::{Int, Text};

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

    let mut tx = db.begin().await?;
    let practice = "INSERT INTO practices (name, time_zone, phone, created_at) VALUES ($1, $2, $3, $4) RETURNING id";
    let riverside = insert_id(
        &mut tx,
        practice,
        &[
            Text("Riverside Family Medicine"),
            Text("America/New_York"),
            Text("+1 212 555 0140"),
            Int(now),
        ],
    )
    .await?;
    let harbor = insert_id(
        &mut tx,
        practice,
        &[
            Text("Harbor Pediatrics & Internal Medicine"),
            Text("America/Los_Angeles"),
            Text("+1 415 555 0190"),
            Int(now),
        ],
    )
    .await?;

    let provider = "INSERT INTO providers (practice_id, display_name, created_at) VALUES ($1, $2, $3) RETURNING id";
    let specialty = "INSERT INTO provider_specialties (provider_id, specialty) VALUES ($1, $2)";
    for (practice_id, name, specialties) in [
        (riverside, "Dr. Maya Patel", &["Family Medicine"][..]),
        (
            riverside,
            "Dr. James Okafor",
            &["Internal Medicine", "Cardiology"][..],
        ),
        (harbor, "Dr. Sofia Alvarez", &["Pediatrics"][..]),
        (
            harbor,
            "Dr. Daniel Kim",
            &["Internal Medicine", "Dermatology"][..],
        ),
    ] {
        let id = insert_id(&mut tx, provider, &[Int(practice_id), Text(name), Int(now)]).await?;
        for s in specialties {
            sqlx::query(specialty)
                .bind(id)
                .bind(*s)
                .execute(&mut *tx)
                .await?;
        }
    }

    let chart = "INSERT INTO patient_charts (practice_id, given_name, family_name, date_of_birth, email, phone, created_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id";
    let emma_riverside = insert_id(
        &mut tx,
        chart,
        &[
            Int(riverside),
            Text("Emma"),
            Text("Carter"),
            Text("1986-04-12"),
            Text("emma.carter@example.com"),
            Text("+12125550101"),
            Int(now),
        ],
    )
    .await?;
    let emma_harbor = insert_id(
        &mut tx,
        chart,
        &[
            Int(harbor),
            Text("Emma"),
            Text("Carter"),
            Text("1986-04-12"),
            Text("emma.carter@example.com"),
            Text("+12125550101"),
            Int(now),
        ],
    )
    .await?;
    let lily_harbor = insert_id(
        &mut tx,
        chart,
        &[
            Int(harbor),
            Text("Lily"),
            Text("Carter"),
            Text("2017-09-03"),
            Text("emma.carter@example.com"),
            Text("+12125550101"),
            Int(now),
        ],
    )
    .await?;

    let account = insert_id(
        &mut tx,
        "INSERT INTO portal_accounts (username, password_hash, display_name, email, status, created_at) \
         VALUES ($1, $2, $3, $4, 'active', $5) RETURNING id",
        &[Text(PATIENT_USERNAME), Text(&patient_hash), Text("Emma Carter"), Text("emma.carter@example.com"), Int(now)],
    )
    .await?;
    for (chart_id, relationship) in [
        (emma_riverside, "self"),
        (emma_harbor, "self"),
        (lily_harbor, "representative"),
    ] {
        sqlx::query("INSERT INTO account_charts (account_id, chart_id, relationship, created_at) VALUES ($1, $2, $3, $4)")
            .bind(account)
            .bind(chart_id)
            .bind(relationship)
            .bind(now)
            .execute(&mut *tx)
            .await?;
    }

    let staff = "INSERT INTO staff_accounts (practice_id, username, password_hash, display_name, role, can_invite, active, created_at) \
                 VALUES ($1, $2, $3, $4, $5, TRUE, TRUE, $6) RETURNING id";
    insert_id(
        &mut tx,
        staff,
        &[
            Int(riverside),
            Text(ADMIN_USERNAME),
            Text(&admin_hash),
            Text("Priya Shah"),
            Text("admin"),
            Int(now),
        ],
    )
    .await?;
    insert_id(
        &mut tx,
        staff,
        &[
            Int(riverside),
            Text(FRONT_DESK_USERNAME),
            Text(&desk_hash),
            Text("Marcus Lee"),
            Text("front_desk"),
            Int(now),
        ],
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
