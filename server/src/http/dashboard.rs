//! `/api/v1/units/me/...`: the unit dashboard's data; thin handlers over `units::dashboard`.

use app::api::dashboard::{
    ActivityPage, ActivityQuery, ProjectQuery, UnitOverview, UnitProjectPage, UnitUsage, UsageQuery,
    UNIT_ACTIVITY, UNIT_OVERVIEW, UNIT_PROJECTS, UNIT_USAGE, UNIT_USAGE_CSV,
};
use axum::body::Body;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Extension, Json};
use http::Method;

use super::authz::{admit, Access, ApiRoutes, Authenticated};
use super::error::ApiError;
use super::extract::ApiQuery;
use crate::clock::SharedClock;
use crate::db::users::User;
use crate::db::Db;
use crate::state::AppState;
use crate::units::dashboard::{self, DashboardError};

pub fn routes(routes: ApiRoutes) -> ApiRoutes {
    routes
        .add(Method::GET, UNIT_OVERVIEW, get(overview))
        .add(Method::GET, UNIT_PROJECTS, get(projects))
        .add(Method::GET, UNIT_ACTIVITY, get(activity))
        .add(Method::GET, UNIT_USAGE, get(usage))
        .add(Method::GET, UNIT_USAGE_CSV, get(usage_csv))
}

impl From<DashboardError> for ApiError {
    fn from(err: DashboardError) -> Self {
        let message = err.to_string();
        match err {
            DashboardError::Denied(_) => ApiError::Forbidden(message),
            DashboardError::Invalid(_) => ApiError::BadRequest(message),
            DashboardError::NoUnit => ApiError::NotFound(message),
            DashboardError::Db(db) => ApiError::Db(db),
        }
    }
}

async fn overview(
    State(state): State<AppState>,
    Extension(Authenticated(user)): Extension<Authenticated>,
) -> Result<Json<UnitOverview>, ApiError> {
    Ok(Json(dashboard::overview(&state.db, &user, state.clock.now()).await?))
}

async fn projects(
    State(state): State<AppState>,
    Extension(Authenticated(user)): Extension<Authenticated>,
    ApiQuery(query): ApiQuery<ProjectQuery>,
) -> Result<Json<UnitProjectPage>, ApiError> {
    Ok(Json(dashboard::projects(&state.db, &user, &query).await?))
}

async fn activity(
    State(state): State<AppState>,
    Extension(Authenticated(user)): Extension<Authenticated>,
    ApiQuery(query): ApiQuery<ActivityQuery>,
) -> Result<Json<ActivityPage>, ApiError> {
    Ok(Json(dashboard::activity(&state.db, &user, &query).await?))
}

async fn usage(
    State(state): State<AppState>,
    Extension(Authenticated(user)): Extension<Authenticated>,
    ApiQuery(query): ApiQuery<UsageQuery>,
) -> Result<Json<UnitUsage>, ApiError> {
    Ok(Json(dashboard::usage(&state.db, &user, &query, state.clock.now()).await?))
}

/// The CSV export, streamed as it is read (a failure mid-way cuts the download short, so a
/// spreadsheet never gets a silently shortened file that looks whole).
async fn usage_csv(
    State(state): State<AppState>,
    Extension(Authenticated(user)): Extension<Authenticated>,
) -> Result<Response, ApiError> {
    let chunks = dashboard::usage_csv(state.db.clone(), &user, state.clock.now())?;
    let headers = [
        (http::header::CONTENT_TYPE, "text/csv; charset=utf-8"),
        (http::header::CONTENT_DISPOSITION, "attachment; filename=\"unit-usage.csv\""),
    ];
    Ok((headers, Body::from_stream(chunks)).into_response())
}

/// The dashboard port of the pages: the same gate and answers as the handlers above, for the
/// user of the request being rendered.
pub struct PageDashboard {
    pub db: Db,
    pub clock: SharedClock,
}

impl PageDashboard {
    /// The request's user as the API's gate admits them (taken from the request before any
    /// waiting, so the answer does not borrow it).
    fn user(
        &self,
        request: &http::request::Parts,
    ) -> impl std::future::Future<Output = Result<User, String>> + Send + '_ {
        let session = request.extensions.get::<tower_sessions::Session>().cloned();
        async move {
            let session = session.ok_or_else(|| "Please log in.".to_string())?;
            admit(&self.db, &session, Access::SignedIn).await.map_err(|err| err.sentence())
        }
    }
}

impl app::ssr::DashboardSource for PageDashboard {
    fn overview(
        &self,
        request: &http::request::Parts,
    ) -> app::ssr::BoxFuture<'_, Result<UnitOverview, String>> {
        let user = self.user(request);
        Box::pin(async move {
            let user = user.await?;
            dashboard::overview(&self.db, &user, self.clock.now())
                .await
                .map_err(|err| ApiError::from(err).sentence())
        })
    }

    fn projects(
        &self,
        request: &http::request::Parts,
        query: ProjectQuery,
    ) -> app::ssr::BoxFuture<'_, Result<UnitProjectPage, String>> {
        let user = self.user(request);
        Box::pin(async move {
            let user = user.await?;
            dashboard::projects(&self.db, &user, &query).await.map_err(|err| ApiError::from(err).sentence())
        })
    }

    fn activity(
        &self,
        request: &http::request::Parts,
        query: ActivityQuery,
    ) -> app::ssr::BoxFuture<'_, Result<ActivityPage, String>> {
        let user = self.user(request);
        Box::pin(async move {
            let user = user.await?;
            dashboard::activity(&self.db, &user, &query).await.map_err(|err| ApiError::from(err).sentence())
        })
    }

    fn usage(
        &self,
        request: &http::request::Parts,
        query: UsageQuery,
    ) -> app::ssr::BoxFuture<'_, Result<UnitUsage, String>> {
        let user = self.user(request);
        Box::pin(async move {
            let user = user.await?;
            dashboard::usage(&self.db, &user, &query, self.clock.now())
                .await
                .map_err(|err| ApiError::from(err).sentence())
        })
    }
}
