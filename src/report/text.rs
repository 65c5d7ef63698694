//! Terminal report: grouped by section, one detail line per offender, summary and score.
use std::fmt::Write;

use anstyle::{AnsiColor, Style};

use super::{Report, Status};

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

pub fn render(report: &Report, color: bool) -> String {
    let paint = |status: Status, text: &str| {
        if color {
            let s = style(status);
            format!("{s}{text}{s:#}")
        } else {
            text.to_string()
        }
    };
    let bold = |text: &str| {
        if color {
            format!("\x1b[1m{text}\x1b[0m")
        } else {
            text.to_string()
        }
    };
    let mut out = String::new();
    let b = &report.benchmark;
    let _ = writeln!(
        out,
        "{}",
        bold(&format!(
            "dockbench {} — {} ({})",
            report.tool_version, b.title, b.id
        ))
    );
    let h = &report.host;
    let _ = writeln!(
        out,
        "host {} · {} · kernel {} · Docker {} · {} scan of {}",
        h.hostname,
        h.operating_system,
        h.kernel,
        h.docker_version,
        report.source.mode,
        report.source.location
    );
    let _ = writeln!(
        out,
        "{} containers ({}), {} images · {}",
        report.containers_scanned,
        if report.all_containers {
            "all"
        } else {
            "running"
        },
        report.images_scanned,
        report.started_at
    );
    if !report.host.target.is_empty() {
        let _ = writeln!(out, "target {}", report.host.target);
    }
    let identity = report.host.identity_line();
    if !identity.is_empty() {
        let _ = writeln!(out, "{identity}");
    }
    for note in &report.notes {
        let _ = writeln!(out, "note: {note}");
    }
    if let Some(f) = &report.filtered {
        let _ = writeln!(
            out,
            "left out by the configuration's filters: {} containers, {} images",
            f.containers_excluded, f.images_excluded
        );
    }
    for (section_id, section_title) in report.section_list() {
        let results: Vec<_> = report
            .results
            .iter()
            .filter(|r| r.section == section_id)
            .collect();
        if results.is_empty() {
            continue;
        }
        let _ = writeln!(
            out,
            "\n{}",
            bold(&format!("[{section_id}] {section_title}"))
        );
        for r in results {
            let tag = paint(r.status, &format!("[{:<5}]", r.status.as_str()));
            let _ = writeln!(out, "{tag} {} - {}", r.id, r.title);
            if r.status != Status::Pass || !r.findings.is_empty() {
                if !r.reason.is_empty()
                    && (r.findings.is_empty()
                        || r.findings.len() > 1
                        || r.findings[0].value != r.reason)
                {
                    let _ = writeln!(out, "        {}", r.reason.replace('\n', "\n        "));
                }
                for f in r.findings.iter().chain(&r.exceptions) {
                    let what = if f.value.is_empty() {
                        String::new()
                    } else {
                        format!(": {}", f.value)
                    };
                    let _ = writeln!(out, "        * {} {}{what}", f.kind, f.object);
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
                    let _ = writeln!(
                        out,
                        "        ~ waived {} {}{what} ({}{until})",
                        f.kind, f.object, w.reason
                    );
                }
            }
        }
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
    let _ = writeln!(out, "{} checks: {}", s.total, counts.join(", "));
    let _ = writeln!(
        out,
        "Score: {} (+1 per scored PASS, -1 per scored WARN)",
        s.score
    );
    let _ = writeln!(
        out,
        "Timings: collect {} ms, evaluate {} ms",
        report.timings.collect_ms, report.timings.evaluate_ms
    );
    out
}

#[cfg(test)]
mod tests {
    use super::*;

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
        let out = render(&report, false);
        assert!(out.contains("[X] Our own rules"), "{out}");
        assert!(out.contains("X.1 - A custom check"), "{out}");
    }
}
