//! `portico seed --scale N`: a clinic-sized database for load tests. Each patient gets a chart,
//! a portal account (`scale00001`… with [`PASSWORD`]), ten appointments (seven past, three
//! ahead, two of those holding their slot; one patient in twenty has a request waiting), a conversation of five messages and a small health
//! record imported through the FHIR import a clinic uses.
//!
//! It fills the first practice (the demo's Riverside), which must exist with a provider and a
//! staff member: the data hangs off them.

use std::fmt;

use serde_json::json;
use sqlx::AnyConnection;

use super::{
    appointments::store::policy_for,
    audit::Actor,
    db::Db,
    fhir::import::{import_in, ImportError, Target, PORTICO_CHART},
    password::Hasher,
};
use crate::error::AppError;

pub const PASSWORD: &str = "Portico-scale1";
const PER_COMMIT: u32 = 100;
const DAY: i64 = 86_400;
const VISIT: i64 = 1_200;

#[derive(Debug, Default, PartialEq, Eq)]
pub struct Seeded {
    pub patients: u32,
    pub appointments: u32,
    pub messages: u32,
    pub record_entries: usize,
}

impl fmt::Display for Seeded {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "added {} patients, {} appointments, {} messages and {} health-record entries",
            self.patients, self.appointments, self.messages, self.record_entries
        )
    }
}

struct Practice {
    id: i64,
    providers: Vec<i64>,
    staff: (i64, String),
    policy: String,
}

async fn practice(c: &mut AnyConnection) -> Result<Practice, AppError> {
    let none = || {
        AppError::invalid(
            "seed --scale fills the first practice, and there is none with a provider and a \
             staff member yet: start the portal once with demo data (PORTICO_DEMO_DATA=true)",
        )
    };
    let id: i64 = sqlx::query_scalar("SELECT MIN(id) FROM practices")
        .fetch_optional(&mut *c)
        .await?
        .flatten()
        .ok_or_else(none)?;
    let providers: Vec<i64> =
        sqlx::query_scalar("SELECT id FROM providers WHERE practice_id = $1 ORDER BY id")
            .bind(id)
            .fetch_all(&mut *c)
            .await?;
    let staff: (i64, String) = sqlx::query_as(
        "SELECT id, display_name FROM staff_accounts WHERE practice_id = $1 AND active ORDER BY id LIMIT 1",
    )
    .bind(id)
    .fetch_optional(&mut *c)
    .await?
    .ok_or_else(none)?;
    let first = *providers.first().ok_or_else(none)?;
    let policy = policy_for(c, first).await?.ok_or_else(none)?;
    Ok(Practice {
        id,
        providers,
        staff,
        policy: serde_json::to_string(&policy).map_err(AppError::internal)?,
    })
}

/// Add `patients` patients and everything they have, `PER_COMMIT` to a transaction.
pub async fn seed(db: &Db, now: i64, patients: u32) -> Result<Seeded, AppError> {
    let hash = Hasher::new()?.hash(PASSWORD.into()).await?;
    let mut c = db.write().acquire().await?;
    let p = practice(&mut c).await?;
    let first: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM portal_accounts WHERE username LIKE 'scale%'")
            .fetch_one(&mut *c)
            .await?;
    drop(c);
    // Slots ahead start a month out, clear of the demo's own bookings.
    let ahead = (now / DAY + 30) * DAY + 9 * 3_600;
    let mut out = Seeded::default();
    let mut n = 0;
    while n < patients {
        let mut tx = db.begin().await?;
        for _ in 0..PER_COMMIT.min(patients - n) {
            let serial = first + i64::from(n) + 1;
            out.record_entries += patient(&mut tx, &p, &hash, serial, now, ahead).await?;
            out.patients += 1;
            out.appointments += 10;
            out.messages += 5;
            n += 1;
        }
        tx.commit().await?;
    }
    Ok(out)
}

