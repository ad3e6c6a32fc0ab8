//! The route table. Every page is a lazy route: the browser downloads the app shell (layouts,
//! shared components, the router) once, and a page's own code only when a page needs it. The
//! server renders every route completely (`SsrMode::Async`): streamed fragments would need
//! JavaScript to slot in, and every page must work without it.

use leptos::prelude::*;
use leptos_router::{
    components::{ParentRoute, Route, Routes},
    lazy_route, path, ChooseView, LazyRoute, SsrMode,
};

use crate::{
    auth_context::Auth,
    layout::{patient::PatientLayout, staff::StaffLayout},
    pages::{
        account::AccountPage,
        activity::ActivityPage,
        appointments::{
            book::{BookConfirmPage, BookSearchPage, BookWeekPage},
            cancel::CancelPage,
            detail::AppointmentDetailPage,
            list::AppointmentsPage,
            reschedule::{RescheduleConfirmPage, ReschedulePage},
        },
        enroll::EnrollPage,
        health_record::{send::SendRecordPage, sent::SentRecordPage, HealthRecordPage},
        home::HomePage,
        messages::{conversation::ConversationPage, new::NewMessagePage, MessagesPage},
        not_found::NotFound,
        recovery::{ForgotPasswordPage, ForgotUsernamePage, ResetPasswordPage},
        sign_in::{PatientSignIn, StaffSignIn},
        staff::{
            appointment::StaffAppointmentPage,
            audit::AuditPage,
            chart_results::ChartRecordPage,
            hours::HoursPage,
            messages::{
                conversation::StaffConversationPage, new::StaffNewMessagePage,
                settings::MessagingSettingsPage, InboxPage,
            },
            own_account::StaffAccountPage,
            patients::{PatientPage, PatientsPage},
            requests::RequestsPage,
            schedule::SchedulePage,
            settings::SettingsPage,
            team::StaffAccountsPage,
        },
        staff_home::StaffHome,
        staff_password::SetStaffPasswordPage,
        staff_two_factor::{StaffCodePage, TwoFactorSetUpPage},
    },
};

/// A lazy route for a page component: its code is split into its own WASM chunk.
macro_rules! lazy_pages {
    ($($route:ident => $page:ident),* $(,)?) => {$(
        #[doc = concat!("The lazily loaded [`", stringify!($page), "`].")]
        pub struct $route;

        #[lazy_route]
        impl LazyRoute for $route {
            fn data() -> Self {
                $route
            }

            fn view(_this: Self) -> AnyView {
                view! { <$page/> }.into_any()
            }
        }
    )*};
}

lazy_pages! {
    SignInRoute => PatientSignIn,
    ForgotPasswordRoute => ForgotPasswordPage,
    ForgotUsernameRoute => ForgotUsernamePage,
    ResetPasswordRoute => ResetPasswordPage,
    EnrollRoute => EnrollPage,
    StaffSignInRoute => StaffSignIn,
    StaffHomeRoute => StaffHome,
    RequestsRoute => RequestsPage,
    StaffAppointmentRoute => StaffAppointmentPage,
    PatientsRoute => PatientsPage,
    PatientRoute => PatientPage,
    ChartRecordRoute => ChartRecordPage,
    ScheduleRoute => SchedulePage,
    HoursRoute => HoursPage,
    StaffMessagesRoute => InboxPage,
    StaffConversationRoute => StaffConversationPage,
    StaffNewMessageRoute => StaffNewMessagePage,
    MessagingSettingsRoute => MessagingSettingsPage,
    SettingsRoute => SettingsPage,
    StaffAccountsRoute => StaffAccountsPage,
    StaffAccountRoute => StaffAccountPage,
    SetStaffPasswordRoute => SetStaffPasswordPage,
    StaffCodeRoute => StaffCodePage,
    TwoFactorSetUpRoute => TwoFactorSetUpPage,
    AuditRoute => AuditPage,
    HomeRoute => HomePage,
    AppointmentsRoute => AppointmentsPage,
    BookSearchRoute => BookSearchPage,
    BookWeekRoute => BookWeekPage,
    BookConfirmRoute => BookConfirmPage,
    AppointmentDetailRoute => AppointmentDetailPage,
    CancelRoute => CancelPage,
    RescheduleRoute => ReschedulePage,
    RescheduleConfirmRoute => RescheduleConfirmPage,
    MessagesRoute => MessagesPage,
    NewMessageRoute => NewMessagePage,
    ConversationRoute => ConversationPage,
    HealthRecordRoute => HealthRecordPage,
    SendRecordRoute => SendRecordPage,
    SentRecordRoute => SentRecordPage,
    ActivityRoute => ActivityPage,
    AccountRoute => AccountPage,
}

