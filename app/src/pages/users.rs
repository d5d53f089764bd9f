//! Accounts the signed-in admin may see (Super Admins: all; unit staff: their unit), with
//! deactivate/reactivate and delete (after a confirm step) on the rows the viewer may manage, and
//! for Super Admins the reset of a lost authenticator app (back to emailed codes). Unit Admins
//! also see colleagues waiting for the unit key and approve them here, after comparing their key
//! fingerprint (docs/security.md "Threat model").
//! The server enforces the same rules and says why not.

use crate::api::keys::{UnitKeys, WaitingMember, UNIT_KEYS};
use crate::api::users::{Activation, UserSummary, USER, USERS, USERS_SHOWN, USER_TOTP};
use crate::api::{url, with_param};
use crate::client::api::{delete, get_json, send_json};
use crate::components::pager::{cursor_pager, PagerWords};
use crate::components::session::CurrentUser;
use crate::components::sign_in::{is_visitor, LoginPrompt};
use crate::components::waiting::WaitingList;
use crate::domain::dates::utc;
use crate::domain::permissions::{may_administer_user, Actor, Subject};
use crate::domain::roles::Role;
use crate::domain::second_factor::SecondFactor;
use leptos::prelude::*;

use crate::domain::ids::{UnitId, UserId};
use leptos_meta::Title;

/// Whether `viewer` may deactivate or delete a listed account. The list holds only accounts the
/// viewer may see (staff: their own unit), so "same unit" holds for every unit-staff row.
fn may_manage(viewer: Role, row_role: &str, is_me: bool) -> bool {
    let Some(row_role) = Role::parse(row_role) else {
        return false;
    };
    let unit = |role: Role| role.belongs_to_unit().then_some(UnitId(0));
    let actor = Actor { user_id: UserId(0), role: viewer, unit_id: unit(viewer) };
    let subject =
        Subject { user_id: Some(UserId(if is_me { 0 } else { 1 })), role: row_role, unit_id: unit(row_role) };
    may_administer_user(&actor, &subject).is_ok()
}

#[component]
pub fn UsersPage() -> impl IntoView {
    view! {
        <Title text="Users" />
        <h1>"Users"</h1>
        <UsersConsole />
    }
}

/// Decides before anything is asked whether a role may use a console, and if not, the sentence
/// that says so (the unit dashboard's tabs refuse everyone but unit staff).
pub type Gate = fn(Role) -> Result<(), &'static str>;

