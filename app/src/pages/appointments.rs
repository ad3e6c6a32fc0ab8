//! The patient's appointment pages: the list, details and changes, and booking.

pub mod book;
pub mod cancel;
pub mod detail;
pub mod list;
pub mod reschedule;
pub mod week;

use leptos::prelude::*;
use leptos_router::hooks::{use_params_map, use_query_map};

use crate::{
    components::alert::{Alert, Tone},
    domain::appointment::State,
    error::AppError,
    model::appointments::HistoryEntry,
};

/// A numeric route parameter (0 when missing or malformed: the server answers "not found").
pub fn id_param(name: &'static str) -> Memo<i64> {
    let params = use_params_map();
    Memo::new(move |_| params.with(|p| p.get(name).and_then(|s| s.parse().ok()).unwrap_or(0)))
}

/// A query-string value.
pub fn query(name: &'static str) -> Memo<Option<String>> {
    let q = use_query_map();
    Memo::new(move |_| q.with(|q| q.get(name)))
}

/// The message for a page that could not load its data.
pub fn load_error(e: AppError) -> AnyView {
    view! { <Alert tone=Tone::Error>{e.to_string()}</Alert> }.into_any()
}

/// The coloured label for a state.
#[component]
pub fn StateBadge(state: State) -> impl IntoView {
    let tone = match state {
        State::Confirmed | State::Completed => "badge badge-ok",
        State::Requested | State::CancellationRequested | State::RescheduleRequested => {
            "badge badge-wait"
        }
        State::Proposed => "badge badge-attention",
        State::Cancelled | State::Declined | State::NoShow => "badge badge-off",
    };
    view! { <span class=tone data-state=state.as_str()>{state.label()}</span> }
}

/// An appointment's history: who did what, when, and the reasons and notes given.
#[component]
pub fn History(entries: Vec<HistoryEntry>) -> impl IntoView {
    view! {
        <ol class="history">
            {entries.into_iter().map(|h| view! {
                <li>
                    <p><strong>{h.who}</strong>" · "{h.what}</p>
                    <p class="muted small">{h.when}</p>
                    {(!h.reason.is_empty()).then(|| view! { <p>"Reason: "{h.reason.clone()}</p> })}
                    {(!h.note.is_empty()).then(|| view! { <p>"Note: "{h.note.clone()}</p> })}
                </li>
            }).collect_view()}
        </ol>
    }
}
