//! Recovery pages: `/forgot-password`, `/forgot-username` and `/reset-password/:token`.

use leptos::prelude::*;
use leptos_router::hooks::{use_params_map, use_query_map};

use crate::{
    api::enroll::{
        get_reset_state, RequestPasswordReset, RequestUsername, ResetPassword, ResetSendCode,
        ResetWithAnswer, ResetWithCode,
    },
    components::{
        alert::{Alert, Tone},
        countdown::ResendAfter,
        form::{field_error, form_error, FormError, SubmitButton, TextField},
    },
    model::access::ResetState,
    pages::{
        appointments::load_error,
        enroll::{AuthCard, ChannelChoice, PasswordRules},
    },
};

const SENT_PASSWORD: &str = "If that username belongs to a portal account, we have sent a password reset link to the email address on file. The link works once, for 60 minutes.";
const SENT_USERNAME: &str =
    "If that email address belongs to a portal account, we have sent the usernames linked to it.";
const ASK_CLINIC: &str = "Can't answer your security question or receive a code? Ask your clinic to reset your account. Nothing in your record is lost; you will get a new invitation email and choose a new username.";

#[component]
pub fn ForgotPasswordPage() -> impl IntoView {
    let action = ServerAction::<RequestPasswordReset>::new();
    let error = form_error(action);
    let query = use_query_map();
    let sent = move || {
        matches!(action.value().get(), Some(Ok(_))) || query.with(|q| q.get("sent").is_some())
    };
    view! {
        <AuthCard title="Forgot password">
            {move || if sent() {
                view! {
                    <Alert tone=Tone::Success>{SENT_PASSWORD}</Alert>
                    <p>"Open the link in the email, then confirm who you are with your security question and date of birth, or with a code sent to your phone."</p>
                    <p class="auth-links"><a href="/login">"Back to sign in"</a></p>
                }.into_any()
            } else {
                view! {
                    <p>"Enter your username and we will email you a link to choose a new password."</p>
                    <ActionForm action=action attr:class="form">
                        <FormError error=error/>
                        <TextField label="Username" name="username" autocomplete="username" error=field_error(error, "username") required=true/>
                        <SubmitButton label="Reset password" pending_label="Sending…" pending=action.pending()/>
                    </ActionForm>
                    <p class="auth-links"><a href="/forgot-username">"Forgot username?"</a><a href="/login">"Back to sign in"</a></p>
                }.into_any()
            }}
        </AuthCard>
    }
}

#[component]
pub fn ForgotUsernamePage() -> impl IntoView {
    let action = ServerAction::<RequestUsername>::new();
    let error = form_error(action);
    let query = use_query_map();
    let sent = move || {
        matches!(action.value().get(), Some(Ok(_))) || query.with(|q| q.get("sent").is_some())
    };
    view! {
        <AuthCard title="Forgot username">
            {move || if sent() {
                view! {
                    <Alert tone=Tone::Success>{SENT_USERNAME}</Alert>
                    <p class="auth-links"><a href="/login">"Back to sign in"</a></p>
                }.into_any()
            } else {
                view! {
                    <p>"Enter the email address your clinic has for you. We will email you the usernames linked to it."</p>
                    <ActionForm action=action attr:class="form">
                        <FormError error=error/>
                        <TextField label="Email address" name="email" input_type="email" autocomplete="email" error=field_error(error, "email") required=true/>
                        <SubmitButton label="Email my username" pending_label="Sending…" pending=action.pending()/>
                    </ActionForm>
                    <p class="auth-links"><a href="/forgot-password">"Forgot password?"</a><a href="/login">"Back to sign in"</a></p>
                }.into_any()
            }}
        </AuthCard>
    }
}

