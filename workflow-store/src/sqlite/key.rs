//! [`Key`]: a run's id as the text its rows are keyed by, written without
//! the formatter or the heap, once per write rather than once per row.

use rusqlite::ToSql;
use rusqlite::types::{ToSqlOutput, ValueRef};
use workflow_model::RunId;

/// The length of a run id's text: 32 hex digits and 4 dashes.
const LEN: usize = 36;

/// A run id and its text, exactly as [`RunId`]'s `Display` writes it
/// (lowercase hex in groups of 8-4-4-4-12), which is how its rows store
/// it.
#[derive(Clone, Copy)]
pub(super) struct Key {
    id: RunId,
    text: [u8; LEN],
}

impl Key {
    /// The key of run `id`.
    pub fn of(id: RunId) -> Self {
        const DIGITS: &[u8; 16] = b"0123456789abcdef";
        let n = id.as_u128();
        let mut text = [b'-'; LEN];
        let mut digit = 0;
        for (at, byte) in text.iter_mut().enumerate() {
            if !matches!(at, 8 | 13 | 18 | 23) {
                *byte = DIGITS[((n >> (124 - 4 * digit)) & 0xf) as usize];
                digit += 1;
            }
        }
        Self { id, text }
    }

    /// The run.
    pub fn id(&self) -> RunId {
        self.id
    }

    /// The text.
    pub fn as_str(&self) -> &str {
        std::str::from_utf8(&self.text).expect("hex digits and dashes are ASCII")
    }
}

impl ToSql for Key {
    fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
        Ok(ToSqlOutput::Borrowed(ValueRef::Text(&self.text)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_what_display_writes() {
        let ids = (0..1_000).map(|_| RunId::next());
        let fixed = [
            "019ad9e4-5b3c-7a41-8f2e-3c9d1b7e6a05",
            "ffffffff-ffff-7fff-bfff-ffffffffffff",
            "00000000-0000-7000-8000-000000000000",
        ]
        .map(|text| text.parse::<RunId>().expect("a run id"));
        for id in ids.chain(fixed) {
            assert_eq!(Key::of(id).as_str(), id.to_string());
            assert_eq!(Key::of(id).id(), id);
        }
    }
}
