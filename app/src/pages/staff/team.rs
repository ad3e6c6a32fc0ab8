//! `/staff/settings/staff`: the practice's staff accounts, for admins. Every action is a plain
//! form, so it works without JavaScript.

use leptos::prelude::*;
use leptos_meta::Title;

use crate::{
    api::{
        staff_accounts::{
            get_staff_list, AddStaff, ChangeStaffRole, ResetStaffPassword, SetStaffActive,
        },
        two_factor::{RequireTwoFactor, ResetTwoFactor},
    },
    components::{
        alert::{Alert, Tone},
        form::{field_error, form_error, FormError, SubmitButton, TextField},
    },
    model::{appointments::Named, StaffRole},
    pages::appointments::{load_error, query},
};

const ROLES: [StaffRole; 3] = [StaffRole::Admin, StaffRole::Provider, StaffRole::FrontDesk];

fn done_text(done: &str) -> Option<&'static str> {
    Some(match done {
        "added" => "Added. We emailed them a link to choose their password; it works once, for 72 hours.",
        "role" => "Role changed.",
        "deactivated" => "Deactivated. Every session of that account has ended; nothing they did is lost.",
        "reactivated" => "Reactivated. They can sign in again with their password.",
        "reset" => "Password reset. Their sessions have ended and we emailed them a link to choose a new password.",
        "two_factor_reset" => "Two-factor sign-in reset. Their sessions have ended; they set it up again at their next sign-in if it is required of them.",
        "required" => "Two-factor sign-in is now required of all staff. Anyone who has not set it up was signed out and sets it up at their next sign-in.",
        "not_required" => "Two-factor sign-in is now required of admins only.",
        _ => return None,
    })
}

#[component]
fn RoleFields(
    providers: Vec<Named>,
    role: StaffRole,
    provider: Option<i64>,
    /// Distinguishes the fields of each row's form.
    id: String,
) -> impl IntoView {
    view! {
        <div class="field">
            <label for=format!("role-{id}")>"Role"</label>
            <select id=format!("role-{id}") name="role">
                {ROLES.into_iter().map(|r| view! { <option value=r.as_str() selected=r == role>{r.label()}</option> }).collect_view()}
            </select>
        </div>
        <div class="field">
            <label for=format!("provider-{id}")>"Provider's schedule (providers only)"</label>
            <select id=format!("provider-{id}") name="provider">
                <option value="">"None"</option>
                {providers.into_iter().map(|p| view! { <option value=p.id selected=Some(p.id) == provider>{p.name}</option> }).collect_view()}
            </select>
        </div>
    }
}

