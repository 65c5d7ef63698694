//! daemon.json as dockerd reads it, merged with the command line's flags and completed with
//! dockerd's built-in defaults; every value keeps its source.
use serde_json::{Map, Value, json};

use std::collections::BTreeMap;

use super::flags::{json_type_error, known_file_key, parse_flags_checked};
use crate::docker::DEFAULT_CONFIG_FILE;
use crate::snapshot::{Cause, DaemonConfig, FactStatus, Setting};

const NO_COMMAND_LINE: &str = "no dockerd process visible in /proc (scanner in another PID namespace? run on the host or with --pid host)";

/// The daemon.json keys that always have a value after `resolve` (dockerd's built-in default
/// when neither file nor flag sets them).
pub fn default_keys() -> Vec<&'static str> {
    defaults().into_iter().map(|(k, _)| k).collect()
}

/// dockerd's built-in values for the keys checks read, used when neither file nor flag sets them.
fn defaults() -> Vec<(&'static str, Value)> {
    vec![
        ("icc", json!(true)),
        ("log-level", json!("info")),
        ("iptables", json!(true)),
        ("ip-forward", json!(true)),
        ("insecure-registries", json!([])),
        ("userns-remap", json!("")),
        ("cgroup-parent", json!("")),
        ("storage-opts", json!([])),
        ("authorization-plugins", json!([])),
        ("log-driver", json!("json-file")),
        ("log-opts", json!({})),
        ("no-new-privileges", json!(false)),
        ("live-restore", json!(false)),
        ("userland-proxy", json!(true)),
        ("default-ulimits", json!({})),
        ("seccomp-profile", json!("")),
        ("experimental", json!(false)),
        ("hosts", json!([])),
        ("tls", json!(false)),
        ("tlsverify", json!(false)),
        ("tlscacert", json!("")),
        ("tlscert", json!("")),
        ("tlskey", json!("")),
        ("selinux-enabled", json!(false)),
        ("data-root", json!("/var/lib/docker")),
        ("storage-driver", json!("")),
        ("registry-mirrors", json!([])),
        ("dns", json!([])),
        ("debug", json!(false)),
        ("default-runtime", json!("runc")),
    ]
}

/// The effective configuration of a dockerd started with `args` (argv without argv[0]).
///
/// `command_line_known` false means no dockerd process was visible: `args` are ignored, and
/// only the file and the defaults are known (`CommandLine` says so). `read_file(path)` returns
/// `None` when the file does not exist, `Some(Err(reason))` when it cannot be read.
pub fn resolve(
    args: &[String],
    command_line_known: bool,
    read_file: impl Fn(&str) -> Option<Result<String, String>>,
) -> DaemonConfig {
    resolve_with_default_file(args, command_line_known, DEFAULT_CONFIG_FILE, read_file)
}

/// `resolve` for a daemon whose config file, unless `--config-file` names one, is
/// `default_file` (a rootless daemon reads `~/.config/docker/daemon.json`).
///
/// `args` are a running process's: it started with them, so they are not judged (a flag of a
/// newer release than this table knows is no refusal). See `resolve_planned` for a command
/// line that has not run.
pub fn resolve_with_default_file(
    args: &[String],
    command_line_known: bool,
    default_file: &str,
    read_file: impl Fn(&str) -> Option<Result<String, String>>,
) -> DaemonConfig {
    resolve_inner(args, command_line_known, false, default_file, read_file)
}

/// `resolve_with_default_file` for the command line a unit would start dockerd with (an
/// offline clone): what pflag and dockerd would refuse in it (an unknown flag, `--icc=maybe`,
/// a positional argument) makes `Refused` say "dockerd would not start with this
/// configuration: …", as a refused daemon.json does.
pub fn resolve_planned(
    args: &[String],
    command_line_known: bool,
    default_file: &str,
    read_file: impl Fn(&str) -> Option<Result<String, String>>,
) -> DaemonConfig {
    resolve_inner(args, command_line_known, true, default_file, read_file)
}

