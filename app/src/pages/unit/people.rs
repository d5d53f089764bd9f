//! The dashboard's Users and Invites tabs (`/unit/users`, `/unit/invites`): the same consoles as
//! `/users` and `/invites` (one implementation of each action and its confirmation), framed by
//! the dashboard for its unit staff (others get the dashboard's refusal). The server decides
//! every action again.

use leptos::prelude::*;
use leptos_meta::Title;

use crate::domain::dashboard::dashboard_role;
use crate::domain::roles::Role;
use crate::pages::invites::InvitesConsole;
use crate::pages::users::UsersConsole;

use super::{DashboardTabs, Tab};

/// Unit staff only, with the dashboard's sentence for anyone else.
fn unit_staff(role: Role) -> Result<(), &'static str> {
    dashboard_role(role).map(|_| ()).map_err(|denied| denied.0)
}

// The consoles load in the browser (their own resources), so they are not nested in another
// `Suspense` here (a nested local resource would not hydrate): the tabs stand above them and
// the consoles refuse by `unit_staff` themselves.

#[component]
pub fn UnitUsersPage() -> impl IntoView {
    view! {
        <Title text="Unit users" />
        <h1>"Unit dashboard"</h1>
        <DashboardTabs current=Tab::Users />
        <UsersConsole gate=unit_staff />
    }
}

#[component]
pub fn UnitInvitesPage() -> impl IntoView {
    view! {
        <Title text="Unit invites" />
        <h1>"Unit dashboard"</h1>
        <DashboardTabs current=Tab::Invites />
        <InvitesConsole gate=unit_staff />
    }
}
