//! `/health-record/send`: send the record (with the page's date filter) to an email address,
//! by secure link or, past a warning, by plain email.

use leptos::prelude::*;
use leptos_meta::Title;

use crate::{
    api::health::SendRecord,
    components::form::{field_error, form_error, FormError, SubmitButton, TextField},
    pages::appointments::query,
};

#[component]
pub fn SendRecordPage() -> impl IntoView {
    let from = query("from").get_untracked().unwrap_or_default();
    let to = query("to").get_untracked().unwrap_or_default();
    let send = ServerAction::<SendRecord>::new();
    let error = form_error(send);
    let back = if from.is_empty() && to.is_empty() {
        "/health-record".to_string()
    } else {
        format!("/health-record?from={from}&to={to}")
    };
    view! {
        <Title text="Send your health record"/>
        <p><a href=back>"← Health record"</a></p>
        <h1>"Send your health record"</h1>
        <p class="lead">"Send a summary of your record to anyone — another doctor, a caregiver, yourself — by email."</p>
        <ActionForm action=send attr:class="form">
            <FormError error/>
            <input type="hidden" name="from" value=from/>
            <input type="hidden" name="to" value=to/>
            <TextField label="Their email address" name="to_email" input_type="email" autocomplete="email" error=field_error(error, "to_email") required=true/>
            <fieldset class="field">
                <legend>"How to send it"</legend>
                <label class="choice">
                    <input type="radio" name="method" value="secure" checked=true/>
                    <span><strong>"Secure link (recommended)"</strong><br/>
                    <span class="muted small">"They get a link that works once, for 7 days. To open it they also type a 6-digit code, which you pass on to them yourself (by phone or in person)."</span></span>
                </label>
                <label class="choice">
                    <input type="radio" name="method" value="plain"/>
                    <span><strong>"Plain email with the summary attached"</strong><br/>
                    <span class="muted small">"Plain email can be read by others on its way and stays in mailboxes. Only choose it if the person cannot use a secure link."</span></span>
                </label>
                {move || field_error(error, "method").get().map(|m| view! { <p class="field-error" role="alert">{m}</p> })}
            </fieldset>
            <div class="field">
                <label class="choice">
                    <input type="checkbox" name="send_anyway" value="yes"/>
                    <span>"For plain email: I understand that plain email can be read by others. Send anyway."</span>
                </label>
                {move || field_error(error, "send_anyway").get().map(|m| view! { <p class="field-error" role="alert">{m}</p> })}
            </div>
            <SubmitButton label="Send" pending_label="Sending…" pending=send.pending()/>
        </ActionForm>
    }
}
