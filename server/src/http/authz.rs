//! The one authorization gate of the JSON API. Every endpoint is declared in [`ENDPOINTS`] with
//! its access level; [`ApiRoutes::add`] refuses (at start-up) a route without a declaration, and
//! wraps each handler in [`enforce`]. Finer rules (own unit, roles of the target) are decided by
//! `app::domain::permissions` inside the handlers. The permission-matrix test walks this table.

use app::api::account::{self, NewKeyPair};
use app::api::{
    auth, dashboard, files, invites, keys, members, notices, password_reset, project_status, projects,
    statistics, tasks, transfers, units, users, Created, Message, OPENAPI,
};
use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::MethodRouter;
use axum::Router;
use http::Method;
use tower_sessions::Session;

use super::error::ApiError;
use super::openapi::{json, list, object, Doc};
use crate::auth::login::current_user;
use crate::db::users::User;
use crate::state::AppState;

/// Who may call an endpoint at all.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// Anyone, signed in or not (pre-login, login, public reads).
    Public,
    /// Any signed-in, active user (blocked for non-Super-Admins during maintenance).
    SignedIn,
    /// Super Admins only.
    SuperAdmin,
}

#[derive(Debug, Clone)]
pub struct Endpoint {
    pub method: Method,
    /// Path under `/api/v1`, in axum's syntax (a constant of `app::api`).
    pub path: &'static str,
    pub access: Access,
    /// What the OpenAPI document says of it.
    pub doc: Doc,
}

const fn endpoint(method: Method, path: &'static str, access: Access, doc: Doc) -> Endpoint {
    Endpoint { method, path, access, doc }
}

use Access::{Public, SignedIn, SuperAdmin};

