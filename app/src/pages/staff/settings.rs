use leptos::prelude::*;
use leptos_meta::Title;

use crate::{
    api::{
        access::{inviters, SetInviters},
        staff::{practice_policy, SavePolicy},
    },
    components::{
        alert::{Alert, Tone},
        form::{field_error, form_error, FormError, SubmitButton},
    },
    domain::policy::{money, Approval},
    pages::appointments::load_error,
};

fn dollars(cents: i64) -> String {
    money(cents).trim_start_matches('$').to_string()
}

/// `/staff/settings`: the practice's appointment policies. Everyone sees them; admins edit.
#[component]
pub fn SettingsPage() -> impl IntoView {
    let save = ServerAction::<SavePolicy>::new();
    let data = Resource::new_blocking(move || save.version().get(), |_| practice_policy());
    let error = form_error(save);
    view! {
        <Title text="Settings"/>
        <h1>"Settings"</h1>
        <nav class="filters" aria-label="Settings">
            <a class="filter" href="/staff/settings" aria-current="page">"Practice"</a>
            <a class="filter" href="/staff/settings/account">"Your account"</a>
            <a class="filter" href="/staff/settings/staff">"Staff accounts"</a>
        </nav>
        {move || matches!(save.value().get(), Some(Ok(()))).then(|| view! { <Alert tone=Tone::Success>"Policies saved. New bookings use them; existing ones keep the policy they were booked under."</Alert> })}
        <FormError error=error/>
        <Transition fallback=|| view! { <p class="muted">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match data.await {
                    Err(e) => load_error(e),
                    Ok(f) => {
                        let p = f.policy;
                        let disabled = !f.can_edit;
                        let number = move |name: &'static str, label: &'static str, value: i64| view! {
                            <div class="field">
                                <label for=format!("field-{name}")>{label}</label>
                                <input id=format!("field-{name}") name=name type="number" min="0" max="720" value=value disabled=disabled/>
                                {move || field_error(error, name).get().map(|e| view! { <p class="field-error">{e}</p> })}
                            </div>
                        };
                        let approval = move |name: &'static str, label: &'static str, value: Approval| view! {
                            <div class="field">
                                <label for=format!("field-{name}")>{label}</label>
                                <select id=format!("field-{name}") name=name disabled=disabled>
                                    {Approval::ALL.into_iter().map(|a| view! { <option value=a.as_str() selected=a == value>{a.label()}</option> }).collect_view()}
                                </select>
                            </div>
                        };
                        let check = move |name: &'static str, label: &'static str, value: bool| view! {
                            <div class="choice">
                                <input type="checkbox" id=format!("field-{name}") name=name checked=value disabled=disabled/>
                                <label for=format!("field-{name}")>{label}</label>
                            </div>
                        };
                        let money_field = move |name: &'static str, label: &'static str, cents: i64| view! {
                            <div class="field">
                                <label for=format!("field-{name}")>{label}</label>
                                <input id=format!("field-{name}") name=name inputmode="decimal" value=dollars(cents) disabled=disabled/>
                                {move || field_error(error, name).get().map(|e| view! { <p class="field-error">{e}</p> })}
                            </div>
                        };
                        view! {
                            <h2>{format!("Appointment policies · {}", f.practice.name)}</h2>
                            {disabled.then(|| view! { <Alert tone=Tone::Info>"Only a practice admin can change these policies."</Alert> })}
                            <ActionForm action=save attr:class="form card">
                                <fieldset class="field">
                                    <legend>"Online"</legend>
                                    {check("online_booking", "Patients may book online", p.online_booking)}
                                    {check("online_cancellation", "Patients may cancel online", p.online_cancellation)}
                                    {check("online_rescheduling", "Patients may reschedule online", p.online_rescheduling)}
                                </fieldset>
                                {number("booking_notice_hours", "Minimum notice for booking (hours)", p.booking_notice_hours)}
                                {number("cancellation_notice_hours", "Cancellation window (hours before the visit)", p.cancellation_notice_hours)}
                                {number("reschedule_notice_hours", "Reschedule window (hours before the visit)", p.reschedule_notice_hours)}
                                {approval("cancellation_approval", "Cancellations", p.cancellation_approval)}
                                {approval("reschedule_approval", "Reschedules", p.reschedule_approval)}
                                {money_field("late_cancellation_fee", "Late-cancellation fee ($)", p.late_cancellation_fee_cents)}
                                {money_field("no_show_fee", "No-show fee ($)", p.no_show_fee_cents)}
                                {f.can_edit.then(|| view! { <SubmitButton label="Save policies" pending_label="Saving…" pending=save.pending()/> })}
                            </ActionForm>
                        }.into_any()
                    }
                }
            })}
        </Transition>
        <InvitersSection/>
    }
}

/// Which staff may invite patients to the portal. Admins change it; others read it.
#[component]
fn InvitersSection() -> impl IntoView {
    let save = ServerAction::<SetInviters>::new();
    let data = Resource::new_blocking(move || save.version().get(), |_| inviters());
    let error = form_error(save);
    view! {
        <h2 id="inviters">"Who may invite patients to the portal"</h2>
        {move || matches!(save.value().get(), Some(Ok(()))).then(|| view! { <Alert tone=Tone::Success>"Saved."</Alert> })}
        <FormError error=error/>
        <Transition fallback=|| view! { <p class="muted">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match data.await {
                    Err(e) => load_error(e),
                    Ok((can_edit, staff)) => view! {
                        <ActionForm action=save attr:class="form card">
                            <fieldset class="field">
                                <legend>"Staff allowed to invite, resend invitations and reset accounts"</legend>
                                {staff.into_iter().map(|m| {
                                    let fid = format!("inviter-{}", m.id);
                                    view! {
                                        <div class="choice">
                                            <input type="checkbox" id=fid.clone() name="allowed[]" value=m.id checked=m.can_invite disabled=!can_edit/>
                                            <label for=fid>{format!("{} ({})", m.name, m.role)}</label>
                                        </div>
                                    }
                                }).collect_view()}
                            </fieldset>
                            {can_edit.then(|| view! { <SubmitButton label="Save" pending_label="Saving…" pending=save.pending()/> })}
                        </ActionForm>
                    }.into_any(),
                }
            })}
        </Transition>
    }
}
