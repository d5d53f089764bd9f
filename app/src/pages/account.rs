//! The signed-in user's account: who they are, their second factor (switch to an authenticator
//! app: QR code drawn by the server, confirmed with a first code; back to emailed codes by an
//! emailed link; both only with the password given again, turned into its auth_key here),
//! password change, and deleting the account (by an emailed link).

use crate::api::account::{
    ConfirmTotp, Reauth, TotpSetup, MY_DELETION, MY_EMAIL_CODES, MY_TOTP, MY_TOTP_CONFIRM,
};
use crate::api::{url, Message};
use crate::client::api::{post_empty, post_json};
use crate::client::credentials;
use crate::components::session::CurrentUser;
use crate::components::sign_in::LoginPrompt;
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn AccountPage() -> impl IntoView {
    let user = expect_context::<CurrentUser>();
    view! {
        <Title text="Account" />
        <h1>"Account"</h1>
        <Suspense fallback=|| view! { <p>"Loading…"</p> }>
            {move || match user.get() {
                None => view! { <LoginPrompt /> }.into_any(),
                Some(u) => {
                    view! {
                        <dl class="facts">
                            <dt>"Username"</dt>
                            <dd>{u.username.clone()}</dd>
                            <dt>"Name"</dt>
                            <dd>{u.name.clone()}</dd>
                            <dt>"Email"</dt>
                            <dd>{u.email.clone()}</dd>
                            <dt>"Role"</dt>
                            <dd>{u.role.as_str()}</dd>
                        </dl>
                        <KeyStatus username=u.username.clone() staff=u.role.belongs_to_unit() />
                        <TwoFactor method=u.second_factor />
                        <ChangePassword username=u.username.clone() />
                        // Super Admins cannot delete their own account (DDS): no button to refuse.
                        {(u.role != crate::domain::roles::Role::SuperAdmin).then(|| view! { <DeleteAccount /> })}
                    }
                        .into_any()
                }
            }}
        </Suspense>
    }
}

/// Whether this tab holds the user's private key (kept at login, DESIGN §3 "Session") and, for
/// unit staff, the unit key. Checked after hydration only (the server cannot know): both sides
/// render "Checking…" first, so hydration matches.
#[component]
fn KeyStatus(username: String, staff: bool) -> impl IntoView {
    let (user_key, set_user_key) = signal(None::<Result<String, String>>);
    let (unit_key, set_unit_key) = signal(None::<Result<(), String>>);
    let check_keys = Action::new_local(move |username: &String| {
        let username = username.clone();
        async move {
            set_user_key.set(Some(crate::client::keyring::check(&username).await));
            if staff {
                set_unit_key.set(Some(crate::client::unit_keys::check(&username).await));
            }
        }
    });
    Effect::new(move |_| {
        let username = username.clone();
        check_keys.dispatch(username);
    });
    view! {
        <section class="card" data-testid="key-status">
            <h2>"Your keys"</h2>
            {move || match user_key.get() {
                None => view! { <p>"Checking your keys…"</p> }.into_any(),
                Some(Ok(fingerprint)) => {
                    view! {
                        <p data-testid="keys-unlocked">
                            "Your private key is unlocked in this browser tab. It never leaves your browser unencrypted."
                        </p>
                        <p>
                            "Your key fingerprint: "
                            <code class="fingerprint" data-testid="my-fingerprint">{fingerprint}</code>
                        </p>
                        <p>
                            "Whoever approves your access to a unit or project sees a fingerprint next to your name: "
                            "compare the two, in person or on the phone. If they differ, the key is not yours: do not let them approve."
                        </p>
                    }
                        .into_any()
                }
                Some(Err(message)) => view! { <p class="form-error" data-testid="keys-locked">{message}</p> }.into_any(),
            }}
            {move || match unit_key.get() {
                None => ().into_any(),
                Some(Ok(())) => {
                    view! {
                        <p data-testid="unit-key-held">
                            "You hold your unit's key. Unit Admins approve colleagues who wait for it on the users page."
                        </p>
                    }
                        .into_any()
                }
                Some(Err(message)) => view! { <p data-testid="unit-key-pending">{message}</p> }.into_any(),
            }}
        </section>
    }
}

