//! Everything a request handler or server function needs, provided as Leptos context.

use std::sync::Arc;

use axum::extract::FromRef;
use leptos::config::LeptosOptions;

use super::{
    clock::Clock, config::Config, db::Db, messaging::live::Live, password::Hasher,
    texts::TextSender,
};

#[derive(Clone)]
pub struct AppState {
    pub db: Db,
    pub config: Arc<Config>,
    pub hasher: Hasher,
    pub clock: Clock,
    pub leptos_options: LeptosOptions,
    /// Where security codes go by text or voice; `None` when no provider is set up in
    /// production (phone options are then not offered).
    pub texts: Option<Arc<dyn TextSender>>,
    /// "Something changed" signals for open messaging pages.
    pub live: Live,
}

impl FromRef<AppState> for LeptosOptions {
    fn from_ref(state: &AppState) -> Self {
        state.leptos_options.clone()
    }
}
