//! CSV for spreadsheets and audits: one row per check and offending object (a check without
//! objects gets one row); objects a check did not apply to are not rows, their number is in
//! `not_applicable`. Every row carries the host's identity and the scan time, so the CSVs of
//! many hosts concatenate into one table (columns after `remediation` were added later; the
//! first 13 keep their positions). Cells that a spreadsheet would run as a formula (starting with `=`,
//! `+`, `-`, `@`, a tab or a carriage return) get a leading `'`: container names, labels and
//! values come from whoever runs containers on the host.
use std::borrow::Cow;
use std::io::{self, Write};

use super::{CheckResult, Finding, Report};
use crate::report::view::assessment_label;

pub const COLUMNS: [&str; 20] = [
    "id",
    "title",
    "section",
    "level",
    "assessment",
    "evaluation",
    "scored",
    "status",
    "object_kind",
    "object",
    "object_id",
    "evidence",
    "remediation",
    "severity",
    "benchmark",
    "not_applicable",
    "hostname",
    "host_label",
    "machine_id",
    "scanned_at",
];

/// Neutralises a cell a spreadsheet would evaluate as a formula, and writes control, bidi
/// and zero-width characters as visible escapes (a CSV is often `cat` to a terminal; scanned
/// strings such as PID 1's command line are the container's to choose), line breaks too, so
/// no scanned text can start a line of its own.
pub fn cell(s: &str) -> String {
    safe_cell(s).into_owned()
}

/// [`cell`], borrowed when nothing changes (the usual case: no copy per cell).
fn safe_cell(s: &str) -> Cow<'_, str> {
    let s = crate::term::visible(s);
    match s.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => Cow::Owned(format!("'{s}")),
        _ => s,
    }
}

/// The cells of one check that are the same in each of its rows.
struct CheckCells<'a> {
    id: Cow<'a, str>,
    title: Cow<'a, str>,
    section: Cow<'a, str>,
    level: Cow<'a, str>,
    assessment: String,
    evaluation: &'static str,
    scored: &'static str,
    remediation: Cow<'a, str>,
    severity: &'static str,
    benchmark: Cow<'a, str>,
    /// Objects the check did not apply to (counted once per check, not per row).
    not_applicable: String,
}

impl<'a> CheckCells<'a> {
    fn of(r: &'a CheckResult) -> Self {
        let na: usize = r.not_applicable().iter().map(|(_, n)| n).sum();
        CheckCells {
            id: safe_cell(&r.id),
            title: safe_cell(&r.title),
            section: safe_cell(&r.section),
            level: safe_cell(r.level.label()),
            assessment: assessment_label(r.assessment).to_lowercase(),
            evaluation: crate::report::view::evaluation_label(r.evaluation),
            scored: if r.scored { "yes" } else { "no" },
            remediation: safe_cell(&r.remediation),
            severity: r.severity.map_or("", |s| s.as_str()),
            benchmark: safe_cell(&r.benchmark),
            not_applicable: na.to_string(),
        }
    }
}

/// The host's cells, the same in every row.
struct HostCells<'a>([Cow<'a, str>; 4]);

impl<'a> HostCells<'a> {
    fn of(report: &'a Report) -> Self {
        HostCells([
            safe_cell(&report.host.hostname),
            safe_cell(&report.host.label),
            safe_cell(&report.host.machine_id),
            safe_cell(&report.started_at),
        ])
    }
}

/// Writes a row; a waived finding has status WAIVED and the waiver's reason after its
/// evidence.
fn write_row<W: Write>(
    w: &mut csv::Writer<W>,
    host: &HostCells,
    r: &CheckResult,
    c: &CheckCells,
    f: Option<&Finding>,
    status: crate::report::Status,
    waiver: Option<&str>,
) -> csv::Result<()> {
    let (kind, object, id, evidence) = match f {
        Some(f) => (
            f.kind.as_str(),
            f.object.as_str(),
            f.id.as_str(),
            f.value.as_str(),
        ),
        None => ("", "", "", r.reason.as_str()),
    };
    let waived;
    let evidence = match waiver {
        Some(reason) => {
            waived = format!("{evidence} (waived: {reason})");
            waived.as_str()
        }
        None => evidence,
    };
    let [hostname, label, machine_id, scanned_at] = &host.0;
    w.write_record([
        c.id.as_ref(),
        &c.title,
        &c.section,
        &c.level,
        &c.assessment,
        c.evaluation,
        c.scored,
        status.as_str(),
        &safe_cell(kind),
        &safe_cell(object),
        &safe_cell(id),
        &safe_cell(evidence),
        &c.remediation,
        c.severity,
        &c.benchmark,
        &c.not_applicable,
        hostname,
        label,
        machine_id,
        scanned_at,
    ])
}

/// The CSV as text (the bytes [`write`] writes).
pub fn render(report: &Report) -> String {
    let mut out = Vec::new();
    write(report, &mut out).expect("writing to memory");
    String::from_utf8(out).expect("CSV of UTF-8 strings")
}

/// Writes the CSV into `out` row by row (at 100,000 containers it is hundreds of MB).
pub fn write(report: &Report, out: &mut dyn io::Write) -> io::Result<()> {
    let mut w = csv::Writer::from_writer(out);
    w.write_record(COLUMNS)?;
    let host = HostCells::of(report);
    for r in &report.results {
        let c = CheckCells::of(r);
        let status = r.status;
        // Offenders, then objects that could not be evaluated (ERROR); not-applicable ones
        // are only counted.
        let mut objects = r.findings.iter().chain(r.unevaluated()).peekable();
        if objects.peek().is_none() && r.waived.is_empty() {
            write_row(&mut w, &host, r, &c, None, status, None)?;
        }
        for f in objects {
            write_row(&mut w, &host, r, &c, Some(f), status, None)?;
        }
        for wf in &r.waived {
            let waived = crate::report::Status::Waived;
            write_row(
                &mut w,
                &host,
                r,
                &c,
                Some(&wf.finding),
                waived,
                Some(&wf.reason),
            )?;
        }
    }
    w.flush()
}

#[cfg(test)]
mod tests {
    use super::cell;

    #[test]
    fn formulas_are_neutralised() {
        assert_eq!(cell("=HYPERLINK(\"x\")"), "'=HYPERLINK(\"x\")");
        assert_eq!(cell("+1"), "'+1");
        assert_eq!(cell("-cmd"), "'-cmd");
        assert_eq!(cell("@SUM(A1)"), "'@SUM(A1)");
        // A leading tab is written visibly, which neutralises the formula as well.
        assert_eq!(cell("\t=1"), "\\t=1");
        assert_eq!(cell("web"), "web");
        assert_eq!(cell(""), "");
    }
}