/// A lazy route whose server render also names the route's chunks in the page's head, so that
/// the browser fetches them alongside the main module rather than after it asks for them.
///
/// Leptos's own `HydrationScripts` would add preload links for them, but it registered the
/// chunks in a context provided only after the render had started on another worker thread
/// (most pages lost that race and named none), and its links start the downloads before the
/// page's first paint; the shell has its own loader instead (lib.rs).
///
/// One type for every route, holding plain function pointers: the router's code is generic
/// over each route's view type, and with a type per route (`Lazy<T>`) the WASM's main module
/// carried a copy of the matching and rendering code for each of the 42 routes. Routes whose
/// paths have the same shape now share one.
#[derive(Clone, Copy)]
pub struct Page {
    view: fn() -> ViewFuture,
    preload: fn() -> PreloadFuture,
    #[cfg(feature = "ssr")]
    route: &'static str,
}

type ViewFuture = std::pin::Pin<Box<dyn std::future::Future<Output = AnyView>>>;
type PreloadFuture = std::pin::Pin<Box<dyn std::future::Future<Output = ()>>>;

impl Page {
    pub fn of<T: LazyRoute + Send + Sync>() -> Self {
        Page {
            view: || Box::pin(T::view(T::data())),
            preload: || Box::pin(T::preload()),
            #[cfg(feature = "ssr")]
            route: std::any::type_name::<T>(),
        }
    }
}

impl ChooseView for Page {
    async fn choose(self) -> AnyView {
        #[cfg(feature = "ssr")]
        name_route_chunks(self.route);
        (self.view)().await
    }

    async fn preload(&self) {
        (self.preload)().await
    }
}

/// Names, in the page's head, the chunk files this route's first view needs; the head's
/// script (`boot.js`) fetches them beside the main module once the page has painted.
#[cfg(feature = "ssr")]
fn name_route_chunks(route: &str) {
    use leptos_meta::{Meta, ServerMetaContext};
    // Listing the routes at start-up renders them with no page head to add to.
    if use_context::<ServerMetaContext>().is_none() {
        return;
    }
    let Ok(state) = crate::ssr::request::state() else {
        return;
    };
    let Some(manifest) = crate::ssr::assets::SplitManifest::get(&state.leptos_options) else {
        return;
    };
    let files = manifest.first_view_hrefs(route);
    if files.is_empty() {
        return;
    }
    // Rendering a meta component registers it with the page's head.
    let _ = view! { <Meta name="portico-chunks" content=files.join(" ")/> }.to_html();
}

