use leptos::prelude::*;

use super::{
    patient::UserMenu,
    shell::{AppShell, NavItems},
};
use crate::{
    auth_context::Auth,
    model::{CurrentUser, PrincipalKind},
};

const NAV: NavItems = &[
    ("/staff", "Overview"),
    ("/staff/requests", "Requests"),
    ("/staff/patients", "Patients"),
    ("/staff/schedule", "Schedule"),
    ("/staff/messages", "Messages"),
    ("/staff/settings", "Settings"),
    ("/staff/audit", "Audit"),
];

#[component]
pub fn StaffLayout() -> impl IntoView {
    view! {
        <AppShell
            kind=PrincipalKind::Staff
            nav_label="Staff"
            nav=NAV
            header=|user: CurrentUser, auth: Auth| {
                let practice = user.practice_name.clone().unwrap_or_default();
                let role = user.role.map(|r| r.label()).unwrap_or_default();
                view! {
                    <p class="record-current">{practice}" · "{role}</p>
                    <UserMenu name=user.display_name auth=auth/>
                }
            }
        />
    }
}
