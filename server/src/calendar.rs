//! `GET /appointments/{id}/calendar.ics`: a plain download, so it works without JavaScript.

use axum::{
    extract::{Path, State},
    http::{header, StatusCode},
    response::{IntoResponse, Response},
    Extension,
};

use app::ssr::{
    appointments::calendar,
    request::{ClientIp, RequestSession},
    state::AppState,
    throttle,
};

pub async fn download(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    Extension(session): Extension<RequestSession>,
    Extension(ip): Extension<ClientIp>,
) -> Response {
    let client = throttle::address_key(&state.config, &ip.0);
    match calendar::ics_file(&state, session.0, id, &client).await {
        Ok((name, body)) => (
            [
                (
                    header::CONTENT_TYPE,
                    "text/calendar; charset=utf-8".to_string(),
                ),
                (
                    header::CONTENT_DISPOSITION,
                    format!("attachment; filename=\"{name}\""),
                ),
            ],
            body,
        )
            .into_response(),
        Err(e) => {
            let status = StatusCode::from_u16(e.status()).unwrap_or(StatusCode::NOT_FOUND);
            (status, e.to_string()).into_response()
        }
    }
}
