//! The patient's activity log.

use leptos::prelude::*;

use crate::{error::AppError, model::activity::ActivityLog};

#[cfg(feature = "ssr")]
use crate::ssr::{appointments::patient::context, request::with_status};

#[server(prefix = "/api", endpoint = "activity")]
pub async fn get_activity(
    #[server(default)] kind: String,
    #[server(default)] from: String,
    #[server(default)] to: String,
) -> Result<ActivityLog, AppError> {
    let r = async {
        let ctx = context().await?;
        crate::ssr::activity::log(&ctx.st.db, ctx.account_id, &kind, &from, &to).await
    };
    with_status(r.await)
}
