//! `daemon.Effective[KEY]`: each daemon setting (daemon.json key) as the daemon runs with it,
//! from the strongest evidence there is. What the running daemon reports about itself comes
//! first — `/info` (Debug, SecurityOptions userns/rootless/seccomp, LoggingDriver,
//! LiveRestoreEnabled, ExperimentalBuild, RegistryConfig, Driver, Containerd), the default
//! bridge network's `com.docker.network.bridge.enable_icc`, the sockets its process listens
//! on — then its command line and daemon.json, then dockerd's built-in default. A file or flag
//! that says otherwise than the running daemon is drift, named in the evidence ("daemon.json
//! sets icc=false, the running daemon has icc enabled: restart pending"). A value that cannot
//! be known says why in `Unknown`, a fact status a check's `unknown` returns as it is.
#![allow(non_snake_case)]

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::Serialize;
use serde_json::{Value, json};

use crate::snapshot::{Daemon, FactStatus};

/// One setting of `daemon.Effective`.
#[derive(Debug, Clone, Default, Serialize, JsonSchema)]
pub struct EffectiveSetting {
    /// The value the daemon runs with, in daemon.json's shape (`false`, `"debug"`, a list);
    /// `null` when unknown.
    pub Value: Value,
    /// "daemon" (reported by the running daemon), "flag", "file" or "default" (dockerd's
    /// built-in value); "" when unknown.
    pub Source: String,
    /// Where: the `/info` field or network option, the flag as written, the file's path.
    pub Origin: String,
    /// What the command line, file or default say (`daemon.Config.Settings[KEY].Value`).
    pub Configured: Value,
    /// "" when the value is known; else a fact status (`State`, `Reason`, …) with why: SKIP
    /// when it cannot exist in this kind of scan, ERROR when it could not be read or dockerd
    /// would refuse its configuration. Return it from a check's `unknown` as it is.
    pub Unknown: Value,
    /// `Unknown` is "": the value is known.
    pub Known: bool,
    /// `KEY=VALUE (source: origin)`, with the drift when there is one.
    pub Evidence: String,
    /// The configuration says otherwise than the running daemon, as a sentence; "" when not.
    pub Drift: String,
}

/// The keys with a value even when nothing was collected (so `daemon.Effective['icc']`
/// always exists and says why it is unknown).
const KEYS: &[&str] = &[
    "authorization-plugins",
    "cgroup-parent",
    "containerd",
    "data-root",
    "debug",
    "default-runtime",
    "default-ulimits",
    "experimental",
    "hosts",
    "icc",
    "insecure-registries",
    "ip-forward",
    "iptables",
    "live-restore",
    "log-driver",
    "log-level",
    "log-opts",
    "no-new-privileges",
    "registry-mirrors",
    "rootless",
    "seccomp-profile",
    "selinux-enabled",
    "storage-driver",
    "storage-opts",
    "tls",
    "tlscacert",
    "tlscert",
    "tlskey",
    "tlsverify",
    "userland-proxy",
    "userns-remap",
];

/// Registries the engine always treats as insecure: never a finding, never drift.
const LOOPBACK_REGISTRIES: [&str; 2] = ["127.0.0.0/8", "::1/128"];

/// `daemon.Effective` of `d`.
pub fn effective_settings(d: &Daemon) -> BTreeMap<String, EffectiveSetting> {
    let observed = observed(d);
    let mut keys: Vec<String> = KEYS.iter().map(|k| k.to_string()).collect();
    keys.extend(d.Config.Settings.keys().cloned());
    keys.extend(observed.keys().cloned());
    keys.sort();
    keys.dedup();
    keys.into_iter()
        .map(|k| {
            let e = setting(d, &k, observed.get(&k));
            (k, e)
        })
        .collect()
}

