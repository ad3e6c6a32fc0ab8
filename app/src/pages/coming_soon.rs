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
pub fn AuditSoon() -> impl IntoView {
    view! { <ComingSoon title="Audit" text="Every read and write of patient data, filterable, will be listed here."/> }
}
