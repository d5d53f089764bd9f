//! Log in: the password, then the one-time code (emailed, or from an authenticator app). The
//! protocol (the password never leaves the browser; the user's key is unwrapped and kept for the
//! tab once signed in) is `client::session`'s; this page renders its steps.

use leptos::prelude::*;
use leptos_meta::Title;

use crate::client::session::{self, PasswordAccepted, Resend, Unlocker};

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
    let unlocker = StoredValue::new(None::<Unlocker>);
    let registered_name = StoredValue::new(String::new());
    // The code step's sentence (where the code went) and what asks for another code.
    let (code_hint, set_code_hint) = signal(String::new());
    let resend = StoredValue::new(None::<Resend>);
    let (notice, set_notice) = signal(None::<String>);

    // The three requests are Actions: the forms only dispatch them.
    let log_in = Action::new_local(move |(name, secret): &(String, String)| {
        let (name, secret) = (name.clone(), secret.clone());
        async move {
            match session::log_in(&name, &secret).await {
                Ok(accepted) => {
                    set_code_hint.set(code_sentence(&accepted));
                    unlocker.set_value(Some(accepted.unlocker));
                    registered_name.set_value(accepted.username);
                    resend.set_value(Some(accepted.resend));
                    password.set(String::new());
                    set_notice.set(None);
                    set_step.set(Step::Code { app: accepted.authenticator_app });
                }
                Err(err) => set_error.set(Some(err.to_string())),
            }
            set_busy.set(None);
        }
    });
    let verify = Action::new_local(move |(given, name): &(String, String)| {
        let (given, name) = (given.clone(), name.clone());
        async move {
            match session::second_factor(&given).await {
                Ok(()) => {
                    set_busy.set(Some("Unlocking your keys…"));
                    if let Some(keys) = unlocker.try_update_value(Option::take).flatten() {
                        // A failure here does not undo the login: pages that need the key say so.
                        if let Err(err) = session::unlock_keys(&name, keys).await {
                            leptos::logging::warn!("keys not kept for this tab: {err}");
                        }
                    }
                    // A full load, so the server renders the signed-in page.
                    go_to(&next.get_untracked())
                }
                Err(err) => {
                    set_error.set(Some(err.to_string()));
                    set_busy.set(None);
                }
            }
        }
    });
    let ask_again = Action::new_local(move |request: &Resend| {
        let request = request.clone();
        async move {
            match session::resend_code(&request).await {
                Ok(sentence) => set_notice.set(Some(sentence)),
                Err(err) => set_error.set(Some(err.to_string())),
            }
            set_busy.set(None);
        }
    });

    let submit_password = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        set_error.set(None);
        set_busy.set(Some("Checking your password…"));
        log_in.dispatch((username.get_untracked(), password.get_untracked()));
    };

    let submit_code = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        set_error.set(None);
        set_busy.set(Some("Verifying the code…"));
        verify.dispatch((code.get_untracked(), registered_name.get_value()));
    };

    let send_again = move |_| {
        let Some(request) = resend.get_value() else { return };
        set_error.set(None);
        set_notice.set(None);
        set_busy.set(Some("Sending a new code…"));
        ask_again.dispatch(request);
    };
    // Back to the password (another account, or a mistyped name): nothing of this try is kept.
    let back = move |_| {
        unlocker.set_value(None);
        resend.set_value(None);
        code.set(String::new());
        set_error.set(None);
        set_notice.set(None);
        set_step.set(Step::Password);
    };

    let hydrated = crate::components::hydrated::use_hydrated();
    view! {
        <Title text="Log in" />
        <section class="auth-card">
            <h1>"Log in"</h1>
            <Show when=move || query.read().get("changed").as_deref() == Some("password")>
                <p class="form-status" role="status" data-testid="password-changed">
                    "Your password was changed and every session of your account was ended. Log in with the new password."
                </p>
            </Show>
            <Show when=move || error.get().is_some()>
                <p class="form-error" role="alert" data-testid="login-error">{move || error.get()}</p>
            </Show>
            <Show
                when=move || step.get() == Step::Password
                fallback=move || {
                    view! {
                        <form on:submit=submit_code data-testid="code-form">
                            <p data-testid="code-hint">{move || code_hint.get()}</p>
                            <Show when=move || notice.get().is_some()>
                                <p class="form-status" role="status" data-testid="code-notice">{move || notice.get()}</p>
                            </Show>
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
                            <div class="actions">
                                <Show when=move || step.get() == Step::Code { app: false }>
                                    <button
                                        type="button"

                                        data-testid="resend-code"
                                        disabled=move || busy.get().is_some()
                                        on:click=send_again
                                    >
                                        "Send a new code"
                                    </button>
                                </Show>
                                <button type="button" data-testid="login-back" on:click=back>
                                    "Back"
                                </button>
                            </div>
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

/// After login: the page that sent the user here (`?next=`, local paths only), else home.
fn go_to(_path: &str) {
    #[cfg(feature = "hydrate")]
    let _ = window().location().set_href(_path);
}

/// What the code step says: where the code comes from.
fn code_sentence(accepted: &PasswordAccepted) -> String {
    if accepted.authenticator_app {
        return "Enter the 6-digit code from your authenticator app.".into();
    }
    let to = accepted.sent_to.as_deref().unwrap_or("your primary address");
    if accepted.new_code {
        format!("We sent a one-time code to {to}. It is valid for 15 minutes.")
    } else {
        format!("We sent a one-time code to {to} less than a minute ago. It is valid for 15 minutes.")
    }
}
