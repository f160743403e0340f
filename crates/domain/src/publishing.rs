//! How an organization's framework edits reach its readers.
//!
//! `EverySave` is what every organization had before versions: a save is
//! what readers see at once, and versions are numbered when an editor
//! publishes one. `Drafts` keeps saves in a draft that editors (and, when
//! the organization says so, members) read, until an editor publishes it
//! as the next version; readers see the latest published version.

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Publishing {
    #[default]
    EverySave,
    Drafts,
}

impl Publishing {
    pub fn as_str(self) -> &'static str {
        match self {
            Publishing::EverySave => "every_save",
            Publishing::Drafts => "drafts",
        }
    }

    pub fn parse(s: &str) -> Option<Publishing> {
        match s {
            "every_save" => Some(Publishing::EverySave),
            "drafts" => Some(Publishing::Drafts),
            _ => None,
        }
    }
}

/// Who may read an organization's draft: its framework editors always,
/// members too when the organization chose so; nobody else.
pub fn can_read_draft(editor: bool, member: bool, visible_to_members: bool) -> bool {
    editor || (member && visible_to_members)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_parse_back_and_nothing_else_does() {
        for p in [Publishing::EverySave, Publishing::Drafts] {
            assert_eq!(Publishing::parse(p.as_str()), Some(p));
        }
        for bad in ["", "draft", "Drafts", "every save"] {
            assert_eq!(Publishing::parse(bad), None, "{bad:?}");
        }
        assert_eq!(Publishing::default(), Publishing::EverySave);
    }

    #[test]
    fn who_reads_the_draft() {
        // (editor, member, visible to members) → may read
        let table = [
            (true, true, false, true),
            (true, true, true, true),
            (false, true, false, false),
            (false, true, true, true),
            (false, false, true, false),
            (false, false, false, false),
        ];
        for (editor, member, visible, expected) in table {
            assert_eq!(
                can_read_draft(editor, member, visible),
                expected,
                "editor {editor} member {member} visible {visible}"
            );
        }
    }
}
