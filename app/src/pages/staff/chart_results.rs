//! `/staff/patients/{id}/record`: a chart's results (which the patient can see, sharing the
//! rest), its health record entries, writing and correcting them, and the FHIR upload. Its own
//! route, so that the chart page's chunk stays small.

use leptos::prelude::*;

use crate::{
    api::health::{get_chart_results, AddChartEntry, ChangeChartEntry, ShareResult},
    components::form::{field_error, form_error, FormError},
    model::health::{ChartEntry, ChartResults, EntryKind},
    pages::appointments::load_error,
};

#[component]
pub fn ChartRecordPage() -> impl IntoView {
    let id = crate::pages::appointments::id_param("id");
    view! {
        {move || view! { <ChartResultsPanel chart=id.get()/> }}
    }
}

#[component]
pub fn ChartResultsPanel(chart: i64) -> impl IntoView {
    let share = ServerAction::<ShareResult>::new();
    let add = ServerAction::<AddChartEntry>::new();
    let change = ServerAction::<ChangeChartEntry>::new();
    let data = Resource::new_blocking(
        move || {
            (
                share.version().get(),
                add.version().get(),
                change.version().get(),
            )
        },
        move |_| get_chart_results(chart),
    );
    let error = form_error(share);
    let add_error = form_error(add);
    let change_error = form_error(change);
    view! {
        <Transition fallback=|| view! { <p class="muted">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match data.await {
                    Err(e) => load_error(e),
                    Ok(r) => view! {
                        <leptos_meta::Title text=format!("{} · Health record", r.patient_name)/>
                        <p class="breadcrumb"><a href="/staff/patients">"Patients"</a>" › "<a href=format!("/staff/patients/{chart}")>{r.patient_name.clone()}</a></p>
                        <h1>{format!("{}: health record", r.patient_name)}</h1>
                        <p class="muted">{format!("Born {}", r.date_of_birth)}</p>
                        <section id="results" class="card" aria-labelledby="results-title">
                            <h2 id="results-title">"Results"</h2>
                            <p class="muted">"Lab and imaging results stay hidden from the patient until they are shared. The patient is emailed that a new result is available, without the result."</p>
                            <FormError error/>
                            {results_view(chart, r.clone(), share)}
                        </section>
                        <section class="card" aria-label="Health record">
                            {record_view(chart, r, add, change, add_error, change_error)}
                        </section>
                    }.into_any(),
                }
            })}
        </Transition>
    }
}

fn record_view(
    chart: i64,
    r: ChartResults,
    add: ServerAction<AddChartEntry>,
    change: ServerAction<ChangeChartEntry>,
    add_error: Signal<Option<crate::error::AppError>>,
    change_error: Signal<Option<crate::error::AppError>>,
) -> impl IntoView {
    let can_write = r.can_write;
    view! {
        <div id="record" class="chart-record">
            <h2>"Health record"</h2>
            <FormError error=change_error/>
            {if r.entries.is_empty() {
                view! { <p class="muted">"Nothing is recorded yet."</p> }.into_any()
            } else {
                view! {
                    <table class="table">
                        <thead><tr><th scope="col">"Entry"</th><th scope="col">"Date"</th><th scope="col">"Status"</th><th scope="col"></th></tr></thead>
                        <tbody>
                            {r.entries.into_iter().map(|e| entry_row(chart, e, can_write, change)).collect_view()}
                        </tbody>
                    </table>
                }.into_any()
            }}
            {can_write.then(|| view! {
                <FormError error=add_error/>
                {EntryKind::ALL.into_iter().map(|k| add_form(chart, k, add, add_error)).collect_view()}
            })}
        </div>
    }
}

fn entry_row(
    chart: i64,
    e: ChartEntry,
    can_write: bool,
    change: ServerAction<ChangeChartEntry>,
) -> impl IntoView {
    let button = move |action: &'static str, label: &'static str| {
        view! {
            <ActionForm action=change attr:class="inline-form">
                <input type="hidden" name="chart" value=chart/>
                <input type="hidden" name="id" value=e.id/>
                <input type="hidden" name="action" value=action/>
                <button type="submit" class="btn btn-secondary btn-sm">{label}</button>
            </ActionForm>
        }
    };
    view! {
        <tr data-testid="chart-entry" class:muted=e.in_error>
            <td>{e.title.clone()}<br/><span class="muted small">{format!("{} · {}", e.section.heading(), e.source)}</span></td>
            <td>{e.date.clone()}</td>
            <td>{e.status.clone()}</td>
            <td>
                {(can_write && e.can_resolve).then(|| button("resolve", if e.section == crate::model::health::Section::Medications { "Stop" } else { "Resolve" }))}
                {(can_write && !e.in_error).then(|| button("error", "Entered in error"))}
            </td>
        </tr>
    }
}

