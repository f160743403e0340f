//! CSV written for people to open in a spreadsheet (RFC 4180): every field
//! quoted when it holds a comma, quote or line break; and a field a
//! spreadsheet would run as a formula (starting `=`, `+`, `-`, `@`, tab or
//! carriage return) starts with an apostrophe instead, so an exported
//! note can never become a formula on someone's machine.

/// One line, ending in CRLF.
pub fn row<S: AsRef<str>>(fields: &[S]) -> String {
    let mut line = fields
        .iter()
        .map(|f| field(f.as_ref()))
        .collect::<Vec<_>>()
        .join(",");
    line.push_str("\r\n");
    line
}

fn field(f: &str) -> String {
    let f = if f.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{f}")
    } else {
        f.to_owned()
    };
    if f.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", f.replace('"', "\"\""))
    } else {
        f
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    #[rustfmt::skip]
    fn fields_are_quoted_when_they_must_be_and_never_run_as_formulas() {
        let cases: &[(&[&str], &str)] = &[
            (&["a", "b"],                  "a,b\r\n"),
            (&["with, comma"],             "\"with, comma\"\r\n"),
            (&["say \"hi\""],              "\"say \"\"hi\"\"\"\r\n"),
            (&["two\nlines"],              "\"two\nlines\"\r\n"),
            (&["=HYPERLINK(\"x\")"],       "\"'=HYPERLINK(\"\"x\"\")\"\r\n"),
            (&["+1", "-2", "@sum"],        "'+1,'-2,'@sum\r\n"),
            (&[""],                        "\r\n"),
            (&["Tomás", "ok"],             "Tomás,ok\r\n"),
        ];
        for (fields, want) in cases {
            assert_eq!(row(fields), *want, "{fields:?}");
        }
    }
}
