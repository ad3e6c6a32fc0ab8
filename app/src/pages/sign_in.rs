//! The two sign-in pages: patients at `/login`, staff at `/staff/login`.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_navigate, use_query_map};

use crate::{
    auth_context::use_auth,
    components::{
        alert::{Alert, Tone},
        form::{field_error, form_error, FormError, SubmitButton, TextField},
    },
    model::{two_factor::SignInStep, PrincipalKind},
    validate::safe_next,
};

#[component]
pub fn PatientSignIn() -> impl IntoView {
    view! { <SignIn kind=PrincipalKind::Patient/> }
}

#[component]
pub fn StaffSignIn() -> impl IntoView {
    view! { <SignIn kind=PrincipalKind::Staff/> }
}

#[component]
fn SignIn(kind: PrincipalKind) -> impl IntoView {
    let auth = use_auth();
    let query = use_query_map();
    let next = move || query.with(|q| q.get("next")).unwrap_or_default();
    let home = if kind == PrincipalKind::Staff {
        "/staff"
    } else {
        "/"
    };

    let (value, pending, error, is_staff) = match kind {
        PrincipalKind::Patient => (
            auth.login.value(),
            auth.login.pending(),
            form_error(auth.login),
            false,
        ),
        PrincipalKind::Staff => (
            auth.staff_login.value(),
            auth.staff_login.pending(),
            form_error(auth.staff_login),
            true,
        ),
    };

    // With JavaScript: once a sign-in made on this page has succeeded and the user resource has
    // reloaded, move on. Results from before this page opened (say, before signing out) do
    // not count.
    let version = match kind {
        PrincipalKind::Patient => auth.login.version(),
        PrincipalKind::Staff => auth.staff_login.version(),
    };
    let opened_at = version.get_untracked();
    let navigate = use_navigate();
    let to_step = navigate.clone();
    Effect::new(move || {
        if version.get() == opened_at {
            return;
        }
        match value.get() {
            Some(Ok(SignInStep::Done)) => {}
            // A second step: its page, keeping where the sign-in was headed.
            Some(Ok(step)) => {
                if let Some(page) = step.page() {
                    to_step(page, Default::default());
                }
                return;
            }
            _ => return,
        }
        if let Some(Ok(Some(user))) = auth.user.get() {
            if user.kind == kind {
                let target = next();
                navigate(safe_next(Some(&target), home), Default::default());
            }
        }
    });

    let notice = move || {
        query.with(|q| {
            if q.get("reason").as_deref() == Some("idle") {
                Some(view! {
                    <Alert tone=Tone::Info>
                        "You were signed out because you were inactive for 15 minutes. Please sign in again."
                    </Alert>
                }.into_any())
            } else if q.get("reason").as_deref() == Some("expired") {
                Some(view! {
                    <Alert tone=Tone::Info>"Your session has ended. Please sign in again."</Alert>
                }.into_any())
            } else if q.get("password_set").is_some() {
                Some(view! {
                    <Alert tone=Tone::Success>"Your password is set. Sign in with your email address and the new password."</Alert>
                }.into_any())
            } else if q.get("reset").is_some() {
                Some(view! {
                    <Alert tone=Tone::Success>"Your password has been changed. Sign in with your new password."</Alert>
                }.into_any())
            } else if q.get("signed_out").is_some() {
                Some(view! { <Alert tone=Tone::Success>"You have signed out."</Alert> }.into_any())
            } else if q.get("next").is_some() {
                let text = if is_staff {
                    "Please sign in with your staff account to continue."
                } else {
                    "Please sign in to continue."
                };
                Some(view! { <Alert tone=Tone::Info>{text}</Alert> }.into_any())
            } else {
                None
            }
        })
    };

    let title = if is_staff {
        "Staff sign in"
    } else {
        "Sign in to your health portal"
    };
    let form = move || {
        let fields = view! {
            <input type="hidden" name="next" value=next/>
            <FormError error=error/>
            <TextField
                label="Username"
                name="username"
                autocomplete="username"
                error=field_error(error, "username")
                required=true
            />
            <TextField
                label="Password"
                name="password"
                input_type="password"
                autocomplete="current-password"
                error=field_error(error, "password")
                required=true
            />
            <SubmitButton label="Sign in" pending_label="Signing in…" pending=pending/>
        };
        if is_staff {
            view! { <ActionForm action=auth.staff_login attr:class="form">{fields}</ActionForm> }
                .into_any()
        } else {
            view! { <ActionForm action=auth.login attr:class="form">{fields}</ActionForm> }
                .into_any()
        }
    };

    view! {
        <Title text=title/>
        <div class="auth-page">
            <main id="main" class="auth-card">
                <a class="brand brand-lg" href=home>
                    <span class="brand-mark" aria-hidden="true"></span>
                    "Portico"
                    {is_staff.then(|| view! { <span class="brand-tag">"Staff"</span> })}
                </a>
                <h1>{title}</h1>
                {notice}
                {form}
                {if is_staff {
                    view! {
                        <p class="auth-links">
                            <a href="/login">"Patient sign in"</a>
                        </p>
                    }.into_any()
                } else {
                    view! {
                        <p class="auth-links">
                            <a href="/forgot-username">"Forgot username?"</a>
                            <a href="/forgot-password">"Forgot password?"</a>
                        </p>
                        <p class="auth-footnote">
                            "New to the portal? Your clinic sends you an invitation email with an "
                            <strong>"Access your records"</strong>
                            " link. "
                            <a href="/staff/login">"Clinic staff sign in"</a>
                        </p>
                    }.into_any()
                }}
            </main>
        </div>
    }
}
