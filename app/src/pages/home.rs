//! The landing page: what the portal is and where to start.

use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn HomePage() -> impl IntoView {
    view! {
        <Title text="" />
        <section class="hero">
            <h1>"Data Delivery System"</h1>
            <p class="lead">
                "Facilities deliver research data to research groups. Files are encrypted in
                 your browser before they leave your machine and decrypted only in the browser of
                 someone with access to the project: not even the operators can read them."
            </p>
        </section>
        <section class="cards">
            <article class="card">
                <h2>"For units"</h2>
                <p>"Create a project, upload its files, release it to the research group."</p>
            </article>
            <article class="card">
                <h2>"For researchers"</h2>
                <p>"Download released data before its deadline, straight to your disk."</p>
            </article>
            <article class="card">
                <h2>"Security"</h2>
                <p>"Keys are generated and kept in your browser; the server stores only ciphertext."</p>
            </article>
        </section>
    }
}
