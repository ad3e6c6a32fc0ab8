//! A chart's results on the staff chart page: which the patient can see, and sharing the rest.

use leptos::prelude::*;

use crate::{
    api::health::{get_chart_results, ShareResult},
    components::form::{form_error, FormError},
    model::health::ChartResults,
    pages::appointments::load_error,
};

#[component]
pub fn ChartResultsPanel(chart: i64) -> impl IntoView {
    let share = ServerAction::<ShareResult>::new();
    let data = Resource::new_blocking(
        move || share.version().get(),
        move |_| get_chart_results(chart),
    );
    let error = form_error(share);
    view! {
        <section id="results" class="card" aria-labelledby="results-title">
            <h2 id="results-title">"Results"</h2>
            <p class="muted">"Lab and imaging results stay hidden from the patient until they are shared. The patient is emailed that a new result is available, without the result."</p>
            <FormError error/>
            <Transition fallback=|| view! { <p class="muted">"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match data.await {
                        Err(e) => load_error(e),
                        Ok(r) => results_view(chart, r, share).into_any(),
                    }
                })}
            </Transition>
        </section>
    }
}

fn results_view(chart: i64, r: ChartResults, share: ServerAction<ShareResult>) -> impl IntoView {
    if r.results.is_empty() {
        return view! { <p class="muted">"No results are on file."</p> }.into_any();
    }
    view! {
        <table class="table">
            <thead><tr><th scope="col">"Result"</th><th scope="col">"Date"</th><th scope="col">"Status"</th><th scope="col">"Patient sees it"</th></tr></thead>
            <tbody>
                {r.results.into_iter().map(|x| view! {
                    <tr data-testid="chart-result">
                        <td>{x.title}<br/><span class="muted small">{x.kind}</span></td>
                        <td>{x.date}</td>
                        <td>{x.status}</td>
                        <td>
                            {if !x.shared.is_empty() {
                                view! { <span class="small">{x.shared}</span> }.into_any()
                            } else if r.can_share {
                                view! {
                                    <ActionForm action=share attr:class="inline-form">
                                        <input type="hidden" name="chart" value=chart/>
                                        <input type="hidden" name="id" value=x.id/>
                                        <button type="submit" class="btn btn-primary btn-sm" disabled=move || share.pending().get()>"Share with patient"</button>
                                    </ActionForm>
                                }.into_any()
                            } else {
                                view! { <span class="muted small">"Not shared"</span> }.into_any()
                            }}
                        </td>
                    </tr>
                }).collect_view()}
            </tbody>
        </table>
    }
    .into_any()
}
