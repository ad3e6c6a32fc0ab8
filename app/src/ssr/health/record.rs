//! One chart's health record as its patient may see it: structured entries, shared results
//! only, nothing entered in error, and never a chart note (those live in another table).

use std::collections::HashMap;

use chrono::NaiveDate;
use sqlx::{AnyConnection, Row};

use super::present;
use crate::{
    error::AppResult,
    model::health::{
        DateFilter, Flag, HealthRecord, LabTest, LabValue, RecordItem, RecordPractice, Section,
        VitalSeries,
    },
};

/// Which entries a reader gets: always the chart's own, shared results only, by date.
struct Scope<'a> {
    chart: i64,
    from: Option<&'a str>,
    to: Option<&'a str>,
}

impl Scope<'_> {
    /// `column` within the filter bound as `$2` and `$3`; undated entries only without one.
    fn dated(&self, column: &str) -> String {
        format!("($2 IS NULL OR {column} >= $2) AND ($3 IS NULL OR {column} <= $3)")
    }
}

const LIST_SECTIONS: [Section; 7] = [
    Section::Problems,
    Section::Medications,
    Section::Allergies,
    Section::Immunizations,
    Section::Procedures,
    Section::CarePlans,
    Section::Imaging,
];

/// The record of `chart`, filtered by `filter` (already checked by `present::filter`), with
/// its appointments before and after `now`.
pub async fn read(
    conn: &mut AnyConnection,
    chart: i64,
    from: Option<String>,
    to: Option<String>,
    now: i64,
) -> AppResult<HealthRecord> {
    let head = sqlx::query(
        "SELECT c.given_name, c.family_name, c.date_of_birth, p.name, p.phone, p.address \
         FROM patient_charts c JOIN practices p ON p.id = c.practice_id WHERE c.id = $1",
    )
    .bind(chart)
    .fetch_one(&mut *conn)
    .await?;
    let scope = Scope {
        chart,
        from: from.as_deref(),
        to: to.as_deref(),
    };
    let filter = DateFilter {
        from: from.clone().unwrap_or_default(),
        to: to.clone().unwrap_or_default(),
    };
    Ok(HealthRecord {
        patient_name: format!(
            "{} {}",
            head.try_get::<String, _>(0)?,
            head.try_get::<String, _>(1)?
        ),
        date_of_birth: present::date(&head.try_get::<String, _>(2)?),
        practice: RecordPractice {
            name: head.try_get(3)?,
            phone: head.try_get(4)?,
            address: head.try_get(5)?,
        },
        filter_label: present::filter_label(&filter),
        filter,
        lists: lists(conn, &scope).await?,
        vitals: vitals(conn, &scope).await?,
        labs: labs(conn, &scope).await?,
        upcoming: appointments(conn, &scope, now, true).await?,
        past: appointments(conn, &scope, now, false).await?,
    })
}

/// The chart's appointments on one side of `now`, within the filter's days (in the
/// practice's zone). Declined and canceled requests are not part of the record.
async fn appointments(
    conn: &mut AnyConnection,
    s: &Scope<'_>,
    now: i64,
    upcoming: bool,
) -> AppResult<Vec<RecordItem>> {
    let sql = format!(
        "SELECT a.starts_at, a.state, a.visit_reason, v.display_name, p.time_zone FROM appointments a \
         JOIN providers v ON v.id = a.provider_id JOIN practices p ON p.id = a.practice_id \
         WHERE a.chart_id = $1 AND a.state NOT IN ('declined', 'cancelled') AND a.starts_at {} $2 \
         ORDER BY a.starts_at {} LIMIT 200",
        if upcoming { ">=" } else { "<" },
        if upcoming { "ASC" } else { "DESC" }
    );
    let rows = sqlx::query(&sql)
        .bind(s.chart)
        .bind(now)
        .fetch_all(&mut *conn)
        .await?;
    let mut out = Vec::new();
    for r in rows {
        let zone = crate::ssr::appointments::store::zone(&r.try_get::<String, _>(4)?);
        let at: i64 = r.try_get(0)?;
        let day = chrono::DateTime::from_timestamp(at, 0)
            .map(|t| t.with_timezone(&zone).date_naive().to_string())
            .unwrap_or_default();
        if s.from.is_some_and(|f| day.as_str() < f) || s.to.is_some_and(|t| day.as_str() > t) {
            continue;
        }
        let state: String = r.try_get(1)?;
        out.push(RecordItem {
            title: r.try_get(3)?,
            status: crate::domain::appointment::State::parse(&state)
                .map(|st| st.label().to_string())
                .unwrap_or(state),
            date: crate::ssr::schedule::format_instant(at, zone),
            detail: r.try_get(2)?,
            performer: String::new(),
        });
    }
    Ok(out)
}

