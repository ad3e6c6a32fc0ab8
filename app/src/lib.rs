//! Portico's shared Leptos crate: pages, components and server functions. Compiled to WASM
//! (`hydrate`) and to native code (`ssr`); server-only code lives in `ssr`.

pub mod api;
pub mod auth_context;
pub mod components;
pub mod domain;
pub mod error;
pub mod layout;
pub mod model;
pub mod pages;
pub mod url;
pub mod validate;

#[cfg(feature = "ssr")]
pub mod ssr;

use leptos::prelude::*;
use leptos_meta::{provide_meta_context, MetaTags, Stylesheet, Title};
use leptos_router::{
    components::{ParentRoute, Route, Router, Routes},
    path, SsrMode,
};

use crate::{
    auth_context::Auth,
    layout::{patient::PatientLayout, staff::StaffLayout},
    pages::{
        account::AccountPage,
        appointments::{
            book::{BookConfirmPage, BookSearchPage, BookWeekPage},
            cancel::CancelPage,
            detail::AppointmentDetailPage,
            list::AppointmentsPage,
            reschedule::{RescheduleConfirmPage, ReschedulePage},
        },
        coming_soon::ComingSoon,
        enroll::EnrollPage,
        home::HomePage,
        not_found::NotFound,
        recovery::{ForgotPasswordPage, ForgotUsernamePage, ResetPasswordPage},
        sign_in::{PatientSignIn, StaffSignIn},
        staff::{
            appointment::StaffAppointmentPage,
            hours::HoursPage,
            patients::{PatientPage, PatientsPage},
            requests::RequestsPage,
            schedule::SchedulePage,
            settings::SettingsPage,
        },
        staff_home::StaffHome,
    },
};

/// The HTML document around the app, rendered on the server only.
pub fn shell(options: LeptosOptions) -> impl IntoView {
    // The per-response CSP nonce chosen by the security-headers middleware; Leptos puts it on
    // the hydration scripts it writes.
    #[cfg(feature = "ssr")]
    if let Some(nonce) = ssr::request::csp_nonce() {
        provide_context(leptos::nonce::Nonce::from_value(nonce));
    }
    view! {
        <!DOCTYPE html>
        <html lang="en">
            <head>
                <meta charset="utf-8"/>
                <meta name="viewport" content="width=device-width, initial-scale=1"/>
                <meta name="color-scheme" content="light"/>
                <link rel="icon" href="/favicon.svg" type="image/svg+xml"/>
                <HydrationScripts options/>
                <MetaTags/>
            </head>
            <body>
                <App/>
            </body>
        </html>
    }
}

#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    view! {
        <Stylesheet id="leptos" href="/pkg/portico.css"/>
        <Title formatter=|text: String| {
            if text.is_empty() { "Portico".to_string() } else { format!("{text} · Portico") }
        }/>
        <Router>
            <AppRoutes/>
        </Router>
    }
}

/// Every route renders completely before the response is sent (`SsrMode::Async`): streamed
/// fragments would need JavaScript to slot in, and every page must work without it.
#[component]
fn AppRoutes() -> impl IntoView {
    Auth::provide();
    view! {
        <Routes fallback=NotFound>
            <Route ssr=SsrMode::Async path=path!("/login") view=PatientSignIn/>
            <Route ssr=SsrMode::Async path=path!("/forgot-password") view=ForgotPasswordPage/>
            <Route ssr=SsrMode::Async path=path!("/forgot-username") view=ForgotUsernamePage/>
            <Route ssr=SsrMode::Async path=path!("/reset-password/:token") view=ResetPasswordPage/>
            <Route ssr=SsrMode::Async path=path!("/enroll/:token") view=EnrollPage/>
            <Route ssr=SsrMode::Async path=path!("/staff/login") view=StaffSignIn/>
            <ParentRoute ssr=SsrMode::Async path=path!("/staff") view=StaffLayout>
                <Route ssr=SsrMode::Async path=path!("") view=StaffHome/>
                <Route ssr=SsrMode::Async path=path!("requests") view=RequestsPage/>
                <Route ssr=SsrMode::Async path=path!("appointments/:id") view=StaffAppointmentPage/>
                <Route ssr=SsrMode::Async path=path!("patients") view=PatientsPage/>
                <Route ssr=SsrMode::Async path=path!("patients/:id") view=PatientPage/>
                <Route ssr=SsrMode::Async path=path!("schedule") view=SchedulePage/>
                <Route ssr=SsrMode::Async path=path!("schedule/hours") view=HoursPage/>
                <Route ssr=SsrMode::Async path=path!("messages") view=|| view! { <ComingSoon title="Messages" text="The practice's shared inbox will live here."/> }/>
                <Route ssr=SsrMode::Async path=path!("settings") view=SettingsPage/>
                <Route ssr=SsrMode::Async path=path!("audit") view=|| view! { <ComingSoon title="Audit" text="Every read and write of patient data, filterable, will be listed here."/> }/>
            </ParentRoute>
            <ParentRoute ssr=SsrMode::Async path=path!("") view=PatientLayout>
                <Route ssr=SsrMode::Async path=path!("") view=HomePage/>
                <Route ssr=SsrMode::Async path=path!("appointments") view=AppointmentsPage/>
                <Route ssr=SsrMode::Async path=path!("appointments/book") view=BookSearchPage/>
                <Route ssr=SsrMode::Async path=path!("appointments/book/:provider") view=BookWeekPage/>
                <Route ssr=SsrMode::Async path=path!("appointments/book/:provider/:start") view=BookConfirmPage/>
                <Route ssr=SsrMode::Async path=path!("appointments/:id") view=AppointmentDetailPage/>
                <Route ssr=SsrMode::Async path=path!("appointments/:id/cancel") view=CancelPage/>
                <Route ssr=SsrMode::Async path=path!("appointments/:id/reschedule") view=ReschedulePage/>
                <Route ssr=SsrMode::Async path=path!("appointments/:id/reschedule/:start") view=RescheduleConfirmPage/>
                <Route ssr=SsrMode::Async path=path!("messages") view=|| view! { <ComingSoon title="Messages" text="You will write to your care team here."/> }/>
                <Route ssr=SsrMode::Async path=path!("health-record") view=|| view! { <ComingSoon title="Health record" text="Your medications, allergies, results and more will appear here."/> }/>
                <Route ssr=SsrMode::Async path=path!("activity") view=|| view! { <ComingSoon title="Activity" text="Every sign-in, view and change in your account will be listed here."/> }/>
                <Route ssr=SsrMode::Async path=path!("account") view=AccountPage/>
            </ParentRoute>
        </Routes>
    }
}
