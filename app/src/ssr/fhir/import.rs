//! Importing a FHIR R4 Bundle into one chart: read and check everything first, then write
//! everything in one transaction, so a bundle is either wholly imported or not at all.
//! Importing the same bundle again finds every resource unchanged and writes nothing.

use std::collections::{HashMap, HashSet};

use serde_json::Value;
use sqlx::{AnyConnection, Row};

use super::{
    extract::{extract, EntryRow, Extracted, NoteRow, Refs},
    read::{array, text},
};
use crate::ssr::{
    audit::{self, Actor, Entry},
    db::Db,
};

/// The identifier system of Portico's own chart ids.
pub const PORTICO_CHART: &str = "urn:portico:chart";

/// Where a bundle goes: a chart at a practice found by the bundle's Patient, or one named chart
/// (the upload on a chart's page), which the bundle's Patient must match.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    Practice(i64),
    Chart(i64),
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Report {
    pub chart_id: i64,
    pub patient: String,
    pub added: usize,
    pub updated: usize,
    pub unchanged: usize,
    /// `Type/id: why`, for resources the record does not hold.
    pub skipped: Vec<String>,
}

impl Report {
    pub fn summary(&self) -> String {
        format!(
            "{}: {} added, {} updated, {} unchanged, {} skipped",
            self.patient,
            self.added,
            self.updated,
            self.unchanged,
            self.skipped.len()
        )
    }
}

#[derive(Debug)]
pub enum ImportError {
    /// Nothing was imported; each line names what was refused and why.
    Refused(Vec<String>),
    Db(sqlx::Error),
}

impl From<sqlx::Error> for ImportError {
    fn from(e: sqlx::Error) -> Self {
        ImportError::Db(e)
    }
}

fn refused(why: impl Into<String>) -> ImportError {
    ImportError::Refused(vec![why.into()])
}

/// A resource ready to write.
struct Item<'a> {
    resource_type: &'a str,
    id: String,
    json: String,
    what: What,
}

enum What {
    Entry(EntryRow),
    Note(NoteRow),
}

/// The bundle's patient, as the import matches it to a chart.
struct Person {
    given: String,
    family: String,
    birth_date: String,
    identifiers: Vec<(String, String)>,
}

impl Person {
    fn of(p: &Value) -> Result<Self, ImportError> {
        let name = array(p, "name")
            .iter()
            .find(|n| text(n, &["use"]) == Some("official"))
            .or_else(|| array(p, "name").first())
            .ok_or_else(|| refused("The bundle's Patient has no name."))?;
        let person = Person {
            given: text(name, &["given"]).unwrap_or_default().to_string(),
            family: text(name, &["family"]).unwrap_or_default().to_string(),
            birth_date: text(p, &["birthDate"]).unwrap_or_default().to_string(),
            identifiers: array(p, "identifier")
                .iter()
                .filter_map(|i| {
                    Some((
                        text(i, &["system"])?.to_string(),
                        text(i, &["value"])?.to_string(),
                    ))
                })
                .collect(),
        };
        if person.given.is_empty() || person.family.is_empty() || person.birth_date.is_empty() {
            return Err(refused(
                "The bundle's Patient needs a given name, a family name and a birth date to be matched to a chart.",
            ));
        }
        Ok(person)
    }

    fn describe(&self) -> String {
        format!("{} {}, born {}", self.given, self.family, self.birth_date)
    }
}

/// Checks `json` and imports it into `target` in one transaction, recording `actor` in the
/// audit log.
pub async fn import(
    db: &Db,
    now: i64,
    target: Target,
    json: &str,
    actor: Actor,
) -> Result<Report, ImportError> {
    let mut tx = db.begin().await?;
    let report = import_in(&mut tx, now, target, json, actor).await?;
    tx.commit().await?;
    Ok(report)
}

/// The import inside the caller's transaction (the demo data seeds in one).
pub async fn import_in(
    conn: &mut AnyConnection,
    now: i64,
    target: Target,
    json: &str,
    actor: Actor,
) -> Result<Report, ImportError> {
    import_as(conn, now, target, json, actor, "import").await
}

