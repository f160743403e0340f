//! Keyset paging: lists that grow with an organization are read a page
//! at a time from where the last page ended, never by counting rows down
//! the table (OFFSET), so a page costs the same however deep it is and
//! rows added meanwhile neither repeat nor vanish.

/// Where a list newest first (by date, then id) goes on: the last card a
/// page showed. Pages are keyset pages: the next one starts below this,
/// whatever was added since, and never counts its way down the table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cursor {
    pub at: crate::Millis,
    pub id: String,
}

impl Cursor {
    /// Reads `1700000000000.0192…` (as [`Cursor::param`] writes it).
    pub fn parse(s: &str) -> Option<Cursor> {
        let (at, id) = s.split_once('.')?;
        let valid = !id.is_empty()
            && id.len() <= 64
            && id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-');
        if !valid {
            return None;
        }
        Some(Cursor {
            at: at.parse().ok()?,
            id: id.to_owned(),
        })
    }

    pub fn param(&self) -> String {
        format!("{}.{}", self.at, self.id)
    }
}

/// How many cards a page shows unless asked otherwise.
pub const PAGE: u32 = 25;
