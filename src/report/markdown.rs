//! Markdown for wikis and pull-request comments, from the tera template `reports/report.md`:
//! a summary line, what is new since the baseline, then the checks that need attention, most
//! severe first, each in a collapsed `<details>` with its offenders; within [`BUDGET`]. Autoescaping is
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
            c if crate::term::is_unsafe(c) => out.push(' '),
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
            c if crate::term::is_unsafe(c) => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

/// Escapes a string for raw HTML text (a `<summary>` line, where Markdown is not read).
pub fn escape_html(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c if crate::term::is_unsafe(c) => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

/// The most characters a rendered report may have: GitHub refuses comments over 65,536
/// characters, and a CI step usually wraps the report in a line or two of its own.
pub const BUDGET: usize = 60_000;

/// How much of each list one rendering shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Level {
    /// Rows per check (offenders, exceptions, waived findings).
    cap: usize,
    /// New and resolved findings since the baseline.
    new_cap: usize,
    /// Checks that need attention, most severe first.
    max_checks: usize,
}

/// From the most to the least detailed: fewer rows per check first, then fewer checks.
fn levels(checks: usize) -> Vec<Level> {
    let mut out: Vec<Level> = [(25, 100), (10, 50), (5, 25), (3, 10), (1, 5), (0, 0)]
        .into_iter()
        .map(|(cap, new_cap)| Level {
            cap,
            new_cap,
            max_checks: checks,
        })
        .collect();
    let mut max_checks = checks;
    while max_checks > 0 {
        max_checks /= 2;
        out.push(Level {
            cap: 0,
            new_cap: 0,
            max_checks,
        });
    }
    out
}

/// The Markdown report, within [`BUDGET`] characters where cutting lists can get it there:
/// the most detailed rendering that fits, each cut list ending in "… and N more". Only a
/// report whose fixed parts (header, sections, waivers to review) alone exceed it is longer.
pub fn render(report: &Report) -> String {
    let mut tera = tera::Tera::new();
    tera.autoescape_on(Vec::<&str>::new());
    tera.register_filter("md", |s: &str, _: tera::Kwargs, _: &tera::State| escape(s));
    tera.register_filter("md_prose", |s: &str, _: tera::Kwargs, _: &tera::State| {
        escape_prose(s)
    });
    tera.register_filter("h", |s: &str, _: tera::Kwargs, _: &tera::State| {
        escape_html(s)
    });
    tera.add_raw_template("report.md", TEMPLATE)
        .expect("the embedded Markdown template parses");
    let mut view = View::without_objects(report);
    let waived_count: usize = view.waived.iter().map(|c| c.waived_total).sum();
    // No level shows more rows of a check than the first's cap: the context holds no more
    // (at 10,000 containers the whole lists made the Markdown the scan's peak memory).
    let most = levels(view.attention.len())
        .iter()
        .map(|l| l.cap)
        .max()
        .unwrap_or(0);
    for c in [&mut view.attention, &mut view.manual, &mut view.waived]
        .into_iter()
        .flatten()
        .chain(view.sections.iter_mut().flat_map(|s| s.checks.iter_mut()))
    {
        c.truncate(most);
    }
    let base = tera::Context::from_serialize(&view).expect("the view serialises");
    let mut base = base;
    let status_line = view
        .statuses
        .iter()
        .filter(|s| s.count > 0)
        .map(|s| match s.status {
            "WARN" => format!("**{} WARN**", s.count),
            other => format!("{} {other}", s.count),
        })
        .collect::<Vec<_>>()
        .join(" · ");
    base.insert("status_line", &status_line);
    base.insert("waived_count", &waived_count);
    let mut last = String::new();
    for level in levels(view.attention.len()) {
        let mut ctx = base.clone();
        ctx.insert("cap", &level.cap);
        ctx.insert("new_cap", &level.new_cap);
        ctx.insert("max_checks", &level.max_checks);
        let rest: Vec<String> = view
            .attention
            .iter()
            .skip(level.max_checks)
            .take(100)
            .map(|c| format!("{} {}", c.r.id, c.r.status))
            .collect();
        let mut rest = escape(&rest.join(", "));
        if view.attention.len() > level.max_checks + 100 {
            rest.push_str(", …");
        }
        ctx.insert("attention_rest", &rest);
        last = tera
            .render("report.md", &ctx)
            .expect("the embedded Markdown template renders every report");
        if last.chars().count() <= BUDGET {
            break;
        }
    }
    last
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
