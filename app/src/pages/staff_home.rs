use leptos::prelude::*;
use leptos_meta::Title;

use crate::auth_context::use_auth;

#[component]
pub fn StaffHome() -> impl IntoView {
    let auth = use_auth();
    view! {
        <Title text="Staff overview"/>
        <Transition fallback=|| view! { <p class="muted">"Loading…"</p> }>
            {move || Suspend::new(async move {
                let user = auth.user.await.ok().flatten()?;
                Some(view! {
                    <h1>"Good to see you, "{user.display_name.clone()}</h1>
                    <p class="muted">
                        {user.practice_name.clone().unwrap_or_default()}
                        " · "
                        {user.role.map(|r| r.label()).unwrap_or_default()}
                    </p>
                })
            })}
        </Transition>
        <div class="table-wrap">
            <table class="table">
                <caption>"Your workspace"</caption>
                <thead>
                    <tr><th scope="col">"Area"</th><th scope="col">"What it is for"</th></tr>
                </thead>
                <tbody>
                    <tr><td><a href="/staff/requests">"Requests"</a></td><td>"New bookings, cancellations and reschedules to approve"</td></tr>
                    <tr><td><a href="/staff/patients">"Patients"</a></td><td>"Search charts, invite patients, manage portal access"</td></tr>
                    <tr><td><a href="/staff/schedule">"Schedule"</a></td><td>"Provider hours, days off, day and week views"</td></tr>
                    <tr><td><a href="/staff/messages">"Messages"</a></td><td>"The shared inbox"</td></tr>
                </tbody>
            </table>
        </div>
    }
}