/// Every JSON API endpoint, who may call it, and its request and answer types.
pub const ENDPOINTS: &[Endpoint] = &[
    endpoint(
        Method::POST,
        auth::PRELOGIN,
        Public,
        Doc::new("The salt and cost of the user's key derivation")
            .body(json::<auth::PreloginRequest>())
            .answers(200, json::<auth::Prelogin>()),
    ),
    endpoint(
        Method::POST,
        auth::LOGIN,
        Public,
        Doc::new("The password step of a login: the auth_key derived in the browser")
            .body(json::<auth::LoginRequest>())
            .answers(200, json::<auth::LoginAnswer>()),
    ),
    endpoint(
        Method::POST,
        auth::SECOND_FACTOR,
        Public,
        Doc::new("The second factor of a login; signs the session in")
            .body(json::<auth::SecondFactorRequest>())
            .answers(200, json::<auth::SignedInUser>()),
    ),
    endpoint(Method::POST, auth::LOGOUT, Public, Doc::new("Ends the session")),
    endpoint(
        Method::GET,
        auth::ME,
        SignedIn,
        Doc::new("The signed-in user").answers(200, json::<auth::SignedInUser>()),
    ),
    endpoint(
        Method::GET,
        auth::SESSION_KEY,
        SignedIn,
        Doc::new("The server's half of the tab's key store (same-origin only)")
            .answers(200, json::<auth::SessionKey>()),
    ),
    endpoint(
        Method::GET,
        account::MY_KEYS,
        SignedIn,
        Doc::new("The user's stored key material").answers(200, json::<account::KeyMaterial>()),
    ),
    endpoint(
        Method::POST,
        account::MY_PASSWORD,
        SignedIn,
        Doc::new("Changes the password (the same private key, re-wrapped)")
            .body(json::<account::NewCredentials>()),
    ),
    endpoint(
        Method::POST,
        account::MY_TOTP,
        SignedIn,
        Doc::new("Starts switching to an authenticator app")
            .body(json::<account::Reauth>())
            .answers(200, json::<account::TotpSetup>()),
    ),
    endpoint(
        Method::POST,
        account::MY_TOTP_CONFIRM,
        SignedIn,
        Doc::new("Confirms the authenticator app with one of its codes").body(json::<account::ConfirmTotp>()),
    ),
    endpoint(
        Method::DELETE,
        users::USER_TOTP,
        SuperAdmin,
        Doc::new("Sends a user back to emailed one-time codes"),
    ),
    endpoint(
        Method::POST,
        account::MY_DELETION,
        SignedIn,
        Doc::new("Mails a link that confirms deleting one's account").answers(200, json::<Message>()),
    ),
    endpoint(
        Method::POST,
        account::MY_DELETION_CONFIRM,
        SignedIn,
        Doc::new("Deletes one's account with the mailed link's token")
            .body(json::<account::Token>())
            .answers(200, json::<Message>()),
    ),
    endpoint(
        Method::POST,
        account::MY_EMAIL_CODES,
        SignedIn,
        Doc::new("Mails a link back to emailed one-time codes")
            .body(json::<account::Reauth>())
            .answers(200, json::<Message>()),
    ),
    endpoint(
        Method::POST,
        account::EMAIL_CODES_ACTIVATION,
        Public,
        Doc::new("Follows that link: emailed codes from now on").answers(200, json::<Message>()),
    ),
    endpoint(
        Method::GET,
        users::USERS,
        SignedIn,
        Doc::new("One page of the accounts the caller may see, at most 200 by username (query: q, a text the username, name or email contains; after, the last username of the page before)")
            .answers(200, list::<users::UserSummary>()),
    ),
    endpoint(
        Method::PATCH,
        users::USER,
        SignedIn,
        Doc::new("Deactivates or reactivates an account").body(json::<users::Activation>()),
    ),
    endpoint(Method::DELETE, users::USER, SignedIn, Doc::new("Deletes an account")),
    endpoint(
        Method::POST,
        invites::INVITES,
        SignedIn,
        Doc::new("Invites someone (201), or adds a known Researcher to a project (200)")
            .body(json::<invites::NewInvite>())
            .answers(201, json::<invites::Invited>()),
    ),
    endpoint(
        Method::GET,
        invites::INVITES,
        SignedIn,
        Doc::new("One page of the pending invites the caller may see, at most 100, newest first (query: before, created_at.id of the last invite of the page before)").answers(200, list::<invites::InviteSummary>()),
    ),
    endpoint(Method::DELETE, invites::INVITE, SignedIn, Doc::new("Cancels a pending invite")),
    endpoint(
        Method::POST,
        invites::INVITE_RESEND,
        SignedIn,
        Doc::new("Re-sends an invite: a new link valid a week, the old one stops working"),
    ),
    endpoint(
        Method::GET,
        invites::INVITE_BY_TOKEN,
        Public,
        Doc::new("What the registration page shows").answers(200, json::<invites::InviteDetails>()),
    ),
    endpoint(
        Method::POST,
        invites::INVITE_ACCEPT,
        Public,
        Doc::new("Registers by invite")
            .body(json::<invites::Registration>())
            .answers(201, json::<invites::Registered>()),
    ),
    endpoint(
        Method::GET,
        dashboard::UNIT_OVERVIEW,
        SignedIn,
        Doc::new("The unit dashboard's overview of the caller's unit (unit staff)")
            .answers(200, json::<dashboard::UnitOverview>()),
    ),
    endpoint(
        Method::GET,
        dashboard::UNIT_PROJECTS,
        SignedIn,
        Doc::new("One page of the caller's unit's projects (query: status, q, sort, page; unit staff)")
            .answers(200, json::<dashboard::UnitProjectPage>()),
    ),
    endpoint(
        Method::GET,
        dashboard::UNIT_ACTIVITY,
        SignedIn,
        Doc::new(
            "One page of the caller's unit's activity, newest first (query: action, before; unit staff)",
        )
        .answers(200, json::<dashboard::ActivityPage>()),
    ),
    endpoint(
        Method::GET,
        dashboard::UNIT_USAGE,
        SignedIn,
        Doc::new(
            "The caller's unit's byte-hours per month, in all and per project (query: page; unit staff)",
        )
        .answers(200, json::<dashboard::UnitUsage>()),
    ),
    endpoint(
        Method::GET,
        dashboard::UNIT_USAGE_CSV,
        SignedIn,
        Doc::new("Every project's byte-hours per month as CSV (project,title,month,byte_hours; unit staff)")
            .answers_csv(),
    ),
    endpoint(
        Method::GET,
        keys::UNIT_KEYS,
        SignedIn,
        Doc::new("The caller's unit key and who waits for it").answers(200, json::<keys::UnitKeys>()),
    ),
    endpoint(
        Method::POST,
        keys::UNIT_KEY_APPROVALS,
        SignedIn,
        Doc::new("A Unit Admin grants a colleague the unit key").body(json::<keys::Approval>()),
    ),
    endpoint(
        Method::GET,
        projects::PROJECTS,
        SignedIn,
        Doc::new("The projects the caller may see").answers(200, list::<projects::ProjectSummary>()),
    ),
    endpoint(
        Method::POST,
        projects::PROJECTS,
        SignedIn,
        Doc::new("Creates a project (409: confirm DDS's two-Unit-Admins warning first)")
            .body(json::<projects::NewProject>())
            .answers(201, json::<projects::CreatedProject>()),
    ),
    endpoint(
        Method::GET,
        projects::PROJECT,
        SignedIn,
        Doc::new("One project's page").answers(200, json::<projects::ProjectDetails>()),
    ),
    endpoint(
        Method::POST,
        keys::PROJECT_APPROVALS,
        SignedIn,
        Doc::new("Grants a member the project key").body(json::<keys::Approval>()),
    ),
    endpoint(
        Method::PATCH,
        members::PROJECT,
        SignedIn,
        Doc::new("Changes a project's title, description or PI").body(json::<members::EditDetails>()),
    ),
    endpoint(
        Method::DELETE,
        members::PROJECT_MEMBER,
        SignedIn,
        Doc::new("Revokes a Researcher's access (their key seal goes too)"),
    ),
    endpoint(
        Method::PATCH,
        members::PROJECT_MEMBER,
        SignedIn,
        Doc::new("Sets or clears a member's Project Owner flag").body(json::<members::SetOwner>()),
    ),
    endpoint(
        Method::DELETE,
        members::PROJECT_INVITE,
        SignedIn,
        Doc::new("Takes the project out of a pending invite (an invite left without projects goes)"),
    ),
    endpoint(
        Method::GET,
        project_status::PROJECT_STATUS,
        SignedIn,
        Doc::new("The project's status, deadline, limits left and history")
            .answers(200, json::<project_status::StatusView>()),
    ),
    endpoint(
        Method::POST,
        project_status::PROJECT_STATUS,
        SignedIn,
        Doc::new("Releases, retracts, expires, archives (or aborts) or deletes the project")
            .body(json::<project_status::ChangeStatus>())
            .answers(200, json::<project_status::StatusView>()),
    ),
    endpoint(
        Method::PATCH,
        project_status::PROJECT_STATUS,
        SignedIn,
        Doc::new("Extends the deadline (unconfirmed: 409 saying what would happen)")
            .body(json::<project_status::ExtendDeadline>())
            .answers(200, json::<project_status::StatusView>()),
    ),
    endpoint(
        Method::GET,
        files::PROJECT_FILES,
        SignedIn,
        Doc::new("One folder level (query: path, after, limit): sub-folders then files, by name")
            .answers(200, json::<files::FolderPage>()),
    ),
    endpoint(
        Method::DELETE,
        files::PROJECT_FILES,
        SignedIn,
        Doc::new("Deletes files and folders while the project was never released")
            .body(json::<files::DeletePaths>())
            .answers(200, json::<files::Deleted>()),
    ),
    endpoint(
        Method::GET,
        files::PROJECT_FILE_SEARCH,
        SignedIn,
        Doc::new("Files whose name contains the query `q`").answers(200, list::<files::FileEntry>()),
    ),
    endpoint(
        Method::POST,
        transfers::PROJECT_UPLOADS,
        SignedIn,
        Doc::new("Starts a file's upload: checks the rules and the quota, creates the multipart upload")
            .body(json::<transfers::StartUpload>())
            .answers(201, json::<transfers::UploadStarted>()),
    ),
    endpoint(
        Method::GET,
        transfers::PROJECT_UPLOADS,
        SignedIn,
        Doc::new("The project's unfinished uploads (unit staff)")
            .answers(200, list::<transfers::PendingUpload>()),
    ),
    endpoint(
        Method::POST,
        transfers::PROJECT_UPLOAD_CONFLICTS,
        SignedIn,
        Doc::new("Which of these paths hold a file or an upload under way")
            .body(json::<transfers::PathsQuery>())
            .answers(200, json::<transfers::Conflicts>()),
    ),
    endpoint(
        Method::GET,
        transfers::UPLOAD,
        SignedIn,
        Doc::new("An unfinished upload with the parts the storage holds (for resuming)")
            .answers(200, json::<transfers::PendingUpload>()),
    ),
    endpoint(Method::DELETE, transfers::UPLOAD, SignedIn, Doc::new("Cancels an upload and frees its quota")),
    endpoint(
        Method::POST,
        transfers::UPLOAD_PART_URLS,
        SignedIn,
        Doc::new("Presigned part URLs, after recording each part's plaintext check")
            .body(json::<transfers::PartsToSend>())
            .answers(200, json::<transfers::PartUrls>()),
    ),
    endpoint(
        Method::POST,
        transfers::UPLOAD_COMPLETE,
        SignedIn,
        Doc::new("Assembles the object, checks its size and records the file version")
            .body(json::<transfers::CompleteUpload>())
            .answers(200, json::<transfers::UploadCompleted>()),
    ),
    endpoint(
        Method::GET,
        transfers::PROJECT_DOWNLOADS,
        SignedIn,
        Doc::new("Files under a path (query: path, after, limit) with presigned GET URLs")
            .answers(200, json::<transfers::DownloadPlan>()),
    ),
    endpoint(
        Method::GET,
        statistics::STATISTICS,
        SuperAdmin,
        Doc::new("DDS's reporting figures, live: accounts by role, units, projects by status, data stored and uploaded, byte-hours")
            .answers(200, json::<statistics::PortalStatistics>()),
    ),
    endpoint(
        Method::GET,
        units::UNITS,
        SuperAdmin,
        Doc::new("Every unit with its usage").answers(200, list::<units::UnitView>()),
    ),
    endpoint(
        Method::POST,
        units::UNITS,
        SuperAdmin,
        Doc::new("Creates a unit")
            .body(json::<units::UnitSettings>())
            .answers(201, json::<units::UnitView>()),
    ),
    endpoint(
        Method::PATCH,
        units::UNIT,
        SuperAdmin,
        Doc::new("Changes a unit's settings")
            .body(json::<units::UnitSettings>())
            .answers(200, json::<units::UnitView>()),
    ),
    endpoint(
        Method::GET,
        tasks::TASKS,
        SuperAdmin,
        Doc::new("Durable tasks still open, with their last error").answers(200, list::<tasks::OpenTask>()),
    ),
    endpoint(Method::POST, tasks::TASK_RETRY, SuperAdmin, Doc::new("Makes an open task due now")),
    endpoint(
        Method::POST,
        password_reset::PASSWORD_RESET,
        Public,
        Doc::new("Mails a password-reset link (the same answer for any address)")
            .body(json::<password_reset::ResetRequest>())
            .answers(200, json::<Message>()),
    ),
    endpoint(
        Method::GET,
        password_reset::PASSWORD_RESET_LINK,
        Public,
        Doc::new("Whose password the link resets").answers(200, json::<password_reset::ResetDetails>()),
    ),
    endpoint(
        Method::POST,
        password_reset::PASSWORD_RESET_LINK,
        Public,
        Doc::new("Sets the new password with a new key pair")
            .body(json::<NewKeyPair>())
            .answers(200, json::<password_reset::Completed>()),
    ),
    endpoint(
        Method::GET,
        notices::MOTDS,
        Public,
        Doc::new("The active messages of the day").answers(200, list::<notices::Motd>()),
    ),
    endpoint(
        Method::POST,
        notices::MOTDS,
        SuperAdmin,
        Doc::new("Adds a message of the day")
            .body(json::<notices::NewMotd>())
            .answers(201, json::<Created>()),
    ),
    endpoint(Method::DELETE, notices::MOTD, SuperAdmin, Doc::new("Deactivates a message of the day")),
    endpoint(
        Method::POST,
        notices::MOTD_SEND,
        SuperAdmin,
        Doc::new("Mails a message of the day to its audience")
            .body(json::<notices::SendMotd>())
            .answers(202, json::<notices::Sending>()),
    ),
    endpoint(
        Method::GET,
        notices::MAINTENANCE,
        SuperAdmin,
        Doc::new("Whether maintenance mode is on").answers(200, json::<notices::Maintenance>()),
    ),
    endpoint(
        Method::PUT,
        notices::MAINTENANCE,
        SuperAdmin,
        Doc::new("Turns maintenance mode on or off")
            .body(json::<notices::Maintenance>())
            .answers(200, json::<notices::Maintenance>()),
    ),
    endpoint(
        Method::GET,
        OPENAPI,
        Public,
        Doc::new("This API's OpenAPI 3.1 document").answers(200, object()),
    ),
];

