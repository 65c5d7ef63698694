//! The Report as JSON (documented in the README; `schema_version` guards changes).
use super::Report;

pub fn render(report: &Report) -> String {
    let mut s = serde_json::to_string_pretty(report).expect("report serialises");
    s.push('\n');
    s
}

/// Largest report read (bytes). Reports are read as a stream into the model, so memory
/// follows the report, not this cap: a 100,000-container scan of both benchmarks writes
/// 441 MB, and ten times that still passes. The cap stops an endless stream given by
/// mistake (`yes ' ' | dockbench report -`).
pub const MAX_REPORT: u64 = 4 << 30;

/// Reads a saved JSON report back: the current schema version, or an older one, upgraded on
/// the way in — version 1 (written before severities and per-benchmark scores) and version 2
/// (before typed object kinds, file paths and an exception status in every report).
pub fn parse(text: &str) -> Result<Report, String> {
    from_json(&mut serde_json::Deserializer::from_str(text)).map_err(|e| e.to_string())
}

/// Why a report could not be read.
#[derive(Debug)]
enum ReadError {
    /// The input could not be read (an I/O error, or more than [`MAX_REPORT`] bytes).
    Io(std::io::Error),
    /// Not a dockbench JSON report of a version this dockbench reads.
    Report(String),
}

impl std::fmt::Display for ReadError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ReadError::Io(e) => e.fmt(f),
            ReadError::Report(e) => f.write_str(e),
        }
    }
}

/// Deserialises a report from `de` in one pass, straight into the model (no text and no JSON
/// tree of the whole report held; the summary, a few hundred bytes, is read as a tree since
/// version 1 named its fields otherwise), then upgrades an older version.
fn from_json<'de, R: serde_json::de::Read<'de>>(
    de: &mut serde_json::Deserializer<R>,
) -> Result<Report, ReadError> {
    use serde::de::DeserializeSeed;
    let problem = std::cell::RefCell::new(None);
    let parsed = TopLevel { problem: &problem }
        .deserialize(&mut *de)
        .and_then(|r| de.end().map(|()| r));
    let (mut report, version) = match parsed {
        Ok(r) => r,
        Err(e) => {
            if let Some(problem) = problem.into_inner() {
                return Err(ReadError::Report(problem));
            }
            return Err(if e.is_io() {
                ReadError::Io(e.into())
            } else if e.is_data() {
                ReadError::Report(format!("not a dockbench JSON report: {e}"))
            } else {
                ReadError::Report(format!("not valid JSON: {e}"))
            });
        }
    };
    if version == 1 {
        upgrade_v1(&mut report);
    }
    if version < 3 {
        type_exceptions(&mut report);
        // Findings of version 2 name no file; they stay on the host they were found on.
        report.schema_version = super::SCHEMA_VERSION;
    }
    Ok(report)
}

/// The report's top-level object, field by field as `Report`'s own `Deserialize` reads it
/// (unknown fields ignored, a repeated one: the last), with the schema version checked as
/// soon as it is read and `summary` renamed for version 1. `problem` receives a message
/// that stands alone (no JSON position): a missing or unsupported version.
struct TopLevel<'a> {
    problem: &'a std::cell::RefCell<Option<String>>,
}

