use leptos::prelude::*;
use leptos_meta::Title;

use super::{load_error, query, StateBadge};
use crate::{
    api::appointments::list_appointments, auth_context::use_auth, components::empty::EmptyState,
    model::appointments::ListFilter,
};

#[component]
pub fn AppointmentsPage() -> impl IntoView {
    let auth = use_auth();
    let filter_q = query("filter");
    let filter = Memo::new(move |_| ListFilter::parse(&filter_q.get().unwrap_or_default()));
    let list = Resource::new_blocking(
        move || (filter.get(), auth.select_record.version().get()),
        |(f, _)| list_appointments(f.as_str().to_string()),
    );
    view! {
        <Title text="Appointments"/>
        <div class="page-head">
            <h1>"Appointments"</h1>
            <a class="btn btn-primary" href="/appointments/book">"Book an appointment"</a>
        </div>
        <nav class="filters" aria-label="Show appointments">
            {ListFilter::ALL.into_iter().map(|f| view! {
                <a
                    class="filter"
                    href=format!("/appointments?filter={}", f.as_str())
                    aria-current=move || (filter.get() == f).then_some("page")
                >{f.label()}</a>
            }).collect_view()}
        </nav>
        <Transition fallback=|| view! { <p class="muted">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match list.await {
                    Err(e) => load_error(e),
                    Ok(items) if items.is_empty() => {
                        let f = filter.get_untracked();
                        view! {
                            <EmptyState title=f.empty_text() text="Appointments you book or that your office books for you appear here.">
                                <p><a class="btn btn-secondary" href="/appointments/book">"Book an appointment"</a></p>
                            </EmptyState>
                        }.into_any()
                    }
                    Ok(items) => view! {
                        <ul class="appointment-list">
                            {items.into_iter().map(|a| view! {
                                <li class="appointment-item" data-testid="appointment">
                                    <a class="appointment-link" href=format!("/appointments/{}", a.id)>
                                        <span class="appointment-when">{a.when.clone()}</span>
                                        <span class="appointment-who">{format!("{} · {}", a.provider_name, a.practice_name)}</span>
                                        <span class="appointment-patient muted">{a.patient_name.clone()}</span>
                                        {a.pending_when.clone().map(|p| view! {
                                            <span class="appointment-pending">{format!("New time asked for: {p}")}</span>
                                        })}
                                    </a>
                                    <StateBadge state=a.state/>
                                    {(a.can_cancel || a.can_reschedule).then(|| view! {
                                        <div class="appointment-actions">
                                            {a.can_reschedule.then(|| view! {
                                                <a class="btn btn-secondary btn-sm" href=format!("/appointments/{}/reschedule", a.id)
                                                    aria-label=format!("Reschedule {}", a.when)>"Reschedule"</a>
                                            })}
                                            {a.can_cancel.then(|| view! {
                                                <a class="btn btn-secondary btn-sm" href=format!("/appointments/{}/cancel", a.id)
                                                    aria-label=format!("Cancel {}", a.when)>"Cancel"</a>
                                            })}
                                        </div>
                                    })}
                                </li>
                            }).collect_view()}
                        </ul>
                    }.into_any(),
                }
            })}
        </Transition>
    }
}
