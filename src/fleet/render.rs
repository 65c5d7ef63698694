//! The fleet report's formats: JSON (the model), CSV (one row per host and benchmark),
//! Markdown and one self-contained HTML page (tera templates `reports/fleet.md.tera` and
//! `reports/fleet.html.tera`; autoescaping on for the HTML, as every name comes from the hosts).
use serde::Serialize;

use super::{Fleet, FleetCheck, FleetHost, SeverityCounts};
use crate::term::count;

/// Fleet output formats (`merge --format`, `--output FORMAT=PATH`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FleetFormat {
    /// Hosts worst first and the most failed checks, for a terminal.
    Text,
    /// The fleet report (fleet_schema_version 1; `merge --print-schema` prints its schema).
    Json,
    /// Host × section heat map, drill-down per host, filter by host label; self-contained.
    Html,
    /// One row per host and benchmark.
    Csv,
    /// Summary, hosts and most failed checks (wikis, merge requests).
    Markdown,
}

impl FleetFormat {
    /// Every format with its name (`--format`, `-o FORMAT=`) and help line.
    pub const VALUES: [(FleetFormat, &'static str, &'static str); 5] = [
        (
            FleetFormat::Text,
            "text",
            "Hosts worst first and the most failed checks, for a terminal",
        ),
        (
            FleetFormat::Json,
            "json",
            "The fleet report (fleet_schema_version 1; `merge --print-schema` prints its schema)",
        ),
        (
            FleetFormat::Html,
            "html",
            "Host × section heat map, drill-down per host, filter by host label; self-contained",
        ),
        (FleetFormat::Csv, "csv", "One row per host and benchmark"),
        (
            FleetFormat::Markdown,
            "markdown",
            "Summary, hosts and most failed checks (wikis, merge requests)",
        ),
    ];

    pub fn name(self) -> &'static str {
        match self {
            FleetFormat::Text => "text",
            FleetFormat::Json => "json",
            FleetFormat::Html => "html",
            FleetFormat::Csv => "csv",
            FleetFormat::Markdown => "markdown",
        }
    }
}

impl std::str::FromStr for FleetFormat {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        FleetFormat::VALUES
            .iter()
            .find(|(_, name, _)| name.eq_ignore_ascii_case(s))
            .map(|(f, _, _)| *f)
            .ok_or_else(|| {
                format!("unknown format '{s}' (expected text, json, html, csv or markdown)")
            })
    }
}

pub fn render(fleet: &Fleet, format: FleetFormat) -> String {
    match format {
        FleetFormat::Text => text(fleet),
        FleetFormat::Json => {
            let mut s = serde_json::to_string_pretty(fleet).expect("fleet serialises");
            s.push('\n');
            s
        }
        FleetFormat::Html => templated(fleet, "fleet.html", HTML),
        FleetFormat::Csv => csv(fleet),
        FleetFormat::Markdown => templated(fleet, "fleet.md", MARKDOWN),
    }
}

const HTML: &str = include_str!("../../reports/fleet.html.tera");
const MARKDOWN: &str = include_str!("../../reports/fleet.md.tera");

fn templated(fleet: &Fleet, name: &str, template: &str) -> String {
    let mut tera = tera::Tera::new();
    if name.ends_with(".html") {
        tera.autoescape_on([".html"]);
    } else {
        // Markdown: every host string goes through `md` instead.
        tera.autoescape_on(Vec::<&str>::new());
        tera.register_filter("md", |s: &str, _: tera::Kwargs, _: &tera::State| {
            crate::report::markdown::escape(s)
        });
    }
    tera.add_raw_template(name, template)
        .expect("the embedded fleet template parses");
    let ctx = tera::Context::from_serialize(&View::of(fleet)).expect("the view serialises");
    tera.render(name, &ctx)
        .expect("the embedded fleet template renders every fleet")
}

/// Flags of a host, as short words.
pub fn flags(h: &FleetHost) -> Vec<&'static str> {
    let mut f = Vec::new();
    if h.policy_failed {
        f.push("policy");
    }
    if h.stale {
        f.push("stale");
    }
    if !h.clone_of.is_empty() {
        f.push("clone");
    }
    f
}

fn severity_line(s: &SeverityCounts) -> String {
    let mut parts = Vec::new();
    for (n, name) in [
        (s.critical, "critical"),
        (s.high, "high"),
        (s.medium, "medium"),
        (s.low, "low"),
        (s.unrated, "unrated"),
    ] {
        if n > 0 {
            parts.push(format!("{n} {name}"));
        }
    }
    parts.join(", ")
}

