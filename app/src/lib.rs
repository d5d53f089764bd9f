//! The DDS web application: pages, components, server functions and the pure domain rules they
//! share with the server (roles, navigation). Server-only code sits behind the `ssr` feature; the
//! `hydrate` build (the browser bundle) must not pull in sqlx, tokio or aws-sdk.
#![recursion_limit = "256"]

pub mod api;
pub mod client;
pub mod components;
pub mod domain;
pub mod pages;
pub mod shell;
#[cfg(feature = "ssr")]
pub mod ssr;

pub use shell::{shell, App};

/// Entry point of the browser bundle: attaches the client to the server-rendered page.
#[cfg(feature = "hydrate")]
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    leptos::mount::hydrate_body(App);
    // Lets tests (and curious developers) see that the page is live.
    if let Some(html) = leptos::prelude::document().document_element() {
        let _ = html.set_attribute("data-hydrated", "true");
    }
}
