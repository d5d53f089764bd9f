//! A project's files on its page: one folder level at a time (breadcrumbs, folder sizes and
//! file counts, more entries by cursor), search by name, and deletion where the server allows
//! it (it decides; the button only shows where `domain::data_access` says yes).

use leptos::prelude::*;

use crate::api::files::{DeletePaths, Deleted, FileEntry, FolderPage, PROJECT_FILES, PROJECT_FILE_SEARCH};
use crate::api::{query_value, url, with_param};
use crate::client::api::{get_json, send_json};
use crate::domain::dates::utc_day;
use crate::domain::quota::human_bytes;

#[component]
pub fn FileBrowser(
    public_id: String,
    /// Whether the viewer may delete files now (the server checks again).
    may_delete: bool,
    /// Saves a file or folder ('' for everything) into a folder the user picks, where the role
    /// and status allow downloads.
    download: Option<Callback<String>>,
    /// Bumped when files arrived (an upload finished): the level is loaded again.
    refresh: RwSignal<u32>,
) -> impl IntoView {
    let may_download = download.is_some();
    let files_path = url(&with_param(PROJECT_FILES, &public_id));
    let search_path = url(&with_param(PROJECT_FILE_SEARCH, &public_id));
    let folder = RwSignal::new(String::new());
    let (version, set_version) = signal(0u32);
    let entries = RwSignal::new(Vec::<FileEntry>::new());
    let next = RwSignal::new(None::<String>);
    let (error, set_error) = signal(None::<String>);
    let (notice, set_notice) = signal(None::<String>);
    let (loading, set_loading) = signal(false);
    let (doomed, set_doomed) = signal(None::<String>);
    let query = RwSignal::new(String::new());
    let found = RwSignal::new(None::<Vec<FileEntry>>);

    let load_path = files_path.clone();
    // (the listing's address, whether it continues the page shown)
    let fetch_page = Action::new_local(move |(path, more): &(String, bool)| {
        let (path, more) = (path.clone(), *more);
        async move {
            match get_json::<FolderPage>(&path).await {
                Ok(page) => {
                    if more {
                        entries.update(|all| all.extend(page.entries));
                    } else {
                        entries.set(page.entries);
                    }
                    next.set(page.next);
                    set_error.set(None);
                }
                Err(e) => set_error.set(Some(e.to_string())),
            }
            set_loading.set(false);
        }
    });
    let load = Callback::new(move |after: Option<String>| {
        let path = format!(
            "{load_path}?path={}{}",
            query_value(&folder.get_untracked()),
            after.as_deref().map(|a| format!("&after={}", query_value(a))).unwrap_or_default()
        );
        set_loading.set(true);
        fetch_page.dispatch((path, after.is_some()));
    });
    Effect::new(move || {
        folder.track();
        version.track();
        refresh.track();
        found.set(None);
        load.run(None);
    });
    let find = Action::new_local(move |path: &String| {
        let path = path.clone();
        async move {
            match get_json::<Vec<FileEntry>>(&path).await {
                Ok(list) => found.set(Some(list)),
                Err(e) => set_error.set(Some(e.to_string())),
            }
        }
    });
    let search = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let text = query.get_untracked();
        if text.trim().is_empty() {
            found.set(None);
            return;
        }
        find.dispatch(format!("{search_path}?q={}", query_value(text.trim())));
    };
    let delete_path = files_path.clone();
    let remove = Action::new_local(move |path: &String| {
        let (target, path) = (delete_path.clone(), path.clone());
        async move {
            let body = DeletePaths { paths: vec![path.clone()] };
            match send_json::<_, Deleted>("DELETE", &target, &body).await {
                Ok(deleted) => {
                    set_notice.set(Some(format!(
                        "Deleted {path}: {} file(s), {}.",
                        deleted.files,
                        human_bytes(deleted.bytes)
                    )));
                    set_version.update(|v| *v += 1);
                }
                Err(e) => set_error.set(Some(e.to_string())),
            }
            set_doomed.set(None);
        }
    });
    let delete = Callback::new(move |path: String| {
        remove.dispatch(path);
    });

    let row = move |entry: FileEntry| {
        let open = entry.path.clone();
        let remove = entry.path.clone();
        let fetch = entry.path.clone();
        let label = entry.name.clone();
        view! {
            <tr data-entry=entry.path.clone()>
                <td>
                    {if entry.is_folder {
                        view! {
                            <button type="button" class="link" on:click=move |_| folder.set(open.clone())>
                                {format!("{}/", label)}
                            </button>
                        }.into_any()
                    } else {
                        view! { <span>{label}</span> }.into_any()
                    }}
                </td>
                <td class="number">{human_bytes(entry.size_bytes)}</td>
                <td class="number">{if entry.is_folder { entry.file_count.to_string() } else { String::new() }}</td>
                <td>{entry.updated_at.map(utc_day).unwrap_or_default()}</td>
                <td class="number" data-versions=entry.versions>
                    {if entry.is_folder { String::new() } else { entry.versions.to_string() }}
                </td>
                <Show when=move || may_download>
                    <td>
                        <button type="button" aria-label=format!("Download {}", fetch) data-download=fetch.clone()
                            on:click={
                                let fetch = fetch.clone();
                                move |_| if let Some(download) = download { download.run(fetch.clone()) }
                            }>
                            "Download"
                        </button>
                    </td>
                </Show>
                <Show when=move || may_delete>
                    <td>
                        <button type="button" class="button-danger" aria-label=format!("Delete {}", remove)
                            on:click={
                                let remove = remove.clone();
                                move |_| set_doomed.set(Some(remove.clone()))
                            }>
                            "Delete"
                        </button>
                    </td>
                </Show>
            </tr>
        }
    };

    view! {
        <section class="card" aria-labelledby="files-heading" data-testid="file-browser">
            <h2 id="files-heading">"Files"</h2>
            <nav aria-label="Folder" class="breadcrumbs" data-testid="breadcrumbs">
                <button type="button" class="link" on:click=move |_| folder.set(String::new())>"All files"</button>
                {move || {
                    let current = folder.get();
                    let mut so_far = String::new();
                    current
                        .split('/')
                        .filter(|part| !part.is_empty())
                        .map(|part| {
                            if !so_far.is_empty() {
                                so_far.push('/');
                            }
                            so_far.push_str(part);
                            let target = so_far.clone();
                            view! {
                                " / "
                                <button type="button" class="link" on:click=move |_| folder.set(target.clone())>{part.to_string()}</button>
                            }
                        })
                        .collect_view()
                }}
            </nav>
            <Show when=move || may_download>
                <button type="button" data-testid="download-all"
                    on:click=move |_| if let Some(download) = download { download.run(String::new()) }>
                    "Download all files"
                </button>
            </Show>
            <form class="inline-form" role="search" on:submit=search>
                <label>"Find a file by name " <input type="search" name="q" bind:value=query /></label>
                <button type="submit">"Search"</button>
            </form>
            <Show when=move || notice.get().is_some()>
                <p class="form-status" role="status">{move || notice.get()}</p>
            </Show>
            <Show when=move || error.get().is_some()>
                <p class="form-error" role="alert" data-testid="files-error">{move || error.get()}</p>
            </Show>
            <Show when=move || doomed.get().is_some()>
                <div class="confirm" role="alertdialog" aria-labelledby="delete-question">
                    <p id="delete-question">{move || format!("Delete {} and everything in it?", doomed.get().unwrap_or_default())}</p>
                    <button type="button" class="button-danger" on:click=move |_| {
                        if let Some(path) = doomed.get_untracked() { delete.run(path) }
                    }>"Delete"</button>
                    <button type="button" on:click=move |_| set_doomed.set(None)>"Cancel"</button>
                </div>
            </Show>
            <table class="table" data-testid="files">
                <thead>
                    <tr>
                        <th scope="col">"Name"</th>
                        <th scope="col">"Size"</th>
                        <th scope="col">"Files"</th>
                        <th scope="col">"Uploaded"</th>
                        <th scope="col">"Version"</th>
                        <Show when=move || may_download><th scope="col"><span class="visually-hidden">"Download"</span></th></Show>
                        <Show when=move || may_delete><th scope="col"><span class="visually-hidden">"Delete"</span></th></Show>
                    </tr>
                </thead>
                <tbody>
                    {move || match found.get() {
                        Some(list) => list.into_iter().map(row).collect_view().into_any(),
                        None => entries.get().into_iter().map(row).collect_view().into_any(),
                    }}
                </tbody>
            </table>
            <Show when=move || !loading.get() && found.get().is_none() && entries.with(Vec::is_empty)>
                <p data-testid="files-empty">"No files here yet."</p>
            </Show>
            <Show when=move || next.get().is_some() && found.get().is_none()>
                <button type="button" disabled=move || loading.get() on:click=move |_| load.run(next.get_untracked())>
                    "Show more"
                </button>
            </Show>
        </section>
    }
}
