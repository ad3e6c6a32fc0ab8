//! `/staff`: what needs doing today, each item a link to the page where it is done.

use leptos::prelude::*;
use leptos_meta::Title;

use crate::{
    api::overview::get_staff_overview,
    auth_context::use_auth,
    model::grouped,
    pages::appointments::{load_error, StateBadge},
};

#[component]
pub fn StaffHome() -> impl IntoView {
    let auth = use_auth();
    let data = Resource::new_blocking(|| (), |_| get_staff_overview());
    view! {
        <Title text="Staff overview"/>
        <Transition fallback=|| view! { <p class="muted">"Loading…"</p> }>
            {move || Suspend::new(async move {
                let user = auth.user.await.ok().flatten()?;
                Some(view! {
                    <h1>"Good to see you, "{user.display_name.clone()}</h1>
                    <p class="muted">
                        {user.practice_name.clone().unwrap_or_default()}
                        " · "
                        {user.role.map(|r| r.label()).unwrap_or_default()}
                    </p>
                })
            })}
        </Transition>
        <Transition fallback=|| view! { <p class="muted">"Loading…"</p> }>
            {move || Suspend::new(async move {
                let o = match data.await {
                    Ok(o) => o,
                    Err(e) => return load_error(e),
                };
                let open: i64 = o.requests.iter().map(|(_, n)| n).sum();
                view! {
                    <div class="overview">
                        <section class="card" aria-labelledby="ov-requests">
                            <h2 id="ov-requests"><a href="/staff/requests">"Open requests"</a></h2>
                            <p class="count" data-testid="open-requests">{grouped(open)}</p>
                            <ul class="plain-list">
                                {o.requests.into_iter().map(|(k, n)| view! {
                                    <li><a href=format!("/staff/requests?kind={}", k.as_str())>{k.label()}</a>": "<span data-testid=format!("requests-{}", k.as_str())>{n}</span></li>
                                }).collect_view()}
                            </ul>
                        </section>
                        <section class="card" aria-labelledby="ov-messages">
                            <h2 id="ov-messages"><a href="/staff/messages">"Conversations that need a reply"</a></h2>
                            <p class="count" data-testid="needs-reply">{grouped(o.needs_reply)}</p>
                        </section>
                        <section class="card" aria-labelledby="ov-results">
                            <h2 id="ov-results">"Results not yet shared"</h2>
                            <p class="count" data-testid="unshared-results">{grouped(o.unshared_total)}</p>
                            <ul class="plain-list">
                                {o.unshared.into_iter().map(|r| view! {
                                    <li><a href=format!("/staff/patients/{}/record", r.chart_id)>{r.patient}</a>" · "{r.title}" "<span class="muted">{r.recorded_on}</span></li>
                                }).collect_view()}
                            </ul>
                        </section>
                    </div>
                    <section aria-labelledby="ov-today">
                        <h2 id="ov-today">"Today, "{o.day}" · "{o.today_of}</h2>
                        {if o.today.is_empty() {
                            view! { <p class="muted" data-testid="today-empty">"No appointments today."</p> }.into_any()
                        } else {
                            view! {
                                <div class="table-wrap">
                                    <table class="table table-stack">
                                        <thead><tr><th scope="col">"Time"</th><th scope="col">"Patient"</th><th scope="col">"Provider"</th><th scope="col">"Status"</th></tr></thead>
                                        <tbody>
                                            {o.today.into_iter().map(|a| view! {
                                                <tr data-testid="today-appointment">
                                                    <td><a href=format!("/staff/appointments/{}", a.id)>{a.when}</a></td>
                                                    <td>{a.patient_name}</td>
                                                    <td>{a.provider_name}</td>
                                                    <td><StateBadge state=a.state/></td>
                                                </tr>
                                            }).collect_view()}
                                        </tbody>
                                    </table>
                                </div>
                            }.into_any()
                        }}
                    </section>
                }.into_any()
            })}
        </Transition>
    }
}
