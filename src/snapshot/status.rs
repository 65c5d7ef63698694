//! Whether a group of facts could be had: the one status type of every fact group.
//!
//! In Rust it is an enum; in JSON and CEL it is a flat object with the same five fields
//! everywhere, so expressions never trip over a missing key:
//!
//! ```text
//! { "Available": bool,
//!   "State":     "available" | "unavailable" | "not_in_mode",
//!   "Reason":    string,                       // "" when available
//!   "Cause":     "" | "permission" | "unreadable" | "parse" | "daemon" | "other",
//!   "ScanMode":  "" | "offline" | "remote" | "engine" }
//! ```
//!
//! Fact groups embed it flattened (`host.Audit.Available`, `host.Audit.State`); standalone
//! statuses are objects of their own (`daemon.InfoStatus.State`). Checks turn `not_in_mode`
//! into SKIP and `unavailable` into ERROR by `State`, never by the wording of `Reason`.
use std::borrow::Cow;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// The kind of scan a fact cannot exist in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum ScanMode {
    /// A mounted clone of a host's disk (`--root`): nothing runs, no daemon answers.
    Offline,
    /// A daemon on another host: the scanner's host facts are not its host's.
    Remote,
    /// An engine without the fact (Podman has no `/system/df` of Docker's shape).
    Engine,
}

impl ScanMode {
    /// The phrase reasons of this mode end with (`daemon info (/info): not available in an
    /// offline scan`).
    pub fn phrase(self) -> &'static str {
        match self {
            ScanMode::Offline => "not available in an offline scan",
            ScanMode::Remote => "not available for a remote daemon",
            ScanMode::Engine => "not available for this engine",
        }
    }
}

/// Why a fact that should exist could not be read.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Cause {
    /// The scanner lacks the permission (EACCES, `auditctl` needs root).
    Permission,
    /// Missing or unreadable for another reason (I/O error, no such tool, no process).
    Unreadable,
    /// Read, but not understood (a malformed daemon.json, a truncated config.v2.json).
    Parse,
    /// The daemon answered with an error or not at all.
    Daemon,
    /// Not classified (statuses of format-1 snapshots, facts never gathered).
    #[default]
    Other,
}

/// Whether a group of facts could be gathered, and if not, why. See the module docs for
/// its JSON/CEL shape.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FactStatus {
    Available,
    /// The fact exists in this kind of scan but could not be read: checks report ERROR.
    Unavailable {
        cause: Cause,
        reason: String,
    },
    /// The fact cannot exist in this kind of scan: checks report SKIP.
    NotInMode {
        mode: ScanMode,
        reason: String,
    },
}

impl Default for FactStatus {
    /// A fact nobody gathered: unavailable, unclassified, no reason.
    fn default() -> Self {
        FactStatus::Unavailable {
            cause: Cause::Other,
            reason: String::new(),
        }
    }
}

impl FactStatus {
    pub fn available() -> Self {
        FactStatus::Available
    }

    /// Could not be read, cause not classified.
    pub fn unavailable(reason: impl Into<String>) -> Self {
        Self::unreadable(Cause::Other, reason)
    }

    /// Could not be read, for `cause`.
    pub fn unreadable(cause: Cause, reason: impl Into<String>) -> Self {
        FactStatus::Unavailable {
            cause,
            reason: reason.into(),
        }
    }

    /// From an I/O error: `Permission` for EACCES/EPERM, else `Unreadable`.
    pub fn io(reason: impl Into<String>, error: &std::io::Error) -> Self {
        let cause = if error.kind() == std::io::ErrorKind::PermissionDenied {
            Cause::Permission
        } else {
            Cause::Unreadable
        };
        Self::unreadable(cause, reason)
    }

    /// `what` cannot exist in a `mode` scan: reason "WHAT: not available in an offline scan".
    pub fn not_in_mode(mode: ScanMode, what: &str) -> Self {
        FactStatus::NotInMode {
            mode,
            reason: format!("{what}: {}", mode.phrase()),
        }
    }

