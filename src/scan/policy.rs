//! The two scan settings that are plain choices: the CIS profile level (`--level`, config
//! `level`) and the exit policy threshold (`--fail-on`, config `fail_on`). Defined here, without
//! clap, so the library's [`super::ScanOptions`] does not depend on the command line; `cli/`
//! gives them their flag spelling (clap's `ValueEnum`) from [`ProfileLevel::VALUES`] and
//! [`FailOn::VALUES`].

use crate::engine::check::Level;
use crate::results::Severity;

/// CIS profile level.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProfileLevel {
    /// Level 1 checks (plus the swarm checks, which have their own Level 1 profile).
    One,
    /// Level 1 and Level 2 checks (Level 2 includes Level 1): everything.
    Two,
}

impl ProfileLevel {
    /// Each level with its name on the command line and its help line.
    pub const VALUES: [(ProfileLevel, &'static str, &'static str); 2] = [
        (
            ProfileLevel::One,
            "1",
            "Level 1 checks (plus the swarm checks, which have their own Level 1 profile)",
        ),
        (
            ProfileLevel::Two,
            "2",
            "Level 1 and Level 2 checks (Level 2 includes Level 1): everything",
        ),
    ];

    /// Whether a check of `level` belongs to this profile.
    pub fn includes(self, level: Level) -> bool {
        match self {
            ProfileLevel::One => matches!(level, Level::L1 | Level::Swarm),
            ProfileLevel::Two => true,
        }
    }
}

/// Minimum status (or severity of a WARN) that makes the exit code 1.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum FailOn {
    /// Any INFO, WARN or ERROR.
    Info,
    /// Any WARN or ERROR.
    Warn,
    /// Any ERROR (a check that could not be evaluated).
    Error,
    /// A WARN or ERROR of a critical check.
    Critical,
    /// A WARN or ERROR of a high or critical check.
    High,
    /// A WARN or ERROR of a medium, high or critical check.
    Medium,
    /// A WARN or ERROR of any severity (as `warn`).
    Low,
}

impl FailOn {
    /// Each threshold with its name (command line and config file) and its help line.
    pub const VALUES: [(FailOn, &'static str, &'static str); 7] = [
        (FailOn::Info, "info", "Any INFO, WARN or ERROR"),
        (FailOn::Warn, "warn", "Any WARN or ERROR"),
        (
            FailOn::Error,
            "error",
            "Any ERROR (a check that could not be evaluated)",
        ),
        (
            FailOn::Critical,
            "critical",
            "A WARN or ERROR of a critical check",
        ),
        (
            FailOn::High,
            "high",
            "A WARN or ERROR of a high or critical check",
        ),
        (
            FailOn::Medium,
            "medium",
            "A WARN or ERROR of a medium, high or critical check",
        ),
        (
            FailOn::Low,
            "low",
            "A WARN or ERROR of any severity (as `warn`)",
        ),
    ];

    /// Its name on the command line and in the config file.
    pub fn name(self) -> &'static str {
        FailOn::VALUES
            .iter()
            .find(|(v, _, _)| *v == self)
            .map_or("", |(_, name, _)| name)
    }

    /// The severity threshold of `critical|high|medium|low`; `None` for the statuses.
    pub fn severity(self) -> Option<Severity> {
        match self {
            FailOn::Critical => Some(Severity::Critical),
            FailOn::High => Some(Severity::High),
            FailOn::Medium => Some(Severity::Medium),
            FailOn::Low => Some(Severity::Low),
            FailOn::Info | FailOn::Warn | FailOn::Error => None,
        }
    }
}

/// The names of [`FailOn::VALUES`], case-insensitive (as on the command line).
impl std::str::FromStr for FailOn {
    type Err = ();
    fn from_str(s: &str) -> Result<Self, ()> {
        FailOn::VALUES
            .iter()
            .find(|(_, name, _)| name.eq_ignore_ascii_case(s))
            .map(|(v, _, _)| *v)
            .ok_or(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_parse_case_insensitively() {
        assert_eq!("HIGH".parse(), Ok(FailOn::High));
        assert_eq!("warn".parse(), Ok(FailOn::Warn));
        assert_eq!("loud".parse::<FailOn>(), Err(()));
    }
}
