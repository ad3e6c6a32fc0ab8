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

/// The demo admins' (`admin`, `harbor`) two-factor secret, in base32 as authenticator apps take
/// it: `oathtool --totp -b JBSWY3DPEHPK3PXP` prints the code. Only ever in demo data.
pub const DEMO_TOTP_SECRET: &str = "JBSWY3DPEHPK3PXP";
/// The demo admins' recovery codes (each works once per database).
pub const DEMO_RECOVERY_CODES: [&str; 3] = ["demo2-admin", "demo3-admin", "demo4-admin"];

pub const DEMO_EMAIL: &str = "emma.carter@example.com";
const DEMO_PHONE: &str = "+12125550101";
/// Emma's security question and answer, for trying password recovery.
pub const DEMO_QUESTION: &str = "What was the name of your first pet?";
pub const DEMO_ANSWER: &str = "Biscuit";

/// A Riverside chart that was never invited: anyone can invite and enroll it.
pub const NEW_PATIENT: (&str, &str, &str) = ("Oliver", "Bennett", "1979-11-23");
pub const NEW_PATIENT_EMAIL: &str = "oliver.bennett@example.com";
pub const NEW_PATIENT_PHONE: &str = "+12125550123";
/// A Riverside chart with a pending invitation whose PIN the admin reads in the chart.
pub const INVITED_PATIENT: (&str, &str, &str) = ("Sophia", "Nguyen", "1992-06-30");
pub const INVITED_PATIENT_EMAIL: &str = "sophia.nguyen@example.com";
pub const INVITED_PATIENT_PHONE: &str = "+12125550177";
/// Demo emails link here, the address `make run` serves.
const DEMO_BASE_URL: &str = "http://127.0.0.1:3000";

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

/// One of Emma's family's charts: (given name, family name, date of birth YYYY-MM-DD).
async fn chart(
    c: &mut AnyConnection,
    practice: i64,
    person: (&str, &str, &str),
    now: i64,
) -> Result<i64, sqlx::Error> {
    chart_with(c, practice, person, (DEMO_EMAIL, DEMO_PHONE), "active", now).await
}

async fn chart_with(
    c: &mut AnyConnection,
    practice: i64,
    person: (&str, &str, &str),
    contact: (&str, &str),
    portal_status: &str,
    now: i64,
) -> Result<i64, sqlx::Error> {
    let (given, family, born) = person;
    sqlx::query_scalar(
        "INSERT INTO patient_charts (practice_id, given_name, family_name, date_of_birth, email, phone, portal_status, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
    )
    .bind(practice)
    .bind(given)
    .bind(family)
    .bind(born)
    .bind(contact.0)
    .bind(contact.1)
    .bind(portal_status)
    .bind(now)
    .fetch_one(c)
    .await
}