#[component]
pub fn StaffAccountsPage() -> impl IntoView {
    let add = ServerAction::<AddStaff>::new();
    let role = ServerAction::<ChangeStaffRole>::new();
    let active = ServerAction::<SetStaffActive>::new();
    let reset = ServerAction::<ResetStaffPassword>::new();
    let reset_2fa = ServerAction::<ResetTwoFactor>::new();
    let require = ServerAction::<RequireTwoFactor>::new();
    let data = Resource::new_blocking(
        move || {
            (
                add.version().get(),
                role.version().get(),
                active.version().get(),
                reset.version().get(),
                reset_2fa.version().get(),
                require.version().get(),
            )
        },
        |_| get_staff_list(),
    );
    let done = query("done");
    let add_error = form_error(add);
    let role_error = form_error(role);
    let active_error = form_error(active);
    let reset_error = form_error(reset);
    let reset_2fa_error = form_error(reset_2fa);
    let require_error = form_error(require);
    // What the latest action did, with JavaScript (its value) or without (the redirect's query).
    let message = move || {
        let js = [
            add.value().get().filter(|r| r.is_ok()).map(|_| "added"),
            role.value().get().filter(|r| r.is_ok()).map(|_| "role"),
            active.value().get().and_then(|r| r.ok()).map(|now_active| {
                if now_active {
                    "reactivated"
                } else {
                    "deactivated"
                }
            }),
            reset.value().get().filter(|r| r.is_ok()).map(|_| "reset"),
            reset_2fa
                .value()
                .get()
                .filter(|r| r.is_ok())
                .map(|_| "two_factor_reset"),
            require.value().get().filter(|r| r.is_ok()).map(|_| {
                if require.input().get().is_some_and(|i| i.required) {
                    "required"
                } else {
                    "not_required"
                }
            }),
        ]
        .into_iter()
        .flatten()
        .next_back();
        let key = js.map(str::to_string).or_else(|| done.get())?;
        done_text(&key)
    };
    view! {
        <Title text="Staff accounts"/>
        <h1>"Staff accounts"</h1>
        <p class="lead">"Add colleagues, change their roles, and deactivate accounts of people who leave. A practice always keeps at least one active admin."</p>
        {move || message().map(|m| view! { <Alert tone=Tone::Success>{m}</Alert> })}
        <FormError error=role_error/>
        <FormError error=active_error/>
        <FormError error=reset_error/>
        <FormError error=reset_2fa_error/>
        <FormError error=require_error/>
        <Transition fallback=|| view! { <p class="muted">"Loading…"</p> }>
            {move || Suspend::new(async move {
                let list = match data.await {
                    Ok(l) => l,
                    Err(e) => return load_error(e),
                };
                let providers = list.providers.clone();
                view! {
                    <div class="table-wrap">
                        <table class="table table-stack">
                            <thead><tr><th scope="col">"Name"</th><th scope="col">"Username"</th><th scope="col">"Role"</th><th scope="col">"Status"</th><th scope="col">"Two-factor"</th><th scope="col">"Last sign-in"</th><th scope="col">"Actions"</th></tr></thead>
                            <tbody>
                                {list.members.into_iter().map(|m| {
                                    let id = m.id;
                                    let status = match (m.active, m.invited) {
                                        (false, _) => "Deactivated",
                                        (true, true) => "Waiting for a password",
                                        (true, false) => "Active",
                                    };
                                    let role_label = match &m.provider {
                                        Some(p) => format!("{} · {}", m.role.label(), p.name),
                                        None => m.role.label().to_string(),
                                    };
                                    let providers = providers.clone();
                                    view! {
                                        <tr data-testid="staff-member" data-username=m.username.clone()>
                                            <td>{m.name.clone()}{m.is_you.then(|| view! { " " <span class="badge">"You"</span> })}</td>
                                            <td>{m.username.clone()}</td>
                                            <td>{role_label}</td>
                                            <td>{status}</td>
                                            <td data-testid="two-factor">{if m.two_factor { "On" } else { "Off" }}</td>
                                            <td>{if m.last_sign_in.is_empty() { "Never".to_string() } else { m.last_sign_in.clone() }}</td>
                                            <td>
                                                <details class="row-actions">
                                                    <summary>{format!("Change {}", m.name)}</summary>
                                                    <ActionForm action=role attr:class="form">
                                                        <input type="hidden" name="id" value=id/>
                                                        <RoleFields providers=providers role=m.role provider=m.provider.as_ref().map(|p| p.id) id=id.to_string()/>
                                                        <button class="btn btn-secondary btn-sm" type="submit">"Save role"</button>
                                                    </ActionForm>
                                                    <ActionForm action=active attr:class="form">
                                                        <input type="hidden" name="id" value=id/>
                                                        <input type="hidden" name="active" value=(!m.active).to_string()/>
                                                        <button class="btn btn-sm" class:btn-danger=m.active class:btn-secondary=!m.active type="submit">
                                                            {if m.active { "Deactivate" } else { "Reactivate" }}
                                                        </button>
                                                    </ActionForm>
                                                    {m.active.then(|| view! {
                                                        <ActionForm action=reset attr:class="form">
                                                            <input type="hidden" name="id" value=id/>
                                                            <button class="btn btn-secondary btn-sm" type="submit">"Reset password"</button>
                                                        </ActionForm>
                                                    })}
                                                    {(m.two_factor && !m.is_you).then(|| view! {
                                                        <ActionForm action=reset_2fa attr:class="form">
                                                            <input type="hidden" name="id" value=id/>
                                                            <button class="btn btn-secondary btn-sm" type="submit">"Reset two-factor sign-in"</button>
                                                        </ActionForm>
                                                    })}
                                                </details>
                                            </td>
                                        </tr>
                                    }
                                }).collect_view()}
                            </tbody>
                        </table>
                    </div>
                    <h2 id="two-factor">"Two-factor sign-in"</h2>
                    <div class="card">
                        <p>{if list.two_factor_required {
                            "Every staff member must enter a code from an authenticator app after their password."
                        } else {
                            "Admins must enter a code from an authenticator app after their password; other staff may set it up but do not have to."
                        }}</p>
                        <ActionForm action=require attr:class="form">
                            <input type="hidden" name="required" value=(!list.two_factor_required).to_string()/>
                            <button class="btn btn-secondary" type="submit">
                                {if list.two_factor_required { "Require it of admins only" } else { "Require it of all staff" }}
                            </button>
                        </ActionForm>
                    </div>
                    <h2 id="add-staff">"Add a staff member"</h2>
                    <ActionForm action=add attr:class="form card">
                        <FormError error=add_error/>
                        <TextField label="Name" name="name" autocomplete="off" error=field_error(add_error, "name") required=true/>
                        <TextField label="Email (they sign in with it)" name="email" input_type="email" autocomplete="off" error=field_error(add_error, "email") required=true/>
                        <RoleFields providers=list.providers role=StaffRole::FrontDesk provider=None id="new".to_string()/>
                        {move || field_error(add_error, "provider").get().map(|e| view! { <p class="field-error">{e}</p> })}
                        <SubmitButton label="Add and send the link" pending_label="Adding…" pending=add.pending()/>
                    </ActionForm>
                }.into_any()
            })}
        </Transition>
    }
}
