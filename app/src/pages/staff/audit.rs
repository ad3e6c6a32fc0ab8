//! `/staff/audit`: the practice's audit log, for admins. Plain GET forms and links, so it
//! filters, pages and exports without JavaScript.

use leptos::prelude::*;
use leptos_meta::Title;

use crate::{
    api::staff_audit::get_audit_log,
    components::empty::EmptyState,
    model::audit::AuditKind,
    pages::appointments::{load_error, query},
    url::encode,
};

#[component]
pub fn AuditPage() -> impl IntoView {
    let (chart, staff, kind, from, to, page) = (
        query("chart"),
        query("staff"),
        query("kind"),
        query("from"),
        query("to"),
        query("page"),
    );
    let get = |m: Memo<Option<String>>| move || m.get().unwrap_or_default();
    let data = Resource::new_blocking(
        move || {
            (
                get(chart)(),
                get(staff)(),
                get(kind)(),
                get(from)(),
                get(to)(),
                get(page)(),
            )
        },
        |(c, s, k, f, t, p)| get_audit_log(c, s, k, f, t, p),
    );
    // The filters as a query string, without the page.
    let filters = move || {
        [
            ("chart", get(chart)()),
            ("staff", get(staff)()),
            ("kind", get(kind)()),
            ("from", get(from)()),
            ("to", get(to)()),
        ]
        .iter()
        .filter(|(_, v)| !v.is_empty())
        .map(|(k, v)| format!("{k}={}", encode(v)))
        .collect::<Vec<_>>()
        .join("&")
    };
    view! {
        <Title text="Audit log"/>
        <div class="page-head">
            <h1>"Audit log"</h1>
            <a class="btn btn-secondary" href=move || format!("/staff/audit.csv?{}", filters()) rel="external" download="">"Export as CSV"</a>
        </div>
        <p class="lead">"Every read and write of patient data at this practice, by staff, patients and representatives, with sign-ins, exports, transmissions and settings. Nothing here can be changed or deleted."</p>
        <form method="get" action="/staff/audit" class="form form-inline date-filter">
            <div class="field">
                <label for="audit-chart">"Chart number"</label>
                <input id="audit-chart" name="chart" inputmode="numeric" size="6" value=get(chart)/>
            </div>
            <Transition fallback=|| ()>
                {move || Suspend::new(async move {
                    let people = data.await.map(|d| d.staff).unwrap_or_default();
                    view! {
                        <div class="field">
                            <label for="audit-staff">"Staff member"</label>
                            <select id="audit-staff" name="staff">
                                <option value="">"Anyone"</option>
                                {people.into_iter().map(|p| {
                                    let id = p.id.to_string();
                                    let selected = get(staff)() == id;
                                    view! { <option value=id selected=selected>{p.name}</option> }
                                }).collect_view()}
                            </select>
                        </div>
                    }
                })}
            </Transition>
            <div class="field">
                <label for="audit-kind">"Kind"</label>
                <select id="audit-kind" name="kind">
                    <option value="" selected=move || get(kind)().is_empty()>"Everything"</option>
                    {AuditKind::ALL.into_iter().map(|k| view! {
                        <option value=k.as_str() selected=move || get(kind)() == k.as_str()>{k.label()}</option>
                    }).collect_view()}
                </select>
            </div>
            <div class="field">
                <label for="audit-from">"From"</label>
                <input id="audit-from" name="from" type="date" value=get(from)/>
            </div>
            <div class="field">
                <label for="audit-to">"To"</label>
                <input id="audit-to" name="to" type="date" value=get(to)/>
            </div>
            <button class="btn btn-secondary" type="submit">"Filter"</button>
        </form>
        <Transition fallback=|| view! { <p class="muted">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match data.await {
                    Err(e) => load_error(e),
                    Ok(log) => {
                        let heading = log.chart_name.clone().map(|n| view! {
                            <p data-testid="audit-chart">"Only the chart of "<strong>{n}</strong>". "<a href="/staff/audit">"Show everything"</a></p>
                        });
                        let pager = {
                            let base = filters();
                            let at = |p: i64| if base.is_empty() { format!("/staff/audit?page={p}") } else { format!("/staff/audit?{base}&page={p}") };
                            let prev = (log.page > 1).then(|| view! { <a class="btn btn-secondary" href=at(log.page - 1)>"Newer"</a> });
                            let next = log.has_more.then(|| view! { <a class="btn btn-secondary" href=at(log.page + 1)>"Older"</a> });
                            view! { <nav class="pager" aria-label="Pages">{prev}<span class="muted">"Page "{log.page}</span>{next}</nav> }
                        };
                        if log.rows.is_empty() {
                            return view! { {heading} <EmptyState title="Nothing to show" text="No entries match these filters."/> }.into_any();
                        }
                        view! {
                            {heading}
                            <div class="table-wrap">
                                <table class="table">
                                    <thead><tr><th scope="col">"When"</th><th scope="col">"Who"</th><th scope="col">"Chart"</th><th scope="col">"What"</th><th scope="col">"Address"</th></tr></thead>
                                    <tbody>
                                        {log.rows.into_iter().map(|r| {
                                            let chart = r.chart_id.map(|id| view! { <a href=format!("/staff/audit?chart={id}")>{r.chart.clone()}</a> });
                                            let short: String = r.address.chars().take(10).collect();
                                            view! {
                                                <tr data-testid="audit-row" data-action=r.action.clone()>
                                                    <td>{r.at}</td><td>{r.who}</td><td>{chart}</td><td>{r.what}</td>
                                                    <td><code title=r.address.clone()>{short}</code></td>
                                                </tr>
                                            }
                                        }).collect_view()}
                                    </tbody>
                                </table>
                            </div>
                            {pager}
                        }.into_any()
                    }
                }
            })}
        </Transition>
    }
}
