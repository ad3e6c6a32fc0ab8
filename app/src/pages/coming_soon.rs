use leptos::prelude::*;
use leptos_meta::Title;

use crate::components::empty::EmptyState;

/// A section whose feature has not landed yet.
#[component]
pub fn ComingSoon(title: &'static str, text: &'static str) -> impl IntoView {
    view! {
        <Title text=title/>
        <h1>{title}</h1>
        <EmptyState title="Coming soon" text=text/>
    }
}

#[component]
pub fn HealthRecordSoon() -> impl IntoView {
    view! { <ComingSoon title="Health record" text="Your medications, allergies, results and more will appear here."/> }
}

#[component]
pub fn ActivitySoon() -> impl IntoView {
    view! { <ComingSoon title="Activity" text="Every sign-in, view and change in your account will be listed here."/> }
}

#[component]
pub fn AuditSoon() -> impl IntoView {
    view! { <ComingSoon title="Audit" text="Every read and write of patient data, filterable, will be listed here."/> }
}
