//! Log in: the password never leaves the browser. Pre-login gives the salt and cost; wasm-crypto
//! derives the master key here and sends only `auth_key`; then the emailed one-time code. Once
//! signed in, the page unwraps the user's private key and keeps it for the tab (`keyring`).

use leptos::prelude::*;
use leptos_meta::Title;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Step {
    Password,
    /// The one-time code: emailed (`false`) or from an authenticator app (`true`).
    Code {
        app: bool,
    },
}

#[component]
pub fn LoginPage() -> impl IntoView {
    let (step, set_step) = signal(Step::Password);
    let (busy, set_busy) = signal(None::<&'static str>);
    let (error, set_error) = signal(None::<String>);
    let username = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let code = RwSignal::new(String::new());
    let query = leptos_router::hooks::use_query_map();
    let next = Memo::new(move |_| crate::domain::redirect::safe_next(query.read().get("next").as_deref()));
    // The master key between the password and the code steps (wasm memory, never the DOM), and
    // the username as registered (the server names it once the password was right).
    let unlocker = StoredValue::new(None::<flow::Unlocker>);
    let registered_name = StoredValue::new(String::new());

    let submit_password = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        set_error.set(None);
        set_busy.set(Some("Checking your password…"));
        let (name, secret) = (username.get_untracked(), password.get_untracked());
        leptos::task::spawn_local(async move {
            match flow::log_in(&name, &secret).await {
                Ok((app, keys, registered)) => {
                    unlocker.set_value(Some(keys));
                    registered_name.set_value(registered);
                    password.set(String::new());
                    set_step.set(Step::Code { app });
                }
                Err(message) => set_error.set(Some(message)),
            }
            set_busy.set(None);
        });
    };

    let submit_code = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        set_error.set(None);
        set_busy.set(Some("Verifying the code…"));
        let (given, name) = (code.get_untracked(), registered_name.get_value());
        leptos::task::spawn_local(async move {
            match flow::second_factor(&given).await {
                Ok(()) => {
                    set_busy.set(Some("Unlocking your keys…"));
                    if let Some(keys) = unlocker.try_update_value(Option::take).flatten() {
                        // A failure here does not undo the login: pages that need the key say so.
                        if let Err(message) = flow::keep_user_key(&name, keys).await {
                            leptos::logging::warn!("keys not kept for this tab: {message}");
                        }
                    }
                    // A full load, so the server renders the signed-in page.
                    flow::go_to(&next.get_untracked())
                }
                Err(message) => {
                    set_error.set(Some(message));
                    set_busy.set(None);
                }
            }
        });
    };

    let hydrated = crate::components::hydrated::use_hydrated();
    view! {
        <Title text="Log in" />
        <section class="auth-card">
            <h1>"Log in"</h1>
            <Show when=move || error.get().is_some()>
                <p class="form-error" role="alert" data-testid="login-error">{move || error.get()}</p>
            </Show>
            <Show
                when=move || step.get() == Step::Password
                fallback=move || {
                    view! {
                        <form on:submit=submit_code data-testid="code-form">
                            <p>
                                {move || match step.get() {
                                    Step::Code { app: true } => "Enter the 6-digit code from your authenticator app.",
                                    _ => "We sent a one-time code to your primary email. It is valid for 15 minutes.",
                                }}
                            </p>
                            <label>
                                "One-time code"
                                <input
                                    name="code"
                                    inputmode="numeric"
                                    autocomplete="one-time-code"
                                    maxlength="8"
                                    required
                                    bind:value=code
                                />
                            </label>
                            <button type="submit" disabled=move || busy.get().is_some()>
                                "Verify"
                            </button>
                        </form>
                    }
                }
            >
                <form on:submit=submit_password data-testid="password-form">
                    <label>
                        "Username"
                        <input name="username" autocomplete="username" required bind:value=username />
                    </label>
                    <label>
                        "Password"
                        <input type="password" autocomplete="current-password" required bind:value=password />
                    </label>
                    // Disabled until the page is live: never a plain form submission (a GET with
                    // the fields in the URL) that could carry the password.
                    <button type="submit" disabled=move || busy.get().is_some() || !hydrated.get()>
                        "Log in"
                    </button>
                    <a href="/reset-password" data-testid="forgot-password">"Forgot your password?"</a>
                </form>
            </Show>
            <Show when=move || busy.get().is_some()>
                <p class="form-status" role="status">{move || busy.get()}</p>
            </Show>
        </section>
    }
}