const GIVEN: [&str; 8] = ["Ava", "Noah", "Mia", "Liam", "Zoe", "Omar", "Lena", "Ravi"];
const FAMILY: [&str; 8] = [
    "Nguyen", "Garcia", "Okafor", "Schmidt", "Rossi", "Kim", "Haddad", "Silva",
];

/// One patient and their data; returns the record entries imported.
async fn patient(
    c: &mut AnyConnection,
    p: &Practice,
    hash: &str,
    serial: i64,
    now: i64,
    ahead: i64,
) -> Result<usize, AppError> {
    let i = usize::try_from(serial).unwrap_or_default();
    let (given, family) = (GIVEN[i % 8], FAMILY[(i / 8) % 8]);
    let birth = format!("{}-{:02}-{:02}", 1940 + i % 70, 1 + i % 12, 1 + i % 28);
    let email = format!("scale{serial:05}@example.org");
    let chart: i64 = sqlx::query_scalar(
        "INSERT INTO patient_charts (practice_id, given_name, family_name, date_of_birth, email, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
    )
    .bind(p.id)
    .bind(given)
    .bind(family)
    .bind(&birth)
    .bind(&email)
    .bind(now)
    .fetch_one(&mut *c)
    .await?;
    let account: i64 = sqlx::query_scalar(
        "INSERT INTO portal_accounts (username, password_hash, display_name, email, created_at) \
         VALUES ($1, $2, $3, $4, $5) RETURNING id",
    )
    .bind(format!("scale{serial:05}"))
    .bind(hash)
    .bind(format!("{given} {family}"))
    .bind(&email)
    .bind(now)
    .fetch_one(&mut *c)
    .await?;
    sqlx::query(
        "INSERT INTO account_charts (account_id, chart_id, relationship, created_at) VALUES ($1, $2, 'self', $3)",
    )
    .bind(account)
    .bind(chart)
    .bind(now)
    .execute(&mut *c)
    .await?;
    appointments(c, p, chart, account, serial, now, ahead).await?;
    conversation(c, p, chart, account, &format!("{given} {family}"), now).await?;
    let bundle = record(chart, given, family, &birth, i);
    let report = import_in(c, now, Target::Chart(chart), &bundle, Actor::System)
        .await
        .map_err(|e| match e {
            ImportError::Db(e) => AppError::from(e),
            ImportError::Refused(why) => AppError::internal(why.join("; ")),
        })?;
    Ok(report.added)
}

#[allow(clippy::too_many_arguments)]
async fn appointments(
    c: &mut AnyConnection,
    p: &Practice,
    chart: i64,
    account: i64,
    serial: i64,
    now: i64,
    ahead: i64,
) -> Result<(), sqlx::Error> {
    let providers = p.providers.len() as i64;
    let provider = |k: i64| p.providers[usize::try_from(k % providers).unwrap_or_default()];
    // Seven past visits, one a fortnight back from a month ago, staggered by patient so the
    // practice's history fills evenly.
    const PAST: [&str; 7] = [
        "completed",
        "completed",
        "completed",
        "no_show",
        "completed",
        "cancelled",
        "completed",
    ];
    for (k, state) in PAST.iter().enumerate() {
        let k = k as i64;
        let start = now - 30 * DAY - (k * 14 + serial % 14) * DAY + (serial % 24) * VISIT;
        insert(
            c,
            p,
            chart,
            account,
            provider(serial + k),
            start,
            state,
            now,
        )
        .await?;
    }
    // Two visits ahead hold their slot, on the provider's next free one: slot `s` of the
    // practice's calendar is provider `s % providers`, day `s / providers / 24`. One patient in
    // twenty has a booking still waiting for the office, as at a busy clinic.
    let second = if serial % 20 == 0 {
        "requested"
    } else {
        "confirmed"
    };
    for (k, state) in [(0, "confirmed"), (1, second)] {
        let slot = (serial - 1) * 2 + k;
        let per_provider = slot / providers;
        let start = ahead + (per_provider / 24) * DAY + (per_provider % 24) * VISIT;
        let id = insert(c, p, chart, account, provider(slot), start, state, now).await?;
        sqlx::query(
            "INSERT INTO slot_holds (provider_id, starts_at, appointment_id) VALUES ($1, $2, $3)",
        )
        .bind(provider(slot))
        .bind(start)
        .bind(id)
        .execute(&mut *c)
        .await?;
    }
    // And one ahead that the patient cancelled.
    let start = ahead + (serial % 200) * DAY + 7 * VISIT;
    insert(
        c,
        p,
        chart,
        account,
        provider(serial),
        start,
        "cancelled",
        now,
    )
    .await?;
    Ok(())
}

