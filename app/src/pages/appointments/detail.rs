use leptos::prelude::*;
use leptos_meta::Title;

use super::{id_param, load_error, query, History, StateBadge};
use crate::{
    api::appointments::{get_appointment, AnswerProposal, CancelRequest},
    components::{
        alert::{Alert, Tone},
        form::{form_error, FormError, SubmitButton},
        modal::Modal,
    },
    domain::{appointment::State, policy::money},
    model::appointments::AppointmentDetail,
};

fn done_message(done: &str) -> Option<(&'static str, Tone)> {
    Some(match done {
        "booked" => ("Your appointment request was sent. The office will confirm it or suggest another time; we will email you.", Tone::Success),
        "cancelled" => ("Your appointment is canceled.", Tone::Success),
        "cancellation_requested" => ("Your cancellation request was sent. You are responsible for your original appointment until the office confirms the cancellation.", Tone::Success),
        "reschedule_requested" => ("Your request for a new time was sent. Your original appointment stays booked until the office approves the change.", Tone::Success),
        "requested" => ("Your request now asks for the new time.", Tone::Success),
        "moved" => ("Your appointment has moved to the new time.", Tone::Success),
        "accepted" => ("You accepted the new time. Your appointment is confirmed.", Tone::Success),
        _ => return None,
    })
}

