//! `/staff/messages/:id`: a conversation, with the patient it is about.

use leptos::prelude::*;
use leptos_meta::Title;

use crate::{
    api::staff_messages::staff_conversation,
    pages::{
        appointments::{id_param, load_error},
        messages::thread::{thread, StaffSide},
    },
};

#[component]
pub fn StaffConversationPage() -> impl IntoView {
    let id = id_param("id");
    let data = Resource::new_blocking(move || id.get(), staff_conversation);
    view! {
        <Title text="Conversation"/>
        <p><a href="/staff/messages">"← Inbox"</a></p>
        <Transition fallback=|| view! { <p class="muted">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match data.await {
                    Err(e) => load_error(e),
                    Ok(v) => view! {
                        <h1>{v.subject.clone()}</h1>
                        <p class="lead" data-testid="patient">
                            <a href=format!("/staff/patients/{}", v.chart_id)>{v.patient_name.clone()}</a>
                            {format!(" · born {} · {}", v.patient_dob, v.topic.label())}
                        </p>
                        {thread::<StaffSide>(v)}
                    }.into_any(),
                }
            })}
        </Transition>
    }
}