pub fn access_of(method: &Method, path: &str) -> Option<Access> {
    ENDPOINTS.iter().find(|e| e.method == *method && e.path == path).map(|e| e.access)
}

/// The signed-in user, put in the request by [`enforce`] for `SignedIn`/`SuperAdmin` endpoints.
#[derive(Debug, Clone)]
pub struct Authenticated(pub User);

/// DDS's message while maintenance is on.
pub const MAINTENANCE: &str = "Maintenance of DDS is ongoing.";

/// Builds the API router so that no handler escapes [`ENDPOINTS`].
pub struct ApiRoutes {
    router: Router<AppState>,
    state: AppState,
}

impl ApiRoutes {
    pub fn new(state: &AppState) -> ApiRoutes {
        ApiRoutes { router: Router::new(), state: state.clone() }
    }

    /// Adds `handler` for `method path`. Panics at start-up if the pair has no access rule.
    pub fn add(mut self, method: Method, path: &'static str, handler: MethodRouter<AppState>) -> ApiRoutes {
        let access = access_of(&method, path)
            .unwrap_or_else(|| panic!("{method} /api/v1{path} has no access rule in ENDPOINTS"));
        let gate = axum::middleware::from_fn_with_state((self.state.clone(), access), enforce);
        self.router = self.router.route(path, handler.route_layer(gate));
        self
    }

