//! CSV for spreadsheets and audits: one row per check and offending object (a check without
//! objects gets one row); objects a check did not apply to are not rows, their number is in
//! `not_applicable`. Every row carries the host's identity and the scan time, so the CSVs of
//! many hosts concatenate into one table (columns after `remediation` were added later; the
//! first 13 keep their positions). Cells that a spreadsheet would run as a formula (starting with `=`,
//! `+`, `-`, `@`, a tab or a carriage return) get a leading `'`: container names, labels and
//! values come from whoever runs containers on the host.
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
    let s = crate::term::visible(s);
    match s.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => format!("'{s}"),
        _ => s.to_string(),
    }
}

fn row(report: &Report, r: &CheckResult, f: Option<&Finding>) -> [String; 20] {
    row_with(report, r, f, r.status, None)
}

/// A row; a waived finding has status WAIVED and the waiver's reason after its evidence.
fn row_with(
    report: &Report,
    r: &CheckResult,
    f: Option<&Finding>,
    status: crate::report::Status,
    waiver: Option<&str>,
) -> [String; 20] {
    let na: usize = r.not_applicable().iter().map(|(_, n)| n).sum();
    let (kind, object, id, evidence) = match f {
        Some(f) => (
            f.kind.as_str(),
            f.object.as_str(),
            f.id.as_str(),
            f.value.as_str(),
        ),
        None => ("", "", "", r.reason.as_str()),
    };
    let evidence = match waiver {
        Some(reason) => format!("{evidence} (waived: {reason})"),
        None => evidence.to_string(),
    };
    [
        cell(&r.id),
        cell(&r.title),
        cell(&r.section),
        cell(r.level.label()),
        assessment_label(r.assessment).to_lowercase(),
        crate::report::view::evaluation_label(r.evaluation).to_string(),
        if r.scored { "yes" } else { "no" }.to_string(),
        status.to_string(),
        cell(kind),
        cell(object),
        cell(id),
        cell(&evidence),
        cell(&r.remediation),
        r.severity.map_or("", |s| s.as_str()).to_string(),
        cell(&r.benchmark),
        na.to_string(),
        cell(&report.host.hostname),
        cell(&report.host.label),
        cell(&report.host.machine_id),
        cell(&report.started_at),
    ]
}

pub fn render(report: &Report) -> String {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(COLUMNS).expect("writing to memory");
    for r in &report.results {
        // Offenders, then objects that could not be evaluated (ERROR); not-applicable ones
        // are only counted.
        let objects: Vec<&Finding> = r.findings.iter().chain(r.unevaluated()).collect();
        if objects.is_empty() && r.waived.is_empty() {
            w.write_record(row(report, r, None))
                .expect("writing to memory");
        }
        for f in objects {
            w.write_record(row(report, r, Some(f)))
                .expect("writing to memory");
        }
        for wf in &r.waived {
            let status = crate::report::Status::Waived;
            w.write_record(row_with(
                report,
                r,
                Some(&wf.finding),
                status,
                Some(&wf.reason),
            ))
            .expect("writing to memory");
        }
    }
    String::from_utf8(w.into_inner().expect("flushing to memory")).expect("CSV of UTF-8 strings")
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
