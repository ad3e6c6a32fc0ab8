use leptos::prelude::*;
use leptos_meta::Title;

use crate::{
    api::staff::schedule,
    pages::appointments::{load_error, query, StateBadge},
};

/// `/staff/schedule?provider=&date=&view=day|week`: a provider's day or week, slot by slot.
#[component]
pub fn SchedulePage() -> impl IntoView {
    let provider = query("provider");
    let date = query("date");
    let view_q = query("view");
    let data = Resource::new_blocking(
        move || (provider.get(), date.get(), view_q.get()),
        |(p, d, v)| {
            schedule(
                p.and_then(|p| p.parse().ok()),
                d,
                v.as_deref() == Some("week"),
            )
        },
    );
    view! {
        <Title text="Schedule"/>
        <h1>"Schedule"</h1>
        <Transition fallback=|| view! { <p class="muted">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match data.await {
                    Err(e) => load_error(e),
                    Ok(s) => {
                        let mode = if s.week { "week" } else { "day" };
                        let link = |date: &str, mode: &str| format!("/staff/schedule?provider={}&date={date}&view={mode}", s.provider_id);
                        view! {
                            <form method="get" action="/staff/schedule" class="filter-bar">
                                <label>"Provider "
                                    <select name="provider">
                                        {s.providers.iter().map(|p| view! { <option value=p.id selected=p.id == s.provider_id>{p.name.clone()}</option> }).collect_view()}
                                    </select>
                                </label>
                                <label>"Date "<input type="date" name="date" value=s.date.clone()/></label>
                                <label>"View "
                                    <select name="view">
                                        <option value="day" selected=!s.week>"Day"</option>
                                        <option value="week" selected=s.week>"Week"</option>
                                    </select>
                                </label>
                                <button type="submit" class="btn btn-secondary btn-sm">"Show"</button>
                                <a class="btn btn-ghost btn-sm" href=format!("/staff/schedule/hours?provider={}", s.provider_id)>"Hours and days off"</a>
                            </form>
                            <div class="week-head">
                                <a class="btn btn-ghost btn-sm" href=link(&s.previous, mode)>"← Previous"</a>
                                <h2>{s.title.clone()}<span class="muted small">{format!(" · times in {}", s.zone)}</span></h2>
                                <a class="btn btn-ghost btn-sm" href=link(&s.next, mode)>"Next →"</a>
                            </div>
                            <div class=if s.week { "schedule schedule-week" } else { "schedule" }>
                                {s.days.iter().map(|d| view! {
                                    <section class="schedule-day" data-testid="schedule-day">
                                        <h3><a href=link(&d.date, "day")>{d.label.clone()}</a></h3>
                                        {d.day_off.then(|| view! { <p class="badge">"Day off"</p> })}
                                        {if d.entries.is_empty() {
                                            view! { <p class="muted small">"No hours"</p> }.into_any()
                                        } else {
                                            view! {
                                                <ul class="schedule-slots">
                                                    {d.entries.iter().map(|e| match &e.appointment {
                                                        None => view! { <li class="free"><span class="time">{e.time.clone()}</span>" Free"</li> }.into_any(),
                                                        Some(a) => view! {
                                                            <li class="booked">
                                                                <span class="time">{e.time.clone()}</span>" "
                                                                <a href=format!("/staff/appointments/{}", a.id)>{a.patient_name.clone()}</a>" "
                                                                <StateBadge state=a.state/>
                                                            </li>
                                                        }.into_any(),
                                                    }).collect_view()}
                                                </ul>
                                            }.into_any()
                                        }}
                                    </section>
                                }).collect_view()}
                            </div>
                        }.into_any()
                    }
                }
            })}
        </Transition>
    }
}
