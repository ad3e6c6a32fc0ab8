//! `/staff/messages/new?chart=…`: write to a patient from their chart.

use leptos::prelude::*;
use leptos_meta::Title;

use crate::{
    api::staff_messages::{get_staff_new_form, StaffStart},
    components::{
        alert::{Alert, Tone},
        form::{field_error, form_error, FormError, SubmitButton},
    },
    model::messages::{StaffNewForm, Topic},
    pages::appointments::{load_error, query},
};

#[component]
pub fn StaffNewMessagePage() -> impl IntoView {
    let chart = query("chart");
    let data = Resource::new_blocking(
        move || chart.get().and_then(|c| c.parse::<i64>().ok()).unwrap_or(0),
        get_staff_new_form,
    );
    view! {
        <Title text="New message"/>
        <h1>"New message to a patient"</h1>
        <Transition fallback=|| view! { <p class="muted">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match data.await {
                    Err(e) => load_error(e),
                    Ok(f) if !f.enabled => view! { <Alert tone=Tone::Info>"Messaging is switched off for this practice. An admin can switch it on under Messages → Settings."</Alert> }.into_any(),
                    Ok(f) => view! { <Compose f=f/> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn Compose(f: StaffNewForm) -> impl IntoView {
    let start = ServerAction::<StaffStart>::new();
    let error = form_error(start);
    let (topic_error, subject_error, body_error) = (
        field_error(error, "topic"),
        field_error(error, "subject"),
        field_error(error, "body"),
    );
    view! {
        <p class="lead">{format!("To {} (born {}).", f.patient_name, f.patient_dob)}</p>
        <FormError error=error/>
        <ActionForm action=start attr:class="form card">
            <input type="hidden" name="chart" value=f.chart_id/>
            <input type="hidden" name="key" value=f.send_key.clone()/>
            <div class="field" class:field-invalid=move || topic_error.get().is_some()>
                <label for="field-topic">"Topic"</label>
                <select id="field-topic" name="topic" required=true>
                    {Topic::ALL.into_iter().map(|t| view! { <option value=t.as_str()>{t.label()}</option> }).collect_view()}
                </select>
                {move || topic_error.get().map(|e| view! { <p class="field-error">{e}</p> })}
            </div>
            <div class="field" class:field-invalid=move || subject_error.get().is_some()>
                <label for="field-subject">"Subject"</label>
                <input id="field-subject" name="subject" maxlength="120" required=true/>
                {move || subject_error.get().map(|e| view! { <p class="field-error">{e}</p> })}
            </div>
            <div class="field" class:field-invalid=move || body_error.get().is_some()>
                <label for="field-body">"Message"</label>
                <textarea id="field-body" name="body" rows="8" maxlength="4000" required=true></textarea>
                {move || body_error.get().map(|e| view! { <p class="field-error">{e}</p> })}
            </div>
            <div class="actions">
                <a class="btn btn-ghost" href=format!("/staff/patients/{}", f.chart_id)>"Cancel"</a>
                <SubmitButton label="Send message" pending_label="Sending…" pending=start.pending()/>
            </div>
        </ActionForm>
    }
}
