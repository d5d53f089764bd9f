//! The signed-in user's account: who they are, and their second factor (switch to an
//! authenticator app: QR code drawn by the server, confirmed with a first code).

use leptos::prelude::*;
use leptos_meta::Title;
use serde::Deserialize;

use crate::components::api::post_json;
use crate::components::session::CurrentUser;

#[derive(Debug, Clone, Deserialize)]
struct TotpSetup {
    secret: String,
    qr_svg: String,
}

#[component]
pub fn AccountPage() -> impl IntoView {
    let user = expect_context::<CurrentUser>();
    view! {
        <Title text="Account" />
        <h1>"Account"</h1>
        <Suspense fallback=|| view! { <p>"Loading…"</p> }>
            {move || match user.get() {
                None => view! { <p>"Please " <a href="/login">"log in"</a> " to see your account."</p> }.into_any(),
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
                        <TwoFactor method=u.second_factor.clone() />
                    }
                        .into_any()
                }
            }}
        </Suspense>
    }
}

#[component]
fn TwoFactor(method: String) -> impl IntoView {
    let (enabled, set_enabled) = signal(method == "totp");
    let (setup, set_setup) = signal(None::<TotpSetup>);
    let (error, set_error) = signal(None::<String>);
    let code = RwSignal::new(String::new());

    let begin = move |_| {
        set_error.set(None);
        leptos::task::spawn_local(async move {
            match post_json::<_, TotpSetup>("/api/v1/users/me/totp", &serde_json::json!({})).await {
                Ok(s) => set_setup.set(Some(s)),
                Err(message) => set_error.set(Some(message)),
            }
        });
    };
    let confirm = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        set_error.set(None);
        let given = code.get_untracked();
        leptos::task::spawn_local(async move {
            let body = serde_json::json!({ "code": given.trim() });
            match post_json::<_, serde_json::Value>("/api/v1/users/me/totp/confirm", &body).await {
                Ok(_) => {
                    set_setup.set(None);
                    set_enabled.set(true);
                }
                Err(message) => set_error.set(Some(message)),
            }
        });
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
                                    <button type="button" data-testid="totp-begin" on:click=begin>
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
            </Show>
        </section>
    }
}