/// The accounts list with its actions (also the unit dashboard's Users tab, behind `gate`).
#[component]
pub fn UsersConsole(#[prop(optional)] gate: Option<Gate>) -> impl IntoView {
    let me = expect_context::<CurrentUser>();
    let (version, set_version) = signal(0u32);
    let (error, set_error) = signal(None::<String>);
    let (notice, set_notice) = signal(None::<String>);
    // What the search box holds, and the search the list shows.
    let typed = RwSignal::new(String::new());
    let (searched, set_searched) = signal(String::new());
    // The page shown: the first (None) or the one after this username.
    let (after, set_after) = signal(None::<String>);
    let accounts = LocalResource::new(move || {
        version.track();
        let search = searched.get();
        let after = after.get();
        // A visitor is asked to log in instead (no call that could only answer 401).
        let visitor = is_visitor(me);
        // Researchers manage no accounts: the server would refuse (403), so do not ask.
        let researcher = me.get().is_some_and(|u| u.role == Role::Researcher);
        let refused = me.get().and_then(|u| gate.and_then(|gate| gate(u.role).err()));
        async move {
            if visitor {
                return Err(String::new());
            }
            if let Some(sentence) = refused {
                return Err(sentence.to_string());
            }
            if researcher {
                return Err("Researchers do not manage user accounts.".to_string());
            }
            let search = Some(search.trim()).filter(|text| !text.is_empty());
            let path = crate::api::with_query(&url(USERS), &[("q", search), ("after", after.as_deref())]);
            get_json::<Vec<UserSummary>>(&path).await.map_err(String::from)
        }
    });
    // Unit staff: the unit key and, for Unit Admins holding it, who waits for it.
    let unit_keys = LocalResource::new(move || {
        version.track();
        let staff = me
            .get()
            .is_some_and(|u| u.role.belongs_to_unit() && gate.is_none_or(|gate| gate(u.role).is_ok()));
        async move {
            if staff {
                get_json::<UnitKeys>(&url(UNIT_KEYS)).await.map(Some).map_err(String::from)
            } else {
                Ok(None)
            }
        }
    });
    let (approving, set_approving) = signal(None::<String>);
    let approval = Action::new_local(move |(viewer, member): &(String, WaitingMember)| {
        let (viewer, member) = (viewer.clone(), member.clone());
        async move {
            match crate::client::unit_keys::approve(&viewer, &member).await {
                Ok(()) => {
                    set_notice.set(Some(format!("{} now has access to the unit's data.", member.name)));
                    set_version.update(|v| *v += 1);
                }
                Err(message) => set_error.set(Some(message)),
            }
            set_approving.set(None);
        }
    });
    let approve = Callback::new(move |member: WaitingMember| {
        let Some(viewer) = me.0.get_untracked().and_then(Result::ok).flatten() else {
            return;
        };
        set_error.set(None);
        set_approving.set(Some(member.username.clone()));
        approval.dispatch((viewer.username, member));
    });
    let activation = Action::new_local(move |(username, active): &(String, bool)| {
        let (username, active) = (username.clone(), *active);
        async move {
            let path = url(&with_param(USER, &username));
            match send_json::<_, ()>("PATCH", &path, &Activation { active }).await {
                Ok(()) => set_version.update(|v| *v += 1),
                Err(err) => set_error.set(Some(err.to_string())),
            }
        }
    });
    let toggle = move |username: String, active: bool| {
        set_error.set(None);
        activation.dispatch((username, active));
    };
    let totp_reset = Action::new_local(move |username: &String| {
        let username = username.clone();
        async move {
            match delete::<()>(&url(&with_param(USER_TOTP, &username))).await {
                Ok(()) => set_notice.set(Some(format!("{username} logs in with emailed codes from now on."))),
                Err(err) => set_error.set(Some(err.to_string())),
            }
        }
    });
    let reset_totp = move |username: String| {
        set_error.set(None);
        set_notice.set(None);
        totp_reset.dispatch(username);
    };
    // The row awaiting "Yes, delete".
    let (confirming, set_confirming) = signal(None::<String>);
    let removal = Action::new_local(move |username: &String| {
        let username = username.clone();
        async move {
            match delete::<()>(&url(&with_param(USER, &username))).await {
                Ok(()) => {
                    set_confirming.set(None);
                    set_version.update(|v| *v += 1);
                }
                Err(err) => set_error.set(Some(err.to_string())),
            }
        }
    });
    let remove = move |username: String| {
        set_error.set(None);
        removal.dispatch(username);
    };
    // Above the list (inside its Suspense, so the server and the browser render it alike).
    let search_form = move || {
        view! {
            <form
                class="filters"
                data-testid="user-search"
                on:submit=move |ev: leptos::ev::SubmitEvent| {
                    ev.prevent_default();
                    set_after.set(None);
                    set_searched.set(typed.get_untracked());
                }
            >
                <label>
                    "Find an account"
                    <input
                        type="search"
                        maxlength="100"
                        placeholder="Username, name or email"
                        bind:value=typed
                        data-testid="user-search-text"
                    />
                </label>
                <button type="submit" data-testid="user-search-go">"Search"</button>
            </form>
        }
    };
    view! {
        <Show when=move || error.get().is_some()>
            <p class="form-error" role="alert" data-testid="users-error">{move || error.get()}</p>
        </Show>
        <Show when=move || notice.get().is_some()>
            <p class="form-status" role="status" data-testid="users-notice">{move || notice.get()}</p>
        </Show>
        <Suspense fallback=|| ()>
            {move || {
                unit_keys
                    .get()
                    .and_then(Result::ok)
                    .flatten()
                    .map(|keys| {
                        view! {
                            <WaitingList
                                waiting=keys.waiting
                                what="the unit key"
                                can_approve=keys.may_approve
                                approve=approve
                                busy=approving
                            />
                        }
                    })
            }}
        </Suspense>
        <Suspense fallback=|| view! { <p>"Loading…"</p> }>
            {move || {
                if is_visitor(me) {
                    return Some(view! { <LoginPrompt /> }.into_any());
                }
                accounts
                    .get()
                    .map(|result| match result {
                        Err(message) => {
                            // The dashboard's refusal reads like its other tabs'.
                            let gated = me.get().is_some_and(|u| gate.is_some_and(|gate| gate(u.role).is_err()));
                            let testid = if gated { "dashboard-refused" } else { "users-refused" };
                            view! { <p class="form-error" role="alert" data-testid=testid>{message}</p> }.into_any()
                        }
                        Ok(list) if list.is_empty() => {
                            view! {
                                {search_form()}
                                <p data-testid="users-none">"No account matches."</p>
                            }
                                .into_any()
                        }
                        Ok(list) => {
                            // A full page may have more after it; any later page has a first.
                            let last = (list.len() as i64 >= USERS_SHOWN)
                                .then(|| list.last().map(|u| u.username.clone()))
                                .flatten();
                            let words = PagerWords {
                                label: "Pages of accounts",
                                testid: "users-pager",
                                hint: format!("{USERS_SHOWN} accounts a page, by username."),
                                first: "First page",
                                next: "Next page",
                            };
                            let capped = cursor_pager(words, after.get_untracked().is_some(), last, set_after);
                            view! {
                                {search_form()}
                                {capped}
                                <div class="table-scroll">
                                <table class="table" data-testid="users">
                                    <thead>
                                        <tr>
                                            <th>"Username"</th>
                                            <th>"Name"</th>
                                            <th>"Email"</th>
                                            <th>"Role"</th>
                                            <th>"Status"</th>
                                            <th>"Second factor"</th>
                                            <th>"Last login"</th>
                                            <th></th>
                                        </tr>
                                    </thead>
                                    <tbody>
                                        {list
                                            .into_iter()
                                            .map(|a| {
                                                let (username, active) = (a.username.clone(), a.active);
                                                let row_id = a.username.clone();
                                                // Never on one's own row (the server refuses too).
                                                let is_me = me.get().is_some_and(|u| u.username == a.username);
                                                let manage = me.get().is_some_and(|u| may_manage(u.role, a.role.as_str(), is_me));
                                                // Only Super Admins reset a lost authenticator app (DDS).
                                                let resets_totp = !is_me && me.get().is_some_and(|u| u.role == Role::SuperAdmin);
                                                let confirm_name = StoredValue::new(a.username.clone());
                                                let asking = move || confirming.get().as_deref() == Some(confirm_name.get_value().as_str());
                                                view! {
                                                    <tr data-user=row_id>
                                                        <td>{a.username}</td>
                                                        <td>{a.name}</td>
                                                        <td>{a.email}</td>
                                                        <td>{a.role.as_str()}</td>
                                                        <td>{if a.active { "Active" } else { "Deactivated" }}</td>
                                                        <td>
                                                            {match a.second_factor {
                                                                SecondFactor::Totp => "Authenticator app",
                                                                SecondFactor::Email => "Emailed codes",
                                                            }}
                                                        </td>
                                                        <td>{a.last_login.map(utc).unwrap_or_else(|| "never".into())}</td>
                                                        <td>
                                                            <div class="actions">
                                                                <Show when=move || manage>
                                                                    <Show
                                                                        when=asking
                                                                        fallback={
                                                                            let username = username.clone();
                                                                            move || {
                                                                                let (u1, u2, u3) = (username.clone(), username.clone(), username.clone());
                                                                                view! {
                                                                                    <button type="button" on:click=move |_| toggle(u1.clone(), !active)>
                                                                                        {if active { "Deactivate" } else { "Reactivate" }}
                                                                                    </button>
                                                                                    <button
                                                                                        type="button"
                                                                                        class="button-danger"
                                                                                        on:click=move |_| set_confirming.set(Some(u2.clone()))
                                                                                    >
                                                                                        "Delete"
                                                                                    </button>
                                                                                    <Show when=move || resets_totp>
                                                                                        <button
                                                                                            type="button"
                                                                                            on:click={
                                                                                                let u3 = u3.clone();
                                                                                                move |_| reset_totp(u3.clone())
                                                                                            }
                                                                                        >
                                                                                            "Reset authenticator"
                                                                                        </button>
                                                                                    </Show>
                                                                                }
                                                                            }
                                                                        }
                                                                    >
                                                                        <span class="confirm-question">
                                                                            {format!("Delete {}? This cannot be undone.", confirm_name.get_value())}
                                                                        </span>
                                                                        <button
                                                                            type="button"
                                                                            class="button-danger"
                                                                            on:click=move |_| remove(confirm_name.get_value())
                                                                        >
                                                                            "Yes, delete"
                                                                        </button>
                                                                        <button type="button" on:click=move |_| set_confirming.set(None)>
                                                                            "Cancel"
                                                                        </button>
                                                                    </Show>
                                                                </Show>
                                                            </div>
                                                        </td>
                                                    </tr>
                                                }
                                            })
                                            .collect_view()}
                                    </tbody>
                                </table>
                                </div>
                            }
                                .into_any()
                        }
                    })
            }}
        </Suspense>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn buttons_follow_the_administration_rules() {
        assert!(may_manage(Role::SuperAdmin, "Researcher", false));
        assert!(!may_manage(Role::SuperAdmin, "Super Admin", true), "never one's own row");
        assert!(may_manage(Role::UnitAdmin, "Unit Personnel", false));
        assert!(may_manage(Role::UnitAdmin, "Unit Admin", false));
        assert!(!may_manage(Role::UnitAdmin, "Unit Admin", true));
        assert!(!may_manage(Role::UnitAdmin, "Researcher", false));
        assert!(!may_manage(Role::UnitPersonnel, "Unit Personnel", false));
        assert!(!may_manage(Role::SuperAdmin, "Project Owner", false), "unknown roles: no buttons");
    }
}