#[allow(clippy::too_many_arguments)]
async fn insert(
    c: &mut AnyConnection,
    p: &Practice,
    chart: i64,
    account: i64,
    provider: i64,
    start: i64,
    state: &str,
    now: i64,
) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar(
        "INSERT INTO appointments (chart_id, practice_id, provider_id, starts_at, ends_at, state, visit_reason, policy, booked_by, version, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, 'Follow-up visit', $7, $8, 1, $9, $9) RETURNING id",
    )
    .bind(chart)
    .bind(p.id)
    .bind(provider)
    .bind(start)
    .bind(start + VISIT)
    .bind(state)
    .bind(&p.policy)
    .bind(account)
    .bind(now.min(start))
    .fetch_one(c)
    .await
}

async fn conversation(
    c: &mut AnyConnection,
    p: &Practice,
    chart: i64,
    account: i64,
    name: &str,
    now: i64,
) -> Result<(), sqlx::Error> {
    let started = now - 5 * DAY;
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO conversations (practice_id, chart_id, topic, subject, status, needs_reply, \
         last_message_id, last_message_at, started_by, idempotency_key, created_at) \
         VALUES ($1, $2, 'medication', 'Refill question', 'open', 1, 0, $3, 'patient', 'scale', $4) RETURNING id",
    )
    .bind(p.id)
    .bind(chart)
    .bind(now - DAY)
    .bind(started)
    .fetch_one(&mut *c)
    .await?;
    let lines = [
        "Could I get a refill before my trip?",
        "Yes: we have sent it to your pharmacy.",
        "Thank you. How many refills are left?",
        "Two more after this one.",
        "Great, and should I book a check-up first?",
    ];
    let mut last = 0;
    for (k, body) in lines.iter().enumerate() {
        let from_patient = k % 2 == 0;
        last = sqlx::query_scalar(
            "INSERT INTO messages (conversation_id, author_kind, author_account_id, author_staff_id, \
             author_name, body, idempotency_key, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
        )
        .bind(id)
        .bind(if from_patient { "patient" } else { "staff" })
        .bind(from_patient.then_some(account))
        .bind((!from_patient).then_some(p.staff.0))
        .bind(if from_patient { name } else { p.staff.1.as_str() })
        .bind(*body)
        .bind(format!("scale-{k}"))
        .bind(started + k as i64 * DAY)
        .fetch_one(&mut *c)
        .await?;
    }
    sqlx::query(
        "UPDATE conversations SET last_message_id = $1, last_staff_name = $2 WHERE id = $3",
    )
    .bind(last)
    .bind(&p.staff.1)
    .bind(id)
    .execute(&mut *c)
    .await?;
    Ok(())
}

