//! Text in the drawing: its font, how wide it is, how it is escaped and
//! shortened.

/// The font of every label, on the page as in the drawing.
pub(crate) const FONT_FAMILY: &str = "Helvetica, Arial, sans-serif";
/// The size of node labels, in pixels.
pub(super) const FONT_SIZE: f64 = 14.0;
/// The size of the lines a run adds under a step's label, and of the counts
/// on edges.
pub(super) const NOTE_FONT_SIZE: f64 = 12.0;

/// A guess at the width of `text` at `size` pixels, on the generous side for
/// the common sans-serif fonts (DejaVu Sans is the widest of them), since the
/// real width is only known to the browser.
pub(super) fn text_width(text: &str, size: f64) -> f64 {
    let ems: f64 = text
        .chars()
        .map(|c| match c {
            'i' | 'j' | 'l' | '.' | ',' | ':' | ';' | '\'' | '|' | '!' => 0.3,
            'f' | 't' | 'r' | 'I' | ' ' | '(' | ')' | '[' | ']' | '·' => 0.42,
            'm' | 'w' | 'M' | 'W' => 0.95,
            c if c.is_uppercase() => 0.75,
            _ => 0.64,
        })
        .sum();
    ems * size
}

/// `text` with `&`, `<`, `>` and `"` escaped, for SVG and HTML text and
/// attribute values, and line breaks as `&#10;`, so that every element of
/// the drawing stays on one line of the file.
pub(crate) fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\n' => out.push_str("&#10;"),
            _ => out.push(c),
        }
    }
    out
}

/// `text` on one line and at most `max` characters long, cut with `…` if
/// it was longer.
pub(crate) fn shorten(text: &str, max: usize) -> String {
    let line = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if line.chars().count() <= max {
        return line;
    }
    let mut cut: String = line.chars().take(max.saturating_sub(1)).collect();
    cut.truncate(cut.trim_end().len());
    cut.push('…');
    cut
}

#[cfg(test)]
mod tests {
    use super::{escape, shorten, text_width};

    #[test]
    fn text_is_escaped() {
        assert_eq!(
            escape(r#"<a href="x">Tom & Jerry</a>"#),
            "&lt;a href=&quot;x&quot;&gt;Tom &amp; Jerry&lt;/a&gt;"
        );
        assert_eq!(escape("two\nlines"), "two&#10;lines");
    }

    #[test]
    fn long_text_is_cut_to_one_short_line() {
        assert_eq!(shorten("refused", 10), "refused");
        assert_eq!(shorten("connection\n  refused", 40), "connection refused");
        assert_eq!(shorten("connection refused", 12), "connection…");
        assert_eq!(shorten("ééééé", 3), "éé…");
    }

    #[test]
    fn smaller_text_is_narrower() {
        assert!(text_width("ran 3×", 12.0) < text_width("ran 3×", 14.0));
        assert!(text_width("mmm", 14.0) > text_width("iii", 14.0));
    }
}
