//! `/account`: the signed-in patient's settings.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use crate::{
    api::account::{
        get_account_settings, ChangePassword, ChangeSecurityQuestion, ConfirmContact,
        SavePreferences, SignOutEverywhere, StartEmailChange, StartPhoneChange,
    },
    components::{
        alert::{Alert, Tone},
        form::{field_error, form_error, FormError, SubmitButton, TextField},
    },
    domain::access::SECURITY_QUESTIONS,
    pages::{
        appointments::load_error,
        enroll::{ChannelChoice, PasswordRules},
    },
};

fn done_message(d: &str) -> Option<&'static str> {
    Some(match d {
        "password" => {
            "Password changed. Other devices were signed out, and we emailed you about the change."
        }
        "question" => "Security question saved.",
        "email_code" => "We sent a code to the new email address. Enter it below to confirm it.",
        "phone_code" => "We sent a code to the new phone number. Enter it below to confirm it.",
        "email_confirmed" => "Email address changed.",
        "phone_confirmed" => "Phone number changed.",
        "preferences" => "Preferences saved.",
        _ => return None,
    })
}

#[component]
pub fn AccountPage() -> impl IntoView {
    let query = use_query_map();
    let password = ServerAction::<ChangePassword>::new();
    let question = ServerAction::<ChangeSecurityQuestion>::new();
    let email = ServerAction::<StartEmailChange>::new();
    let phone = ServerAction::<StartPhoneChange>::new();
    let confirm = ServerAction::<ConfirmContact>::new();
    let prefs = ServerAction::<SavePreferences>::new();
    let everywhere = ServerAction::<SignOutEverywhere>::new();
    let data = Resource::new_blocking(
        move || {
            (
                password.version().get(),
                question.version().get(),
                email.version().get(),
                phone.version().get(),
                confirm.version().get(),
                prefs.version().get(),
            )
        },
        |_| get_account_settings(),
    );
    #[cfg(feature = "hydrate")]
    Effect::new(move || {
        if matches!(everywhere.value().get(), Some(Ok(()))) {
            let _ = window().location().set_href("/login?signed_out=1");
        }
    });
    let ok = move |v: Option<Result<(), crate::error::AppError>>, what: &'static str| {
        matches!(v, Some(Ok(()))).then_some(what)
    };
    let done = move || {
        ok(password.value().get(), "password")
            .or_else(|| ok(question.value().get(), "question"))
            .or_else(|| ok(email.value().get(), "email_code"))
            .or_else(|| ok(phone.value().get(), "phone_code"))
            .or_else(|| ok(prefs.value().get(), "preferences"))
            .map(str::to_string)
            .or_else(|| {
                confirm
                    .value()
                    .get()
                    .and_then(Result::ok)
                    .map(|what| format!("{what}_confirmed"))
            })
            .or_else(|| query.with(|q| q.get("done")))
            .and_then(|d| done_message(&d))
    };
    let (pe, qe, ee, phe, ce, pre) = (
        form_error(password),
        form_error(question),
        form_error(email),
        form_error(phone),
        form_error(confirm),
        form_error(prefs),
    );
    view! {
        <Title text="Account settings"/>
        <h1>"Account settings"</h1>
        {move || done().map(|m| view! { <Alert tone=Tone::Success>{m}</Alert> })}
        <Transition fallback=|| view! { <p class="muted">"Loading…"</p> }>
            {move || Suspend::new(async move {
                let s = match data.await {
                    Err(e) => return load_error(e),
                    Ok(s) => s,
                };
                let check = |name: &'static str, label: &'static str, on: bool| view! {
                    <div class="choice">
                        <input type="checkbox" id=format!("field-{name}") name=name value="on" checked=on/>
                        <label for=format!("field-{name}")>{label}</label>
                    </div>
                };
                view! {
                    <p class="muted">{format!("Username: {}", s.username)}</p>
                    <section class="card" aria-labelledby="pw">
                        <h2 id="pw">"Password"</h2>
                        <ActionForm action=password attr:class="form">
                            <FormError error=pe/>
                            <TextField label="Current password" name="current_password" input_type="password" autocomplete="current-password" error=field_error(pe, "current_password") required=true/>
                            <p class="field-hint">"Your new password needs:"</p>
                            <PasswordRules/>
                            <TextField label="New password" name="new_password" input_type="password" autocomplete="new-password" error=field_error(pe, "new_password") required=true/>
                            <SubmitButton label="Change password" pending_label="Saving…" pending=password.pending()/>
                        </ActionForm>
                    </section>
                    <section class="card" aria-labelledby="sq">
                        <h2 id="sq">"Security question"</h2>
                        <p class="muted">{if s.security_question.is_empty() { "None chosen yet.".to_string() } else { format!("Now: {}", s.security_question) }}</p>
                        <ActionForm action=question attr:class="form">
                            <FormError error=qe/>
                            <div class="field">
                                <label for="field-security_question">"Question"</label>
                                <select id="field-security_question" name="security_question">
                                    {SECURITY_QUESTIONS.iter().map(|q| view! { <option value=*q selected=*q == s.security_question>{*q}</option> }).collect_view()}
                                </select>
                            </div>
                            <TextField label="Answer" name="security_answer" autocomplete="off" error=field_error(qe, "security_answer") required=true/>
                            <TextField label="Current password" name="current_password" id="question-current-password" input_type="password" autocomplete="current-password" error=field_error(qe, "current_password") required=true/>
                            <SubmitButton label="Save question" pending_label="Saving…" pending=question.pending() class="btn btn-secondary"/>
                        </ActionForm>
                    </section>
                    <section class="card" aria-labelledby="contact">
                        <h2 id="contact">"Email and phone"</h2>
                        <dl class="facts">
                            <dt>"Email"</dt><dd>{if s.email.is_empty() { "None".to_string() } else { s.email.clone() }}</dd>
                            <dt>"Phone"</dt><dd>{if s.phone.is_empty() { "None".to_string() } else { s.phone.clone() }}</dd>
                        </dl>
                        <ActionForm action=email attr:class="form">
                            <FormError error=ee/>
                            <TextField label="New email address" name="email" input_type="email" autocomplete="email" hint="We send a code to it to confirm it is yours." error=field_error(ee, "email") required=true/>
                            <SubmitButton label="Send code to email" pending_label="Sending…" pending=email.pending() class="btn btn-secondary"/>
                        </ActionForm>
                        {s.pending_email.clone().map(|to| view! {
                            <ActionForm action=confirm attr:class="form">
                                <input type="hidden" name="what" value="email"/>
                                <FormError error=ce/>
                                <TextField label=format!("Code sent to {to}") name="code" autocomplete="one-time-code" error=field_error(ce, "code") required=true/>
                                <SubmitButton label="Confirm email" pending_label="Checking…" pending=confirm.pending()/>
                            </ActionForm>
                        })}
                        <ActionForm action=phone attr:class="form">
                            <FormError error=phe/>
                            <TextField label="New mobile phone number" name="phone" input_type="tel" autocomplete="tel" hint="We send a code to it to confirm it is yours." error=field_error(phe, "phone") required=true/>
                            <ChannelChoice/>
                            <SubmitButton label="Send code to phone" pending_label="Sending…" pending=phone.pending() class="btn btn-secondary"/>
                        </ActionForm>
                        {s.pending_phone.clone().map(|to| view! {
                            <ActionForm action=confirm attr:class="form">
                                <input type="hidden" name="what" value="phone"/>
                                <FormError error=ce/>
                                <TextField label=format!("Code sent to {to}") name="code" id="phone-code" autocomplete="one-time-code" error=field_error(ce, "code") required=true/>
                                <SubmitButton label="Confirm phone" pending_label="Checking…" pending=confirm.pending()/>
                            </ActionForm>
                        })}
                    </section>
                    <section class="card" aria-labelledby="prefs">
                        <h2 id="prefs">"Notifications"</h2>
                        <ActionForm action=prefs attr:class="form">
                            <FormError error=pre/>
                            <fieldset class="field">
                                <legend>"Email me about"</legend>
                                {check("notify_appointments", "Appointment requests, confirmations and changes", s.notify_appointments)}
                                {check("notify_reminders", "Appointment reminders the day before", s.notify_reminders)}
                                {check("notify_messages", "New messages from my care team", s.notify_messages)}
                            </fieldset>
                            <fieldset class="field">
                                <legend>"Text messages"</legend>
                                {check("sms_opt_out", "Do not send me text messages (security codes you ask for still arrive)", s.sms_opt_out)}
                            </fieldset>
                            <SubmitButton label="Save preferences" pending_label="Saving…" pending=prefs.pending() class="btn btn-secondary"/>
                        </ActionForm>
                    </section>
                    <section class="card" aria-labelledby="devices">
                        <h2 id="devices">"Devices"</h2>
                        <p>{match s.other_sessions { 0 => "You are signed in on this device only.".to_string(), 1 => "You are also signed in on 1 other device.".to_string(), n => format!("You are also signed in on {n} other devices.") }}</p>
                        <ActionForm action=everywhere>
                            <SubmitButton label="Sign out everywhere" pending_label="Signing out…" pending=everywhere.pending() class="btn btn-danger"/>
                        </ActionForm>
                    </section>
                }.into_any()
            })}
        </Transition>
    }
}