/// A small record: a problem, a medication, an allergy, a weight and a glucose result.
fn record(chart: i64, given: &str, family: &str, birth: &str, i: usize) -> String {
    let subject = json!({ "reference": "Patient/p" });
    let day = format!("20{:02}-{:02}-{:02}", 20 + i % 6, 1 + i % 12, 1 + i % 28);
    let coded = |system: &str, code: &str, text: &str| json!({ "coding": [{ "system": system, "code": code, "display": text }], "text": text });
    let entries = vec![
        json!({ "resourceType": "Patient", "id": "p",
            "identifier": [{ "system": PORTICO_CHART, "value": chart.to_string() }],
            "name": [{ "family": family, "given": [given] }], "birthDate": birth }),
        json!({ "resourceType": "Condition", "id": "c1", "subject": subject,
            "clinicalStatus": coded("http://terminology.hl7.org/CodeSystem/condition-clinical", "active", "Active"),
            "code": coded("http://snomed.info/sct", "38341003", "Hypertension"), "onsetDateTime": day }),
        json!({ "resourceType": "MedicationRequest", "id": "m1", "status": "active", "intent": "order",
            "subject": subject, "authoredOn": day,
            "medicationCodeableConcept": coded("http://www.nlm.nih.gov/research/umls/rxnorm", "314076", "lisinopril 10 MG Oral Tablet"),
            "dosageInstruction": [{ "text": "Take 1 tablet by mouth once a day." }] }),
        json!({ "resourceType": "AllergyIntolerance", "id": "a1", "patient": subject,
            "clinicalStatus": coded("http://terminology.hl7.org/CodeSystem/allergyintolerance-clinical", "active", "Active"),
            "code": coded("http://snomed.info/sct", "764146007", "Penicillin") }),
        json!({ "resourceType": "Observation", "id": "o1", "status": "final", "subject": subject,
            "category": [coded("http://terminology.hl7.org/CodeSystem/observation-category", "vital-signs", "Vital Signs")],
            "code": coded("http://loinc.org", "29463-7", "Body weight"), "effectiveDateTime": day,
            "valueQuantity": { "value": 60 + (i % 40), "unit": "kg" } }),
        json!({ "resourceType": "Observation", "id": "o2", "status": "final", "subject": subject,
            "category": [coded("http://terminology.hl7.org/CodeSystem/observation-category", "laboratory", "Laboratory")],
            "code": coded("http://loinc.org", "2345-7", "Glucose"), "effectiveDateTime": day,
            "valueQuantity": { "value": 80 + (i % 30), "unit": "mg/dL" },
            "referenceRange": [{ "low": { "value": 70 }, "high": { "value": 99 } }] }),
    ];
    json!({ "resourceType": "Bundle", "type": "collection",
        "entry": entries.into_iter().map(|r| json!({ "resource": r })).collect::<Vec<_>>() })
    .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ssr::testing::TestDb;

    crate::db_test!(patients_arrive_with_everything, |t: TestDb| async move {
        let now = 1_800_000_000;
        let refused = seed(&t.db, now, 1).await.unwrap_err();
        assert!(refused.to_string().contains("demo data"), "{refused}");
        crate::ssr::demo::seed_if_empty(&t.db, &Hasher::new().unwrap(), now)
            .await
            .unwrap();
        let count = |sql: &'static str| {
            let db = t.db.clone();
            async move {
                sqlx::query_scalar::<_, i64>(sql)
                    .fetch_one(db.read())
                    .await
                    .unwrap()
            }
        };
        let charts = count("SELECT COUNT(*) FROM patient_charts").await;
        let made = seed(&t.db, now, 12).await.unwrap();
        assert_eq!(
            (made.patients, made.appointments, made.messages),
            (12, 120, 60)
        );
        assert_eq!(made.record_entries, 12 * 5);
        assert_eq!(
            count("SELECT COUNT(*) FROM patient_charts").await,
            charts + 12
        );
        assert_eq!(
            count(
                "SELECT COUNT(*) FROM slot_holds h JOIN appointments a ON a.id = h.appointment_id \
                   WHERE a.visit_reason = 'Follow-up visit'"
            )
            .await,
            24
        );
        // A second run adds more under new names, and no slot is held twice.
        seed(&t.db, now, 3).await.unwrap();
        assert_eq!(
            count("SELECT COUNT(*) FROM portal_accounts WHERE username LIKE 'scale%'").await,
            15
        );
        assert_eq!(
            count("SELECT COUNT(*) FROM conversations c WHERE last_message_id = \
                   (SELECT MAX(id) FROM messages m WHERE m.conversation_id = c.id) AND idempotency_key = 'scale'")
            .await,
            15
        );
    });
}
