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
    /// What the terminal report shows (text format only).
    #[arg(long, value_enum, value_name = "VIEW", default_value_t = TextView::Findings)]
    pub view: TextView,
    /// Add each finding's remediation to the terminal report.
    #[arg(long)]
    pub remediation: bool,
}

impl TextArgs {
    pub fn options(&self, color: bool) -> crate::report::text::TextOptions {
        crate::report::text::TextOptions {
            color,
            view: self.view,
            remediation: self.remediation,
        }
    }
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
