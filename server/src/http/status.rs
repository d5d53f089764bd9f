//! `GET /status`: version and the health of the database and the object store.

use axum::extract::State;
use axum::Json;
use http::StatusCode;
use serde_json::{json, Value};

use crate::state::AppState;

pub async fn status(State(state): State<AppState>) -> (StatusCode, Json<Value>) {
    let (db, storage) = tokio::join!(state.db.ping(), state.storage.health());
    let db = db.map_err(|e| tracing::warn!(error = %e, "status: database unhealthy")).is_ok();
    let storage = storage.map_err(|e| tracing::warn!(error = %e, "status: storage unhealthy")).is_ok();
    let word = |ok: bool| if ok { "ok" } else { "unavailable" };
    let code = if db && storage { StatusCode::OK } else { StatusCode::SERVICE_UNAVAILABLE };
    (
        code,
        Json(json!({
            "version": env!("CARGO_PKG_VERSION"),
            "database": word(db),
            "storage": word(storage),
        })),
    )
}
