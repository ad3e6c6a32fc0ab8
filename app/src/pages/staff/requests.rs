use leptos::prelude::*;
use leptos_meta::Title;

use crate::{
    api::staff::{request_queue, Approve},
    components::{
        empty::EmptyState,
        form::{form_error, FormError, SubmitButton},
    },
    model::appointments::RequestKind,
    pages::appointments::{load_error, query},
};

/// `/staff/requests`: new bookings, cancellation and reschedule requests, oldest first.
#[component]
pub fn RequestsPage() -> impl IntoView {
    let kind = query("kind");
    let provider = query("provider");
    let page = query("page");
    let approve = ServerAction::<Approve>::new();
    let data = Resource::new_blocking(
        move || {
            (
                kind.get(),
                provider.get(),
                page.get(),
                approve.version().get(),
            )
        },
        |(k, p, n, _)| {
            request_queue(
                None,
                p.and_then(|p| p.parse().ok()),
                k,
                n.and_then(|n| n.parse().ok()),
            )
        },
    );
    view! {
        <Title text="Requests"/>
        <h1>"Requests"</h1>
        <FormError error=form_error(approve)/>
        <Transition fallback=|| view! { <p class="muted">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match data.await {
                    Err(e) => load_error(e),
                    Ok(q) => {
                        let current_kind = kind.get_untracked().unwrap_or_default();
                        let current_provider = provider.get_untracked().unwrap_or_default();
                        let pager = {
                            // Only values the filter understands go back into the links.
                            let kind = RequestKind::parse(&current_kind);
                            let provider = current_provider.parse::<i64>().ok();
                            let at = move |n: i64| {
                                let mut href = format!("/staff/requests?page={n}");
                                if let Some(k) = kind { href.push_str(&format!("&kind={}", k.as_str())); }
                                if let Some(p) = provider { href.push_str(&format!("&provider={p}")); }
                                href
                            };
                            let prev = (q.page > 1).then(|| view! { <a class="btn btn-secondary" href=at(q.page - 1)>"Previous"</a> });
                            let next = q.has_more.then(|| view! { <a class="btn btn-secondary" href=at(q.page + 1)>"Next"</a> });
                            (q.page > 1 || q.has_more).then(|| view! { <nav class="pager" aria-label="Pages">{prev}<span class="muted">"Page "{q.page}</span>{next}</nav> })
                        };
                        view! {
                            <ul class="counts" aria-label="Open requests">
                                {q.counts.iter().map(|(k, n)| view! {
                                    <li><a href=format!("/staff/requests?kind={}", k.as_str()) data-testid=format!("count-{}", k.as_str())>
                                        <span class="count">{*n}</span>" "{k.label()}
                                    </a></li>
                                }).collect_view()}
                            </ul>
                            <form method="get" action="/staff/requests" class="filter-bar">
                                <label>"Practice "
                                    <select name="practice"><option value=q.practice.id>{q.practice.name.clone()}</option></select>
                                </label>
                                <label>"Provider "
                                    <select name="provider">
                                        <option value="">"All providers"</option>
                                        {q.providers.iter().map(|p| view! {
                                            <option value=p.id selected=current_provider == p.id.to_string()>{p.name.clone()}</option>
                                        }).collect_view()}
                                    </select>
                                </label>
                                <label>"Type "
                                    <select name="kind">
                                        <option value="">"All types"</option>
                                        {RequestKind::ALL.into_iter().map(|k| view! {
                                            <option value=k.as_str() selected=current_kind == k.as_str()>{k.label()}</option>
                                        }).collect_view()}
                                    </select>
                                </label>
                                <button type="submit" class="btn btn-secondary btn-sm">"Filter"</button>
                            </form>
                            {if q.items.is_empty() {
                                view! { <EmptyState title="No open requests" text="New bookings, cancellations and reschedule requests will appear here."/> }.into_any()
                            } else {
                                view! {
                                    <div class="table-wrap">
                                        <table class="table table-stack">
                                            <caption>{format!("{} open request(s)", q.total)}</caption>
                                            <thead><tr><th>"Type"</th><th>"Patient"</th><th>"When"</th><th>"Provider"</th><th>"Reason for visit"</th><th>"Asked"</th><th><span class="visually-hidden">"Actions"</span></th></tr></thead>
                                            <tbody>
                                                {q.items.into_iter().map(|i| {
                                                    let id = i.summary.id;
                                                    view! {
                                                        <tr data-testid="request">
                                                            <td>{i.kind.label().trim_end_matches('s').to_string()}</td>
                                                            <td>{i.summary.patient_name.clone()}</td>
                                                            <td>{i.summary.when.clone()}{i.summary.pending_when.clone().map(|p| view! { <br/><span class="muted small">"→ "{p}</span> })}</td>
                                                            <td>{i.summary.provider_name.clone()}</td>
                                                            <td>{i.visit_reason.clone()}{(!i.request_reason.is_empty()).then(|| view! { <br/><span class="muted small">"Patient's reason: "{i.request_reason.clone()}</span> })}</td>
                                                            <td class="small">{i.asked.clone()}</td>
                                                            <td class="row-actions">
                                                                <ActionForm action=approve>
                                                                    <input type="hidden" name="id" value=id/>
                                                                    <SubmitButton label="Approve" pending_label="Approving…" pending=approve.pending() class="btn btn-primary btn-sm"/>
                                                                </ActionForm>
                                                                <a class="btn btn-ghost btn-sm" href=format!("/staff/appointments/{id}")>"Decline or propose…"</a>
                                                            </td>
                                                        </tr>
                                                    }
                                                }).collect_view()}
                                            </tbody>
                                        </table>
                                    </div>
                                    {pager}
                                }.into_any()
                            }}
                        }.into_any()
                    }
                }
            })}
        </Transition>
    }
}