#[component]
pub fn AppointmentDetailPage() -> impl IntoView {
    let id = id_param("id");
    let done = query("done");
    let cancel = ServerAction::<CancelRequest>::new();
    let answer = ServerAction::<AnswerProposal>::new();
    let data = Resource::new_blocking(
        move || (id.get(), cancel.version().get(), answer.version().get()),
        |(id, _, _)| get_appointment(id),
    );
    view! {
        <Title text="Appointment"/>
        <p><a href="/appointments">"← All appointments"</a></p>
        {move || done.get().and_then(|d| done_message(&d)).map(|(text, tone)| view! { <Alert tone=tone>{text}</Alert> })}
        <FormError error=form_error(cancel)/>
        <FormError error=form_error(answer)/>
        <Transition fallback=|| view! { <p class="muted">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match data.await {
                    Err(e) => load_error(e),
                    Ok(d) => view! { <Detail d=d cancel=cancel answer=answer/> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn Detail(
    d: AppointmentDetail,
    cancel: ServerAction<CancelRequest>,
    answer: ServerAction<AnswerProposal>,
) -> impl IntoView {
    let id = d.summary.id;
    let s = d.summary.clone();
    let (dialog, set_dialog) = signal(false);
    let holds = s.state.holds_slot();
    let cancel_terms = d.cancellation();
    let reschedule_terms = d.reschedule();
    let can_cancel_request = d.can_cancel_request();
    let can_change = d.can_change_requested_time();
    let proposal = d.can_answer_proposal().then(|| {
        let note = d
            .history
            .iter()
            .rev()
            .find(|h| !h.note.is_empty())
            .map(|h| h.note.clone());
        (s.pending_when.clone().unwrap_or_default(), note)
    });
    let fee_note = (d.policy.late_cancellation_fee_cents > 0).then(|| {
        format!(
            "Cancelling within {} hours of the appointment may incur a {} fee.",
            d.policy.cancellation_notice_hours,
            money(d.policy.late_cancellation_fee_cents)
        )
    });
    view! {
        <article class="card appointment-card">
            <div class="appointment-head">
                <div>
                    <h1 class="appointment-title" data-testid="appointment-when">{s.when.clone()}</h1>
                    <p class="muted">{format!("Until {}", d.ends_when)}</p>
                </div>
                <StateBadge state=s.state/>
            </div>
            <dl class="facts">
                <dt>"With"</dt><dd>{s.provider_name.clone()}</dd>
                <dt>"Where"</dt><dd>{s.practice_name.clone()}</dd>
                <dt>"For"</dt><dd>{s.patient_name.clone()}</dd>
                <dt>"Reason for visit"</dt><dd>{d.visit_reason.clone()}</dd>
                <dt>"Office phone"</dt><dd>{d.practice_phone.clone()}</dd>
                {(s.state == State::RescheduleRequested).then(|| view! {
                    <dt>"New time asked for"</dt><dd>{s.pending_when.clone().unwrap_or_default()}</dd>
                })}
            </dl>
            {(s.state == State::CancellationRequested).then(|| view! {
                <Alert tone=Tone::Info>"Your cancellation request is waiting for the office. You are responsible for this appointment until the office confirms the cancellation."</Alert>
            })}
            {(s.state == State::RescheduleRequested).then(|| view! {
                <Alert tone=Tone::Info>"Your request for a new time is waiting for the office. Your original appointment stays booked until they approve it."</Alert>
            })}
            {proposal.map(|(when, note)| view! {
                <section class="proposal" aria-labelledby="proposal-title">
                    <h2 id="proposal-title">"The office proposed a new time"</h2>
                    <p class="proposal-when" data-testid="proposed-when">{when}</p>
                    {note.map(|n| view! { <p>"Message from the office: "{n}</p> })}
                    <div class="actions">
                        <ActionForm action=answer>
                            <input type="hidden" name="id" value=id/>
                            <input type="hidden" name="accept" value="true"/>
                            <SubmitButton label="Accept new time" pending_label="Accepting…" pending=answer.pending()/>
                        </ActionForm>
                        <ActionForm action=answer>
                            <input type="hidden" name="id" value=id/>
                            <input type="hidden" name="accept" value="false"/>
                            <SubmitButton label="Cancel appointment" pending_label="Canceling…" pending=answer.pending() class="btn btn-ghost"/>
                        </ActionForm>
                    </div>
                </section>
            })}
            <div class="actions">
                {can_cancel_request.then(|| view! {
                    <a
                        class="btn btn-secondary"
                        href=format!("/appointments/{id}/cancel")
                        on:click=move |ev| {
                            ev.prevent_default();
                            set_dialog.set(true);
                        }
                    >"Cancel"</a>
                })}
                {can_change.then(|| view! {
                    <a class="btn btn-secondary" href=format!("/appointments/{id}/reschedule")>"Change time"</a>
                })}
                {reschedule_terms.map(|t| match t {
                    Ok(_) => view! { <a class="btn btn-secondary" href=format!("/appointments/{id}/reschedule")>"Reschedule"</a> }.into_any(),
                    Err(n) => view! { <p class="muted small">{n.message()}</p> }.into_any(),
                })}
                {cancel_terms.map(|t| match t {
                    Ok(_) => view! { <a class="btn btn-secondary" href=format!("/appointments/{id}/cancel")>"Cancel appointment"</a> }.into_any(),
                    Err(n) => view! { <p class="muted small">{n.message()}</p> }.into_any(),
                })}
                {holds.then(|| view! {
                    <a class="btn btn-ghost" href=format!("/appointments/{id}/calendar.ics") download="">"Add to calendar"</a>
                })}
            </div>
            {fee_note.filter(|_| holds).map(|n| view! { <p class="muted small">{n}</p> })}
        </article>
        <section class="card" aria-labelledby="history-title">
            <h2 id="history-title">"Appointment details"</h2>
            <History entries=d.history.clone()/>
        </section>
        <Modal open=dialog title="Cancel this appointment request?" on_close=Callback::new(move |_| set_dialog.set(false))>
            <p>"The office has not confirmed this request yet. Canceling it takes effect at once."</p>
            <div class="modal-actions">
                <button type="button" class="btn btn-ghost" on:click=move |_| set_dialog.set(false)>"Keep Appointment"</button>
                <ActionForm action=cancel>
                    <input type="hidden" name="id" value=id/>
                    <SubmitButton label="Cancel Appointment" pending_label="Canceling…" pending=cancel.pending() class="btn btn-danger"/>
                </ActionForm>
            </div>
        </Modal>
    }
}
