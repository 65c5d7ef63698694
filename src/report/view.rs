//! Figures the templated renderers (HTML, Markdown) show, computed once from the Report so the
//! templates only iterate and print. Nothing here changes the Report's meaning.
use std::collections::HashMap;

use serde::Serialize;

use super::{CheckResult, Finding, Report, Status, WaivedFinding};
use crate::results::{Assessment, Evaluation, ObjectKind, Severity};

/// Display order of statuses: what needs attention first.
pub const DISPLAY_ORDER: [Status; 7] = [
    Status::Warn,
    Status::Error,
    Status::Info,
    Status::Note,
    Status::Pass,
    Status::Skip,
    Status::Waived,
];

#[derive(Debug, Serialize)]
pub struct View<'a> {
    pub report: ReportHead<'a>,
    /// One entry per status, in display order (also those with a count of 0).
    pub statuses: Vec<StatusCount>,
    pub automated: AutomatedShare,
    /// Stacked bar of the whole benchmark.
    pub overall: Vec<Segment>,
    pub sections: Vec<SectionView<'a>>,
    /// WARN, ERROR and INFO checks, in report order.
    pub attention: Vec<CheckView<'a>>,
    /// NOTE checks (manual review), in report order.
    pub manual: Vec<CheckView<'a>>,
    /// Checks with waived findings (WAIVED, or partly waived), in report order.
    pub waived: Vec<CheckView<'a>>,
    pub containers_scope: &'static str,
    /// `HostInfo::identity_line`: label, machine-id, engine ID ("" when none is known).
    pub identity: String,
    /// Per-object view: containers, then images, then any other kind of object except the
    /// host and the daemon (whose findings are the checks themselves).
    pub objects: Vec<ObjectGroup<'a>>,
    /// Severities present, most severe first, each with its count of checks ("" = unrated).
    pub severities: Vec<SeverityCount>,
}

#[derive(Debug, Serialize)]
pub struct SeverityCount {
    pub severity: &'static str,
    /// "unrated" for checks without a severity.
    pub label: &'static str,
    pub count: usize,
}

/// The objects of one kind that are affected by at least one check.
#[derive(Debug, Serialize)]
pub struct ObjectGroup<'a> {
    pub kind: &'a str,
    /// "Containers", "Images", else the kind with an "s".
    pub heading: String,
    pub objects: Vec<ObjectView<'a>>,
}

/// One object and its findings across checks, in report order.
#[derive(Debug, Serialize)]
pub struct ObjectView<'a> {
    /// `obj-N`: an index, never the name (names come from whoever runs containers).
    pub anchor: String,
    pub kind: &'a str,
    pub object: &'a str,
    pub id: &'a str,
    pub short_id: &'a str,
    /// Lower-case name and ID, what the page's search matches against.
    pub search: String,
    /// "3 WARN · 1 INFO".
    pub tally: String,
    /// CSS class of the worst status among its findings.
    pub class: &'static str,
    /// The highest severity among its WARN findings, "" when none.
    pub severity: &'static str,
    pub findings: Vec<ObjectFinding<'a>>,
}

/// One check an object is affected by.
#[derive(Debug, Serialize)]
pub struct ObjectFinding<'a> {
    pub check: &'a str,
    pub title: &'a str,
    /// WARN, INFO, ERROR (could not be evaluated) or WAIVED.
    pub status: &'static str,
    pub class: &'static str,
    pub severity: &'static str,
    pub value: &'a str,
}

#[derive(Debug, Serialize)]
pub struct StatusCount {
    pub status: &'static str,
    pub class: &'static str,
    pub count: usize,
    pub meaning: &'static str,
}

/// The share of automated checks that pass: PASS ÷ automated checks that applied (neither SKIP
/// nor WAIVED).
#[derive(Debug, Serialize)]
pub struct AutomatedShare {
    pub passing: usize,
    pub applicable: usize,
    pub percent: u32,
}

