use leptos::prelude::*;
use leptos_meta::Title;

use crate::{
    api::overview::get_patient_home, auth_context::use_auth, model::Relationship,
    pages::appointments::StateBadge,
};

const SECTIONS: &[(&str, &str, &str)] = &[
    (
        "/appointments",
        "Appointments",
        "Book, cancel or reschedule visits.",
    ),
    ("/messages", "Messages", "Write to your care team."),
    (
        "/health-record",
        "Health record",
        "Medications, allergies, results and more.",
    ),
    (
        "/activity",
        "Activity",
        "Everything that happened in your account.",
    ),
    (
        "/account",
        "Account",
        "Password, contact details and preferences.",
    ),
];

#[component]
pub fn HomePage() -> impl IntoView {
    let auth = use_auth();
    let home = Resource::new_blocking(
        move || auth.select_record.version().get(),
        |_| get_patient_home(),
    );
    view! {
        <Title text="Home"/>
        <Transition fallback=|| view! { <p class="muted">"Loading…"</p> }>
            {move || Suspend::new(async move {
                let user = auth.user.await.ok().flatten()?;
                let record = user.selected_record().cloned();
                let first_name = user.display_name.split(' ').next().unwrap_or_default().to_string();
                Some(view! {
                    <h1>"Welcome, "{first_name}</h1>
                    {record.map(|r| {
                        let whose = match r.relationship {
                            Relationship::SelfRecord => "Your record".to_string(),
                            Relationship::Representative => format!("{}'s record (you are their representative)", r.patient_name),
                        };
                        view! {
                            <section class="card record-card" aria-labelledby="record-heading">
                                <p class="eyebrow">{whose}</p>
                                <h2 id="record-heading" data-testid="selected-record">{r.patient_name.clone()}</h2>
                                <p class="muted">{r.practice_name.clone()}</p>
                            </section>
                        }
                    })}
                })
            })}
        </Transition>
        <Transition fallback=|| ()>
            {move || Suspend::new(async move {
                let h = home.await.ok()?;
                let next = match h.next {
                    Some(a) => view! {
                        <section class="card" aria-labelledby="next-heading" data-testid="next-appointment">
                            <h2 id="next-heading">"Your next appointment"</h2>
                            <p><a class="appointment-when" href=format!("/appointments/{}", a.id)>{a.when.clone()}</a>" "<StateBadge state=a.state/></p>
                            <p class="muted">{format!("{} · {}", a.provider_name, a.practice_name)}</p>
                        </section>
                    }.into_any(),
                    None => view! {
                        <section class="card" aria-labelledby="next-heading" data-testid="next-appointment">
                            <h2 id="next-heading">"Your next appointment"</h2>
                            <p class="muted">"Nothing booked. "<a href="/appointments/book">"Book an appointment"</a></p>
                        </section>
                    }.into_any(),
                };
                let waiting = (!h.waiting.is_empty()).then(|| view! {
                    <section class="card waiting" aria-labelledby="waiting-heading">
                        <h2 id="waiting-heading">"Waiting for you"</h2>
                        <ul class="plain-list">
                            {h.waiting.into_iter().map(|w| view! {
                                <li data-testid="waiting"><a href=w.href>{w.text}</a></li>
                            }).collect_view()}
                        </ul>
                    </section>
                });
                Some(view! { {waiting} {next} })
            })}
        </Transition>
        <ul class="tiles">
            {SECTIONS.iter().map(|(href, title, text)| view! {
                <li>
                    <a class="tile" href=*href>
                        <span class="tile-title">{*title}</span>
                        <span class="tile-text">{*text}</span>
                    </a>
                </li>
            }).collect_view()}
        </ul>
    }
}
