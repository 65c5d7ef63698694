//! The typed facts a scan evaluates. Engine API objects keep Docker's own field names
//! (`HostConfig.Privileged`) so anyone who knows `docker inspect` can read and write checks.
//! Every field is always present when serialised (no skipping), so CEL expressions never
//! trip over a missing key; `null` means "not known".
#![allow(non_snake_case)]

mod container;
mod daemon;
mod host;
mod image;
mod status;

pub use container::*;
pub use daemon::*;
pub use host::*;
pub use image::*;
pub use status::{Cause, FactStatus, ScanMode, State};

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// Bumped whenever a change makes older snapshot files unreadable or misleading. Version 2:
/// typed fact status (`FactStatus`) in every fact group; version 1 files are upgraded when
/// read (`Snapshot::from_json`).
pub const FORMAT_VERSION: u32 = 2;

/// Everything a scan knows about one host, gathered once.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema)]
#[serde(default)]
pub struct Snapshot {
    /// Snapshot file format version (see `FORMAT_VERSION`).
    pub format_version: u32,
    /// dockbench version that collected it.
    pub tool_version: String,
    /// Where the facts came from.
    pub source: Source,
    /// RFC 3339 time when collection started and ended.
    pub started_at: String,
    pub finished_at: String,
    pub host: Host,
    pub daemon: Daemon,
    pub containers: Vec<Container>,
    pub images: Vec<Image>,
    /// Scope of the container list: running only, or all.
    pub all_containers: bool,
    /// Scope of the image list: images in use only, or all (`--all-images`).
    pub all_images: bool,
    /// Things worth knowing about the collection (a container that vanished, a fact skipped).
    pub notes: Vec<String>,
    /// What the daemon failed to answer (`n of m containers could not be inspected: …`): the
    /// scan is partial, its affected checks ERROR, and `scan` exits with code 3.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub faults: Vec<String>,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Mode {
    /// Engine API of a running daemon plus the local host.
    #[default]
    Live,
    /// A mounted clone of a host's disk (`--root`).
    Root,
    /// A snapshot file written by `dockbench collect`.
    Snapshot,
}

impl std::fmt::Display for Mode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Mode::Live => "live",
            Mode::Root => "root",
            Mode::Snapshot => "snapshot",
        })
    }
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(default)]
pub struct Source {
    pub mode: Mode,
    /// Daemon address, root directory or snapshot path.
    pub location: String,
}

impl Snapshot {
    /// A snapshot from its JSON (`dockbench collect`'s output, format 1 or 2). Errors: not
    /// JSON or not a snapshot, a format version this build does not know, a field of the
    /// wrong type.
    pub fn from_json(text: &str) -> Result<Snapshot, SnapshotError> {
        /// Only the version; the rest is skipped without being built.
        #[derive(Deserialize)]
        struct Version {
            format_version: Option<serde_json::Value>,
        }
        // The current format straight into the types: through a JSON tree first, the tree was
        // the peak of a 10,000-container scan (several times the snapshot's size) and a fifth
        // of its reading. Only an object (serde would take `[2]` for a struct), and whatever
        // the direct read refuses goes through the tree as before: the same errors, and a
        // duplicate key is the last one's value as it was.
        if text.trim_start().starts_with('{')
            && let Ok(Version {
                format_version: Some(v),
            }) = serde_json::from_str::<Version>(text)
            && v.as_u64() == Some(u64::from(FORMAT_VERSION))
            && let Ok(snap) = serde_json::from_str(text)
        {
            return Ok(snap);
        }
        let raw: serde_json::Value =
            serde_json::from_str(text).map_err(|e| SnapshotError::Parse(e.to_string()))?;
        let version = raw.get("format_version").and_then(|v| v.as_u64());
        let mut raw = raw;
        match version {
            Some(v) if v == FORMAT_VERSION as u64 => {}
            Some(1) => upgrade_v1(&mut raw),
            Some(v) => return Err(SnapshotError::Version(v)),
            None => return Err(SnapshotError::NotASnapshot),
        }
        serde_json::from_value(raw).map_err(|e| SnapshotError::Parse(e.to_string()))
    }
}

