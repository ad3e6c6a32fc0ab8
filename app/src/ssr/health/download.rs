//! Downloads of the selected record: a printable page, a PDF and FHIR R4 JSON, all filtered by
//! the same dates as the page. Each is limited per account and day, and recorded in the audit
//! log (which the activity log shows).

use super::{present, record, summary};
use crate::{
    error::{AppError, AppResult},
    ssr::{
        accounts,
        audit::{self, Actor, Entry},
        budget::{self, Budget, DAY},
        fhir::export,
        schedule::format_instant,
        session::{Principal, Session},
        state::AppState,
    },
};

/// Downloads and transmissions per account and day: enough for any real use, few enough that
/// a stolen session cannot quietly pull a record thousands of times.
pub const PER_DAY: Budget = Budget {
    limit: 50,
    window_secs: DAY,
};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Print,
    Pdf,
    Fhir,
}

impl Format {
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "print" => Some(Format::Print),
            "pdf" => Some(Format::Pdf),
            "fhir" => Some(Format::Fhir),
            _ => None,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Format::Print => "printable page",
            Format::Pdf => "PDF",
            Format::Fhir => "FHIR R4 JSON",
        }
    }
}

pub struct File {
    pub name: String,
    pub content_type: &'static str,
    pub body: Vec<u8>,
    /// Shown in the browser rather than saved (the printable page).
    pub inline: bool,
}

/// The account and the record it is viewing (the switcher's choice, or its first record).
pub async fn reader(st: &AppState, session: Option<Session>) -> AppResult<(i64, i64)> {
    let s = session.ok_or(AppError::Unauthorized)?;
    let Principal::Patient(account) = s.principal else {
        return Err(AppError::Forbidden);
    };
    let chart = accounts::viewing(&st.db, account, s.selected_chart_id)
        .await?
        .ok_or_else(|| AppError::NotFound("There is no record to download.".into()))?;
    Ok((account, chart))
}

/// Takes one of the account's daily downloads and transmissions.
pub async fn spend(st: &AppState, account: i64) -> AppResult<()> {
    let mut conn = st.db.write().acquire().await?;
    if budget::spend(
        &mut conn,
        &format!("record-out:{account}"),
        PER_DAY,
        st.clock.now(),
    )
    .await?
    {
        Ok(())
    } else {
        Err(AppError::TooManyRequests(
            "You have downloaded or sent your record many times today. Please try again tomorrow, or call your practice.".into(),
        ))
    }
}

/// The checked filter and its words ("On Mar 10, 2025"; empty for everything).
pub fn checked_filter(from: &str, to: &str) -> AppResult<(Option<String>, Option<String>, String)> {
    let (from, to) = present::filter(from, to).map_err(|m| AppError::field("from", m))?;
    let label = present::filter_label(&crate::model::health::DateFilter {
        from: from.clone().unwrap_or_default(),
        to: to.clone().unwrap_or_default(),
    });
    Ok((from, to, label))
}

/// The record of `chart` in `format`, for anyone already allowed to see it.
pub async fn render(
    st: &AppState,
    chart: i64,
    format: Format,
    from: &str,
    to: &str,
) -> AppResult<File> {
    let (from, to, _) = checked_filter(from, to)?;
    let mut conn = st.db.read().acquire().await?;
    let now = st.clock.now();
    let zone: String = sqlx::query_scalar(
        "SELECT p.time_zone FROM patient_charts c JOIN practices p ON p.id = c.practice_id WHERE c.id = $1",
    )
    .bind(chart)
    .fetch_one(&mut *conn)
    .await?;
    let generated = format_instant(now, crate::ssr::appointments::store::zone(&zone));
    let stem = format!(
        "health-record-{}",
        chrono::DateTime::from_timestamp(now, 0)
            .unwrap_or_default()
            .format("%Y-%m-%d")
    );
    Ok(match format {
        Format::Fhir => {
            let stamp = chrono::DateTime::from_timestamp(now, 0)
                .unwrap_or_default()
                .to_rfc3339();
            let bundle =
                export::bundle(&mut conn, chart, from.as_deref(), to.as_deref(), &stamp).await?;
            File {
                name: format!("{stem}.json"),
                content_type: "application/fhir+json",
                body: serde_json::to_vec_pretty(&bundle).map_err(AppError::internal)?,
                inline: false,
            }
        }
        Format::Pdf | Format::Print => {
            let rec = record::read(&mut conn, chart, from, to, now).await?;
            let blocks = summary::blocks(&rec, &generated);
            if format == Format::Pdf {
                File {
                    name: format!("{stem}.pdf"),
                    content_type: "application/pdf",
                    body: summary::pdf(&blocks),
                    inline: false,
                }
            } else {
                File {
                    name: format!("{stem}.html"),
                    content_type: "text/html; charset=utf-8",
                    body: summary::html(&blocks).into_bytes(),
                    inline: true,
                }
            }
        }
    })
}

/// `GET /health-record/download/{format}`: the signed-in patient's selected record.
pub async fn download(
    st: &AppState,
    session: Option<Session>,
    format: Format,
    from: &str,
    to: &str,
    client: &str,
) -> AppResult<File> {
    let (account, chart) = reader(st, session).await?;
    let (_, _, label) = checked_filter(from, to)?;
    spend(st, account).await?;
    let file = render(st, chart, format, from, to).await?;
    audit::record_alone(
        &st.db,
        st.clock.now(),
        Entry {
            actor: Actor::Patient(account),
            action: "health.download",
            chart_id: Some(chart),
            client: Some(client),
            detail: &format!(
                "{}{}",
                format.label(),
                if label.is_empty() {
                    String::new()
                } else {
                    format!(" · {label}")
                }
            ),
        },
    )
    .await?;
    Ok(file)
}
