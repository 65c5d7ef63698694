//! One renderer per format over the Report model of [`crate::results`], plus the baseline
//! diff and the shared text view.
pub mod csv;
pub mod diff;
pub mod docker_bench;
pub mod html;
pub mod json;
pub mod junit;
pub mod markdown;
pub mod prometheus;
pub mod sarif;
pub mod text;
pub mod view;

/// The model moved to [`crate::results`]; these paths stay for callers.
pub use crate::results::model;
pub use crate::results::*;

/// Output formats (`--format`, `--output FORMAT=PATH`).
/// Plain data (each one's description: [`Format::summary`]); the command line's parser for it
/// lives in `cli::format`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Text,
    Json,
    Html,
    Sarif,
    Junit,
    Csv,
    Markdown,
    DockerBench,
    Prometheus,
}

impl Format {
    /// Every format, in the order `--help` lists them.
    pub const ALL: [Format; 9] = [
        Format::Text,
        Format::Json,
        Format::Html,
        Format::Sarif,
        Format::Junit,
        Format::Csv,
        Format::Markdown,
        Format::DockerBench,
        Format::Prometheus,
    ];

    /// One line for `--help`.
    pub fn summary(self) -> &'static str {
        match self {
            Format::Text => "Terminal report grouped by section",
            Format::Json => {
                "The Report as JSON (schema_version 3; `dockbench schema` prints its JSON Schema)"
            }
            Format::Html => "One self-contained HTML page: summary, filter, search, print to PDF",
            Format::Sarif => {
                "SARIF 2.1.0 for code scanning (one rule per check, one result per offending object)"
            }
            Format::Junit => "JUnit XML: a testsuite per section, a testcase per check",
            Format::Csv => "CSV: one row per check and offending object (for spreadsheets)",
            Format::Markdown => {
                "Markdown: summary table and the non-passing checks (wikis, merge requests)"
            }
            Format::DockerBench => "docker-bench-security's JSON log layout, for its consumers",
            Format::Prometheus => "Prometheus text format for node_exporter's textfile collector",
        }
    }

    /// The name on the command line (`docker-bench` for DockerBench).
    /// The format a file name's extension stands for (`report.json` → json, `.sarif`,
    /// `.html`/`.htm`, `.xml` → junit, `.csv`, `.md`, `.prom` → prometheus, `.txt` → text);
    /// `None` for any other. docker-bench's layout is JSON too: it needs `docker-bench=PATH`.
    pub fn from_extension(path: &std::path::Path) -> Option<Format> {
        let ext = path.extension()?.to_str()?.to_ascii_lowercase();
        Some(match ext.as_str() {
            "json" => Format::Json,
            "sarif" => Format::Sarif,
            "html" | "htm" => Format::Html,
            "xml" => Format::Junit,
            "csv" => Format::Csv,
            "md" | "markdown" => Format::Markdown,
            "prom" => Format::Prometheus,
            "txt" => Format::Text,
            _ => return None,
        })
    }

    pub fn name(self) -> &'static str {
        match self {
            Format::Text => "text",
            Format::Json => "json",
            Format::Html => "html",
            Format::Sarif => "sarif",
            Format::Junit => "junit",
            Format::Csv => "csv",
            Format::Markdown => "markdown",
            Format::DockerBench => "docker-bench",
            Format::Prometheus => "prometheus",
        }
    }
}

impl std::str::FromStr for Format {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Format::ALL
            .into_iter()
            .find(|f| f.name().eq_ignore_ascii_case(s))
            .ok_or_else(|| {
                let names: Vec<&str> = Format::ALL.iter().map(|f| f.name()).collect();
                format!(
                    "unknown format '{s}' (expected one of: {})",
                    names.join(", ")
                )
            })
    }
}

/// Renders a report in one format. `color` only matters for text.
pub fn render(report: &Report, format: Format, color: bool) -> String {
    render_with(
        report,
        format,
        &text::TextOptions {
            color,
            ..text::TextOptions::default()
        },
    )
}

/// Renders a report in one format; `text` (view, colour, remediation) only matters for text.
pub fn render_with(report: &Report, format: Format, text: &text::TextOptions) -> String {
    match format {
        // Scanned strings reach a terminal here: escaped at this boundary (see `term`).
        Format::Text => text::render_with(&terminal_safe(report), text),
        Format::Json => json::render(report),
        Format::Html => html::render(report),
        Format::Sarif => sarif::render(report),
        Format::Junit => junit::render(report),
        Format::Csv => csv::render(report),
        Format::Markdown => markdown::render(report),
        Format::DockerBench => docker_bench::render(report),
        Format::Prometheus => prometheus::render(report),
    }
}