/// Format 1 → 2 where names changed: a file's `Error` and the firewall's `RulesAvailable`
/// become the flattened status (`Available`, `Reason`). Statuses without `State` are read by
/// their wording when deserialised (`FactStatus::from_v1`).
fn upgrade_v1(raw: &mut serde_json::Value) {
    use serde_json::Value;
    fn file(f: &mut Value) {
        let Some(obj) = f.as_object_mut() else { return };
        if !obj.contains_key("Available") {
            let error = match obj.remove("Error") {
                Some(Value::String(e)) => e,
                _ => String::new(),
            };
            obj.insert("Available".into(), Value::Bool(error.is_empty()));
            obj.insert("Reason".into(), Value::String(error));
        }
        if let Some(Value::Array(drop_ins)) = obj.get_mut("DropIns") {
            drop_ins.iter_mut().for_each(file);
        }
    }
    let Some(host) = raw.get_mut("host").and_then(Value::as_object_mut) else {
        return;
    };
    if let Some(Value::Object(files)) = host.get_mut("Files") {
        files.values_mut().for_each(file);
    }
    if let Some(Value::Array(certs)) = host.get_mut("RegistryCerts") {
        certs.iter_mut().for_each(file);
    }
    if let Some(Value::Object(fw)) = host.get_mut("Firewall")
        && !fw.contains_key("Available")
    {
        let rules = fw.remove("RulesAvailable").unwrap_or(Value::Bool(false));
        // Format 1 put ufw.conf's read error first in the one `Reason`.
        let reason = fw
            .get("Reason")
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_string();
        let (ufw, rest) = match reason.strip_prefix("cannot read /etc/ufw") {
            Some(_) => match reason.split_once("; ") {
                Some((ufw, rest)) => (ufw.to_string(), rest.to_string()),
                None => (reason.clone(), String::new()),
            },
            None => (String::new(), reason.clone()),
        };
        let ufw = serde_json::json!({"Available": ufw.is_empty(), "Reason": ufw});
        fw.insert("UfwStatus".into(), ufw);
        fw.insert("Reason".into(), Value::String(rest));
        fw.insert("Available".into(), rules);
    }
}

#[derive(Debug, thiserror::Error)]
pub enum SnapshotError {
    #[error("not valid JSON or not a dockbench snapshot: {0}")]
    Parse(String),
    #[error(
        "snapshot format version {0} is not supported by this dockbench (reads version {FORMAT_VERSION}); collect it again with this version"
    )]
    Version(u64),
    #[error("not a dockbench snapshot: no \"format_version\" field")]
    NotASnapshot,
}

/// Removes `null` members from JSON objects, so `#[serde(default)]` fills them: Docker
/// writes `"CapAdd": null` where we want an empty list.
pub fn strip_nulls(value: &mut serde_json::Value) {
    match value {
        serde_json::Value::Object(map) => {
            map.retain(|_, v| !v.is_null());
            map.values_mut().for_each(strip_nulls);
        }
        serde_json::Value::Array(items) => items.iter_mut().for_each(strip_nulls),
        _ => {}
    }
}

#[cfg(test)]
mod read_tests {
    use super::*;

    /// The current format read straight into the types is what reading it through a JSON
    /// tree gave (the fixtures are format 1: written back as `collect` writes them).
    #[test]
    fn the_current_format_reads_as_through_a_tree() {
        for fixture in [
            include_str!("../../tests/fixtures/snapshots/risky.json"),
            include_str!("../../tests/fixtures/snapshots/clean.json"),
            include_str!("../../tests/fixtures/snapshots/host.json"),
            include_str!("../../tests/fixtures/v2/files-snapshot.json"),
        ] {
            let mut snap = Snapshot::from_json(fixture).unwrap();
            snap.format_version = FORMAT_VERSION;
            let text = serde_json::to_string(&snap).unwrap();
            let tree: serde_json::Value = serde_json::from_str(&text).unwrap();
            assert_eq!(tree["format_version"], FORMAT_VERSION);
            let through_tree: Snapshot = serde_json::from_value(tree).unwrap();
            let json = |s: &Snapshot| serde_json::to_value(s).unwrap();
            assert_eq!(
                json(&Snapshot::from_json(&text).unwrap()),
                json(&through_tree)
            );
        }
    }

    /// A key given twice is its last value, as through the tree (serde's derived structs
    /// refuse it when read directly).
    #[test]
    fn a_duplicate_key_is_its_last_value() {
        let text = r#"{"format_version": 2, "all_containers": true, "all_containers": false,
            "containers": [{"Id": "a", "HostConfig": {"Privileged": false, "Privileged": true}}]}"#;
        let snap = Snapshot::from_json(text).unwrap();
        assert!(!snap.all_containers);
        assert!(snap.containers[0].HostConfig.Privileged);
    }

    #[test]
    fn what_is_not_a_current_snapshot_is_told_apart() {
        assert!(matches!(
            Snapshot::from_json(r#"{"format_version": 99}"#),
            Err(SnapshotError::Version(99))
        ));
        for text in ["[]", "[2]", "{}", r#"{"format_version": "2"}"#] {
            assert!(matches!(
                Snapshot::from_json(text),
                Err(SnapshotError::NotASnapshot)
            ));
        }
        assert!(matches!(
            Snapshot::from_json(r#"{"format_version": 2, "containers": 7}"#),
            Err(SnapshotError::Parse(_))
        ));
        assert!(matches!(
            Snapshot::from_json("{"),
            Err(SnapshotError::Parse(_))
        ));
    }
}