/// One coloured part of a stacked bar, in percent of the bar's width.
#[derive(Debug, Serialize)]
pub struct Segment {
    pub status: &'static str,
    pub class: &'static str,
    pub count: usize,
    pub x: String,
    pub width: String,
}

#[derive(Debug, Serialize)]
pub struct SectionView<'a> {
    pub id: &'a str,
    pub title: &'a str,
    pub total: usize,
    pub segments: Vec<Segment>,
    /// "3 WARN · 1 PASS" in display order, zero counts left out.
    pub tally: String,
    pub checks: Vec<CheckView<'a>>,
}

#[derive(Debug, Serialize)]
pub struct CheckView<'a> {
    pub r: CheckHead<'a>,
    pub class: &'static str,
    pub level: &'static str,
    pub assessment: &'static str,
    pub evaluation: &'static str,
    pub findings: Vec<FindingView<'a>>,
    /// Objects that could not be evaluated (not-applicable ones are only counted).
    pub exceptions: Vec<FindingView<'a>>,
    /// "15 containers not applicable (…)", "" when none.
    pub not_applicable: String,
    /// `critical` … `low`, "" when unrated.
    pub severity: &'static str,
    /// "N of M objects" for WARN and INFO checks with offenders, else "" (a NOTE's evidence
    /// is no offender: no "1 of 0 objects").
    pub affected: String,
    /// Findings covered by a waiver, each with its reason.
    pub waived: &'a [WaivedFinding],
    /// How many findings, objects not evaluated and waived findings the check has (the
    /// lists above may show fewer: see [`CheckView::truncate`]).
    pub findings_total: usize,
    pub exceptions_total: usize,
    pub waived_total: usize,
    pub references: Vec<Reference<'a>>,
    /// Description, remediation and impact split at `code spans`, for the HTML to mark up.
    pub description_parts: Vec<Part<'a>>,
    pub remediation_parts: Vec<Part<'a>>,
    pub impact_parts: Vec<Part<'a>>,
    /// Lower-case id and title, what the page's search matches the check itself against.
    pub search: String,
}

/// A check's own fields the templates show: all but its lists of objects (those are in the
/// [`CheckView`]).
#[derive(Debug, Serialize)]
pub struct CheckHead<'a> {
    pub id: &'a str,
    pub title: &'a str,
    pub status: Status,
    pub reason: &'a str,
    pub scored: bool,
    pub scope: crate::results::Scope,
    pub evaluated: usize,
    pub severity_rationale: &'a str,
    pub description: &'a str,
    pub remediation: &'a str,
    pub impact: &'a str,
}

impl<'a> CheckView<'a> {
    /// Keeps at most `n` of each list (the totals stay): for a rendering that shows no more.
    pub fn truncate(&mut self, n: usize) {
        self.findings.truncate(n);
        self.exceptions.truncate(n);
        self.waived = &self.waived[..self.waived.len().min(n)];
    }
}

#[derive(Debug, Serialize)]
pub struct FindingView<'a> {
    pub kind: &'a str,
    pub object: &'a str,
    pub id: &'a str,
    /// First 12 characters of a long (container/image) ID.
    pub short_id: &'a str,
    pub value: &'a str,
    /// `obj-N` of the object in the per-object view, "" when it has none there.
    pub anchor: String,
    /// What to call the object in a table: a file's path, else `object`.
    pub name: &'a str,
}

/// A piece of check-authored prose: plain text or the inside of a `code span`.
#[derive(Debug, Serialize)]
pub struct Part<'a> {
    pub text: &'a str,
    pub code: bool,
}

/// Splits at backticks; an unpaired backtick stays text.
pub fn parts(s: &str) -> Vec<Part<'_>> {
    let mut out = Vec::new();
    let mut rest = s;
    while let Some(start) = rest.find('`') {
        let Some(len) = rest[start + 1..].find('`') else {
            break;
        };
        if start > 0 {
            out.push(Part {
                text: &rest[..start],
                code: false,
            });
        }
        out.push(Part {
            text: &rest[start + 1..start + 1 + len],
            code: true,
        });
        rest = &rest[start + 2 + len..];
    }
    if !rest.is_empty() {
        out.push(Part {
            text: rest,
            code: false,
        });
    }
    out
}

