//! The second step of a staff sign-in: `/staff/login/code` (a code from the authenticator app,
//! or a recovery code) and `/staff/login/set-up` (a first set-up, which admins, and everyone at
//! practices that require it, cannot skip). Both work without JavaScript.

use leptos::prelude::*;

use crate::{
    api::two_factor::{get_two_factor_setup, ConfirmTwoFactor, StaffCode},
    components::form::{field_error, form_error, FormError, SubmitButton, TextField},
    pages::{appointments::load_error, enroll::AuthCard},
};

/// With JavaScript: once a step succeeds, load the page it leads to, signed in.
#[cfg(feature = "hydrate")]
fn go_on(value: impl Fn() -> Option<Result<String, crate::error::AppError>> + 'static) {
    Effect::new(move || {
        if let Some(Ok(next)) = value() {
            let _ = window().location().set_href(&next);
        }
    });
}

#[component]
pub fn StaffCodePage() -> impl IntoView {
    let verify = ServerAction::<StaffCode>::new();
    #[cfg(feature = "hydrate")]
    go_on(move || verify.value().get());
    let error = form_error(verify);
    view! {
        <AuthCard title="Enter your sign-in code">
            <p>"Open the authenticator app on your phone and enter the 6-digit code it shows for Portico."</p>
            <ActionForm action=verify attr:class="form">
                <FormError error=error/>
                <TextField
                    label="Code"
                    name="code"
                    autocomplete="one-time-code"
                    hint="Lost your phone? Enter one of your recovery codes instead."
                    error=field_error(error, "code")
                    required=true
                />
                <SubmitButton label="Verify and sign in" pending_label="Checking…" pending=verify.pending()/>
            </ActionForm>
            <p class="auth-links"><a href="/staff/login">"Start over"</a></p>
        </AuthCard>
    }
}

#[component]
pub fn TwoFactorSetUpPage() -> impl IntoView {
    let confirm = ServerAction::<ConfirmTwoFactor>::new();
    #[cfg(feature = "hydrate")]
    go_on(move || confirm.value().get());
    // Once per page: each load shows (and keeps) a new set of recovery codes.
    let data = Resource::new_blocking(|| (), |_| get_two_factor_setup());
    let error = form_error(confirm);
    view! {
        <AuthCard title="Set up two-factor sign-in">
            <Transition fallback=|| view! { <p class="muted">"Loading…"</p> }>
                {move || Suspend::new(async move {
                    let setup = match data.await {
                        Ok(s) => s,
                        Err(e) => return view! {
                            {load_error(e)}
                            <p class="auth-links"><a href="/staff/login">"Sign in again"</a></p>
                        }.into_any(),
                    };
                    view! {
                        <p>"Your account needs a second step at sign-in: a code from an authenticator app on your phone, which changes every 30 seconds."</p>
                        <h2>"1. Add Portico to your authenticator app"</h2>
                        <p>"Scan this QR code with the app."</p>
                        <div class="qr" inner_html=setup.qr_svg></div>
                        <p>"Or type this key into the app, for the account " <strong>{setup.account}</strong> ":"</p>
                        <p><code class="secret" data-testid="totp-secret">{setup.secret}</code></p>
                        <h2>"2. Save your recovery codes"</h2>
                        <p>"If you cannot use your phone, each of these codes signs you in once. Print them or keep them somewhere safe: they are not shown again."</p>
                        <ul class="recovery-codes" data-testid="recovery-codes">
                            {setup.recovery_codes.into_iter().map(|c| view! { <li><code>{c}</code></li> }).collect_view()}
                        </ul>
                        <h2>"3. Enter the code the app shows"</h2>
                        <ActionForm action=confirm attr:class="form">
                            <FormError error=error/>
                            <TextField
                                label="6-digit code"
                                name="code"
                                autocomplete="one-time-code"
                                error=field_error(error, "code")
                                required=true
                            />
                            <SubmitButton label="Turn on and sign in" pending_label="Checking…" pending=confirm.pending()/>
                        </ActionForm>
                    }.into_any()
                })}
            </Transition>
        </AuthCard>
    }
}