#[component]
fn TwoFactor(method: crate::domain::second_factor::SecondFactor) -> impl IntoView {
    let (enabled, set_enabled) = signal(method == crate::domain::second_factor::SecondFactor::Totp);
    let (setup, set_setup) = signal(None::<TotpSetup>);
    let (error, set_error) = signal(None::<String>);
    let code = RwSignal::new(String::new());
    // The password, asked again before the second factor changes; only its auth_key is sent.
    let password = RwSignal::new(String::new());
    // The auth_key derived for the setup, sent again with its confirmation (wasm memory only).
    let auth_key = StoredValue::new(None::<String>);
    let (busy, set_busy) = signal(false);
    let (link_sent, set_link_sent) = signal(None::<String>);

    let email_codes = Action::new_local(move |typed: &String| {
        let typed = typed.clone();
        async move {
            let sent = async {
                let key = credentials::confirm_password(&typed).await?;
                Ok::<_, String>(
                    post_json::<_, Message>(&url(MY_EMAIL_CODES), &Reauth { auth_key: key }).await?,
                )
            };
            match sent.await {
                Ok(done) => {
                    password.set(String::new());
                    set_link_sent.set(Some(done.message));
                }
                Err(message) => set_error.set(Some(message)),
            }
            set_busy.set(false);
        }
    });
    let back_to_email = move |_| {
        set_error.set(None);
        set_link_sent.set(None);
        set_busy.set(true);
        let typed = password.get_untracked();
        email_codes.dispatch(typed);
    };
    let start_totp = Action::new_local(move |typed: &String| {
        let typed = typed.clone();
        async move {
            let started = async {
                let key = credentials::confirm_password(&typed).await?;
                let reauth = Reauth { auth_key: key.clone() };
                let setup = post_json::<_, TotpSetup>(&url(MY_TOTP), &reauth).await?;
                Ok::<_, String>((key, setup))
            };
            match started.await {
                Ok((key, s)) => {
                    password.set(String::new());
                    auth_key.set_value(Some(key));
                    set_setup.set(Some(s));
                }
                Err(message) => set_error.set(Some(message)),
            }
            set_busy.set(false);
        }
    });
    let begin = move |_| {
        set_error.set(None);
        set_busy.set(true);
        let typed = password.get_untracked();
        start_totp.dispatch(typed);
    };
    let confirm_totp = Action::new_local(move |(given, key): &(String, String)| {
        let (given, key) = (given.clone(), key.clone());
        async move {
            let body = ConfirmTotp { code: given.trim().to_string(), auth_key: key };
            match post_json::<_, ()>(&url(MY_TOTP_CONFIRM), &body).await {
                Ok(_) => {
                    auth_key.set_value(None);
                    set_setup.set(None);
                    set_enabled.set(true);
                }
                Err(err) => set_error.set(Some(err.to_string())),
            }
        }
    });
    let confirm = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        set_error.set(None);
        let given = code.get_untracked();
        let key = auth_key.get_value().unwrap_or_default();
        confirm_totp.dispatch((given, key));
    };
    let password_field = move || {
        view! {
            <label>
                "Your password (to confirm it is you)"
                <input
                    type="password"
                    autocomplete="current-password"
                    data-testid="reauth-password"
                    bind:value=password
                />
            </label>
        }
    };

    view! {
        <section class="card" data-testid="two-factor">
            <h2>"Two-factor authentication"</h2>
            <Show when=move || error.get().is_some()>
                <p class="form-error" role="alert">{move || error.get()}</p>
            </Show>
            <Show
                when=move || enabled.get()
                fallback=move || {
                    view! {
                        <p>"You log in with a one-time code sent to your email."</p>
                        <Show
                            when=move || setup.get().is_some()
                            fallback=move || {
                                view! {
                                    {password_field()}
                                    <button
                                        type="button"
                                        data-testid="totp-begin"
                                        on:click=begin
                                        disabled=move || busy.get()
                                    >
                                        "Use an authenticator app instead"
                                    </button>
                                }
                            }
                        >
                            <p>"Scan the QR code with your authenticator app, or type the key:"</p>
                            <div class="qr" inner_html=move || setup.get().map(|s| s.qr_svg).unwrap_or_default()></div>
                            <p>
                                <code data-testid="totp-secret">{move || setup.get().map(|s| s.secret)}</code>
                            </p>
                            <form class="inline-form" on:submit=confirm>
                                <label>
                                    "Code from the app"
                                    <input
                                        name="totp-code"
                                        inputmode="numeric"
                                        autocomplete="one-time-code"
                                        maxlength="6"
                                        required
                                        bind:value=code
                                    />
                                </label>
                                <button type="submit">"Turn on"</button>
                            </form>
                        </Show>
                    }
                }
            >
                <p data-testid="totp-enabled">"You log in with a code from your authenticator app."</p>
                <Show
                    when=move || link_sent.get().is_some()
                    fallback=move || {
                        view! {
                            {password_field()}
                            <button
                                type="button"
                                data-testid="email-codes-request"
                                on:click=back_to_email
                                disabled=move || busy.get()
                            >
                                "Use emailed codes instead"
                            </button>
                        }
                    }
                >
                    <p class="form-status" role="status" data-testid="email-codes-sent">{move || link_sent.get()}</p>
                </Show>
            </Show>
        </section>
    }
}

