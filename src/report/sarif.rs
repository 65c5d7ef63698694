//! SARIF 2.1.0 for code scanning (GitHub, GitLab, Azure DevOps): one rule per check, one result
//! per offending object of each WARN, INFO and ERROR check.
//!
//! Rules: one per check, its id namespaced by benchmark (`cis-docker-1.6.0/5.4`,
//! `dockbench-practices/DP.5.2`): two benchmarks in one run, or a custom check numbered like a CIS
//! one, never share a rule. Each rule carries `properties.security-severity` (GitHub's 0–10
//! scale: critical 9.5, high 8.0, medium 5.5, low 3.0) from the check's severity.
//!
//! Levels follow the severity: a WARN of a critical or high check → `error`, medium →
//! `warning`, low → `note`; INFO → `note`; ERROR (could not evaluate) → `warning` (nothing was
//! found; the scan needs attention).
//!
//! Locations: GitHub requires a physical location and rejects URI schemes other than `file`
//! ("SARIF URI scheme "docker" did not match the checkout URI scheme "file""), so every location is
//! a relative, percent-encoded path: the file itself for file findings (`etc/docker/daemon.json`),
//! else a stable pseudo-path `docker/<kind>s/<name>` (`docker/containers/web`). The object also
//! appears as a logical location and in the result's properties.
//!
//! `partialFingerprints["dockbench/v2"]` is a hash of the rule id, the host's identity
//! (machine-id, else engine ID, else host name) and the object's stable name — container name,
//! image repository:tag, file path (its ID only when it has no name) — so an alert stays one
//! alert when a redeploy recreates the container or rebuilds the image (as `dockbench diff`
//! matches findings), and the same container name on two hosts is two alerts.
use std::borrow::Cow;

use serde::ser::{Serialize, SerializeMap, SerializeSeq, Serializer};
use serde_json::{Value, json};

use super::{CheckResult, Finding, Report, Status};
use crate::engine::check::Severity;
use crate::results::ObjectKind;

pub const SCHEMA_URI: &str = "https://json.schemastore.org/sarif-2.1.0.json";
pub const FINGERPRINT_KEY: &str = "dockbench/v2";

/// GitHub's `security-severity` (a number as a string, 0.0–10.0) of a severity.
pub fn security_severity(s: Option<Severity>) -> &'static str {
    match s {
        Some(Severity::Critical) => "9.5",
        Some(Severity::High) => "8.0",
        Some(Severity::Medium) | None => "5.5",
        Some(Severity::Low) => "3.0",
    }
}

/// SARIF level of a result, `None` for statuses that produce no result.
pub fn level(r: &CheckResult) -> Option<&'static str> {
    match r.status {
        Status::Warn => Some(default_level(r)),
        Status::Info => Some("note"),
        Status::Error => Some("warning"),
        _ => None,
    }
}

/// The level of a finding of the rule: from its severity.
fn default_level(r: &CheckResult) -> &'static str {
    match r.severity {
        Some(Severity::Critical | Severity::High) => "error",
        Some(Severity::Medium) | None => "warning",
        Some(Severity::Low) => "note",
    }
}

/// The rule id: `benchmark/check` (`cis-docker-1.6.0/5.4`); the bare check id in a report
/// that does not say its benchmark.
pub fn rule_id(r: &CheckResult) -> String {
    if r.benchmark.is_empty() {
        r.id.clone()
    } else {
        format!("{}/{}", r.benchmark, r.id)
    }
}

/// The host part of a fingerprint: machine-id, else the engine ID, else the host name.
pub fn host_identity(report: &Report) -> &str {
    let h = &report.host;
    [&h.machine_id, &h.engine_id, &h.hostname]
        .into_iter()
        .find(|s| !s.is_empty())
        .map_or("", |s| s.as_str())
}

/// 64-bit FNV-1a: small, stable across versions and platforms (unlike std's hasher).
fn fnv1a(parts: &[&str]) -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for (i, p) in parts.iter().enumerate() {
        if i > 0 {
            // A 0x00 byte between parts: ("5.4", "ab") is not ("5.4a", "b").
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
        for b in p.bytes() {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
    }
    format!("{h:016x}")
}

/// The fingerprint of finding `f` of rule `rule_id` on host `host` (see the module docs).
pub fn fingerprint(rule_id: &str, host: &str, f: &Finding) -> String {
    let name = if let Some(path) = f.file() {
        path
    } else if f.object.is_empty() {
        &f.id
    } else {
        &f.object
    };
    fnv1a(&[rule_id, host, f.kind.as_str(), name])
}

/// Percent-encodes everything but RFC 3986 unreserved characters (and `/` when `keep_slash`).
fn encode(s: &str, keep_slash: bool) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                out.push(b as char)
            }
            b'/' if keep_slash => out.push('/'),
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

