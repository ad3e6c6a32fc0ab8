//! `/staff/settings/account`: a staff member's own password, two-factor sign-in and recent
//! sign-ins.

use leptos::prelude::*;
use leptos_meta::Title;

use crate::{
    api::{
        staff_accounts::{get_own_sign_ins, ChangeOwnStaffPassword},
        two_factor::get_own_two_factor,
    },
    components::{
        alert::{Alert, Tone},
        form::{field_error, form_error, FormError, SubmitButton, TextField},
    },
    pages::{
        appointments::{load_error, query},
        enroll::PasswordRules,
    },
};

#[component]
pub fn StaffAccountPage() -> impl IntoView {
    let save = ServerAction::<ChangeOwnStaffPassword>::new();
    let sign_ins = Resource::new_blocking(move || save.version().get(), |_| get_own_sign_ins());
    let two_factor = Resource::new_blocking(|| (), |_| get_own_two_factor());
    let error = form_error(save);
    let done = query("done");
    let saved = move || {
        matches!(save.value().get(), Some(Ok(()))) || done.get().as_deref() == Some("password")
    };
    view! {
        <Title text="Your account"/>
        <h1>"Your account"</h1>
        <h2>"Change your password"</h2>
        {move || saved().then(|| view! { <Alert tone=Tone::Success>"Password changed. Your other sessions have ended."</Alert> })}
        <ActionForm action=save attr:class="form card">
            <FormError error=error/>
            <TextField label="Current password" name="current" input_type="password" autocomplete="current-password" error=field_error(error, "current") required=true/>
            <p class="field-hint">"Your new password needs:"</p>
            <PasswordRules/>
            <TextField label="New password" name="password" input_type="password" autocomplete="new-password" error=field_error(error, "password") required=true/>
            <SubmitButton label="Change password" pending_label="Saving…" pending=save.pending()/>
        </ActionForm>
        <h2>"Two-factor sign-in"</h2>
        <Transition fallback=|| view! { <p class="muted">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match two_factor.await {
                    Err(e) => load_error(e),
                    Ok(s) if s.on => view! {
                        <p data-testid="two-factor-status">
                            {format!("On since {}. You have {} unused recovery code{}.", s.since, s.recovery_codes_left, if s.recovery_codes_left == 1 { "" } else { "s" })}
                        </p>
                        <p class="muted">"Lost your phone or used up your recovery codes? Ask another admin to reset your two-factor sign-in; you set it up again at your next sign-in."</p>
                    }.into_any(),
                    Ok(s) => view! {
                        <p data-testid="two-factor-status">
                            {if s.required {
                                "Off. It is required of you: you set it up at your next sign-in."
                            } else {
                                "Off. Your practice requires it of admins only."
                            }}
                        </p>
                    }.into_any(),
                }
            })}
        </Transition>
        <h2>"Your recent sign-ins"</h2>
        <p class="muted">"If you see a sign-in you do not recognise, change your password and tell your practice admin."</p>
        <Transition fallback=|| view! { <p class="muted">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match sign_ins.await {
                    Err(e) => load_error(e),
                    Ok(rows) => view! {
                        <div class="table-wrap">
                            <table class="table">
                                <thead><tr><th scope="col">"When"</th><th scope="col">"What"</th><th scope="col">"Address (keyed hash)"</th></tr></thead>
                                <tbody>
                                    {rows.into_iter().map(|r| view! {
                                        <tr data-testid="sign-in"><td>{r.at}</td><td>{r.what}</td><td><code>{r.address}</code></td></tr>
                                    }).collect_view()}
                                </tbody>
                            </table>
                        </div>
                    }.into_any(),
                }
            })}
        </Transition>
    }
}
