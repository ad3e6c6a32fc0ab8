use leptos::prelude::*;

use super::shell::{AppShell, NavItems};
use crate::{
    auth_context::Auth,
    model::{CurrentUser, PrincipalKind},
};

const NAV: NavItems = &[
    ("/", "Home"),
    ("/appointments", "Appointments"),
    ("/messages", "Messages"),
    ("/health-record", "Health record"),
    ("/activity", "Activity"),
    ("/account", "Account"),
];

#[component]
pub fn PatientLayout() -> impl IntoView {
    view! {
        <AppShell
            kind=PrincipalKind::Patient
            nav_label="Portal"
            nav=NAV
            header=|user: CurrentUser, auth: Auth| view! {
                <RecordSwitcher user=user.clone() auth=auth/>
                <UserMenu name=user.display_name auth=auth/>
            }
        />
    }
}

/// Everything on screen belongs to the selected record; this chooses it.
#[component]
fn RecordSwitcher(user: CurrentUser, auth: Auth) -> impl IntoView {
    let selected = user.selected_record_id;
    let records = user.records;
    let current = records
        .iter()
        .find(|r| Some(r.id) == selected)
        .map(|r| r.label())
        .unwrap_or_default();
    if records.len() < 2 {
        return view! { <p class="record-current">{current}</p> }.into_any();
    }
    view! {
        <ActionForm action=auth.select_record attr:class="switcher">
            <label for="record-switch">"Viewing"</label>
            <select id="record-switch" name="record_id">
                {records.into_iter().map(|r| {
                    let is_selected = Some(r.id) == selected;
                    view! { <option value=r.id.to_string() selected=is_selected>{r.label()}</option> }
                }).collect_view()}
            </select>
            <button type="submit" class="btn btn-secondary btn-sm">"Switch"</button>
        </ActionForm>
    }
    .into_any()
}

#[component]
pub fn UserMenu(name: String, auth: Auth) -> impl IntoView {
    view! {
        <div class="user-menu">
            <span class="user-name">{name}</span>
            <ActionForm action=auth.logout>
                <button type="submit" class="btn btn-ghost btn-sm">"Sign out"</button>
            </ActionForm>
        </div>
    }
}