/// The artifact URI of an object: its path for a finding about a file (`path`), else
/// `docker/<kind>s/<name>`.
pub fn location_uri(f: &Finding) -> String {
    if let Some(path) = f.file() {
        // A file on the host (daemon.json, a unit file, the socket): its path, relative.
        let rel = path.trim_start_matches('/');
        if !rel.is_empty() {
            return encode(rel, true);
        }
    }
    let kind = f.kind.as_str();
    let name = if f.object.is_empty() {
        &f.id
    } else {
        &f.object
    };
    let name = name.trim_start_matches('/');
    format!(
        "docker/{}s/{}",
        encode(kind, false),
        if name.is_empty() {
            "unnamed".to_string()
        } else {
            encode(name, false)
        }
    )
}

fn rule(r: &CheckResult, benchmark: &str) -> Value {
    let mut tags = vec![
        "security".to_string(),
        benchmark.to_string(),
        format!("section-{}", r.section),
        format!("level-{}", r.level.id()),
        format!("severity-{}", r.severity.map_or("unrated", |s| s.as_str())),
        format!(
            "scope-{}",
            serde_json::to_value(r.scope)
                .unwrap_or_default()
                .as_str()
                .unwrap_or("")
        ),
    ];
    tags.dedup();
    let mut help_md = format!("**Remediation:** {}", r.remediation);
    if !r.impact.is_empty() {
        help_md.push_str(&format!("\n\n**Impact:** {}", r.impact));
    }
    if !r.references.is_empty() {
        help_md.push_str("\n\n**References:**");
        for reference in &r.references {
            help_md.push_str(&format!("\n- {reference}"));
        }
    }
    let mut rule = json!({
        "id": rule_id(r),
        "name": rule_name(&r.title),
        "shortDescription": { "text": r.title },
        "fullDescription": { "text": if r.description.is_empty() { &r.title } else { &r.description } },
        "help": { "text": r.remediation, "markdown": help_md },
        "defaultConfiguration": { "level": default_level(r) },
        "properties": {
            "security-severity": security_severity(r.severity),
            "severity": r.severity,
            "severity_rationale": r.severity_rationale,
            "benchmark": r.benchmark,
            "check": r.id,
            "level": r.level,
            "section": r.section,
            "section_title": r.section_title,
            "assessment": r.assessment,
            "evaluation": r.evaluation,
            "scored": r.scored,
            "scope": r.scope,
            "tags": tags,
        },
    });
    if let Some(uri) = r.references.iter().find(|u| u.starts_with("https://")) {
        rule["helpUri"] = json!(uri);
    }
    rule
}

/// "Ensure that privileged containers are not used" → "EnsureThatPrivilegedContainersAreNotUsed".
fn rule_name(title: &str) -> String {
    title
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(|w| {
            let mut cs = w.chars();
            let first = cs.next().unwrap().to_ascii_uppercase();
            std::iter::once(first).chain(cs).collect::<String>()
        })
        .collect()
}

/// One SARIF result, serialised as the JSON tree of it would be: fields in the order of
/// serde_json's sorted maps (the log was built as such trees; a result built as a tree cost
/// a quarter of the SARIF render at 10,000 containers, in allocations and map inserts).
#[derive(serde::Serialize)]
struct SarifResult<'a> {
    level: &'a str,
    locations: [Location<'a>; 1],
    message: Text,
    #[serde(rename = "partialFingerprints")]
    partial_fingerprints: Fingerprints,
    properties: ResultProperties<'a>,
    #[serde(rename = "ruleId")]
    rule_id: String,
    #[serde(rename = "ruleIndex")]
    rule_index: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    suppressions: Option<[Suppression<'a>; 1]>,
}

#[derive(serde::Serialize)]
struct Location<'a> {
    #[serde(rename = "logicalLocations")]
    logical_locations: [LogicalLocation<'a>; 1],
    #[serde(rename = "physicalLocation")]
    physical_location: PhysicalLocation,
}

#[derive(serde::Serialize)]
struct LogicalLocation<'a> {
    #[serde(rename = "fullyQualifiedName")]
    fully_qualified_name: String,
    kind: &'static str,
    name: &'a str,
}

