use axum::{
    extract::Path,
    http::{HeaderMap, Request},
    middleware::from_fn_with_state,
    routing::get,
    Router,
};
use leptos_axum::{generate_route_list, LeptosRoutes};
use tower::ServiceBuilder;
use tower_http::{
    compression::CompressionLayer,
    request_id::{PropagateRequestIdLayer, SetRequestIdLayer},
    trace::TraceLayer,
};

use app::{shell, ssr::state::AppState, App};

use crate::{
    calendar, chart_import, dev, health,
    middleware::{
        api_status::api_status, body_limit, breaker::breaker, client_ip::client_ip, csrf::csrf,
        request_id::RandomRequestId, security_headers::security_headers, session::session,
    },
    record_files, shared_record,
    static_files::StaticFiles,
};

/// The whole HTTP surface: pages, server functions, static files, health endpoints, and the
/// middleware around them.
/// The app's routes, listed once per process. Listing runs the whole app with resource loading
/// suppressed by a process-wide flag, so a page rendering at that moment on another router
/// would wait for ever (leptos issue 4773); tests build many routers side by side, and this
/// made a sign-in test hang in CI.
fn route_list() -> Vec<leptos_axum::AxumRouteListing> {
    static ROUTES: std::sync::OnceLock<Vec<leptos_axum::AxumRouteListing>> =
        std::sync::OnceLock::new();
    ROUTES.get_or_init(|| generate_route_list(App)).clone()
}

pub fn router(state: AppState) -> Router {
    let routes = route_list();
    let options = state.leptos_options.clone();
    let request_id = axum::http::HeaderName::from_static("x-request-id");

    let metrics = crate::metrics::Metrics::default();
    let mut base = Router::new()
        .route("/healthz", get(health::healthz))
        .route(
            "/metrics",
            get(crate::metrics::serve).with_state((state.clone(), metrics.clone())),
        )
        .route("/readyz", get(health::readyz))
        .route("/appointments/{id}/calendar.ics", get(calendar::download))
        .route("/health-record/download/{format}", get(record_files::get))
        .route("/activity.csv", get(record_files::activity_csv))
        .route("/staff/audit.csv", get(record_files::audit_csv))
        .route(
            "/staff/patients/{id}/import",
            axum::routing::post(chart_import::upload),
        )
        .route(
            "/shared-record/{token}",
            get(shared_record::show).post(shared_record::submit),
        )
        .route("/api/live/stream", get(app::ssr::messaging::stream::live));
    if !state.config.is_production() {
        base = base
            .route("/dev/outbox", get(dev::outbox_page))
            .route("/dev/outbox.json", get(dev::outbox_json))
            .route("/dev/clock", get(dev::clock))
            .route("/dev/charts", axum::routing::post(dev::new_chart));
    }
    // The built front-end files, from memory: brotli or gzip as precompressed at build time,
    // never compressed per request. A missing file is a plain 404 (a stale page asking for an
    // old chunk gets that).
    let files = StaticFiles::shared(
        &std::path::Path::new(&*options.site_root).join(&*options.site_pkg_dir),
    );
    base = base.route(
        &format!("/{}/{{*file}}", options.site_pkg_dir),
        get(move |Path(file): Path<String>, headers: HeaderMap| {
            let files = files.clone();
            async move { files.respond(&file, &headers).await }
        }),
    );
    base
        .leptos_routes_with_context(
            &state,
            routes,
            || leptos::prelude::provide_context(app::ssr::accounts::RecordsMemo::default()),
            move || shell(options.clone()),
        )
        .fallback(leptos_axum::file_and_error_handler::<AppState, _>(shell))
        .layer(
            ServiceBuilder::new()
                .layer(from_fn_with_state(metrics, crate::metrics::track))
                .layer(SetRequestIdLayer::new(request_id.clone(), RandomRequestId))
                .layer(
                    // Paths only: query strings may one day carry single-use tokens.
                    TraceLayer::new_for_http().make_span_with(|req: &Request<_>| {
                        let id = req
                            .headers()
                            .get("x-request-id")
                            .and_then(|v| v.to_str().ok())
                            .unwrap_or("-");
                        let path = crate::middleware::session::loggable_path(req.uri().path());
                        tracing::info_span!("request", method = %req.method(), path = %path, request_id = %id)
                    }),
                )
                .layer(PropagateRequestIdLayer::new(request_id))
                .layer(from_fn_with_state(state.clone(), security_headers))
                .layer(CompressionLayer::new())
                .layer(from_fn_with_state(state.clone(), csrf))
                .layer(from_fn_with_state(state.clone(), client_ip))
                .layer(from_fn_with_state(state.clone(), breaker))
                .layer(from_fn_with_state(state.clone(), session))
                .layer(axum::middleware::from_fn(api_status))
                .layer(axum::middleware::from_fn(body_limit::body_limit)),
        )
        .with_state(state)
}