/// A reference; `link` only for http(s) addresses (a custom check could carry `javascript:`).
#[derive(Debug, Serialize)]
pub struct Reference<'a> {
    pub text: &'a str,
    pub link: bool,
}

pub fn class(s: Status) -> &'static str {
    match s {
        Status::Pass => "pass",
        Status::Warn => "warn",
        Status::Info => "info",
        Status::Note => "note",
        Status::Skip => "skip",
        Status::Error => "error",
        Status::Waived => "waived",
    }
}

pub fn meaning(s: Status) -> &'static str {
    match s {
        Status::Pass => "compliant",
        Status::Warn => "finding",
        Status::Info => "to review",
        Status::Note => "manual check",
        Status::Skip => "not applicable",
        Status::Error => "not evaluated",
        Status::Waived => "accepted exception",
    }
}

pub fn assessment_label(a: Option<Assessment>) -> &'static str {
    match a {
        Some(Assessment::Automated) => "Automated",
        Some(Assessment::Manual) => "Manual",
        None => "not stated",
    }
}

pub fn evaluation_label(e: Evaluation) -> &'static str {
    match e {
        Evaluation::Automated => "automated",
        Evaluation::Manual => "manual review",
    }
}

fn segments(results: &[&CheckResult]) -> Vec<Segment> {
    let total = results.len().max(1) as f64;
    let mut x = 0.0;
    let mut out = Vec::new();
    for s in DISPLAY_ORDER {
        let count = results.iter().filter(|r| r.status == s).count();
        if count == 0 {
            continue;
        }
        let width = count as f64 * 100.0 / total;
        out.push(Segment {
            status: s.as_str(),
            class: class(s),
            count,
            x: format!("{x:.3}"),
            width: format!("{width:.3}"),
        });
        x += width;
    }
    out
}

fn short(id: &str) -> &str {
    if id.len() > 12 && id.is_char_boundary(12) {
        &id[..12]
    } else {
        id
    }
}

/// Objects of the per-object view by (kind, ID or else name), to their anchor.
pub type Anchors<'a> = HashMap<(&'a str, &'a str), String>;

/// What names the object: a file's path, else the object's name.
fn object_name(f: &Finding) -> &str {
    match (&f.kind, &f.path) {
        (ObjectKind::File, Some(path)) => path,
        _ => &f.object,
    }
}

fn object_key(f: &Finding) -> (&str, &str) {
    let key = match (&f.kind, &f.path) {
        (ObjectKind::File, Some(path)) => path.as_str(),
        _ if f.id.is_empty() => &f.object,
        _ => &f.id,
    };
    (f.kind.as_str(), key)
}

fn object_search(f: &Finding) -> String {
    format!("{} {}", object_name(f), f.id).to_lowercase()
}

fn finding_view<'a>(f: &'a Finding, anchors: &Anchors<'_>) -> FindingView<'a> {
    FindingView {
        kind: f.kind.as_str(),
        object: &f.object,
        id: &f.id,
        short_id: short(&f.id),
        value: &f.value,
        anchor: anchors.get(&object_key(f)).cloned().unwrap_or_default(),
        name: object_name(f),
    }
}

/// Whether a finding's object gets its own entry in the per-object view: not the host and the
/// daemon (their findings are the checks themselves); a file by its path.
fn has_object_view(f: &Finding) -> bool {
    match f.kind {
        ObjectKind::Host | ObjectKind::Daemon => false,
        ObjectKind::File => f.path.is_some(),
        _ => true,
    }
}

