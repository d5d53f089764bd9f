//! Accepting an invite: the invitee chooses a username and password; the browser makes the key
//! pair, derives the credentials and opens the invite key with the link's token. The password
//! never leaves the browser.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;
use serde::Deserialize;

use crate::components::api::{get_json, post_json};
use crate::domain::password_policy::check_new_password;
use crate::domain::username::{check_name, check_username};

#[derive(Debug, Clone, Deserialize)]
struct InviteDetails {
    email: String,
    role: String,
    unit: Option<String>,
    #[allow(dead_code)] // read in the browser build only
    wrapped_private_key: String,
    /// Staff invites: the unit's public key (`None`: no unit key yet, this browser makes it) and
    /// the unit key sealed to the invite key (`None`: access starts pending).
    #[serde(default)]
    #[allow(dead_code)] // read in the browser build only
    unit_public_key: Option<String>,
    #[serde(default)]
    #[allow(dead_code)]
    sealed_unit_key: Option<String>,
    /// Researcher invites: the projects it leads to, their keys sealed to the invite key.
    #[serde(default)]
    projects: Vec<InvitedProject>,
}

#[derive(Debug, Clone, Deserialize)]
struct InvitedProject {
    public_id: String,
    title: String,
    is_owner: bool,
    #[allow(dead_code)] // read in the browser build only
    sealed: Option<String>,
}

#[component]
pub fn RegisterPage() -> impl IntoView {
    let params = use_params_map();
    let token = move || params.read().get("token").unwrap_or_default();
    let details = LocalResource::new(move || {
        let token = token();
        async move { get_json::<InviteDetails>(&format!("/api/v1/invites/by-token/{token}")).await }
    });
    let name = RwSignal::new(String::new());
    let username = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let confirmation = RwSignal::new(String::new());
    let terms = RwSignal::new(false);
    let (error, set_error) = signal(None::<String>);
    let (busy, set_busy) = signal(false);
    let (done, set_done) = signal(false);

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
                Ok(()) => set_done.set(true),
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
                when=move || done.get()
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
                                <input type="password" name="password" autocomplete="new-password" required bind:value=password />
                            </label>
                            <label>
                                "Repeat the password"
                                <input type="password" name="confirm" autocomplete="new-password" required bind:value=confirmation />
                            </label>
                            <label class="checkbox">
                                <input type="checkbox" name="terms" bind:checked=terms />
                                "I accept the terms of use and the privacy policy."
                            </label>
                            <button type="submit" disabled=move || busy.get()>"Create account"</button>
                        </form>
                    }
                }
            >
                <p data-testid="registered">"Your account is ready. " <a href="/login">"Log in"</a> "."</p>
            </Show>
        </section>
    }
}

/// The invitee's browser side.
mod accept {
    use super::{post_json, InviteDetails};

    pub async fn run(
        token: &str,
        invite: &InviteDetails,
        name: &str,
        username: &str,
        password: &str,
    ) -> Result<(), String> {
        let body = body(token, invite, name, username, password)?;
        let _: serde_json::Value =
            post_json(&format!("/api/v1/invites/by-token/{token}/accept"), &body).await?;
        Ok(())
    }

    #[cfg(feature = "hydrate")]
    fn body(
        token: &str,
        invite: &InviteDetails,
        name: &str,
        username: &str,
        password: &str,
    ) -> Result<serde_json::Value, String> {
        use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
        use base64::Engine;
        use wasm_crypto::{InviteToken, KdfParams, MasterKey, PrivateKey, Salt, WrappedPrivateKey};
        let broken = || "This invitation link is damaged. Ask for a new invitation.".to_string();
        // Open the invite key: proves the link is intact (and, with projects, unlocks what was
        // sealed for the invitee).
        let token = URL_SAFE_NO_PAD
            .decode(token)
            .ok()
            .and_then(|t| InviteToken::from_slice(&t).ok())
            .ok_or_else(broken)?;
        let wrapped = STANDARD
            .decode(&invite.wrapped_private_key)
            .ok()
            .and_then(|w| WrappedPrivateKey::from_bytes(w).ok())
            .ok_or_else(broken)?;
        let invite_key = token.unwrap(&wrapped).map_err(|_| broken())?;
        let salt = Salt::random();
        let master =
            MasterKey::derive(password.as_bytes(), &salt, KdfParams::DEFAULT).map_err(|e| e.to_string())?;
        let key = PrivateKey::generate();
        let user_public_key = STANDARD.encode(key.public_key().as_bytes());
        let mut body = serde_json::json!({
            "name": name,
            "username": username,
            "salt": STANDARD.encode(salt.0),
            "kdf": {
                "memory_kib": KdfParams::DEFAULT.memory_kib,
                "iterations": KdfParams::DEFAULT.iterations,
                "parallelism": KdfParams::DEFAULT.parallelism,
            },
            "auth_key": STANDARD.encode(master.auth_key().as_bytes()),
            "public_key": &user_public_key,
            "wrapped_private_key": STANDARD.encode(master.kek().wrap(&key, username).as_bytes()),
        });
        // Unit staff: the unit key, re-sealed from the invite, or made here for a unit without one.
        let staff = crate::domain::roles::Role::parse(&invite.role).is_some_and(|r| r.belongs_to_unit());
        if staff {
            use crate::components::unit_keys::{open_sealed, seal_to};
            let unit_key = match (&invite.sealed_unit_key, &invite.unit_public_key) {
                (Some(sealed), _) => Some(open_sealed(&invite_key, sealed).map_err(|_| broken())?),
                (None, None) => {
                    let made = PrivateKey::generate();
                    body["unit_public_key"] = STANDARD.encode(made.public_key().as_bytes()).into();
                    Some(made)
                }
                (None, Some(_)) => None, // pending: a colleague restores it
            };
            if let Some(unit_key) = unit_key {
                body["sealed_unit_key"] = seal_to(&unit_key, &user_public_key)?.into();
            }
        }
        // Researchers: each project key the invite carries, re-sealed to the new key pair (the
        // others start "access pending" and are restored by someone with access).
        let mut project_keys = Vec::new();
        for project in &invite.projects {
            if let Some(sealed) = &project.sealed {
                use crate::components::unit_keys::{open_sealed, seal_to};
                let project_key = open_sealed(&invite_key, sealed).map_err(|_| broken())?;
                project_keys.push(serde_json::json!({
                    "project": project.public_id,
                    "sealed": seal_to(&project_key, &user_public_key)?,
                }));
            }
        }
        body["project_keys"] = project_keys.into();
        Ok(body)
    }

    #[cfg(not(feature = "hydrate"))]
    fn body(_: &str, _: &InviteDetails, _: &str, _: &str, _: &str) -> Result<serde_json::Value, String> {
        Err("Only available in the browser.".into())
    }
}
