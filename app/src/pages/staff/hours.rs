use leptos::prelude::*;
use leptos_meta::Title;

use crate::{
    api::staff::{provider_hours, DayOff, SaveHours},
    components::{
        alert::{Alert, Tone},
        form::{form_error, FormError, SubmitButton},
    },
    pages::appointments::{load_error, query},
};

/// `/staff/schedule/hours?provider=`: weekly hours, slot length and days off.
#[component]
pub fn HoursPage() -> impl IntoView {
    let provider = query("provider");
    let save = ServerAction::<SaveHours>::new();
    let day_off = ServerAction::<DayOff>::new();
    let data = Resource::new_blocking(
        move || {
            (
                provider.get(),
                save.version().get(),
                day_off.version().get(),
            )
        },
        |(p, ..)| provider_hours(p.and_then(|p| p.parse().ok()).unwrap_or(0)),
    );
    let save_error = form_error(save);
    view! {
        <Title text="Hours and days off"/>
        <p><a href=move || format!("/staff/schedule?provider={}", provider.get().unwrap_or_default())>"← Schedule"</a></p>
        <h1>"Hours and days off"</h1>
        {move || matches!(save.value().get(), Some(Ok(()))).then(|| view! { <Alert tone=Tone::Success>"Hours saved."</Alert> })}
        <FormError error=save_error/>
        <FormError error=form_error(day_off)/>
        <Transition fallback=|| view! { <p class="muted">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match data.await {
                    Err(e) => load_error(e),
                    Ok(h) => {
                        let pid = h.provider.id;
                        view! {
                            <h2>{h.provider.name.clone()}</h2>
                            <ActionForm action=save attr:class="form card">
                                <input type="hidden" name="provider" value=pid/>
                                <div class="field">
                                    <label for="slot-minutes">"Slot length (minutes)"</label>
                                    <input id="slot-minutes" name="slot_minutes" type="number" min="5" max="240" value=h.slot_minutes/>
                                </div>
                                <table class="table hours-table">
                                    <caption>"Weekly hours (leave a day empty when closed)"</caption>
                                    <thead><tr><th>"Day"</th><th>"Opens"</th><th>"Closes"</th><th>"Break from"</th><th>"Break until"</th></tr></thead>
                                    <tbody>
                                        {h.days.iter().map(|d| {
                                            let n = |f: &str| format!("days[{}][{f}]", d.weekday);
                                            view! {
                                                <tr>
                                                    <th scope="row">{d.label.clone()}
                                                        <input type="hidden" name=n("weekday") value=d.weekday/>
                                                        <input type="hidden" name=n("label") value=d.label.clone()/>
                                                    </th>
                                                    <td><input type="time" name=n("start") value=d.start.clone() aria-label=format!("{} opens", d.label)/></td>
                                                    <td><input type="time" name=n("end") value=d.end.clone() aria-label=format!("{} closes", d.label)/></td>
                                                    <td><input type="time" name=n("break_start") value=d.break_start.clone() aria-label=format!("{} break from", d.label)/></td>
                                                    <td><input type="time" name=n("break_end") value=d.break_end.clone() aria-label=format!("{} break until", d.label)/></td>
                                                </tr>
                                            }
                                        }).collect_view()}
                                    </tbody>
                                </table>
                                <SubmitButton label="Save hours" pending_label="Saving…" pending=save.pending()/>
                            </ActionForm>
                            <section class="card">
                                <h2>"Days off"</h2>
                                <ul>
                                    {h.days_off.clone().into_iter().map(|d| view! {
                                        <li>
                                            {d.clone()}" "
                                            <ActionForm action=day_off attr:class="inline">
                                                <input type="hidden" name="provider" value=pid/>
                                                <input type="hidden" name="day" value=d.clone()/>
                                                <input type="hidden" name="off" value="false"/>
                                                <button type="submit" class="btn btn-ghost btn-sm">"Remove"</button>
                                            </ActionForm>
                                        </li>
                                    }).collect_view()}
                                </ul>
                                <ActionForm action=day_off attr:class="filter-bar">
                                    <input type="hidden" name="provider" value=pid/>
                                    <input type="hidden" name="off" value="true"/>
                                    <label>"Add a day off "<input type="date" name="day" required=true/></label>
                                    <SubmitButton label="Add" pending_label="Adding…" pending=day_off.pending() class="btn btn-secondary btn-sm"/>
                                </ActionForm>
                            </section>
                        }.into_any()
                    }
                }
            })}
        </Transition>
    }
}