    /// `what` cannot be read from a disk clone (checks that need it SKIP).
    pub fn offline(what: &str) -> Self {
        Self::not_in_mode(ScanMode::Offline, what)
    }

    pub fn is_available(&self) -> bool {
        matches!(self, FactStatus::Available)
    }

    /// "" when available.
    pub fn reason(&self) -> &str {
        match self {
            FactStatus::Available => "",
            FactStatus::Unavailable { reason, .. } | FactStatus::NotInMode { reason, .. } => reason,
        }
    }

    /// The same status with another reason text (a check naming what it could not know).
    pub fn with_reason(&self, text: impl Into<String>) -> Self {
        match self {
            FactStatus::Available => FactStatus::Available,
            FactStatus::Unavailable { cause, .. } => FactStatus::Unavailable {
                cause: *cause,
                reason: text.into(),
            },
            FactStatus::NotInMode { mode, .. } => FactStatus::NotInMode {
                mode: *mode,
                reason: text.into(),
            },
        }
    }

    /// Reads a format-1 status (`Available` and `Reason` only): the reason's wording was then
    /// the only sign of a fact an offline scan cannot have. Used for old files only.
    pub fn from_v1(available: bool, reason: String) -> Self {
        if available {
            FactStatus::Available
        } else if reason.contains(ScanMode::Offline.phrase()) {
            FactStatus::NotInMode {
                mode: ScanMode::Offline,
                reason,
            }
        } else {
            let lower = reason.to_ascii_lowercase();
            let cause = if lower.contains("permission denied") || lower.contains("must be root") {
                Cause::Permission
            } else {
                Cause::Other
            };
            FactStatus::Unavailable { cause, reason }
        }
    }
}

/// `State` of the JSON/CEL form.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum State {
    /// The facts were gathered.
    Available,
    /// They should exist but could not be read (checks: ERROR).
    Unavailable,
    /// They cannot exist in this kind of scan (checks: SKIP).
    NotInMode,
}

/// The JSON/CEL form of [`FactStatus`], for its schema (every field always written).
#[derive(JsonSchema)]
#[allow(non_snake_case, dead_code)]
struct FactStatusRepr {
    /// The facts were gathered (`State == "available"`).
    Available: bool,
    /// "available", "unavailable" (checks: ERROR) or "not_in_mode" (checks: SKIP).
    State: State,
    /// Why not, "" when available.
    Reason: String,
    /// For "unavailable": "permission", "unreadable", "parse", "daemon" or "other"; else "".
    Cause: String,
    /// For "not_in_mode": "offline", "remote" or "engine"; else "".
    ScanMode: String,
}

impl Serialize for FactStatus {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let (state, cause, mode) = match self {
            FactStatus::Available => ("available", "", ""),
            FactStatus::Unavailable { cause, .. } => ("unavailable", cause_str(*cause), ""),
            FactStatus::NotInMode { mode, .. } => ("not_in_mode", "", mode_str(*mode)),
        };
        let mut st = s.serialize_struct("FactStatus", 5)?;
        st.serialize_field("Available", &self.is_available())?;
        st.serialize_field("State", state)?;
        st.serialize_field("Reason", self.reason())?;
        st.serialize_field("Cause", cause)?;
        st.serialize_field("ScanMode", mode)?;
        st.end()
    }
}

fn cause_str(c: Cause) -> &'static str {
    match c {
        Cause::Permission => "permission",
        Cause::Unreadable => "unreadable",
        Cause::Parse => "parse",
        Cause::Daemon => "daemon",
        Cause::Other => "other",
    }
}

fn mode_str(m: ScanMode) -> &'static str {
    match m {
        ScanMode::Offline => "offline",
        ScanMode::Remote => "remote",
        ScanMode::Engine => "engine",
    }
}

