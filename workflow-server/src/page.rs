//! The debugger page at `/`: one self-contained HTML document (its script
//! and style inline, no network but this server's routes) that lists the
//! workflows and their graphs, starts runs, follows their events live and
//! answers them.

use std::sync::LazyLock;

use axum::response::Html;

/// The page's markup, with a marker where its style goes and one where its
/// script goes.
const MARKUP: &str = include_str!("page/index.html");
/// The page's style.
const STYLE: &str = include_str!("page/page.css");
/// The page's script.
const SCRIPT: &str = include_str!("page/page.js");

/// The page: the markup with its style and script in place, made once.
static PAGE: LazyLock<String> = LazyLock::new(|| {
    MARKUP
        .replacen("/* PAGE_CSS */", STYLE, 1)
        .replacen("/* PAGE_JS */", SCRIPT, 1)
});

/// `GET /`: the debugger page.
pub(crate) async fn index() -> Html<&'static str> {
    Html(PAGE.as_str())
}
