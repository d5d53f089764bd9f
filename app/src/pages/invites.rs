//! Invite people (unit staff and Super Admins) and see pending invites. An invite carries no key
//! material: the server draws the link's token and mails it; the newcomer's access to keys comes
//! from a key holder's approval after registration (docs/security.md "Threat model").

use crate::api::invites::{InviteSummary, INVITES, INVITES_SHOWN};
use crate::api::url;
use crate::client::api::get_json;
use crate::client::invites;
use crate::components::pager::{cursor_pager, PagerWords};
use crate::components::session::CurrentUser;
use crate::components::sign_in::{is_visitor, LoginPrompt};
use crate::domain::dashboard::TimeCursor;
use crate::domain::dates::utc;
use crate::domain::roles::Role;
use crate::pages::users::Gate;
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
    view! {
        <Title text="Invites" />
        <h1>"Invites"</h1>
        <InvitesConsole />
    }
}

/// Who may cancel or re-send an invite (the server checks again): Super Admins and Unit Admins.
fn manages_invites(role: Role) -> bool {
    matches!(role, Role::SuperAdmin | Role::UnitAdmin)
}

/// The invite form and the pending invites with cancel and re-send (also the unit dashboard's
/// Invites tab, behind `gate`).
#[component]
pub fn InvitesConsole(#[prop(optional)] gate: Option<Gate>) -> impl IntoView {
    let user = expect_context::<CurrentUser>();
    let refused = move || user.get().and_then(|me| gate.and_then(|gate| gate(me.role).err()));
    let email = RwSignal::new(String::new());
    let role = RwSignal::new(Role::Researcher.as_str().to_string());
    let unit = RwSignal::new(String::new());
    let (error, set_error) = signal(None::<String>);
    let (sent, set_sent) = signal(None::<String>);
    let (version, set_version) = signal(0u32);
    // The page shown: the newest (None) or the one older than this cursor.
    let (before, set_before) = signal(None::<String>);
    let pending = LocalResource::new(move || {
        version.track();
        let before = before.get();
        // A visitor is asked to log in instead (no call that could only answer 401).
        let visitor = is_visitor(user);
        let refused = refused();
        async move {
            if visitor {
                return Err(String::new());
            }
            if let Some(sentence) = refused {
                return Err(sentence.to_string());
            }
            let path = crate::api::with_query(&url(INVITES), &[("before", before.as_deref())]);
            get_json::<Vec<InviteSummary>>(&path).await.map_err(String::from)
        }
    });

    let send_invite = Action::new_local(move |(to, as_role, unit_id): &(String, String, String)| {
        let (to, as_role, unit_id) = (to.clone(), as_role.clone(), unit_id.clone());
        async move {
            let unit_id = unit_id.trim().parse::<i64>().ok().map(crate::domain::ids::UnitId);
            // The select offers only roles' own spellings.
            let Some(as_role) = Role::parse(&as_role) else {
                set_error.set(Some("Choose a role.".into()));
                return;
            };
            match invites::invite(&to, as_role, unit_id).await {
                Ok(()) => {
                    set_sent.set(Some(format!("An invitation was sent to {}.", to.trim())));
                    email.set(String::new());
                    set_version.update(|v| *v += 1);
                }
                Err(err) => set_error.set(Some(err.to_string())),
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

    // The row awaiting "Yes, cancel".
    let (confirming, set_confirming) = signal(None::<i64>);
    let (done, set_done) = signal(None::<String>);
    let change = Action::new_local(move |(id, email, resend): &(i64, String, bool)| {
        let (id, email, resend) = (*id, email.clone(), *resend);
        async move {
            let result = if resend { invites::resend(id).await } else { invites::cancel(id).await };
            match result {
                Ok(()) => {
                    set_done.set(Some(if resend {
                        format!("A new invitation was sent to {email}; the earlier link no longer works.")
                    } else {
                        format!("The invitation to {email} was cancelled.")
                    }));
                    set_confirming.set(None);
                    set_version.update(|v| *v += 1);
                }
                Err(err) => set_error.set(Some(err.to_string())),
            }
        }
    });
    let act = move |id: i64, email: String, resend: bool| {
        set_error.set(None);
        set_done.set(None);
        change.dispatch((id, email, resend));
    };
    let manages = move || user.get().is_some_and(|me| manages_invites(me.role));

    view! {
        <Suspense fallback=|| view! { <p>"Loading…"</p> }>
            {move || {
                let Some(me) = user.get() else {
                    return view! { <LoginPrompt /> }.into_any();
                };
                if let Some(sentence) = refused() {
                    return view! { <p class="form-error" role="alert" data-testid="dashboard-refused">{sentence}</p> }
                        .into_any();
                }
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
        // Its own Suspense, reading the user as the form's does: no heading under a gate's
        // refusal, for a researcher or for a visitor (a nested Suspense broke hydration).
        <Suspense fallback=|| view! { <p>"Loading…"</p> }>
            {move || {
                let me = user.get()?;
                if refused().is_some() || invitable(me.role).is_empty() {
                    return None;
                }
                Some(view! {
        <section class="card">
            <h2>"Pending invitations"</h2>
            <Show when=move || done.get().is_some()>
                <p class="form-status" role="status" data-testid="invite-changed">{move || done.get()}</p>
            </Show>
                {move || {
                    pending
                        .get()
                        .map(|result| match result {
                            Err(message) => view! { <p class="form-error">{message}</p> }.into_any(),
                            Ok(list) if list.is_empty() => view! { <p>"No pending invitations."</p> }.into_any(),
                            Ok(list) => {
                                // A full page may have older invites after it.
                                let older = (list.len() as i64 >= INVITES_SHOWN)
                                    .then(|| list.last().map(|i| TimeCursor { at: i.created_at, id: i.id }.encode()))
                                    .flatten();
                                let words = PagerWords {
                                    label: "Pages of invitations",
                                    testid: "invites-pager",
                                    hint: format!("{INVITES_SHOWN} invitations a page, newest first."),
                                    first: "Newest",
                                    next: "Older",
                                };
                                let pager = cursor_pager(words, before.get_untracked().is_some(), older, set_before);
                                let rows = list
                                    .into_iter()
                                    .map(|i| {
                                        let (id, email) = (i.id, i.email.clone());
                                        let asking = move || confirming.get() == Some(id);
                                        let projects = if i.projects.is_empty() { "—".to_string() } else { i.projects.join(", ") };
                                        let actions = manages().then(|| {
                                            let (e1, e2) = (email.clone(), email.clone());
                                            view! {
                                                <div class="actions">
                                                    <Show
                                                        when=asking
                                                        fallback=move || {
                                                            let e1 = e1.clone();
                                                            view! {
                                                                <button type="button" data-testid="invite-resend" on:click=move |_| act(id, e1.clone(), true)>
                                                                    "Re-send"
                                                                </button>
                                                                <button
                                                                    type="button"
                                                                    class="button-danger"
                                                                    data-testid="invite-cancel"
                                                                    on:click=move |_| set_confirming.set(Some(id))
                                                                >
                                                                    "Cancel invite"
                                                                </button>
                                                            }
                                                        }
                                                    >
                                                        <span class="confirm-question">
                                                            {format!("Cancel the invitation to {email}? Its link stops working.")}
                                                        </span>
                                                        <button
                                                            type="button"
                                                            class="button-danger"
                                                            data-testid="invite-cancel-confirm"
                                                            on:click={
                                                                let e2 = e2.clone();
                                                                move |_| act(id, e2.clone(), false)
                                                            }
                                                        >
                                                            "Yes, cancel it"
                                                        </button>
                                                        <button type="button" on:click=move |_| set_confirming.set(None)>
                                                            "Keep it"
                                                        </button>
                                                    </Show>
                                                </div>
                                            }
                                        });
                                        view! {
                                            <tr data-invite=i.id>
                                                <td>{i.email}</td>
                                                <td>{i.role.as_str()}</td>
                                                <td>{projects}</td>
                                                <td>{utc(i.created_at)}</td>
                                                <td>{utc(i.expires_at)}</td>
                                                <td>{actions}</td>
                                            </tr>
                                        }
                                    })
                                    .collect_view();
                                view! {
                                    {pager}
                                    <div class="table-scroll">
                                        <table class="table" data-testid="pending-invites">
                                            <thead>
                                                <tr>
                                                    <th scope="col">"Email"</th>
                                                    <th scope="col">"Role"</th>
                                                    <th scope="col">"Projects"</th>
                                                    <th scope="col">"Created"</th>
                                                    <th scope="col">"Expires"</th>
                                                    <th scope="col">
                                                        <span class="visually-hidden">"Actions"</span>
                                                    </th>
                                                </tr>
                                            </thead>
                                            <tbody>{rows}</tbody>
                                        </table>
                                    </div>
                                }
                                    .into_any()
                            }
                        })
                }}
        </section>
                })
            }}
        </Suspense>
    }
}