#[derive(serde::Serialize)]
struct PhysicalLocation {
    #[serde(rename = "artifactLocation")]
    artifact_location: Uri,
    region: Region,
}

#[derive(serde::Serialize)]
struct Uri {
    uri: String,
}

#[derive(serde::Serialize)]
struct Region {
    #[serde(rename = "startLine")]
    start_line: u32,
}

#[derive(serde::Serialize)]
struct Text {
    text: String,
}

#[derive(serde::Serialize)]
struct Fingerprints {
    #[serde(rename = "dockbench/v2")]
    v2: String,
}

#[derive(serde::Serialize)]
struct ResultProperties<'a> {
    object: &'a str,
    object_id: &'a str,
    object_kind: ObjectKind,
    #[serde(skip_serializing_if = "Option::is_none")]
    path: Option<&'a str>,
    reason: &'a str,
    severity: Option<Severity>,
    status: Status,
    value: &'a str,
}

#[derive(serde::Serialize)]
struct Suppression<'a> {
    justification: &'a str,
    kind: &'static str,
    status: &'static str,
}

/// A result's `message.text`: the check, what it looked at and the value it found.
fn message_text(r: &CheckResult, f: &Finding) -> String {
    let what = match (f.file(), f.object.is_empty()) {
        (Some(path), true) => format!("file {path}"),
        (Some(path), false) => format!("file {path} on {}", f.object),
        (None, true) => f.kind.to_string(),
        (None, false) => format!("{} {}", f.kind, f.object),
    };
    match r.status {
        Status::Error => format!(
            "{} {}: could not evaluate {what}: {}",
            r.id, r.title, f.value
        ),
        _ => format!("{} {}: {what}: {}", r.id, r.title, f.value),
    }
}

fn result<'a>(
    r: &'a CheckResult,
    index: usize,
    f: &'a Finding,
    level: &'a str,
    host: &str,
) -> SarifResult<'a> {
    let text = message_text(r, f);
    let rule = rule_id(r);
    SarifResult {
        level,
        locations: [Location {
            logical_locations: [LogicalLocation {
                fully_qualified_name: match f.file() {
                    Some(path) => format!("host/{}/file{path}", f.object),
                    None => format!("{}/{}", f.kind, f.object),
                },
                kind: "resource",
                name: f.file().unwrap_or(&f.object),
            }],
            physical_location: PhysicalLocation {
                artifact_location: Uri {
                    uri: location_uri(f),
                },
                region: Region { start_line: 1 },
            },
        }],
        message: Text { text },
        partial_fingerprints: Fingerprints {
            v2: fingerprint(&rule, host, f),
        },
        properties: ResultProperties {
            object: &f.object,
            object_id: &f.id,
            object_kind: f.kind,
            path: f.file(),
            reason: &r.reason,
            severity: r.severity,
            status: r.status,
            value: &f.value,
        },
        rule_id: rule,
        rule_index: index,
        suppressions: None,
    }
}

/// The objects a result is reported on: offenders, else (ERROR) the objects that could not be
/// evaluated, else the host itself.
fn objects<'a>(r: &'a CheckResult, report: &Report) -> Cow<'a, [Finding]> {
    let list = if r.status == Status::Error && !r.exceptions.is_empty() {
        &r.exceptions
    } else if !r.findings.is_empty() {
        &r.findings
    } else {
        &r.exceptions
    };
    if !list.is_empty() {
        return Cow::Borrowed(list);
    }
    Cow::Owned(vec![Finding {
        kind: ObjectKind::Host,
        object: report.host.hostname.clone(),
        id: report.host.machine_id.clone(),
        value: r.reason.clone(),
        ..Finding::default()
    }])
}

fn is_timestamp(s: &str) -> bool {
    chrono::DateTime::parse_from_rfc3339(s).is_ok()
}