/// Every object affected by a check, grouped by kind: containers, images, then the rest by
/// name. Offenders of WARN and INFO checks (an ERROR check's offenders count as WARN), objects
/// that could not be evaluated, and waived findings; a NOTE's evidence is no offender.
fn object_groups(report: &Report) -> (Vec<ObjectGroup<'_>>, Anchors<'_>) {
    let mut order: Vec<(&str, &str)> = Vec::new();
    let mut by_key: HashMap<(&str, &str), ObjectView<'_>> = HashMap::new();
    for r in &report.results {
        let offender_status = match r.status {
            Status::Warn | Status::Error => Some(Status::Warn),
            Status::Info => Some(Status::Info),
            _ => None,
        };
        let mut entries: Vec<(&Finding, Status)> = Vec::new();
        if let Some(st) = offender_status {
            entries.extend(r.findings.iter().map(|f| (f, st)));
        }
        entries.extend(r.unevaluated().map(|f| (f, Status::Error)));
        entries.extend(r.waived.iter().map(|w| (&w.finding, Status::Waived)));
        for (f, st) in entries {
            if !has_object_view(f) {
                continue;
            }
            let key = object_key(f);
            let view = by_key.entry(key).or_insert_with(|| {
                order.push(key);
                ObjectView {
                    anchor: String::new(),
                    kind: f.kind.as_str(),
                    object: object_name(f),
                    id: &f.id,
                    short_id: short(&f.id),
                    search: object_search(f),
                    tally: String::new(),
                    class: "",
                    severity: "",
                    findings: Vec::new(),
                }
            });
            view.findings.push(ObjectFinding {
                check: &r.id,
                title: &r.title,
                status: st.as_str(),
                class: class(st),
                severity: r.severity.map_or("", |s| s.as_str()),
                value: if st == Status::Error {
                    &f.reason
                } else {
                    &f.value
                },
            });
        }
    }
    let rank = |kind: &str| match kind {
        "container" => 0,
        "image" => 1,
        _ => 2,
    };
    let mut keys = order;
    keys.sort_by(|a, b| {
        (rank(a.0), a.0)
            .cmp(&(rank(b.0), b.0))
            .then_with(|| by_key[a].object.cmp(by_key[b].object))
    });
    let mut anchors = Anchors::new();
    let mut groups: Vec<ObjectGroup<'_>> = Vec::new();
    for (i, key) in keys.into_iter().enumerate() {
        let mut view = by_key.remove(&key).expect("every key has a view");
        view.anchor = format!("obj-{}", i + 1);
        anchors.insert(key, view.anchor.clone());
        let worst = DISPLAY_ORDER
            .iter()
            .find(|s| view.findings.iter().any(|f| f.status == s.as_str()))
            .copied()
            .unwrap_or(Status::Warn);
        view.class = class(worst);
        view.severity = view
            .findings
            .iter()
            .filter(|f| f.status == "WARN" && !f.severity.is_empty())
            .map(|f| f.severity)
            .min_by_key(|s| Severity::ALL.iter().position(|x| x.as_str() == *s))
            .unwrap_or("");
        view.tally = DISPLAY_ORDER
            .iter()
            .filter_map(|s| {
                let n = view
                    .findings
                    .iter()
                    .filter(|f| f.status == s.as_str())
                    .count();
                (n > 0).then(|| format!("{n} {s}"))
            })
            .collect::<Vec<_>>()
            .join(" · ");
        match groups.last_mut() {
            Some(g) if g.kind == view.kind => g.objects.push(view),
            _ => groups.push(ObjectGroup {
                kind: view.kind,
                heading: match view.kind {
                    "container" => "Containers".into(),
                    "image" => "Images".into(),
                    "file" => "Files".into(),
                    k => {
                        let mut c = k.chars();
                        c.next()
                            .map(|f| f.to_uppercase().collect::<String>() + c.as_str() + "s")
                            .unwrap_or_default()
                    }
                },
                objects: vec![view],
            }),
        }
    }
    (groups, anchors)
}

