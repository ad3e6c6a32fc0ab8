//! `/appointments/:id/cancel`: cancel a pending request, or ask to cancel a confirmed
//! appointment with a reason. The details page opens the first as a dialog when JavaScript
//! runs; this page serves both without it.

use leptos::prelude::*;
use leptos_meta::Title;

use super::{id_param, load_error};
use crate::{
    api::appointments::{cancel_reasons, get_appointment, CancelRequest, RequestCancellation},
    components::{
        alert::{Alert, Tone},
        form::{field_error, form_error, FormError, SubmitButton},
    },
    domain::policy::money,
    model::appointments::{AppointmentDetail, CancelReason},
};

#[component]
pub fn CancelPage() -> impl IntoView {
    let id = id_param("id");
    let data = Resource::new_blocking(
        move || id.get(),
        |id| async move {
            let d = get_appointment(id).await?;
            let reasons = cancel_reasons().await?;
            Ok::<_, crate::error::AppError>((d, reasons))
        },
    );
    let cancel = ServerAction::<CancelRequest>::new();
    let request = ServerAction::<RequestCancellation>::new();
    view! {
        <Title text="Cancel appointment"/>
        <p><a href=move || format!("/appointments/{}", id.get())>"← Back to the appointment"</a></p>
        <Transition fallback=|| view! { <p class="muted">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match data.await {
                    Err(e) => load_error(e),
                    Ok((d, reasons)) => view! { <CancelForm d=d reasons=reasons cancel=cancel request=request/> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn CancelForm(
    d: AppointmentDetail,
    reasons: Vec<CancelReason>,
    cancel: ServerAction<CancelRequest>,
    request: ServerAction<RequestCancellation>,
) -> impl IntoView {
    let id = d.summary.id;
    let back = format!("/appointments/{id}");
    let heading = view! {
        <p class="lead"><strong>{d.summary.when.clone()}</strong>" with "{d.summary.provider_name.clone()}" · "{d.summary.practice_name.clone()}</p>
    };
    if d.can_cancel_request() {
        let error = form_error(cancel);
        return view! {
            <h1>"Cancel this appointment request?"</h1>
            {heading}
            <p>"The office has not confirmed this request yet. Canceling it takes effect at once."</p>
            <FormError error=error/>
            <div class="actions">
                <a class="btn btn-ghost" href=back>"Keep Appointment"</a>
                <ActionForm action=cancel>
                    <input type="hidden" name="id" value=id/>
                    <SubmitButton label="Cancel Appointment" pending_label="Canceling…" pending=cancel.pending() class="btn btn-danger"/>
                </ActionForm>
            </div>
        }
        .into_any();
    }
    match d.cancellation() {
        None => view! {
            <h1>"Cancel appointment"</h1>
            {heading}
            <Alert tone=Tone::Info>{format!("This appointment is {} and cannot be canceled online.", d.summary.state.label().to_lowercase())}</Alert>
        }
        .into_any(),
        Some(Err(n)) => view! {
            <h1>"Cancel appointment"</h1>
            {heading}
            <Alert tone=Tone::Info>{n.message()}{format!(" The office's number is {}.", d.practice_phone)}</Alert>
        }
        .into_any(),
        Some(Ok(terms)) => {
            let error = form_error(request);
            let reason_error = field_error(error, "reason");
            let other_error = field_error(error, "other");
            let submit = if terms.needs_approval {
                "Request cancellation"
            } else {
                "Cancel Appointment"
            };
            view! {
                <h1>"Cancel appointment"</h1>
                {heading}
                {terms.fee_cents.map(|fee| view! {
                    <Alert tone=Tone::Warning>
                        <strong>"Charges may apply. "</strong>
                        {format!("This appointment is less than {} hours away. The office may charge a late-cancellation fee of {}.", d.policy.cancellation_notice_hours, money(fee))}
                    </Alert>
                })}
                {if terms.needs_approval {
                    view! { <Alert tone=Tone::Info>"The office will review your request. You are responsible for your original appointment until the office confirms the cancellation."</Alert> }.into_any()
                } else {
                    view! { <Alert tone=Tone::Info>"Your appointment will be canceled at once."</Alert> }.into_any()
                }}
                <FormError error=error/>
                <ActionForm action=request attr:class="form card">
                    <input type="hidden" name="id" value=id/>
                    <fieldset class="field" class:field-invalid=move || reason_error.get().is_some()>
                        <legend>"Why are you canceling?"</legend>
                        {reasons.iter().map(|r| {
                            let input_id = format!("reason-{}", r.code);
                            view! {
                                <div class="choice">
                                    <input type="radio" id=input_id.clone() name="reason" value=r.code.clone() required=true/>
                                    <label for=input_id>{r.label.clone()}</label>
                                </div>
                            }
                        }).collect_view()}
                        {move || reason_error.get().map(|e| view! { <p class="field-error">{e}</p> })}
                    </fieldset>
                    <div class="field" class:field-invalid=move || other_error.get().is_some()>
                        <label for="field-other">"If “Other”, tell the office why"</label>
                        <p class="field-hint" id="field-other-hint">"Up to 500 characters."</p>
                        <textarea id="field-other" name="other" maxlength="500" rows="3" aria-describedby="field-other-hint"></textarea>
                        {move || other_error.get().map(|e| view! { <p class="field-error">{e}</p> })}
                    </div>
                    <div class="actions">
                        <a class="btn btn-ghost" href=back>"Keep Appointment"</a>
                        <SubmitButton label=submit pending_label="Sending…" pending=request.pending() class="btn btn-danger"/>
                    </div>
                </ActionForm>
            }
            .into_any()
        }
    }
}