/// As `import_in`, with the entries' source: "import" from an EHR, "staff" when written in
/// Portico (see `health::entry`).
pub async fn import_as(
    conn: &mut AnyConnection,
    now: i64,
    target: Target,
    json: &str,
    actor: Actor,
    source: &'static str,
) -> Result<Report, ImportError> {
    let bundle: Value = serde_json::from_str(json)
        .map_err(|e| refused(format!("The file is not valid JSON ({e}).")))?;
    if text(&bundle, &["resourceType"]) != Some("Bundle") {
        return Err(refused(
            "The file is not a FHIR Bundle (its resourceType is not \"Bundle\").",
        ));
    }
    let kind = text(&bundle, &["type"]).unwrap_or_default();
    if !["collection", "transaction", "searchset"].contains(&kind) {
        return Err(refused(format!(
            "Bundles of type \"{kind}\" are not imported; use a collection, transaction or searchset bundle."
        )));
    }
    let (person, items, skipped) = check(&bundle)?;

    let chart_id = match_chart(&mut *conn, target, &person).await?;
    let mut report = Report {
        chart_id,
        patient: format!("{} {}", person.given, person.family),
        skipped,
        ..Report::default()
    };
    for item in &items {
        match write(&mut *conn, chart_id, item, now, source).await? {
            Outcome::Added => report.added += 1,
            Outcome::Updated => report.updated += 1,
            Outcome::Unchanged => report.unchanged += 1,
        }
    }
    for (system, value) in person
        .identifiers
        .iter()
        .filter(|(s, _)| s.as_str() != PORTICO_CHART)
    {
        sqlx::query(
            "INSERT INTO chart_identifiers (practice_id, system, value, chart_id) \
             SELECT practice_id, $2, $3, id FROM patient_charts WHERE id = $1 \
             ON CONFLICT (practice_id, system, value) DO NOTHING",
        )
        .bind(chart_id)
        .bind(system)
        .bind(value)
        .execute(&mut *conn)
        .await?;
    }
    if report.added + report.updated > 0 {
        audit::record(
            &mut *conn,
            now,
            Entry {
                actor,
                action: "health.import",
                chart_id: Some(chart_id),
                client: None,
                detail: &format!(
                    "{} added, {} updated, {} unchanged",
                    report.added, report.updated, report.unchanged
                ),
            },
        )
        .await?;
    }
    Ok(report)
}

/// Every entry read and checked: the one patient, what to write, and what is skipped. Any
/// refusal refuses the bundle, listing every problem at once.
fn check(bundle: &Value) -> Result<(Person, Vec<Item<'_>>, Vec<String>), ImportError> {
    let mut refs = Refs::new();
    let mut problems = Vec::new();
    let mut resources = Vec::new();
    for (n, e) in array(bundle, "entry").iter().enumerate() {
        match e.get("resource").filter(|r| r.is_object()) {
            Some(r) => {
                let full_url = text(e, &["fullUrl"]);
                refs.add(full_url, r);
                resources.push((full_url, r));
            }
            None => problems.push(format!("Entry {}: it holds no resource.", n + 1)),
        }
    }
    let patients: Vec<_> = resources
        .iter()
        .filter(|(_, r)| text(r, &["resourceType"]) == Some("Patient"))
        .collect();
    let patient = match patients.as_slice() {
        [one] => one.1,
        [] => return Err(refused("The bundle holds no Patient.")),
        many => {
            return Err(refused(format!(
                "The bundle holds {} patients; import one patient's bundle at a time.",
                many.len()
            )))
        }
    };
    let person = Person::of(patient)?;

    let mut items = Vec::new();
    let mut skipped = Vec::new();
    let mut seen = HashSet::new();
    for (full_url, r) in &resources {
        let t = text(r, &["resourceType"]).unwrap_or("(no resourceType)");
        if t == "Patient" {
            continue;
        }
        let id = text(r, &["id"]).map(str::to_string).or_else(|| {
            full_url
                .and_then(|u| u.strip_prefix("urn:uuid:"))
                .map(str::to_string)
        });
        let Some(id) = id else {
            problems.push(format!("A {t}: it has no id."));
            continue;
        };
        let name = format!("{t}/{id}");
        if !seen.insert(name.clone()) {
            problems.push(format!("{name}: it appears twice."));
            continue;
        }
        let what = match extract(r, &refs) {
            Ok(Extracted::Entry(e)) => What::Entry(e),
            Ok(Extracted::Note(n)) => What::Note(n),
            Ok(Extracted::Skipped(why)) => {
                skipped.push(format!("{name}: {why}"));
                continue;
            }
            Err(why) => {
                problems.push(format!("{name}: {why}."));
                continue;
            }
        };
        let subject = r.get("subject").or_else(|| r.get("patient"));
        match subject.and_then(|s| refs.resolve(s)) {
            Some(p) if std::ptr::eq(p, patient) => {}
            Some(_) => problems.push(format!("{name}: it is about another patient.")),
            None => problems.push(format!("{name}: it names no patient of this bundle.")),
        }
        items.push(Item {
            resource_type: t,
            id,
            json: r.to_string(),
            what,
        });
    }
    // A report's results take its lab and date where they lack their own.
    let reports: HashMap<String, (String, String, Option<String>)> = items
        .iter()
        .filter_map(|i| match &i.what {
            What::Entry(e) => Some(e.results.iter().map(|obs| {
                (
                    obs.clone(),
                    (i.id.clone(), e.performer.clone(), e.recorded_on.clone()),
                )
            })),
            What::Note(_) => None,
        })
        .flatten()
        .collect();
    for item in &mut items {
        if let (What::Entry(e), Some((report, lab, _))) = (&mut item.what, reports.get(&item.id)) {
            if item.resource_type == "Observation" {
                e.report = Some(report.clone());
                if e.performer.is_empty() {
                    e.performer = lab.clone();
                }
            }
        }
    }
    if problems.is_empty() {
        Ok((person, items, skipped))
    } else {
        Err(ImportError::Refused(problems))
    }
}