pub fn check_view<'a>(r: &'a CheckResult, anchors: &Anchors<'_>) -> CheckView<'a> {
    // The check's own words; its objects are matched row by row in the page (a search for a
    // container shows the checks it is affected by, with only its rows).
    let search = format!("{} {}", r.id, r.title);
    CheckView {
        r: CheckHead {
            id: &r.id,
            title: &r.title,
            status: r.status,
            reason: &r.reason,
            scored: r.scored,
            scope: r.scope,
            evaluated: r.evaluated,
            severity_rationale: &r.severity_rationale,
            description: &r.description,
            remediation: &r.remediation,
            impact: &r.impact,
        },
        class: class(r.status),
        level: r.level.label(),
        assessment: assessment_label(r.assessment),
        evaluation: evaluation_label(r.evaluation),
        findings: r
            .findings
            .iter()
            .map(|f| finding_view(f, anchors))
            .collect(),
        exceptions: r.unevaluated().map(|f| finding_view(f, anchors)).collect(),
        not_applicable: r.not_applicable_line(),
        severity: r.severity.map_or("", |s| s.as_str()),
        affected: affected(r),
        waived: &r.waived,
        findings_total: r.findings.len(),
        exceptions_total: r.unevaluated().count(),
        waived_total: r.waived.len(),
        references: r
            .references
            .iter()
            .map(|t| Reference {
                text: t,
                link: t.starts_with("https://") || t.starts_with("http://"),
            })
            .collect(),
        description_parts: parts(&r.description),
        remediation_parts: parts(&r.remediation),
        impact_parts: parts(&r.impact),
        search: search.to_lowercase(),
    }
}

/// "N of M objects" for WARN and INFO checks with offenders, else "".
fn affected(r: &CheckResult) -> String {
    if matches!(r.status, Status::Warn | Status::Info) && !r.findings.is_empty() && r.evaluated > 0
    {
        format!(
            "{} of {}",
            r.findings.len(),
            crate::term::count(r.evaluated, "object")
        )
    } else {
        String::new()
    }
}

/// "3 WARN · 1 PASS" in display order, zero counts left out.
fn tally(results: &[&CheckResult]) -> String {
    DISPLAY_ORDER
        .iter()
        .filter_map(|&s| {
            let n = results.iter().filter(|r| r.status == s).count();
            (n > 0).then(|| format!("{n} {s}"))
        })
        .collect::<Vec<_>>()
        .join(" · ")
}

fn severities(report: &Report) -> Vec<SeverityCount> {
    Severity::ALL
        .iter()
        .map(|s| (s.as_str(), s.as_str(), Some(*s)))
        .chain([("", "unrated", None)])
        .filter_map(|(severity, label, s)| {
            let count = report.results.iter().filter(|r| r.severity == s).count();
            (count > 0).then_some(SeverityCount {
                severity,
                label,
                count,
            })
        })
        .collect()
}

fn statuses(report: &Report) -> Vec<StatusCount> {
    DISPLAY_ORDER
        .iter()
        .map(|&s| StatusCount {
            status: s.as_str(),
            class: class(s),
            count: report.summary.counts.get(s),
            meaning: meaning(s),
        })
        .collect()
}

/// WARN, ERROR and INFO checks, most severe first: WARN by severity, then ERROR, then INFO.
fn attention(report: &Report) -> Vec<&CheckResult> {
    let mut a: Vec<&CheckResult> = report
        .results
        .iter()
        .filter(|r| matches!(r.status, Status::Warn | Status::Error | Status::Info))
        .collect();
    a.sort_by_key(|r| {
        let group = match r.status {
            Status::Warn => 0,
            Status::Error => 1,
            _ => 2,
        };
        (group, std::cmp::Reverse(r.severity))
    });
    a
}

fn containers_scope(report: &Report) -> &'static str {
    if report.all_containers {
        "all"
    } else {
        "running"
    }
}

pub fn automated_share(report: &Report) -> AutomatedShare {
    let applicable: Vec<&CheckResult> = report
        .results
        .iter()
        .filter(|r| {
            r.evaluation == Evaluation::Automated
                && !matches!(r.status, Status::Skip | Status::Waived)
        })
        .collect();
    let passing = applicable
        .iter()
        .filter(|r| r.status == Status::Pass)
        .count();
    let percent = if applicable.is_empty() {
        0
    } else {
        ((passing as f64 * 100.0) / applicable.len() as f64).round() as u32
    };
    AutomatedShare {
        passing,
        applicable: applicable.len(),
        percent,
    }
}

