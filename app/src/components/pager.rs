//! The links between the pages of a list read by cursor (accounts by username, invites newest
//! first): back to the first page when on a later one, on to the next when this page was full.

use leptos::prelude::*;

/// What a pager says and how tests find it (`{testid}`, `{testid}-first`, `{testid}-next`).
pub struct PagerWords {
    /// The navigation's name for assistive technology ("Pages of accounts").
    pub label: &'static str,
    pub testid: &'static str,
    /// How the list is paged ("200 accounts a page, by username.").
    pub hint: String,
    pub first: &'static str,
    pub next: &'static str,
}

/// The pager of a page: `next` is where the next page starts (none: this one was the last),
/// `go` moves the list to a page (`None`: the first). Nothing when the list fits one page.
pub fn cursor_pager(
    words: PagerWords,
    on_later_page: bool,
    next: Option<String>,
    go: WriteSignal<Option<String>>,
) -> Option<impl IntoView> {
    (on_later_page || next.is_some()).then(|| {
        let PagerWords { label, testid, hint, first, next: next_label } = words;
        view! {
            <nav class="pager" aria-label=label data-testid=testid>
                <span class="hint">{hint}</span>
                {on_later_page.then(|| view! {
                    <button type="button" on:click=move |_| go.set(None) data-testid=format!("{testid}-first")>
                        {first}
                    </button>
                })}
                {next.map(|cursor| view! {
                    <button
                        type="button"
                        on:click=move |_| go.set(Some(cursor.clone()))
                        data-testid=format!("{testid}-next")
                    >
                        {next_label}
                    </button>
                })}
            </nav>
        }
    })
}
