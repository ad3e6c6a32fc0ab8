//! `/staff/set-password/:token`: a new staff member, or one whose password an admin reset,
//! chooses a password through the emailed link.

use leptos::prelude::*;
use leptos_router::hooks::use_params_map;

use crate::{
    api::staff_accounts::{get_password_link, SetStaffPassword},
    components::{
        alert::{Alert, Tone},
        form::{field_error, form_error, FormError, SubmitButton, TextField},
    },
    model::staff_accounts::PasswordLink,
    pages::{
        appointments::load_error,
        enroll::{AuthCard, PasswordRules},
    },
};

#[component]
pub fn SetStaffPasswordPage() -> impl IntoView {
    let params = use_params_map();
    let token = move || params.with(|p| p.get("token").unwrap_or_default());
    let save = ServerAction::<SetStaffPassword>::new();
    let data = Resource::new_blocking(token, get_password_link);
    #[cfg(feature = "hydrate")]
    Effect::new(move || {
        if matches!(save.value().get(), Some(Ok(()))) {
            let _ = window().location().set_href("/staff/login?password_set=1");
        }
    });
    let error = form_error(save);
    view! {
        <Transition fallback=|| view! { <p class="muted">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match data.await {
                    Err(e) => view! { <AuthCard title="Choose your password">{load_error(e)}</AuthCard> }.into_any(),
                    Ok(PasswordLink::Invalid) => view! {
                        <AuthCard title="Choose your password">
                            <Alert tone=Tone::Error>"This link has expired or was already used."</Alert>
                            <p>"Links work once, for 72 hours, and stop working when a newer one is sent. Ask your practice admin for a new one."</p>
                            <p class="auth-links"><a href="/staff/login">"Staff sign in"</a></p>
                        </AuthCard>
                    }.into_any(),
                    Ok(PasswordLink::Valid { name, username }) => view! {
                        <AuthCard title="Choose your password">
                            <p>{format!("Welcome, {name}. You will sign in as ")}<strong data-testid="staff-username">{username}</strong>"."</p>
                            <ActionForm action=save attr:class="form">
                                <input type="hidden" name="token" value=token()/>
                                <FormError error=error/>
                                <p class="field-hint">"Your password needs:"</p>
                                <PasswordRules/>
                                <TextField label="New password" name="password" input_type="password" autocomplete="new-password" error=field_error(error, "password") required=true/>
                                <SubmitButton label="Save password" pending_label="Saving…" pending=save.pending()/>
                            </ActionForm>
                        </AuthCard>
                    }.into_any(),
                }
            })}
        </Transition>
    }
}
