//! `/enroll/:token`: the page the invitation's "Access your records" link opens.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

use crate::{
    api::enroll::{
        invitation_state, EnrollCreateAccount, EnrollLinkAccount, EnrollSendCode, EnrollWithCode,
        EnrollWithPin,
    },
    components::{
        alert::{Alert, Tone},
        countdown::ResendAfter,
        form::{field_error, form_error, FormError, SubmitButton, TextField},
    },
    domain::access::SECURITY_QUESTIONS,
    model::access::{ChooseStep, LinkState, VerifyStep},
    pages::appointments::load_error,
    validate::PASSWORD_RULES,
};

/// The card around every public account page (sign-in look, no app chrome).
#[component]
pub fn AuthCard(#[prop(into)] title: String, children: Children) -> impl IntoView {
    view! {
        <Title text=title.clone()/>
        <div class="auth-page">
            <main id="main" class="auth-card auth-card-wide">
                <a class="brand brand-lg" href="/login">
                    <span class="brand-mark" aria-hidden="true"></span>
                    "Portico"
                </a>
                <h1>{title}</h1>
                {children()}
            </main>
        </div>
    }
}

/// Text or voice, as two radio buttons.
#[component]
pub fn ChannelChoice() -> impl IntoView {
    view! {
        <fieldset class="field choice-row">
            <legend>"Send the code by"</legend>
            <div class="choice">
                <input type="radio" id="channel-sms" name="channel" value="sms" checked=true/>
                <label for="channel-sms">"Text message"</label>
            </div>
            <div class="choice">
                <input type="radio" id="channel-voice" name="channel" value="voice"/>
                <label for="channel-voice">"Voice call"</label>
            </div>
        </fieldset>
    }
}

/// The password rules, shown before the password is chosen.
#[component]
pub fn PasswordRules() -> impl IntoView {
    view! {
        <ul class="rules" id="password-rules">
            {PASSWORD_RULES.iter().map(|r| view! { <li>{*r}</li> }).collect_view()}
        </ul>
    }
}

#[component]
pub fn EnrollPage() -> impl IntoView {
    let params = use_params_map();
    let token = move || params.with(|p| p.get("token").unwrap_or_default());
    let pin = ServerAction::<EnrollWithPin>::new();
    let send = ServerAction::<EnrollSendCode>::new();
    let code = ServerAction::<EnrollWithCode>::new();
    let create = ServerAction::<EnrollCreateAccount>::new();
    let link = ServerAction::<EnrollLinkAccount>::new();
    let data = Resource::new_blocking(
        move || {
            (
                token(),
                pin.version().get(),
                send.version().get(),
                code.version().get(),
            )
        },
        |(t, ..)| invitation_state(t),
    );

    // With JavaScript, a finished enrollment reloads into the signed-in portal.
    #[cfg(feature = "hydrate")]
    Effect::new(move || {
        if matches!(create.value().get(), Some(Ok(())))
            || matches!(link.value().get(), Some(Ok(())))
        {
            let _ = window().location().set_href("/?welcome=1");
        }
    });

    view! {
        <Transition fallback=|| view! { <p class="muted">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match data.await {
                    Err(e) => view! { <AuthCard title="Access your records">{load_error(e)}</AuthCard> }.into_any(),
                    Ok(LinkState::Dead { title, text }) => view! {
                        <AuthCard title=title>
                            <p>{text}</p>
                            <p class="auth-links"><a href="/login">"Go to sign in"</a></p>
                        </AuthCard>
                    }.into_any(),
                    Ok(LinkState::Verify(v)) => verify_view(token(), v, pin, send, code).into_any(),
                    Ok(LinkState::Choose(c)) => choose_view(token(), c, create, link).into_any(),
                }
            })}
        </Transition>
    }
}

