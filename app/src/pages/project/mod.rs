//! One project: its details, whether this browser holds its key (checked by opening it), its
//! members and their access, who waits for its key (approved here, after comparing their key
//! fingerprint), and (unit staff, Project Owners) inviting or adding Researchers.

mod file_browser;
mod status;
mod upload;

use crate::api::keys::WaitingMember;
use crate::api::projects::{ProjectDetails, ProjectInvite, ProjectMember, PROJECT};
use crate::api::{url, with_param};
use crate::client::api::get_json;
use crate::client::project_keys::{KeyPath, PENDING};
use crate::client::transfer::download::{can_save_folders, save_files, Downloaded};
use crate::client::transfer::upload::Target;
use crate::components::session::CurrentUser;
use crate::components::session_lost::SessionLostDialog;
use crate::components::sign_in::{is_visitor, LoginPrompt};
use crate::components::waiting::WaitingList;
use crate::domain::data_access::{self, DataAction};
use crate::domain::project_status::ProjectStatus;
use crate::domain::projects::Capacity;
use crate::domain::quota::human_bytes;
use crate::pages::projects::access_label;
use file_browser::FileBrowser;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;
use status::StatusPanel;
use upload::UploadPanel;

fn capacity(is_owner: bool) -> &'static str {
    if is_owner {
        "Project Owner"
    } else {
        "Researcher"
    }
}

