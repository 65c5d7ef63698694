//! One self-contained HTML page from the tera templates `reports/report*.html`: no external
//! assets, works opened from disk, prints cleanly. Autoescaping is on for the templates (their
//! names end in `.html`), so every report string — container names, labels, paths, which come
//! from whoever runs containers on the host — is escaped; the script reads only data-attributes.
//!
//! The page is written as it is rendered: the frame (`report.html`: header, summary, table of
//! findings, the sections' and groups' headings) with a marker where each check and each object
//! goes, then one small render per check (`report-check.html`) and per object
//! (`report-object.html`) in the frame's order. No template context ever holds more than one
//! check's evidence or one object's findings (at 100,000 containers the whole view was several
//! GB as one context).
use std::io::{self, Write};

use super::Report;
use super::view::{Page, check_view};

const FRAME: &str = include_str!("../../reports/report.html");
const CHECK: &str = include_str!("../../reports/report-check.html");
const OBJECT: &str = include_str!("../../reports/report-object.html");
/// Where the frame wants the next check's body. Report strings cannot produce it: the page
/// escapes every `<` they hold.
const CHECK_MARK: &str = "<!--dockbench:check-->";
/// Where the frame wants the objects of its next group (one mark per group: a loop of one mark
/// per object hit tera's `range` limit of 100,000 elements).
const OBJECTS_MARK: &str = "<!--dockbench:objects-->";
/// What both marks start with: the frame is searched once for it, not once per mark.
const MARK_PREFIX: &str = "<!--dockbench:";

fn templates() -> tera::Tera {
    let mut tera = tera::Tera::new();
    tera.autoescape_on([".html"]);
    tera.set_escape_fn(escape_html);
    tera.add_raw_templates([
        ("report.html", FRAME),
        ("report-check.html", CHECK),
        ("report-object.html", OBJECT),
    ])
    .expect("the embedded HTML templates parse");
    tera
}

/// The page as one string (the bytes [`write`] writes).
pub fn render(report: &Report) -> String {
    let mut out = Vec::new();
    write(report, &mut out).expect("writing to memory cannot fail");
    String::from_utf8(out).expect("tera renders UTF-8")
}

/// Writes the page to `out`, check by check and object by object. Errors: only `out`'s.
pub fn write(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    let tera = templates();
    let page = Page::of(report);
    let frame = render_one(
        &tera,
        "report.html",
        tera::Context::from_serialize(&page.head).expect("the page's frame serialises"),
    );
    let mut checks = page.checks.iter().map(|&i| &report.results[i]);
    let mut groups = page.objects.iter();
    let mut rest = frame.as_str();
    loop {
        let mut from = 0;
        let next = loop {
            let Some(at) = rest[from..].find(MARK_PREFIX).map(|i| from + i) else {
                break None;
            };
            match [CHECK_MARK, OBJECTS_MARK]
                .into_iter()
                .find(|m| rest[at..].starts_with(m))
            {
                Some(mark) => break Some((at, mark)),
                None => from = at + MARK_PREFIX.len(),
            }
        };
        let Some((at, mark)) = next else {
            out.write_all(rest.as_bytes())?;
            break;
        };
        out.write_all(&rest.as_bytes()[..at])?;
        rest = &rest[at + mark.len()..];
        if mark == CHECK_MARK {
            let r = checks.next().expect("the frame marks each check once");
            let mut ctx = tera::Context::new();
            ctx.insert("c", &check_view(r, &page.anchors));
            out.write_all(render_one(&tera, "report-check.html", ctx).as_bytes())?;
        } else {
            let g = groups.next().expect("the frame marks each group once");
            for o in &g.objects {
                let mut ctx = tera::Context::new();
                ctx.insert("o", o);
                out.write_all(render_one(&tera, "report-object.html", ctx).as_bytes())?;
            }
        }
    }
    debug_assert!(checks.next().is_none() && groups.next().is_none());
    Ok(())
}

/// The characters tera escapes (`&<>"'`, as [`tera::escape_html`]), but the runs between them
/// written whole: tera's own writes each byte through `dyn Write`, a fifth of the page's
/// render at 10,000 containers (the page is ~100 MB there).
fn escape_html(input: &str, out: &mut dyn Write) -> io::Result<()> {
    let bytes = input.as_bytes();
    let mut start = 0;
    for (i, b) in bytes.iter().enumerate() {
        let entity: &[u8] = match b {
            b'&' => b"&amp;",
            b'<' => b"&lt;",
            b'>' => b"&gt;",
            b'"' => b"&quot;",
            b'\'' => b"&#39;",
            _ => continue,
        };
        out.write_all(&bytes[start..i])?;
        out.write_all(entity)?;
        start = i + 1;
    }
    out.write_all(&bytes[start..])
}

fn render_one(tera: &tera::Tera, template: &str, ctx: tera::Context) -> String {
    tera.render(template, &ctx)
        .expect("the embedded HTML templates render every report")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escaping_is_teras_own() {
        for s in [
            "",
            "plain",
            "<script>alert('x')</script>",
            "a&b\"c\"&&<>",
            "'leading and trailing'",
            "ünïcödé <b> ✓ &amp;",
            "&",
        ] {
            let (mut ours, mut teras) = (Vec::new(), Vec::new());
            escape_html(s, &mut ours).unwrap();
            tera::escape_html(s, &mut teras).unwrap();
            assert_eq!(
                String::from_utf8(ours).unwrap(),
                String::from_utf8(teras).unwrap()
            );
        }
    }
}
