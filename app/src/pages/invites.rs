//! Invite people (unit staff and Super Admins) and see pending invites. An invite carries no key
//! material: the server draws the link's token and mails it; the newcomer's access to keys comes
//! from a key holder's approval after registration (docs/security.md "Threat model").

use crate::api::invites::{InviteSummary, INVITES};
use crate::api::url;
use crate::client::api::{get_json, post_json};
use crate::components::session::CurrentUser;
use crate::components::sign_in::{is_visitor, LoginPrompt};
use crate::domain::roles::Role;
use leptos::prelude::*;
use leptos_meta::Title;

/// The roles `inviter` may invite (the server checks again).
fn invitable(inviter: Role) -> &'static [Role] {
    match inviter {
        Role::SuperAdmin => &Role::ALL,
        Role::UnitAdmin => &[Role::UnitAdmin, Role::UnitPersonnel, Role::Researcher],
        Role::UnitPersonnel => &[Role::UnitPersonnel, Role::Researcher],
        Role::Researcher => &[],
    }
}

#[component]
pub fn InvitesPage() -> impl IntoView {
    let user = expect_context::<CurrentUser>();
    let email = RwSignal::new(String::new());
    let role = RwSignal::new(Role::Researcher.as_str().to_string());
    let unit = RwSignal::new(String::new());
    let (error, set_error) = signal(None::<String>);
    let (sent, set_sent) = signal(None::<String>);
    let (version, set_version) = signal(0u32);
    let pending = LocalResource::new(move || {
        version.track();
        // A visitor is asked to log in instead (no call that could only answer 401).
        let visitor = is_visitor(user);
        async move {
            if visitor {
                return Err(String::new());
            }
            get_json::<Vec<InviteSummary>>(&url(INVITES)).await.map_err(String::from)
        }
    });

    let send_invite = Action::new_local(move |(to, as_role, unit_id): &(String, String, String)| {
        let (to, as_role, unit_id) = (to.clone(), as_role.clone(), unit_id.clone());
        async move {
            let unit_id = unit_id.trim().parse::<i64>().ok().map(crate::domain::ids::UnitId);
            match make::invite(&to, &as_role, unit_id).await {
                Ok(()) => {
                    set_sent.set(Some(format!("An invitation was sent to {}.", to.trim())));
                    email.set(String::new());
                    set_version.update(|v| *v += 1);
                }
                Err(message) => set_error.set(Some(message)),
            }
        }
    });
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        set_error.set(None);
        set_sent.set(None);
        let (to, as_role, unit_id) = (email.get_untracked(), role.get_untracked(), unit.get_untracked());
        send_invite.dispatch((to, as_role, unit_id));
    };

    view! {
        <Title text="Invites" />
        <h1>"Invites"</h1>
        <Suspense fallback=|| view! { <p>"Loading…"</p> }>
            {move || {
                let Some(me) = user.get() else {
                    return view! { <LoginPrompt /> }.into_any();
                };
                let roles = invitable(me.role);
                if roles.is_empty() {
                    return view! { <p>"Researchers cannot invite users."</p> }.into_any();
                }
                let super_admin = me.role == Role::SuperAdmin;
                view! {
                    <section class="card">
                        <h2>"Invite someone"</h2>
                        <Show when=move || error.get().is_some()>
                            <p class="form-error" role="alert" data-testid="invite-error">{move || error.get()}</p>
                        </Show>
                        <Show when=move || sent.get().is_some()>
                            <p class="form-status" role="status" data-testid="invite-sent">{move || sent.get()}</p>
                        </Show>
                        <form class="stacked-form" on:submit=submit>
                            <label>
                                "Email"
                                <input type="email" name="email" required bind:value=email />
                            </label>
                            <label>
                                "Role"
                                <select name="role" bind:value=role>
                                    {roles
                                        .iter()
                                        .map(|r| view! { <option value=r.as_str()>{r.as_str()}</option> })
                                        .collect_view()}
                                </select>
                            </label>
                            <Show when=move || super_admin>
                                <label>
                                    "Unit id (for unit staff)"
                                    <input name="unit" inputmode="numeric" bind:value=unit />
                                </label>
                            </Show>
                            <button type="submit">"Send invitation"</button>
                        </form>
                    </section>
                }
                    .into_any()
            }}
        </Suspense>
        <section class="card">
            <h2>"Pending invitations"</h2>
            <Suspense fallback=|| view! { <p>"Loading…"</p> }>
                {move || {
                    pending
                        .get()
                        .map(|result| match result {
                            Err(message) => view! { <p class="form-error">{message}</p> }.into_any(),
                            Ok(list) if list.is_empty() => view! { <p>"No pending invitations."</p> }.into_any(),
                            Ok(list) => {
                                view! {
                                    <table class="table" data-testid="pending-invites">
                                        <thead>
                                            <tr>
                                                <th>"Email"</th>
                                                <th>"Role"</th>
                                            </tr>
                                        </thead>
                                        <tbody>
                                            {list
                                                .into_iter()
                                                .map(|i| {
                                                    view! {
                                                        <tr data-invite=i.id>
                                                            <td>{i.email}</td>
                                                            <td>{i.role}</td>
                                                        </tr>
                                                    }
                                                })
                                                .collect_view()}
                                        </tbody>
                                    </table>
                                }
                                    .into_any()
                            }
                        })
                }}
            </Suspense>
        </section>
    }
}

/// Sending invites (also used by the project page).
pub(crate) mod make {
    use super::post_json;
    use crate::api::invites::{Invited, NewInvite, INVITES};
    use crate::api::url;
    use crate::domain::ids::UnitId;

    /// Invites `email` as a Researcher (or Project Owner) of `project`. The answer says whether
    /// an invite was mailed or a known Researcher was added.
    pub async fn invite_to_project(email: &str, project: &str, owner: bool) -> Result<Invited, String> {
        let invite = NewInvite {
            email: email.trim().to_string(),
            role: crate::domain::roles::Role::Researcher.as_str().to_string(),
            unit_id: None,
            project: Some(project.to_string()),
            owner,
        };
        Ok(post_json(&url(INVITES), &invite).await?)
    }

    pub async fn invite(email: &str, role: &str, unit_id: Option<UnitId>) -> Result<(), String> {
        let invite = NewInvite {
            email: email.trim().to_string(),
            role: role.to_string(),
            unit_id,
            project: None,
            owner: false,
        };
        post_json::<_, Invited>(&url(INVITES), &invite).await?;
        Ok(())
    }
}
