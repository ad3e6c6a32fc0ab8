//! The practice's messages: the shared inbox, a conversation, writing to a patient, settings.

pub mod conversation;
pub mod new;
pub mod settings;

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use crate::{
    api::staff_messages::{get_inbox, inbox_live},
    components::live::{use_live, LiveState},
    model::messages::InboxFilter,
    pages::{appointments::load_error, messages::ConversationList},
    url,
};

#[component]
pub fn InboxPage() -> impl IntoView {
    let live = use_live();
    let q = use_query_map();
    let filter =
        Memo::new(move |_| q.with(|q| InboxFilter::parse(&q.get("filter").unwrap_or_default())));
    let search = Memo::new(move |_| q.with(|q| q.get("q").unwrap_or_default()));
    let data = Resource::new_blocking(
        move || (filter.get(), search.get(), live.tick.get()),
        |(f, s, tick)| async move {
            if tick == 0 {
                get_inbox(f.as_str().into(), s).await
            } else {
                inbox_live(f.as_str().into(), s).await
            }
        },
    );
    let here = move || {
        let mut href = format!("/staff/messages?filter={}", filter.get().as_str());
        if !search.get().is_empty() {
            href.push_str(&format!("&q={}", url::encode(&search.get())));
        }
        href
    };
    view! {
        <Title text="Messages"/>
        <div class="page-head" data-live=move || (live.state.get() == LiveState::Live).then_some("on")>
            <h1>"Messages"</h1>
            <a class="btn btn-ghost" href="/staff/messages/settings">"Settings"</a>
        </div>
        <nav class="filters" aria-label="Filter">
            {InboxFilter::ALL.into_iter().map(|f| view! {
                <a class="filter" href=format!("/staff/messages?filter={}", f.as_str()) aria-current=move || (filter.get() == f).then_some("page")>{f.label()}</a>
            }).collect_view()}
        </nav>
        <form method="get" action="/staff/messages" class="search" role="search">
            <input type="hidden" name="filter" value=move || filter.get().as_str()/>
            <label for="inbox-q">"Search by patient or subject"</label>
            <input id="inbox-q" name="q" type="search" value=move || search.get()/>
            <button type="submit" class="btn btn-secondary">"Search"</button>
        </form>
        <Transition fallback=|| view! { <p class="muted">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match data.await {
                    Err(e) => load_error(e),
                    Ok(inbox) => view! {
                        <p class="muted" data-testid="needs-reply">{format!("{} need a reply", inbox.needs_reply)}</p>
                        <ConversationList rows=inbox.rows staff=true/>
                    }.into_any(),
                }
            })}
        </Transition>
        <Show when=move || live.state.get() != LiveState::Live>
            <p class="check-new"><a href=here>"Check for new messages"</a></p>
        </Show>
    }
}
