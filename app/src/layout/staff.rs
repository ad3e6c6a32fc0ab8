use leptos::prelude::*;
use leptos_router::components::{Outlet, A};

use super::patient::UserMenu;
use crate::{auth_context::use_auth, components::idle::IdleWatcher, model::PrincipalKind};

const NAV: &[(&str, &str)] = &[
    ("/staff/requests", "Requests"),
    ("/staff/patients", "Patients"),
    ("/staff/schedule", "Schedule"),
    ("/staff/messages", "Messages"),
    ("/staff/settings", "Settings"),
    ("/staff/audit", "Audit"),
];

#[component]
pub fn StaffLayout() -> impl IntoView {
    super::guard::require(PrincipalKind::Staff, "/staff/login");
    let auth = use_auth();
    view! {
        <div class="shell shell-staff">
            <a class="skip-link" href="#main">"Skip to main content"</a>
            <header class="topbar">
                <a class="brand" href="/staff">
                    <span class="brand-mark" aria-hidden="true"></span>
                    "Portico "
                    <span class="brand-tag">"Staff"</span>
                </a>
                <Transition fallback=|| ()>
                    {move || Suspend::new(async move {
                        auth.user.await.ok().flatten().filter(|u| u.is_staff()).map(|user| {
                            let practice = user.practice_name.clone().unwrap_or_default();
                            let role = user.role.map(|r| r.label()).unwrap_or_default();
                            view! {
                                <p class="record-current">{practice}" · "{role}</p>
                                <UserMenu name=user.display_name/>
                            }
                        })
                    })}
                </Transition>
            </header>
            <div class="frame">
                <nav class="sidenav" aria-label="Staff">
                    <ul>
                        <li><A href="/staff" exact=true>"Overview"</A></li>
                        {NAV.iter().map(|(href, label)| view! {
                            <li><A href=*href>{*label}</A></li>
                        }).collect_view()}
                    </ul>
                </nav>
                <main id="main" class="content" tabindex="-1">
                    <Outlet/>
                </main>
            </div>
            <IdleWatcher sign_in_path="/staff/login"/>
        </div>
    }
}