/// Renders a report in one format into `out`, the same bytes as [`render`]. JSON, SARIF,
/// HTML, text and CSV are written as they are produced (SARIF result by result, HTML check by
/// check, CSV row by row): at
/// 100,000 containers their text is hundreds of MB, and a `String` of it besides the report
/// (and a tree of the whole document) multiplied the peak memory.
pub fn render_to(
    report: &Report,
    format: Format,
    color: bool,
    out: &mut dyn std::io::Write,
) -> std::io::Result<()> {
    let text = text::TextOptions {
        color,
        ..text::TextOptions::default()
    };
    render_to_with(report, format, &text, out)
}

/// `report` with every string terminal-safe ([`crate::term::safe_copy`]), copied one check
/// result at a time: the whole report as one JSON tree was about five times the report (tens
/// of MB at 10,000 containers, held while the other formats rendered).
pub fn terminal_safe(report: &Report) -> Report {
    // Every field named, so a new one cannot bypass the copy.
    let Report {
        schema_version,
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
    } = report;
    let header = Report {
        schema_version: *schema_version,
        tool: tool.clone(),
        tool_version: tool_version.clone(),
        benchmark: benchmark.clone(),
        benchmarks: benchmarks.clone(),
        source: source.clone(),
        host: host.clone(),
        started_at: started_at.clone(),
        finished_at: finished_at.clone(),
        timings: timings.clone(),
        all_containers: *all_containers,
        containers_scanned: *containers_scanned,
        images_scanned: *images_scanned,
        notes: notes.clone(),
        sections: sections.clone(),
        results: Vec::new(),
        summary: summary.clone(),
        filtered: filtered.clone(),
        waivers: waivers.clone(),
        baseline: baseline.clone(),
    };
    let mut safe = crate::term::safe_copy(&header);
    safe.results = results.iter().map(crate::term::safe_copy).collect();
    safe
}

/// [`render_to`] with the terminal report's options (view, colour, remediation).
pub fn render_to_with(
    report: &Report,
    format: Format,
    text: &text::TextOptions,
    out: &mut dyn std::io::Write,
) -> std::io::Result<()> {
    match format {
        // serde writes a token at a time: through a buffer of a known type they are copied
        // inline, not each one a call through `dyn Write` (SARIF: 15 % of its render).
        Format::Json | Format::Sarif => {
            let mut buf = std::io::BufWriter::with_capacity(1 << 16, &mut *out);
            if format == Format::Json {
                serde_json::to_writer_pretty(&mut buf, report)?;
            } else {
                sarif::write(report, &mut buf)?;
            }
            std::io::Write::flush(&mut buf)?;
        }
        Format::Html => return html::write(report, out),
        // Scanned strings reach a terminal here: escaped at this boundary (see `term`).
        Format::Text => return text::write_with(&terminal_safe(report), text, out),
        Format::Csv => return csv::write(report, out),
        other => return out.write_all(render_with(report, other, text).as_bytes()),
    }
    out.write_all(b"\n")
}

#[cfg(test)]
mod write_tests {
    use super::*;

    #[test]
    fn streamed_output_is_the_rendered_text() {
        let text = include_str!("../../tests/fixtures/reports/risky-report.json");
        let report = json::parse(text).unwrap();
        for format in Format::ALL {
            let mut out = Vec::new();
            render_to(&report, format, false, &mut out).unwrap();
            assert_eq!(
                String::from_utf8(out).unwrap(),
                render(&report, format, false),
                "{}",
                format.name()
            );
        }
    }

    #[test]
    fn the_terminal_safe_copy_escapes_header_and_results_as_the_whole_copy_does() {
        let text = include_str!("../../tests/fixtures/reports/risky-report.json");
        let mut report = json::parse(text).unwrap();
        report.host.hostname = "host\x1b]0;pwned\x07".into();
        report.notes.push("note \u{202e}evil".into());
        let r = &mut report.results[0];
        r.reason = "line one\nline two\x1b[2J".into();
        r.findings.push(Finding {
            object: "web\x1b[31m".into(),
            value: "PASS\rWARN".into(),
            ..Finding::default()
        });
        let safe = terminal_safe(&report);
        assert_eq!(safe, crate::term::safe_copy(&report));
        assert_eq!(safe.host.hostname, "host\\e]0;pwned\\x07");
        assert_eq!(safe.results[0].reason, "line one\nline two\\e[2J");
        let f = safe.results[0].findings.last().unwrap();
        assert_eq!(
            (f.object.as_str(), f.value.as_str()),
            ("web\\e[31m", "PASS\\rWARN")
        );
    }
}
