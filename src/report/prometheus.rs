//! Prometheus text exposition format, for node_exporter's textfile collector
//! (`-o prometheus=/var/lib/node_exporter/textfile_collector/dockbench.prom`).
//!
//! Every metric is a gauge with `# HELP` and `# TYPE` before its samples. Per check, series
//! whose labels never change with the check's status, so a status change is a value change of
//! the same series (no series ends and another begins, alerts keep their history):
//!
//! - `dockbench_check_info{benchmark,id,section,level,scored,severity,title} 1`: what the check
//!   is (join on `benchmark`, `id` for the title);
//! - `dockbench_check_status{benchmark,id,severity,status}`: one sample per status, 1 for the
//!   current one, 0 for the others (a fixed label set: `dockbench_check_status{status="WARN"}
//!   == 1` selects the failing checks, `…{severity="critical",status="WARN"} == 1` the worst);
//! - `dockbench_findings{benchmark,id}`, `dockbench_waived_findings{benchmark,id}`: counts.
use std::fmt::Write;

use super::{Report, Status};

/// Escapes a label value: control, bidi and zero-width characters as visible escapes (a
/// hostname or label comes from the scanned host), then backslash, double quote and line feed.
pub fn label_value(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for ch in s.chars() {
        match ch {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '\n' => out.push_str("\\n"),
            // `\e`, `\x07`, `\u{202e}` as text (its backslash escaped for the format).
            c if crate::term::is_unsafe(c) => {
                out.push_str(&crate::term::visible(&c.to_string()).replace('\\', "\\\\"))
            }
            c => out.push(c),
        }
    }
    out
}

fn labels(pairs: &[(&str, &str)]) -> String {
    if pairs.is_empty() {
        return String::new();
    }
    let inner: Vec<String> = pairs
        .iter()
        .map(|(k, v)| format!("{k}=\"{}\"", label_value(v)))
        .collect();
    format!("{{{}}}", inner.join(","))
}

fn header(out: &mut String, name: &str, help: &str) {
    let _ = writeln!(out, "# HELP {name} {help}");
    let _ = writeln!(out, "# TYPE {name} gauge");
}

fn unix_seconds(rfc3339: &str) -> Option<i64> {
    chrono::DateTime::parse_from_rfc3339(rfc3339)
        .ok()
        .map(|t| t.timestamp())
}

