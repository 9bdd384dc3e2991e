//! Checksums of stored rows: each row carries the CRC-32 of its key and
//! its content, so that a damaged or misplaced row is found on read.

use crc32fast::Hasher;

/// The checksum of one row, fed field by field.
pub(super) struct Sum(Hasher);

impl Sum {
    /// A checksum of a row of `table`: the table is fed first, so a row
    /// moved to another table does not verify.
    pub fn of(table: &str) -> Self {
        Self(Hasher::new()).text(table)
    }

    /// Feeds text, length first so that field boundaries count.
    pub fn text(self, text: &str) -> Self {
        self.bytes(text.as_bytes())
    }

    /// Feeds bytes, length first.
    pub fn bytes(mut self, bytes: &[u8]) -> Self {
        self.0.update(&(bytes.len() as u64).to_le_bytes());
        self.0.update(bytes);
        self
    }

    /// Feeds an integer.
    pub fn int(mut self, int: i64) -> Self {
        self.0.update(&int.to_le_bytes());
        self
    }

    /// Feeds a field that may be absent, marking which.
    pub fn maybe<T>(self, field: Option<T>, feed: impl FnOnce(Self, T) -> Self) -> Self {
        match field {
            None => self.int(0),
            Some(value) => feed(self.int(1), value),
        }
    }

    /// The checksum, as SQLite stores it.
    pub fn finish(self) -> i64 {
        i64::from(self.0.finalize())
    }
}