fn add_form(
    chart: i64,
    kind: EntryKind,
    add: ServerAction<AddChartEntry>,
    error: Signal<Option<crate::error::AppError>>,
) -> impl IntoView {
    let id = |f: &str| format!("{}-{f}", kind.as_str());
    let field = move |name: &'static str, label: &'static str, input_type: &'static str| {
        let input_id = id(name);
        view! {
            <div class="field">
                <label for=input_id.clone()>{label}</label>
                <input id=input_id name=name type=input_type step=(input_type == "number").then_some("any")/>
                {move || field_error(error, name).get().map(|m| view! { <p class="field-error" role="alert">{m}</p> })}
            </div>
        }
    };
    let fields = match kind {
        EntryKind::Problem => view! { {field("name", "Problem", "text")}{field("code", "SNOMED CT code (optional)", "text")}{field("date", "Since", "date")} }.into_any(),
        EntryKind::Medication => view! { {field("name", "Medication", "text")}{field("code", "RxNorm code (optional)", "text")}{field("detail", "Instructions", "text")}{field("date", "Started", "date")} }.into_any(),
        EntryKind::Allergy => view! { {field("name", "Allergy to", "text")}{field("code", "SNOMED CT code (optional)", "text")}{field("detail", "Reaction", "text")}{field("date", "Recorded", "date")} }.into_any(),
        EntryKind::Immunization => view! { {field("name", "Vaccine", "text")}{field("code", "CVX code (optional)", "text")}{field("date", "Given", "date")} }.into_any(),
        EntryKind::Vital => view! {
            <div class="field">
                <label for=id("code")>"Vital sign"</label>
                <select id=id("code") name="code">
                    {crate::model::health::VITAL_CHOICES.iter().map(|(code, label)| view! { <option value=*code>{*label}</option> }).collect_view()}
                </select>
            </div>
            {field("value", "Value", "number")}{field("date", "Measured", "date")}
        }.into_any(),
        EntryKind::Lab => view! {
            {field("name", "Test", "text")}{field("code", "LOINC code (optional)", "text")}{field("value", "Result", "number")}
            {field("unit", "Unit", "text")}{field("low", "Range from", "number")}{field("high", "Range to", "number")}{field("date", "Collected", "date")}
        }.into_any(),
    };
    view! {
        <details class="add-entry">
            <summary>{kind.label()}</summary>
            <ActionForm action=add attr:class="form form-inline">
                <input type="hidden" name="chart" value=chart/>
                <input type="hidden" name="kind" value=kind.as_str()/>
                {fields}
                <button type="submit" class="btn btn-primary btn-sm">"Save"</button>
            </ActionForm>
        </details>
    }
}

fn results_view(chart: i64, r: ChartResults, share: ServerAction<ShareResult>) -> impl IntoView {
    let import = r.can_import.then(|| view! {
        <div id="import" class="import">
            <h3>"Import from the EHR"</h3>
            {r.last_import.clone().map(|i| view! {
                <div class=if i.imported { "alert alert-success" } else { "alert alert-error" } role="status" data-testid="import-outcome">
                    <p><strong>{i.summary}</strong></p>
                    <p class="small muted">{format!("{} · {}", i.at, i.by)}</p>
                    {(!i.problems.is_empty()).then(|| view! {
                        <ul>{i.problems.into_iter().map(|p| view! { <li>{p}</li> }).collect_view()}</ul>
                    })}
                </div>
            })}
            <form method="post" action=format!("/staff/patients/{chart}/import") enctype="multipart/form-data" class="form form-inline">
                <div class="field">
                    <label for="bundle">"FHIR R4 bundle (.json)"</label>
                    <input id="bundle" name="bundle" type="file" accept=".json,application/json,application/fhir+json" required/>
                </div>
                <button type="submit" class="btn btn-secondary">"Import"</button>
            </form>
            <p class="muted small">"The bundle's patient must match this chart. Importing the same bundle again changes nothing; a bundle with any problem is refused whole."</p>
        </div>
    });
    if r.results.is_empty() {
        return view! { {import} <p class="muted">"No results are on file."</p> }.into_any();
    }
    view! {
        {import}
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