/// Why nothing configured can be known about `key`, or `None`.
fn config_unknown(d: &Daemon, key: &str) -> Option<Value> {
    let c = &d.Config;
    let status = |s: &FactStatus| serde_json::to_value(s).unwrap_or(Value::Null);
    if c.Settings.is_empty() {
        return Some(match &c.CommandLine {
            s if !s.is_available() && !s.reason().is_empty() => status(s),
            _ => json!("daemon settings not collected"),
        });
    }
    if !c.FileError.is_empty() {
        return Some(json!(format!(
            "dockerd would not start with this configuration: {}",
            c.FileError
        )));
    }
    if !c.Refused.is_empty() {
        return Some(json!(c.Refused));
    }
    let s = c.Settings.get(key)?;
    // `-H fd://` serves what systemd hands over: unknown when neither the process's sockets
    // nor the socket unit could be read (a snapshot that predates them says nothing).
    let socket_activated = key == "hosts"
        && s.Value.as_array().is_some_and(|h| {
            h.iter()
                .any(|h| h.as_str().is_some_and(|h| h.starts_with("fd://")))
        });
    if socket_activated
        && c.SocketUnit.is_empty()
        && !c.ListeningStatus.is_available()
        && !c.ListeningStatus.reason().is_empty()
    {
        return Some(status(&c.ListeningStatus.with_reason(format!(
            "dockerd serves the sockets systemd hands it (-H fd://), and neither docker.socket's ListenStream= nor the process's sockets are known: {}",
            c.ListeningStatus.reason()
        ))));
    }
    if s.Source == "default" && !c.CommandLine.is_available() {
        return Some(status(&c.CommandLine.with_reason(format!(
            "{key} may be set on the dockerd command line, which is not known: {}",
            c.CommandLine.reason()
        ))));
    }
    // A variable that could not be expanded may carry any flag: a default, or a list the
    // flag could extend, is not known.
    if !c.Unexpanded.is_empty() && (s.Source == "default" || s.Value.is_array()) {
        return Some(status(&FactStatus::unavailable(format!(
            "{key} may be set by the unit's {}, which cannot be expanded",
            c.Unexpanded.join("; ")
        ))));
    }
    None
}

/// `hosts` configured with a TCP address while more may be served (what `-H fd://` brings is
/// not known, or a variable that could not be expanded may add `-H`): the TCP API is certain,
/// so the known addresses stand, with why the list may be longer. `None` otherwise.
fn partial_hosts(d: &Daemon, unknown: &Option<Value>) -> Option<String> {
    let c = &d.Config;
    if unknown.is_none() || !c.FileError.is_empty() || !c.Refused.is_empty() {
        return None;
    }
    let s = c.Settings.get("hosts").filter(|s| s.Source != "default")?;
    let tcp = s
        .Value
        .as_array()?
        .iter()
        .filter_map(Value::as_str)
        .any(|h| h.starts_with("tcp://") || (!h.is_empty() && !h.contains("://")));
    let why = reason_of(unknown.as_ref()?);
    tcp.then_some(why)
}

fn setting(d: &Daemon, key: &str, observed: Option<&(Value, String)>) -> EffectiveSetting {
    let configured = d.Config.Settings.get(key);
    let mut unknown = config_unknown(d, key);
    let incomplete = match key {
        "hosts" if observed.is_none() => partial_hosts(d, &unknown),
        _ => None,
    };
    if incomplete.is_some() {
        unknown = None;
    }
    // dockerd refusing its configuration is an error whatever the running daemon says: it
    // will not start again with it.
    let refused = !d.Config.FileError.is_empty() || !d.Config.Refused.is_empty();
    let mut e = EffectiveSetting {
        Configured: configured.map(|s| s.Value.clone()).unwrap_or(Value::Null),
        Unknown: json!(""),
        ..EffectiveSetting::default()
    };
    match (observed, configured) {
        (Some((value, origin)), _) if !refused => {
            e.Value = value.clone();
            e.Source = "daemon".into();
            e.Origin = origin.clone();
            // Debug mode configured explains a debug level the daemon reports.
            let debug_configured = key == "log-level"
                && d.Config
                    .Settings
                    .get("debug")
                    .is_some_and(|s| s.Value == json!(true));
            if let Some(c) = configured
                && unknown.is_none()
                && !debug_configured
                && !same(key, &c.Value, value)
            {
                e.Drift = drift(key, c, value, &d.Config.File);
            }
        }
        (_, Some(c)) if unknown.is_none() => {
            e.Value = c.Value.clone();
            e.Source = c.Source.clone();
            e.Origin = c.Origin.clone();
            // With `-H fd://` dockerd serves the sockets systemd hands it.
            if key == "hosts" && !d.Config.SocketUnit.is_empty() {
                let hosts = configured_hosts(d);
                if json!(hosts) != c.Value {
                    e.Value = json!(hosts);
                    e.Origin = format!("{}; fd:// is the ListenStream= of docker.socket", c.Origin);
                }
            }
        }
        (_, None) if unknown.is_none() => {
            e.Source = "default".into();
        }
        _ => {}
    }
    if key == "log-level" && e.Source != "daemon" && unknown.is_none() {
        // dockerd matches levels case-insensitively, and debug mode logs at debug level.
        if let Some(debug) = d.Config.Settings.get("debug")
            && debug.Value == json!(true)
        {
            e.Value = json!("debug");
            e.Origin = format!(
                "debug mode{}",
                if debug.Origin.is_empty() {
                    String::new()
                } else {
                    format!(" by {}", debug.Origin)
                }
            );
            e.Source = debug.Source.clone();
        } else if let Some(level) = e.Value.as_str() {
            e.Value = json!(level.to_ascii_lowercase());
        }
    }
    if let Some(why) = &incomplete {
        e.Origin = format!("{}; more may be served: {why}", e.Origin);
    }
    if let Some(u) = unknown
        && e.Source != "daemon"
    {
        e.Value = Value::Null;
        e.Unknown = u;
        e.Evidence = reason_of(&e.Unknown);
        return e;
    }
    e.Known = true;
    let source = match e.Source.as_str() {
        "daemon" => "running daemon",
        s => s,
    };
    e.Evidence = format!(
        "{key}={} ({source}{})",
        match shown(&e.Value) {
            s if s.is_empty() => "(not set)".to_string(),
            s => s,
        },
        if e.Origin.is_empty() {
            String::new()
        } else {
            format!(": {}", e.Origin)
        }
    );
    if !e.Drift.is_empty() {
        e.Evidence = format!("{}; {}", e.Evidence, e.Drift);
    }
    e
}