#[component]
pub fn ProjectPage() -> impl IntoView {
    let user = expect_context::<CurrentUser>();
    let params = use_params_map();
    let public_id = move || params.read().get("id").unwrap_or_default();
    let (version, set_version) = signal(0u32);
    let status_notice = RwSignal::new(None::<String>);
    let details = LocalResource::new(move || {
        version.track();
        let id = public_id();
        // A visitor is asked to log in instead (no call that could only answer 401).
        let visitor = is_visitor(user);
        async move {
            if visitor {
                return Err(String::new());
            }
            get_json::<ProjectDetails>(&url(&with_param(PROJECT, &id))).await.map_err(String::from)
        }
    });
    // Whether this browser really opens the project key: checked, not assumed.
    let (key_state, set_key_state) = signal(None::<Result<(), String>>);
    // Once the key opens: whether this browser runs the crypto worker pool transfers use (made
    // and self-checked now, so a browser that cannot says so before a transfer starts).
    let (pool_state, set_pool_state) = signal(None::<Result<(), String>>);
    let check_keys =
        Action::new_local(move |(me, project): &(crate::domain::account::SignedInUser, ProjectDetails)| {
            let (me, project) = (me.clone(), project.clone());
            async move {
                let opened =
                    crate::client::project_keys::check(&me.username, &project.key, &project.public_key).await;
                let holds_key = opened.is_ok();
                set_key_state.set(Some(opened));
                if holds_key {
                    set_pool_state.set(Some(crate::client::transfer::ready().await));
                }
            }
        });
    Effect::new(move || {
        let (Some(Ok(project)), Some(me)) = (details.get(), user.get()) else {
            return;
        };
        check_keys.dispatch((me, project));
    });

    // Downloads: the folder is asked for first (while the click counts), then the files are
    // fetched, decrypted, checked and written in this browser.
    let files_changed = RwSignal::new(0u32);
    let (download_state, set_download_state) = signal(None::<Result<String, String>>);
    let save = Action::new_local(
        move |(me, project, path, what): &(
            crate::domain::account::SignedInUser,
            ProjectDetails,
            String,
            String,
        )| {
            let (me, project, path, what) = (me.clone(), project.clone(), path.clone(), what.clone());
            async move {
                let progress = {
                    let what = what.clone();
                    // Into a folder, a stopped download goes on from the files it saved whole.
                    let again = if can_save_folders() {
                        " If it stops, save into the same folder again: the files saved whole are kept."
                    } else {
                        ""
                    };
                    std::rc::Rc::new(move |files: u64, bytes: u64| {
                        set_download_state.set(Some(Ok(format!(
                            "Saving {what}: {files} file(s), {} so far…{again}",
                            human_bytes(bytes as i64)
                        ))));
                    })
                };
                let saved = save_files(&me.username, &project, &path, progress).await;
                set_download_state.set(match saved {
                    Ok(Some(Downloaded { files, bytes, into_downloads, sha256, kept })) => Some(Ok(format!(
                        "Saved {files} file(s), {}{}: each one decrypted and its checksum verified.{}{}",
                        human_bytes(bytes as i64),
                        if into_downloads {
                            " into this browser's downloads (folders joined to the names with _)"
                        } else {
                            ""
                        },
                        match kept {
                            0 => String::new(),
                            kept => format!(
                                " {kept} of them an earlier download had saved whole (same size and checksum): kept, not fetched again."
                            ),
                        },
                        sha256
                            .map(|sum| format!(" SHA-256 {sum} (compare with sha256sum)."))
                            .unwrap_or_default()
                    ))),
                    Ok(None) => None,
                    Err(message) => Some(Err(message)),
                });
            }
        },
    );
    let download = Callback::new(move |path: String| {
        let (Some(Ok(project)), Some(me)) =
            (details.get_untracked(), user.0.get_untracked().and_then(Result::ok).flatten())
        else {
            return;
        };
        let what = if path.is_empty() { "the project's files".to_string() } else { path.clone() };
        set_download_state.set(Some(Ok(if can_save_folders() {
            format!("Choose the folder to save {what} in…")
        } else {
            format!("Saving {what} into this browser's downloads, one file at a time…")
        })));
        save.dispatch((me, project, path, what));
    });

    // Approving a waiting member: the key sealed in this browser once the approver confirmed.
    let (approving, set_approving) = signal(None::<String>);
    let (approval_error, set_approval_error) = signal(None::<String>);
    let (approval_notice, set_approval_notice) = signal(None::<String>);
    let approval = Action::new_local(
        move |(me, project, member): &(
            crate::domain::account::SignedInUser,
            ProjectDetails,
            WaitingMember,
        )| {
            let (me, project, member) = (me.clone(), project.clone(), member.clone());
            async move {
                let approved = crate::client::project_keys::approve(
                    &me.username,
                    &project.summary.public_id,
                    &project.key,
                    &project.public_key,
                    &member,
                );
                match approved.await {
                    Ok(()) => {
                        set_approval_notice
                            .set(Some(format!("{} now has access to the project.", member.name)));
                        set_version.update(|v| *v += 1);
                    }
                    Err(message) => set_approval_error.set(Some(message)),
                }
                set_approving.set(None);
            }
        },
    );
    let approve = Callback::new(move |member: WaitingMember| {
        let (Some(Ok(project)), Some(me)) =
            (details.get_untracked(), user.0.get_untracked().and_then(Result::ok).flatten())
        else {
            return;
        };
        set_approval_error.set(None);
        set_approval_notice.set(None);
        set_approving.set(Some(member.username.clone()));
        approval.dispatch((me, project, member));
    });

    let email = RwSignal::new(String::new());
    let owner = RwSignal::new(false);
    let (error, set_error) = signal(None::<String>);
    let (notice, set_notice) = signal(None::<String>);
    let (busy, set_busy) = signal(false);
    let send_invite = Action::new_local(move |(project, to, as_owner): &(ProjectDetails, String, bool)| {
        let (project, to, as_owner) = (project.clone(), to.clone(), *as_owner);
        async move {
            match keys::invite(&project, to.trim(), as_owner).await {
                Ok(message) => {
                    set_notice.set(Some(message));
                    email.set(String::new());
                    set_version.update(|v| *v += 1);
                }
                Err(message) => set_error.set(Some(message)),
            }
            set_busy.set(false);
        }
    });
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        set_error.set(None);
        set_notice.set(None);
        let Some(Ok(project)) = details.get_untracked() else {
            return;
        };
        let (to, as_owner) = (email.get_untracked(), owner.get_untracked());
        set_busy.set(true);
        send_invite.dispatch((project, to, as_owner));
    };

    view! {
        <Title text=move || format!("Project {}", public_id()) />
        <Suspense fallback=|| view! { <p>"Loading…"</p> }>
            {move || {
                if is_visitor(user) {
                    return Some(view! { <LoginPrompt /> }.into_any());
                }
                details
                    .get()
                    .map(|result| match result {
                        Err(message) => {
                            view! { <p class="form-error" role="alert" data-testid="project-missing">{message}</p> }
                                .into_any()
                        }
                        Ok(project) => {
                            let may_add = project.may_add_researchers;
                            let key_path = project.key.clone();
                            let can_approve = project.key.access() == Some(true);
                            view! {
                                <h1 data-testid="project-title">{format!("{} · {}", project.summary.public_id, project.summary.title)}</h1>
                                <section class="card">
                                    <dl class="facts">
                                        <dt>"Unit"</dt>
                                        <dd>{project.summary.unit.clone()}</dd>
                                        <dt>"PI"</dt>
                                        <dd>{project.summary.pi.clone()}</dd>
                                        <dt>"Status"</dt>
                                        <dd data-testid="project-status">{project.summary.status.as_str()}</dd>
                                        <dt>"Your role"</dt>
                                        <dd data-testid="project-capacity">{project.summary.capacity.label()}</dd>
                                        <dt>"Your access"</dt>
                                        <dd data-testid="project-key">
                                            {move || match (key_state.get(), &project.key) {
                                                (_, KeyPath::Pending) => PENDING.to_string(),
                                                (_, KeyPath::None) => "Super Admins hold no project keys.".to_string(),
                                                (None, _) => "Opening the project key…".to_string(),
                                                (Some(Ok(())), _) => "Your browser holds the project key.".to_string(),
                                                (Some(Err(message)), _) => message,
                                            }}
                                        </dd>
                                        <Show when=move || matches!(key_state.get(), Some(Ok(())))>
                                            <dt>"Encryption"</dt>
                                            <dd data-testid="crypto-pool">
                                                {move || match pool_state.get() {
                                                    None => "Starting this browser's encryption…".to_string(),
                                                    Some(Ok(())) => "This browser encrypts and decrypts the project's files itself.".to_string(),
                                                    Some(Err(message)) => message,
                                                }}
                                            </dd>
                                        </Show>
                                    </dl>
                                    <p>{project.description.clone()}</p>
                                </section>
                                {
                                    let capacity = project.summary.capacity;
                                    let status = project.summary.status;
                                    let staff = matches!(capacity, Capacity::Staff(_));
                                    let lists = data_access::may(capacity, DataAction::List, status, false).is_ok();
                                    let may_delete = staff && status == ProjectStatus::InProgress;
                                    let may_upload = data_access::may(capacity, DataAction::Upload, status, false).is_ok();
                                    let may_download = data_access::may(capacity, DataAction::Download, status, false).is_ok();
                                    let id = project.summary.public_id.clone();
                                    let changed = Callback::new(move |()| set_version.update(|v| *v += 1));
                                    let target = Target { public_id: id.clone(), public_key: project.public_key.clone(), key: key_path.clone() };
                                    let transfers_ready = move || matches!(pool_state.get(), Some(Ok(())));
                                    view! {
                                        <StatusPanel public_id=id.clone() staff=staff changed=changed notice=status_notice />
                                        <SessionLostDialog />
                                        <Show when=move || may_upload && transfers_ready()>
                                            <UploadPanel target=target.clone() files_changed=files_changed />
                                        </Show>
                                        <Show when=move || download_state.get().is_some()>
                                            {move || match download_state.get() {
                                                Some(Err(message)) => view! { <p class="form-error" role="alert" data-testid="download-error">{message}</p> }.into_any(),
                                                Some(Ok(message)) => view! { <p class="form-status" role="status" data-testid="download-status">{message}</p> }.into_any(),
                                                None => ().into_any(),
                                            }}
                                        </Show>
                                        <Show when=move || lists>
                                            <FileBrowser public_id=id.clone() may_delete=may_delete refresh=files_changed
                                                download=may_download.then_some(download) />
                                        </Show>
                                    }
                                }
                                <Show when=move || approval_error.get().is_some()>
                                    <p class="form-error" role="alert" data-testid="approval-error">{move || approval_error.get()}</p>
                                </Show>
                                <Show when=move || approval_notice.get().is_some()>
                                    <p class="form-status" role="status" data-testid="approval-notice">{move || approval_notice.get()}</p>
                                </Show>
                                {project.waiting.clone().map(|waiting| {
                                    view! {
                                        <WaitingList waiting=waiting what="this project's key" can_approve=can_approve approve=approve busy=approving />
                                    }
                                })}
                                {project.members.clone().map(|members| view! { <Members members=members /> })}
                                {project.invites.clone().filter(|i| !i.is_empty()).map(|invites| view! { <Invites invites=invites /> })}
                                <Show when=move || may_add>
                                    <section class="card">
                                        <h2>"Add a Researcher"</h2>
                                        <p>
                                            "New addresses get an invitation; a Researcher who already has an account is added at once."
                                        </p>
                                        <Show when=move || error.get().is_some()>
                                            <p class="form-error" role="alert" data-testid="add-error">{move || error.get()}</p>
                                        </Show>
                                        <Show when=move || notice.get().is_some()>
                                            <p class="form-status" role="status" data-testid="add-notice">{move || notice.get()}</p>
                                        </Show>
                                        <form class="stacked-form" on:submit=submit data-testid="add-researcher">
                                            <label>"Email" <input type="email" name="email" required bind:value=email /></label>
                                            <label class="checkbox">
                                                <input type="checkbox" name="owner" bind:checked=owner />
                                                "Project Owner (may add Researchers too)"
                                            </label>
                                            <button type="submit" disabled=move || busy.get()>"Add"</button>
                                        </form>
                                    </section>
                                </Show>
                            }
                                .into_any()
                        }
                    })
            }}
        </Suspense>
    }
}

