//! Baselines: compare the open findings of two reports at check × object granularity.
//!
//! An open finding is an object listed under a WARN or INFO check (waived findings are not
//! open). Its key is (check id, object kind, object name — or its ID when it has no name; for a
//! finding about a file, its path; per host against a report that names no files). The
//! name rather than the ID, because a nightly redeploy recreates containers (new ID, same
//! name) and rebuilds images (new ID, same tag): keyed by ID every redeploy would look like all
//! findings resolved and new again.
//!
//! Only checks that both reports evaluated are compared: a check missing from one report
//! (another benchmark, another `--check`/`--skip`/`--level`) or ERROR or SKIP in either (not
//! evaluated: facts missing, e.g. offline, or nothing in scope) says nothing about its
//! findings, and counting them as resolved or new would be a false verdict (and a false
//! `--fail-on-new`). Those checks are listed as `not_compared`. Pure: no I/O.
use std::collections::{HashMap, HashSet};

use super::{Report, Status};
use crate::results::ObjectKind;

pub use crate::results::diff::{BenchmarkScore, Diff, DiffBase, DiffCounts, DiffEntry};

type Key = (String, String, String);

/// Open findings keyed by (check, kind, name): a file finding by its path, except for the
/// checks in `by_host` (whose findings the other report has on the host: a report of schema
/// version 2 names no files), which are compared per host.
fn open_findings(report: &Report, by_host: &HashSet<String>) -> Vec<(Key, DiffEntry)> {
    let mut out = Vec::new();
    for r in &report.results {
        if !matches!(r.status, Status::Warn | Status::Info) {
            continue;
        }
        for f in &r.findings {
            let who = if f.object.is_empty() {
                &f.id
            } else {
                &f.object
            };
            let key = match f.file() {
                Some(_) if by_host.contains(&r.id) => (r.id.clone(), "host".into(), who.clone()),
                Some(path) => (r.id.clone(), f.kind.to_string(), path.to_string()),
                None => (r.id.clone(), f.kind.to_string(), who.clone()),
            };
            out.push((
                key,
                DiffEntry {
                    check: r.id.clone(),
                    title: r.title.clone(),
                    status: r.status,
                    kind: f.kind.to_string(),
                    object: f.object.clone(),
                    id: f.id.clone(),
                    path: f.path.clone(),
                    value: f.value.clone(),
                },
            ));
        }
    }
    out
}

/// Checks one report has findings on files for and the other on the host without a path.
fn compared_by_host(old: &Report, new: &Report) -> HashSet<String> {
    let kinds = |r: &Report| -> HashMap<String, (bool, bool)> {
        let mut m: HashMap<String, (bool, bool)> = HashMap::new();
        for c in &r.results {
            for f in &c.findings {
                let e = m.entry(c.id.clone()).or_default();
                e.0 |= f.file().is_some();
                e.1 |= f.file().is_none() && f.kind == ObjectKind::Host;
            }
        }
        m
    };
    let (a, b) = (kinds(old), kinds(new));
    a.iter()
        .filter(|(id, (files, hosts))| {
            b.get(*id)
                .is_some_and(|(f2, h2)| (*files && *h2) || (*hosts && *f2))
        })
        .map(|(id, _)| id.clone())
        .collect()
}

/// Check ids of `old` and `new` (in report order, old's first) whose findings cannot be
/// compared: absent from one report, or not evaluated (ERROR, SKIP) in either.
fn not_compared(old: &Report, new: &Report) -> Vec<String> {
    let status = |r: &Report| -> HashMap<String, Status> {
        r.results.iter().map(|c| (c.id.clone(), c.status)).collect()
    };
    let (before, after) = (status(old), status(new));
    let evaluated = |s: &Status| !matches!(s, Status::Error | Status::Skip);
    let mut out: Vec<String> = Vec::new();
    for r in old.results.iter().chain(&new.results) {
        let comparable = match (before.get(&r.id), after.get(&r.id)) {
            (Some(a), Some(b)) => evaluated(a) && evaluated(b),
            _ => false,
        };
        if !comparable && !out.contains(&r.id) {
            out.push(r.id.clone());
        }
    }
    out
}

