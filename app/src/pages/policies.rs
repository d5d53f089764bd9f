//! The terms of use and the privacy notice that registration asks people to accept. They say
//! what the portal does with people's data and what it cannot do with delivered data.

use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn TermsPage() -> impl IntoView {
    view! {
        <Title text="Terms of use" />
        <h1>"Terms of use"</h1>
        <section class="card">
            <p>
                "The Data Delivery System delivers research data from a facility (a unit) to the research group it was produced for. "
                "You may use it to deliver and receive data of projects you take part in, and only for them."
            </p>
            <ul>
                <li>"Keep your password to yourself. Nobody else can recover it: a reset makes a new key, and someone who holds the keys must approve you again."</li>
                <li>"Approve someone's access only after comparing their key fingerprint with them in person or on the phone."</li>
                <li>"Download delivered data before the project's deadline: it is deleted when the project ends."</li>
                <li>"Unit staff are responsible for what they upload; the unit may deactivate accounts that break these terms."</li>
            </ul>
        </section>
    }
}

#[component]
pub fn PrivacyPage() -> impl IntoView {
    view! {
        <Title text="Privacy" />
        <h1>"Privacy"</h1>
        <section class="card">
            <p>"What the portal keeps about you, and why:"</p>
            <ul>
                <li>"Your name, username, email address and role, to let you log in and to show who delivers and receives data."</li>
                <li>"Your public key and your private key encrypted under your password: the server cannot read the private key."</li>
                <li>"Who did what and when (logins, invitations, approvals, deliveries), to keep deliveries accountable."</li>
            </ul>
            <p>
                "Delivered files are encrypted in the sender's browser and decrypted only in the recipient's: "
                "the operators of the portal cannot read them. Your account data is deleted when your account is deleted."
            </p>
        </section>
    }
}
