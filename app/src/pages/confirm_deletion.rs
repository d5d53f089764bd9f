//! `/confirm-deletion/{token}`: the link from the self-deletion mail. The signed-in owner of the
//! link confirms with one button; the server checks the link is theirs and unexpired.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

use crate::api::account::{Token, MY_DELETION_CONFIRM};
use crate::api::{url, Message};
use crate::client::api::post_json;
use crate::components::session::CurrentUser;

#[component]
pub fn ConfirmDeletionPage() -> impl IntoView {
    let user = expect_context::<CurrentUser>();
    let params = use_params_map();
    let (error, set_error) = signal(None::<String>);
    let (done, set_done) = signal(None::<String>);
    let (busy, set_busy) = signal(false);

    let confirm_deletion = Action::new_local(move |token: &String| {
        let token = token.clone();
        async move {
            match post_json::<_, Message>(&url(MY_DELETION_CONFIRM), &Token { token }).await {
                Ok(answer) => {
                    set_done.set(Some(answer.message));
                    // The session ended with the account: the header shows a visitor again.
                    user.0.set(Some(Ok(None)));
                }
                Err(err) => set_error.set(Some(err.to_string())),
            }
            set_busy.set(false);
        }
    });
    let confirm = move |_| {
        set_error.set(None);
        set_busy.set(true);
        let token = params.read_untracked().get("token").unwrap_or_default();
        confirm_deletion.dispatch(token);
    };

    view! {
        <Title text="Delete your account" />
        <section class="auth-card">
            <h1>"Delete your account"</h1>
            <Show when=move || error.get().is_some()>
                <p class="form-error" role="alert" data-testid="deletion-error">{move || error.get()}</p>
            </Show>
            <Suspense fallback=|| view! { <p>"Loading…"</p> }>
                {move || {
                    if let Some(message) = done.get() {
                        return view! { <p role="status" data-testid="account-deleted">{message}</p> }.into_any();
                    }
                    match user.get() {
                        None => {
                            view! {
                                <p data-testid="deletion-login">"Please log in to confirm your account deletion."</p>
                                <p>
                                    <a
                                        class="button"
                                        data-testid="deletion-login-link"
                                        href=move || {
                                            let token = params.read().get("token").unwrap_or_default();
                                            format!("/login?next=/confirm-deletion/{token}")
                                        }
                                    >
                                        "Log in"
                                    </a>
                                </p>
                            }
                                .into_any()
                        }
                        Some(me) => {
                            view! {
                                <div class="warning" role="note">
                                    <p>
                                        "You are about to delete the account "
                                        <strong data-testid="deletion-username">{me.username}</strong>
                                        ". This cannot be undone: you will no longer be able to log in, and you lose access to every project. Data already delivered stays with its projects."
                                    </p>
                                </div>
                                <button
                                    type="button"
                                    class="button-danger"
                                    data-testid="confirm-deletion"
                                    disabled=move || busy.get()
                                    on:click=confirm
                                >
                                    "Delete my account"
                                </button>
                            }
                                .into_any()
                        }
                    }
                }}
            </Suspense>
        </section>
    }
}
