//! JUnit XML for CI test reports: a `<testsuite>` per section, a `<testcase>` per check.
//! WARN → `<failure>`, ERROR → `<error>` (both with the evidence), INFO, NOTE, SKIP and WAIVED →
//! `<skipped>` with the reason; PASS → a passing testcase. Written with quick-xml, which escapes
//! text and attribute values; characters XML 1.0 cannot carry at all are replaced first.
use std::io::Cursor;

use quick_xml::Writer;
use quick_xml::events::{BytesDecl, BytesText, Event};

use super::{CheckResult, Report, Status};

/// Replaces characters XML 1.0 does not allow (most C0 controls, lone surrogates cannot occur in
/// a Rust string, U+FFFE/U+FFFF); `attribute` also flattens newlines and tabs to spaces.
fn clean(s: &str, attribute: bool) -> String {
    s.chars()
        .map(|c| match c {
            '\n' | '\t' | '\r' if attribute => ' ',
            '\n' | '\t' | '\r' => c,
            c if (c as u32) < 0x20 => '\u{FFFD}',
            '\u{FFFE}' | '\u{FFFF}' => '\u{FFFD}',
            c => c,
        })
        .collect()
}

fn evidence(r: &CheckResult) -> String {
    let mut out = format!("{}\n", r.reason);
    for f in &r.findings {
        let id = if f.id.len() > 12 && f.id.is_char_boundary(12) {
            &f.id[..12]
        } else {
            &f.id
        };
        if id.is_empty() {
            out.push_str(&format!("* {} {}: {}\n", f.kind, f.object, f.value));
        } else {
            out.push_str(&format!("* {} {} ({id}): {}\n", f.kind, f.object, f.value));
        }
    }
    for f in r.unevaluated() {
        out.push_str(&format!(
            "* not evaluated: {} {}: {}\n",
            f.kind, f.object, f.value
        ));
    }
    let na = r.not_applicable_line();
    if !na.is_empty() {
        out.push_str(&format!("{na}\n"));
    }
    for w in &r.waived {
        out.push_str(&format!(
            "* waived: {} {}: {} ({})\n",
            w.finding.kind, w.finding.object, w.finding.value, w.reason
        ));
    }
    out.push_str(&format!("Remediation: {}\n", r.remediation));
    out
}

fn junit_time(rfc3339: &str) -> Option<String> {
    chrono::DateTime::parse_from_rfc3339(rfc3339)
        .ok()
        .map(|t| t.naive_utc().format("%Y-%m-%dT%H:%M:%S").to_string())
}

struct Tally {
    tests: usize,
    failures: usize,
    errors: usize,
    skipped: usize,
}

fn tally<'a>(results: impl Iterator<Item = &'a CheckResult>) -> Tally {
    let mut t = Tally {
        tests: 0,
        failures: 0,
        errors: 0,
        skipped: 0,
    };
    for r in results {
        t.tests += 1;
        match r.status {
            Status::Warn => t.failures += 1,
            Status::Error => t.errors += 1,
            Status::Pass => {}
            Status::Info | Status::Note | Status::Skip | Status::Waived => t.skipped += 1,
        }
    }
    t
}

fn write_case(
    w: &mut Writer<Cursor<Vec<u8>>>,
    r: &CheckResult,
    class: &str,
) -> std::io::Result<()> {
    let name = clean(&format!("{} {}", r.id, r.title), true);
    let element = w.create_element("testcase").with_attributes([
        ("name", name.as_str()),
        ("classname", class),
        ("time", "0"),
    ]);
    let reason = clean(&r.reason, true);
    // The check's severity as testcase properties (as pytest's record_property writes them).
    let severity = r.severity.map_or("", |s| s.as_str());
    let rationale = clean(&r.severity_rationale, true);
    let benchmark = clean(&r.benchmark, true);
    let props = |w: &mut Writer<Cursor<Vec<u8>>>| -> std::io::Result<()> {
        w.create_element("properties").write_inner_content(|w| {
            for (k, v) in [
                ("severity", severity),
                ("severity_rationale", rationale.as_str()),
                ("benchmark", benchmark.as_str()),
            ] {
                w.create_element("property")
                    .with_attributes([("name", k), ("value", v)])
                    .write_empty()?;
            }
            Ok(())
        })?;
        Ok(())
    };
    match r.status {
        Status::Pass => {
            element.write_inner_content(|w| {
                props(w)?;
                w.create_element("system-out")
                    .write_text_content(BytesText::new(&clean(&r.reason, false)))?;
                Ok(())
            })?;
        }
        Status::Warn | Status::Error => {
            let (tag, kind) = if r.status == Status::Warn {
                ("failure", "WARN")
            } else {
                ("error", "ERROR")
            };
            let body = clean(&evidence(r), false);
            element.write_inner_content(|w| {
                props(w)?;
                w.create_element(tag)
                    .with_attributes([("message", reason.as_str()), ("type", kind)])
                    .write_text_content(BytesText::new(&body))?;
                Ok(())
            })?;
        }
        Status::Info | Status::Note | Status::Skip | Status::Waived => {
            let message = clean(&format!("{}: {}", r.status, r.reason), true);
            let body = clean(&evidence(r), false);
            element.write_inner_content(|w| {
                props(w)?;
                w.create_element("skipped")
                    .with_attribute(("message", message.as_str()))
                    .write_empty()?;
                if !r.findings.is_empty() || !r.exceptions.is_empty() || !r.waived.is_empty() {
                    w.create_element("system-out")
                        .write_text_content(BytesText::new(&body))?;
                }
                Ok(())
            })?;
        }
    }
    Ok(())
}