/// Every result of the log, built one at a time and handed to `each`, in report order;
/// stops at `each`'s first error.
fn for_each_result<E>(
    report: &Report,
    mut each: impl FnMut(SarifResult<'_>) -> Result<(), E>,
) -> Result<(), E> {
    let host = host_identity(report);
    for (index, r) in report.results.iter().enumerate() {
        if let Some(level) = level(r) {
            for f in objects(r, report).iter() {
                each(result(r, index, f, level, host))?;
            }
        }
        // Waived findings stay visible as suppressed results, with the waiver's reason.
        for w in &r.waived {
            each(SarifResult {
                suppressions: Some([Suppression {
                    justification: &w.reason,
                    kind: "external",
                    status: "accepted",
                }]),
                ..result(r, index, &w.finding, default_level(r), host)
            })?;
        }
    }
    Ok(())
}

/// How many results [`for_each_result`] gives.
fn result_count(report: &Report) -> usize {
    report
        .results
        .iter()
        .map(|r| {
            let found = match level(r) {
                Some(_) => objects(r, report).len(),
                None => 0,
            };
            found + r.waived.len()
        })
        .sum()
}

/// The whole log as one JSON tree (for tests and callers that edit it; [`write`] streams).
pub fn to_value(report: &Report) -> Value {
    let mut log = skeleton(report);
    let mut results = Vec::with_capacity(result_count(report));
    for_each_result(report, |r| {
        results.push(serde_json::to_value(r)?);
        Ok::<_, serde_json::Error>(())
    })
    .expect("a SARIF result serialises");
    log["runs"][0]["results"] = Value::Array(results);
    log
}

/// Writes the log to `out`, pretty-printed, the same bytes as serialising [`to_value`], but
/// with one result in memory at a time (at 100,000 containers the tree was GBs).
pub fn write<W: std::io::Write>(report: &Report, out: W) -> serde_json::Result<()> {
    let skeleton = skeleton(report);
    serde_json::to_writer_pretty(out, &Streamed::Log(&skeleton, report))
}

/// The parts of the log [`write`] serialises: the skeleton's maps, in the skeleton's own key
/// order, with its empty `runs[0].results` replaced by the results as they are built.
enum Streamed<'a> {
    Log(&'a Value, &'a Report),
    Runs(&'a Value, &'a Report),
    Run(&'a Value, &'a Report),
    Results(&'a Report),
}

/// An object of the skeleton, with the entries `part` names replaced.
fn object<'a, S: Serializer>(
    v: &'a Value,
    s: S,
    part: impl Fn(&str, &'a Value) -> Option<Streamed<'a>>,
) -> Result<S::Ok, S::Error> {
    let object = v.as_object().expect("the skeleton's parts are objects");
    let mut m = s.serialize_map(Some(object.len()))?;
    for (k, v) in object {
        match part(k, v) {
            Some(p) => m.serialize_entry(k, &p)?,
            None => m.serialize_entry(k, v)?,
        }
    }
    m.end()
}

impl Serialize for Streamed<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match *self {
            Streamed::Log(v, report) => object(v, s, |k, v| {
                (k == "runs").then_some(Streamed::Runs(v, report))
            }),
            Streamed::Runs(v, report) => {
                let runs = v.as_array().expect("runs is an array");
                let mut seq = s.serialize_seq(Some(runs.len()))?;
                for run in runs {
                    seq.serialize_element(&Streamed::Run(run, report))?;
                }
                seq.end()
            }
            Streamed::Run(v, report) => object(v, s, |k, _| {
                (k == "results").then_some(Streamed::Results(report))
            }),
            Streamed::Results(report) => {
                let mut seq = s.serialize_seq(Some(result_count(report)))?;
                for_each_result(report, |r| seq.serialize_element(&r))?;
                seq.end()
            }
        }
    }
}

/// The log without its results (`runs[0].results` is empty).
fn skeleton(report: &Report) -> Value {
    let rules: Vec<Value> = report
        .results
        .iter()
        .map(|r| rule(r, &report.benchmark.id))
        .collect();
    let mut invocation = json!({
        "executionSuccessful": true,
        "machine": report.host.hostname,
        "properties": { "host": report.host },
        "toolExecutionNotifications": report.notes.iter().map(|n| json!({
            "level": "note",
            "message": { "text": n },
        })).collect::<Vec<_>>(),
    });
    if is_timestamp(&report.started_at) {
        invocation["startTimeUtc"] = json!(report.started_at);
    }
    if is_timestamp(&report.finished_at) {
        invocation["endTimeUtc"] = json!(report.finished_at);
    }
    json!({
        "$schema": SCHEMA_URI,
        "version": "2.1.0",
        "runs": [{
            "tool": {
                "driver": {
                    "name": report.tool,
                    "version": report.tool_version,
                    "semanticVersion": report.tool_version,
                    "rules": rules,
                    "properties": {
                        "benchmark": report.benchmark,
                    },
                },
            },
            "automationDetails": {
                "id": format!("{}/{}/{}/", report.tool, report.benchmark.id, report.host.hostname),
            },
            "invocations": [invocation],
            "results": [],
            "properties": {
                "host": report.host,
                "source": report.source,
                "containers_scanned": report.containers_scanned,
                "images_scanned": report.images_scanned,
                "summary": report.summary,
            },
        }],
    })
}

