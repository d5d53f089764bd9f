//! `/activate-email-codes/{token}`: the link from the "back to emailed codes" mail. As in DDS,
//! no login is needed: whoever reads the mailbox receives the emailed codes anyway.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

use crate::api::account::EMAIL_CODES_ACTIVATION;
use crate::api::{url, with_param, Message};
use crate::client::api::post_empty;

#[component]
pub fn ActivateEmailCodesPage() -> impl IntoView {
    let params = use_params_map();
    let (error, set_error) = signal(None::<String>);
    let (done, set_done) = signal(None::<String>);
    let (busy, set_busy) = signal(false);

    let activate = Action::new_local(move |token: &String| {
        let token = token.clone();
        async move {
            match post_empty::<Message>(&url(&with_param(EMAIL_CODES_ACTIVATION, &token))).await {
                Ok(answer) => set_done.set(Some(answer.message)),
                Err(err) => set_error.set(Some(err.to_string())),
            }
            set_busy.set(false);
        }
    });
    let confirm = move |_| {
        set_error.set(None);
        set_busy.set(true);
        let token = params.read_untracked().get("token").unwrap_or_default();
        activate.dispatch(token);
    };

    view! {
        <Title text="Log in with emailed codes" />
        <section class="auth-card">
            <h1>"Log in with emailed codes"</h1>
            <Show when=move || error.get().is_some()>
                <p class="form-error" role="alert" data-testid="email-codes-error">{move || error.get()}</p>
            </Show>
            <Show
                when=move || done.get().is_some()
                fallback=move || {
                    view! {
                        <p>
                            "Confirm to stop using your authenticator app: from then on, each login asks for a one-time code sent to your email."
                        </p>
                        <button
                            type="button"
                            data-testid="confirm-email-codes"
                            disabled=move || busy.get()
                            on:click=confirm
                        >
                            "Use emailed codes"
                        </button>
                    }
                }
            >
                <p role="status" data-testid="email-codes-active">{move || done.get()}</p>
                <p>
                    <a href="/login">"Log in"</a>
                </p>
            </Show>
        </section>
    }
}