fn verify_view(
    token: String,
    v: VerifyStep,
    pin: ServerAction<EnrollWithPin>,
    send: ServerAction<EnrollSendCode>,
    code: ServerAction<EnrollWithCode>,
) -> impl IntoView {
    let pin_error = form_error(pin);
    let send_error = form_error(send);
    let code_error = form_error(code);
    let intro = format!(
        "{} invited you to its patient portal. First, confirm who you are in one of two ways.",
        v.practice
    );
    if v.locked {
        return view! {
            <AuthCard title="Confirm it's you">
                <Alert tone=Tone::Error>
                    "Too many incorrect attempts today. For your security, this invitation is locked until tomorrow. Please contact your clinic"
                    {(!v.practice_phone.is_empty()).then(|| format!(" at {}", v.practice_phone))}
                    " to finish enrolling."
                </Alert>
            </AuthCard>
        }
        .into_any();
    }
    let t1 = token.clone();
    let t2 = token.clone();
    let t3 = token.clone();
    let phone_part = if !v.phone_possible {
        view! {
            <p class="muted">"Codes by text or voice are not available for this invitation. Use the PIN, or ask your clinic to add your mobile number."</p>
        }
        .into_any()
    } else if let Some(c) = v.code.clone() {
        let t4 = token.clone();
        view! {
            <ActionForm action=code attr:class="form">
                <input type="hidden" name="token" value=t3/>
                <FormError error=code_error/>
                <TextField
                    label="Security code"
                    name="code"
                    autocomplete="one-time-code"
                    hint=format!("We sent a {}-digit code to {}. It expires in 10 minutes.", c.digits, c.sent_to)
                    error=field_error(code_error, "code")
                    required=true
                />
                <SubmitButton label="Check" pending_label="Checking…" pending=code.pending()/>
            </ActionForm>
            <ResendAfter seconds=c.resend_in_secs>
                <EnrollResend token=t4.clone() action=send/>
            </ResendAfter>
        }
        .into_any()
    } else {
        view! {
            <ActionForm action=send attr:class="form">
                <input type="hidden" name="token" value=t2/>
                <FormError error=send_error/>
                <TextField
                    label="Mobile phone number"
                    name="phone"
                    input_type="tel"
                    autocomplete="tel"
                    hint="The number your clinic has on your record."
                    error=field_error(send_error, "phone")
                    required=true
                />
                <ChannelChoice/>
                <SubmitButton label="Send code" pending_label="Sending…" pending=send.pending() class="btn btn-secondary"/>
            </ActionForm>
        }
        .into_any()
    };
    view! {
        <AuthCard title="Confirm it's you">
            <p>{intro}</p>
            <section class="card" aria-labelledby="by-pin">
                <h2 id="by-pin">"Use the PIN from your clinic"</h2>
                <ActionForm action=pin attr:class="form">
                    <input type="hidden" name="token" value=t1/>
                    <FormError error=pin_error/>
                    <TextField
                        label="Access code (PIN)"
                        name="pin"
                        autocomplete="off"
                        hint="The office gives you this code; it is not in the email."
                        error=field_error(pin_error, "pin")
                        required=true
                    />
                    <TextField
                        label="Date of birth"
                        name="date_of_birth"
                        autocomplete="bday"
                        hint="MM/DD/YYYY, for example 04/12/1986"
                        error=field_error(pin_error, "date_of_birth")
                        required=true
                    />
                    <SubmitButton label="Continue" pending_label="Checking…" pending=pin.pending()/>
                </ActionForm>
            </section>
            <section class="card" aria-labelledby="by-phone">
                <h2 id="by-phone">"Or get a security code on your phone"</h2>
                {phone_part}
            </section>
        </AuthCard>
    }
    .into_any()
}

fn choose_view(
    token: String,
    c: ChooseStep,
    create: ServerAction<EnrollCreateAccount>,
    link: ServerAction<EnrollLinkAccount>,
) -> impl IntoView {
    let create_error = form_error(create);
    let link_error = form_error(link);
    let t2 = token.clone();
    view! {
        <AuthCard title="Set up your portal account">
            <Alert tone=Tone::Success>{format!("Thank you, {}. You are confirmed.", c.given_name)}</Alert>
            <section class="card" aria-labelledby="create">
                <h2 id="create">"Create a new account"</h2>
                <ActionForm action=create attr:class="form">
                    <input type="hidden" name="token" value=token/>
                    <FormError error=create_error/>
                    <TextField
                        label="Username"
                        name="username"
                        autocomplete="username"
                        value=c.suggested_username
                        hint="You can change it. Letters, numbers, dots, dashes, underscores and @."
                        error=field_error(create_error, "username")
                        required=true
                    />
                    <p class="field-hint">"Your password needs:"</p>
                    <PasswordRules/>
                    <TextField
                        label="Password"
                        name="password"
                        input_type="password"
                        autocomplete="new-password"
                        error=field_error(create_error, "password")
                        required=true
                    />
                    <div class="field">
                        <label for="field-security_question">"Security question"</label>
                        <select id="field-security_question" name="security_question">
                            {SECURITY_QUESTIONS.iter().map(|q| view! { <option value=*q>{*q}</option> }).collect_view()}
                        </select>
                    </div>
                    <TextField
                        label="Answer"
                        name="security_answer"
                        autocomplete="off"
                        hint="You will need it if you forget your password."
                        error=field_error(create_error, "security_answer")
                        required=true
                    />
                    <SubmitButton label="Create account" pending_label="Creating…" pending=create.pending()/>
                </ActionForm>
            </section>
            <section class="card" aria-labelledby="link">
                <h2 id="link">"Or add this record to an account you already have"</h2>
                <p class="muted">{format!("Sign in, and your record at {} joins the others in your account.", c.practice)}</p>
                <ActionForm action=link attr:class="form">
                    <input type="hidden" name="token" value=t2/>
                    <FormError error=link_error/>
                    <TextField label="Username" name="username" id="link-username" autocomplete="username" error=field_error(link_error, "username") required=true/>
                    <TextField label="Password" name="password" id="link-password" input_type="password" autocomplete="current-password" error=field_error(link_error, "password") required=true/>
                    <SubmitButton label="Link and sign in" pending_label="Linking…" pending=link.pending() class="btn btn-secondary"/>
                </ActionForm>
            </section>
        </AuthCard>
    }
}

/// "Request the code again": the number on record is not asked twice.
#[component]
fn EnrollResend(token: String, action: ServerAction<EnrollSendCode>) -> impl IntoView {
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