impl<'de> serde::de::DeserializeSeed<'de> for TopLevel<'_> {
    type Value = (Report, u64);
    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de> serde::de::Visitor<'de> for TopLevel<'_> {
    type Value = (Report, u64);

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("a dockbench JSON report (an object with \"schema_version\")")
    }

    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        use serde::de::Error;
        let mut version: Option<u64> = None;
        let mut benchmarks: Option<Vec<crate::results::BenchmarkInfo>> = None;
        let mut filtered: Option<Option<crate::results::Filtered>> = None;
        let mut waivers: Option<Option<crate::results::WaiverSummary>> = None;
        let mut baseline: Option<Option<crate::results::Diff>> = None;
        let mut summary: Option<serde_json::Value> = None;
        // One `Option` per field of `Report`, filled as its key comes.
        macro_rules! fields {
            ($($name:ident),*) => {
                $(let mut $name = None;)*
                while let Some(key) = map.next_key::<std::borrow::Cow<'de, str>>()? {
                    match key.as_ref() {
                        "schema_version" => {
                            let v: serde_json::Value = map.next_value()?;
                            match v.as_u64() {
                                Some(v) if (1..=super::SCHEMA_VERSION as u64).contains(&v) => {
                                    version = Some(v)
                                }
                                Some(v) => {
                                    let msg = format!(
                                        "report schema version {v} is not supported (this \
                                         dockbench reads 1 to {})",
                                        super::SCHEMA_VERSION
                                    );
                                    *self.problem.borrow_mut() = Some(msg.clone());
                                    return Err(A::Error::custom(msg));
                                }
                                None => version = None,
                            }
                        }
                        "summary" => summary = Some(map.next_value()?),
                        "benchmarks" => benchmarks = Some(map.next_value()?),
                        "filtered" => filtered = Some(map.next_value()?),
                        "waivers" => waivers = Some(map.next_value()?),
                        "baseline" => baseline = Some(map.next_value()?),
                        $(stringify!($name) => $name = Some(map.next_value()?),)*
                        _ => {
                            map.next_value::<serde::de::IgnoredAny>()?;
                        }
                    }
                }
                // The version first: a file that is no report at all says so.
                if version.is_none() {
                    let msg = "not a dockbench JSON report: no \"schema_version\"".to_string();
                    *self.problem.borrow_mut() = Some(msg.clone());
                    return Err(A::Error::custom(msg));
                }
                $(let Some($name) = $name else {
                    return Err(A::Error::missing_field(stringify!($name)));
                };)*
            };
        }
        fields!(
            tool,
            tool_version,
            benchmark,
            source,
            host,
            started_at,
            finished_at,
            timings,
            all_containers,
            containers_scanned,
            images_scanned,
            notes,
            sections,
            results
        );
        let Some(version) = version else {
            return Err(A::Error::missing_field("schema_version"));
        };
        // `#[serde(default)]` in `Report`: absent in older reports.
        let (benchmarks, filtered, waivers, baseline) = (
            benchmarks.unwrap_or_default(),
            filtered.unwrap_or_default(),
            waivers.unwrap_or_default(),
            baseline.unwrap_or_default(),
        );
        let mut summary = summary.ok_or_else(|| A::Error::missing_field("summary"))?;
        if version == 1
            && let Some(summary) = summary.as_object_mut()
        {
            // Recomputed from the results; only the field names must fit for now.
            if let Some(score) = summary.remove("score") {
                summary.insert("combined_score".into(), score);
            }
            summary
                .entry("benchmarks")
                .or_insert(serde_json::Value::Array(Vec::new()));
        }
        let summary = serde_json::from_value(summary).map_err(|e| {
            let msg = format!("not a dockbench JSON report: {e}");
            *self.problem.borrow_mut() = Some(msg.clone());
            A::Error::custom(msg)
        })?;
        let report = Report {
            schema_version: version as u32,
            tool,
            tool_version,
            benchmark,
            benchmarks,
            source,
            host,
            started_at,
            finished_at,
            timings,
            all_containers,
            containers_scanned,
            images_scanned,
            notes,
            sections,
            results,
            summary,
            filtered,
            waivers,
            baseline,
        };
        Ok((report, version))
    }
}

/// Reports written before every exception had a typed `status` (version 1, and version 2
/// as dockbench wrote it before exceptions were typed) carry it only as the text of `value` (`SKIP: …`, `ERROR: …`; a host or
/// daemon check's ERROR: the bare reason). Read once here, for those versions only, so
/// nothing downstream parses text; a SKIP naming the offline phrase was a fact an offline
/// scan cannot have.
fn type_exceptions(report: &mut Report) {
    use crate::results::Status;
    use crate::snapshot::ScanMode;
    for r in &mut report.results {
        for e in r.exceptions.iter_mut().filter(|e| e.status.is_none()) {
            let (status, reason) = if let Some(why) = e.value.strip_prefix("SKIP: ") {
                (Status::Skip, why)
            } else if let Some(why) = e.value.strip_prefix("ERROR: ") {
                (Status::Error, why)
            } else {
                (Status::Error, e.value.as_str())
            };
            e.not_in_mode = (status == Status::Skip && reason.contains(ScanMode::Offline.phrase()))
                .then_some(ScanMode::Offline);
            e.reason = reason.to_string();
            e.status = Some(status);
        }
    }
}

