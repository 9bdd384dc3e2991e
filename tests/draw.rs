//! Every example's `draw_all_possible_flows` page as a browser renders it:
//! opened in headless Chromium, whose DOM must hold every step and every
//! event of the workflow, and whose screenshot is kept in
//! `target/tmp/draw/pages/<example>.png` for a person to look at.
//!
//! Chromium is Debian's `chromium` package, or the program named by
//! `$CHROMIUM`. CI installs it (`.ci/run`) and the test fails there without
//! it; elsewhere, without it the test says so and checks nothing.

mod browser;
mod examples;

#[test]
fn every_step_and_event_of_every_example_appears_in_the_rendered_page() {
    let Some(browser) = browser::chromium_or_skip("the rendered pages were") else {
        return;
    };
    let pages = browser::tempdir("pages");
    for (name, graph) in examples::graphs() {
        let page = pages.join(format!("{name}.html"));
        std::fs::write(&page, graph.to_html()).expect("the page is written");

        let dom = browser::dom(&browser, &page);
        browser::assert_every_node_is_drawn(&dom, &graph, name);
        browser::screenshot(&browser, &page);
    }
}
