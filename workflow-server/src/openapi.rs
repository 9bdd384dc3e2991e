//! The OpenAPI document of the server's whole API, at `/openapi.json`:
//! LlamaIndex's routes and the ones beside them.

use axum::http::header;
use axum::response::IntoResponse;

/// The document, written by hand beside the routes it describes.
const DOCUMENT: &str = include_str!("openapi.json");

/// `GET /openapi.json`.
pub(crate) async fn document() -> impl IntoResponse {
    ([(header::CONTENT_TYPE, "application/json")], DOCUMENT)
}