/// The visibility rule every patient read shares.
const VISIBLE: &str =
    "e.status <> 'entered-in-error' AND (e.needs_sharing = 0 OR e.shared_at IS NOT NULL)";

async fn lists(
    conn: &mut AnyConnection,
    s: &Scope<'_>,
) -> AppResult<Vec<(Section, Vec<RecordItem>)>> {
    let sql = format!(
        "SELECT e.section, e.title, e.status, e.recorded_on, e.detail, e.performer \
         FROM health_entries e WHERE e.chart_id = $1 AND {VISIBLE} AND {} \
         AND (e.section <> 'labs' AND e.section <> 'vitals') \
         ORDER BY e.recorded_on DESC, e.id DESC",
        s.dated("e.recorded_on")
    );
    let rows = sqlx::query(&sql)
        .bind(s.chart)
        .bind(s.from)
        .bind(s.to)
        .fetch_all(&mut *conn)
        .await?;
    let mut by_section: HashMap<Section, Vec<RecordItem>> = HashMap::new();
    for r in rows {
        let Some(section) = Section::parse(&r.try_get::<String, _>(0)?) else {
            continue;
        };
        let day: Option<String> = r.try_get(3)?;
        by_section.entry(section).or_default().push(RecordItem {
            title: r.try_get(1)?,
            status: present::status(&r.try_get::<String, _>(2)?),
            date: day.as_deref().map(present::date).unwrap_or_default(),
            detail: r.try_get(4)?,
            performer: r.try_get(5)?,
        });
    }
    Ok(LIST_SECTIONS
        .into_iter()
        .map(|sec| (sec, by_section.remove(&sec).unwrap_or_default()))
        .collect())
}

/// One measured value with what the page needs around it.
struct Measured {
    key: String,
    title: String,
    day: String,
    num: Option<f64>,
    text: String,
    unit: String,
    low: Option<f64>,
    high: Option<f64>,
    range_text: String,
    flag: String,
    status: String,
    specimen: String,
    lab: String,
    reported: Option<String>,
}

async fn measured(
    conn: &mut AnyConnection,
    s: &Scope<'_>,
    section: Section,
) -> AppResult<Vec<Measured>> {
    // A lab result is visible once it, or the report it belongs to, is shared.
    let sql = format!(
        "SELECT e.title, e.code, v.code, v.title, e.recorded_on, v.value_num, v.value_text, v.unit, \
         v.ref_low, v.ref_high, v.ref_text, v.flag, e.status, e.specimen, e.performer, r.recorded_on, \
         e.id FROM health_entries e JOIN health_values v ON v.entry_id = e.id \
         LEFT JOIN health_entries r ON r.chart_id = e.chart_id AND r.resource_type = 'DiagnosticReport' \
              AND r.fhir_id = e.report_fhir_id \
         WHERE e.chart_id = $1 AND e.section = $4 AND e.resource_type = 'Observation' \
         AND e.status <> 'entered-in-error' \
         AND (e.needs_sharing = 0 OR e.shared_at IS NOT NULL OR r.shared_at IS NOT NULL) AND {} \
         ORDER BY e.recorded_on DESC, e.id DESC, v.seq",
        s.dated("e.recorded_on")
    );
    let rows = sqlx::query(&sql)
        .bind(s.chart)
        .bind(s.from)
        .bind(s.to)
        .bind(section.as_str())
        .fetch_all(&mut *conn)
        .await?;
    // An entry's values are adjacent rows; one with several is named by its components.
    let mut values_of: HashMap<i64, usize> = HashMap::new();
    for r in &rows {
        *values_of.entry(r.try_get(16)?).or_default() += 1;
    }
    rows.iter()
        .map(|r| {
            let single = values_of.get(&r.try_get::<i64, _>(16)?) == Some(&1);
            let (entry_title, entry_code): (String, String) = (r.try_get(0)?, r.try_get(1)?);
            let (value_code, value_title): (String, String) = (r.try_get(2)?, r.try_get(3)?);
            let (key, title) = if single {
                (
                    if entry_code.is_empty() {
                        entry_title.clone()
                    } else {
                        entry_code
                    },
                    entry_title,
                )
            } else {
                (
                    if value_code.is_empty() {
                        value_title.clone()
                    } else {
                        value_code
                    },
                    value_title,
                )
            };
            Ok(Measured {
                key,
                title,
                day: r.try_get::<Option<String>, _>(4)?.unwrap_or_default(),
                num: r.try_get(5)?,
                text: r.try_get(6)?,
                unit: r.try_get(7)?,
                low: r.try_get(8)?,
                high: r.try_get(9)?,
                range_text: r.try_get(10)?,
                flag: r.try_get(11)?,
                status: r.try_get(12)?,
                specimen: r.try_get(13)?,
                lab: r.try_get(14)?,
                reported: r.try_get(15)?,
            })
        })
        .collect::<Result<_, sqlx::Error>>()
        .map_err(Into::into)
}

