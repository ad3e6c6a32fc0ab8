//! `/messages/new`: write to the practice about the selected record.

use leptos::prelude::*;
use leptos_meta::Title;

use super::MessagingOff;
use crate::{
    api::messages::{get_new_message_form, StartConversation},
    components::{
        alert::{Alert, Tone},
        form::{field_error, form_error, FormError, SubmitButton},
    },
    model::messages::{NewMessageForm, Topic},
    pages::appointments::load_error,
};

#[component]
pub fn NewMessagePage() -> impl IntoView {
    let data = Resource::new_blocking(|| (), |_| get_new_message_form());
    view! {
        <Title text="New message"/>
        <p><a href="/messages">"← All messages"</a></p>
        <h1>"New message"</h1>
        <Transition fallback=|| view! { <p class="muted">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match data.await {
                    Err(e) => load_error(e),
                    Ok(f) if !f.practice.enabled => view! { <MessagingOff practice=f.practice/> }.into_any(),
                    Ok(f) => view! { <Compose f=f/> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn Compose(f: NewMessageForm) -> impl IntoView {
    let start = ServerAction::<StartConversation>::new();
    let error = form_error(start);
    let (topic_error, subject_error, body_error) = (
        field_error(error, "topic"),
        field_error(error, "subject"),
        field_error(error, "body"),
    );
    let topic = RwSignal::new(f.draft_topic.clone());
    let subject = RwSignal::new(f.draft_subject.clone());
    let body = RwSignal::new(f.draft_body.clone());
    let save = super::draft::autosave(0);
    let changed = move || {
        save.run((
            topic.get_untracked(),
            subject.get_untracked(),
            body.get_untracked(),
        ))
    };
    let who = if f.as_representative {
        format!(
            "You are writing about {}'s record, as their representative.",
            f.patient_name
        )
    } else {
        format!(
            "You are writing about your own record ({}).",
            f.patient_name
        )
    };
    view! {
        <Alert tone=Tone::Warning>
            <strong>"Messages are not for emergencies."</strong>" If you think you have a medical emergency, call 911 or go to the nearest emergency room."
        </Alert>
        <p class="lead">{format!("To {}. The practice usually answers {}.", f.practice.name, f.practice.response_time)}</p>
        <p class="muted">{who}</p>
        <FormError error=error/>
        <ActionForm action=start attr:class="form card">
            <input type="hidden" name="key" value=f.send_key.clone()/>
            <fieldset class="field" class:field-invalid=move || topic_error.get().is_some()>
                <legend>"What is it about?"</legend>
                {Topic::ALL.into_iter().map(|t| {
                    let input_id = format!("topic-{}", t.as_str());
                    let checked = f.draft_topic == t.as_str();
                    view! {
                        <div class="choice">
                            <input type="radio" id=input_id.clone() name="topic" value=t.as_str() required=true checked=checked
                                on:change=move |_| { topic.set(t.as_str().to_string()); changed(); }/>
                            <label for=input_id>{t.label()}</label>
                        </div>
                    }
                }).collect_view()}
                {move || topic_error.get().map(|e| view! { <p class="field-error">{e}</p> })}
            </fieldset>
            <div class="field" class:field-invalid=move || subject_error.get().is_some()>
                <label for="field-subject">"Subject"</label>
                <input id="field-subject" name="subject" maxlength="120" required=true value=f.draft_subject.clone()
                    on:input=move |ev| { subject.set(event_target_value(&ev)); changed(); }/>
                {move || subject_error.get().map(|e| view! { <p class="field-error">{e}</p> })}
            </div>
            <div class="field" class:field-invalid=move || body_error.get().is_some()>
                <label for="field-body">"Message"</label>
                <p class="field-hint" id="field-body-hint">"Plain text, up to 4,000 characters. Saved as you type."</p>
                <textarea id="field-body" name="body" rows="8" maxlength="4000" required=true aria-describedby="field-body-hint"
                    on:input=move |ev| { body.set(event_target_value(&ev)); changed(); }>{f.draft_body.clone()}</textarea>
                {move || body_error.get().map(|e| view! { <p class="field-error">{e}</p> })}
            </div>
            <div class="actions">
                <a class="btn btn-ghost" href="/messages">"Cancel"</a>
                <SubmitButton label="Send message" pending_label="Sending…" pending=start.pending()/>
            </div>
        </ActionForm>
    }
}
