use axum::{
    extract::{Request, State},
    http::{header, HeaderName, HeaderValue},
    middleware::Next,
    response::Response,
};

use app::ssr::{request::CspNonce, state::AppState, token};

/// The content security policy for one response. Scripts run only from this origin or with
/// this response's nonce; WebAssembly needs `wasm-unsafe-eval` to instantiate.
pub fn content_security_policy(nonce: &str) -> String {
    format!(
        "default-src 'self'; script-src 'self' 'nonce-{nonce}' 'wasm-unsafe-eval'; \
         style-src 'self'; img-src 'self' data:; font-src 'self'; connect-src 'self'; \
         object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
    )
}

pub async fn security_headers(
    State(state): State<AppState>,
    mut req: Request,
    next: Next,
) -> Response {
    let nonce = token::random_hex(16);
    let path = req.uri().path().to_string();
    let asset = super::is_asset(&path);
    // A page whose address holds a one-time token must not pass that address on to anyone.
    let token_page = super::session::is_token_page(&path);
    req.extensions_mut().insert(CspNonce(nonce.clone()));
    let mut res = next.run(req).await;
    let h = res.headers_mut();
    let mut set = |name: HeaderName, value: &str| {
        if let Ok(v) = HeaderValue::from_str(value) {
            h.entry(name).or_insert(v);
        }
    };
    set(
        header::CONTENT_SECURITY_POLICY,
        &content_security_policy(&nonce),
    );
    set(header::X_CONTENT_TYPE_OPTIONS, "nosniff");
    set(
        header::REFERRER_POLICY,
        if token_page {
            "no-referrer"
        } else {
            "strict-origin-when-cross-origin"
        },
    );
    set(header::X_FRAME_OPTIONS, "DENY");
    set(
        HeaderName::from_static("permissions-policy"),
        "camera=(), microphone=(), geolocation=(), payment=()",
    );
    set(
        HeaderName::from_static("cross-origin-opener-policy"),
        "same-origin",
    );
    if state.config.is_production() {
        set(
            header::STRICT_TRANSPORT_SECURITY,
            "max-age=63072000; includeSubDomains",
        );
    }
    // Pages and API answers can hold health information: never store them in any cache.
    if !asset {
        h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    } else if res.status().is_success() {
        let policy = super::asset_cache_policy(&path);
        let h = res.headers_mut();
        h.insert(header::CACHE_CONTROL, HeaderValue::from_static(policy));
        // Precompressed files differ by the encoding asked for; caches must keep them apart.
        h.insert(header::VARY, HeaderValue::from_static("accept-encoding"));
    }
    res
}