/// The browser side of the flow.
mod flow {
    use crate::api::auth::{
        LoginAnswer, LoginRequest, Prelogin, PreloginRequest, SecondFactorRequest, SignedInUser, LOGIN,
        PRELOGIN, SECOND_FACTOR,
    };
    use crate::api::url;
    use crate::client::api::post_json;

    /// What unlocks the user's private key once signed in: the master key (browser build only).
    #[cfg(feature = "hydrate")]
    pub type Unlocker = wasm_crypto::MasterKey;
    #[cfg(not(feature = "hydrate"))]
    pub type Unlocker = ();

    /// `Ok((true, ..))` when the next step is an authenticator code, `(false, ..)` for an emailed
    /// one; with the master key for [`keep_user_key`] and the username as registered (the typed
    /// one may differ in letter case; the key is bound to the registered one).
    pub async fn log_in(username: &str, password: &str) -> Result<(bool, Unlocker, String), String> {
        let username = username.trim();
        if username.is_empty() || password.is_empty() {
            return Err("Enter your username and password.".into());
        }
        let pre: Prelogin = post_json(&url(PRELOGIN), &PreloginRequest { username: username.into() }).await?;
        let (auth_key, master) = derive_auth_key(password, &pre)?;
        let request = LoginRequest { username: username.into(), auth_key };
        let answer: LoginAnswer = post_json(&url(LOGIN), &request).await?;
        Ok((
            answer.second_factor == crate::domain::second_factor::SecondFactor::Totp,
            master,
            answer.username,
        ))
    }

    /// Unwraps the user's private key with the kek and keeps it for this tab (DESIGN §3).
    #[cfg(feature = "hydrate")]
    pub async fn keep_user_key(username: &str, master: Unlocker) -> Result<(), String> {
        use crate::api::account::{KeyMaterial, MY_KEYS};
        use base64::engine::general_purpose::STANDARD;
        use base64::Engine;
        let keys: KeyMaterial = crate::client::api::get_json(&url(MY_KEYS)).await?;
        let wrapped = STANDARD
            .decode(&keys.wrapped_private_key)
            .ok()
            .and_then(|bytes| wasm_crypto::WrappedPrivateKey::from_bytes(bytes).ok())
            .ok_or("The portal sent unusable key material.")?;
        let key = master.kek().unwrap(&wrapped, username).map_err(|e| e.to_string())?;
        crate::client::keyring::keep(username, &key).await
    }

    #[cfg(not(feature = "hydrate"))]
    pub async fn keep_user_key(_username: &str, _master: Unlocker) -> Result<(), String> {
        Err("Only available in the browser.".into())
    }

    pub async fn second_factor(code: &str) -> Result<(), String> {
        let code = code.trim();
        if !(code.len() == 6 || code.len() == 8) || !code.chars().all(|c| c.is_ascii_digit()) {
            return Err("Enter the code: 8 digits from the email, or 6 from your authenticator app.".into());
        }
        let _: SignedInUser =
            post_json(&url(SECOND_FACTOR), &SecondFactorRequest { code: code.into() }).await?;
        Ok(())
    }

    #[cfg(feature = "hydrate")]
    fn derive_auth_key(password: &str, pre: &Prelogin) -> Result<(String, Unlocker), String> {
        use base64::engine::general_purpose::STANDARD;
        use base64::Engine;
        let salt = STANDARD
            .decode(&pre.salt)
            .ok()
            .and_then(|bytes| wasm_crypto::Salt::from_slice(&bytes).ok())
            .ok_or("The portal sent an unusable salt.")?;
        let params = crate::client::credentials::params(&pre.kdf.params);
        // Refuses parameters below the floor: a server cannot make guessing cheaper.
        let master =
            wasm_crypto::MasterKey::derive(password.as_bytes(), &salt, params).map_err(|e| e.to_string())?;
        Ok((STANDARD.encode(master.auth_key().as_bytes()), master))
    }

    #[cfg(not(feature = "hydrate"))]
    fn derive_auth_key(_password: &str, _pre: &Prelogin) -> Result<(String, Unlocker), String> {
        Err("Only available in the browser.".into())
    }

    /// After login: the page that sent the user here (`?next=`, local paths only), else home.
    pub fn go_to(_path: &str) {
        #[cfg(feature = "hydrate")]
        let _ = leptos::prelude::window().location().set_href(_path);
    }
}