fn reason_of(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other
            .get("Reason")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string(),
    }
}

/// A value as evidence text: strings as they are, lists joined with ", ", maps as `k=v`.
pub fn shown(v: &Value) -> String {
    match v {
        Value::Null => String::new(),
        Value::String(s) => s.clone(),
        Value::Array(items) => items.iter().map(shown).collect::<Vec<_>>().join(", "),
        Value::Object(m) => m
            .iter()
            .map(|(k, v)| format!("{k}={}", shown(v)))
            .collect::<Vec<_>>()
            .join(", "),
        other => other.to_string(),
    }
}

/// The configured and the observed value mean the same to dockerd.
fn same(key: &str, configured: &Value, observed: &Value) -> bool {
    let lower = |v: &Value| v.as_str().map(str::to_ascii_lowercase);
    match key {
        "log-level" => lower(configured) == lower(observed),
        "seccomp-profile" => seccomp_name(configured) == seccomp_name(observed),
        // What counts is whether remapping is on, not the name the daemon was given.
        "userns-remap" => {
            configured.as_str().unwrap_or("").is_empty()
                == observed.as_str().unwrap_or("").is_empty()
        }
        "insecure-registries" | "registry-mirrors" => {
            registries(configured) == registries(observed)
        }
        // `fd://` and socket paths are named differently by the process; not compared.
        "hosts" => true,
        // No storage-driver setting: dockerd picks one at start; any is what was asked for.
        "storage-driver" => configured.as_str().unwrap_or("").is_empty() || configured == observed,
        _ => configured == observed,
    }
}

fn seccomp_name(v: &Value) -> String {
    match v.as_str().unwrap_or("") {
        "" | "default" | "builtin" => "builtin".into(),
        s => s.to_string(),
    }
}

fn registries(v: &Value) -> Vec<String> {
    let mut out: Vec<String> = v
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .filter(|r| !LOOPBACK_REGISTRIES.contains(r))
        .map(|r| r.trim_end_matches('/').to_string())
        .collect();
    out.sort();
    out.dedup();
    out
}

/// "daemon.json sets icc=false, the running daemon has icc enabled: restart pending".
fn drift(key: &str, c: &crate::snapshot::Setting, observed: &Value, file: &str) -> String {
    let state = |v: &Value| match v {
        Value::Bool(true) => format!("{key} enabled"),
        Value::Bool(false) => format!("{key} disabled"),
        other if shown(other).is_empty() => format!("{key} not set"),
        other => format!("{key}={}", shown(other)),
    };
    let configured = format!("{key}={}", shown(&c.Value));
    let running = state(observed);
    let name = file.rsplit('/').next().unwrap_or("daemon.json");
    match c.Source.as_str() {
        "file" => {
            format!("{name} sets {configured}, the running daemon has {running}: restart pending")
        }
        "flag" => format!(
            "the command line sets {configured} ({}), the running daemon has {running}",
            c.Origin
        ),
        _ => format!(
            "nothing dockbench sees sets {key} (dockerd's default: {}), the running daemon has {running}",
            match shown(&c.Value) {
                s if s.is_empty() => "not set".to_string(),
                s => s,
            }
        ),
    }
}