#[component]
fn ChangePassword(username: String) -> impl IntoView {
    // Copy, so the submit handler can be used each time the form is rendered.
    let username = StoredValue::new(username);
    let current = RwSignal::new(String::new());
    let new = RwSignal::new(String::new());
    let confirmation = RwSignal::new(String::new());
    let (error, set_error) = signal(None::<String>);
    let (done, set_done) = signal(false);
    // (username, current password, new password)
    let change = Action::new_local(|input: &(String, String, String)| {
        let (username, current, new) = input.clone();
        async move { credentials::change_password(&username, &current, &new).await }
    });
    let busy = change.pending();
    Effect::new(move || match change.value().get() {
        Some(Ok(())) => {
            set_done.set(true);
            current.set(String::new());
            new.set(String::new());
            confirmation.set(String::new());
            // The server ended this session too: the page must not go on showing it.
            crate::client::session::signed_out_by_password_change();
        }
        Some(Err(err)) => set_error.set(Some(err.to_string())),
        None => {}
    });
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        set_error.set(None);
        let (c, n, k, user) = (
            current.get_untracked(),
            new.get_untracked(),
            confirmation.get_untracked(),
            username.get_value(),
        );
        if let Err(message) = crate::domain::password_policy::check_new_password(&n, &k, &user) {
            set_error.set(Some(message.to_string()));
            return;
        }
        change.dispatch((user, c, n));
    };
    view! {
        <section class="card" data-testid="change-password">
            <h2>"Change password"</h2>
            <Show when=move || error.get().is_some()>
                <p class="form-error" role="alert">{move || error.get()}</p>
            </Show>
            <Show
                when=move || done.get()
                fallback=move || {
                    view! {
                        <p>"Your files stay accessible: your keys are re-locked with the new password."</p>
                        <form class="stacked-form" on:submit=submit>
                            <label>
                                "Current password"
                                <input type="password" autocomplete="current-password" required bind:value=current />
                            </label>
                            <label>
                                "New password"
                                <input type="password" autocomplete="new-password" required bind:value=new />
                            </label>
                            <label>
                                "Repeat the new password"
                                <input type="password" autocomplete="new-password" required bind:value=confirmation />
                            </label>
                            <button type="submit" disabled=move || busy.get()>
                                "Change password"
                            </button>
                        </form>
                    }
                }
            >
                <p data-testid="password-changed-account">
                    "You have successfully changed your password. Please "
                    <a href="/login">"log in again"</a>
                    " with your new password."
                </p>
            </Show>
        </section>
    }
}

/// Deleting one's own account: the server mails a confirmation link (or says why not).
#[component]
fn DeleteAccount() -> impl IntoView {
    let (sent, set_sent) = signal(None::<String>);
    let (error, set_error) = signal(None::<String>);
    // Asks the API to mail the link; shows its sentence (success or refusal).
    let ask = Action::new_local(move |_: &()| async move {
        match post_empty::<Message>(&url(MY_DELETION)).await {
            Ok(done) => set_sent.set(Some(done.message)),
            Err(err) => set_error.set(Some(err.to_string())),
        }
    });
    let request = move |_| {
        set_error.set(None);
        set_sent.set(None);
        ask.dispatch(());
    };
    view! {
        <section class="card" data-testid="delete-account">
            <h2>"Delete my account"</h2>
            <Show when=move || error.get().is_some()>
                <p class="form-error" role="alert" data-testid="deletion-request-error">{move || error.get()}</p>
            </Show>
            <Show
                when=move || sent.get().is_some()
                fallback=move || {
                    view! {
                        <p>
                            "We send a confirmation link to your email. Your account is deleted only when you open it and confirm."
                        </p>
                        <button type="button" class="button-danger" data-testid="deletion-request" on:click=request>
                            "Delete my account"
                        </button>
                    }
                }
            >
                <p class="form-status" role="status" data-testid="deletion-requested">{move || sent.get()}</p>
            </Show>
        </section>
    }
}
