//! Accepting an invite: the invitee chooses a username and password; the browser makes the key
//! pair and derives the credentials (the password never leaves the browser). The invite carries
//! no keys: access to the unit's or the projects' data comes from a key holder's approval, for
//! which the newcomer's key fingerprint is shown here (and on the account page).

use crate::api::invites::{InviteDetails, Registration, INVITE_ACCEPT, INVITE_BY_TOKEN};
use crate::api::{url, with_param};
use crate::client::api::{get_json, post_json};
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
    let (busy, set_busy) = signal(false);
    let hydrated = crate::components::hydrated::use_hydrated();
    // After registration: the new key's fingerprint, and whether access waits for approval.
    let (done, set_done) = signal(None::<accept::Registered>);

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
        set_busy.set(true);
        let token = token();
        leptos::task::spawn_local(async move {
            match accept::run(&token, &invite, n.trim(), u.trim(), &p).await {
                Ok(registered) => set_done.set(Some(registered)),
                Err(message) => set_error.set(Some(message)),
            }
            set_busy.set(false);
        });
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

/// The invitee's browser side.
mod accept {
    use super::{post_json, url, with_param, InviteDetails, Registration, INVITE_ACCEPT};

    /// What registration leaves the newcomer with.
    #[derive(Debug, Clone)]
    pub struct Registered {
        /// The fingerprint of the new public key, to compare with whoever approves.
        pub fingerprint: String,
        /// Whether some access waits for a key holder's approval.
        pub waits: bool,
    }

    pub async fn run(
        token: &str,
        invite: &InviteDetails,
        name: &str,
        username: &str,
        password: &str,
    ) -> Result<Registered, String> {
        let (body, registered) = body(invite, name, username, password)?;
        let _: crate::api::invites::Registered =
            post_json(&url(&with_param(INVITE_ACCEPT, token)), &body).await?;
        Ok(registered)
    }

    #[cfg(feature = "hydrate")]
    fn body(
        invite: &InviteDetails,
        name: &str,
        username: &str,
        password: &str,
    ) -> Result<(Registration, Registered), String> {
        use base64::engine::general_purpose::STANDARD;
        use base64::Engine;
        use wasm_crypto::PrivateKey;
        let (credentials, key) = crate::client::credentials::new_key_pair(username, password)?;
        let user_public_key = credentials.public_key.clone();
        let mut body = Registration {
            name: name.to_string(),
            username: username.to_string(),
            credentials,
            unit_public_key: None,
            sealed_unit_key: None,
        };
        let staff = crate::domain::roles::Role::parse(&invite.role).is_some_and(|r| r.belongs_to_unit());
        // The unit's first staff member makes its key; everyone else waits for an approval.
        let makes_unit_key = staff && !invite.unit_has_key;
        if makes_unit_key {
            let unit_key = PrivateKey::generate();
            body.unit_public_key = Some(STANDARD.encode(unit_key.public_key().as_bytes()));
            body.sealed_unit_key = Some(crate::client::unit_keys::seal_to(&unit_key, &user_public_key)?);
        }
        let waits = (staff && !makes_unit_key) || !invite.projects.is_empty();
        Ok((body, Registered { fingerprint: key.public_key().fingerprint(), waits }))
    }

    #[cfg(not(feature = "hydrate"))]
    fn body(_: &InviteDetails, _: &str, _: &str, _: &str) -> Result<(Registration, Registered), String> {
        Err("Only available in the browser.".into())
    }
}
