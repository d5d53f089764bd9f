//! `/api/v1/units`: Super Admins only (the gate checks it); thin handlers over `units`.

use app::api::units::{UnitSettings, UnitView, UNIT, UNITS};
use axum::extract::{Path, State};
use axum::routing::{get, patch};
use axum::Json;
use http::{Method, StatusCode};

use super::authz::ApiRoutes;
use super::error::ApiError;
use super::extract::ApiJson;
use crate::state::AppState;
use crate::units::{self, UnitError};

pub fn routes(routes: ApiRoutes) -> ApiRoutes {
    routes.add(Method::GET, UNITS, get(list)).add(Method::POST, UNITS, axum::routing::post(create)).add(
        Method::PATCH,
        UNIT,
        patch(update),
    )
}

impl From<UnitError> for ApiError {
    fn from(err: UnitError) -> Self {
        let message = err.to_string();
        match err {
            UnitError::Invalid(_) => ApiError::BadRequest(message),
            UnitError::NotFound(_) => ApiError::NotFound(message),
            UnitError::Taken => ApiError::Conflict(message),
            UnitError::Db(db) => ApiError::Db(db),
        }
    }
}

async fn list(State(state): State<AppState>) -> Result<Json<Vec<UnitView>>, ApiError> {
    Ok(Json(units::list(&state.db).await?))
}

async fn create(
    State(state): State<AppState>,
    ApiJson(body): ApiJson<UnitSettings>,
) -> Result<(StatusCode, Json<UnitView>), ApiError> {
    let unit = units::create(&state.db, &body, state.clock.now()).await?;
    tracing::info!(unit = %unit.settings.public_id, "unit created");
    Ok((StatusCode::CREATED, Json(unit)))
}

async fn update(
    State(state): State<AppState>,
    Path(public_id): Path<String>,
    ApiJson(body): ApiJson<UnitSettings>,
) -> Result<Json<UnitView>, ApiError> {
    let unit = units::update(&state.db, &public_id, &body).await?;
    tracing::info!(unit = %public_id, "unit updated");
    Ok(Json(unit))
}