impl<'de> Deserialize<'de> for FactStatus {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        // "" for Cause/ScanMode means "none": read them as text.
        #[derive(Deserialize, Default)]
        #[serde(default)]
        #[allow(non_snake_case)]
        struct Raw {
            Available: Option<bool>,
            State: Option<State>,
            Reason: String,
            Cause: String,
            ScanMode: String,
            // Format 1's names in a file's and the firewall's facts.
            Error: Option<String>,
            RulesAvailable: Option<bool>,
        }
        let raw = Raw::deserialize(d)?;
        fn parse<T: serde::de::DeserializeOwned>(text: &str) -> Option<T> {
            serde_json::from_value(serde_json::Value::from(text)).ok()
        }
        // Format-1 fields written over a current status (a hand-edited file, a test patch)
        // are what the writer meant.
        let edited = match (raw.State, raw.Available) {
            _ if raw.Error.as_ref().is_some_and(|e| !e.is_empty()) => true,
            (Some(state), Some(available)) => (state == State::Available) != available,
            _ => false,
        };
        let state = if edited { None } else { raw.State };
        let available = match (&raw.Error, raw.Available) {
            (Some(e), _) if edited && !e.is_empty() => None,
            (_, a) => a,
        };
        let raw = Raw {
            Available: available,
            ..raw
        };
        Ok(match state {
            None => match (raw.Available, raw.Error, raw.RulesAvailable) {
                (Some(available), _, _) => FactStatus::from_v1(available, raw.Reason),
                (None, Some(error), _) => FactStatus::from_v1(error.is_empty(), error),
                (None, None, Some(rules)) => FactStatus::from_v1(rules, raw.Reason),
                (None, None, None) => FactStatus::from_v1(false, raw.Reason),
            },
            Some(State::Available) => FactStatus::Available,
            Some(State::Unavailable) => FactStatus::Unavailable {
                cause: parse(&raw.Cause).unwrap_or_default(),
                reason: raw.Reason,
            },
            Some(State::NotInMode) => FactStatus::NotInMode {
                mode: parse(&raw.ScanMode).unwrap_or(ScanMode::Offline),
                reason: raw.Reason,
            },
        })
    }
}

impl JsonSchema for FactStatus {
    fn schema_name() -> Cow<'static, str> {
        "FactStatus".into()
    }
    fn json_schema(generator: &mut schemars::SchemaGenerator) -> schemars::Schema {
        FactStatusRepr::json_schema(generator)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_shape_is_flat_and_complete() {
        let v = serde_json::to_value(FactStatus::offline("running processes")).unwrap();
        assert_eq!(
            v,
            serde_json::json!({"Available": false, "State": "not_in_mode",
                "Reason": "running processes: not available in an offline scan",
                "Cause": "", "ScanMode": "offline"})
        );
        let v = serde_json::to_value(FactStatus::Available).unwrap();
        assert_eq!(v["State"], "available");
        assert_eq!(v["Reason"], "");
    }

    #[test]
    fn round_trips() {
        for s in [
            FactStatus::Available,
            FactStatus::unreadable(Cause::Permission, "auditctl -l: permission denied"),
            FactStatus::not_in_mode(ScanMode::Remote, "host files"),
            FactStatus::not_in_mode(ScanMode::Engine, "/system/df"),
        ] {
            let text = serde_json::to_string(&s).unwrap();
            assert_eq!(serde_json::from_str::<FactStatus>(&text).unwrap(), s);
        }
    }

    #[test]
    fn format_1_statuses_are_read_by_their_wording() {
        let read = |j: serde_json::Value| serde_json::from_value::<FactStatus>(j).unwrap();
        assert_eq!(
            read(serde_json::json!({"Available": true, "Reason": ""})),
            FactStatus::Available
        );
        assert_eq!(
            read(serde_json::json!({"Available": false,
                "Reason": "daemon info (/info): not available in an offline scan"})),
            FactStatus::offline("daemon info (/info)")
        );
        assert!(matches!(
            read(serde_json::json!({"Available": false, "Reason": "open: permission denied"})),
            FactStatus::Unavailable {
                cause: Cause::Permission,
                ..
            }
        ));
        // Not written at all: unavailable, as format 1's default.
        assert_eq!(read(serde_json::json!({})), FactStatus::default());
    }
}
