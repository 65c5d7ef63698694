//! `--format` and `--output FORMAT=` on the command line: clap's view of [`Format`], which the
//! report module keeps free of clap.
use clap::ValueEnum;
use clap::builder::PossibleValue;

use crate::report::Format;
use crate::report::text::TextView;

impl ValueEnum for TextView {
    fn value_variants<'a>() -> &'a [Self] {
        &TextView::ALL
    }

    fn to_possible_value(&self) -> Option<PossibleValue> {
        let help = match self {
            TextView::Summary => "the per-section table, severities and scores",
            TextView::Findings => {
                "the table, then the checks that need attention, most severe first"
            }
            TextView::Full => "every check by section with every offender",
        };
        Some(PossibleValue::new(self.name()).help(help))
    }
}

/// `--view` and `--remediation`: how much the terminal report shows.
#[derive(Debug, Clone, clap::Args)]
pub struct TextArgs {
    /// What the terminal report shows (text format only). Default: findings.
    #[arg(long, value_enum, value_name = "VIEW")]
    pub view: Option<TextView>,
    /// Add each finding's remediation to the terminal report (text format only).
    #[arg(long, overrides_with = "no_remediation")]
    pub remediation: bool,
    /// No remediation in the terminal report (undoes `remediation = true` of the
    /// configuration file).
    #[arg(long, overrides_with = "remediation")]
    pub no_remediation: bool,
}

impl TextArgs {
    /// The text options these flags give (defaults where not given).
    pub fn options(&self, color: bool) -> crate::report::text::TextOptions {
        crate::report::text::TextOptions {
            color,
            view: self.view.unwrap_or_default(),
            remediation: self.remediation,
        }
    }

    /// The flags of these given on the command line, as written (`--view`, `--remediation`).
    pub fn given(&self) -> Vec<&'static str> {
        let mut given = Vec::new();
        if self.view.is_some() {
            given.push("--view");
        }
        if self.remediation {
            given.push("--remediation");
        }
        given
    }
}

/// `--view` and `--remediation` shape only the text report: given on the command line while
/// nothing is rendered as text (`-f json` and no `-o text=…`), they would do nothing, so a
/// one-line note on stderr says so. Not an error: the report asked for is still right, and a
/// wrapper script that always passes `--view` keeps working.
pub fn note_unused_text_flags(given: &[&str], formats: &[Format]) {
    if given.is_empty() || formats.contains(&Format::Text) {
        return;
    }
    let names: Vec<&str> = formats.iter().map(|f| f.name()).collect();
    let what = if given.len() == 1 {
        format!("{} shapes", given[0])
    } else {
        format!("{} shape", given.join(" and "))
    };
    crate::term::error(&format!(
        "note: {what} only the text report; this run renders {} (ignored)",
        if names.is_empty() {
            "nothing".to_string()
        } else {
            names.join(", ")
        }
    ));
}

impl ValueEnum for Format {
    fn value_variants<'a>() -> &'a [Self] {
        &Format::ALL
    }

    fn to_possible_value(&self) -> Option<PossibleValue> {
        Some(PossibleValue::new(self.name()).help(self.summary()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clap_and_from_str_agree() {
        for f in Format::ALL {
            assert_eq!(<Format as ValueEnum>::from_str(f.name(), true), Ok(f));
            assert_eq!(f.name().to_uppercase().parse::<Format>(), Ok(f));
        }
        assert!(
            "nope"
                .parse::<Format>()
                .unwrap_err()
                .contains("docker-bench")
        );
    }
}
