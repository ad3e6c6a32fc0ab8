//! A week of free slots as links, Monday to Sunday in the practice's zone.

use leptos::prelude::*;

use crate::model::appointments::WeekView;

/// `page` is the address of this week's page (for the previous and next links); each slot
/// links to `{slot_prefix}/{start}`.
#[component]
pub fn WeekGrid(week: WeekView, page: String, slot_prefix: String) -> impl IntoView {
    let any = week.days.iter().any(|d| !d.slots.is_empty());
    let prev = week
        .previous_week
        .clone()
        .map(|w| format!("{page}?week={w}"));
    let next = format!("{page}?week={}", week.next_week);
    view! {
        <section class="week" aria-labelledby="week-title">
            <div class="week-head">
                {match prev {
                    Some(href) => view! { <a class="btn btn-ghost btn-sm" href=href>"← Previous week"</a> }.into_any(),
                    None => view! { <span class="btn btn-ghost btn-sm" aria-disabled="true">"← Previous week"</span> }.into_any(),
                }}
                <h2 id="week-title">{week.week_label.clone()}</h2>
                <a class="btn btn-ghost btn-sm" href=next data-testid="next-week">"Next week →"</a>
            </div>
            {week.notes.iter().map(|n| view! { <p class="muted small">{n.clone()}</p> }).collect_view()}
            {(!any).then(|| view! { <p class="week-empty">"No free times this week. Try the next week."</p> })}
            <div class="week-grid">
                {week.days.iter().map(|d| {
                    let empty = d.slots.is_empty();
                    view! {
                        <div class="week-day">
                            <h3>{d.label.clone()}</h3>
                            {if empty {
                                view! { <p class="muted small">"No times"</p> }.into_any()
                            } else {
                                view! {
                                    <ul class="slots">
                                        {d.slots.iter().map(|s| view! {
                                            <li>
                                                <a class="slot" href=format!("{slot_prefix}/{}", s.start) aria-label=s.when.clone()>
                                                    {s.time.clone()}
                                                </a>
                                            </li>
                                        }).collect_view()}
                                    </ul>
                                }.into_any()
                            }}
                        </div>
                    }
                }).collect_view()}
            </div>
        </section>
    }
}
