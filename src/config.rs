//! The configuration file (`dockbench.toml`): defaults for `scan`'s flags, include/exclude
//! filters and waivers. Read only when named (`--config PATH` or `DOCKBENCH_CONFIG`), never
//! implicitly from the working directory, so an unattended run does exactly what its command
//! line says. Precedence: command line > configuration file > built-in default.
//!
//! Unknown keys are errors (a typo must not silently turn a setting off), and every error
//! names the file, line and column.
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;
use toml::Spanned;

use crate::engine::filter::{Filters, LabelMatch, NameGlob, ObjectFilter};
use crate::engine::waivers::Waiver;

/// `benchmark = "cis-docker-1.6.0"` or a list run together.
#[derive(Debug, Deserialize)]
#[serde(untagged)]
enum OneOrMany {
    One(String),
    Many(Vec<String>),
}

/// The file as written.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct Raw {
    host: Option<String>,
    host_label: Option<String>,
    include_self: Option<bool>,
    all: Option<bool>,
    all_images: Option<bool>,
    benchmark: Option<OneOrMany>,
    checks_dir: Option<Vec<PathBuf>>,
    check: Option<Vec<String>>,
    skip: Option<Vec<String>>,
    level: Option<Spanned<u8>>,
    scored_only: Option<bool>,
    trusted_users: Option<Vec<String>>,
    format: Option<Spanned<String>>,
    output: Option<BTreeMap<String, Spanned<PathBuf>>>,
    fail_on: Option<Spanned<String>>,
    min_score: Option<i64>,
    baseline: Option<PathBuf>,
    fail_on_new: Option<bool>,
    quiet: Option<bool>,
    no_color: Option<bool>,
    view: Option<Spanned<String>>,
    remediation: Option<bool>,
    timeout: Option<Spanned<i64>>,
    containers: Option<RawFilter>,
    images: Option<RawFilter>,
    #[serde(default)]
    waiver: Vec<RawWaiver>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFilter {
    #[serde(default)]
    include: Vec<Spanned<String>>,
    #[serde(default)]
    exclude: Vec<Spanned<String>>,
    #[serde(default)]
    include_labels: Vec<Spanned<String>>,
    #[serde(default)]
    exclude_labels: Vec<Spanned<String>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawWaiver {
    check: Spanned<String>,
    container: Option<Spanned<String>>,
    image: Option<Spanned<String>>,
    label: Option<Spanned<String>>,
    reason: Spanned<String>,
    expires: Option<Spanned<toml::value::Datetime>>,
}

/// The configuration, checked and compiled: the scan settings it sets (the same type the
/// command line fills, flags winning), and what only the file has.
#[derive(Debug, Default)]
pub struct Config {
    /// Defaults of `scan`'s settings (the command line is put over them).
    pub scan: crate::scan::ScanLayer,
    /// `[output]`: a command-line `-o` of the same format replaces the file's.
    pub output: Vec<(crate::report::Format, PathBuf)>,
    pub filters: Filters,
    pub waivers: Vec<Waiver>,
}

/// `path:line:column: message`.
#[derive(Debug, thiserror::Error)]
#[error("{path}:{line}:{column}: {message}")]
pub struct ConfigError {
    pub path: String,
    pub line: usize,
    pub column: usize,
    pub message: String,
}

/// 1-based line and column (in characters) of byte offset `at`.
fn position(text: &str, at: usize) -> (usize, usize) {
    let at = at.min(text.len());
    let before = &text[..text.floor_char_boundary(at)];
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().unwrap_or("").chars().count() + 1;
    (line, column)
}

/// Reads and checks a configuration file. Relative paths in it (outputs, `baseline`,
/// `checks_dir`) are relative to the file's directory, not to wherever the timer runs it.
pub fn load(path: &Path) -> Result<Config, String> {
    // Bounded: `--config /dev/zero` (or DOCKBENCH_CONFIG pointing at a device) is an error,
    // not a read that never ends.
    let text = crate::output::read_input(path)
        .map_err(|e| format!("cannot read configuration {}: {e}", path.display()))?;
    let mut config = parse(&text, &path.display().to_string()).map_err(|e| e.to_string())?;
    let base = path.parent().unwrap_or(Path::new(""));
    let anchor = |p: &mut PathBuf| {
        if p.is_relative() {
            *p = base.join(&*p);
        }
    };
    config.output.iter_mut().for_each(|(_, p)| anchor(p));
    config.scan.checks_dirs.iter_mut().for_each(anchor);
    if let Some(p) = config.scan.baseline.as_mut() {
        anchor(p);
    }
    Ok(config)
}

/// Parses configuration text; `name` is used in messages and waiver origins.
pub fn parse(text: &str, name: &str) -> Result<Config, ConfigError> {
    let err = |at: usize, message: String| {
        let (line, column) = position(text, at);
        ConfigError {
            path: name.to_string(),
            line,
            column,
            message,
        }
    };
    let raw: Raw = toml::from_str(text).map_err(|e| {
        err(
            e.span().map_or(0, |s| s.start),
            e.message().trim().to_string(),
        )
    })?;
    let non_empty = |v: &Spanned<String>, what: &str| -> Result<String, ConfigError> {
        if v.get_ref().trim().is_empty() {
            Err(err(v.span().start, format!("{what} must not be empty")))
        } else {
            Ok(v.get_ref().clone())
        }
    };
    let level = match raw.level {
        None => None,
        Some(l) => Some(match *l.get_ref() {
            1 => crate::scan::ProfileLevel::One,
            2 => crate::scan::ProfileLevel::Two,
            n => return Err(err(l.span().start, format!("level {n}: expected 1 or 2"))),
        }),
    };
    let format = match &raw.format {
        None => None,
        Some(f) => Some(
            f.get_ref()
                .parse::<crate::report::Format>()
                .map_err(|e| err(f.span().start, e))?,
        ),
    };
    let view = match &raw.view {
        None => None,
        Some(v) => Some(
            crate::report::text::TextView::ALL
                .into_iter()
                .find(|t| t.name() == v.get_ref())
                .ok_or_else(|| {
                    err(
                        v.span().start,
                        format!("view '{}': expected summary, findings or full", v.get_ref()),
                    )
                })?,
        ),
    };
    let timeout = match &raw.timeout {
        None => None,
        Some(t) => match u64::try_from(*t.get_ref()) {
            Ok(secs) if secs >= 1 => Some(secs),
            _ => {
                return Err(err(
                    t.span().start,
                    format!("timeout {}: expected seconds, at least 1", t.get_ref()),
                ));
            }
        },
    };
    let mut output = Vec::new();
    for (key, path) in raw.output.iter().flatten() {
        let format = key
            .parse::<crate::report::Format>()
            .map_err(|e| err(path.span().start, format!("[output] {e}")))?;
        output.push((format, path.get_ref().clone()));
    }
    let fail_on = match &raw.fail_on {
        None => None,
        Some(f) => Some(f.get_ref().parse::<crate::scan::FailOn>().map_err(|_| {
            err(
                f.span().start,
                format!(
                    "fail_on '{}': expected info, warn, error, critical, high, medium or low",
                    f.get_ref()
                ),
            )
        })?),
    };
    let filter = |raw: Option<RawFilter>, table: &str| -> Result<ObjectFilter, ConfigError> {
        let raw = raw.unwrap_or_default();
        let globs = |list: &[Spanned<String>]| -> Result<Vec<NameGlob>, ConfigError> {
            list.iter()
                .map(|g| {
                    NameGlob::new(g.get_ref())
                        .map_err(|e| err(g.span().start, format!("[{table}] {e}")))
                })
                .collect()
        };
        let labels = |list: &[Spanned<String>]| -> Result<Vec<LabelMatch>, ConfigError> {
            list.iter()
                .map(|l| {
                    LabelMatch::parse(l.get_ref())
                        .map_err(|e| err(l.span().start, format!("[{table}] {e}")))
                })
                .collect()
        };
        Ok(ObjectFilter {
            include: globs(&raw.include)?,
            exclude: globs(&raw.exclude)?,
            include_labels: labels(&raw.include_labels)?,
            exclude_labels: labels(&raw.exclude_labels)?,
        })
    };
    let filters = Filters {
        containers: filter(raw.containers, "containers")?,
        images: filter(raw.images, "images")?,
    };
    let mut waivers = Vec::new();
    for w in raw.waiver {
        let (line, _) = position(text, w.check.span().start);
        let check = non_empty(&w.check, "waiver check")?;
        let reason = non_empty(&w.reason, "waiver reason")?;
        let glob = |g: &Option<Spanned<String>>| -> Result<Option<NameGlob>, ConfigError> {
            g.as_ref()
                .map(|g| NameGlob::new(g.get_ref()).map_err(|e| err(g.span().start, e)))
                .transpose()
        };
        let label = w
            .label
            .as_ref()
            .map(|l| LabelMatch::parse(l.get_ref()).map_err(|e| err(l.span().start, e)))
            .transpose()?;
        let expires = match &w.expires {
            None => None,
            Some(d) => match (d.get_ref().date, d.get_ref().time) {
                (Some(date), None) => Some(
                    chrono::NaiveDate::from_ymd_opt(
                        date.year.into(),
                        date.month.into(),
                        date.day.into(),
                    )
                    .ok_or_else(|| err(d.span().start, "expires: not a valid date".into()))?,
                ),
                _ => {
                    return Err(err(
                        d.span().start,
                        "expires: expected a date such as 2027-03-31 (no time)".into(),
                    ));
                }
            },
        };
        waivers.push(Waiver {
            check,
            container: glob(&w.container)?,
            image: glob(&w.image)?,
            label,
            reason,
            expires,
            origin: format!("{name}:{line}"),
        });
    }
    Ok(Config {
        scan: crate::scan::ScanLayer {
            benchmarks: match raw.benchmark {
                None => Vec::new(),
                Some(OneOrMany::One(b)) => vec![b],
                Some(OneOrMany::Many(list)) => list,
            },
            checks_dirs: raw.checks_dir.unwrap_or_default(),
            check: raw.check.unwrap_or_default(),
            skip: raw.skip.unwrap_or_default(),
            level,
            scored_only: raw.scored_only,
            trusted_users: raw.trusted_users.unwrap_or_default(),
            all: raw.all,
            all_images: raw.all_images,
            include_self: raw.include_self,
            host_label: raw.host_label,
            baseline: raw.baseline,
            fail_on,
            min_score: raw.min_score,
            fail_on_new: raw.fail_on_new,
            host: raw.host,
            timeout,
            format,
            quiet: raw.quiet,
            no_color: raw.no_color,
            view,
            remediation: raw.remediation,
        },
        output,
        filters,
        waivers,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn error_of(text: &str) -> ConfigError {
        parse(text, "t.toml").unwrap_err()
    }

    #[test]
    fn unknown_keys_are_errors_with_position() {
        let e = error_of("level = 1\nbenchmrk = \"x\"\n");
        assert_eq!((e.line, e.column), (2, 1), "{e}");
        assert!(e.message.contains("unknown field `benchmrk`"), "{e}");
        let e = error_of("[[waiver]]\ncheck = \"5.4\"\nreason = \"r\"\ncontainr = \"x\"\n");
        assert_eq!((e.line, e.column), (4, 1), "{e}");
        assert!(
            e.to_string()
                .starts_with("t.toml:4:1: unknown field `containr`")
        );
    }

    #[test]
    fn semantic_errors_point_at_the_value() {
        let e = error_of("level = 3\n");
        assert_eq!((e.line, e.column), (1, 9));
        let e = error_of("\n[output]\npdf = \"x.pdf\"\n");
        assert_eq!((e.line, e.column), (3, 7));
        assert!(e.message.contains("unknown format 'pdf'"));
        let e = error_of("[[waiver]]\ncheck = \"5.4\"\nreason = \"  \"\n");
        assert_eq!((e.line, e.column), (3, 10));
        let e = error_of("[[waiver]]\ncheck = \"5.4\"\n");
        assert!(e.message.contains("missing field `reason`"), "{e}");
        let e = error_of("[[waiver]]\ncheck = \"5.4\"\nreason = \"r\"\nexpires = \"soon\"\n");
        assert_eq!(e.line, 4, "{e}");
        let e = error_of("[containers]\nexclude = [\"ok\", \"[bad\"]\n");
        assert_eq!((e.line, e.column), (2, 18), "{e}");
        let e = error_of("fail_on = \"sometimes\"\n");
        assert!(
            e.message
                .contains("expected info, warn, error, critical, high, medium or low")
        );
    }

    #[test]
    fn waiver_from_the_issue_parses() {
        let c = parse(
            "[[waiver]]\ncheck = \"5.16\"\ncontainer = \"metrics-agent\"\nreason = \"reads per-process metrics of the host\"\nexpires = 2027-03-31\n",
            "d.toml",
        )
        .unwrap();
        let w = &c.waivers[0];
        assert_eq!(w.check, "5.16");
        assert_eq!(w.expires.unwrap().to_string(), "2027-03-31");
        assert_eq!(w.origin, "d.toml:2");
        assert!(w.container.as_ref().unwrap().matches("metrics-agent"));
    }

    #[test]
    fn the_shipped_example_parses() {
        let text = include_str!("../docs/dockbench.example.toml");
        let c = parse(text, "dockbench.example.toml").unwrap();
        assert!(!c.waivers.is_empty());
        assert!(!c.filters.is_empty());
        assert!(!c.output.is_empty());
    }

    #[test]
    fn view_remediation_and_timeout_are_settings_of_the_file() {
        let c = parse(
            "view = \"full\"\nremediation = true\ntimeout = 90\n",
            "t.toml",
        )
        .unwrap();
        assert_eq!(c.scan.view, Some(crate::report::text::TextView::Full));
        assert_eq!(c.scan.remediation, Some(true));
        assert_eq!(c.scan.timeout, Some(90));
        let e = error_of("view = \"everything\"\n");
        assert_eq!((e.line, e.column), (1, 8), "{e}");
        assert!(
            e.message.contains("expected summary, findings or full"),
            "{e}"
        );
        for bad in ["timeout = 0\n", "timeout = -5\n"] {
            let e = error_of(bad);
            assert!(e.message.contains("at least 1"), "{bad}: {e}");
        }
    }

    #[test]
    fn position_counts_characters() {
        assert_eq!(position("ab\ncdé x", 8), (2, 5));
        assert_eq!(position("", 0), (1, 1));
    }
}