/// What the templates print, computed once.
#[derive(Serialize)]
struct View<'a> {
    fleet: &'a Fleet,
    labels: Vec<&'a str>,
    rows: Vec<Row<'a>>,
    checks: Vec<CheckRow<'a>>,
    severity: String,
}

#[derive(Serialize)]
struct Row<'a> {
    host: &'a FleetHost,
    anchor: String,
    flags: Vec<&'static str>,
    cells: Vec<Cell>,
    severity: String,
    /// The WARN checks as one line ("5.11×100 5.12"), the ERROR ones likewise: one text
    /// node per host, not an element per check, keeps 1,000 hosts' drill-downs small.
    warn_ids: String,
    error_ids: String,
}

#[derive(Serialize)]
struct Cell {
    class: &'static str,
    text: String,
    title: String,
}

#[derive(Serialize)]
struct CheckRow<'a> {
    check: &'a FleetCheck,
    percent: u32,
    /// The first failing hosts (at most 8); `more`: how many are not named.
    names: &'a [String],
    more: usize,
}

impl<'a> View<'a> {
    fn of(fleet: &'a Fleet) -> View<'a> {
        let mut labels: Vec<&str> = fleet
            .hosts
            .iter()
            .map(|h| h.label.as_str())
            .filter(|l| !l.is_empty())
            .collect();
        labels.sort_unstable();
        labels.dedup();
        let rows = fleet
            .hosts
            .iter()
            .enumerate()
            .map(|(i, h)| Row {
                host: h,
                anchor: format!("h{i}"),
                flags: flags(h),
                cells: fleet
                    .sections
                    .iter()
                    .map(|s| match h.sections.iter().find(|c| c.id == s.id) {
                        None => Cell {
                            class: "na",
                            text: String::new(),
                            title: format!("{} {}: not run", s.id, s.title),
                        },
                        Some(c) => Cell {
                            class: match (c.warn, c.error) {
                                (0, 0) => "w0",
                                (0, _) => "er",
                                (1, _) => "w1",
                                (2..=3, _) => "w2",
                                (4..=7, _) => "w3",
                                _ => "w4",
                            },
                            text: if c.warn > 0 {
                                c.warn.to_string()
                            } else {
                                String::new()
                            },
                            // The column header carries the section's title.
                            title: format!("{} WARN, {} ERROR of {}", c.warn, c.error, c.checks),
                        },
                    })
                    .collect(),
                severity: severity_line(&h.severity),
                warn_ids: id_line(h, crate::report::Status::Warn),
                error_ids: id_line(h, crate::report::Status::Error),
            })
            .collect();
        let checks = fleet
            .checks
            .iter()
            .filter(|c| c.hosts_failing > 0 || c.hosts_error > 0)
            .map(|c| CheckRow {
                check: c,
                percent: (c.hosts_failing * 100)
                    .checked_div(c.hosts_run)
                    .unwrap_or(0) as u32,
                names: &c.failing[..c.failing.len().min(8)],
                more: c.failing.len().saturating_sub(8),
            })
            .collect();
        View {
            fleet,
            labels,
            rows,
            checks,
            severity: severity_line(&fleet.summary.severity),
        }
    }
}

/// The host's checks of `status`, space-separated, each with its number of objects.
fn id_line(h: &FleetHost, status: crate::report::Status) -> String {
    let mut out = String::new();
    for c in h.failing.iter().filter(|c| c.status == status) {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(&c.id);
        if c.objects > 0 {
            out.push('×');
            out.push_str(&c.objects.to_string());
        }
    }
    out
}

fn csv(fleet: &Fleet) -> String {
    let mut w = ::csv::Writer::from_writer(Vec::new());
    let header = [
        "host",
        "hostname",
        "label",
        "machine_id",
        "engine_id",
        "mode",
        "finished_at",
        "benchmark",
        "score",
        "pass",
        "warn",
        "info",
        "note",
        "skip",
        "error",
        "waived",
        "critical",
        "high",
        "medium",
        "low",
        "unrated",
        "containers",
        "images",
        "flags",
        "source",
    ];
    w.write_record(header).expect("in memory");
    for h in &fleet.hosts {
        let flags = flags(h).join(" ");
        for b in &h.benchmarks {
            let c = &b.counts;
            let s = &b.severity;
            let nums = [
                b.score.to_string(),
                c.pass.to_string(),
                c.warn.to_string(),
                c.info.to_string(),
                c.note.to_string(),
                c.skip.to_string(),
                c.error.to_string(),
                c.waived.to_string(),
                s.critical.to_string(),
                s.high.to_string(),
                s.medium.to_string(),
                s.low.to_string(),
                s.unrated.to_string(),
                h.containers_scanned.to_string(),
                h.images_scanned.to_string(),
            ];
            let mut rec: Vec<&str> = vec![
                &h.name,
                &h.hostname,
                &h.label,
                &h.machine_id,
                &h.engine_id,
                &h.mode,
                &h.finished_at,
                &b.id,
            ];
            rec.extend(nums.iter().map(String::as_str));
            rec.push(&flags);
            rec.push(&h.source);
            // Spreadsheets run cells starting with = + - @ as formulas: such names get a quote.
            let rec: Vec<String> = rec.into_iter().map(defuse).collect();
            w.write_record(&rec).expect("in memory");
        }
    }
    String::from_utf8(w.into_inner().expect("in memory")).expect("UTF-8 in, UTF-8 out")
}

fn defuse(cell: &str) -> String {
    match cell.chars().next() {
        Some('=' | '+' | '@' | '\t' | '\r') => format!("'{cell}"),
        Some('-') if cell.parse::<f64>().is_err() => format!("'{cell}"),
        _ => cell.to_string(),
    }
}

fn text(fleet: &Fleet) -> String {
    use std::fmt::Write;
    let s = &fleet.summary;
    let mut o = String::new();
    let _ = writeln!(
        o,
        "Fleet: {} from {}; {} with findings; {} stale, {} missing, {} in clone groups, {}",
        count(s.hosts, "host"),
        count(s.reports, "report"),
        s.hosts_with_findings,
        s.stale,
        s.missing,
        s.clones,
        count(s.superseded, "superseded report")
    );
    if fleet.policy.fail_on.is_some() || fleet.policy.min_score.is_some() {
        let verb = if s.policy_failed == 1 {
            "fails"
        } else {
            "fail"
        };
        let _ = writeln!(o, "Policy: {} {verb} it", count(s.policy_failed, "host"));
    }
    let sev = severity_line(&s.severity);
    let _ = writeln!(
        o,
        "Results: {} WARN{}, {} ERROR, {} PASS",
        s.counts.warn,
        if sev.is_empty() {
            String::new()
        } else {
            format!(" ({sev})")
        },
        s.counts.error,
        s.counts.pass
    );
    let _ = writeln!(o, "\nHosts, worst first:");
    for h in &fleet.hosts {
        let f = flags(h);
        let _ = writeln!(
            o,
            "  {:<28} score {:>4}  WARN {:>3}  ERROR {:>3}  {}{}",
            h.name,
            h.score,
            h.counts.warn,
            h.counts.error,
            severity_line(&h.severity),
            if f.is_empty() {
                String::new()
            } else {
                format!("  [{}]", f.join(", "))
            }
        );
    }
    let _ = writeln!(o, "\nMost failed checks:");
    for c in fleet.checks.iter().filter(|c| c.hosts_failing > 0).take(20) {
        let names = c
            .failing
            .iter()
            .take(5)
            .cloned()
            .collect::<Vec<_>>()
            .join(", ");
        let more = c.failing.len().saturating_sub(5);
        let _ = writeln!(
            o,
            "  {:<8} {:>4}/{:<4} hosts  {}: {}{}",
            c.id,
            c.hosts_failing,
            c.hosts_run,
            c.title,
            names,
            if more > 0 {
                format!(" … and {more} more")
            } else {
                String::new()
            }
        );
    }
    for g in &fleet.clones {
        let kind = match g.kind {
            super::IdKind::MachineId => "machine-id",
            super::IdKind::EngineId => "engine ID",
        };
        let _ = writeln!(
            o,
            "\nClones: {} share {kind} {} (kept apart, not merged)",
            g.hosts.join(", "),
            g.value
        );
    }
    if !fleet.missing.is_empty() {
        let _ = writeln!(o, "\nNo report from: {}", fleet.missing.join(", "));
    }
    if let Some(b) = &fleet.baseline {
        let _ = writeln!(
            o,
            "\nSince {}: {} new hosts, {} gone, {} new findings, {} resolved",
            b.baseline_generated_at,
            b.new_hosts.len(),
            b.gone_hosts.len(),
            b.new_findings.len(),
            b.resolved_findings.len()
        );
        for f in &b.new_findings {
            let _ = writeln!(o, "  new       {} {}", f.host, f.check);
        }
        for f in &b.resolved_findings {
            let _ = writeln!(o, "  resolved  {} {}", f.host, f.check);
        }
    }
    o
}
