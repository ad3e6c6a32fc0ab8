//! `/staff/messages/settings`: messaging on or off, the response-time text, how staff are shown.

use leptos::prelude::*;
use leptos_meta::Title;

use crate::{
    api::staff_messages::{get_messaging_settings, SaveMessagingSettings},
    auth_context::use_auth,
    components::{
        alert::{Alert, Tone},
        form::{field_error, form_error, FormError, SubmitButton},
    },
    model::StaffRole,
    pages::appointments::{load_error, query},
};

#[component]
pub fn MessagingSettingsPage() -> impl IntoView {
    let save = ServerAction::<SaveMessagingSettings>::new();
    let saved = query("saved");
    let data = Resource::new_blocking(move || save.version().get(), |_| get_messaging_settings());
    let auth = use_auth();
    let error = form_error(save);
    let response_error = field_error(error, "response_time");
    view! {
        <Title text="Messaging settings"/>
        <p><a href="/staff/messages">"← Inbox"</a></p>
        <h1>"Messaging settings"</h1>
        {move || (saved.get().is_some() || save.value().get().is_some_and(|r| r.is_ok())).then(|| view! { <Alert tone=Tone::Success>"Settings saved."</Alert> })}
        <FormError error=error/>
        <Transition fallback=|| view! { <p class="muted">"Loading…"</p> }>
            {move || Suspend::new(async move {
                let admin = auth.user.await.ok().flatten().and_then(|u| u.role) == Some(StaffRole::Admin);
                match data.await {
                    Err(e) => load_error(e),
                    Ok(s) => view! {
                        {(!admin).then(|| view! { <Alert tone=Tone::Info>"Only a practice admin can change these settings."</Alert> })}
                        <ActionForm action=save attr:class="form card">
                            <div class="choice">
                                <input type="checkbox" id="field-enabled" name="enabled" value="on" checked=s.enabled disabled=!admin/>
                                <label for="field-enabled">"Patients can send messages online"</label>
                            </div>
                            <div class="field" class:field-invalid=move || response_error.get().is_some()>
                                <label for="field-response_time">"The practice usually answers…"</label>
                                <input id="field-response_time" name="response_time" maxlength="120" value=s.response_time.clone() disabled=!admin/>
                                {move || response_error.get().map(|e| view! { <p class="field-error">{e}</p> })}
                            </div>
                            <div class="choice">
                                <input type="checkbox" id="field-care_team" name="care_team" value="on" checked=s.care_team disabled=!admin/>
                                <label for="field-care_team">"Show staff to patients as “Care team” instead of by name"</label>
                            </div>
                            {admin.then(|| view! { <div class="actions"><SubmitButton label="Save settings" pending_label="Saving…" pending=save.pending()/></div> })}
                        </ActionForm>
                    }.into_any(),
                }
            })}
        </Transition>
    }
}
