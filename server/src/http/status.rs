//! `GET /status`: version and the health of the database and the object store.

use app::api::health::{Health, StatusReport};
use axum::extract::State;
use axum::Json;
use http::StatusCode;

use crate::state::AppState;

pub async fn status(State(state): State<AppState>) -> (StatusCode, Json<StatusReport>) {
    let (db, storage) = tokio::join!(state.db.ping(), state.storage.health());
    let db = db.map_err(|e| tracing::warn!(error = %e, "status: database unhealthy")).is_ok();
    let storage = storage.map_err(|e| tracing::warn!(error = %e, "status: storage unhealthy")).is_ok();
    let report = StatusReport {
        version: env!("CARGO_PKG_VERSION").to_string(),
        database: Health::of(db),
        storage: Health::of(storage),
    };
    let code = if report.healthy() { StatusCode::OK } else { StatusCode::SERVICE_UNAVAILABLE };
    (code, Json(report))
}
