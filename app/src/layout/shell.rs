//! The frame both sides share: skip link, top bar, side navigation, main area, idle warning.

use leptos::prelude::*;
use leptos_router::components::{Outlet, A};

use crate::{
    auth_context::{use_auth, Auth},
    components::{idle::IdleWatcher, live::IdleHandoff},
    model::{badge, badge_label, CurrentUser, PrincipalKind, StaffRole},
};

pub type NavItems = &'static [(&'static str, &'static str)];

/// Pages only practice admins may open: the navigation leaves them out for everyone else.
const ADMIN_ONLY: &[&str] = &["/staff/audit"];

#[component]
pub fn AppShell<H, V>(
    kind: PrincipalKind,
    /// The accessible name of the side navigation.
    nav_label: &'static str,
    nav: NavItems,
    /// The top bar's content for the signed-in user (record switcher, name, sign-out). It gets
    /// `Auth` rather than looking it up: it renders after an await, when a request whose client
    /// has gone may have dropped the context already.
    header: H,
) -> impl IntoView
where
    H: Fn(CurrentUser, Auth) -> V + Clone + Send + Sync + 'static,
    V: IntoView + 'static,
{
    let (home, sign_in, staff) = match kind {
        PrincipalKind::Patient => ("/", "/login", false),
        PrincipalKind::Staff => ("/staff", "/staff/login", true),
    };
    super::guard::require(kind, sign_in);
    let auth = use_auth();
    provide_context(IdleHandoff(RwSignal::new(false)));
    view! {
        <div class="shell" class:shell-staff=staff>
            <a class="skip-link" href="#main">"Skip to main content"</a>
            <header class="topbar">
                <a class="brand" href=home>
                    <span class="brand-mark" aria-hidden="true"></span>
                    "Portico"
                    {staff.then(|| view! { " " <span class="brand-tag">"Staff"</span> })}
                </a>
                <Transition fallback=|| ()>
                    {
                        let header = header.clone();
                        move || {
                            let header = header.clone();
                            Suspend::new(async move {
                                auth.user.await.ok().flatten().filter(|u| u.kind == kind).map(|u| header(u, auth))
                            })
                        }
                    }
                </Transition>
            </header>
            <div class="frame">
                <nav class="sidenav" aria-label=nav_label>
                    <ul>
                        {nav.iter().map(|&(href, label)| {
                            let item = move || view! {
                                <li><A href=href exact=href == home>{label}{href.ends_with("/messages").then(|| view! { <MessagesCount kind=kind/> })}</A></li>
                            };
                            if ADMIN_ONLY.contains(&href) {
                                view! { <AdminOnly item=item/> }.into_any()
                            } else {
                                item().into_any()
                            }
                        }).collect_view()}
                    </ul>
                </nav>
                <main id="main" class="content" tabindex="-1">
                    <Outlet/>
                </main>
            </div>
            <IdleWatcher sign_in_path=sign_in/>
        </div>
    }
}

/// `item` for a signed-in practice admin, nothing for anyone else.
#[component]
fn AdminOnly<F, V>(item: F) -> impl IntoView
where
    F: Fn() -> V + Clone + Send + Sync + 'static,
    V: IntoView + 'static,
{
    let auth = use_auth();
    view! {
        <Transition fallback=|| ()>
            {
                let item = item.clone();
                move || {
                    let item = item.clone();
                    Suspend::new(async move {
                        let admin = auth.user.await.ok().flatten()
                            .is_some_and(|u| u.role == Some(StaffRole::Admin));
                        admin.then(item)
                    })
                }
            }
        </Transition>
    }
}

/// The count beside "Messages": unread messages (patients), conversations that need a reply
/// (staff).
#[component]
fn MessagesCount(kind: PrincipalKind) -> impl IntoView {
    let auth = use_auth();
    view! {
        <Transition fallback=|| ()>
            {move || Suspend::new(async move {
                let n = auth.user.await.ok().flatten().filter(|u| u.kind == kind).map_or(0, |u| u.messages_count);
                (n > 0).then(|| {
                    let shown = badge(n);
                    let heard = badge_label(n);
                    let label = match kind {
                        PrincipalKind::Patient => format!("{heard} unread"),
                        PrincipalKind::Staff => format!("{heard} need a reply"),
                    };
                    view! { " " <span class="nav-count" data-testid="messages-count" aria-label=label>{shown}</span> }
                })
            })}
        </Transition>
    }
}
