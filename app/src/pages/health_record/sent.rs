//! `/health-record/sent/{id}`: what was sent, and the code to pass on for a secure link.

use leptos::prelude::*;
use leptos_meta::Title;

use crate::{
    api::health::get_sent_record,
    components::alert::{Alert, Tone},
    model::health::SendMethod,
    pages::appointments::{id_param, load_error},
};

#[component]
pub fn SentRecordPage() -> impl IntoView {
    let id = id_param("id");
    let data = Resource::new_blocking(move || id.get(), get_sent_record);
    view! {
        <Title text="Record sent"/>
        <p><a href="/health-record">"← Health record"</a></p>
        <Transition fallback=|| view! { <p class="muted">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match data.await {
                    Err(e) => load_error(e),
                    Ok(s) => view! {
                        <h1>"Your record is on its way"</h1>
                        <Alert tone=Tone::Success>
                            {format!("{} sent to {}{}.", s.method.label(), s.recipient, if s.filter_label.is_empty() { String::new() } else { format!(" ({})", s.filter_label) })}
                        </Alert>
                        {match (s.method, s.code) {
                            (SendMethod::Secure, Some(code)) => view! {
                                <p>"Give them this code yourself, by phone or in person. They need it to open the link; it is not in the email."</p>
                                <p class="pin" data-testid="send-code">{code}</p>
                                <p class="muted">{format!("The link works once, until {}.", s.expires)}</p>
                            }.into_any(),
                            (SendMethod::Secure, None) => view! {
                                <p class="muted">{if s.opened { "They have opened the link." } else { "The link has expired." }}</p>
                            }.into_any(),
                            (SendMethod::Plain, _) => view! {
                                <p class="muted">"The summary is attached to the email."</p>
                            }.into_any(),
                        }}
                    }.into_any(),
                }
            })}
        </Transition>
    }
}