/// What the running daemon reports, by daemon.json key: (value, where it was read).
fn observed(d: &Daemon) -> BTreeMap<String, (Value, String)> {
    let mut out: BTreeMap<String, (Value, String)> = BTreeMap::new();
    let mut put = |k: &str, v: Value, origin: &str| {
        out.insert(k.to_string(), (v, origin.to_string()));
    };
    if let Some(info) = &d.Info {
        if let Some(debug) = info.Debug {
            put("debug", json!(debug), "/info Debug");
            // Debug mode runs the daemon at debug level whatever log-level says.
            if debug {
                put(
                    "log-level",
                    json!("debug"),
                    "/info Debug (debug mode logs at debug level)",
                );
            }
        }
        let opts = &info.SecurityOptions;
        let has = |name: &str| {
            opts.iter()
                .any(|o| o.split(',').next() == Some(&format!("name={name}")[..]))
        };
        let configured_remap = d
            .Config
            .Settings
            .get("userns-remap")
            .and_then(|s| s.Value.as_str())
            .filter(|s| !s.is_empty())
            .unwrap_or("(enabled)")
            .to_string();
        put(
            "userns-remap",
            json!(if has("userns") {
                configured_remap
            } else {
                String::new()
            }),
            "/info SecurityOptions",
        );
        put("rootless", json!(has("rootless")), "/info SecurityOptions");
        let seccomp = opts
            .iter()
            .find(|o| o.split(',').next() == Some("name=seccomp"))
            .map(|o| {
                o.split(',')
                    .find_map(|p| p.strip_prefix("profile="))
                    .unwrap_or("builtin")
                    .to_string()
            })
            .unwrap_or_else(|| "unconfined".into());
        let origin = if has("seccomp") {
            "/info SecurityOptions"
        } else {
            "/info SecurityOptions: no name=seccomp, seccomp is not enabled in the daemon"
        };
        put("seccomp-profile", json!(seccomp), origin);
        if !info.LoggingDriver.is_empty() {
            put(
                "log-driver",
                json!(info.LoggingDriver),
                "/info LoggingDriver",
            );
        }
        // Podman reports "experimental" always true and live restore always false (it has
        // no daemon its containers depend on): neither is a fact about its configuration.
        if d.Target.Engine != "Podman" {
            put(
                "live-restore",
                json!(info.LiveRestoreEnabled),
                "/info LiveRestoreEnabled",
            );
            put(
                "experimental",
                json!(info.ExperimentalBuild),
                "/info ExperimentalBuild",
            );
        }
        if !info.Driver.is_empty() {
            put("storage-driver", json!(info.Driver), "/info Driver");
        }
        if !info.DefaultRuntime.is_empty() {
            put(
                "default-runtime",
                json!(info.DefaultRuntime),
                "/info DefaultRuntime",
            );
        }
        let reg = &info.RegistryConfig;
        if !reg.IndexConfigs.is_empty() || !reg.InsecureRegistryCIDRs.is_empty() {
            let mut insecure: Vec<String> = reg.InsecureRegistryCIDRs.clone();
            insecure.extend(
                reg.IndexConfigs
                    .values()
                    .filter(|i| !i.Secure)
                    .map(|i| i.Name.clone()),
            );
            put(
                "insecure-registries",
                json!(insecure),
                "/info RegistryConfig",
            );
            put(
                "registry-mirrors",
                json!(reg.Mirrors),
                "/info RegistryConfig",
            );
        }
        if let Some(c) = &info.Containerd
            && !c.Address.is_empty()
        {
            put("containerd", json!(c.Address), "/info Containerd.Address");
        }
    }
    let bridge = d.Networks.iter().find(|n| {
        n.Driver == "bridge"
            && (n.Options.get("com.docker.network.bridge.default_bridge")
                == Some(&"true".to_string())
                || n.Name == "bridge")
    });
    if let Some(icc) = bridge
        .and_then(|n| n.Options.get("com.docker.network.bridge.enable_icc"))
        .and_then(|v| crate::engine::derive::go_bool(v))
    {
        put(
            "icc",
            json!(icc),
            "default bridge network option com.docker.network.bridge.enable_icc",
        );
    }
    if d.Config.ListeningStatus.is_available() {
        put(
            "hosts",
            json!(served_api(d)),
            "sockets the dockerd process listens on",
        );
    }
    out
}