impl<'a> View<'a> {
    pub fn of(report: &'a Report) -> View<'a> {
        Self::build(report, true)
    }

    /// The view without the per-object view (`objects` empty, no links to it): for formats
    /// that do not show it.
    pub fn without_objects(report: &'a Report) -> View<'a> {
        Self::build(report, false)
    }

    fn build(report: &'a Report, with_objects: bool) -> View<'a> {
        let (objects, anchors) = if with_objects {
            object_groups(report)
        } else {
            (Vec::new(), Anchors::new())
        };
        let anchors = &anchors;
        let sections = report
            .section_list()
            .into_iter()
            .map(|(id, title)| {
                let results: Vec<&CheckResult> =
                    report.results.iter().filter(|r| r.section == id).collect();
                SectionView {
                    id,
                    title,
                    total: results.len(),
                    segments: segments(&results),
                    tally: tally(&results),
                    checks: results.iter().map(|r| check_view(r, anchors)).collect(),
                }
            })
            .collect();
        let all: Vec<&CheckResult> = report.results.iter().collect();
        View {
            report: ReportHead::of(report),
            statuses: statuses(report),
            automated: automated_share(report),
            overall: segments(&all),
            sections,
            attention: attention(report)
                .into_iter()
                .map(|r| check_view(r, anchors))
                .collect(),
            manual: report
                .results
                .iter()
                .filter(|r| r.status == Status::Note)
                .map(|r| check_view(r, anchors))
                .collect(),
            waived: report
                .results
                .iter()
                .filter(|r| !r.waived.is_empty())
                .map(|r| check_view(r, anchors))
                .collect(),
            containers_scope: containers_scope(report),
            identity: report.host.identity_line(),
            objects,
            severities: severities(report),
        }
    }
}

/// The HTML page's frame: everything but the bodies of its checks and objects, which
/// `report::html` renders one at a time from [`Page::checks`] and [`Page::objects`] (at 100,000
/// containers the whole view as one template context was gigabytes).
#[derive(Debug, Serialize)]
pub struct PageHead<'a> {
    pub report: ReportHead<'a>,
    pub statuses: Vec<StatusCount>,
    pub automated: AutomatedShare,
    pub overall: Vec<Segment>,
    pub sections: Vec<SectionHead<'a>>,
    pub attention: Vec<TocEntry<'a>>,
    pub manual: Vec<TocEntry<'a>>,
    pub containers_scope: &'static str,
    pub objects: Vec<GroupHead<'a>>,
    pub severities: Vec<SeverityCount>,
}

/// The Report's fields the page's frame shows: all but `results`.
#[derive(Debug, Serialize)]
pub struct ReportHead<'a> {
    pub tool: &'a str,
    pub tool_version: &'a str,
    pub benchmark: &'a crate::results::BenchmarkInfo,
    pub source: &'a crate::snapshot::Source,
    pub host: &'a crate::results::HostInfo,
    pub started_at: &'a str,
    pub finished_at: &'a str,
    pub timings: &'a crate::results::Timings,
    pub containers_scanned: usize,
    pub images_scanned: usize,
    pub notes: &'a [String],
    pub summary: &'a crate::results::Summary,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub filtered: Option<&'a crate::results::Filtered>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub waivers: Option<&'a crate::results::WaiverSummary>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub baseline: Option<&'a crate::results::Diff>,
}

/// A section of the frame: its checks are indices into `Report::results`.
#[derive(Debug, Serialize)]
pub struct SectionHead<'a> {
    pub id: &'a str,
    pub title: &'a str,
    pub total: usize,
    pub segments: Vec<Segment>,
    pub tally: String,
    pub checks: Vec<usize>,
}

