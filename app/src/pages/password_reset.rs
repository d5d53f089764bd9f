//! Forgotten password: ask for a link by email (`/reset-password`), then choose a new password
//! from the link (`/reset-password/{token}`). The browser makes a NEW key pair and derives the
//! credentials; the password never leaves the browser. The old private key stays locked under
//! the old password, so access to delivered data is lost until a colleague restores it.

use crate::api::password_reset::{
    Completed, ResetDetails, ResetRequest, UnitContact, PASSWORD_RESET, PASSWORD_RESET_LINK,
};
use crate::api::{url, with_param, Message};
use crate::client::api::{get_json, post_json};
use crate::domain::password_policy::check_new_password;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

/// `/reset-password`: the email form; every address gets the same neutral answer.
#[component]
pub fn RequestResetPage() -> impl IntoView {
    let email = RwSignal::new(String::new());
    let (error, set_error) = signal(None::<String>);
    let (answer, set_answer) = signal(None::<String>);
    let (busy, set_busy) = signal(false);

    let request_reset = Action::new_local(move |address: &String| {
        let address = address.clone();
        async move {
            match post_json::<_, Message>(&url(PASSWORD_RESET), &ResetRequest { email: address }).await {
                Ok(a) => set_answer.set(Some(a.message)),
                Err(err) => set_error.set(Some(err.to_string())),
            }
            set_busy.set(false);
        }
    });
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        set_error.set(None);
        let address = email.get_untracked().trim().to_string();
        if address.is_empty() {
            set_error.set(Some("Enter your email address.".into()));
            return;
        }
        set_busy.set(true);
        request_reset.dispatch(address);
    };

    view! {
        <Title text="Reset your password" />
        <section class="auth-card">
            <h1>"Reset your password"</h1>
            <Show when=move || error.get().is_some()>
                <p class="form-error" role="alert" data-testid="reset-request-error">{move || error.get()}</p>
            </Show>
            <Show
                when=move || answer.get().is_some()
                fallback=move || {
                    view! {
                        <p>"Enter the email address of your account. We will send you a link to choose a new password."</p>
                        <p class="form-warning">
                            "Resetting your password makes you lose access to the data delivered to you "
                            "until a colleague with access restores it. If you remember your password, "
                            "log in and change it on your account page instead."
                        </p>
                        <form on:submit=submit data-testid="reset-request-form">
                            <label>
                                "Email"
                                <input type="email" name="email" autocomplete="email" required bind:value=email />
                            </label>
                            <button type="submit" disabled=move || busy.get()>"Send the link"</button>
                        </form>
                    }
                }
            >
                <p role="status" data-testid="reset-requested">{move || answer.get()}</p>
            </Show>
            <p><a href="/login">"Back to log in"</a></p>
        </section>
    }
}

/// `/reset-password/{token}`: choose the new password.
#[component]
pub fn ResetPasswordPage() -> impl IntoView {
    let params = use_params_map();
    let token = move || params.read().get("token").unwrap_or_default();
    let details = LocalResource::new(move || {
        let token = token();
        async move {
            get_json::<ResetDetails>(&url(&with_param(PASSWORD_RESET_LINK, &token)))
                .await
                .map_err(String::from)
        }
    });
    let password = RwSignal::new(String::new());
    let confirmation = RwSignal::new(String::new());
    let (error, set_error) = signal(None::<String>);
    let hydrated = crate::components::hydrated::use_hydrated();
    let (done, set_done) = signal(None::<Completed>);
    // (token, username, new password)
    let complete = Action::new_local(|input: &(String, String, String)| {
        let (token, username, password) = input.clone();
        async move { crate::client::credentials::reset(&token, &username, &password).await }
    });
    let busy = complete.pending();
    Effect::new(move || match complete.value().get() {
        Some(Ok(completed)) => {
            password.set(String::new());
            confirmation.set(String::new());
            set_done.set(Some(completed));
        }
        Some(Err(err)) => set_error.set(Some(err.to_string())),
        None => {}
    });

    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        set_error.set(None);
        let Some(Ok(account)) = details.get_untracked() else {
            return;
        };
        let (p, c) = (password.get_untracked(), confirmation.get_untracked());
        if let Err(message) = check_new_password(&p, &c, &account.username) {
            set_error.set(Some(message.to_string()));
            return;
        }
        complete.dispatch((token(), account.username, p));
    };

    let form = move |account: ResetDetails| {
        view! {
            <p data-testid="reset-account">
                {format!("Choose a new password for {} ({}).", account.username, account.email)}
            </p>
            <p class="form-warning" data-testid="reset-warning">
                "Warning: after the reset you lose access to all data delivered to you until a "
                "colleague with access restores it (this happens automatically when one of them is "
                "logged in). Contact your unit if it takes long."
            </p>
            <form on:submit=submit data-testid="reset-form">
                <label>
                    "New password"
                    <input type="password" autocomplete="new-password" required bind:value=password />
                </label>
                <label>
                    "Repeat the new password"
                    <input type="password" autocomplete="new-password" required bind:value=confirmation />
                </label>
                <button type="submit" disabled=move || busy.get() || !hydrated.get()>"Reset password"</button>
            </form>
        }
    };

    view! {
        <Title text="Choose a new password" />
        <section class="auth-card">
            <h1>"Choose a new password"</h1>
            <Show when=move || error.get().is_some()>
                <p class="form-error" role="alert" data-testid="reset-error">{move || error.get()}</p>
            </Show>
            <Show
                when=move || done.get().is_some()
                fallback=move || {
                    view! {
                        <Suspense fallback=|| view! { <p>"Checking the link…"</p> }>
                            {move || {
                                details
                                    .get()
                                    .map(|result| match result {
                                        Err(message) => {
                                            view! {
                                                <p class="form-error" role="alert" data-testid="reset-invalid">{message}</p>
                                                <p><a href="/reset-password">"Ask for a new link"</a></p>
                                            }
                                                .into_any()
                                        }
                                        Ok(account) => form(account).into_any(),
                                    })
                            }}
                        </Suspense>
                    }
                }
            >
                <Completion units=done.get().map(|c| c.units_to_contact).unwrap_or_default() />
            </Show>
        </section>
    }
}

#[component]
fn Completion(units: Vec<UnitContact>) -> impl IntoView {
    let contacts = (!units.is_empty()).then(|| {
        view! {
            <p>"To get your access back sooner, contact:"</p>
            <ul data-testid="units-to-contact">
                {units
                    .into_iter()
                    .map(|unit| {
                        let mailto = format!("mailto:{}", unit.contact_email);
                        view! { <li>{unit.name} " — " <a href=mailto>{unit.contact_email}</a></li> }
                    })
                    .collect_view()}
            </ul>
        }
    });
    view! {
        <div data-testid="reset-done">
            <p role="status">"Your password has been reset."</p>
            <p>
                "You have lost access to the data delivered to you until a colleague with access "
                "restores it."
            </p>
            {contacts}
            <p><a href="/login">"Log in"</a> " with your new password."</p>
        </div>
    }
}
