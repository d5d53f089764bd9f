//! Accepting an invite: the invitee chooses a username and password; the browser makes the key
//! pair and derives the credentials (the password never leaves the browser). The invite carries
//! no keys: access to the unit's or the projects' data comes from a key holder's approval, for
//! which the newcomer's key fingerprint is shown here (and on the account page).

use crate::api::invites::{InviteDetails, INVITE_BY_TOKEN};
use crate::api::{url, with_param};
use crate::client::api::get_json;
use crate::client::credentials::{self, NewAccount, Registered};
use crate::domain::password_policy::check_new_password;
use crate::domain::username::{check_name, check_username};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

#[component]
pub fn RegisterPage() -> impl IntoView {
    let params = use_params_map();
    let token = move || params.read().get("token").unwrap_or_default();
    let details = LocalResource::new(move || {
        let token = token();
        async move {
            get_json::<InviteDetails>(&url(&with_param(INVITE_BY_TOKEN, &token))).await.map_err(String::from)
        }
    });
    let name = RwSignal::new(String::new());
    let username = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let confirmation = RwSignal::new(String::new());
    let terms = RwSignal::new(false);
    let (error, set_error) = signal(None::<String>);
    let hydrated = crate::components::hydrated::use_hydrated();
    // After registration: the new key's fingerprint, and whether access waits for approval.
    let (done, set_done) = signal(None::<Registered>);
    // (token, invite, name, username, password)
    let register = Action::new_local(|input: &(String, InviteDetails, String, String, String)| {
        let (token, invite, name, username, password) = input.clone();
        async move {
            let account = NewAccount { name: &name, username: &username, password: &password };
            credentials::register(&token, &invite, account).await
        }
    });
    let busy = register.pending();
    Effect::new(move || match register.value().get() {
        Some(Ok(registered)) => set_done.set(Some(registered)),
        Some(Err(err)) => set_error.set(Some(err.to_string())),
        None => {}
    });

    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        set_error.set(None);
        let (n, u, p, c) = (
            name.get_untracked(),
            username.get_untracked(),
            password.get_untracked(),
            confirmation.get_untracked(),
        );
        let checks = check_name(&n).and(check_username(u.trim())).and(check_new_password(&p, &c, u.trim()));
        if let Err(message) = checks {
            set_error.set(Some(message.to_string()));
            return;
        }
        if !terms.get_untracked() {
            set_error.set(Some("Please accept the terms of use.".into()));
            return;
        }
        let Some(Ok(invite)) = details.get_untracked() else {
            return;
        };
        register.dispatch((token(), invite, n.trim().to_string(), u.trim().to_string(), p));
    };

    view! {
        <Title text="Create your account" />
        <section class="auth-card">
            <h1>"Create your account"</h1>
            <Suspense fallback=|| view! { <p>"Checking the invitation…"</p> }>
                {move || {
                    details
                        .get()
                        .map(|result| match result {
                            Err(message) => {
                                view! { <p class="form-error" role="alert" data-testid="invite-invalid">{message}</p> }
                                    .into_any()
                            }
                            Ok(invite) => {
                                let unit = invite.unit.clone().map(|u| format!(" at {u}")).unwrap_or_default();
                                let projects = invite
                                    .projects
                                    .iter()
                                    .map(|p| {
                                        let capacity = if p.is_owner { "Project Owner" } else { "Researcher" };
                                        format!("{} ({}) as {capacity}", p.public_id, p.title)
                                    })
                                    .collect::<Vec<_>>();
                                view! {
                                    <p data-testid="invite-summary">
                                        {format!("You are invited as {}{} ({}).", invite.role, unit, invite.email)}
                                    </p>
                                    <Show when={
                                        let any = !projects.is_empty();
                                        move || any
                                    }>
                                        <p data-testid="invite-projects">
                                            {format!("Projects: {}.", projects.join(", "))}
                                        </p>
                                    </Show>
                                }
                                    .into_any()
                            }
                        })
                }}
            </Suspense>
            <Show when=move || error.get().is_some()>
                <p class="form-error" role="alert" data-testid="register-error">{move || error.get()}</p>
            </Show>
            <Show
                when=move || done.get().is_some()
                fallback=move || {
                    view! {
                        <form on:submit=submit data-testid="register-form">
                            <label>"Name" <input name="name" autocomplete="name" required bind:value=name /></label>
                            <label>
                                "Username"
                                <input name="username" autocomplete="username" required bind:value=username />
                            </label>
                            <label>
                                "Password"
                                <input type="password" autocomplete="new-password" required bind:value=password />
                            </label>
                            <label>
                                "Repeat the password"
                                <input type="password" autocomplete="new-password" required bind:value=confirmation />
                            </label>
                            <label class="checkbox">
                                <input type="checkbox" name="terms" bind:checked=terms />
                                "I accept the "
                                <a href="/terms" target="_blank">"terms of use"</a>
                                " and the "
                                <a href="/privacy" target="_blank">"privacy notice"</a>
                                "."
                            </label>
                            <button type="submit" disabled=move || busy.get() || !hydrated.get()>"Create account"</button>
                        </form>
                    }
                }
            >
                {move || {
                    done.get()
                        .map(|registered| {
                            let waits = registered.waits;
                            view! {
                                <p data-testid="registered">"Your account is ready. " <a href="/login">"Log in"</a> "."</p>
                                <p>
                                    "Your key fingerprint: "
                                    <code class="fingerprint" data-testid="my-fingerprint">{registered.fingerprint}</code>
                                </p>
                                <Show when=move || waits>
                                    <p data-testid="waits-for-approval">
                                        "Someone who holds the keys (a Unit Admin, or for a project its unit staff or Project Owner) must now approve your access. "
                                        "They will ask you to confirm this fingerprint: it is also on your account page."
                                    </p>
                                </Show>
                            }
                        })
                }}
            </Show>
        </section>
    }
}