fn write(report: &Report) -> std::io::Result<Vec<u8>> {
    let mut w = Writer::new_with_indent(Cursor::new(Vec::new()), b' ', 2);
    w.write_event(Event::Decl(BytesDecl::new("1.0", Some("UTF-8"), None)))?;
    let all = tally(report.results.iter());
    let seconds = format!(
        "{:.3}",
        (report.timings.collect_ms + report.timings.evaluate_ms) as f64 / 1000.0
    );
    let suite_name = clean(
        &format!(
            "{} {} on {}",
            report.tool, report.benchmark.id, report.host.hostname
        ),
        true,
    );
    let timestamp = junit_time(&report.started_at).unwrap_or_default();
    let hostname = clean(&report.host.hostname, true);
    let sections = report.section_list();
    let mut properties: Vec<(String, String)> = [
        ("benchmark", clean(&report.benchmark.id, true)),
        ("benchmark_version", clean(&report.benchmark.version, true)),
        ("tool_version", clean(&report.tool_version, true)),
        ("mode", report.source.mode.to_string()),
        ("location", clean(&report.source.location, true)),
        ("docker_version", clean(&report.host.docker_version, true)),
        ("hostname", hostname.clone()),
        ("host_label", clean(&report.host.label, true)),
        ("machine_id", clean(&report.host.machine_id, true)),
        ("engine_id", clean(&report.host.engine_id, true)),
        ("engine_name", clean(&report.host.engine_name, true)),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v))
    .collect();
    // One benchmark: `score`; several: each one's `score.ID` and the `combined_score`.
    let combined = report.summary.combined_score.to_string();
    match report.summary.benchmarks.as_slice() {
        [_, _, ..] => {
            for b in &report.summary.benchmarks {
                properties.push((format!("score.{}", clean(&b.id, true)), b.score.to_string()));
            }
            properties.push(("combined_score".into(), combined));
        }
        _ => properties.push(("score".into(), combined)),
    }
    w.create_element("testsuites")
        .with_attributes([
            ("name", suite_name.as_str()),
            ("tests", &all.tests.to_string()),
            ("failures", &all.failures.to_string()),
            ("errors", &all.errors.to_string()),
            ("skipped", &all.skipped.to_string()),
            ("time", &seconds),
            ("timestamp", &timestamp),
        ])
        .write_inner_content(|w| {
            for (i, (id, title)) in sections.iter().enumerate() {
                let results: Vec<&CheckResult> =
                    report.results.iter().filter(|r| &r.section == id).collect();
                let t = tally(results.iter().copied());
                let name = clean(&format!("{id} {title}"), true);
                let class = clean(&format!("{}.{}", report.benchmark.id, id), true);
                w.create_element("testsuite")
                    .with_attributes([
                        ("name", name.as_str()),
                        ("id", &i.to_string()),
                        ("package", &clean(&report.benchmark.id, true)),
                        ("hostname", &hostname),
                        ("tests", &t.tests.to_string()),
                        ("failures", &t.failures.to_string()),
                        ("errors", &t.errors.to_string()),
                        ("skipped", &t.skipped.to_string()),
                        ("time", "0"),
                        ("timestamp", &timestamp),
                    ])
                    .write_inner_content(|w| {
                        w.create_element("properties").write_inner_content(|w| {
                            for (k, v) in &properties {
                                w.create_element("property")
                                    .with_attributes([("name", k.as_str()), ("value", v.as_str())])
                                    .write_empty()?;
                            }
                            Ok(())
                        })?;
                        for r in &results {
                            write_case(w, r, &class)?;
                        }
                        Ok(())
                    })?;
            }
            Ok(())
        })?;
    let mut bytes = w.into_inner().into_inner();
    bytes.push(b'\n');
    Ok(bytes)
}

pub fn render(report: &Report) -> String {
    let bytes = write(report).expect("writing to memory does not fail");
    String::from_utf8(bytes).expect("quick-xml writes UTF-8")
}

#[cfg(test)]
mod tests {
    use super::clean;

    #[test]
    fn characters_xml_cannot_carry_are_replaced() {
        assert_eq!(clean("a\u{1}b\u{1b}[0m", false), "a\u{FFFD}b\u{FFFD}[0m");
        assert_eq!(clean("a\nb\tc", false), "a\nb\tc");
        assert_eq!(clean("a\nb\tc", true), "a b c");
    }
}
