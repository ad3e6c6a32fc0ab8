//! Building the application state from configuration: connect, migrate, seed.

use std::sync::Arc;

use leptos::config::LeptosOptions;

use app::ssr::{
    clock::Clock,
    config::{redact_url, Config},
    db::Db,
    demo,
    password::Hasher,
    state::AppState,
};

pub async fn build_state(
    config: Config,
    leptos_options: LeptosOptions,
) -> Result<AppState, String> {
    tracing::info!(database = %redact_url(&config.database_url), environment = ?config.environment, "starting");
    let db = Db::connect(&config.database_url)
        .await
        .map_err(|e| format!("cannot open the database: {e}"))?;
    db.migrate()
        .await
        .map_err(|e| format!("database migration failed: {e}"))?;
    let hasher = Hasher::new().map_err(|e| e.to_string())?;
    let clock = Clock::default();
    if config.demo_data
        && demo::seed_if_empty(&db, &hasher, clock.now())
            .await
            .map_err(|e| e.to_string())?
    {
        tracing::info!("demo data seeded");
    }
    Ok(AppState {
        db,
        config: Arc::new(config),
        hasher,
        clock,
        leptos_options,
    })
}
