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

/// Public account-recovery pages, until recovery lands.
#[component]
pub fn RecoveryComingSoon(title: &'static str) -> impl IntoView {
    view! {
        <Title text=title/>
        <div class="auth-page">
            <main id="main" class="auth-card">
                <a class="brand brand-lg" href="/">
                    <span class="brand-mark" aria-hidden="true"></span>
                    "Portico"
                </a>
                <h1>{title}</h1>
                <p>
                    "Online recovery is coming soon. Until then, please contact your clinic: staff can reset your portal account without changing any of your information."
                </p>
                <p class="auth-links"><a href="/login">"Back to sign in"</a></p>
            </main>
        </div>
    }
}
