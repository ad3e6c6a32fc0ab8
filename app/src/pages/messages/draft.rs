//! Drafts are kept on the server, a couple of seconds after the last keystroke, so that an
//! expired session or a closed tab loses nothing (and nothing sits in browser storage).

/// How long typing must pause before the draft is saved.
#[cfg(feature = "hydrate")]
const PAUSE_MS: u32 = 2_000;

use leptos::prelude::*;

/// What the form holds now: (topic, subject, body).
pub type Fields = (String, String, String);

/// A callback to run with the form's current fields on every change.
#[cfg(feature = "hydrate")]
pub fn autosave(conversation: i64) -> Callback<Fields> {
    use gloo_timers::callback::Timeout;

    let pending = StoredValue::new_local(None::<Timeout>);
    on_cleanup(move || {
        // Dropping the timer cancels it; the page is going away.
        let _ = pending.try_update_value(|t| t.take());
    });
    Callback::new(move |(topic, subject, body): Fields| {
        let timer = Timeout::new(PAUSE_MS, move || {
            leptos::task::spawn_local(async move {
                // A failure (signed out, say) leaves the last saved draft in place.
                let _ = crate::api::messages::save_draft(conversation, topic, subject, body).await;
            });
        });
        pending.set_value(Some(timer));
    })
}

#[cfg(not(feature = "hydrate"))]
pub fn autosave(conversation: i64) -> Callback<Fields> {
    let _ = conversation;
    Callback::new(|_: Fields| {})
}
