use leptos::prelude::*;
use leptos_meta::Title;

use crate::{auth_context::use_auth, model::Relationship};

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
