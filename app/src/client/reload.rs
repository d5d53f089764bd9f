//! Data a console section loads in the browser, again whenever its version changes.

use leptos::prelude::*;
use serde::de::DeserializeOwned;

use crate::client::api::get_json;

/// Loads the API `path` in the browser, again whenever `version` changes. Client-only (an
/// effect), so the server and the hydrating browser both render the "loading" state first:
/// sections inside a page's own `Suspense` would not hydrate a nested resource.
pub fn load_on<T>(path: &'static str, version: ReadSignal<u32>) -> ReadSignal<Option<Result<T, String>>>
where
    T: DeserializeOwned + Send + Sync + 'static,
{
    let (value, set_value) = signal(None);
    Effect::new(move |_| {
        version.track();
        leptos::task::spawn_local(async move {
            set_value.set(Some(get_json::<T>(&crate::api::url(path)).await.map_err(String::from)))
        });
    });
    value
}