#[component]
pub fn AppRoutes() -> impl IntoView {
    Auth::provide();
    view! {
        <Routes fallback=NotFound>
            <Route ssr=SsrMode::Async path=path!("/login") view={Page::of::<SignInRoute>()}/>
            <Route ssr=SsrMode::Async path=path!("/forgot-password") view={Page::of::<ForgotPasswordRoute>()}/>
            <Route ssr=SsrMode::Async path=path!("/forgot-username") view={Page::of::<ForgotUsernameRoute>()}/>
            <Route ssr=SsrMode::Async path=path!("/reset-password/:token") view={Page::of::<ResetPasswordRoute>()}/>
            <Route ssr=SsrMode::Async path=path!("/enroll/:token") view={Page::of::<EnrollRoute>()}/>
            <Route ssr=SsrMode::Async path=path!("/staff/login") view={Page::of::<StaffSignInRoute>()}/>
            <Route ssr=SsrMode::Async path=path!("/staff/set-password/:token") view={Page::of::<SetStaffPasswordRoute>()}/>
            <Route ssr=SsrMode::Async path=path!("/staff/login/code") view={Page::of::<StaffCodeRoute>()}/>
            <Route ssr=SsrMode::Async path=path!("/staff/login/set-up") view={Page::of::<TwoFactorSetUpRoute>()}/>
            <ParentRoute ssr=SsrMode::Async path=path!("/staff") view=StaffLayout>
                <Route ssr=SsrMode::Async path=path!("") view={Page::of::<StaffHomeRoute>()}/>
                <Route ssr=SsrMode::Async path=path!("requests") view={Page::of::<RequestsRoute>()}/>
                <Route ssr=SsrMode::Async path=path!("appointments/:id") view={Page::of::<StaffAppointmentRoute>()}/>
                <Route ssr=SsrMode::Async path=path!("patients") view={Page::of::<PatientsRoute>()}/>
                <Route ssr=SsrMode::Async path=path!("patients/:id") view={Page::of::<PatientRoute>()}/>
                <Route ssr=SsrMode::Async path=path!("patients/:id/record") view={Page::of::<ChartRecordRoute>()}/>
                <Route ssr=SsrMode::Async path=path!("schedule") view={Page::of::<ScheduleRoute>()}/>
                <Route ssr=SsrMode::Async path=path!("schedule/hours") view={Page::of::<HoursRoute>()}/>
                <Route ssr=SsrMode::Async path=path!("messages") view={Page::of::<StaffMessagesRoute>()}/>
                <Route ssr=SsrMode::Async path=path!("messages/new") view={Page::of::<StaffNewMessageRoute>()}/>
                <Route ssr=SsrMode::Async path=path!("messages/settings") view={Page::of::<MessagingSettingsRoute>()}/>
                <Route ssr=SsrMode::Async path=path!("messages/:id") view={Page::of::<StaffConversationRoute>()}/>
                <Route ssr=SsrMode::Async path=path!("settings") view={Page::of::<SettingsRoute>()}/>
                <Route ssr=SsrMode::Async path=path!("settings/staff") view={Page::of::<StaffAccountsRoute>()}/>
                <Route ssr=SsrMode::Async path=path!("settings/account") view={Page::of::<StaffAccountRoute>()}/>
                <Route ssr=SsrMode::Async path=path!("audit") view={Page::of::<AuditRoute>()}/>
            </ParentRoute>
            <ParentRoute ssr=SsrMode::Async path=path!("") view=PatientLayout>
                <Route ssr=SsrMode::Async path=path!("") view={Page::of::<HomeRoute>()}/>
                <Route ssr=SsrMode::Async path=path!("appointments") view={Page::of::<AppointmentsRoute>()}/>
                <Route ssr=SsrMode::Async path=path!("appointments/book") view={Page::of::<BookSearchRoute>()}/>
                <Route ssr=SsrMode::Async path=path!("appointments/book/:provider") view={Page::of::<BookWeekRoute>()}/>
                <Route ssr=SsrMode::Async path=path!("appointments/book/:provider/:start") view={Page::of::<BookConfirmRoute>()}/>
                <Route ssr=SsrMode::Async path=path!("appointments/:id") view={Page::of::<AppointmentDetailRoute>()}/>
                <Route ssr=SsrMode::Async path=path!("appointments/:id/cancel") view={Page::of::<CancelRoute>()}/>
                <Route ssr=SsrMode::Async path=path!("appointments/:id/reschedule") view={Page::of::<RescheduleRoute>()}/>
                <Route ssr=SsrMode::Async path=path!("appointments/:id/reschedule/:start") view={Page::of::<RescheduleConfirmRoute>()}/>
                <Route ssr=SsrMode::Async path=path!("messages") view={Page::of::<MessagesRoute>()}/>
                <Route ssr=SsrMode::Async path=path!("messages/new") view={Page::of::<NewMessageRoute>()}/>
                <Route ssr=SsrMode::Async path=path!("messages/:id") view={Page::of::<ConversationRoute>()}/>
                <Route ssr=SsrMode::Async path=path!("health-record") view={Page::of::<HealthRecordRoute>()}/>
                <Route ssr=SsrMode::Async path=path!("health-record/send") view={Page::of::<SendRecordRoute>()}/>
                <Route ssr=SsrMode::Async path=path!("health-record/sent/:id") view={Page::of::<SentRecordRoute>()}/>
                <Route ssr=SsrMode::Async path=path!("activity") view={Page::of::<ActivityRoute>()}/>
                <Route ssr=SsrMode::Async path=path!("account") view={Page::of::<AccountRoute>()}/>
            </ParentRoute>
        </Routes>
    }
}
