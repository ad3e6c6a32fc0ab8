//! The patient's messages with their practice: the list, a new message, a conversation.

pub mod conversation;
pub mod draft;
pub mod new;
pub mod thread;

use leptos::prelude::*;
use leptos_meta::Title;

use crate::{
    api::messages::{get_messages_home, messages_home_live},
    components::{
        alert::{Alert, Tone},
        empty::EmptyState,
        live::{use_live, LiveState},
    },
    error::AppError,
    model::messages::{ConversationRow, PracticeMessaging},
    pages::appointments::load_error,
};

/// How to reach a practice that is not taking messages online.
#[component]
pub fn MessagingOff(practice: PracticeMessaging) -> impl IntoView {
    view! {
        <Alert tone=Tone::Info>
            <p><strong>{format!("{} is not taking messages online.", practice.name)}</strong>" Your earlier messages are still here to read."</p>
            <p>"To reach the practice, call "<a href=format!("tel:{}", practice.phone.replace(' ', ""))>{practice.phone.clone()}</a>
                {(!practice.address.is_empty()).then(|| view! { " or visit "{practice.address.clone()} })}"."</p>
        </Alert>
    }
}

#[component]
pub fn MessagesPage() -> impl IntoView {
    let live = use_live();
    let data = Resource::new_blocking(
        move || live.tick.get(),
        |tick| async move {
            if tick == 0 {
                get_messages_home().await
            } else {
                messages_home_live().await
            }
        },
    );
    view! {
        <Title text="Messages"/>
        <div class="page-head" data-live=move || (live.state.get() == LiveState::Live).then_some("on")>
            <h1>"Messages"</h1>
        </div>
        <Transition fallback=|| view! { <p class="muted">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match data.await {
                    Err(AppError::Unauthorized) => {
                        live.signed_out();
                        view! { <Alert tone=Tone::Warning>"You're signed out of messaging. "<a href="/login?next=/messages" rel="external">"Sign in again"</a></Alert> }.into_any()
                    }
                    Err(e) => load_error(e),
                    Ok(home) => view! {
                        <p class="lead">{format!("Conversations about {}'s care with {}.", home.patient_name, home.practice.name)}</p>
                        {if home.practice.enabled {
                            view! { <p><a class="btn btn-primary" href="/messages/new">"New message"</a></p> }.into_any()
                        } else {
                            view! { <MessagingOff practice=home.practice.clone()/> }.into_any()
                        }}
                        <ConversationList rows=home.conversations staff=false/>
                    }.into_any(),
                }
            })}
        </Transition>
        <Show when=move || live.state.get() != LiveState::Live>
            <p class="check-new"><a href="/messages">"Check for new messages"</a></p>
        </Show>
    }
}

/// Conversations, newest activity first, on either side.
#[component]
pub fn ConversationList(rows: Vec<ConversationRow>, staff: bool) -> impl IntoView {
    if rows.is_empty() {
        let text = if staff {
            "No conversations match."
        } else {
            "When you write to your practice, or they write to you, the conversation appears here."
        };
        return view! { <EmptyState title="No messages yet" text=text/> }.into_any();
    }
    view! {
        <ul class="conversations">
            {rows.into_iter().map(|r| {
                let href = if staff { format!("/staff/messages/{}", r.id) } else { format!("/messages/{}", r.id) };
                let unread = (r.unread > 0).then(|| view! {
                    " " <span class="badge badge-attention" data-testid="unread">{format!("{} new", r.unread)}</span>
                });
                view! {
                    <li class="conversation" class:conversation-unread={r.unread > 0} data-testid="conversation">
                        <a href=href>
                            <span class="conversation-subject">{r.subject.clone()}</span>
                            {unread}
                            {(!r.open).then(|| view! { " " <span class="badge badge-off">"Closed"</span> })}
                            {(staff && r.needs_reply).then(|| view! { " " <span class="badge badge-wait">"Needs reply"</span> })}
                        </a>
                        <p class="muted small">
                            {if staff { format!("{} · ", r.patient_name) } else { String::new() }}
                            {r.topic.label()}" · "{if staff { String::new() } else { format!("{} · ", r.practice_name) }}{r.last_at.clone()}
                            {(staff && !r.last_staff_name.is_empty()).then(|| format!(" · last answered by {}", r.last_staff_name))}
                        </p>
                    </li>
                }
            }).collect_view()}
        </ul>
    }
    .into_any()
}