async fn match_chart(
    conn: &mut AnyConnection,
    target: Target,
    person: &Person,
) -> Result<i64, ImportError> {
    let practice: i64 = match target {
        Target::Practice(p) => p,
        Target::Chart(c) => {
            sqlx::query_scalar("SELECT practice_id FROM patient_charts WHERE id = $1")
                .bind(c)
                .fetch_optional(&mut *conn)
                .await?
                .ok_or_else(|| refused("That chart does not exist."))?
        }
    };
    let mut by_identifier = Vec::new();
    for (system, value) in &person.identifiers {
        // Portico's own identifier (its exports, and entries staff write here) names the chart.
        if system == PORTICO_CHART {
            let own: Option<i64> = sqlx::query_scalar(
                "SELECT id FROM patient_charts WHERE id = $1 AND practice_id = $2",
            )
            .bind(value.parse::<i64>().unwrap_or(0))
            .bind(practice)
            .fetch_optional(&mut *conn)
            .await?;
            by_identifier.extend(own);
            continue;
        }
        let found: Option<i64> = sqlx::query_scalar(
            "SELECT chart_id FROM chart_identifiers WHERE practice_id = $1 AND system = $2 AND value = $3",
        )
        .bind(practice)
        .bind(system)
        .bind(value)
        .fetch_optional(&mut *conn)
        .await?;
        by_identifier.extend(found);
    }
    by_identifier.sort_unstable();
    by_identifier.dedup();
    let candidates = if by_identifier.is_empty() {
        sqlx::query_scalar(
            "SELECT id FROM patient_charts WHERE practice_id = $1 AND LOWER(given_name) = LOWER($2) \
             AND LOWER(family_name) = LOWER($3) AND date_of_birth = $4 ORDER BY id",
        )
        .bind(practice)
        .bind(&person.given)
        .bind(&person.family)
        .bind(&person.birth_date)
        .fetch_all(&mut *conn)
        .await?
    } else {
        by_identifier
    };
    let chart = match candidates.as_slice() {
        [one] => *one,
        [] => {
            return Err(refused(format!(
                "No chart at this practice matches {}.",
                person.describe()
            )))
        }
        _ => {
            return Err(refused(format!(
                "More than one chart at this practice matches {}; give the bundle's Patient the chart's identifier.",
                person.describe()
            )))
        }
    };
    match target {
        Target::Chart(c) if c != chart => Err(refused(format!(
            "This bundle is for {}, not for this chart.",
            person.describe()
        ))),
        _ => Ok(chart),
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Outcome {
    Added,
    Updated,
    Unchanged,
}

async fn write(
    conn: &mut AnyConnection,
    chart: i64,
    item: &Item<'_>,
    now: i64,
    source: &str,
) -> Result<Outcome, sqlx::Error> {
    match &item.what {
        What::Entry(e) => write_entry(conn, chart, item, e, now, source).await,
        What::Note(n) => write_note(conn, chart, item, n, now).await,
    }
}

async fn write_entry(
    conn: &mut AnyConnection,
    chart: i64,
    item: &Item<'_>,
    e: &EntryRow,
    now: i64,
    source: &str,
) -> Result<Outcome, sqlx::Error> {
    let existing = sqlx::query(
        "SELECT id, resource, report_fhir_id FROM health_entries \
         WHERE chart_id = $1 AND resource_type = $2 AND fhir_id = $3",
    )
    .bind(chart)
    .bind(item.resource_type)
    .bind(&item.id)
    .fetch_optional(&mut *conn)
    .await?;
    let outcome = match existing {
        Some(row) => {
            let resource: String = row.try_get(1)?;
            let report: Option<String> = row.try_get(2)?;
            if resource == item.json && report == e.report {
                return Ok(Outcome::Unchanged);
            }
            Outcome::Updated
        }
        None => Outcome::Added,
    };
    // One statement for both: an update keeps the entry's source, sharing and creation time.
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO health_entries (chart_id, resource_type, fhir_id, section, code_system, \
         code, title, status, recorded_on, detail, performer, specimen, report_fhir_id, \
         needs_sharing, source, resource, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, \
         $6, $7, $8, $9, $10, $11, $12, $13, $14, $17, $15, $16, $16) \
         ON CONFLICT (chart_id, resource_type, fhir_id) DO UPDATE SET section = excluded.section, \
         code_system = excluded.code_system, code = excluded.code, title = excluded.title, \
         status = excluded.status, recorded_on = excluded.recorded_on, detail = excluded.detail, \
         performer = excluded.performer, specimen = excluded.specimen, \
         report_fhir_id = excluded.report_fhir_id, needs_sharing = excluded.needs_sharing, \
         resource = excluded.resource, updated_at = excluded.updated_at RETURNING id",
    )
    .bind(chart)
    .bind(item.resource_type)
    .bind(&item.id)
    .bind(e.section.as_str())
    .bind(&e.code_system)
    .bind(&e.code)
    .bind(&e.title)
    .bind(&e.status)
    .bind(&e.recorded_on)
    .bind(&e.detail)
    .bind(&e.performer)
    .bind(&e.specimen)
    .bind(&e.report)
    .bind(i64::from(e.needs_sharing()))
    .bind(&item.json)
    .bind(now)
    .bind(source)
    .fetch_one(&mut *conn)
    .await?;
    if outcome == Outcome::Updated {
        sqlx::query("DELETE FROM health_values WHERE entry_id = $1")
            .bind(id)
            .execute(&mut *conn)
            .await?;
    }
    // Numbers travel as text and are cast by the database: sqlx's `Any` driver declares a
    // NULL f64 as a float4 parameter (sqlx-core 0.8.6, any/arguments.rs), and PostgreSQL then
    // refuses the next statement that reuses the cached plan with a real float8.
    let num = |x: Option<f64>| x.map(|x| x.to_string());
    for (seq, v) in e.values.iter().enumerate() {
        sqlx::query(
            "INSERT INTO health_values (entry_id, seq, code, title, value_num, value_text, unit, \
             ref_low, ref_high, ref_text, flag) VALUES ($1, $2, $3, $4, CAST($5 AS DOUBLE PRECISION), \
             $6, $7, CAST($8 AS DOUBLE PRECISION), CAST($9 AS DOUBLE PRECISION), $10, $11)",
        )
        .bind(id)
        .bind(seq as i64)
        .bind(&v.code)
        .bind(&v.title)
        .bind(num(v.value_num))
        .bind(&v.value_text)
        .bind(&v.unit)
        .bind(num(v.ref_low))
        .bind(num(v.ref_high))
        .bind(&v.ref_text)
        .bind(v.flag.as_str())
        .execute(&mut *conn)
        .await?;
    }
    Ok(outcome)
}

async fn write_note(
    conn: &mut AnyConnection,
    chart: i64,
    item: &Item<'_>,
    n: &NoteRow,
    now: i64,
) -> Result<Outcome, sqlx::Error> {
    let existing: Option<(i64, String)> =
        sqlx::query_as("SELECT id, resource FROM chart_notes WHERE chart_id = $1 AND fhir_id = $2")
            .bind(chart)
            .bind(&item.id)
            .fetch_optional(&mut *conn)
            .await?;
    match existing {
        Some((_, resource)) if resource == item.json => Ok(Outcome::Unchanged),
        Some((id, _)) => {
            sqlx::query(
                "UPDATE chart_notes SET title = $2, written_on = $3, body = $4, resource = $5, \
                 updated_at = $6 WHERE id = $1",
            )
            .bind(id)
            .bind(&n.title)
            .bind(&n.written_on)
            .bind(&n.body)
            .bind(&item.json)
            .bind(now)
            .execute(&mut *conn)
            .await?;
            Ok(Outcome::Updated)
        }
        None => {
            sqlx::query(
                "INSERT INTO chart_notes (chart_id, fhir_id, title, written_on, body, resource, \
                 created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $7)",
            )
            .bind(chart)
            .bind(&item.id)
            .bind(&n.title)
            .bind(&n.written_on)
            .bind(&n.body)
            .bind(&item.json)
            .bind(now)
            .execute(&mut *conn)
            .await?;
            Ok(Outcome::Added)
        }
    }
}