/// A pending invitation for `chart_id`, and its email in the outbox.
async fn invitation(
    c: &mut AnyConnection,
    chart_id: i64,
    to: &str,
    now: i64,
) -> Result<(), sqlx::Error> {
    let link_token = super::token::new_token();
    sqlx::query(
        "INSERT INTO portal_invitations (chart_id, token_hash, pin_salt, status, created_at, expires_at) \
         VALUES ($1, $2, $3, 'pending', $4, $5)",
    )
    .bind(chart_id)
    .bind(super::token::token_hash(&link_token))
    .bind(super::token::random_hex(16))
    .bind(now)
    .bind(now + super::access::INVITATION_TTL_SECS)
    .execute(&mut *c)
    .await?;
    super::outbox::enqueue(
        c,
        now,
        super::outbox::Message {
            channel: super::outbox::Channel::Email,
            to,
            subject: "Riverside Family Medicine invites you to your patient portal",
            body: &format!(
                "Hello Sophia,\n\nRiverside Family Medicine invites you to its patient portal.\n\n\
                 Access your records: {DEMO_BASE_URL}/enroll/{link_token}\n\n\
                 Have the access code (PIN) the office gave you and your date of birth ready.\n"
            ),
            dedupe_key: None,
        },
    )
    .await?;
    Ok(())
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
    // Where an admin's password reset would send its link.
    let email = format!(
        "{}@staff.example.com",
        name.to_lowercase().replace(' ', ".")
    );
    sqlx::query(
        "INSERT INTO staff_accounts (practice_id, username, password_hash, display_name, role, can_invite, active, created_at, email) \
         VALUES ($1, $2, $3, $4, $5, TRUE, TRUE, $6, $7)",
    )
    .bind(practice)
    .bind(username)
    .bind(hash)
    .bind(name)
    .bind(role)
    .bind(now)
    .bind(email)
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
    let answer_hash = hasher
        .hash(crate::domain::access::normalize_answer(DEMO_ANSWER))
        .await?;
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
        "INSERT INTO portal_accounts (username, password_hash, display_name, email, phone, \
         security_question, security_answer_hash, status, created_at) \
         VALUES ($1, $2, 'Emma Carter', $3, $4, $5, $6, 'active', $7) RETURNING id",
    )
    .bind(PATIENT_USERNAME)
    .bind(&patient_hash)
    .bind(DEMO_EMAIL)
    .bind(DEMO_PHONE)
    .bind(DEMO_QUESTION)
    .bind(&answer_hash)
    .bind(now)
    .fetch_one(&mut *c)
    .await?;
    link(c, account, emma_riverside, "self", now).await?;
    link(c, account, emma_harbor, "self", now).await?;
    link(c, account, lily_harbor, "representative", now).await?;

    chart_with(
        c,
        riverside,
        NEW_PATIENT,
        (NEW_PATIENT_EMAIL, NEW_PATIENT_PHONE),
        "not_invited",
        now,
    )
    .await?;
    let sophia = chart_with(
        c,
        riverside,
        INVITED_PATIENT,
        (INVITED_PATIENT_EMAIL, INVITED_PATIENT_PHONE),
        "invited",
        now,
    )
    .await?;
    invitation(c, sophia, INVITED_PATIENT_EMAIL, now).await?;

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

    let answered_by: i64 = sqlx::query_scalar("SELECT id FROM staff_accounts WHERE username = $1")
        .bind(ADMIN_USERNAME)
        .fetch_one(&mut *c)
        .await?;
    super::demo_messages::seed(
        c,
        super::demo_messages::Ids {
            riverside,
            harbor,
            emma_riverside,
            lily_harbor,
            account,
            answered_by,
        },
        now,
    )
    .await?;

    let harbor_admin: i64 = sqlx::query_scalar("SELECT id FROM staff_accounts WHERE username = $1")
        .bind(HARBOR_ADMIN_USERNAME)
        .fetch_one(&mut *c)
        .await?;
    super::demo_health::seed(
        c,
        super::demo_health::Ids {
            riverside,
            harbor,
            riverside_admin: answered_by,
            harbor_admin,
        },
        now,
    )
    .await?;

    tx.commit().await?;
    Ok(true)
}
/// The demo admins have two-factor sign-in set up with [`DEMO_TOTP_SECRET`] (admins cannot use
/// the staff pages without it). Run right after [`seed_if_empty`] seeded.
pub async fn seed_two_factor(db: &Db, secret_key: &[u8], now: i64) -> Result<(), AppError> {
    use super::two_factor::{recovery, seal, totp};
    let Some(secret) = totp::from_base32(DEMO_TOTP_SECRET) else {
        return Err(AppError::internal(
            "the demo two-factor secret is not base32",
        ));
    };
    let codes: Vec<String> = DEMO_RECOVERY_CODES.iter().map(|c| c.to_string()).collect();
    let mut tx = db.begin().await?;
    for username in [ADMIN_USERNAME, HARBOR_ADMIN_USERNAME] {
        let id: i64 = sqlx::query_scalar("SELECT id FROM staff_accounts WHERE username = $1")
            .bind(username)
            .fetch_one(&mut *tx)
            .await?;
        sqlx::query(
            "UPDATE staff_accounts SET totp_secret = $2, totp_confirmed_at = $3 WHERE id = $1",
        )
        .bind(id)
        .bind(seal::seal(secret_key, id, &secret))
        .bind(now)
        .execute(&mut *tx)
        .await?;
        recovery::replace(&mut tx, secret_key, id, &codes).await?;
    }
    tx.commit().await?;
    Ok(())
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
        let statuses: Vec<String> =
            sqlx::query_scalar("SELECT portal_status FROM patient_charts ORDER BY given_name, id")
                .fetch_all(t.db.read())
                .await
                .unwrap();
        // Emma ×2, Lily, Oliver, Sophia.
        assert_eq!(
            statuses,
            ["active", "active", "active", "not_invited", "invited"]
        );
        assert_eq!(
            count("SELECT COUNT(*) FROM portal_invitations WHERE status = 'pending'").await,
            1
        );
    });
}
