//! The patient's health record for the selected record: every section, a date filter, the
//! vitals as charts drawn by the server (so they show without JavaScript).

pub mod send;
pub mod sent;

use leptos::prelude::*;
use leptos_meta::Title;

use crate::{
    api::health::get_health_record,
    auth_context::use_auth,
    model::health::{Flag, HealthRecord, LabTest, RecordItem, Section, VitalSeries},
    pages::appointments::{load_error, query},
};

#[component]
pub fn HealthRecordPage() -> impl IntoView {
    let auth = use_auth();
    let from = query("from");
    let to = query("to");
    let data = Resource::new_blocking(
        move || {
            (
                from.get().unwrap_or_default(),
                to.get().unwrap_or_default(),
                auth.select_record.version().get(),
            )
        },
        |(from, to, _)| get_health_record(from, to),
    );
    view! {
        <Title text="Health record"/>
        <div class="page-head"><h1>"Health record"</h1></div>
        <Transition fallback=|| view! { <p class="muted">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match data.await {
                    Err(e) => view! { <DateForm from=from.get_untracked().unwrap_or_default() to=to.get_untracked().unwrap_or_default()/> {load_error(e)} }.into_any(),
                    Ok(rec) => view! { <Record rec/> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn DateForm(from: String, to: String) -> impl IntoView {
    let filtered = !from.is_empty() || !to.is_empty();
    view! {
        <form method="get" action="/health-record" class="form form-inline date-filter">
            <div class="field">
                <label for="hr-from">"From"</label>
                <input id="hr-from" name="from" type="date" value=from/>
            </div>
            <div class="field">
                <label for="hr-to">"To"</label>
                <input id="hr-to" name="to" type="date" value=to/>
            </div>
            <button class="btn btn-secondary" type="submit">"Show"</button>
            {filtered.then(|| view! { <a class="btn btn-link" href="/health-record">"Show everything"</a> })}
        </form>
        <p class="muted small">"Enter one date to see that day, or both to see a range. The filter applies to what you see here and to every download."</p>
    }
}

#[component]
fn Record(rec: HealthRecord) -> impl IntoView {
    let practice = rec.practice.clone();
    view! {
        <p class="lead">{format!("{}, born {}, at {}.", rec.patient_name, rec.date_of_birth, practice.name)}</p>
        <p class="muted">
            "What your practice has recorded: problems, medications, allergies, immunizations, procedures, care plans and vitals, and the results they have shared with you. Questions about your record? Call "
            <a href=format!("tel:{}", practice.phone.replace(' ', ""))>{practice.phone.clone()}</a>
            {(!practice.address.is_empty()).then(|| format!(", or write to {}", practice.address))}"."
        </p>
        <DateForm from=rec.filter.from.clone() to=rec.filter.to.clone()/>
        {(!rec.filter_label.is_empty()).then(|| view! {
            <p class="filter-label" data-testid="filter-label"><strong>{format!("Showing: {}", rec.filter_label)}</strong></p>
        })}
        <nav class="record-nav" aria-label="Sections">
            {Section::ALL.into_iter().map(|s| view! { <a href=format!("#{}", s.as_str())>{s.heading()}</a> }).collect_view()}
        </nav>
        {rec.lists.iter().filter(|(s, _)| *s != Section::Imaging).map(|(s, items)| view! { <ListSection section=*s items=items.clone()/> }).collect_view()}
        <Vitals series=rec.vitals.clone()/>
        <Labs tests=rec.labs.clone()/>
        {rec.lists.iter().filter(|(s, _)| *s == Section::Imaging).map(|(s, items)| view! { <ListSection section=*s items=items.clone()/> }).collect_view()}
        <Appointments heading="Upcoming appointments" empty="No upcoming appointments." items=rec.upcoming.clone()/>
        <Appointments heading="Past appointments" empty="No past appointments." items=rec.past.clone()/>
        <Downloads from=rec.filter.from.clone() to=rec.filter.to.clone()/>
    }
}

#[component]
fn Appointments(
    heading: &'static str,
    empty: &'static str,
    items: Vec<RecordItem>,
) -> impl IntoView {
    view! {
        <section class="record-section">
            <h2>{heading}</h2>
            {if items.is_empty() {
                view! { <p class="muted">{empty}</p> }.into_any()
            } else {
                view! {
                    <ul class="record-list">
                        {items.into_iter().map(|a| view! {
                            <li class="record-item">
                                <span class="record-title">{a.date}</span>" "<span class="badge badge-off">{a.status}</span>
                                <span class="muted small record-meta">{format!("{} · {}", a.title, a.detail)}</span>
                            </li>
                        }).collect_view()}
                    </ul>
                }.into_any()
            }}
        </section>
    }
}

/// Download and send, with the filter that is on the screen.
#[component]
fn Downloads(from: String, to: String) -> impl IntoView {
    let q = if from.is_empty() && to.is_empty() {
        String::new()
    } else {
        format!("?from={from}&to={to}")
    };
    view! {
        <section class="record-section card" aria-labelledby="downloads-title">
            <h2 id="downloads-title">"Download or send"</h2>
            <p class="muted small">"A download is a copy of your record on this device. On a shared or public computer, delete it when you are done."</p>
            <ul class="downloads">
                <li><a href=format!("/health-record/download/print{q}") rel="external" target="_blank">"Printable page"</a></li>
                <li><a href=format!("/health-record/download/pdf{q}") rel="external" download="">"PDF"</a></li>
                <li><a href=format!("/health-record/download/fhir{q}") rel="external" download="">"FHIR R4 (JSON, for apps and other providers)"</a></li>
                <li><a href=format!("/health-record/send{q}")>"Send to an email address"</a></li>
            </ul>
        </section>
    }
}

#[component]
fn SectionHead(section: Section) -> impl IntoView {
    view! { <h2 id=section.as_str()>{section.heading()}</h2> }
}

#[component]
fn ListSection(section: Section, items: Vec<RecordItem>) -> impl IntoView {
    view! {
        <section class="record-section" data-section=section.as_str()>
            <SectionHead section/>
            {if items.is_empty() {
                view! { <p class="muted">{section.empty()}</p> }.into_any()
            } else {
                view! {
                    <ul class="record-list">
                        {items.into_iter().map(|i| view! {
                            <li class="record-item" data-testid="record-item">
                                <span class="record-title">{i.title}</span>
                                {(!i.status.is_empty()).then(|| view! { " " <span class="badge badge-off">{i.status}</span> })}
                                <span class="muted small record-meta">
                                    {[i.date, i.detail, i.performer].into_iter().filter(|s| !s.is_empty()).collect::<Vec<_>>().join(" · ")}
                                </span>
                            </li>
                        }).collect_view()}
                    </ul>
                }.into_any()
            }}
        </section>
    }
}

#[component]
fn FlagBadge(flag: Flag) -> impl IntoView {
    (flag != Flag::None).then(|| {
        let class = if flag == Flag::Critical {
            "badge badge-danger"
        } else {
            "badge badge-attention"
        };
        view! { " " <span class=class data-testid="flag">{flag.label()}</span> }
    })
}

#[component]
fn Labs(tests: Vec<LabTest>) -> impl IntoView {
    let section = Section::Labs;
    view! {
        <section class="record-section" data-section=section.as_str()>
            <SectionHead section/>
            {tests.is_empty().then(|| view! { <p class="muted">{section.empty()}</p> })}
            {tests.into_iter().map(|t| {
                let latest = t.results[0].clone();
                let earlier = t.results[1..].to_vec();
                view! {
                    <article class="lab" data-testid="lab">
                        <h3>{t.title}</h3>
                        <p class="lab-value">
                            <strong>{latest.value}</strong>
                            <FlagBadge flag=latest.flag/>
                            {latest.corrected.then(|| view! { " " <span class="badge badge-wait">"Corrected"</span> })}
                        </p>
                        <dl class="facts">
                            {(!latest.range.is_empty()).then(|| view! { <dt>"Reference range"</dt><dd>{latest.range}</dd> })}
                            <dt>"Status"</dt><dd>{latest.status}</dd>
                            <dt>"Collected"</dt><dd>{latest.date}</dd>
                            {(!latest.specimen.is_empty()).then(|| view! { <dt>"Specimen"</dt><dd>{latest.specimen}</dd> })}
                            {(!latest.lab.is_empty()).then(|| view! { <dt>"Performed by"</dt><dd>{latest.lab}</dd> })}
                            <dt>"Reported"</dt><dd>{latest.reported}</dd>
                        </dl>
                        {(!earlier.is_empty()).then(|| view! {
                            <table class="table history">
                                <caption>"Earlier results"</caption>
                                <thead><tr><th scope="col">"Date"</th><th scope="col">"Result"</th><th scope="col">"Range"</th></tr></thead>
                                <tbody>
                                    {earlier.into_iter().map(|r| view! {
                                        <tr><td>{r.date}</td><td>{r.value}<FlagBadge flag=r.flag/></td><td>{r.range}</td></tr>
                                    }).collect_view()}
                                </tbody>
                            </table>
                        })}
                        {(t.more > 0).then(|| view! { <p class="muted small">{format!("{} earlier results are in the downloads below.", t.more)}</p> })}
                    </article>
                }
            }).collect_view()}
        </section>
    }
}

#[component]
fn Vitals(series: Vec<VitalSeries>) -> impl IntoView {
    let section = Section::Vitals;
    view! {
        <section class="record-section" data-section=section.as_str()>
            <SectionHead section/>
            {series.is_empty().then(|| view! { <p class="muted">{section.empty()}</p> })}
            <div class="vitals">
                {series.into_iter().map(|s| {
                    let label = format!("{} from {} to {}", s.title, s.low, s.high);
                    view! {
                    <figure class="vital" data-testid="vital">
                        <figcaption>{s.title.clone()}</figcaption>
                        <div class="vital-body">
                            <svg class="vital-chart" viewBox="0 0 300 100" role="img" aria-label=label>
                                <polyline points=s.points fill="none" stroke="currentColor" stroke-width="2"/>
                                <text x="2" y="98" class="axis">{s.low}</text>
                                <text x="2" y="9" class="axis">{s.high}</text>
                            </svg>
                            <table class="table vital-table">
                                <thead><tr><th scope="col">"Date"</th><th scope="col">{s.title}</th></tr></thead>
                                <tbody>
                                    {s.rows.into_iter().map(|(d, v)| view! { <tr><td>{d}</td><td>{v}</td></tr> }).collect_view()}
                                </tbody>
                            </table>
                            {(s.more > 0).then(|| view! { <p class="muted small">{format!("{} earlier measurements are in the chart and the downloads.", s.more)}</p> })}
                        </div>
                    </figure>
                }}).collect_view()}
            </div>
        </section>
    }
}
