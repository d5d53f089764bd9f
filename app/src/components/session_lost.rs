//! The dialog a transfer shows when its session ended: it names the user to log in as, offers
//! the login in a new tab (this one keeps the transfer and its keys), and closes by itself when
//! the transfer goes on (`client::session_gate`).

use leptos::prelude::*;

use crate::client::session_gate::waiting_for_login;
use crate::components::sign_in::login_link;

#[component]
pub fn SessionLostDialog() -> impl IntoView {
    let waiting = waiting_for_login();
    let shown = waiting.clone();
    // A modal dialog takes the focus: its one action is where the keyboard lands.
    let action = NodeRef::<leptos::html::A>::new();
    Effect::new(move |_| {
        if let Some(link) = action.get() {
            let _ = link.focus();
        }
    });
    view! {
        <Show when=move || shown.get().is_some()>
            <div class="modal-backdrop">
                <section class="modal" role="alertdialog" aria-modal="true" aria-labelledby="session-lost-title"
                    aria-describedby="session-lost-text" data-testid="session-lost">
                    <h2 id="session-lost-title">"Your session has ended"</h2>
                    <p id="session-lost-text">
                        "The transfer is waiting: nothing is lost. Log in again as "
                        <strong>{
                            let waiting = waiting.clone();
                            move || waiting.get().unwrap_or_default()
                        }</strong>
                        " in a new tab, then come back here: the transfer goes on by itself."
                    </p>
                    <a class="button button-primary" href=login_link("/") target="_blank" rel="noopener"
                        node_ref=action data-testid="session-lost-login">"Log in in a new tab"</a>
                </section>
            </div>
        </Show>
    }
}
