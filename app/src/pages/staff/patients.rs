//! `/staff/patients` (search) and `/staff/patients/:id` (chart header and portal access).

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_params_map, use_query_map};

use crate::{
    api::access::{
        get_chart_access, search_patients, LinkRepresentative, PortalAccess, UpdateChartContact,
    },
    components::{
        alert::{Alert, Tone},
        empty::EmptyState,
        form::{field_error, form_error, FormError, SubmitButton, TextField},
    },
    domain::access::{AccessAction, PortalStatus},
    model::access::ChartAccess,
    pages::appointments::load_error,
};

fn status_class(s: PortalStatus) -> &'static str {
    match s {
        PortalStatus::Active => "badge badge-ok",
        PortalStatus::Invited => "badge badge-attention",
        PortalStatus::Revoked => "badge badge-wait",
        PortalStatus::NotInvited => "badge badge-off",
    }
}

#[component]
pub fn PatientsPage() -> impl IntoView {
    let query = use_query_map();
    let q = move || query.with(|m| m.get("q").unwrap_or_default());
    let results = Resource::new_blocking(q, search_patients);
    view! {
        <Title text="Patients"/>
        <h1>"Patients"</h1>
        <form method="get" action="/staff/patients" class="form form-inline search" role="search">
            <div class="field">
                <label for="field-q">"Search by name, date of birth (MM/DD/YYYY), email or phone"</label>
                <input id="field-q" name="q" type="search" value=q/>
            </div>
            <button type="submit" class="btn btn-primary">"Search"</button>
        </form>
        <Transition fallback=|| view! { <p class="muted">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match results.await {
                    Err(e) => load_error(e),
                    Ok(rows) if rows.is_empty() => view! {
                        <EmptyState title="No patients found" text="Check the spelling, or search by date of birth, email or phone."/>
                    }.into_any(),
                    Ok(rows) => view! {
                        <table class="table">
                            <thead><tr><th scope="col">"Patient"</th><th scope="col">"Date of birth"</th><th scope="col">"Email"</th><th scope="col">"Phone"</th><th scope="col">"Portal"</th></tr></thead>
                            <tbody>
                                {rows.into_iter().map(|r| view! {
                                    <tr>
                                        <td><a href=format!("/staff/patients/{}", r.id)>{r.name}</a></td>
                                        <td>{r.date_of_birth}</td>
                                        <td>{r.email}</td>
                                        <td>{r.phone}</td>
                                        <td><span class=status_class(r.status)>{r.status.label().trim_start_matches("Portal: ").to_string()}</span></td>
                                    </tr>
                                }).collect_view()}
                            </tbody>
                        </table>
                    }.into_any(),
                }
            })}
        </Transition>
    }
}

fn done_message(done: &str) -> Option<&'static str> {
    Some(match done {
        "invite" => "Invitation sent. Give the patient the access code (PIN) below.",
        "resend" => "A new invitation was sent. The earlier link no longer works.",
        "cancel" => "The invitation was cancelled; its link no longer works.",
        "revoke" => "Portal access revoked. The patient was signed out everywhere.",
        "reenable" => "Portal access re-enabled.",
        "reset" => {
            "Account reset. A new invitation was sent; the patient will choose a new username."
        }
        "contact" => "Email and phone saved.",
        "representative" => "Representative linked.",
        _ => return None,
    })
}

#[component]
pub fn PatientPage() -> impl IntoView {
    let params = use_params_map();
    let query = use_query_map();
    let id = move || {
        params
            .with(|p| p.get("id"))
            .and_then(|s| s.parse::<i64>().ok())
            .unwrap_or(0)
    };
    let act = ServerAction::<PortalAccess>::new();
    let contact = ServerAction::<UpdateChartContact>::new();
    let rep = ServerAction::<LinkRepresentative>::new();
    let data = Resource::new_blocking(
        move || {
            (
                id(),
                act.version().get(),
                contact.version().get(),
                rep.version().get(),
            )
        },
        |(id, ..)| get_chart_access(id),
    );
    let act_error = form_error(act);
    let contact_error = form_error(contact);
    let rep_error = form_error(rep);
    let done = move || {
        let from_js = act.value().get().and_then(Result::ok);
        let from_js = from_js.or_else(|| {
            matches!(contact.value().get(), Some(Ok(()))).then(|| "contact".to_string())
        });
        from_js
            .or_else(|| query.with(|q| q.get("done")))
            .and_then(|d| done_message(&d))
    };
    view! {
        <Transition fallback=|| view! { <p class="muted">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match data.await {
                    Err(e) => load_error(e),
                    Ok(c) => chart_view(c, act, contact, rep, act_error, contact_error, rep_error, done).into_any(),
                }
            })}
        </Transition>
    }
}