/// What changed from `old` to `new`.
pub fn diff(old: &Report, new: &Report) -> Diff {
    let skipped: HashSet<String> = not_compared(old, new).into_iter().collect();
    let compared = |e: &(Key, DiffEntry)| !skipped.contains(&e.1.check);
    let by_host = compared_by_host(old, new);
    let before: Vec<_> = open_findings(old, &by_host)
        .into_iter()
        .filter(compared)
        .collect();
    let after: Vec<_> = open_findings(new, &by_host)
        .into_iter()
        .filter(compared)
        .collect();
    let before_keys: HashSet<&Key> = before.iter().map(|(k, _)| k).collect();
    let after_keys: HashSet<&Key> = after.iter().map(|(k, _)| k).collect();
    let mut d = Diff {
        baseline: DiffBase {
            started_at: old.started_at.clone(),
            hostname: old.host.hostname.clone(),
            benchmark: old.benchmark.id.clone(),
            combined_score: old.summary.combined_score,
            scores: old
                .summary
                .benchmarks
                .iter()
                .map(|b| BenchmarkScore {
                    id: b.id.clone(),
                    score: b.score,
                })
                .collect(),
        },
        ..Diff::default()
    };
    for (k, e) in &after {
        if before_keys.contains(k) {
            d.unchanged.push(e.clone());
        } else {
            d.new.push(e.clone());
        }
    }
    for (k, e) in &before {
        if !after_keys.contains(k) {
            d.resolved.push(e.clone());
        }
    }
    d.counts = DiffCounts {
        new: d.new.len(),
        resolved: d.resolved.len(),
        unchanged: d.unchanged.len(),
    };
    d.not_compared = not_compared(old, new);
    d
}

/// "; N checks not compared (…): 2.7, DP.1.1, …" — empty when every check was compared.
fn not_compared_note(d: &Diff) -> String {
    const SHOWN: usize = 8;
    if d.not_compared.is_empty() {
        return String::new();
    }
    let n = d.not_compared.len();
    let mut ids = d.not_compared[..n.min(SHOWN)].join(", ");
    if n > SHOWN {
        ids.push_str(&format!(", … ({} more)", n - SHOWN));
    }
    let checks = if n == 1 { "check" } else { "checks" };
    format!("; {n} {checks} not compared (in only one report, or ERROR or SKIP): {ids}")
}

fn line(e: &DiffEntry) -> String {
    let value = if e.value.is_empty() {
        String::new()
    } else {
        format!(": {}", e.value.replace('\n', " "))
    };
    format!("{} [{}] {} {}{value}", e.check, e.status, e.kind, e.object)
}

/// The comparison as text (also the baseline block of the terminal report).
pub fn render_text(d: &Diff, unchanged: bool) -> String {
    let mut out = format!(
        "Compared with the report of {} ({}, {}, {}): {} new, {} resolved, {} unchanged{}\n",
        d.baseline.started_at,
        d.baseline.hostname,
        d.baseline.benchmark,
        d.baseline.scores_text(),
        d.counts.new,
        d.counts.resolved,
        d.counts.unchanged,
        not_compared_note(d)
    );
    let mut list = |label: &str, entries: &[DiffEntry]| {
        for e in entries {
            out.push_str(&format!("  {label:<9} {}\n", line(e)));
        }
    };
    list("new", &d.new);
    list("resolved", &d.resolved);
    if unchanged {
        list("unchanged", &d.unchanged);
    }
    out
}

