//! Terminal report in three views (`--view`):
//!
//! - `findings` (the default): the per-section summary table, then only the checks that need
//!   attention — WARN most severe first, then ERROR and INFO — each with its offenders (capped
//!   at [`OFFENDERS_SHOWN`], "… and N more"), manual-review checks as one list. An operator at a
//!   terminal acts on findings; 117 checks of which most pass bury them (17 containers gave 480
//!   lines in the full listing).
//! - `summary`: the table, the severity counts and the scores only (a quick look, a cron mail).
//! - `full`: every check by section, every offender (the listing of earlier versions).
//!
//! Lines fit 80 columns: long titles and values are cut with "…". Objects a check did not
//! apply to are counted ("15 containers not applicable (…)"), never listed as offenders.
//! `--remediation` adds each finding's fix.
use std::collections::HashMap;
use std::fmt::{self, Write};
use std::io;

use anstyle::{AnsiColor, Style};

use super::{CheckResult, Report, Status};
use crate::results::Severity;
use crate::term::count;

/// Width the report fits.
pub const WIDTH: usize = 80;
/// Offender lines per check in the findings view.
pub const OFFENDERS_SHOWN: usize = 5;
/// Object names under one shared value in the findings view.
pub const NAMES_SHOWN: usize = 12;

/// Which checks and how much of each the terminal report shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum TextView {
    Summary,
    #[default]
    Findings,
    Full,
}

impl TextView {
    pub const ALL: [TextView; 3] = [TextView::Summary, TextView::Findings, TextView::Full];

    pub fn name(self) -> &'static str {
        match self {
            TextView::Summary => "summary",
            TextView::Findings => "findings",
            TextView::Full => "full",
        }
    }
}

/// How to render the terminal report.
#[derive(Debug, Clone, Copy, Default)]
pub struct TextOptions {
    pub color: bool,
    pub view: TextView,
    /// Each finding's remediation under it.
    pub remediation: bool,
}

fn style(status: Status) -> Style {
    let color = match status {
        Status::Pass => AnsiColor::Green,
        Status::Warn => AnsiColor::Red,
        Status::Info => AnsiColor::Blue,
        Status::Note => AnsiColor::Yellow,
        Status::Skip => AnsiColor::BrightBlack,
        Status::Error => AnsiColor::Magenta,
        Status::Waived => AnsiColor::Cyan,
    };
    Style::new().bold().fg_color(Some(color.into()))
}

/// The four-letter marker of a severity (`CRIT`, `HIGH`, `MED `, `LOW `; blank when unrated).
pub fn marker(s: Option<Severity>) -> &'static str {
    match s {
        Some(Severity::Critical) => "CRIT",
        Some(Severity::High) => "HIGH",
        Some(Severity::Medium) => "MED ",
        Some(Severity::Low) => "LOW ",
        None => "    ",
    }
}

fn severity_style(s: Option<Severity>) -> Style {
    match s {
        Some(Severity::Critical) => Style::new()
            .bold()
            .fg_color(Some(AnsiColor::BrightWhite.into()))
            .bg_color(Some(AnsiColor::Red.into())),
        Some(Severity::High) => Style::new().bold().fg_color(Some(AnsiColor::Red.into())),
        Some(Severity::Medium) => Style::new().fg_color(Some(AnsiColor::Yellow.into())),
        _ => Style::new().fg_color(Some(AnsiColor::BrightBlack.into())),
    }
}

/// `s` cut to `width` characters, with "…" when cut; control characters as spaces.
fn fit(s: &str, width: usize) -> String {
    let clean: String = s
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    if clean.chars().count() <= width {
        return clean;
    }
    let mut out: String = clean.chars().take(width.saturating_sub(1)).collect();
    out.push('…');
    out
}

/// Words of `text` wrapped to `WIDTH`, each line starting with `indent`.
fn wrap(text: &str, indent: &str) -> String {
    let mut out = String::new();
    let mut line = String::from(indent);
    let room = WIDTH.saturating_sub(indent.chars().count()).max(20);
    for word in text.split_whitespace() {
        let used = line.chars().count() - indent.chars().count();
        if used > 0 && used + 1 + word.chars().count() > room {
            out.push_str(line.trim_end());
            out.push('\n');
            line = String::from(indent);
        }
        if line.chars().count() > indent.chars().count() {
            line.push(' ');
        }
        line.push_str(&fit(word, room));
    }
    if line.chars().count() > indent.chars().count() {
        out.push_str(&line);
        out.push('\n');
    }
    out
}

