//! `/activity`: everything that happened in the account, by the patient and each
//! representative, with filters and a CSV export.

use leptos::prelude::*;
use leptos_meta::Title;

use crate::{
    api::activity::get_activity,
    components::empty::EmptyState,
    model::activity::ActivityKind,
    pages::appointments::{load_error, query},
};

#[component]
pub fn ActivityPage() -> impl IntoView {
    let (kind, from, to) = (query("kind"), query("from"), query("to"));
    let data = Resource::new_blocking(
        move || {
            (
                kind.get().unwrap_or_default(),
                from.get().unwrap_or_default(),
                to.get().unwrap_or_default(),
            )
        },
        |(k, f, t)| get_activity(k, f, t),
    );
    let q = move || {
        format!(
            "?kind={}&from={}&to={}",
            kind.get().unwrap_or_default(),
            from.get().unwrap_or_default(),
            to.get().unwrap_or_default()
        )
    };
    view! {
        <Title text="Activity"/>
        <div class="page-head">
            <h1>"Activity"</h1>
            <a class="btn btn-secondary" href=move || format!("/activity.csv{}", q()) rel="external" download="">"Export as CSV"</a>
        </div>
        <p class="lead">"Everything done in your account and to the records it holds: sign-ins, views, downloads and sends of your health record, appointments, messages and settings. Nothing here can be changed or deleted."</p>
        <form method="get" action="/activity" class="form form-inline date-filter">
            <div class="field">
                <label for="act-kind">"Show"</label>
                <select id="act-kind" name="kind">
                    <option value="" selected=move || kind.get().unwrap_or_default().is_empty()>"Everything"</option>
                    {ActivityKind::ALL.into_iter().map(|k| view! {
                        <option value=k.as_str() selected=move || kind.get().as_deref() == Some(k.as_str())>{k.label()}</option>
                    }).collect_view()}
                </select>
            </div>
            <div class="field">
                <label for="act-from">"From"</label>
                <input id="act-from" name="from" type="date" value=move || from.get().unwrap_or_default()/>
            </div>
            <div class="field">
                <label for="act-to">"To"</label>
                <input id="act-to" name="to" type="date" value=move || to.get().unwrap_or_default()/>
            </div>
            <button class="btn btn-secondary" type="submit">"Filter"</button>
        </form>
        <Transition fallback=|| view! { <p class="muted">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match data.await {
                    Err(e) => load_error(e),
                    Ok(log) if log.rows.is_empty() => view! { <EmptyState title="Nothing to show" text="No activity matches these filters."/> }.into_any(),
                    Ok(log) => view! {
                        <div class="table-wrap">
                            <table class="table">
                                <thead><tr><th scope="col">"When"</th><th scope="col">"Who"</th><th scope="col">"Record"</th><th scope="col">"What"</th></tr></thead>
                                <tbody>
                                    {log.rows.into_iter().map(|r| view! {
                                        <tr data-testid="activity"><td>{r.at}</td><td>{r.who}</td><td>{r.record}</td><td>{r.what}</td></tr>
                                    }).collect_view()}
                                </tbody>
                            </table>
                        </div>
                        {log.truncated.then(|| view! { <p class="muted">"Only the latest 500 are listed. Narrow the dates, or export."</p> })}
                    }.into_any(),
                }
            })}
        </Transition>
    }
}