pub fn render(report: &Report) -> String {
    let mut out = String::new();
    let host = report.host.hostname.as_str();
    let bench = report.benchmark.id.as_str();

    header(
        &mut out,
        "dockbench_info",
        "dockbench version, benchmark and host of the last scan (value 1).",
    );
    let _ = writeln!(
        out,
        "dockbench_info{} 1",
        labels(&[
            ("version", &report.tool_version),
            ("benchmark", bench),
            ("hostname", host),
            ("docker_version", &report.host.docker_version),
            // The host identity every other format carries: a fleet's series stay apart.
            ("label", &report.host.label),
            ("machine_id", &report.host.machine_id),
        ])
    );

    header(
        &mut out,
        "dockbench_checks",
        "Checks per status in the last scan.",
    );
    for s in Status::ALL {
        let _ = writeln!(
            out,
            "dockbench_checks{} {}",
            labels(&[("status", &s.as_str().to_lowercase())]),
            report.summary.counts.get(s)
        );
    }

    header(
        &mut out,
        "dockbench_score",
        "docker-bench-security score of each benchmark: +1 per scored PASS, -1 per scored WARN.",
    );
    for b in &report.summary.benchmarks {
        let _ = writeln!(
            out,
            "dockbench_score{} {}",
            labels(&[("benchmark", &b.id)]),
            b.score
        );
    }

    header(
        &mut out,
        "dockbench_check_info",
        "What each check is: benchmark, section, profile level, scored, severity and title (value 1).",
    );
    for r in &report.results {
        let _ = writeln!(
            out,
            "dockbench_check_info{} 1",
            labels(&[
                ("benchmark", &r.benchmark),
                ("id", &r.id),
                ("section", &r.section),
                ("level", r.level.id()),
                ("scored", if r.scored { "true" } else { "false" }),
                ("severity", r.severity.map_or("", |s| s.as_str())),
                ("title", &r.title),
            ])
        );
    }

    header(
        &mut out,
        "dockbench_check_status",
        "Per check one sample per status: 1 for the check's current status, 0 for the others.",
    );
    for r in &report.results {
        for s in Status::ALL {
            let _ = writeln!(
                out,
                "dockbench_check_status{} {}",
                labels(&[
                    ("benchmark", &r.benchmark),
                    ("id", &r.id),
                    ("severity", r.severity.map_or("", |s| s.as_str())),
                    ("status", s.as_str()),
                ]),
                u8::from(r.status == s)
            );
        }
    }

    header(
        &mut out,
        "dockbench_findings",
        "Open (unwaived) findings per check: offending containers, images or host facts.",
    );
    for r in &report.results {
        let open = if matches!(r.status, Status::Warn | Status::Info) {
            r.findings.len()
        } else {
            0
        };
        let _ = writeln!(
            out,
            "dockbench_findings{} {open}",
            labels(&[("benchmark", &r.benchmark), ("id", &r.id)])
        );
    }

    header(
        &mut out,
        "dockbench_waived_findings",
        "Findings covered by a waiver, per check.",
    );
    for r in &report.results {
        let _ = writeln!(
            out,
            "dockbench_waived_findings{} {}",
            labels(&[("benchmark", &r.benchmark), ("id", &r.id)]),
            r.waived.len()
        );
    }

    if let Some(w) = &report.waivers {
        header(
            &mut out,
            "dockbench_waivers",
            "Waivers of the configuration: applied, expired or unused (matched nothing).",
        );
        for (state, n) in [
            ("applied", w.applied.len()),
            ("expired", w.expired.len()),
            ("unused", w.unused.len()),
        ] {
            let _ = writeln!(out, "dockbench_waivers{} {n}", labels(&[("state", state)]));
        }
    }

    if let Some(b) = &report.baseline {
        header(
            &mut out,
            "dockbench_baseline_findings",
            "Findings compared with the baseline report: new, resolved, unchanged.",
        );
        for (state, n) in [
            ("new", b.counts.new),
            ("resolved", b.counts.resolved),
            ("unchanged", b.counts.unchanged),
        ] {
            let _ = writeln!(
                out,
                "dockbench_baseline_findings{} {n}",
                labels(&[("state", state)])
            );
        }
    }

    header(
        &mut out,
        "dockbench_scanned_objects",
        "Containers and images the checks looked at.",
    );
    let _ = writeln!(
        out,
        "dockbench_scanned_objects{} {}",
        labels(&[("kind", "container")]),
        report.containers_scanned
    );
    let _ = writeln!(
        out,
        "dockbench_scanned_objects{} {}",
        labels(&[("kind", "image")]),
        report.images_scanned
    );

    if let Some(t) = unix_seconds(&report.finished_at) {
        header(
            &mut out,
            "dockbench_scan_timestamp_seconds",
            "When the scan finished, in Unix seconds.",
        );
        let _ = writeln!(out, "dockbench_scan_timestamp_seconds {t}");
    }
    header(
        &mut out,
        "dockbench_scan_duration_seconds",
        "How long collection and evaluation took.",
    );
    let secs = (report.timings.collect_ms + report.timings.evaluate_ms) as f64 / 1000.0;
    let _ = writeln!(out, "dockbench_scan_duration_seconds {secs:.3}");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn label_values_are_escaped() {
        assert_eq!(label_value("a\"b\\c\nd"), "a\\\"b\\\\c\\nd");
        assert_eq!(labels(&[("id", "5.4")]), "{id=\"5.4\"}");
    }
}
