//! The projects the user may see, and (unit staff) a new project: its key pair is made here, in
//! the browser, and its private key sealed to the unit key (DESIGN §3).

use leptos::prelude::*;
use leptos_meta::Title;

use crate::api::projects::{ProjectSummary, PROJECTS};
use crate::api::url;
use crate::client::api::get_json;
use crate::components::session::CurrentUser;
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
        async move { get_json::<Vec<ProjectSummary>>(&url(PROJECTS)).await.map_err(String::from) }
    });
    let title = RwSignal::new(String::new());
    let description = RwSignal::new(String::new());
    let pi = RwSignal::new(String::new());
    let (error, set_error) = signal(None::<String>);
    let (warning, set_warning) = signal(None::<String>);
    let (busy, set_busy) = signal(false);

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
        set_busy.set(true);
        leptos::task::spawn_local(async move {
            match make::project(&me.username, &t, &d, &p, confirmed).await {
                Ok(public_id) => {
                    set_warning.set(None);
                    set_version.update(|v| *v += 1);
                    #[cfg(feature = "hydrate")]
                    let _ = window().location().set_href(&format!("/projects/{public_id}"));
                    #[cfg(not(feature = "hydrate"))]
                    let _ = public_id;
                }
                // DDS's "only two Unit Admins" warning: the creator confirms, then it is sent again.
                Err(make::Failure::NeedsConfirmation(warning)) => set_warning.set(Some(warning)),
                Err(make::Failure::Refused(message)) => set_error.set(Some(message)),
            }
            set_busy.set(false);
        });
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

/// The creating staff member's browser side.
mod make {
    /// Why no project was made.
    pub enum Failure {
        /// The server's warning (409) the creator must confirm before sending again.
        #[cfg_attr(not(feature = "hydrate"), allow(dead_code))] // made in the browser build only
        NeedsConfirmation(String),
        Refused(String),
    }

    impl From<String> for Failure {
        fn from(message: String) -> Failure {
            Failure::Refused(message)
        }
    }

    /// Makes the project key pair, seals its private key to the unit key and creates the
    /// project; its public id.
    #[cfg(feature = "hydrate")]
    pub async fn project(
        username: &str,
        title: &str,
        description: &str,
        pi: &str,
        confirmed: bool,
    ) -> Result<String, Failure> {
        use crate::api::projects::{CreatedProject, NewProject, PROJECTS};
        use crate::client::unit_keys;
        use base64::engine::general_purpose::STANDARD;
        use base64::Engine;
        // Opening the unit key proves this browser has the unit's access before a project is
        // made that colleagues could not open.
        let (_, keys) = unit_keys::open(username).await?;
        let unit_public_key = keys.unit_public_key.ok_or_else(|| unit_keys::PENDING.to_string())?;
        let project_key = wasm_crypto::PrivateKey::generate();
        let body = NewProject {
            title: title.trim().to_string(),
            description: description.trim().to_string(),
            pi: pi.trim().to_string(),
            confirmed,
            public_key: STANDARD.encode(project_key.public_key().as_bytes()),
            unit_sealed_key: unit_keys::seal_to(&project_key, &unit_public_key)?,
            unit_public_key,
        };
        match crate::client::api::post_json::<_, CreatedProject>(&crate::api::url(PROJECTS), &body).await {
            Ok(created) => Ok(created.public_id),
            Err(err) if err.is(409) => Err(Failure::NeedsConfirmation(err.message)),
            Err(err) => Err(Failure::Refused(err.to_string())),
        }
    }

    #[cfg(not(feature = "hydrate"))]
    pub async fn project(_: &str, _: &str, _: &str, _: &str, _: bool) -> Result<String, Failure> {
        Err(Failure::Refused("Only available in the browser.".into()))
    }
}
