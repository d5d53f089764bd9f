//! Whether the browser bundle runs this page yet. Forms that handle secrets keep their submit
//! button disabled until it does: a form submitted before hydration would fall back to the
//! browser's default GET, with every named field in the URL (history, proxy logs). Secret fields
//! also carry no `name`, so even such a fallback could not send them.

use leptos::prelude::*;

/// `false` while server-rendered, `true` once hydrated (effects run only in the browser).
pub fn use_hydrated() -> ReadSignal<bool> {
    let (hydrated, set_hydrated) = signal(false);
    Effect::new(move |_| set_hydrated.set(true));
    hydrated
}
