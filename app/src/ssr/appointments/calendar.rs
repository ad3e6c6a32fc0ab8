//! "Add to calendar": the `.ics` download for one of the patient's appointments.

use super::{store, NOT_FOUND};
use crate::{
    error::{AppError, AppResult},
    ssr::{
        audit::{self, Entry},
        ics,
        session::{Principal, Session},
        state::AppState,
    },
};

/// The file name and contents, for the signed-in patient's own (or represented) appointment.
pub async fn ics_file(
    st: &AppState,
    session: Option<Session>,
    id: i64,
    client: &str,
) -> AppResult<(String, String)> {
    let s = session.ok_or(AppError::Unauthorized)?;
    let Principal::Patient(account_id) = s.principal else {
        return Err(AppError::Forbidden);
    };
    let mut conn = st.db.read().acquire().await?;
    let found = store::load(&mut conn, id).await?;
    let allowed = match &found {
        Some(a) => store::relationship(&mut conn, account_id, a.chart_id)
            .await?
            .is_some(),
        None => false,
    };
    drop(conn);
    let now = st.clock.now();
    let Some(a) = found.filter(|_| allowed) else {
        audit::record_alone(
            &st.db,
            now,
            Entry {
                actor: audit::Actor::Patient(account_id),
                action: "appointment.denied",
                chart_id: None,
                client: Some(client),
                detail: &format!("calendar appointment:{id}"),
            },
        )
        .await?;
        return Err(AppError::NotFound(NOT_FOUND.into()));
    };
    let uid = format!("appointment-{}@portico", a.id);
    let summary = format!("Appointment with {}", a.provider_name);
    let description = format!(
        "{} at {}. To change it, use your patient portal or call {}.",
        summary, a.practice_name, a.practice_phone
    );
    let body = ics::render(
        &ics::Event {
            uid: &uid,
            start: a.starts_at,
            end: a.ends_at,
            summary: &summary,
            location: &a.practice_name,
            description: &description,
        },
        a.zone,
        now,
    );
    Ok((format!("appointment-{}.ics", a.id), body))
}
