//! Accounts the signed-in admin may see (Super Admins: all; unit staff: their unit), with
//! deactivate/reactivate for those they may manage (the server decides and says why not).

use leptos::prelude::*;
use leptos_meta::Title;
use serde::Deserialize;

use crate::components::api::{get_json, send_json};
use crate::components::session::CurrentUser;

#[derive(Debug, Clone, Deserialize)]
struct Account {
    username: String,
    name: String,
    email: String,
    role: String,
    active: bool,
}

#[component]
pub fn UsersPage() -> impl IntoView {
    let me = expect_context::<CurrentUser>();
    let (version, set_version) = signal(0u32);
    let (error, set_error) = signal(None::<String>);
    let accounts = LocalResource::new(move || {
        version.track();
        async move { get_json::<Vec<Account>>("/api/v1/users").await }
    });
    let toggle = move |username: String, active: bool| {
        set_error.set(None);
        leptos::task::spawn_local(async move {
            let path = format!("/api/v1/users/{username}");
            match send_json::<_, serde_json::Value>("PATCH", &path, &serde_json::json!({ "active": active }))
                .await
            {
                Ok(_) => set_version.update(|v| *v += 1),
                Err(message) => set_error.set(Some(message)),
            }
        });
    };
    view! {
        <Title text="Users" />
        <h1>"Users"</h1>
        <Show when=move || error.get().is_some()>
            <p class="form-error" role="alert" data-testid="users-error">{move || error.get()}</p>
        </Show>
        <Suspense fallback=|| view! { <p>"Loading…"</p> }>
            {move || {
                accounts
                    .get()
                    .map(|result| match result {
                        Err(message) => view! { <p class="form-error">{message}</p> }.into_any(),
                        Ok(list) => {
                            view! {
                                <table class="table" data-testid="users">
                                    <thead>
                                        <tr>
                                            <th>"Username"</th>
                                            <th>"Name"</th>
                                            <th>"Email"</th>
                                            <th>"Role"</th>
                                            <th>"Status"</th>
                                            <th></th>
                                        </tr>
                                    </thead>
                                    <tbody>
                                        {list
                                            .into_iter()
                                            .map(|a| {
                                                let (username, active) = (a.username.clone(), a.active);
                                                let row_id = a.username.clone();
                                                // Nobody can deactivate themselves (the server refuses too).
                                                let is_me = me.get().is_some_and(|u| u.username == a.username);
                                                view! {
                                                    <tr data-user=row_id>
                                                        <td>{a.username}</td>
                                                        <td>{a.name}</td>
                                                        <td>{a.email}</td>
                                                        <td>{a.role}</td>
                                                        <td>{if a.active { "Active" } else { "Deactivated" }}</td>
                                                        <td>
                                                            <Show when=move || !is_me>
                                                                <button
                                                                    type="button"
                                                                    on:click={
                                                                        let username = username.clone();
                                                                        move |_| toggle(username.clone(), !active)
                                                                    }
                                                                >
                                                                    {if active { "Deactivate" } else { "Reactivate" }}
                                                                </button>
                                                            </Show>
                                                        </td>
                                                    </tr>
                                                }
                                            })
                                            .collect_view()}
                                    </tbody>
                                </table>
                            }
                                .into_any()
                        }
                    })
            }}
        </Suspense>
    }
}