fn resolve_inner(
    args: &[String],
    command_line_known: bool,
    judge_command_line: bool,
    default_file: &str,
    read_file: impl Fn(&str) -> Option<Result<String, String>>,
) -> DaemonConfig {
    let (mut flags, flag_errors) = if command_line_known {
        parse_flags_checked(args)
    } else {
        (BTreeMap::new(), Vec::new())
    };
    let named_file = flags.remove("config-file").map(|(v, _)| match v {
        Value::String(s) => s,
        other => other.to_string(),
    });
    let file = named_file
        .clone()
        .unwrap_or_else(|| default_file.to_string());

    let mut config = DaemonConfig {
        Args: if command_line_known {
            args.to_vec()
        } else {
            Vec::new()
        },
        CommandLine: if command_line_known {
            FactStatus::available()
        } else {
            FactStatus::unreadable(Cause::Unreadable, NO_COMMAND_LINE)
        },
        File: file.clone(),
        ..DaemonConfig::default()
    };

    let mut settings: BTreeMap<String, Setting> = BTreeMap::new();
    // Why dockerd would refuse to start with this file and command line (its own checks).
    let mut refused: Vec<String> = Vec::new();
    if judge_command_line {
        refused.extend(flag_errors);
    }
    // Keys the file sets to null: Go's json.Unmarshal leaves such a field at its zero value and
    // the flag default fills it (so the value is dockerd's default), but the key still counts
    // as set in the file when dockerd looks for flag/file conflicts (moby daemon/config
    // getConflictFreeConfiguration decodes into a map first).
    let mut nulls: Vec<String> = Vec::new();
    match read_file(&file) {
        // A missing default file is normal; a missing named one stops dockerd from starting,
        // so the running daemon's configuration cannot be known.
        None if named_file.is_some() => {
            config.FileError = format!("{file}: file named by --config-file does not exist");
        }
        None => {}
        Some(Err(e)) => {
            config.FilePresent = true;
            config.FileError = format!("{file}: cannot be read: {e}");
        }
        Some(Ok(text)) => {
            config.FilePresent = true;
            match parse_file(&text) {
                Ok(map) => {
                    refused.extend(refused_file(&map));
                    for (key, value) in map {
                        if value.is_null() {
                            nulls.push(key);
                        } else {
                            settings.insert(key, setting(value, "file", file.clone()));
                        }
                    }
                }
                Err(e) => config.FileError = format!("{file}: {e}"),
            }
        }
    }

    for (key, (value, origins)) in flags {
        let origin = origins.join(" ");
        let merged = match settings.remove(&key) {
            // dockerd refuses to start when a key is set both ways ("the following directives
            // are specified both as a flag and in the configuration file"); keep the flag and
            // say the file has it too. `proxies` is the exception: dockerd merges its members.
            Some(from_file) => match (key.as_str(), from_file.Value, value) {
                ("proxies", Value::Object(mut fm), Value::Object(flag_map)) => {
                    fm.extend(flag_map);
                    setting(
                        Value::Object(fm),
                        "flag",
                        format!("{origin} (merged with {file})"),
                    )
                }
                (_, file_value, value) => {
                    refused.push(format!(
                        "the following directives are specified both as a flag and in the configuration file: {key}: (from flag: {}, from file: {})",
                        shown(&value),
                        shown(&file_value)
                    ));
                    setting(value, "flag", format!("{origin} (also in {file})"))
                }
            },
            None if nulls.contains(&key) => {
                refused.push(format!(
                    "the following directives are specified both as a flag and in the configuration file: {key}: (from flag: {}, from file: <nil>)",
                    shown(&value)
                ));
                setting(value, "flag", format!("{origin} (also in {file}, as null)"))
            }
            None => setting(value, "flag", origin),
        };
        settings.insert(key, merged);
    }

    // Setting tlsverify at all (any value, flag or file, null too: moby's IsValueSet) turns TLS
    // on in dockerd.
    let verify_origin = settings
        .get("tlsverify")
        .map(|v| (v.Source.clone(), v.Origin.clone()))
        .or_else(|| {
            nulls
                .iter()
                .any(|n| n == "tlsverify")
                .then(|| ("file".to_string(), format!("{file} (tlsverify: null)")))
        });
    if let Some((source, origin)) = verify_origin
        && settings.get("tls").is_none_or(|t| t.Value != json!(true))
    {
        let tls = setting(
            json!(true),
            &source,
            format!("{origin} (tlsverify implies tls)"),
        );
        settings.insert("tls".to_string(), tls);
    }
    // TLS on with tlsverify never given: since Docker 20.10 dockerd then verifies clients too
    // (loadDaemonCliConfig: `if conf.TLSVerify == nil && conf.TLS != nil { conf.TLSVerify =
    // conf.TLS }`; newAPIServerTLSConfig requires a client certificate unless tlsverify is false).
    if !settings.contains_key("tlsverify")
        && let Some(tls) = settings.get("tls").filter(|t| t.Value == json!(true))
    {
        let verify = setting(
            json!(true),
            &tls.Source.clone(),
            format!(
                "{} (tls without tlsverify verifies clients, dockerd 20.10+)",
                tls.Origin
            ),
        );
        settings.insert("tlsverify".to_string(), verify);
    }

    let tls_on = settings.get("tls").is_some_and(|t| t.Value == json!(true));
    if tls_on {
        // dockerd's defaults with TLS on: certificates under ~/.docker of the daemon's user
        // (`$DOCKER_CERT_PATH`/`$DOCKER_CONFIG` of its environment would move them), and,
        // without -H, TCP on localhost:2376 instead of the unix socket (moby opts.ParseHost).
        let dir = format!("{}/.docker", daemon_home(default_file));
        for (key, name) in [
            ("tlscacert", "ca.pem"),
            ("tlscert", "cert.pem"),
            ("tlskey", "key.pem"),
        ] {
            settings.entry(key.to_string()).or_insert_with(|| {
                setting(
                    json!(format!("{dir}/{name}")),
                    "default",
                    "dockerd's default with TLS on".into(),
                )
            });
        }
        let no_hosts = settings
            .get("hosts")
            .is_none_or(|h| h.Value.as_array().is_some_and(Vec::is_empty));
        if no_hosts {
            settings.insert(
                "hosts".into(),
                setting(
                    json!(["tcp://localhost:2376"]),
                    "default",
                    "dockerd's default with TLS on and no -H".into(),
                ),
            );
        }
    }

    for (key, value) in defaults() {
        let origin = if nulls.iter().any(|n| n == key) {
            format!("{file} sets null, which dockerd ignores")
        } else {
            String::new()
        };
        settings
            .entry(key.to_string())
            .or_insert_with(|| setting(value, "default", origin));
    }
    // dockerd's config.Validate: the level is matched case-insensitively (`INFO` is info).
    if let Some(level) = settings.get("log-level").and_then(|s| s.Value.as_str())
        && !matches!(
            level.to_ascii_lowercase().as_str(),
            "panic" | "fatal" | "error" | "warn" | "info" | "debug" | "trace"
        )
    {
        refused.push(format!("invalid logging level: {level}"));
    }
    if !refused.is_empty() && config.FileError.is_empty() {
        config.Refused = format!(
            "dockerd would not start with this configuration: {}",
            refused.join("; ")
        );
    }
    config.Settings = settings;
    config
}