/// A row of the table of findings: a check without its evidence.
#[derive(Debug, Serialize)]
pub struct TocEntry<'a> {
    pub id: &'a str,
    pub title: &'a str,
    pub status: &'static str,
    pub class: &'static str,
    pub severity: &'static str,
    /// As [`CheckView::affected`].
    pub affected: String,
    /// How many objects could not be evaluated.
    pub exceptions: usize,
}

/// A kind of object in the frame: its objects are rendered one at a time.
#[derive(Debug, Serialize)]
pub struct GroupHead<'a> {
    pub kind: &'a str,
    pub heading: String,
    pub count: usize,
}

/// The HTML page in parts: the frame, then the checks in the frame's order (by section) and
/// the objects by group, each turned into its view only when it is written.
pub struct Page<'a> {
    pub head: PageHead<'a>,
    /// Indices into `Report::results`, in the order the frame shows them.
    pub checks: Vec<usize>,
    pub objects: Vec<ObjectGroup<'a>>,
    pub anchors: Anchors<'a>,
}

impl<'a> ReportHead<'a> {
    pub fn of(report: &'a Report) -> ReportHead<'a> {
        ReportHead {
            tool: &report.tool,
            tool_version: &report.tool_version,
            benchmark: &report.benchmark,
            source: &report.source,
            host: &report.host,
            started_at: &report.started_at,
            finished_at: &report.finished_at,
            timings: &report.timings,
            containers_scanned: report.containers_scanned,
            images_scanned: report.images_scanned,
            notes: &report.notes,
            summary: &report.summary,
            filtered: report.filtered.as_ref(),
            waivers: report.waivers.as_ref(),
            baseline: report.baseline.as_ref(),
        }
    }
}

fn toc_entry<'a>(r: &'a CheckResult) -> TocEntry<'a> {
    TocEntry {
        id: &r.id,
        title: &r.title,
        status: r.status.as_str(),
        class: class(r.status),
        severity: r.severity.map_or("", |s| s.as_str()),
        affected: affected(r),
        exceptions: r.unevaluated().count(),
    }
}

impl<'a> Page<'a> {
    pub fn of(report: &'a Report) -> Page<'a> {
        let (objects, anchors) = object_groups(report);
        let sections: Vec<SectionHead<'a>> = report
            .section_list()
            .into_iter()
            .map(|(id, title)| {
                let checks: Vec<usize> = (0..report.results.len())
                    .filter(|&i| report.results[i].section == id)
                    .collect();
                let results: Vec<&CheckResult> =
                    checks.iter().map(|&i| &report.results[i]).collect();
                SectionHead {
                    id,
                    title,
                    total: results.len(),
                    segments: segments(&results),
                    tally: tally(&results),
                    checks,
                }
            })
            .collect();
        let all: Vec<&CheckResult> = report.results.iter().collect();
        let checks = sections
            .iter()
            .flat_map(|s| s.checks.iter().copied())
            .collect();
        let head = PageHead {
            report: ReportHead::of(report),
            statuses: statuses(report),
            automated: automated_share(report),
            overall: segments(&all),
            attention: attention(report).into_iter().map(toc_entry).collect(),
            manual: report
                .results
                .iter()
                .filter(|r| r.status == Status::Note)
                .map(toc_entry)
                .collect(),
            containers_scope: containers_scope(report),
            objects: objects
                .iter()
                .map(|g| GroupHead {
                    kind: g.kind,
                    heading: g.heading.clone(),
                    count: g.objects.len(),
                })
                .collect(),
            severities: severities(report),
            sections,
        };
        Page {
            head,
            checks,
            objects,
            anchors,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::parts;

    #[test]
    fn code_spans_are_split_out() {
        let p = parts("run `a` and `b` then ` alone");
        let got: Vec<(&str, bool)> = p.iter().map(|p| (p.text, p.code)).collect();
        assert_eq!(
            got,
            [
                ("run ", false),
                ("a", true),
                (" and ", false),
                ("b", true),
                (" then ` alone", false)
            ]
        );
        assert!(parts("").is_empty());
    }
}