/// The sockets the daemon process listens on, without those that are not the Engine API:
/// swarm's cluster and gossip ports (while swarm is active) and the metrics address.
fn served_api(d: &Daemon) -> Vec<String> {
    let swarm = d
        .Info
        .as_ref()
        .is_some_and(|i| i.Swarm.LocalNodeState == "active");
    let metrics = d
        .Config
        .Settings
        .get("metrics-addr")
        .and_then(|s| s.Value.as_str())
        .and_then(|a| a.rsplit(':').next())
        .unwrap_or("")
        .to_string();
    d.Config
        .Listening
        .iter()
        .filter(|a| {
            let port = a
                .strip_prefix("tcp://")
                .and_then(|r| r.rsplit(':').next())
                .unwrap_or("");
            !(swarm && (port == "2377" || port == "7946"))
                && (metrics.is_empty() || port != metrics)
        })
        .cloned()
        .collect()
}

/// The addresses dockerd serves the API on, as configured: `hosts`, with `fd://` (socket
/// activation) replaced by the socket unit's `ListenStream=` addresses when they are known.
pub fn configured_hosts(d: &Daemon) -> Vec<String> {
    let hosts: Vec<String> = d
        .Config
        .Settings
        .get("hosts")
        .and_then(|s| s.Value.as_array())
        .into_iter()
        .flatten()
        .filter_map(|h| h.as_str().map(str::to_string))
        .collect();
    let mut out = Vec::new();
    for h in hosts {
        if h.starts_with("fd://") && !d.Config.SocketUnit.is_empty() {
            out.extend(d.Config.SocketUnit.iter().cloned());
        } else {
            out.push(h);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::snapshot::{DaemonConfig, Info, Network, Setting};

    fn set(v: Value, source: &str, origin: &str) -> Setting {
        Setting {
            Value: v,
            Source: source.into(),
            Origin: origin.into(),
        }
    }

    fn daemon(settings: &[(&str, Setting)]) -> Daemon {
        Daemon {
            Config: DaemonConfig {
                CommandLine: FactStatus::available(),
                File: "/etc/docker/daemon.json".into(),
                Settings: settings
                    .iter()
                    .map(|(k, s)| (k.to_string(), s.clone()))
                    .collect(),
                ..DaemonConfig::default()
            },
            ..Daemon::default()
        }
    }

    #[test]
    fn running_daemon_beats_the_file_and_drift_is_named() {
        let mut d = daemon(&[("icc", set(json!(false), "file", "/etc/docker/daemon.json"))]);
        let e = &effective_settings(&d)["icc"];
        assert_eq!((e.Value.clone(), e.Source.as_str()), (json!(false), "file"));
        assert_eq!(e.Evidence, "icc=false (file: /etc/docker/daemon.json)");
        d.Networks.push(Network {
            Name: "bridge".into(),
            Driver: "bridge".into(),
            Options: [(
                "com.docker.network.bridge.enable_icc".to_string(),
                "true".to_string(),
            )]
            .into(),
            ..Network::default()
        });
        let e = &effective_settings(&d)["icc"];
        assert_eq!(
            (e.Value.clone(), e.Source.as_str()),
            (json!(true), "daemon")
        );
        assert_eq!(
            e.Drift,
            "daemon.json sets icc=false, the running daemon has icc enabled: restart pending"
        );
        assert!(
            e.Evidence
                .starts_with("icc=true (running daemon: default bridge network option")
        );
    }

    #[test]
    fn debug_mode_is_debug_level_and_unknowns_say_why() {
        let mut d = daemon(&[(
            "log-level",
            set(json!("INFO"), "file", "/etc/docker/daemon.json"),
        )]);
        d.Info = Some(Info {
            Debug: Some(true),
            ..Info::default()
        });
        let e = &effective_settings(&d)["log-level"];
        assert_eq!(e.Value, json!("debug"));
        assert!(e.Drift.contains("log-level=INFO"), "{}", e.Drift);
        d.Config.Refused =
            "dockerd would not start with this configuration: icc: \"false\" is a string".into();
        let e = &effective_settings(&d)["icc"];
        assert_eq!(e.Value, Value::Null);
        assert_eq!(reason_of(&e.Unknown), d.Config.Refused);
        let nothing = Daemon::default();
        assert_eq!(
            reason_of(&effective_settings(&nothing)["icc"].Unknown),
            "daemon settings not collected"
        );
    }
}
