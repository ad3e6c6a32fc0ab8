use std::{net::SocketAddr, process::ExitCode};

use app::ssr::config::Config;
use leptos::config::get_configuration;

// Rendering a page allocates and frees many small strings and nodes; glibc's malloc took
// about 15 % of a signed-in page's time (perf), mimalloc much less (see the README).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    // mimalloc asks for transparent huge pages on its arenas, so a few kilobytes in use held
    // 2 MiB each: about 12 MiB of an idle server's 60 MiB. A portal idles most of the day.
    // Before the runtime starts, so that no page is faulted in huge first.
    #[cfg(target_os = "linux")]
    let _ = rustix::thread::disable_transparent_huge_pages(true);
    match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime.block_on(serve_or_command()),
        Err(e) => {
            eprintln!("portico: cannot start the runtime: {e}");
            ExitCode::FAILURE
        }
    }
}

async fn serve_or_command() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let command = match server::cli::parse(&args) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("{e}\n\n{}", server::cli::USAGE);
            return ExitCode::from(2);
        }
    };
    if let Some(code) = server::cli::answer_without_config(&command) {
        return code;
    }
    // A missing .env is normal; the environment itself may hold everything.
    let _ = dotenvy::dotenv();
    let config = match Config::from_env() {
        Ok(c) => c,
        Err(e) => {
            eprintln!("portico: configuration error: {e}");
            return ExitCode::FAILURE;
        }
    };
    if command != server::cli::Command::Serve {
        return server::cli::run(command, &config).await;
    }
    server::telemetry::init(config.is_production());
    match run(config).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            tracing::error!("{e}");
            ExitCode::FAILURE
        }
    }
}

async fn run(config: Config) -> Result<(), String> {
    let mut leptos_options = get_configuration(None)
        .map_err(|e| format!("leptos configuration: {e}"))?
        .leptos_options;
    // A release build names its files by content hash and lists them beside the binary;
    // serve those names even when started directly rather than through cargo-leptos.
    if std::env::var_os("LEPTOS_HASH_FILES").is_none() {
        leptos_options.hash_files =
            app::ssr::assets::hash_file_path(&leptos_options).is_some_and(|p| p.exists());
    }
    let addr = leptos_options.site_addr;
    // Held until the process ends: `portico restore` refuses while any server holds it.
    let _lock = app::ssr::backup::ServerLock::shared(&config.database_url)?;
    let state = server::startup::build_state(config, leptos_options).await?;
    let sweeper = server::workers::spawn_session_sweeper(state.clone());
    let probe = server::workers::spawn_breaker_probe(state.db.clone());
    let transport = server::delivery::Transport::from_config(&state.config)?;
    let delivery = server::delivery::spawn(state.clone(), transport);
    let alerts = server::workers::spawn_message_alerts(state.clone());
    let db = state.db.clone();
    let live = state.live.clone();
    let app = server::router::router(state);

    let listener = server::listener::bind(addr)
        .await
        .map_err(|e| format!("cannot listen on {addr}: {e}"))?;
    tracing::info!("listening on http://{addr}");
    axum::serve(
        listener,
        app.into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(async move {
        shutdown_signal().await;
        // Live streams never end by themselves; the shutdown waits for open requests.
        live.close();
    })
    .await
    .map_err(|e| format!("server error: {e}"))?;
    sweeper.abort();
    probe.abort();
    delivery.abort();
    alerts.abort();
    db.close().await;
    tracing::info!("stopped");
    Ok(())
}

/// Ctrl-C or SIGTERM: stop accepting, finish in-flight requests, then exit.
async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = terminate => {},
    }
    tracing::info!("shutting down");
}
