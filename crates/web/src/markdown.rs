//! Markdown to safe HTML.
//!
//! Raw HTML in markdown is shown as text, not interpreted: "<b>" typed in a
//! description shows as "<b>", which is what authors of a career framework
//! mean. The result then passes through ammonia, so whatever the parser
//! emits (links, images) is sanitised: no scripts, no `javascript:` URLs.

use std::collections::HashMap;
use std::sync::{LazyLock, Mutex};

use pulldown_cmark::{Event, Options, Parser, Tag, TagEnd, html};

fn options() -> Options {
    Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH
}

/// Built once: making a builder fills several hash sets, which cost more
/// than cleaning a milestone's few lines.
static SANITISER: LazyLock<ammonia::Builder<'static>> = LazyLock::new(|| {
    let mut b = ammonia::Builder::default();
    b.link_rel(Some("noopener noreferrer nofollow"));
    b
});

fn sanitise(html: &str) -> String {
    SANITISER.clean(html).to_string()
}

/// Raw HTML becomes literal text; an HTML block becomes a paragraph.
fn literal_html(event: Event<'_>) -> Event<'_> {
    match event {
        Event::Html(s) | Event::InlineHtml(s) => Event::Text(s),
        Event::Start(Tag::HtmlBlock) => Event::Start(Tag::Paragraph),
        Event::End(TagEnd::HtmlBlock) => Event::End(TagEnd::Paragraph),
        other => other,
    }
}

/// Rendered HTML by source text. Rendering is a pure function of the text,
/// so a remembered result can never be stale, whichever server wrote the
/// text: no invalidation is needed. Bounded: emptied when full.
struct Memo {
    blocks: HashMap<String, String>,
    inline: HashMap<String, String>,
}

const MEMO_ENTRIES: usize = 8192;
/// Longer texts (conversation comments, stories) are rendered every time.
const MEMO_MAX_LEN: usize = 2048;

static MEMO: LazyLock<Mutex<Memo>> = LazyLock::new(|| {
    Mutex::new(Memo {
        blocks: HashMap::new(),
        inline: HashMap::new(),
    })
});

fn memoised(text: &str, inline: bool, render: fn(&str) -> String) -> String {
    if text.len() > MEMO_MAX_LEN {
        return render(text);
    }
    let lookup = |m: &Memo| {
        let map = if inline { &m.inline } else { &m.blocks };
        map.get(text).cloned()
    };
    // A poisoned lock only means another request panicked mid-insert: the
    // map is still valid, so keep using it.
    if let Some(hit) = lookup(&MEMO.lock().unwrap_or_else(|e| e.into_inner())) {
        return hit;
    }
    let html = render(text);
    let mut memo = MEMO.lock().unwrap_or_else(|e| e.into_inner());
    let map = if inline {
        &mut memo.inline
    } else {
        &mut memo.blocks
    };
    if map.len() >= MEMO_ENTRIES {
        map.clear();
    }
    map.insert(text.to_owned(), html.clone());
    html
}

/// A block of markdown (descriptions, summaries).
pub fn render(text: &str) -> String {
    memoised(text, false, render_block_now)
}

fn render_block_now(text: &str) -> String {
    let mut out = String::new();
    html::push_html(&mut out, Parser::new_ext(text, options()).map(literal_html));
    sanitise(&out)
}

/// One line of inline markdown (an example). Emphasis, code and links
/// render; anything that would make it a block (a list marker, a heading
/// hash, a quote) is shown as written instead.
pub fn render_inline(text: &str) -> String {
    memoised(text, true, render_inline_now)
}

fn render_inline_now(text: &str) -> String {
    let events: Vec<Event<'_>> = Parser::new_ext(text, options()).map(literal_html).collect();
    let is_paragraph = matches!(events.first(), Some(Event::Start(Tag::Paragraph)))
        && matches!(events.last(), Some(Event::End(TagEnd::Paragraph)))
        && !events[1..events.len() - 1]
            .iter()
            .any(|e| matches!(e, Event::Start(Tag::Paragraph)));
    if !is_paragraph {
        return escape(text);
    }
    let mut out = String::new();
    html::push_html(&mut out, events[1..events.len() - 1].iter().cloned());
    sanitise(&out)
}

fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blocks_render_and_stay_safe() {
        let cases: &[(&str, &str)] = &[
            ("**bold**", "<p><strong>bold</strong></p>\n"),
            (
                "<script>alert(1)</script>",
                "<p>&lt;script&gt;alert(1)&lt;/script&gt;</p>\n",
            ),
            (
                "[x](javascript:alert(1))",
                "<p><a rel=\"noopener noreferrer nofollow\">x</a></p>\n",
            ),
            (
                "<img src=x onerror=alert(1)>",
                "<p>&lt;img src=x onerror=alert(1)&gt;</p>\n",
            ),
            (
                "[ok](https://example.com)",
                "<p><a href=\"https://example.com\" rel=\"noopener noreferrer nofollow\">ok</a></p>\n",
            ),
            ("- a\n- b", "<ul>\n<li>a</li>\n<li>b</li>\n</ul>\n"),
        ];
        for (input, expected) in cases {
            assert_eq!(render(input), *expected, "{input:?}");
        }
    }

    /// The memo answers what rendering answers, keeps blocks and inline
    /// text apart, and passes long texts straight through.
    #[test]
    fn remembered_html_equals_fresh_html() {
        let long = "word ".repeat(MEMO_MAX_LEN);
        let cases: &[(&str, bool)] = &[
            ("- memo a\n- memo b", false),
            ("- memo a\n- memo b", true),
            ("*memo* [x](javascript:alert(1))", false),
            ("*memo* [x](javascript:alert(1))", true),
            (&long, false),
        ];
        for &(text, inline) in cases {
            let fresh = if inline {
                render_inline_now(text)
            } else {
                render_block_now(text)
            };
            for round in 0..2 {
                let got = if inline {
                    render_inline(text)
                } else {
                    render(text)
                };
                assert_eq!(got, fresh, "{text:.30} inline={inline} round {round}");
            }
        }
        assert_ne!(
            render("- memo a\n- memo b"),
            render_inline("- memo a\n- memo b")
        );
    }

    #[test]
    fn examples_show_as_written() {
        let cases: &[(&str, &str)] = &[
            (
                "Uses `code` and *emphasis*",
                "Uses <code>code</code> and <em>emphasis</em>",
            ),
            ("a | pipe | here", "a | pipe | here"),
            (
                "quotes \"double\" and 'single'",
                "quotes \"double\" and 'single'",
            ),
            (
                "<script>alert(1)</script>",
                "&lt;script&gt;alert(1)&lt;/script&gt;",
            ),
            ("- looks like a list", "- looks like a list"),
            ("# not a heading", "# not a heading"),
            ("1. numbered", "1. numbered"),
            ("> quoted", "&gt; quoted"),
            ("emoji 🎉", "emoji 🎉"),
            (
                "[x](javascript:alert(1))",
                "<a rel=\"noopener noreferrer nofollow\">x</a>",
            ),
        ];
        for (input, expected) in cases {
            assert_eq!(render_inline(input), *expected, "{input:?}");
        }
    }
}
