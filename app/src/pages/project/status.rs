//! A project's status on its page: status, deadline, what is left, the history, and for unit
//! staff the changes DDS allows (release, retract, extend in two steps, archive or abort, delete).
//! Irreversible changes ask for confirmation first. The rules are the server's; the buttons
//! shown follow `domain::project_status` so nobody is offered what would be refused.

use leptos::prelude::*;

use crate::api::project_status::{ChangeStatus, ExtendDeadline, StatusView, PROJECT_STATUS};
use crate::api::{url, with_param};
use crate::client::api::{get_json, send_json};
use crate::domain::dates::utc;
use crate::domain::project_status::{ProjectStatus, StatusChange};

/// What a confirmation step is about to do.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Pending {
    Archive { aborted: bool },
    Delete,
}

#[component]
pub fn StatusPanel(
    /// The project's public id.
    public_id: String,
    /// Whether the viewer is unit staff of the project (may change its status).
    staff: bool,
    /// Called after a change, so the page reloads what depends on the status.
    changed: Callback<()>,
    /// What the last change said; held by the page, so it outlives the panel's re-rendering.
    notice: RwSignal<Option<String>>,
) -> impl IntoView {
    let path = url(&with_param(PROJECT_STATUS, &public_id));
    let (version, set_version) = signal(0u32);
    let status_path = path.clone();
    let view_of = LocalResource::new(move || {
        version.track();
        let path = status_path.clone();
        async move { get_json::<StatusView>(&path).await.map_err(|e| e.to_string()) }
    });
    let set_notice = notice.write_only();
    let (error, set_error) = signal(None::<String>);
    let (busy, set_busy) = signal(false);
    let (confirm, set_confirm) = signal(None::<Pending>);
    let (extension_question, set_extension_question) = signal(None::<String>);
    let days = RwSignal::new(String::new());
    let mail = RwSignal::new(true);
    let aborted = RwSignal::new(false);

    let after = move |result: Result<StatusView, String>| {
        match result {
            Ok(view) => {
                set_notice.set(view.message.clone());
                set_version.update(|v| *v += 1);
                changed.run(());
            }
            Err(message) => set_error.set(Some(message)),
        }
        set_busy.set(false);
        set_confirm.set(None);
    };
    let change_path = path.clone();
    let send_change = Action::new_local(move |body: &ChangeStatus| {
        let (path, body) = (change_path.clone(), body.clone());
        async move { after(send_json::<_, StatusView>("POST", &path, &body).await.map_err(|e| e.to_string())) }
    });
    let change = Callback::new(move |change: StatusChange| {
        set_error.set(None);
        set_notice.set(None);
        set_busy.set(true);
        send_change.dispatch(ChangeStatus { change, send_email: mail.get_untracked() });
    });
    let days_given = move || days.get_untracked().trim().parse::<i64>().ok();
    let extend_path = path.clone();
    let send_extension = Action::new_local(move |body: &ExtendDeadline| {
        let (path, body) = (extend_path.clone(), body.clone());
        let confirmed = body.confirmed;
        async move {
            match send_json::<_, StatusView>("PATCH", &path, &body).await {
                // The first step answers 409 with what would happen: asked, not yet done.
                Err(e) if e.is(409) && !confirmed => {
                    set_extension_question.set(Some(e.message.clone()));
                    set_busy.set(false);
                }
                other => {
                    set_extension_question.set(None);
                    after(other.map_err(|e| e.to_string()));
                }
            }
        }
    });
    let extend = Callback::new(move |confirmed: bool| {
        set_error.set(None);
        set_notice.set(None);
        set_busy.set(true);
        send_extension.dispatch(ExtendDeadline { new_deadline_in: days_given(), confirmed });
    });

    view! {
        <section class="card" aria-labelledby="status-heading" data-testid="status-panel">
            <h2 id="status-heading">"Status"</h2>
            <Show when=move || notice.get().is_some()>
                <p class="form-status" role="status" data-testid="status-notice">{move || notice.get()}</p>
            </Show>
            <Show when=move || error.get().is_some()>
                <p class="form-error" role="alert" data-testid="status-error">{move || error.get()}</p>
            </Show>
            <Suspense fallback=|| view! { <p>"Loading the status…"</p> }>
                {move || view_of.get().map(|loaded| match loaded {
                    Err(message) => view! { <p class="form-error" role="alert">{message}</p> }.into_any(),
                    Ok(view) => {
                        let status = view.status;
                        let released = view.released_at.is_some();
                        view! {
                            <dl class="facts">
                                <dt>"Status"</dt>
                                <dd data-testid="status-now">
                                    {status.as_str()}{if view.aborted { " (aborted)" } else { "" }}
                                </dd>
                                <dt>"Deadline"</dt>
                                <dd data-testid="status-deadline">
                                    {view.deadline.map(utc).unwrap_or_else(|| "None".to_string())}
                                </dd>
                                <dt>"Extensions left"</dt>
                                <dd>{view.extensions_left}</dd>
                                <dt>"Releases from Expired left"</dt>
                                <dd>{view.releases_from_expired_left}</dd>
                            </dl>
                            <details>
                                <summary>"History"</summary>
                                <ul data-testid="status-history">
                                    {view.history.iter().map(|line| view! {
                                        <li>
                                            {format!(
                                                "{} · {}{}",
                                                utc(line.at),
                                                line.status.as_str(),
                                                line.note.as_deref().map(|n| format!(" ({n})")).unwrap_or_default()
                                            )}
                                        </li>
                                    }).collect_view()}
                                </ul>
                            </details>
                            <Show when=move || staff && matches!(status, ProjectStatus::InProgress | ProjectStatus::Available | ProjectStatus::Expired)>
                                <div class="status-actions">
                                    <label>
                                        "Days (blank: the unit's default)"
                                        <input type="number" min="1" max="90" inputmode="numeric" name="days" bind:value=days data-testid="status-days" />
                                    </label>
                                    <Show when=move || matches!(status, ProjectStatus::InProgress | ProjectStatus::Expired)>
                                        <label class="checkbox">
                                            <input type="checkbox" name="mail" bind:checked=mail />
                                            "Mail the researchers"
                                        </label>
                                        <button type="button" disabled=move || busy.get() data-testid="release"
                                            on:click=move |_| change.run(StatusChange::Release { deadline: days_given() })>
                                            {if released { "Release again" } else { "Release" }}
                                        </button>
                                    </Show>
                                    <Show when=move || status == ProjectStatus::Available>
                                        <button type="button" disabled=move || busy.get() data-testid="retract"
                                            on:click=move |_| change.run(StatusChange::Retract)>"Retract"</button>
                                        <button type="button" disabled=move || busy.get() data-testid="extend"
                                            on:click=move |_| extend.run(false)>"Extend the deadline"</button>
                                    </Show>
                                    <label class="checkbox">
                                        <input type="checkbox" name="aborted" bind:checked=aborted />
                                        "Abort (also clears the title, description and PI)"
                                    </label>
                                    <button type="button" class="button-danger" disabled=move || busy.get() data-testid="archive"
                                        on:click=move |_| set_confirm.set(Some(Pending::Archive { aborted: aborted.get_untracked() }))>
                                        "Archive"
                                    </button>
                                    <Show when=move || status == ProjectStatus::InProgress && !released>
                                        <button type="button" class="button-danger" disabled=move || busy.get() data-testid="delete"
                                            on:click=move |_| set_confirm.set(Some(Pending::Delete))>"Delete"</button>
                                    </Show>
                                </div>
                            </Show>
                        }.into_any()
                    }
                })}
            </Suspense>
            <Show when=move || extension_question.get().is_some()>
                <div class="confirm" role="alertdialog" aria-labelledby="extend-question" data-testid="extend-confirm">
                    <p id="extend-question">{move || extension_question.get()}</p>
                    <button type="button" disabled=move || busy.get() on:click=move |_| extend.run(true) data-testid="extend-yes">
                        "Extend"
                    </button>
                    <button type="button" on:click=move |_| set_extension_question.set(None)>"Cancel"</button>
                </div>
            </Show>
            <Show when=move || confirm.get().is_some()>
                <div class="confirm" role="alertdialog" aria-labelledby="confirm-question" data-testid="status-confirm">
                    <p id="confirm-question">
                        {move || match confirm.get() {
                            Some(Pending::Delete) => "Delete this project? Its data and details are removed for good.".to_string(),
                            Some(Pending::Archive { aborted: true }) => "Abort this project? Its data is removed and its details cleared, for good.".to_string(),
                            _ => "Archive this project? Its data is removed for good; its details stay.".to_string(),
                        }}
                    </p>
                    <button type="button" class="button-danger" disabled=move || busy.get() data-testid="confirm-yes"
                        on:click=move |_| match confirm.get_untracked() {
                            Some(Pending::Delete) => change.run(StatusChange::Delete),
                            Some(Pending::Archive { aborted }) => change.run(StatusChange::Archive { aborted }),
                            None => {}
                        }>
                        "Yes, go ahead"
                    </button>
                    <button type="button" on:click=move |_| set_confirm.set(None)>"Cancel"</button>
                </div>
            </Show>
        </section>
    }
}