#[component]
pub fn ResetPasswordPage() -> impl IntoView {
    let params = use_params_map();
    let token = move || params.with(|p| p.get("token").unwrap_or_default());
    let answer = ServerAction::<ResetWithAnswer>::new();
    let send = ServerAction::<ResetSendCode>::new();
    let code = ServerAction::<ResetWithCode>::new();
    let save = ServerAction::<ResetPassword>::new();
    let data = Resource::new_blocking(
        move || {
            (
                token(),
                answer.version().get(),
                send.version().get(),
                code.version().get(),
            )
        },
        |(t, ..)| get_reset_state(t),
    );
    #[cfg(feature = "hydrate")]
    Effect::new(move || {
        if matches!(save.value().get(), Some(Ok(()))) {
            let _ = window().location().set_href("/login?reset=1");
        }
    });
    let answer_error = form_error(answer);
    let send_error = form_error(send);
    let code_error = form_error(code);
    let save_error = form_error(save);
    view! {
        <Transition fallback=|| view! { <p class="muted">"Loading…"</p> }>
            {move || Suspend::new(async move {
                let t = token();
                match data.await {
                    Err(e) => view! { <AuthCard title="Reset password">{load_error(e)}</AuthCard> }.into_any(),
                    Ok(ResetState::Invalid) => view! {
                        <AuthCard title="Reset password">
                            <Alert tone=Tone::Error>"The reset token you have provided is not valid"</Alert>
                            <p>"Reset links work once, for 60 minutes, and stop working when a newer one is sent. Ask for a new link and use the most recent email."</p>
                            <p class="auth-links"><a href="/forgot-password">"Send a new link"</a><a href="/login">"Back to sign in"</a></p>
                        </AuthCard>
                    }.into_any(),
                    Ok(ResetState::NewPassword) => view! {
                        <AuthCard title="Choose a new password">
                            <ActionForm action=save attr:class="form">
                                <input type="hidden" name="token" value=t/>
                                <FormError error=save_error/>
                                <p class="field-hint">"Your password needs:"</p>
                                <PasswordRules/>
                                <TextField label="New password" name="password" input_type="password" autocomplete="new-password" error=field_error(save_error, "password") required=true/>
                                <SubmitButton label="Save password" pending_label="Saving…" pending=save.pending()/>
                            </ActionForm>
                        </AuthCard>
                    }.into_any(),
                    Ok(ResetState::Verify { locked: true, .. }) => view! {
                        <AuthCard title="Reset password">
                            <Alert tone=Tone::Error>"Too many incorrect attempts today. For your security, password reset is locked until tomorrow. Please contact your clinic: its staff can reset your account."</Alert>
                        </AuthCard>
                    }.into_any(),
                    Ok(ResetState::Verify { question, phone_possible, code: sent, .. }) => {
                        let (t1, t2, t3) = (t.clone(), t.clone(), t.clone());
                        let phone_part = if !phone_possible {
                            view! { <p class="muted">"No phone number is on record for a code. Answer your security question instead."</p> }.into_any()
                        } else if let Some(c) = sent {
                            view! {
                                <ActionForm action=code attr:class="form">
                                    <input type="hidden" name="token" value=t3/>
                                    <FormError error=code_error/>
                                    <TextField label="Security code" name="code" autocomplete="one-time-code"
                                        hint=format!("We sent a {}-digit code to {}. It expires in 10 minutes.", c.digits, c.sent_to)
                                        error=field_error(code_error, "code") required=true/>
                                    <SubmitButton label="Check" pending_label="Checking…" pending=code.pending()/>
                                </ActionForm>
                                <ResendAfter seconds=c.resend_in_secs>
                                    <ResetResend token=t2.clone() action=send/>
                                </ResendAfter>
                            }.into_any()
                        } else {
                            view! {
                                <ActionForm action=send attr:class="form">
                                    <input type="hidden" name="token" value=t2/>
                                    <FormError error=send_error/>
                                    <TextField label="Mobile phone number" name="phone" input_type="tel" autocomplete="tel"
                                        hint="The phone number on your doctor's record." error=field_error(send_error, "phone") required=true/>
                                    <ChannelChoice/>
                                    <SubmitButton label="Send code" pending_label="Sending…" pending=send.pending() class="btn btn-secondary"/>
                                </ActionForm>
                            }.into_any()
                        };
                        view! {
                            <AuthCard title="Reset password">
                                <p>"Confirm who you are in one of two ways."</p>
                                <section class="card" aria-labelledby="by-question">
                                    <h2 id="by-question">"Answer your security question"</h2>
                                    <ActionForm action=answer attr:class="form">
                                        <input type="hidden" name="token" value=t1/>
                                        <FormError error=answer_error/>
                                        <TextField label="Date of birth" name="date_of_birth" autocomplete="bday"
                                            hint="YYYYMMDD, without spaces, for example 19860412" error=field_error(answer_error, "date_of_birth") required=true/>
                                        <TextField label=question name="answer" autocomplete="off"
                                            hint="Check the spelling." error=field_error(answer_error, "answer") required=true/>
                                        <SubmitButton label="Continue" pending_label="Checking…" pending=answer.pending()/>
                                    </ActionForm>
                                </section>
                                <section class="card" aria-labelledby="by-phone">
                                    <h2 id="by-phone">"Or get a security code on your phone"</h2>
                                    {phone_part}
                                </section>
                                <p class="muted">{ASK_CLINIC}</p>
                            </AuthCard>
                        }.into_any()
                    }
                }
            })}
        </Transition>
    }
}

/// "Request the code again": the number on record is not asked twice.
#[component]
fn ResetResend(token: String, action: ServerAction<ResetSendCode>) -> impl IntoView {
    let error = form_error(action);
    view! {
        <ActionForm action=action attr:class="form form-inline">
            <input type="hidden" name="token" value=token/>
            <FormError error=error/>
            <ChannelChoice/>
            <SubmitButton label="Request the code again" pending_label="Sending…" pending=action.pending() class="btn btn-secondary"/>
        </ActionForm>
    }
}