/// Order of the findings view: WARN by severity, then ERROR, then INFO by severity.
fn attention_rank(r: &CheckResult) -> (u8, std::cmp::Reverse<Option<Severity>>) {
    let group = match r.status {
        Status::Warn => 0,
        Status::Error => 1,
        _ => 2,
    };
    (group, std::cmp::Reverse(r.severity))
}

pub fn render(report: &Report, color: bool) -> String {
    render_with(
        report,
        &TextOptions {
            color,
            ..TextOptions::default()
        },
    )
}

/// The terminal report as text (the bytes [`write_with`] writes).
pub fn render_with(report: &Report, opts: &TextOptions) -> String {
    let mut out = Vec::new();
    write_with(report, opts, &mut out).expect("writing to memory");
    String::from_utf8(out).expect("text of UTF-8 strings")
}

/// Writes the terminal report into `out` as it is produced. `report`'s strings must be
/// terminal-safe already (see [`crate::term::safe_copy`]).
pub fn write_with(report: &Report, opts: &TextOptions, out: &mut dyn io::Write) -> io::Result<()> {
    let mut out = Sink::new(out);
    let color = opts.color;
    let paint = |status: Status, text: &str| {
        if color {
            let s = style(status);
            format!("{s}{text}{s:#}")
        } else {
            text.to_string()
        }
    };
    let sev = |s: Option<Severity>| {
        if color {
            let st = severity_style(s);
            format!("{st}{}{st:#}", marker(s))
        } else {
            marker(s).to_string()
        }
    };
    let bold = |text: &str| {
        if color {
            format!("\x1b[1m{text}\x1b[0m")
        } else {
            text.to_string()
        }
    };
    let b = &report.benchmark;
    out.push_str(&bold(&wrap(
        &format!("dockbench {} — {} ({})", report.tool_version, b.title, b.id),
        "",
    )));
    let h = &report.host;
    let known = |label: &str, v: &str| {
        if v.is_empty() {
            format!("{label} unknown")
        } else {
            format!("{label} {v}")
        }
    };
    out.push_str(&wrap(
        &format!(
            "host {} · {} · {} · {} · {} scan of {}",
            h.hostname,
            if h.operating_system.is_empty() {
                "OS unknown"
            } else {
                &h.operating_system
            },
            known("kernel", &h.kernel),
            known(
                if h.engine.is_empty() {
                    "Docker"
                } else {
                    &h.engine
                },
                &h.docker_version
            ),
            report.source.mode,
            report.source.location
        ),
        "",
    ));
    let _ = writeln!(
        out,
        "{} ({}), {} · {}",
        count(report.containers_scanned, "container"),
        if report.all_containers {
            "all"
        } else {
            "running"
        },
        count(report.images_scanned, "image"),
        report.started_at
    );
    if !report.host.target.is_empty() {
        let _ = writeln!(out, "target {}", report.host.target);
    }
    let identity = report.host.identity_line();
    if !identity.is_empty() {
        out.push_str(&wrap(&identity, ""));
    }
    for note in &report.notes {
        out.push_str(&wrap(&format!("note: {note}"), ""));
    }
    if let Some(f) = &report.filtered {
        let _ = writeln!(
            out,
            "left out by the configuration's filters: {}, {}",
            count(f.containers_excluded, "container"),
            count(f.images_excluded, "image")
        );
    }

    let sections = report.section_list();
    // The per-section table: every view starts with it (full has the checks below instead).
    if opts.view != TextView::Full {
        let cols = [
            Status::Warn,
            Status::Error,
            Status::Info,
            Status::Note,
            Status::Pass,
            Status::Skip,
            Status::Waived,
        ];
        let shown: Vec<Status> = cols
            .into_iter()
            .filter(|s| {
                matches!(s, Status::Warn | Status::Pass) || report.summary.counts.get(*s) > 0
            })
            .collect();
        let name_width = WIDTH - 7 * shown.len() - 1;
        let _ = write!(out, "\n{}", bold(&format!("{:<name_width$}", "Section")));
        for s in &shown {
            let head = if *s == Status::Waived {
                "WAIVD"
            } else {
                s.as_str()
            };
            let _ = write!(out, " {}", paint(*s, &format!("{head:>6}")));
        }
        out.push('\n');
        for (id, title) in &sections {
            let results: Vec<&CheckResult> =
                report.results.iter().filter(|r| r.section == *id).collect();
            if results.is_empty() {
                continue;
            }
            let _ = write!(
                out,
                "{:<name_width$}",
                fit(&format!("{id} {title}"), name_width)
            );
            for s in &shown {
                let n = results.iter().filter(|r| r.status == *s).count();
                let cell = if n == 0 {
                    "·".to_string()
                } else {
                    n.to_string()
                };
                let _ = write!(out, " {cell:>6}");
            }
            out.push('\n');
        }
        let _ = write!(out, "{:<name_width$}", "All");
        for s in &shown {
            let _ = write!(out, " {:>6}", report.summary.counts.get(*s));
        }
        out.push('\n');
        let by_sev: Vec<String> = Severity::ALL
            .iter()
            .map(|s| {
                let n = report
                    .results
                    .iter()
                    .filter(|r| r.status == Status::Warn && r.severity == Some(*s))
                    .count();
                format!("{n} {s}")
            })
            .collect();
        let _ = writeln!(out, "WARN checks by severity: {}", by_sev.join(", "));
    }

    // One check: its line, reason, offenders, not-applicable count, remediation.
    let check = |out: &mut Sink, r: &CheckResult, cap: Option<usize>| {
        let tag = paint(r.status, &format!("[{:<5}]", r.status.as_str()));
        // The title wrapped under itself: cut, "… restricted within co…" says nothing.
        let head = wrap(&format!("{} {}", r.id, r.title), &" ".repeat(13));
        let _ = write!(out, "{tag} {} {}", sev(r.severity), &head[13..]);
        let detail = r.status != Status::Pass || !r.findings.is_empty();
        if !detail {
            return;
        }
        let indent = "        ";
        let room = WIDTH - indent.len() - 2;
        if !r.reason.is_empty()
            && (r.findings.is_empty() || r.findings.len() > 1 || r.findings[0].value != r.reason)
        {
            let reason = r.reason.replace('\n', " ");
            if r.status == Status::Note {
                out.push_str(&wrap(&reason, indent));
            } else {
                let _ = writeln!(out, "{indent}{}", fit(&reason, WIDTH - indent.len()));
            }
        }
        // Offenders then objects that could not be evaluated; the same value said once for
        // the objects sharing it.
        // Groups in first-seen order, found through an index: a linear search made a check
        // with a distinct value per object quadratic (10,000 containers: 50 M comparisons).
        let mut groups: Vec<(&str, &str, Vec<&str>)> = Vec::new();
        let mut index: HashMap<(&str, &str), usize> = HashMap::new();
        for f in r.findings.iter().chain(r.unevaluated()) {
            let key = (f.kind.as_str(), f.value.as_str());
            match index.get(&key) {
                Some(&i) => groups[i].2.push(&f.object),
                None => {
                    index.insert(key, groups.len());
                    groups.push((key.0, key.1, vec![&f.object]));
                }
            }
        }
        // One line per group of objects sharing a value (capped views), else per object;
        // only the lines shown are formatted, the rest counted.
        let limit = cap.unwrap_or(usize::MAX);
        let mut lines = 0usize;
        for (kind, value, names) in &groups {
            let grouped = names.len() > 1 && cap.is_some();
            let first = lines;
            lines += if grouped { 1 } else { names.len() };
            if first >= limit {
                continue;
            }
            let what = if value.is_empty() {
                String::new()
            } else {
                format!(": {}", value.replace('\n', " "))
            };
            let mut put = |l: &str| {
                let (first, names) = l.split_once('\n').unwrap_or((l, ""));
                let _ = writeln!(out, "{indent}* {}", fit(first, room));
                if !names.is_empty() {
                    out.push_str(&wrap(names, "          "));
                }
            };
            if grouped {
                let s = if kind.ends_with('s') { "" } else { "s" };
                let shown = names.len().min(NAMES_SHOWN);
                let mut list = names[..shown].join(", ");
                if names.len() > shown {
                    list.push_str(&format!(" … and {} more", names.len() - shown));
                }
                put(&format!("{} {kind}{s}{what}\n{list}", names.len()));
            } else {
                for n in names.iter().take(limit - first) {
                    put(&format!("{kind} {n}{what}"));
                }
            }
        }
        if lines > limit {
            let _ = writeln!(out, "{indent}… and {} more", lines - limit);
        }
        let na = r.not_applicable_line();
        if !na.is_empty() {
            let _ = writeln!(out, "{indent}{}", fit(&na, WIDTH - indent.len()));
        }
        for w in &r.waived {
            let f = &w.finding;
            let what = if f.value.is_empty() {
                String::new()
            } else {
                format!(": {}", f.value)
            };
            let until = w
                .expires
                .as_ref()
                .map(|d| format!(", until {d}"))
                .unwrap_or_default();
            let line = format!(
                "~ waived {} {}{what} ({}{until})",
                f.kind, f.object, w.reason
            );
            let _ = writeln!(out, "{indent}{}", fit(&line, WIDTH - indent.len()));
        }
        if opts.remediation
            && matches!(r.status, Status::Warn | Status::Info | Status::Error)
            && !r.remediation.is_empty()
        {
            out.push_str(&wrap(&format!("Fix: {}", r.remediation), indent));
        }
    };

    match opts.view {
        TextView::Full => {
            for (id, title) in &sections {
                let results: Vec<&CheckResult> =
                    report.results.iter().filter(|r| r.section == *id).collect();
                if results.is_empty() {
                    continue;
                }
                let _ = writeln!(out, "\n{}", bold(&fit(&format!("[{id}] {title}"), WIDTH)));
                for r in results {
                    check(&mut out, r, None);
                }
            }
        }
        TextView::Findings => {
            let mut attention: Vec<&CheckResult> = report
                .results
                .iter()
                .filter(|r| matches!(r.status, Status::Warn | Status::Error | Status::Info))
                .collect();
            attention.sort_by_key(|r| attention_rank(r));
            if attention.is_empty() {
                let _ = writeln!(out, "\n{}", bold("No findings"));
            } else {
                let _ = writeln!(
                    out,
                    "\n{}",
                    bold(&format!(
                        "Findings: {}, most severe first{}",
                        count(attention.len(), "check"),
                        if opts.remediation {
                            ""
                        } else {
                            " (--remediation: how to fix each)"
                        }
                    ))
                );
                for r in attention {
                    check(&mut out, r, Some(OFFENDERS_SHOWN));
                }
            }
            let manual: Vec<&str> = report
                .results
                .iter()
                .filter(|r| r.status == Status::Note)
                .map(|r| r.id.as_str())
                .collect();
            if !manual.is_empty() {
                let _ = writeln!(out, "\n{}", bold("Manual review"));
                out.push_str(&wrap(
                    &format!(
                        "{} ({}; `dockbench checks show ID` says what to look at)",
                        manual.join(", "),
                        count(manual.len(), "check")
                    ),
                    "",
                ));
            }
        }
        TextView::Summary => {}
    }
    if let Some(w) = &report.waivers {
        let _ = writeln!(
            out,
            "\n{}",
            bold(&format!(
                "Waivers: {} applied, {} expired, {} unused",
                w.applied.len(),
                w.expired.len(),
                w.unused.len()
            ))
        );
        for (state, list) in [
            ("applied", &w.applied),
            ("expired", &w.expired),
            ("unused", &w.unused),
        ] {
            for u in list {
                let mut what = String::new();
                for (k, v) in [
                    ("container", &u.container),
                    ("image", &u.image),
                    ("label", &u.label),
                ] {
                    if let Some(v) = v {
                        what.push_str(&format!(" {k} {v}"));
                    }
                }
                let until = u
                    .expires
                    .as_ref()
                    .map(|d| format!(", expires {d}"))
                    .unwrap_or_default();
                let findings = if u.matched == 1 {
                    "finding"
                } else {
                    "findings"
                };
                let _ = writeln!(
                    out,
                    "  {state:<8} {}{what}: {} ({} {findings}{until}; {})",
                    u.check, u.reason, u.matched, u.origin
                );
            }
        }
    }
    if let Some(d) = &report.baseline {
        let _ = writeln!(out, "\n{}", bold("Baseline"));
        out.push_str(&super::diff::render_text(d, false));
    }
    let s = &report.summary;
    let _ = writeln!(out, "\n{}", bold("Summary"));
    let counts: Vec<String> = Status::ALL
        .iter()
        .filter(|st| s.counts.get(**st) > 0 || matches!(st, Status::Pass | Status::Warn))
        .map(|st| paint(*st, &format!("{} {}", s.counts.get(*st), st.as_str())))
        .collect();
    let _ = writeln!(out, "{}: {}", count(s.total, "check"), counts.join(", "));
    match s.benchmarks.as_slice() {
        [_, _, ..] => {
            let _ = writeln!(out, "Scores (+1 per scored PASS, -1 per scored WARN):");
            for b in &s.benchmarks {
                let _ = writeln!(out, "  {}: {} ({})", b.id, b.score, count(b.total, "check"));
            }
        }
        _ => {
            let _ = writeln!(
                out,
                "Score: {} (+1 per scored PASS, -1 per scored WARN)",
                s.combined_score
            );
        }
    }
    let _ = writeln!(
        out,
        "Timings: collect {} ms, evaluate {} ms",
        report.timings.collect_ms, report.timings.evaluate_ms
    );
    out.finish()
}