pub fn render(report: &Report) -> String {
    let mut s = serde_json::to_string_pretty(&to_value(report)).expect("SARIF serialises");
    s.push('\n');
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    fn finding(kind: &str, object: &str, id: &str) -> Finding {
        Finding {
            kind: serde_json::from_value(kind.into()).unwrap(),
            object: object.into(),
            id: id.into(),
            value: String::new(),
            ..Finding::default()
        }
    }

    #[test]
    fn locations_are_relative_and_encoded() {
        assert_eq!(
            location_uri(&finding("container", "web", "abc")),
            "docker/containers/web"
        );
        assert_eq!(
            location_uri(&finding("container", "<script>/x", "")),
            "docker/containers/%3Cscript%3E%2Fx"
        );
        // A file finding: at the file, whatever the host is called.
        let file = |path: &str| Finding {
            path: Some(path.into()),
            ..finding("file", "vm", "")
        };
        assert_eq!(
            location_uri(&file("/etc/docker/daemon.json")),
            "etc/docker/daemon.json"
        );
        assert_eq!(
            location_uri(&file("/etc/systemd/system/docker.service.d/a b.conf")),
            "etc/systemd/system/docker.service.d/a%20b.conf"
        );
        // Without a path (a report of schema version 2), the host.
        assert_eq!(location_uri(&finding("host", "vm", "")), "docker/hosts/vm");
        assert_eq!(
            location_uri(&finding("image", "nginx:1.27", "sha256:1")),
            "docker/images/nginx%3A1.27"
        );
    }

    #[test]
    fn fingerprints_are_stable_and_distinct() {
        let a = finding("container", "web", "abc");
        let fp = |rule: &str, host: &str, f: &Finding| fingerprint(rule, host, f);
        let rule = "cis-docker-1.6.0/5.4";
        assert_eq!(fp(rule, "m1", &a), fp(rule, "m1", &a));
        // Pinned: a changed hash would reopen every alert on every upload.
        assert_eq!(fp(rule, "m1", &a), "f87129688ec38902");
        assert_ne!(fp(rule, "m1", &a), fp("cis-docker-1.6.0/5.5", "m1", &a));
        // The container recreated (new ID, same name) is the same alert ...
        assert_eq!(
            fp(rule, "m1", &a),
            fp(rule, "m1", &finding("container", "web", "abd"))
        );
        // ... the same name on another host is another one.
        assert_ne!(fp(rule, "m1", &a), fp(rule, "m2", &a));
        // A nameless object falls back to its ID.
        assert_ne!(
            fp(rule, "m1", &finding("image", "", "sha256:1")),
            fp(rule, "m1", &finding("image", "", "sha256:2"))
        );
        // Two files on one host are two alerts; the same file on two hosts too.
        let file = |path: &str| Finding {
            path: Some(path.into()),
            ..finding("file", "vm", "")
        };
        assert_ne!(
            fp(rule, "m1", &file("/etc/docker/daemon.json")),
            fp(rule, "m1", &file("/etc/docker"))
        );
        assert_ne!(
            fp(rule, "m1", &file("/etc/docker")),
            fp(rule, "m2", &file("/etc/docker"))
        );
        // Part boundaries count: ("5.4", "ab") is not ("5.4a", "b").
        assert_ne!(fnv1a(&["5.4", "ab"]), fnv1a(&["5.4a", "b"]));
    }

    /// The fixture reports, one with waived findings, an ERROR check whose objects could not be
    /// evaluated and a baseline besides.
    fn reports() -> Vec<Report> {
        let parse = |text: &str| crate::report::json::parse(text).unwrap();
        let mut reports: Vec<Report> = [
            include_str!("../../tests/fixtures/reports/risky-report.json"),
            include_str!("../../tests/fixtures/reports/hostile-report.json"),
            include_str!("../../tests/fixtures/reports/files-report.json"),
        ]
        .into_iter()
        .map(parse)
        .collect();
        let mut edited = reports[0].clone();
        let warn = edited
            .results
            .iter_mut()
            .find(|r| r.status == Status::Warn && !r.findings.is_empty())
            .unwrap();
        let f = warn.findings.remove(0);
        warn.waived.push(crate::results::WaivedFinding {
            finding: f,
            reason: "accepted".into(),
            expires: None,
        });
        let pass = edited
            .results
            .iter_mut()
            .find(|r| r.status == Status::Pass)
            .unwrap();
        pass.status = Status::Error;
        pass.exceptions
            .push(finding("container", "gone", "0123456789abcdef0123"));
        edited.baseline = Some(crate::report::diff::diff(&reports[0], &edited));
        reports.push(edited);
        reports
    }

    #[test]
    fn the_written_log_is_the_tree_serialised() {
        for report in reports() {
            let mut out = Vec::new();
            write(&report, &mut out).unwrap();
            let tree = serde_json::to_string_pretty(&to_value(&report)).unwrap();
            assert_eq!(String::from_utf8(out).unwrap(), tree);
            assert_eq!(
                to_value(&report)["runs"][0]["results"]
                    .as_array()
                    .unwrap()
                    .len(),
                result_count(&report)
            );
        }
    }

    /// The results as the log built them before they were typed: one JSON tree each.
    fn results_as_trees(report: &Report) -> Vec<Value> {
        fn tree(r: &CheckResult, index: usize, f: &Finding, level: &str, host: &str) -> Value {
            let text = message_text(r, f);
            let rule = rule_id(r);
            let mut v = json!({
                "ruleId": rule,
                "ruleIndex": index,
                "level": level,
                "message": { "text": text },
                "locations": [{
                    "physicalLocation": {
                        "artifactLocation": { "uri": location_uri(f) },
                        "region": { "startLine": 1 },
                    },
                    "logicalLocations": [{
                        "name": f.file().unwrap_or(&f.object),
                        "fullyQualifiedName": match f.file() {
                            Some(path) => format!("host/{}/file{path}", f.object),
                            None => format!("{}/{}", f.kind, f.object),
                        },
                        "kind": "resource",
                    }],
                }],
                "partialFingerprints": { FINGERPRINT_KEY: fingerprint(&rule, host, f) },
                "properties": {
                    "status": r.status,
                    "severity": r.severity,
                    "reason": r.reason,
                    "object_kind": f.kind,
                    "object": f.object,
                    "object_id": f.id,
                    "value": f.value,
                },
            });
            if let Some(path) = f.file() {
                v["properties"]["path"] = json!(path);
            }
            v
        }
        let host = host_identity(report);
        let mut out = Vec::new();
        for (index, r) in report.results.iter().enumerate() {
            if let Some(level) = level(r) {
                for f in objects(r, report).iter() {
                    out.push(tree(r, index, f, level, host));
                }
            }
            for w in &r.waived {
                let mut v = tree(r, index, &w.finding, default_level(r), host);
                v["suppressions"] = json!([{
                    "kind": "external",
                    "status": "accepted",
                    "justification": w.reason,
                }]);
                out.push(v);
            }
        }
        out
    }

    #[test]
    fn typed_results_are_the_trees_they_replaced() {
        let (mut suppressed, mut files) = (false, false);
        for report in reports() {
            let trees = results_as_trees(&report);
            suppressed |= trees.iter().any(|t| t.get("suppressions").is_some());
            files |= trees.iter().any(|t| t["properties"].get("path").is_some());
            let log = to_value(&report);
            assert_eq!(log["runs"][0]["results"], Value::Array(trees.clone()));
            // The same bytes too: the typed fields are in the trees' (sorted) key order.
            let mut typed = Vec::new();
            for_each_result(&report, |r| {
                typed.push(serde_json::to_string_pretty(&r)?);
                Ok::<_, serde_json::Error>(())
            })
            .unwrap();
            let trees: Vec<String> = trees
                .iter()
                .map(|t| serde_json::to_string_pretty(t).unwrap())
                .collect();
            assert_eq!(typed, trees);
        }
        assert!(
            suppressed && files,
            "the reports have waived and file findings"
        );
    }

    #[test]
    fn rule_names_are_identifiers() {
        assert_eq!(
            rule_name("Ensure that the 'on-failure' container restart policy is set to '5'"),
            "EnsureThatTheOnFailureContainerRestartPolicyIsSetTo5"
        );
    }
}