#[allow(clippy::too_many_arguments)]
fn chart_view(
    c: ChartAccess,
    act: ServerAction<PortalAccess>,
    contact: ServerAction<UpdateChartContact>,
    rep: ServerAction<LinkRepresentative>,
    act_error: Signal<Option<crate::error::AppError>>,
    contact_error: Signal<Option<crate::error::AppError>>,
    rep_error: Signal<Option<crate::error::AppError>>,
    done: impl Fn() -> Option<&'static str> + Send + Sync + Copy + 'static,
) -> impl IntoView {
    let id = c.chart.id;
    let status = c.chart.status;
    view! {
        <Title text=c.chart.name.clone()/>
        <p class="breadcrumb"><a href="/staff/patients">"Patients"</a></p>
        <header class="chart-header card">
            <h1>{c.chart.name.clone()}</h1>
            <p class="muted">{format!("Born {} · {}", c.chart.date_of_birth, c.practice)}</p>
            <a class=status_class(status) href="#portal-access">{status.label()}</a>
            " "<a class="btn btn-secondary btn-sm" href=format!("/staff/messages/new?chart={id}")>"Send a message"</a>
            " "<a class="btn btn-secondary btn-sm" href=format!("/staff/patients/{id}/record")>"Health record and results"</a>
        </header>
        {move || done().map(|m| view! { <Alert tone=Tone::Success>{m}</Alert> })}
        <FormError error=act_error/>
        <section id="portal-access" class="card" aria-labelledby="portal-access-title">
            <h2 id="portal-access-title">"Patient portal access"</h2>
            <p>{format!("Status: {}", status.label().trim_start_matches("Portal: "))}</p>
            {c.invitation.map(|i| view! {
                <dl class="facts">
                    <dt>"Access code (PIN)"</dt><dd class="pin" data-testid="pin">{i.pin}</dd>
                    <dt>"Invitation sent to"</dt><dd>{i.sent_to}</dd>
                    <dt>"Sent"</dt><dd>{i.sent_at}</dd>
                    <dt>"Link expires"</dt><dd>{i.expires_at}</dd>
                </dl>
            })}
            {(!c.accounts.is_empty()).then(|| view! {
                <h3>"Portal accounts with access"</h3>
                <ul>
                    {c.accounts.iter().map(|a| view! { <li>{format!("{} ({})", a.username, if a.relationship == "self" { "the patient" } else { "representative" })}</li> }).collect_view()}
                </ul>
            })}
            {(!c.can_invite).then(|| view! { <p class="muted">"You may not invite patients to the portal. A practice admin can allow it in Settings."</p> })}
            <div class="actions">
                {c.actions.into_iter().map(|a| {
                    let class = if matches!(a, AccessAction::Revoke | AccessAction::Reset | AccessAction::Cancel) { "btn btn-danger" } else { "btn btn-primary" };
                    view! {
                        <ActionForm action=act attr:class="inline-form">
                            <input type="hidden" name="id" value=id/>
                            <input type="hidden" name="action" value=a.as_str()/>
                            <button type="submit" class=class disabled=move || act.pending().get()>{a.label()}</button>
                        </ActionForm>
                    }
                }).collect_view()}
            </div>
        </section>
        <section class="card" aria-labelledby="contact-title">
            <h2 id="contact-title">"Email and phone"</h2>
            <ActionForm action=contact attr:class="form">
                <input type="hidden" name="id" value=id/>
                <FormError error=contact_error/>
                <TextField label="Email" name="email" input_type="email" value=c.chart.email.clone() error=field_error(contact_error, "email")/>
                <TextField label="Mobile phone" name="phone" input_type="tel" value=c.chart.phone.clone() hint="Used for security codes by text or voice." error=field_error(contact_error, "phone")/>
                <SubmitButton label="Save" pending_label="Saving…" pending=contact.pending() class="btn btn-secondary"/>
            </ActionForm>
        </section>
        <section class="card" aria-labelledby="rep-title">
            <h2 id="rep-title">"Link a representative"</h2>
            <p class="muted">"A parent, guardian or caregiver with a portal account can see this record once linked."</p>
            {move || matches!(rep.value().get(), Some(Ok(()))).then(|| view! { <Alert tone=Tone::Success>"Representative linked."</Alert> })}
            <ActionForm action=rep attr:class="form">
                <input type="hidden" name="id" value=id/>
                <FormError error=rep_error/>
                <TextField label="Their portal username" name="username" error=field_error(rep_error, "username") required=true/>
                <SubmitButton label="Link representative" pending_label="Linking…" pending=rep.pending() class="btn btn-secondary"/>
            </ActionForm>
        </section>
        {(!c.history.is_empty()).then(|| view! {
            <section class="card" aria-labelledby="history-title">
                <h2 id="history-title">"Portal history"</h2>
                <ul class="history">
                    {c.history.into_iter().map(|e| view! { <li><span class="muted">{e.at}</span>" · "{e.what}</li> }).collect_view()}
                </ul>
            </section>
        })}
    }
}
