//! A transfer outlives its session. When the portal answers 401 in the middle of one (the
//! session expired, or was ended elsewhere), the call does not fail: [`waiting_for_login`] names
//! the user, the page shows its dialog, and once that same user has logged in again (in another
//! tab: the session cookie belongs to the browser, not to the tab) the call is made again.
//! Nothing already sent is lost, and the keys the transfer holds never left this tab's memory.

use leptos::prelude::*;

thread_local! {
    /// The user a transfer waits for, while one does.
    static WAITING: ArcRwSignal<Option<String>> = ArcRwSignal::new(None);
}

/// Whose login a transfer waits for (`None` when none waits): what the dialog shows.
pub fn waiting_for_login() -> ArcRwSignal<Option<String>> {
    WAITING.with(Clone::clone)
}

#[cfg(feature = "hydrate")]
pub use browser::patiently;

#[cfg(feature = "hydrate")]
mod browser {
    use std::cell::Cell;
    use std::future::Future;

    use leptos::prelude::*;

    use super::waiting_for_login;
    use crate::api::auth::{SignedInUser, ME};
    use crate::api::url;
    use crate::client::api::{get_json, ApiError};

    /// How often the portal is asked whether the user is back.
    const POLL_MS: i32 = 3_000;

    thread_local! {
        /// Calls waiting now (several parts may be under way when the session goes).
        static WAITERS: Cell<u32> = const { Cell::new(0) };
        /// When one of them last asked the portal (ms): the calls share one poll.
        static LAST_POLL: Cell<f64> = const { Cell::new(0.0) };
    }

    /// Makes `call` and, whenever the portal answers that the session is gone, waits until
    /// `username` has logged in again and makes it again. Stops waiting when `signal` is
    /// aborted (the user paused or cancelled), with the 401.
    pub async fn patiently<T, Fut>(
        username: &str,
        signal: Option<&web_sys::AbortSignal>,
        call: impl Fn() -> Fut,
    ) -> Result<T, ApiError>
    where
        Fut: Future<Output = Result<T, ApiError>>,
    {
        loop {
            match call().await {
                Err(err) if err.is(401) => {
                    if !wait_for(username, signal).await {
                        return Err(err);
                    }
                }
                answer => return answer,
            }
        }
    }

    /// Waits until `username` is signed in again; `false` when `signal` was aborted first.
    async fn wait_for(username: &str, signal: Option<&web_sys::AbortSignal>) -> bool {
        let waiting = waiting_for_login();
        WAITERS.set(WAITERS.get() + 1);
        waiting.set(Some(username.to_string()));
        let back = loop {
            if signal.is_some_and(web_sys::AbortSignal::aborted) {
                break false;
            }
            sleep(POLL_MS).await;
            // Another waiting call saw the user back.
            if waiting.get_untracked().is_none() {
                break true;
            }
            // One call asks for all of them, once per interval.
            let now = js_sys::Date::now();
            if now - LAST_POLL.get() < f64::from(POLL_MS) {
                continue;
            }
            LAST_POLL.set(now);
            if get_json::<SignedInUser>(&url(ME)).await.is_ok_and(|me| me.username == username) {
                break true;
            }
        };
        WAITERS.set(WAITERS.get() - 1);
        // The session is the browser's: once it is back, every waiting call goes on.
        if back || WAITERS.get() == 0 {
            waiting.set(None);
        }
        back
    }

    async fn sleep(ms: i32) {
        let promise = js_sys::Promise::new(&mut |resolve, _| {
            if let Some(window) = web_sys::window() {
                let _ = window.set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, ms);
            }
        });
        let _ = wasm_bindgen_futures::JsFuture::from(promise).await;
    }
}
