//! The projects the user may see, and (unit staff) a new project: its key pair is made in the
//! browser and its private key sealed to the unit key (DESIGN §3, `client::project_keys`).

use leptos::prelude::*;
use leptos_meta::Title;

use crate::api::projects::{ProjectSummary, PROJECTS};
use crate::api::url;
use crate::client::api::get_json;
use crate::client::project_keys::{create_project, CreateFailure, NewProjectForm};
use crate::components::session::CurrentUser;
use crate::components::sign_in::{is_visitor, LoginPrompt};
use crate::domain::projects::check_project_details;

/// The access column: DDS's ✅/❌, in words.
pub fn access_label(access: Option<bool>) -> &'static str {
    match access {
        Some(true) => "yes",
        Some(false) => "waiting for approval",
        None => "no keys (Super Admin)",
    }
}

#[component]
pub fn ProjectsPage() -> impl IntoView {
    let user = expect_context::<CurrentUser>();
    let (version, set_version) = signal(0u32);
    let projects = LocalResource::new(move || {
        version.track();
        // A visitor is asked to log in instead (no call that could only answer 401).
        let visitor = is_visitor(user);
        async move {
            if visitor {
                return Err(String::new());
            }
            get_json::<Vec<ProjectSummary>>(&url(PROJECTS)).await.map_err(String::from)
        }
    });
    let title = RwSignal::new(String::new());
    let description = RwSignal::new(String::new());
    let pi = RwSignal::new(String::new());
    let (error, set_error) = signal(None::<String>);
    let (warning, set_warning) = signal(None::<String>);
    // (username, title, description, PI, whether the warning was confirmed)
    let make = Action::new_local(|input: &(String, String, String, String, bool)| {
        let (username, title, description, pi, confirmed) = input.clone();
        async move {
            let form = NewProjectForm { title: &title, description: &description, pi: &pi, confirmed };
            create_project(&username, form).await
        }
    });
    let busy = make.pending();
    Effect::new(move || match make.value().get() {
        Some(Ok(public_id)) => {
            set_warning.set(None);
            set_version.update(|v| *v += 1);
            #[cfg(feature = "hydrate")]
            let _ = window().location().set_href(&format!("/projects/{public_id}"));
            #[cfg(not(feature = "hydrate"))]
            let _ = public_id;
        }
        // DDS's "only two Unit Admins" warning: the creator confirms, then it is sent again.
        Some(Err(CreateFailure::NeedsConfirmation(warning))) => set_warning.set(Some(warning)),
        Some(Err(CreateFailure::Refused(message))) => set_error.set(Some(message)),
        None => {}
    });

    let create = move |confirmed: bool| {
        set_error.set(None);
        let (t, d, p) = (title.get_untracked(), description.get_untracked(), pi.get_untracked());
        if let Err(message) = check_project_details(&t, &d, &p) {
            set_error.set(Some(message.to_string()));
            return;
        }
        let Some(me) = user.get() else {
            return;
        };
        make.dispatch((me.username, t, d, p, confirmed));
    };
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        create(false);
    };
    let staff = move || user.get().is_some_and(|me| me.role.belongs_to_unit());

    view! {
        <Title text="Projects" />
        <h1>"Projects"</h1>
        <section class="card">
            <Suspense fallback=|| view! { <p>"Loading…"</p> }>
                {move || {
                    if is_visitor(user) {
                        return Some(view! { <LoginPrompt /> }.into_any());
                    }
                    projects
                        .get()
                        .map(|result| match result {
                            Err(message) => view! { <p class="form-error">{message}</p> }.into_any(),
                            Ok(list) if list.is_empty() => {
                                view! { <p data-testid="no-projects">"No projects yet."</p> }.into_any()
                            }
                            Ok(list) => {
                                view! {
                                    <table class="table" data-testid="projects">
                                        <thead>
                                            <tr>
                                                <th>"Project ID"</th>
                                                <th>"Title"</th>
                                                <th>"PI"</th>
                                                <th>"Unit"</th>
                                                <th>"Status"</th>
                                                <th>"Your role"</th>
                                                <th>"Access"</th>
                                            </tr>
                                        </thead>
                                        <tbody>
                                            {list
                                                .into_iter()
                                                .map(|p| {
                                                    view! {
                                                        <tr data-project=p.public_id.clone()>
                                                            <td>
                                                                <a href=format!("/projects/{}", p.public_id)>{p.public_id.clone()}</a>
                                                            </td>
                                                            <td>{p.title}</td>
                                                            <td>{p.pi}</td>
                                                            <td>{p.unit}</td>
                                                            <td>{p.status.as_str()}</td>
                                                            <td>{p.capacity.label()}</td>
                                                            <td data-testid="project-access">{access_label(p.access)}</td>
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
        </section>
        // The user is a resource: read inside a Suspense so that hydration matches the HTML.
        <Suspense fallback=|| ()>
        <Show when=staff>
            <section class="card">
                <h2>"New project"</h2>
                <Show when=move || error.get().is_some()>
                    <p class="form-error" role="alert" data-testid="project-error">{move || error.get()}</p>
                </Show>
                <Show when=move || warning.get().is_some()>
                    <div class="form-warning" role="alert" data-testid="project-warning">
                        <p>{move || warning.get()}</p>
                        <button type="button" data-testid="create-anyway" on:click=move |_| create(true)>
                            "Create the project anyway"
                        </button>
                    </div>
                </Show>
                <form class="stacked-form" on:submit=submit data-testid="new-project">
                    <label>"Title" <input name="title" required bind:value=title /></label>
                    <label>"Description" <textarea name="description" required bind:value=description></textarea></label>
                    <label>"PI (email)" <input type="email" name="pi" required bind:value=pi /></label>
                    <button type="submit" disabled=move || busy.get()>"Create project"</button>
                </form>
            </section>
        </Show>
        </Suspense>
    }
}
