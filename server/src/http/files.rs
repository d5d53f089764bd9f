//! `/api/v1/projects/{public_id}/files`: thin handlers over `projects::files`.

use app::api::files::{
    DeletePaths, Deleted, FileEntry, FolderPage, ListQuery, SearchQuery, PROJECT_FILES, PROJECT_FILE_SEARCH,
};
use axum::extract::{Path, Query, State};
use axum::routing::{delete, get};
use axum::{Extension, Json};
use http::Method;

use super::authz::{ApiRoutes, Authenticated};
use super::error::ApiError;
use super::extract::ApiJson;
use crate::projects::files;
use crate::state::AppState;

pub fn routes(routes: ApiRoutes) -> ApiRoutes {
    routes.add(Method::GET, PROJECT_FILES, get(list)).add(Method::DELETE, PROJECT_FILES, delete(remove)).add(
        Method::GET,
        PROJECT_FILE_SEARCH,
        get(search),
    )
}

async fn list(
    State(state): State<AppState>,
    Extension(Authenticated(user)): Extension<Authenticated>,
    Path(public_id): Path<String>,
    Query(query): Query<ListQuery>,
) -> Result<Json<FolderPage>, ApiError> {
    Ok(Json(files::list(&state.db, &user, &public_id, &query).await?))
}

async fn search(
    State(state): State<AppState>,
    Extension(Authenticated(user)): Extension<Authenticated>,
    Path(public_id): Path<String>,
    Query(query): Query<SearchQuery>,
) -> Result<Json<Vec<FileEntry>>, ApiError> {
    Ok(Json(files::search(&state.db, &user, &public_id, &query).await?))
}

async fn remove(
    State(state): State<AppState>,
    Extension(Authenticated(user)): Extension<Authenticated>,
    Path(public_id): Path<String>,
    ApiJson(body): ApiJson<DeletePaths>,
) -> Result<Json<Deleted>, ApiError> {
    let deleted = files::delete(&state.db, &user, &public_id, &body, state.clock.now()).await?;
    tracing::info!(by = %user.username, project = %public_id, files = deleted.files, "files deleted");
    Ok(Json(deleted))
}
