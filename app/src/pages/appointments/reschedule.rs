//! `/appointments/:id/reschedule`: pick a new free time, then confirm it.

use leptos::prelude::*;
use leptos_meta::Title;

use super::{id_param, load_error, query, week::WeekGrid};
use crate::{
    api::appointments::{get_appointment, move_label, reschedule_week, Reschedule},
    components::{
        alert::{Alert, Tone},
        form::{form_error, FormError, SubmitButton},
    },
};

#[component]
pub fn ReschedulePage() -> impl IntoView {
    let id = id_param("id");
    let week = query("week");
    let data = Resource::new_blocking(
        move || (id.get(), week.get()),
        |(id, week)| async move {
            let d = get_appointment(id).await?;
            let w = reschedule_week(id, week).await?;
            Ok::<_, crate::error::AppError>((d, w))
        },
    );
    view! {
        <Title text="Choose a new time"/>
        <p><a href=move || format!("/appointments/{}", id.get())>"← Back to the appointment"</a></p>
        <h1>"Choose a new time"</h1>
        <Transition fallback=|| view! { <p class="muted">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match data.await {
                    Err(e) => load_error(e),
                    Ok((d, w)) => {
                        let id = d.summary.id;
                        let note = match d.reschedule() {
                            Some(Ok(t)) if t.needs_approval => "Your original appointment stays booked until the office approves the new time.",
                            Some(Ok(_)) => "Your appointment will move to the new time at once.",
                            _ => "Your request will ask the office for the new time instead.",
                        };
                        view! {
                            <p class="lead">"Now: "<strong>{d.summary.when.clone()}</strong>" with "{d.summary.provider_name.clone()}</p>
                            <Alert tone=Tone::Info>{note}</Alert>
                            <WeekGrid week=w page=format!("/appointments/{id}/reschedule") slot_prefix=format!("/appointments/{id}/reschedule")/>
                        }.into_any()
                    }
                }
            })}
        </Transition>
    }
}

/// `/appointments/:id/reschedule/:start`: confirm the chosen time.
#[component]
pub fn RescheduleConfirmPage() -> impl IntoView {
    let id = id_param("id");
    let start = id_param("start");
    let action = ServerAction::<Reschedule>::new();
    let data = Resource::new_blocking(
        move || (id.get(), start.get()),
        |(id, start)| async move {
            let d = get_appointment(id).await?;
            let when = move_label(id, start).await?;
            Ok::<_, crate::error::AppError>((d, when))
        },
    );
    let error = form_error(action);
    view! {
        <Title text="Confirm the new time"/>
        <p><a href=move || format!("/appointments/{}/reschedule", id.get())>"← Choose another time"</a></p>
        <h1>"Confirm the new time"</h1>
        <FormError error=error/>
        <Transition fallback=|| view! { <p class="muted">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match data.await {
                    Err(e) => load_error(e),
                    Ok((d, when)) => {
                        view! {
                            <div class="card">
                                <p>"Move your appointment with "{d.summary.provider_name.clone()}" from "<strong>{d.summary.when.clone()}</strong>" to:"</p>
                                <p class="lead" data-testid="new-time">{when}</p>
                                <ActionForm action=action>
                                    <input type="hidden" name="id" value=d.summary.id/>
                                    <input type="hidden" name="start" value=start.get_untracked()/>
                                    <SubmitButton label="Confirm new time" pending_label="Sending…" pending=action.pending()/>
                                </ActionForm>
                            </div>
                        }.into_any()
                    }
                }
            })}
        </Transition>
    }
}
