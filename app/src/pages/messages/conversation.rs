//! `/messages/:id`: one conversation with the practice.

use leptos::prelude::*;
use leptos_meta::Title;

use super::{
    thread::{thread, PatientSide},
    MessagingOff,
};
use crate::{
    api::messages::get_conversation,
    pages::appointments::{id_param, load_error},
};

#[component]
pub fn ConversationPage() -> impl IntoView {
    let id = id_param("id");
    let data = Resource::new_blocking(move || id.get(), get_conversation);
    view! {
        <Title text="Conversation"/>
        <p><a href="/messages">"← All messages"</a></p>
        <Transition fallback=|| view! { <p class="muted">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match data.await {
                    Err(e) => load_error(e),
                    Ok(v) => view! {
                        <h1>{v.subject.clone()}</h1>
                        <p class="muted">{v.topic.label()}" · "{format!("About {} · with {}", v.patient_name, v.practice.name)}</p>
                        {(!v.practice.enabled).then(|| view! { <MessagingOff practice=v.practice.clone()/> })}
                        {thread::<PatientSide>(v)}
                    }.into_any(),
                }
            })}
        </Transition>
    }
}