/// Groups newest-first measurements by test, in the order each test was last measured.
fn grouped(rows: Vec<Measured>) -> Vec<Vec<Measured>> {
    let mut order: Vec<String> = Vec::new();
    let mut groups: HashMap<String, Vec<Measured>> = HashMap::new();
    for m in rows {
        if !groups.contains_key(&m.key) {
            order.push(m.key.clone());
        }
        groups.entry(m.key.clone()).or_default().push(m);
    }
    order
        .into_iter()
        .filter_map(|k| groups.remove(&k))
        .collect()
}

fn value_words(m: &Measured) -> String {
    match m.num {
        Some(x) => present::with_unit(x, &m.unit),
        None => m.text.clone(),
    }
}

async fn labs(conn: &mut AnyConnection, s: &Scope<'_>) -> AppResult<Vec<LabTest>> {
    let rows = measured(conn, s, Section::Labs).await?;
    Ok(grouped(rows)
        .into_iter()
        .map(|results| LabTest {
            title: results[0].title.clone(),
            results: results
                .iter()
                .map(|m| LabValue {
                    date: present::date(&m.day),
                    value: value_words(m),
                    range: present::range(m.low, m.high, &m.range_text, &m.unit),
                    flag: Flag::parse(&m.flag),
                    status: present::status(&m.status),
                    corrected: m.status == "corrected" || m.status == "amended",
                    specimen: m.specimen.clone(),
                    lab: m.lab.clone(),
                    reported: present::date(m.reported.as_deref().unwrap_or(&m.day)),
                })
                .collect(),
            more: 0,
        })
        .collect())
}

async fn vitals(conn: &mut AnyConnection, s: &Scope<'_>) -> AppResult<Vec<VitalSeries>> {
    let rows = measured(conn, s, Section::Vitals).await?;
    Ok(grouped(rows)
        .into_iter()
        .map(|series| {
            let mut points: Vec<(NaiveDate, f64)> = series
                .iter()
                .filter_map(|m| Some((NaiveDate::parse_from_str(&m.day, "%Y-%m-%d").ok()?, m.num?)))
                .collect();
            points.reverse();
            let unit = series[0].unit.clone();
            let lo = points.iter().map(|p| p.1).fold(f64::INFINITY, f64::min);
            let hi = points.iter().map(|p| p.1).fold(f64::NEG_INFINITY, f64::max);
            let label = |x: f64| {
                if x.is_finite() {
                    present::with_unit(x, &unit)
                } else {
                    String::new()
                }
            };
            VitalSeries {
                title: series[0].title.clone(),
                points: present::polyline(&points),
                low: label(lo),
                high: label(hi),
                rows: series
                    .iter()
                    .map(|m| (present::date(&m.day), value_words(m)))
                    .collect(),
                more: 0,
                unit,
            }
        })
        .collect())
}