#[component]
fn Members(members: Vec<ProjectMember>) -> impl IntoView {
    view! {
        <section class="card">
            <h2>"Researchers"</h2>
            <table class="table" data-testid="members">
                <thead>
                    <tr>
                        <th>"Username"</th>
                        <th>"Name"</th>
                        <th>"Role"</th>
                        <th>"Access"</th>
                    </tr>
                </thead>
                <tbody>
                    {members
                        .into_iter()
                        .map(|m| {
                            let row = m.username.clone();
                            view! {
                                <tr data-member=row>
                                    <td>{m.username}</td>
                                    <td>{m.name}</td>
                                    <td>{capacity(m.is_owner)}</td>
                                    <td data-testid="member-access">{access_label(Some(m.access))}</td>
                                </tr>
                            }
                        })
                        .collect_view()}
                </tbody>
            </table>
        </section>
    }
}

#[component]
fn Invites(invites: Vec<ProjectInvite>) -> impl IntoView {
    view! {
        <section class="card">
            <h2>"Pending invitations"</h2>
            <ul data-testid="project-invites">
                {invites
                    .into_iter()
                    .map(|i| view! { <li>{format!("{} ({})", i.email, capacity(i.is_owner))}</li> })
                    .collect_view()}
            </ul>
        </section>
    }
}

/// Bringing Researchers in.
mod keys {
    use super::ProjectDetails;
    use crate::api::invites::Invited;

    /// Invites (or adds) `email`; the sentence to show.
    pub async fn invite(project: &ProjectDetails, email: &str, owner: bool) -> Result<String, String> {
        let answer =
            crate::client::invites::invite_to_project(email, &project.summary.public_id, owner).await?;
        Ok(match answer {
            Invited::Sent { .. } => format!("An invitation was sent to {email}."),
            Invited::Added { added } => format!(
                "{added} was added to the project. Their access waits for your approval below: compare their key fingerprint with them first."
            ),
            Invited::Changed { changed } => format!("{changed} is now {} of the project.", super::capacity(owner)),
            Invited::AddedToInvite { .. } => format!("The pending invitation of {email} now includes this project."),
        })
    }
}
