//! `POST /staff/patients/{id}/import`: a practice admin uploads a FHIR R4 bundle on a chart's
//! page. A plain multipart form, so it works without JavaScript; the page then shows what
//! was imported or refused.

use axum::{
    extract::{Multipart, Path, State},
    http::{header, StatusCode},
    response::{IntoResponse, Redirect, Response},
    Extension,
};

use app::ssr::{health::staff::import_upload, request::RequestSession, state::AppState};

pub async fn upload(
    State(state): State<AppState>,
    Path(chart): Path<i64>,
    Extension(session): Extension<RequestSession>,
    mut form: Multipart,
) -> Response {
    let mut bundle: Option<String> = None;
    loop {
        match form.next_field().await {
            Ok(Some(field)) if field.name() == Some("bundle") => match field.text().await {
                Ok(text) => bundle = Some(text),
                Err(e) => return (e.status(), "The file could not be read.").into_response(),
            },
            Ok(Some(_)) => {}
            Ok(None) => break,
            Err(e) => return (e.status(), "The upload could not be read.").into_response(),
        }
    }
    let Some(bundle) = bundle.filter(|b| !b.trim().is_empty()) else {
        return (
            StatusCode::UNPROCESSABLE_ENTITY,
            "Choose a FHIR bundle (a .json file) to import.",
        )
            .into_response();
    };
    match import_upload(&state, session.0, chart, &bundle).await {
        Ok(()) => Redirect::to(&format!("/staff/patients/{chart}/record#import")).into_response(),
        Err(e) => {
            let status = StatusCode::from_u16(e.status()).unwrap_or(StatusCode::NOT_FOUND);
            (
                status,
                [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
                e.to_string(),
            )
                .into_response()
        }
    }
}