/// Version 1 results have no benchmark and no severity: both come from the embedded
/// benchmarks the report names (a check of none of them — a custom one — keeps the report's
/// first benchmark and no severity). The summary is then recomputed per benchmark, with the
/// same rule version 1 used for its one score.
fn upgrade_v1(report: &mut Report) {
    let names: Vec<String> = if report.benchmarks.is_empty() {
        vec![report.benchmark.id.clone()]
    } else {
        report.benchmarks.iter().map(|b| b.id.clone()).collect()
    };
    let env = crate::engine::cel_env();
    let loaded: Vec<crate::engine::Benchmark> = names
        .iter()
        .filter_map(|id| crate::engine::load_embedded(id, &env).ok())
        .collect();
    for r in &mut report.results {
        let found = loaded
            .iter()
            .find_map(|b| b.checks.iter().find(|c| c.def.id == r.id));
        match found {
            Some(c) => {
                r.benchmark = c.benchmark.to_string();
                if r.severity.is_none() {
                    r.severity = Some(c.def.severity);
                    r.severity_rationale = c.def.severity_rationale.trim().to_string();
                }
            }
            None if r.benchmark.is_empty() => r.benchmark = names[0].clone(),
            None => {}
        }
    }
    report.summary = super::Summary::of(&report.results);
    // Its content is now that of the current version: written back, it says so.
    report.schema_version = super::SCHEMA_VERSION;
}

/// Reads a saved JSON report (`-` = standard input, else a file, a FIFO or `<(…)`) as a
/// stream, at most [`MAX_REPORT`] bytes; the message names the file.
pub fn read(input: &std::path::Path) -> Result<super::Report, String> {
    use std::io::{BufReader, Read};
    let (reader, what): (Box<dyn Read>, _) = if input.as_os_str() == "-" {
        (
            Box::new(std::io::stdin().lock()),
            "standard input".to_string(),
        )
    } else {
        let file = std::fs::File::open(input)
            .map_err(|e| format!("cannot read report {}: {e}", input.display()))?;
        (Box::new(file), format!("report {}", input.display()))
    };
    let capped = crate::output::Capped::new(reader, MAX_REPORT);
    let mut de = serde_json::Deserializer::from_reader(BufReader::with_capacity(1 << 16, capped));
    from_json(&mut de).map_err(|e| match e {
        ReadError::Io(e) => format!("cannot read {what}: {e}"),
        ReadError::Report(e) => format!("{}: {e}", input.display()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every fixture report (versions 1 and 3) reads the same through the stream reader as
    /// from its text, and a report this dockbench writes reads back as itself.
    #[test]
    fn the_stream_reads_what_the_text_gives() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/reports");
        let mut paths: Vec<_> = ["", "v1"]
            .iter()
            .flat_map(|sub| std::fs::read_dir(dir.join(sub)).unwrap().flatten())
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|e| e == "json"))
            .collect();
        paths.sort();
        assert!(paths.len() >= 4, "{paths:?}");
        for path in paths {
            let text = std::fs::read_to_string(&path).unwrap();
            let streamed = read(&path).unwrap();
            assert_eq!(streamed, parse(&text).unwrap(), "{}", path.display());
            let again = parse(&render(&streamed)).unwrap();
            assert_eq!(again, streamed, "{}", path.display());
        }
    }

    #[test]
    fn what_is_no_report_says_why() {
        let err = |text: &str| parse(text).unwrap_err();
        assert_eq!(
            err(r#"{"a": 1}"#),
            "not a dockbench JSON report: no \"schema_version\""
        );
        assert!(
            err(r#"{"schema_version": 99, "results": 1}"#)
                .starts_with("report schema version 99 is not supported")
        );
        assert!(err("[1, 2, 3]").starts_with("not a dockbench JSON report: invalid type"));
        assert!(err("").starts_with("not valid JSON: EOF"));
        // Deep where a value is read whole (a deep value where the model expects something
        // else fails at its first level; a skipped field is read without recursion).
        let deep = format!("{{\"schema_version\": {}", "[".repeat(100_000));
        assert!(err(&deep).contains("recursion limit"), "{}", err(&deep));
        let text = include_str!("../../tests/fixtures/reports/risky-report.json");
        let trailing = format!("{text} x");
        assert!(err(&trailing).starts_with("not valid JSON: trailing characters"));
        let cut = &text[..text.len() / 2];
        assert!(err(cut).starts_with("not valid JSON: EOF"), "{}", err(cut));
        let wrong = text.replacen("\"results\": [", "\"results\": [1, ", 1);
        assert!(
            err(&wrong).starts_with("not a dockbench JSON report: invalid type: integer"),
            "{}",
            err(&wrong)
        );
    }
}
