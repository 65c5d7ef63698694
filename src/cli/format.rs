//! `--format` and `--output FORMAT=` on the command line: clap's view of [`Format`], which the
//! report module keeps free of clap.
use clap::ValueEnum;
use clap::builder::PossibleValue;

use crate::report::Format;

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
