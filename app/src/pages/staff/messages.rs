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
    model::{grouped, messages::InboxFilter},
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
    let page = Memo::new(move |_| {
        q.with(|q| q.get("page").and_then(|p| p.parse::<i64>().ok()))
            .unwrap_or(1)
    });
    let data = Resource::new_blocking(
        move || (filter.get(), search.get(), page.get(), live.tick.get()),
        |(f, s, n, tick)| async move {
            if tick == 0 {
                get_inbox(f.as_str().into(), s, Some(n)).await
            } else {
                inbox_live(f.as_str().into(), s, Some(n)).await
            }
        },
    );
    let at = move |n: i64| {
        let mut href = format!("/staff/messages?filter={}", filter.get_untracked().as_str());
        let s = search.get_untracked();
        if !s.is_empty() {
            href.push_str(&format!("&q={}", url::encode(&s)));
        }
        if n > 1 {
            href.push_str(&format!("&page={n}"));
        }
        href
    };
    let here = move || at(page.get());
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
                        <p class="muted" data-testid="needs-reply">{format!("{} need a reply", grouped(inbox.needs_reply))}</p>
                        <ConversationList rows=inbox.rows staff=true/>
                        {(inbox.page > 1 || inbox.has_more).then(|| view! {
                            <nav class="pager" aria-label="Pages">
                                {(inbox.page > 1).then(|| view! { <a class="btn btn-secondary" href=at(inbox.page - 1)>"Newer"</a> })}
                                <span class="muted">"Page "{inbox.page}</span>
                                {inbox.has_more.then(|| view! { <a class="btn btn-secondary" href=at(inbox.page + 1)>"Older"</a> })}
                            </nav>
                        })}
                    }.into_any(),
                }
            })}
        </Transition>
        <Show when=move || live.state.get() != LiveState::Live>
            <p class="check-new"><a href=here>"Check for new messages"</a></p>
        </Show>
    }
}
