//! The Super Admin console: maintenance mode on/off, the messages of the day (create,
//! deactivate, email to all users or to unit users), statistics (DDS's reporting figures, with
//! charts), units (create, edit, usage) and the background tasks still open (with a retry). Everything here goes through Super-Admin-only
//! API endpoints; other visitors get a sentence.

mod statistics;
mod tasks;
mod units;

use leptos::prelude::*;
use leptos_meta::Title;

use crate::api::notices::{
    Audience, Maintenance, Motd, NewMotd, SendMotd, Sending, MAINTENANCE, MOTD, MOTDS, MOTD_SEND,
};
use crate::api::{url, with_param, Created};
use crate::client::api::{delete, post_json, send_json};
use crate::client::reload::load_on;
use crate::components::session::CurrentUser;
use crate::domain::roles::Role;
use statistics::StatisticsConsole;
use tasks::TasksConsole;
use units::UnitsConsole;

#[component]
pub fn AdminPage() -> impl IntoView {
    let user = expect_context::<CurrentUser>();
    view! {
        <Title text="Admin" />
        <h1>"Admin"</h1>
        <Suspense fallback=|| view! { <p>"Loading…"</p> }>
            {move || match user.get() {
                Some(me) if me.role == Role::SuperAdmin => {
                    view! {
                        <MaintenanceSwitch />
                        <Messages />
                        <StatisticsConsole />
                        <UnitsConsole />
                        <TasksConsole />
                    }
                        .into_any()
                }
                _ => view! { <p data-testid="admin-refused">"Only Super Admins can see this page."</p> }.into_any(),
            }}
        </Suspense>
    }
}

#[component]
fn MaintenanceSwitch() -> impl IntoView {
    let (version, set_version) = signal(0u32);
    let (error, set_error) = signal(None::<String>);
    let state = load_on::<Maintenance>(MAINTENANCE, version);
    let switch = Action::new_local(move |active: &bool| {
        let active = *active;
        async move {
            match send_json::<_, Maintenance>("PUT", &url(MAINTENANCE), &Maintenance { active }).await {
                Ok(_) => set_version.update(|v| *v += 1),
                Err(err) => set_error.set(Some(err.to_string())),
            }
        }
    });
    let set = move |active: bool| {
        set_error.set(None);
        switch.dispatch(active);
    };
    view! {
        <section class="card" data-testid="maintenance-card">
            <h2>"Maintenance"</h2>
            <Show when=move || error.get().is_some()>
                <p class="form-error" role="alert">{move || error.get()}</p>
            </Show>
            {move || {
                    match state.get() {
                            None => view! { <p>"Loading…"</p> }.into_any(),
                            Some(Err(message)) => view! { <p class="form-error">{message}</p> }.into_any(),
                            Some(Ok(Maintenance { active })) => {
                                view! {
                                    <p data-testid="maintenance-state">
                                        {if active {
                                            "Maintenance is on: only Super Admins can use the portal."
                                        } else {
                                            "Maintenance is off: everyone can use the portal."
                                        }}
                                    </p>
                                    <button
                                        type="button"
                                        class={if active { "" } else { "button-danger" }}
                                        data-testid="maintenance-toggle"
                                        on:click=move |_| set(!active)
                                    >
                                        {if active { "Turn maintenance off" } else { "Turn maintenance on" }}
                                    </button>
                                }
                                    .into_any()
                            }
                    }
            }}
        </section>
    }
}

#[component]
fn Messages() -> impl IntoView {
    let (version, set_version) = signal(0u32);
    let (error, set_error) = signal(None::<String>);
    let (status, set_status) = signal(None::<String>);
    let message = RwSignal::new(String::new());
    let list = load_on::<Vec<Motd>>(MOTDS, version);
    let publish = Action::new_local(move |text: &String| {
        let text = text.clone();
        async move {
            match post_json::<_, Created>(&url(MOTDS), &NewMotd { message: text }).await {
                Ok(_) => {
                    message.set(String::new());
                    set_status.set(Some("The message is shown on every page.".into()));
                    set_version.update(|v| *v += 1);
                }
                Err(err) => set_error.set(Some(err.to_string())),
            }
        }
    });
    let create = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        set_error.set(None);
        set_status.set(None);
        let text = message.get_untracked();
        publish.dispatch(text);
    };
    let retire = Action::new_local(move |id: &i64| {
        let id = *id;
        async move {
            match delete::<()>(&url(&with_param(MOTD, &id.to_string()))).await {
                Ok(_) => {
                    set_status.set(Some("The message was deactivated.".into()));
                    set_version.update(|v| *v += 1);
                }
                Err(err) => set_error.set(Some(err.to_string())),
            }
        }
    });
    let deactivate = move |id: i64| {
        set_error.set(None);
        set_status.set(None);
        retire.dispatch(id);
    };
    let mail = Action::new_local(move |(id, audience): &(i64, Audience)| {
        let (id, audience) = (*id, *audience);
        async move {
            let path = url(&with_param(MOTD_SEND, &id.to_string()));
            match post_json::<_, Sending>(&path, &SendMotd { audience }).await {
                Ok(Sending { recipients }) => set_status.set(Some(format!(
                    "Sending the message to {recipients} {}.",
                    if recipients == 1 { "recipient" } else { "recipients" }
                ))),
                Err(err) => set_error.set(Some(err.to_string())),
            }
        }
    });
    let email = move |id: i64, audience: Audience| {
        set_error.set(None);
        set_status.set(None);
        mail.dispatch((id, audience));
    };
    view! {
        <section class="card" data-testid="motd-card">
            <h2>"Messages of the day"</h2>
            <Show when=move || error.get().is_some()>
                <p class="form-error" role="alert" data-testid="motd-error">{move || error.get()}</p>
            </Show>
            <Show when=move || status.get().is_some()>
                <p class="form-status" role="status" data-testid="motd-status">{move || status.get()}</p>
            </Show>
            <form class="stacked-form" on:submit=create>
                <label>
                    "New message"
                    <textarea name="motd" rows="3" required bind:value=message></textarea>
                </label>
                <button type="submit">"Publish"</button>
            </form>
            {move || {
                    match list.get() {
                            None => view! { <p>"Loading…"</p> }.into_any(),
                            Some(Err(m)) => view! { <p class="form-error">{m}</p> }.into_any(),
                            Some(Ok(list)) if list.is_empty() => view! { <p>"No active messages."</p> }.into_any(),
                            Some(Ok(list)) => {
                                view! {
                                    <ul class="motd-list" data-testid="motd-list">
                                        {list
                                            .into_iter()
                                            .map(|m| {
                                                let id = m.id;
                                                view! {
                                                    <li data-motd=id>
                                                        <p>{m.message}</p>
                                                        <div class="actions">
                                                            <button type="button" on:click=move |_| email(id, Audience::All)>
                                                                "Email to all users"
                                                            </button>
                                                            <button type="button" on:click=move |_| email(id, Audience::UnitUsers)>
                                                                "Email to unit users"
                                                            </button>
                                                            <button type="button" on:click=move |_| deactivate(id)>
                                                                "Deactivate"
                                                            </button>
                                                        </div>
                                                    </li>
                                                }
                                            })
                                            .collect_view()}
                                    </ul>
                                }
                                    .into_any()
                            }
                    }
            }}
        </section>
    }
}
