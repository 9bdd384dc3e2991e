//! The debugger page at `/`: one self-contained HTML document (its script
//! and style inline, no network) that lists the workflows and their
//! graphs, starts runs, follows their events live and answers them.

use axum::response::Html;

/// The page.
const PAGE: &str = include_str!("page/index.html");

/// `GET /`: the debugger page.
pub(crate) async fn index() -> Html<&'static str> {
    Html(PAGE)
}
