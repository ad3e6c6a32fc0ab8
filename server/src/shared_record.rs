//! `/shared-record/{token}`: the recipient of a securely sent record types the one-time code
//! and sees the summary, once. Plain HTML pages, for people who have no Portico account.

use axum::{
    extract::{Path, State},
    http::{header, StatusCode},
    response::{IntoResponse, Response},
    Extension, Form,
};
use serde::Deserialize;

use app::ssr::{
    health::transmit::{check_link, open},
    request::ClientIp,
    state::AppState,
    throttle,
};

fn page(status: StatusCode, body: &str) -> Response {
    let html = format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>Shared health information</title><style>\
         body{{font:16px/1.5 system-ui,sans-serif;max-width:32rem;margin:3rem auto;padding:0 1rem;color:#1b2430}}\
         input{{font-size:1.2rem;padding:.4rem;width:9rem;letter-spacing:.2em}}button{{font-size:1rem;padding:.45rem 1rem}}\
         .error{{color:#9b1c1c}}</style></head><body>{body}</body></html>"
    );
    (
        status,
        [
            (header::CONTENT_TYPE, "text/html; charset=utf-8"),
            (header::CACHE_CONTROL, "no-store"),
            (header::REFERRER_POLICY, "no-referrer"),
        ],
        html,
    )
        .into_response()
}

fn code_form(error: Option<&str>) -> String {
    format!(
        "<h1>Shared health information</h1>\
         <p>Someone has sent you health information through Portico. Enter the 6-digit code they gave you to open it. The link works once.</p>\
         {}<form method=\"post\"><label for=\"code\">Code</label><br>\
         <input id=\"code\" name=\"code\" inputmode=\"numeric\" autocomplete=\"one-time-code\" maxlength=\"6\" required> \
         <button type=\"submit\">Open</button></form>",
        error.map(|e| format!("<p class=\"error\" role=\"alert\">{e}</p>")).unwrap_or_default()
    )
}

pub async fn show(State(state): State<AppState>, Path(token): Path<String>) -> Response {
    match check_link(&state, &token).await {
        Ok(()) => page(StatusCode::OK, &code_form(None)),
        Err(e) => page(
            StatusCode::NOT_FOUND,
            &format!("<h1>Shared health information</h1><p>{e}</p>"),
        ),
    }
}

#[derive(Deserialize)]
pub struct Code {
    #[serde(default)]
    code: String,
}

pub async fn submit(
    State(state): State<AppState>,
    Path(token): Path<String>,
    Extension(ip): Extension<ClientIp>,
    Form(form): Form<Code>,
) -> Response {
    let client = throttle::address_key(&state.config, &ip.0);
    match open(&state, &token, &form.code, &client).await {
        Ok(summary) => (
            [
                (header::CONTENT_TYPE, "text/html; charset=utf-8"),
                (header::CACHE_CONTROL, "no-store"),
                (header::REFERRER_POLICY, "no-referrer"),
            ],
            summary,
        )
            .into_response(),
        Err(app::error::AppError::Validation { fields, .. }) => {
            let msg = fields
                .first()
                .map(|f| f.message.clone())
                .unwrap_or_default();
            // The wrong code may have been the last allowed: say so at once.
            match check_link(&state, &token).await {
                Ok(()) => page(StatusCode::UNPROCESSABLE_ENTITY, &code_form(Some(&msg))),
                Err(e) => page(
                    StatusCode::NOT_FOUND,
                    &format!("<h1>Shared health information</h1><p>{e}</p>"),
                ),
            }
        }
        Err(e) => {
            let status = StatusCode::from_u16(e.status()).unwrap_or(StatusCode::NOT_FOUND);
            page(
                status,
                &format!("<h1>Shared health information</h1><p>{e}</p>"),
            )
        }
    }
}