/// An `io::Write` written to like a `String` (`push_str`, `write!`): the first error is
/// kept, everything after it dropped, and [`Sink::finish`] returns it.
struct Sink<'a> {
    out: &'a mut dyn io::Write,
    error: Option<io::Error>,
}

impl<'a> Sink<'a> {
    fn new(out: &'a mut dyn io::Write) -> Self {
        Sink { out, error: None }
    }

    fn push_str(&mut self, s: &str) {
        let _ = fmt::Write::write_str(self, s);
    }

    fn push(&mut self, c: char) {
        self.push_str(c.encode_utf8(&mut [0; 4]));
    }

    fn finish(self) -> io::Result<()> {
        self.error.map_or(Ok(()), Err)
    }
}

impl fmt::Write for Sink<'_> {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        if self.error.is_some() {
            return Err(fmt::Error);
        }
        self.out.write_all(s.as_bytes()).map_err(|e| {
            self.error = Some(e);
            fmt::Error
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The comparison with a baseline is said once (it was printed twice).
    #[test]
    fn the_baseline_is_shown_once() {
        let text = include_str!("../../tests/fixtures/reports/risky-report.json");
        let old = super::super::json::parse(text).unwrap();
        let mut report = old.clone();
        report.baseline = Some(super::super::diff::diff(&old, &report));
        let out = render_with(&report, &TextOptions::default());
        assert_eq!(out.matches("\nBaseline\n").count(), 1, "{out}");
        assert_eq!(out.matches("Compared with the report of").count(), 1);
    }

    /// A custom check in a section the report does not list is shown (under its own section),
    /// not dropped while the summary counts it.
    #[test]
    fn results_of_unlisted_sections_are_shown() {
        let text = include_str!("../../tests/fixtures/reports/risky-report.json");
        let mut report = super::super::json::parse(text).unwrap();
        let mut custom = report.results[0].clone();
        custom.id = "X.1".into();
        custom.title = "A custom check".into();
        custom.section = "X".into();
        custom.section_title = "Our own rules".into();
        assert!(!report.sections.iter().any(|s| s.id == "X"));
        report.results.push(custom);
        let out = render_with(
            &report,
            &TextOptions {
                view: TextView::Full,
                ..TextOptions::default()
            },
        );
        assert!(out.contains("[X] Our own rules"), "{out}");
        assert!(out.contains("X.1 A custom check"), "{out}");
    }
}
