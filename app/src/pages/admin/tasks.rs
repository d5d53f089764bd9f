//! Background tasks in the Super Admin console: durable tasks still open (waiting for a retry or
//! failing), with their project, attempts and last error, and a button that makes one due now.

use leptos::prelude::*;

use crate::api::tasks::{OpenTask, TASKS, TASK_RETRY};
use crate::api::{url, with_param};
use crate::client::api::post_empty;
use crate::client::reload::load_on;
use crate::domain::dates::utc;

/// What a task kind does, as a sentence for people.
fn describe(kind: &str) -> &str {
    match kind {
        "remove_project_data" => "Remove a project's data and bucket",
        "remove_deleted_objects" => "Remove the objects of deleted files",
        other => other,
    }
}

#[component]
pub fn TasksConsole() -> impl IntoView {
    let (version, set_version) = signal(0u32);
    let (error, set_error) = signal(None::<String>);
    let (status, set_status) = signal(None::<String>);
    let tasks = load_on::<Vec<OpenTask>>(TASKS, version);
    let retry_task = Action::new_local(move |id: &i64| {
        let id = *id;
        async move {
            match post_empty::<()>(&url(&with_param(TASK_RETRY, &id.to_string()))).await {
                Ok(()) => {
                    set_status.set(Some(format!("Task {id} runs again within a few seconds.")));
                    set_version.update(|v| *v += 1);
                }
                Err(err) => set_error.set(Some(err.to_string())),
            }
        }
    });
    let retry = Callback::new(move |id: i64| {
        set_error.set(None);
        set_status.set(None);
        retry_task.dispatch(id);
    });
    view! {
        <section class="card" data-testid="tasks-card">
            <h2>"Background tasks"</h2>
            <p class="hint">
                "Data removals the portal must finish; a failed one is retried with growing pauses."
            </p>
            <Show when=move || error.get().is_some()>
                <p class="form-error" role="alert">{move || error.get()}</p>
            </Show>
            <Show when=move || status.get().is_some()>
                <p class="form-status" role="status" data-testid="tasks-status">{move || status.get()}</p>
            </Show>
            {move || match tasks.get() {
                None => view! { <p>"Loading…"</p> }.into_any(),
                Some(Err(message)) => view! { <p class="form-error">{message}</p> }.into_any(),
                Some(Ok(list)) if list.is_empty() => {
                    view! { <p data-testid="tasks-none">"No open tasks: every removal has finished."</p> }.into_any()
                }
                Some(Ok(list)) => view! {
                    <div class="table-scroll">
                        <table class="table" data-testid="tasks">
                            <caption class="visually-hidden">"Open background tasks"</caption>
                            <thead>
                                <tr>
                                    <th scope="col">"Task"</th>
                                    <th scope="col">"Project"</th>
                                    <th scope="col" class="number">"Attempts"</th>
                                    <th scope="col">"Next attempt"</th>
                                    <th scope="col">"Last error"</th>
                                    <th scope="col"><span class="visually-hidden">"Actions"</span></th>
                                </tr>
                            </thead>
                            <tbody>
                                {list
                                    .into_iter()
                                    .map(|task| {
                                        let id = task.id;
                                        view! {
                                            <tr data-task=id>
                                                <td>{describe(&task.kind).to_string()}</td>
                                                <td>{task.project.unwrap_or_default()}</td>
                                                <td class="number">{task.attempts}</td>
                                                <td>{utc(task.next_attempt_at)}</td>
                                                <td>{task.last_error.unwrap_or_else(|| "—".into())}</td>
                                                <td>
                                                    <button
                                                        type="button"
                                                        aria-label=format!("Retry task {id} now")
                                                        on:click=move |_| retry.run(id)
                                                    >
                                                        "Retry now"
                                                    </button>
                                                </td>
                                            </tr>
                                        }
                                    })
                                    .collect_view()}
                            </tbody>
                        </table>
                    </div>
                }
                    .into_any(),
            }}
        </section>
    }
}
