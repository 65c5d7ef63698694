//! Containers from `<data-root>/containers/<id>/{config.v2.json,hostconfig.json}`, mapped into
//! the fields `docker inspect` shows (the daemon builds its inspect answer from these files).
use serde_json::{Map, Value, json};

use super::super::rootfs::RootFs;
use crate::snapshot::{Container, strip_nulls};

/// The time Go writes for a container that never started.
const ZERO_TIME: &str = "0001-01-01T00:00:00Z";

/// Every container on disk, read concurrently. One whose files are corrupt is kept with
/// `Error` set (its running state is unknown).
pub fn read_all(fs: &RootFs, data_root: &str) -> Result<Vec<Container>, String> {
    let dir = format!("{data_root}/containers");
    let ids: Vec<String> = match fs.read_dir(&dir) {
        Ok(names) => names
            .into_iter()
            .map(|n| n.to_string_lossy().into_owned())
            .filter(|n| !n.starts_with('.'))
            .filter(|n| is_container_dir(fs, &format!("{dir}/{n}")))
            .collect(),
        Err(e) if super::super::rootfs::is_not_found(&e) => Vec::new(),
        Err(e) => return Err(format!("cannot list {dir}: {e}")),
    };
    let mut containers = super::parallel_map(&ids, |id| read_one(fs, &dir, id));
    // Newest first, as `docker ps` lists them.
    containers.sort_by(|a, b| b.Created.cmp(&a.Created).then(a.Id.cmp(&b.Id)));
    Ok(containers)
}

/// A container's directory: a real directory holding config.v2.json or hostconfig.json.
/// Stray files, FIFOs, links and empty directories under `containers/` are not containers.
fn is_container_dir(fs: &RootFs, path: &str) -> bool {
    fs.stat(path, false).is_ok_and(|m| m.is_dir())
        && ["config.v2.json", "hostconfig.json"]
            .iter()
            .any(|f| fs.stat(format!("{path}/{f}"), false).is_ok())
}

fn read_one(fs: &RootFs, dir: &str, id: &str) -> Container {
    let read = |name: &str| -> Result<Value, String> {
        let path = format!("{dir}/{id}/{name}");
        let text = fs
            .read_to_string(&path)
            .map_err(|e| format!("{path}: {e}"))?;
        let value: Value = serde_json::from_str(&text).map_err(|e| format!("{path}: {e}"))?;
        if !value.is_object() {
            return Err(format!("{path}: not a JSON object"));
        }
        Ok(value)
    };
    let (config, host_config) = match (read("config.v2.json"), read("hostconfig.json")) {
        (Ok(c), Ok(h)) => (c, h),
        (Err(e), _) | (_, Err(e)) => return broken(id, e),
    };
    let data_root = dir.trim_end_matches("/containers");
    match to_container(config, host_config, data_root) {
        Ok(c) if c.Id.is_empty() => broken(id, format!("{dir}/{id}/config.v2.json: no ID")),
        // A clone has no running kernel: verdicts come from the configuration.
        Ok(mut c) => {
            c.Kernel.Status = crate::snapshot::FactStatus::offline("running processes");
            c
        }
        Err(e) => broken(id, format!("{dir}/{id}/config.v2.json: {e}")),
    }
}

/// A container whose facts could not be read: every container check reports ERROR for it.
fn broken(id: &str, reason: String) -> Container {
    Container {
        Id: id.to_string(),
        Name: id.chars().take(12).collect(),
        Error: reason,
        ..Container::default()
    }
}

/// config.v2.json + hostconfig.json → the inspect shape.
pub fn to_container(
    mut config: Value,
    host_config: Value,
    data_root: &str,
) -> Result<Container, String> {
    let obj = config.as_object_mut().ok_or("not a JSON object")?;
    let id = obj.remove("ID").unwrap_or(Value::Null);
    obj.insert("Id".into(), id);
    if let Some(name) = obj.get("Name").and_then(Value::as_str) {
        let name = name.trim_start_matches('/').to_string();
        obj.insert("Name".into(), json!(name));
    }
    obj.insert("HostConfig".into(), host_config);
    let mounts = obj
        .remove("MountPoints")
        .and_then(|m| m.as_object().cloned())
        .map(|m| mounts(&m, data_root))
        .unwrap_or_default();
    obj.insert("Mounts".into(), Value::Array(mounts));
    if let Some(state) = obj.get_mut("State").and_then(Value::as_object_mut) {
        let status = status(state);
        state.insert("Status".into(), json!(status));
    }
    strip_nulls(&mut config);
    serde_json::from_value(config).map_err(|e| e.to_string())
}

