use leptos::prelude::*;
use leptos_meta::Title;

use crate::{
    api::staff::{free_times, get_staff_appointment, Approve, CloseAppointment, Decline, Propose},
    components::form::{field_error, form_error, FormError, SubmitButton},
    domain::appointment::Action,
    pages::appointments::{id_param, load_error, History, StateBadge},
};

/// `/staff/appointments/:id`: one appointment with every decision staff may make on it.
#[component]
pub fn StaffAppointmentPage() -> impl IntoView {
    let id = id_param("id");
    let approve = ServerAction::<Approve>::new();
    let decline = ServerAction::<Decline>::new();
    let propose = ServerAction::<Propose>::new();
    let close = ServerAction::<CloseAppointment>::new();
    let data = Resource::new_blocking(
        move || {
            (
                id.get(),
                approve.version().get(),
                decline.version().get(),
                propose.version().get(),
                close.version().get(),
            )
        },
        |(id, ..)| async move {
            let a = get_staff_appointment(id).await?;
            let times = if a.actions.contains(&Action::ProposeTime) {
                free_times(id, None).await?
            } else {
                Vec::new()
            };
            Ok::<_, crate::error::AppError>((a, times))
        },
    );
    let decline_error = form_error(decline);
    let propose_error = form_error(propose);
    view! {
        <Title text="Appointment"/>
        <p><a href="/staff/requests">"← Requests"</a></p>
        <FormError error=form_error(approve)/>
        <FormError error=form_error(close)/>
        <Transition fallback=|| view! { <p class="muted">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match data.await {
                    Err(e) => load_error(e),
                    Ok((a, times)) => {
                        let id = a.summary.id;
                        let has = |x: Action| a.actions.contains(&x);
                        let can_approve = has(Action::Confirm) || has(Action::ApproveCancellation) || has(Action::ApproveReschedule);
                        let can_decline = has(Action::Decline) || has(Action::DeclineCancellation) || has(Action::DeclineReschedule);
                        let can_propose = has(Action::ProposeTime);
                        let can_close = has(Action::Complete) && a.in_the_past;
                        view! {
                            <article class="card">
                                <div class="appointment-head">
                                    <div>
                                        <h1 class="appointment-title">{a.summary.when.clone()}</h1>
                                        <p class="muted">{a.summary.provider_name.clone()}" · "{a.summary.practice_name.clone()}</p>
                                    </div>
                                    <StateBadge state=a.summary.state/>
                                </div>
                                <dl class="facts">
                                    <dt>"Patient"</dt><dd>{a.summary.patient_name.clone()}" (born "{a.patient_born.clone()}")"</dd>
                                    <dt>"Reason for visit"</dt><dd>{a.visit_reason.clone()}</dd>
                                    {a.summary.pending_when.clone().map(|p| view! { <dt>"New time asked for"</dt><dd>{p}</dd> })}
                                </dl>
                                <div class="actions">
                                    {can_approve.then(|| view! {
                                        <ActionForm action=approve>
                                            <input type="hidden" name="id" value=id/>
                                            <SubmitButton label="Approve" pending_label="Approving…" pending=approve.pending()/>
                                        </ActionForm>
                                    })}
                                    {can_close.then(|| view! {
                                        <ActionForm action=close>
                                            <input type="hidden" name="id" value=id/>
                                            <input type="hidden" name="no_show" value="false"/>
                                            <SubmitButton label="Mark completed" pending_label="Saving…" pending=close.pending() class="btn btn-secondary"/>
                                        </ActionForm>
                                        <ActionForm action=close>
                                            <input type="hidden" name="id" value=id/>
                                            <input type="hidden" name="no_show" value="true"/>
                                            <SubmitButton label="Mark no-show" pending_label="Saving…" pending=close.pending() class="btn btn-ghost"/>
                                        </ActionForm>
                                    })}
                                </div>
                            </article>
                            {can_decline.then(|| view! {
                                <section class="card">
                                    <h2>"Decline"</h2>
                                    <FormError error=decline_error/>
                                    <ActionForm action=decline attr:class="form">
                                        <input type="hidden" name="id" value=id/>
                                        <div class="field">
                                            <label for="decline-reason">"Reason (the patient sees it)"</label>
                                            <textarea id="decline-reason" name="reason" rows="2" maxlength="500" required=true></textarea>
                                            {move || field_error(decline_error, "reason").get().map(|e| view! { <p class="field-error">{e}</p> })}
                                        </div>
                                        <SubmitButton label="Decline" pending_label="Declining…" pending=decline.pending() class="btn btn-danger"/>
                                    </ActionForm>
                                </section>
                            })}
                            {can_propose.then(|| view! {
                                <section class="card">
                                    <h2>"Propose a new time"</h2>
                                    <FormError error=propose_error/>
                                    <ActionForm action=propose attr:class="form">
                                        <input type="hidden" name="id" value=id/>
                                        <div class="field">
                                            <label for="propose-start">"New time (the provider's free times, next two weeks)"</label>
                                            <select id="propose-start" name="start" required=true>
                                                {times.iter().map(|(start, label)| view! { <option value=*start>{label.clone()}</option> }).collect_view()}
                                            </select>
                                        </div>
                                        <div class="field">
                                            <label for="propose-reason">"Reason"</label>
                                            <input id="propose-reason" name="reason" maxlength="500" required=true/>
                                            {move || field_error(propose_error, "reason").get().map(|e| view! { <p class="field-error">{e}</p> })}
                                        </div>
                                        <div class="field">
                                            <label for="propose-note">"Note to the patient"</label>
                                            <textarea id="propose-note" name="note" rows="2" maxlength="500" required=true></textarea>
                                            {move || field_error(propose_error, "note").get().map(|e| view! { <p class="field-error">{e}</p> })}
                                        </div>
                                        <SubmitButton label="Propose new time" pending_label="Sending…" pending=propose.pending() class="btn btn-secondary"/>
                                    </ActionForm>
                                </section>
                            })}
                            <section class="card">
                                <h2>"History"</h2>
                                <History entries=a.history.clone()/>
                            </section>
                        }.into_any()
                    }
                }
            })}
        </Transition>
    }
}