    pub fn into_router(self) -> Router<AppState> {
        self.router
    }
}

/// The gate for one call of `access` (not `Public`): the session's user, or the refusal the API
/// answers (not signed in, maintenance, Super Admins only). Pages reading data while they are
/// rendered on the server pass through it too.
pub async fn admit(db: &crate::db::Db, session: &Session, access: Access) -> Result<User, ApiError> {
    let user = current_user(db, session).await?;
    let super_admin = user.role == app::domain::roles::Role::SuperAdmin;
    if crate::db::maintenance::is_active(db).await? && !super_admin {
        return Err(ApiError::Unavailable(MAINTENANCE.into()));
    }
    if access == Access::SuperAdmin && !super_admin {
        return Err(ApiError::Forbidden("Only Super Admins can do this.".into()));
    }
    Ok(user)
}

async fn enforce(
    State((state, access)): State<(AppState, Access)>,
    mut request: Request,
    next: Next,
) -> Response {
    if access == Access::Public {
        return next.run(request).await;
    }
    let Some(session) = request.extensions().get::<Session>().cloned() else {
        return ApiError::Internal("no session layer".into()).into_response();
    };
    let user = match admit(&state.db, &session, access).await {
        Ok(user) => user,
        Err(err) => return err.into_response(),
    };
    request.extensions_mut().insert(Authenticated(user));
    next.run(request).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_endpoint_is_declared_once() {
        for (i, a) in ENDPOINTS.iter().enumerate() {
            for b in &ENDPOINTS[i + 1..] {
                assert!(!(a.method == b.method && a.path == b.path), "{} {} twice", a.method, a.path);
            }
        }
    }
}
