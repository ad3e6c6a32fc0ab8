//! Booking: find a provider, pick a free time in their week, give a reason and confirm.

use leptos::prelude::*;
use leptos_meta::Title;

use super::{id_param, load_error, query, week::WeekGrid};
use crate::{
    api::appointments::{find_providers, get_booking_draft, provider_week, Book},
    components::{
        empty::EmptyState,
        form::{field_error, form_error, FormError, SubmitButton},
    },
};

/// `/appointments/book?q=`: providers at the patient's practices, by name or specialty.
#[component]
pub fn BookSearchPage() -> impl IntoView {
    let q = query("q");
    let results = Resource::new_blocking(move || q.get().unwrap_or_default(), find_providers);
    view! {
        <Title text="Book an appointment"/>
        <p><a href="/appointments">"← Appointments"</a></p>
        <h1>"Book an appointment"</h1>
        <form method="get" action="/appointments/book" class="search" role="search">
            <label for="provider-search">"Find a provider by name or specialty"</label>
            <div class="search-row">
                <input id="provider-search" name="q" type="search" value=move || q.get().unwrap_or_default() placeholder="e.g. Patel, Pediatrics"/>
                <button type="submit" class="btn btn-secondary">"Search"</button>
            </div>
        </form>
        <Transition fallback=|| view! { <p class="muted">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match results.await {
                    Err(e) => load_error(e),
                    Ok(list) if list.is_empty() => view! {
                        <EmptyState title="No providers found" text="Try another name or specialty, or clear the search to see everyone at your practices."/>
                    }.into_any(),
                    Ok(list) => view! {
                        <ul class="provider-list">
                            {list.into_iter().map(|p| view! {
                                <li class="card provider-card" data-testid="provider">
                                    <div>
                                        <h2>{p.name.clone()}</h2>
                                        <p class="muted">{p.specialties.join(", ")}" · "{p.practice_name.clone()}</p>
                                    </div>
                                    {match p.not_bookable.clone() {
                                        Some(why) => view! { <p class="muted small">{why}</p> }.into_any(),
                                        None => view! { <a class="btn btn-primary" href=format!("/appointments/book/{}", p.id)>"See available times"</a> }.into_any(),
                                    }}
                                </li>
                            }).collect_view()}
                        </ul>
                    }.into_any(),
                }
            })}
        </Transition>
    }
}

/// `/appointments/book/:provider?week=`: the provider's free week.
#[component]
pub fn BookWeekPage() -> impl IntoView {
    let provider = id_param("provider");
    let week = query("week");
    let data = Resource::new_blocking(
        move || (provider.get(), week.get()),
        |(p, w)| provider_week(p, w),
    );
    view! {
        <Title text="Choose a time"/>
        <p><a href="/appointments/book">"← Providers"</a></p>
        <Transition fallback=|| view! { <p class="muted">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match data.await {
                    Err(e) => load_error(e),
                    Ok(w) => {
                        let id = w.provider.id;
                        view! {
                            <h1>{format!("Choose a time with {}", w.provider.name)}</h1>
                            <p class="muted">{w.provider.practice_name.clone()}</p>
                            {w.provider.not_bookable.clone().map(|n| view! { <p class="alert alert-info">{n}</p> })}
                            <WeekGrid week=w page=format!("/appointments/book/{id}") slot_prefix=format!("/appointments/book/{id}")/>
                        }.into_any()
                    }
                }
            })}
        </Transition>
    }
}

/// `/appointments/book/:provider/:start`: who it is for and why, then send the request.
#[component]
pub fn BookConfirmPage() -> impl IntoView {
    let provider = id_param("provider");
    let start = id_param("start");
    let book = ServerAction::<Book>::new();
    let error = form_error(book);
    let data = Resource::new_blocking(
        move || (provider.get(), start.get()),
        |(p, s)| get_booking_draft(p, s),
    );
    view! {
        <Title text="Request appointment"/>
        <p><a href=move || format!("/appointments/book/{}", provider.get())>"← Choose another time"</a></p>
        <h1>"Request appointment"</h1>
        <FormError error=error/>
        <Transition fallback=|| view! { <p class="muted">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match data.await {
                    Err(e) => load_error(e),
                    Ok(d) => {
                        let reason_error = field_error(error, "reason");
                        let who_error = field_error(error, "record_id");
                        let selected = d.selected_record_id;
                        view! {
                            <ActionForm action=book attr:class="form card">
                                <p class="lead" data-testid="booking-when">{d.when.clone()}</p>
                                <p>{d.provider.name.clone()}" · "{d.provider.practice_name.clone()}</p>
                                <input type="hidden" name="provider_id" value=d.provider.id/>
                                <input type="hidden" name="start" value=d.start/>
                                <div class="field" class:field-invalid=move || who_error.get().is_some()>
                                    <label for="field-record_id">"Who is this appointment for?"</label>
                                    <select id="field-record_id" name="record_id">
                                        {d.people.iter().map(|p| view! {
                                            <option value=p.record_id selected=Some(p.record_id) == selected>{p.label.clone()}</option>
                                        }).collect_view()}
                                    </select>
                                    {move || who_error.get().map(|e| view! { <p class="field-error">{e}</p> })}
                                </div>
                                <div class="field" class:field-invalid=move || reason_error.get().is_some()>
                                    <label for="field-reason">"Reason for the visit"</label>
                                    <p class="field-hint" id="field-reason-hint">"A few words for the office (up to 500 characters). It is not included in emails."</p>
                                    <textarea id="field-reason" name="reason" rows="3" maxlength="500" required=true
                                        aria-describedby=move || if reason_error.get().is_some() { "field-reason-hint field-reason-error" } else { "field-reason-hint" }
                                        aria-invalid=move || reason_error.get().is_some().then_some("true")></textarea>
                                    {move || reason_error.get().map(|e| view! { <p class="field-error" id="field-reason-error">{e}</p> })}
                                </div>
                                <p class="muted small">"The office will confirm your request or suggest another time. We will email you either way."</p>
                                <SubmitButton label="Request appointment" pending_label="Sending…" pending=book.pending()/>
                            </ActionForm>
                        }.into_any()
                    }
                }
            })}
        </Transition>
    }
}
