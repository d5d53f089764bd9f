//! People waiting for a key, as an approver sees them: who they are, why they wait, and the
//! fingerprint of the public key an approval would seal to, computed in this browser from those
//! very bytes. Approving takes a second step that names the fingerprint to compare; the page
//! that shows the list does the sealing (`unit_keys::approve`, `project_keys::approve`).

use leptos::prelude::*;

use crate::api::keys::WaitingMember;
use crate::client::unit_keys::fingerprint;

#[component]
pub fn WaitingList(
    /// Who waits.
    waiting: Vec<WaitingMember>,
    /// What they wait for, for the heading ("the unit key", "this project's key").
    what: &'static str,
    /// Whether this viewer can approve now (may approve and holds the key); else a note says why not.
    can_approve: bool,
    /// The approval itself, called once the approver confirmed.
    approve: Callback<WaitingMember>,
    /// The member whose approval is under way (their buttons are disabled).
    busy: ReadSignal<Option<String>>,
) -> impl IntoView {
    if waiting.is_empty() {
        return ().into_any();
    }
    // The row asking "Did you compare …?".
    let (confirming, set_confirming) = signal(None::<String>);
    view! {
        <section class="card" data-testid="waiting">
            <h2>{format!("Waiting for {what}")}</h2>
            <p>
                "Before approving, compare the key fingerprint with the person, in person or on the phone: they see theirs on their account page. "
                "A fingerprint that differs means the key is not theirs. Nothing is shared until you approve."
            </p>
            <Show when=move || !can_approve>
                <p class="form-status" data-testid="cannot-approve">
                    "You cannot approve from this browser: only someone who holds the key and may grant it can."
                </p>
            </Show>
            <div class="table-scroll">
            <table class="table">
                <thead>
                    <tr>
                        <th>"Person"</th>
                        <th>"Role"</th>
                        <th>"Why"</th>
                        <th>"Key fingerprint"</th>
                        <th>
                            <span class="visually-hidden">"Approval"</span>
                        </th>
                    </tr>
                </thead>
                <tbody>
                    {waiting
                        .into_iter()
                        .map(|member| {
                            let print = fingerprint(&member.public_key);
                            let shown = print.clone().unwrap_or_else(|| "…".to_string());
                            let name = StoredValue::new(member.username.clone());
                            let asking = move || confirming.get().as_deref() == Some(name.get_value().as_str());
                            let working = move || busy.get().as_deref() == Some(name.get_value().as_str());
                            let question = format!(
                                "Approve {}? Only if they confirmed the fingerprint {}.",
                                member.name,
                                print.clone().unwrap_or_default()
                            );
                            let question = StoredValue::new(question);
                            let member = StoredValue::new(member);
                            let usable = print.is_some();
                            view! {
                                <tr data-waiting=name.get_value()>
                                    <td>
                                        {member.with_value(|m| m.name.clone())}
                                        <br />
                                        <span class="subtle">
                                            {member.with_value(|m| format!("{} · {}", m.username, m.email))}
                                        </span>
                                    </td>
                                    <td>{member.with_value(|m| m.role.as_str())}</td>
                                    <td>{member.with_value(|m| m.reason())}</td>
                                    <td>
                                        <code class="fingerprint" data-testid="fingerprint">{shown}</code>
                                    </td>
                                    <td>
                                        <Show when=move || can_approve && usable>
                                            <div class="actions">
                                                <Show
                                                    when=asking
                                                    fallback=move || {
                                                        view! {
                                                            <button
                                                                type="button"
                                                                data-testid="approve"
                                                                disabled=working
                                                                on:click=move |_| set_confirming.set(Some(name.get_value()))
                                                            >
                                                                "Approve…"
                                                            </button>
                                                        }
                                                    }
                                                >
                                                    <span class="confirm-question">{question.get_value()}</span>
                                                    <button
                                                        type="button"
                                                        data-testid="confirm-approval"
                                                        disabled=working
                                                        on:click=move |_| {
                                                            set_confirming.set(None);
                                                            approve.run(member.get_value());
                                                        }
                                                    >
                                                        "Yes, the fingerprints match"
                                                    </button>
                                                    <button type="button" on:click=move |_| set_confirming.set(None)>
                                                        "Cancel"
                                                    </button>
                                                </Show>
                                            </div>
                                        </Show>
                                    </td>
                                </tr>
                            }
                        })
                        .collect_view()}
                </tbody>
            </table>
            </div>
        </section>
    }
    .into_any()
}
