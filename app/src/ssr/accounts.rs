//! Account and record look-ups for sign-in and the app shell.

use sqlx::Row;

use super::{
    db::Db,
    session::{Principal, Session},
};
use crate::model::{CurrentUser, PrincipalKind, RecordSummary, Relationship, StaffRole};

/// What sign-in needs to know about an account: its id and password hash.
pub struct Credentials {
    pub id: i64,
    pub password_hash: String,
}

/// An active account's credentials by normalised username.
pub async fn credentials(
    db: &Db,
    kind: PrincipalKind,
    username: &str,
) -> Result<Option<Credentials>, sqlx::Error> {
    let sql = match kind {
        PrincipalKind::Patient => {
            "SELECT id, password_hash FROM portal_accounts WHERE username = $1 AND status = 'active'"
        }
        PrincipalKind::Staff => {
            "SELECT id, password_hash FROM staff_accounts WHERE username = $1 AND active = TRUE AND password_hash <> ''"
        }
    };
    let row = sqlx::query(sql)
        .bind(username)
        .fetch_optional(db.read())
        .await?;
    row.map(|r| {
        Ok(Credentials {
            id: r.try_get(0)?,
            password_hash: r.try_get(1)?,
        })
    })
    .transpose()
}

/// The records an account may view, remembered for the rest of one page render: the layout
/// (the record switcher) and the page both ask. Provided per request by the router, so it never
/// outlives the request: a revoked link is gone on the very next page.
#[derive(Clone, Default)]
pub struct RecordsMemo(std::sync::Arc<tokio::sync::OnceCell<(i64, Vec<RecordSummary>)>>);

/// The records an account may view: its own first, then those it represents.
pub async fn records(db: &Db, account_id: i64) -> Result<Vec<RecordSummary>, sqlx::Error> {
    let Some(memo) = leptos::prelude::use_context::<RecordsMemo>() else {
        return load_records(db, account_id).await;
    };
    let (id, records) = memo
        .0
        .get_or_try_init(|| async {
            Ok::<_, sqlx::Error>((account_id, load_records(db, account_id).await?))
        })
        .await?;
    if *id == account_id {
        Ok(records.clone())
    } else {
        load_records(db, account_id).await
    }
}

async fn load_records(db: &Db, account_id: i64) -> Result<Vec<RecordSummary>, sqlx::Error> {
    let rows = sqlx::query(
        "SELECT c.id, c.given_name, c.family_name, p.name, ac.relationship \
         FROM account_charts ac \
         JOIN patient_charts c ON c.id = ac.chart_id \
         JOIN practices p ON p.id = c.practice_id \
         WHERE ac.account_id = $1 \
         ORDER BY CASE ac.relationship WHEN 'self' THEN 0 ELSE 1 END, c.given_name, p.name, c.id",
    )
    .bind(account_id)
    .fetch_all(db.read())
    .await?;
    rows.into_iter()
        .map(|r| {
            let given: String = r.try_get(1)?;
            let family: String = r.try_get(2)?;
            let relationship: String = r.try_get(4)?;
            Ok(RecordSummary {
                id: r.try_get(0)?,
                patient_name: format!("{given} {family}"),
                practice_name: r.try_get(3)?,
                relationship: Relationship::parse(&relationship)
                    .unwrap_or(Relationship::Representative),
            })
        })
        .collect()
}

/// The record an account is viewing: the switcher's choice while it is still linked, else its
/// first record. Read from the page's records memo, so the layout and the page share one query.
pub async fn viewing(
    db: &Db,
    account_id: i64,
    chosen: Option<i64>,
) -> Result<Option<i64>, sqlx::Error> {
    let records = records(db, account_id).await?;
    Ok(pick(&records, chosen))
}

fn pick(records: &[RecordSummary], chosen: Option<i64>) -> Option<i64> {
    chosen
        .filter(|c| records.iter().any(|r| r.id == *c))
        .or_else(|| records.first().map(|r| r.id))
}

/// Whether `account_id` may view chart `chart_id`.
pub async fn may_view_chart(db: &Db, account_id: i64, chart_id: i64) -> Result<bool, sqlx::Error> {
    let found = sqlx::query("SELECT 1 FROM account_charts WHERE account_id = $1 AND chart_id = $2")
        .bind(account_id)
        .bind(chart_id)
        .fetch_optional(db.read())
        .await?;
    Ok(found.is_some())
}

/// The signed-in person as the browser may see them.
pub async fn current_user(
    db: &Db,
    session: &Session,
    now: i64,
) -> Result<Option<CurrentUser>, sqlx::Error> {
    let idle_seconds_left = session.seconds_left(now);
    match session.principal {
        Principal::Patient(id) => {
            let Some(holder) = &session.holder else {
                return Ok(None);
            };
            let records = records(db, id).await?;
            let selected_record_id = pick(&records, session.selected_chart_id);
            let messages_count = match selected_record_id {
                Some(chart) => super::messaging::patient::unread(db, id, chart).await?,
                None => 0,
            };
            Ok(Some(CurrentUser {
                messages_count,
                kind: PrincipalKind::Patient,
                display_name: holder.display_name.clone(),
                username: holder.username.clone(),
                role: None,
                practice_name: None,
                records,
                selected_record_id,
                idle_seconds_left,
            }))
        }
        Principal::Staff(_) => {
            let Some((holder, staff)) = session.staff() else {
                return Ok(None);
            };
            let messages_count =
                super::messaging::staff::needs_reply_badge(db, staff.practice_id).await?;
            Ok(Some(CurrentUser {
                messages_count,
                kind: PrincipalKind::Staff,
                display_name: holder.display_name.clone(),
                username: holder.username.clone(),
                role: StaffRole::parse(&staff.role),
                practice_name: Some(staff.practice_name.clone()),
                records: Vec::new(),
                selected_record_id: None,
                idle_seconds_left,
            }))
        }
    }
}
