//! Markdown for wikis and merge-request comments, from the tera template `reports/report.md`:
//! a summary table, then the checks that need attention with their offenders. Autoescaping is
//! off for `.md`, so every report string goes through the `md` filter, which makes it inert
//! inline text (safe in a table cell, no HTML, no code spans, no links).
use super::Report;
use super::view::View;

const TEMPLATE: &str = include_str!("../../reports/report.md");

/// Escapes a string for use as inline Markdown text (also inside a table cell).
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\r' => {
                if chars.peek() != Some(&'\n') {
                    out.push(' ');
                }
            }
            '\n' => out.push(' '),
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '|' => out.push_str("\\|"),
            '\\' | '`' | '*' | '_' | '[' | ']' | '#' | '~' | '!' => {
                out.push('\\');
                out.push(c);
            }
            c if c.is_control() => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

/// Escapes check-authored prose (remediation) less strictly: its `code spans` stay, but it
/// cannot start HTML, break a line or a table.
pub fn escape_prose(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\r' | '\n' => out.push(' '),
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '|' => out.push_str("\\|"),
            c if c.is_control() => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

pub fn render(report: &Report) -> String {
    let mut tera = tera::Tera::new();
    tera.autoescape_on(Vec::<&str>::new());
    tera.register_filter("md", |s: &str, _: tera::Kwargs, _: &tera::State| escape(s));
    tera.register_filter("md_prose", |s: &str, _: tera::Kwargs, _: &tera::State| {
        escape_prose(s)
    });
    tera.add_raw_template("report.md", TEMPLATE)
        .expect("the embedded Markdown template parses");
    let ctx = tera::Context::from_serialize(&View::of(report)).expect("the view serialises");
    tera.render("report.md", &ctx)
        .expect("the embedded Markdown template renders every report")
}

#[cfg(test)]
mod tests {
    use super::escape;

    #[test]
    fn data_cannot_break_out_of_a_table_cell() {
        assert_eq!(escape("a|b"), "a\\|b");
        assert_eq!(escape("x\ny\r\nz"), "x y z");
        assert_eq!(
            escape("<script>`rm`</script>"),
            "&lt;script&gt;\\`rm\\`&lt;/script&gt;"
        );
        assert_eq!(escape("[x](javascript:1)"), "\\[x\\](javascript:1)");
        assert_eq!(
            super::escape_prose("run `a|b`\n<b>"),
            "run `a\\|b` &lt;b&gt;"
        );
    }
}