/// The comparison as Markdown (data escaped).
pub fn render_markdown(d: &Diff) -> String {
    use super::markdown::escape;
    let mut out = format!(
        "# dockbench diff\n\nBaseline: {} ({}, {}, {})\n\n| | Findings |\n|---|---|\n| new | {} |\n| resolved | {} |\n| unchanged | {} |\n",
        escape(&d.baseline.started_at),
        escape(&d.baseline.hostname),
        escape(&d.baseline.benchmark),
        escape(&d.baseline.scores_text()),
        d.counts.new,
        d.counts.resolved,
        d.counts.unchanged
    );
    let note = not_compared_note(d);
    if let Some(note) = note.strip_prefix("; ") {
        out.push_str(&format!("\n{}.\n", escape(note)));
    }
    for (label, entries) in [
        ("New", &d.new),
        ("Resolved", &d.resolved),
        ("Unchanged", &d.unchanged),
    ] {
        if entries.is_empty() {
            continue;
        }
        out.push_str(&format!(
            "\n## {label}\n\n| Check | Status | Object | Evidence |\n|---|---|---|---|\n"
        ));
        for e in entries.iter() {
            out.push_str(&format!(
                "| {} | {} | {} {} | {} |\n",
                escape(&e.check),
                e.status,
                escape(&e.kind),
                escape(&e.object),
                escape(&e.value)
            ));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn report(findings: &[(&str, Status, &str, &str)]) -> Report {
        let text = include_str!("../../tests/fixtures/reports/risky-report.json");
        let mut r = super::super::json::parse(text).unwrap();
        r.results.truncate(0);
        let template = super::super::json::parse(text).unwrap().results[0].clone();
        for (check, status, name, id) in findings {
            let mut c = template.clone();
            c.id = check.to_string();
            c.status = *status;
            c.findings = vec![super::super::Finding {
                kind: crate::results::ObjectKind::Container,
                object: name.to_string(),
                id: id.to_string(),
                value: "v".into(),
                ..Default::default()
            }];
            r.results.push(c);
        }
        r
    }

    #[test]
    fn classifies_new_resolved_unchanged() {
        let old = report(&[
            ("5.4", Status::Warn, "web", "a1"),
            ("5.5", Status::Warn, "db", "b1"),
            ("5.6", Status::Pass, "", ""),
            ("1.2.1", Status::Note, "host", ""),
        ]);
        let new = report(&[
            // Recreated container: new ID, same name → unchanged.
            ("5.4", Status::Warn, "web", "a2"),
            ("5.5", Status::Pass, "", ""),
            ("5.6", Status::Info, "db", "b1"),
            ("1.2.1", Status::Note, "host", ""),
        ]);
        let d = diff(&old, &new);
        let ids = |v: &[DiffEntry]| v.iter().map(|e| e.check.clone()).collect::<Vec<_>>();
        assert_eq!(ids(&d.unchanged), ["5.4"]);
        assert_eq!(ids(&d.new), ["5.6"]);
        assert_eq!(ids(&d.resolved), ["5.5"]);
        assert_eq!(
            d.counts,
            DiffCounts {
                new: 1,
                resolved: 1,
                unchanged: 1
            }
        );
        let text = render_text(&d, false);
        assert!(text.contains("1 new, 1 resolved, 1 unchanged"), "{text}");
        assert!(
            text.contains("new       5.6 [INFO] container db: v"),
            "{text}"
        );
        assert!(!text.contains("unchanged 5.4"));
        assert!(render_markdown(&d).contains("## Resolved"));
    }

    #[test]
    fn checks_missing_from_a_report_or_not_evaluated_are_not_compared() {
        // Baseline: CIS 5.4 and 5.5; now: 5.5 could not be evaluated, DP.5.1 newly selected.
        let old = report(&[
            ("5.4", Status::Warn, "web", "a1"),
            ("5.5", Status::Warn, "web", "a1"),
            ("2.1", Status::Info, "daemon", ""),
        ]);
        // 2.1: SKIP offline ("not available in an offline scan"), not resolved.
        let mut new = report(&[
            ("5.4", Status::Warn, "web", "a1"),
            ("5.5", Status::Error, "web", "a1"),
            ("2.1", Status::Skip, "daemon", ""),
            ("DP.5.1", Status::Warn, "web", "a1"),
        ]);
        new.results[1].findings.clear();
        new.results[2].findings.clear();
        let d = diff(&old, &new);
        assert_eq!(
            (d.counts.new, d.counts.resolved, d.counts.unchanged),
            (0, 0, 1),
            "{d:?}"
        );
        assert_eq!(d.not_compared, ["5.5", "2.1", "DP.5.1"]);
        let text = render_text(&d, false);
        assert!(
            text.contains(
                "; 3 checks not compared (in only one report, or ERROR or SKIP): 5.5, 2.1, DP.5.1"
            ),
            "{text}"
        );
        assert!(render_markdown(&d).contains("3 checks not compared"));
    }

    #[test]
    fn same_report_has_nothing_new() {
        let r = report(&[("5.4", Status::Warn, "web", "a1")]);
        let d = diff(&r, &r);
        assert_eq!(
            (d.counts.new, d.counts.resolved, d.counts.unchanged),
            (0, 0, 1)
        );
    }
}