/// The home of the daemon's user: a rootless daemon's config file is
/// `<home>/.config/docker/daemon.json`; else root's.
fn daemon_home(default_file: &str) -> &str {
    default_file
        .strip_suffix("/.config/docker/daemon.json")
        .filter(|h| !h.is_empty())
        .unwrap_or("/root")
}

/// A value as dockerd prints it in its refusal (JSON text; strings without quotes).
fn shown(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// What dockerd refuses in the file alone: keys it does not know ("the following directives
/// don't match any configuration option") and values of the wrong JSON type.
fn refused_file(map: &Map<String, Value>) -> Vec<String> {
    let mut out = Vec::new();
    // dockerd flattens nested objects other than its map options before the check; an object
    // under an unknown name is not judged here, to stay clear of keys of newer releases.
    let unknown: Vec<&str> = map
        .iter()
        .filter(|(k, v)| !v.is_object() && !known_file_key(k))
        .map(|(k, _)| k.as_str())
        .collect();
    if !unknown.is_empty() {
        out.push(format!(
            "the following directives don't match any configuration option: {}",
            unknown.join(", ")
        ));
    }
    out.extend(map.iter().filter_map(|(k, v)| json_type_error(k, v)));
    out
}

fn setting(value: Value, source: &str, origin: String) -> Setting {
    Setting {
        Value: value,
        Source: source.to_string(),
        Origin: origin,
    }
}

/// daemon.json as dockerd reads it: a UTF-8 BOM is ignored and an empty file means no settings.
fn parse_file(text: &str) -> Result<Map<String, Value>, serde_json::Error> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    if text.trim().is_empty() {
        return Ok(Map::new());
    }
    serde_json::from_str(text)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::collect::daemon_config::testing::*;

    #[test]
    fn file_settings_carry_file_source_and_path() {
        let c = resolve(&[], true, |p| {
            assert_eq!(p, "/etc/docker/daemon.json");
            Some(Ok(r#"{"icc": false, "log-opts": {"max-size": "10m"}, "hosts": ["unix:///var/run/docker.sock",
                "tcp://0.0.0.0:2376"], "x-custom": 1}"#
                .into()))
        });
        assert_eq!(c.File, "/etc/docker/daemon.json");
        assert!(c.FilePresent);
        assert_eq!(c.FileError, "");
        assert_eq!(value(&c, "icc"), json!(false));
        assert_eq!(
            source(&c, "icc"),
            ("file".into(), "/etc/docker/daemon.json".into())
        );
        assert_eq!(value(&c, "log-opts"), json!({"max-size": "10m"}));
        assert_eq!(value(&c, "hosts").as_array().unwrap().len(), 2);
        assert_eq!(value(&c, "x-custom"), json!(1));
    }

    #[test]
    fn config_file_flag_names_the_file() {
        let c = resolve(&argv("--config-file /opt/docker.json --debug"), true, |p| {
            (p == "/opt/docker.json").then(|| Ok(r#"{"live-restore": true}"#.into()))
        });
        assert_eq!(c.File, "/opt/docker.json");
        assert!(c.FilePresent);
        assert_eq!(value(&c, "live-restore"), json!(true));
        assert_eq!(
            source(&c, "live-restore"),
            ("file".into(), "/opt/docker.json".into())
        );
        assert!(!c.Settings.contains_key("config-file"));
    }

    #[test]
    fn missing_files() {
        let c = flags_only("");
        assert!(!c.FilePresent);
        assert_eq!(c.FileError, "");
        let c = flags_only("--config-file=/nope.json");
        assert!(!c.FilePresent);
        assert_eq!(
            c.FileError,
            "/nope.json: file named by --config-file does not exist"
        );
    }

    #[test]
    fn invalid_json_reports_line_and_column_and_is_not_used() {
        let text = "{\n  \"icc\": false,\n  \"iptables\": false\n  \"debug\": true\n}";
        let c = resolve(&argv("--live-restore"), true, |_| Some(Ok(text.into())));
        assert!(c.FilePresent);
        assert_eq!(
            c.FileError,
            "/etc/docker/daemon.json: expected `,` or `}` at line 4 column 3"
        );
        // Nothing from the broken file: flags and defaults only.
        assert_eq!(source(&c, "icc"), ("default".into(), String::new()));
        assert_eq!(value(&c, "iptables"), json!(true));
        assert_eq!(value(&c, "live-restore"), json!(true));
    }

    #[test]
    fn non_object_and_unreadable_files_are_errors() {
        let c = resolve(&[], true, |_| Some(Ok("[1, 2]".into())));
        assert!(c.FileError.contains("expected a map"), "{}", c.FileError);
        let c = resolve(&[], true, |_| Some(Err("permission denied".into())));
        assert!(c.FilePresent);
        assert_eq!(
            c.FileError,
            "/etc/docker/daemon.json: cannot be read: permission denied"
        );
        assert_eq!(source(&c, "icc").0, "default");
    }

    #[test]
    fn bom_and_empty_file_are_accepted_like_dockerd() {
        let c = resolve(&[], true, |_| Some(Ok("\u{feff}{\"icc\": false}".into())));
        assert_eq!(c.FileError, "");
        assert_eq!(value(&c, "icc"), json!(false));
        let c = resolve(&[], true, |_| Some(Ok(" \n".into())));
        assert_eq!(c.FileError, "");
        assert!(c.FilePresent);
        assert_eq!(source(&c, "icc").0, "default");
    }

    #[test]
    fn key_set_both_ways_keeps_the_flag_and_notes_the_file() {
        let c = resolve(&argv("--icc=false --log-opt max-size=1m"), true, |_| {
            Some(Ok(r#"{"icc": true, "log-opts": {"max-file": "2"}}"#.into()))
        });
        assert_eq!(value(&c, "icc"), json!(false));
        assert_eq!(
            source(&c, "icc"),
            (
                "flag".into(),
                "--icc=false (also in /etc/docker/daemon.json)".into()
            )
        );
        // dockerd refuses such a start rather than combining; so do we.
        assert_eq!(value(&c, "log-opts"), json!({"max-size": "1m"}));
    }

    /// What dockerd refuses to start with: no verdict is taken from such a configuration.
    #[test]
    fn configurations_dockerd_refuses() {
        let file = |text: &'static str| move |_: &str| Some(Ok(text.to_string()));
        let c = resolve(&[], true, file(r#"{"icc": "false"}"#));
        assert_eq!(
            c.Refused,
            "dockerd would not start with this configuration: icc: \"false\" is a string, dockerd needs a boolean"
        );
        let c = resolve(
            &argv("-H fd://"),
            true,
            file(r#"{"hosts": ["tcp://0.0.0.0:2376"]}"#),
        );
        assert_eq!(
            c.Refused,
            "dockerd would not start with this configuration: the following directives are specified both as a flag and in the configuration file: hosts: (from flag: [\"fd://\"], from file: [\"tcp://0.0.0.0:2376\"])"
        );
        let c = resolve(&[], true, file(r#"{"icc": false, "no-such-option": 1}"#));
        assert!(
            c.Refused.ends_with(
                "the following directives don't match any configuration option: no-such-option"
            ),
            "{}",
            c.Refused
        );
        let c = resolve(
            &[],
            true,
            file(r#"{"log-level": "verbose", "mtu": "1400"}"#),
        );
        assert!(
            c.Refused.contains("invalid logging level: verbose"),
            "{}",
            c.Refused
        );
        assert!(
            c.Refused
                .contains("mtu: \"1400\" is a string, dockerd needs an integer")
        );
        // Accepted as dockerd accepts them: levels in any case, keys only a file has, flag
        // names as keys, legacy keys, proxies merged.
        for ok in [
            r#"{"log-level": "WARN", "builder": {"gc": {"enabled": true}}, "host-gateway-ips": ["10.0.0.1"]}"#,
            r#"{"labels": ["a=b"], "default-shm-size": "64M", "graph": "/srv/docker"}"#,
            r#"{"proxies": {"no-proxy": "localhost"}, "features": {"cdi": true}}"#,
        ] {
            let c = resolve(&argv("--http-proxy http://p:3128"), true, |_| {
                Some(Ok(ok.into()))
            });
            assert_eq!(c.Refused, "", "{ok}");
        }
    }

    /// Built-in defaults dockerd uses when TLS is on: certificates in the daemon user's
    /// ~/.docker, and TCP on localhost:2376 when no -H is given.
    #[test]
    fn tls_defaults() {
        let c = flags_only("--tlsverify");
        assert_eq!(value(&c, "tlscacert"), json!("/root/.docker/ca.pem"));
        assert_eq!(value(&c, "tlskey"), json!("/root/.docker/key.pem"));
        assert_eq!(source(&c, "tlscert").0, "default");
        assert_eq!(value(&c, "hosts"), json!(["tcp://localhost:2376"]));
        let c = flags_only("--tlsverify -H unix:///run/d.sock --tlscacert /etc/ca.pem");
        assert_eq!(value(&c, "hosts"), json!(["unix:///run/d.sock"]));
        assert_eq!(value(&c, "tlscacert"), json!("/etc/ca.pem"));
        // Without TLS nothing changes.
        let c = flags_only("");
        assert_eq!(value(&c, "hosts"), json!([]));
        assert_eq!(value(&c, "tlscacert"), json!(""));
        // A rootless daemon's user is the owner of its config file's home.
        let c = resolve_with_default_file(
            &argv("--tls"),
            true,
            "/home/bob/.config/docker/daemon.json",
            |_| None,
        );
        assert_eq!(value(&c, "tlscert"), json!("/home/bob/.docker/cert.pem"));
    }

    #[test]
    fn proxies_from_flags_merge_with_the_file() {
        let c = resolve(&argv("--http-proxy http://p:3128"), true, |_| {
            Some(Ok(r#"{"proxies": {"no-proxy": "localhost"}}"#.into()))
        });
        assert_eq!(
            value(&c, "proxies"),
            json!({"http-proxy": "http://p:3128", "no-proxy": "localhost"})
        );
        assert_eq!(source(&c, "proxies").0, "flag");
    }

    #[test]
    fn defaults_fill_unset_keys_with_default_source() {
        let c = resolve(&argv("--iptables=false"), true, |_| {
            Some(Ok(r#"{"log-driver": "journald"}"#.into()))
        });
        for (key, default) in defaults() {
            let s = &c.Settings[key];
            match key {
                "iptables" => assert_eq!((s.Source.as_str(), &s.Value), ("flag", &json!(false))),
                "log-driver" => {
                    assert_eq!((s.Source.as_str(), &s.Value), ("file", &json!("journald")))
                }
                _ => assert_eq!(
                    (s.Source.as_str(), &s.Value, s.Origin.as_str()),
                    ("default", &default, ""),
                    "{key}"
                ),
            }
        }
        assert_eq!(value(&c, "icc"), json!(true));
        assert_eq!(value(&c, "log-level"), json!("info"));
        assert_eq!(value(&c, "data-root"), json!("/var/lib/docker"));
        assert_eq!(value(&c, "default-runtime"), json!("runc"));
        assert_eq!(value(&c, "insecure-registries"), json!([]));
    }

    #[test]
    fn tlsverify_implies_tls() {
        let c = flags_only("--tlsverify --tlscacert /etc/docker/ca.pem");
        assert_eq!(value(&c, "tls"), json!(true));
        assert_eq!(
            source(&c, "tls"),
            ("flag".into(), "--tlsverify (tlsverify implies tls)".into())
        );
        assert_eq!(value(&c, "tlscacert"), json!("/etc/docker/ca.pem"));
        // Any explicit value turns TLS on, even false, and even over --tls=false.
        let c = flags_only("--tls=false --tlsverify=false");
        assert_eq!(value(&c, "tls"), json!(true));
        assert_eq!(value(&c, "tlsverify"), json!(false));
        let c = resolve(&[], true, |_| Some(Ok(r#"{"tlsverify": true}"#.into())));
        assert_eq!(source(&c, "tls").0, "file");
        assert_eq!(value(&c, "tls"), json!(true));
        // TLS on and tlsverify never given: dockerd 20.10+ verifies clients (tlsverify = tls).
        let c = flags_only("--tls");
        assert_eq!(value(&c, "tls"), json!(true));
        assert_eq!(value(&c, "tlsverify"), json!(true));
        assert_eq!(
            source(&c, "tlsverify"),
            (
                "flag".into(),
                "--tls (tls without tlsverify verifies clients, dockerd 20.10+)".into()
            )
        );
        let c = flags_only("--tls=false");
        assert_eq!(value(&c, "tlsverify"), json!(false));
        assert_eq!(source(&c, "tlsverify").0, "default");
        // `"tlsverify": null` is set as far as moby's IsValueSet goes: TLS on, and verifying.
        let c = resolve(&[], true, |_| Some(Ok(r#"{"tlsverify": null}"#.into())));
        assert_eq!(value(&c, "tls"), json!(true));
        assert_eq!(value(&c, "tlsverify"), json!(true));
        assert!(c.Refused.is_empty(), "{}", c.Refused);
        let c = flags_only("");
        assert_eq!(value(&c, "tls"), json!(false));
    }

    #[test]
    fn unknown_command_line_keeps_file_and_defaults_only() {
        let c = resolve(&argv("--icc=false"), false, |_| {
            Some(Ok(r#"{"iptables": false}"#.into()))
        });
        assert!(!c.CommandLine.is_available());
        assert!(
            c.CommandLine.reason().contains("--pid host"),
            "{}",
            c.CommandLine.reason()
        );
        assert!(c.Args.is_empty());
        assert_eq!(source(&c, "icc").0, "default");
        assert_eq!(source(&c, "iptables").0, "file");
        let c = flags_only("");
        assert!(c.CommandLine.is_available());
        assert_eq!(c.CommandLine.reason(), "");
    }
}
