//! The idle-timeout warning. The server enforces the timeout; this only tells the person a
//! minute before, and offers to stay signed in.

use leptos::prelude::*;

use crate::{api::auth::KeepAlive, auth_context::use_auth, components::modal::Modal};

#[component]
pub fn IdleWatcher(sign_in_path: &'static str) -> impl IntoView {
    let auth = use_auth();
    let warning = RwSignal::new(false);

    #[cfg(feature = "hydrate")]
    {
        use gloo_timers::callback::Timeout;
        let timers = StoredValue::new_local(Vec::<Timeout>::new());
        // Read here: a timer callback runs outside any component, where no context is found.
        let handoff = use_context::<crate::components::live::IdleHandoff>();
        Effect::new(move || {
            let left = auth
                .user
                .get()
                .and_then(|r| r.ok())
                .flatten()
                .map(|u| u.idle_seconds_left);
            // Dropping a Timeout cancels it.
            timers.update_value(|t| t.clear());
            warning.set(false);
            let Some(left) = left else { return };
            let ms = |s: i64| u32::try_from(s.max(0) * 1000).unwrap_or(u32::MAX);
            let warn = Timeout::new(ms(left - 60), move || warning.set(true));
            let end = Timeout::new(ms(left), move || {
                // A conversation page says "signed out" itself and keeps the draft.
                if handoff.is_some_and(|h| h.0.get_untracked()) {
                    warning.set(false);
                    return;
                }
                let _ = window()
                    .location()
                    .set_href(&format!("{sign_in_path}?reason=idle"));
            });
            timers.update_value(|t| {
                t.push(warn);
                t.push(end);
            });
        });
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = sign_in_path;

    let stay = move || {
        warning.set(false);
        auth.keep_alive.dispatch(KeepAlive {});
    };
    view! {
        <Modal
            open=warning
            title="Are you still there?"
            role="alertdialog"
            on_close=Callback::new(move |_| stay())
        >
            <p>
                "For your security, you will be signed out in about a minute because you have not been active."
            </p>
            <div class="modal-actions">
                <button type="button" class="btn btn-primary" on:click=move |_| stay()>
                    "Stay signed in"
                </button>
                <ActionForm action=auth.logout>
                    <button type="submit" class="btn btn-secondary">
                        "Sign out"
                    </button>
                </ActionForm>
            </div>
        </Modal>
    }
}