/// The daemon's state string (moby `container.State.StateString`).
fn status(state: &Map<String, Value>) -> &'static str {
    let flag = |k: &str| state.get(k).and_then(Value::as_bool).unwrap_or(false);
    if flag("Running") {
        if flag("Paused") {
            return "paused";
        }
        if flag("Restarting") {
            return "restarting";
        }
        return "running";
    }
    if flag("RemovalInProgress") {
        return "removing";
    }
    if flag("Dead") {
        return "dead";
    }
    match state.get("StartedAt").and_then(Value::as_str) {
        None | Some("" | ZERO_TIME) => "created",
        Some(_) => "exited",
    }
}

/// `MountPoints` (keyed by destination) as inspect's `Mounts`, sorted by destination. The
/// mode is stored as `Relabel`; a local volume's source is its directory in the data root.
fn mounts(points: &Map<String, Value>, data_root: &str) -> Vec<Value> {
    let mut out: Vec<Value> = points
        .iter()
        .map(|(dest, m)| {
            let s = |k: &str| m.get(k).and_then(Value::as_str).unwrap_or("").to_string();
            let (kind, name, driver) = (s("Type"), s("Name"), s("Driver"));
            let mut source = s("Source");
            if source.is_empty() && kind == "volume" && driver == "local" && !name.is_empty() {
                source = format!("{data_root}/volumes/{name}/_data");
            }
            let destination = match s("Destination") {
                d if d.is_empty() => dest.clone(),
                d => d,
            };
            json!({
                "Type": kind,
                "Name": name,
                "Source": source,
                "Destination": destination,
                "Driver": driver,
                "Mode": s("Relabel"),
                "RW": m.get("RW").and_then(Value::as_bool).unwrap_or(false),
                "Propagation": s("Propagation"),
            })
        })
        .collect();
    out.sort_by(|a, b| a["Destination"].as_str().cmp(&b["Destination"].as_str()));
    out
}

/// In the `docker ps` (running) list: running, not paused, not restarting.
pub fn is_listed_running(c: &Container) -> bool {
    c.State.Running && !c.State.Paused && !c.State.Restarting
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn maps_disk_state_to_inspect_fields() {
        let config = json!({
            "ID": "abc",
            "Name": "/web",
            "Image": "sha256:1",
            "State": {"Running": false, "StartedAt": ZERO_TIME, "Health": null},
            "Config": {"User": "app", "Cmd": ["sh"], "Healthcheck": null},
            "MountPoints": {
                "/data": {"Type": "volume", "Name": "vol", "Driver": "local", "Source": "",
                          "Destination": "/data", "RW": true, "Relabel": "z"},
                "/etc/x": {"Type": "bind", "Source": "/etc", "Destination": "/etc/x", "RW": false}
            },
            "NetworkSettings": {"Ports": {"80/tcp": null}}
        });
        let host = json!({"Privileged": true, "CapAdd": null, "PidsLimit": null});
        let c = to_container(config, host, "/var/lib/docker").unwrap();
        assert_eq!((c.Id.as_str(), c.Name.as_str()), ("abc", "web"));
        assert_eq!(c.State.Status, "created");
        assert!(c.HostConfig.Privileged && c.HostConfig.CapAdd.is_empty());
        assert_eq!(c.HostConfig.PidsLimit, None);
        assert_eq!(c.Mounts[0].Source, "/var/lib/docker/volumes/vol/_data");
        assert_eq!(c.Mounts[0].Mode, "z");
        assert!(!c.Mounts[1].RW);
        assert_eq!(c.Config.User, "app");
        assert!(c.Processes.is_none());
    }

    #[test]
    fn state_strings() {
        let s = |v: Value| status(v.as_object().unwrap());
        assert_eq!(s(json!({"Running": true})), "running");
        assert_eq!(s(json!({"Running": true, "Paused": true})), "paused");
        assert_eq!(
            s(json!({"Running": false, "StartedAt": "2024-01-01T00:00:00Z"})),
            "exited"
        );
        assert_eq!(s(json!({"Dead": true})), "dead");
    }
}
