//! Building the application state from configuration: connect, migrate, seed.

use std::sync::Arc;

use leptos::config::LeptosOptions;

use app::ssr::{
    clock::Clock,
    config::{redact_url, Config},
    db::Db,
    demo,
    messaging::live::Live,
    password::Hasher,
    state::AppState,
    texts::{DevOutbox, TextSender},
};

use crate::texting::HttpTexts;

/// The provider for security codes: HTTP when configured; otherwise the development outbox,
/// or none in production (phone options are then not offered).
pub fn text_sender(
    config: &Config,
    db: &Db,
    clock: &Clock,
) -> Result<Option<Arc<dyn TextSender>>, String> {
    Ok(match &config.sms_url {
        Some(url) => Some(Arc::new(HttpTexts::new(url, config.sms_token.clone())?)),
        None if config.is_production() => None,
        None => Some(Arc::new(DevOutbox {
            db: db.clone(),
            clock: clock.clone(),
        })),
    })
}

/// The database at `url`, migrated.
pub async fn open_database(url: &str) -> Result<Db, String> {
    let db = Db::connect(url)
        .await
        .map_err(|e| format!("cannot open the database: {e}"))?;
    db.migrate()
        .await
        .map_err(|e| format!("database migration failed: {e}"))?;
    Ok(db)
}

/// The demo practice, if the database is empty; whether it was seeded.
pub async fn seed_demo(
    db: &Db,
    hasher: &Hasher,
    config: &Config,
    now: i64,
) -> Result<bool, String> {
    if !demo::seed_if_empty(db, hasher, now)
        .await
        .map_err(|e| format!("seeding the demo failed: {e}"))?
    {
        return Ok(false);
    }
    demo::seed_two_factor(db, &config.secret_key, now)
        .await
        .map_err(|e| format!("seeding the demo failed: {e}"))?;
    Ok(true)
}

pub async fn build_state(
    config: Config,
    leptos_options: LeptosOptions,
) -> Result<AppState, String> {
    tracing::info!(database = %redact_url(&config.database_url), environment = ?config.environment, "starting");
    let db = open_database(&config.database_url).await?;
    let hasher = Hasher::new().map_err(|e| e.to_string())?;
    let clock = config
        .clock_start
        .map_or_else(Clock::default, Clock::starting_at);
    if config.demo_data && seed_demo(&db, &hasher, &config, clock.now()).await? {
        tracing::info!("demo data seeded");
    }
    let texts = text_sender(&config, &db, &clock)?;
    let live = Live::start(&db, &config.database_url);
    Ok(AppState {
        live,
        texts,
        db,
        config: Arc::new(config),
        hasher,
        clock,
        leptos_options,
    })
}
