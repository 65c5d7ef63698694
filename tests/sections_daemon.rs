//! Fixture tests for CIS sections 2 (daemon configuration), 6 (operations) and 7 (swarm):
//! host.json with the one setting or fact under test changed. Settings show where they come
//! from (daemon.json, a dockerd flag or dockerd's default); an invalid daemon.json or an
//! unknown command line is an ERROR with the reason, never a guess.
#[path = "support/fixtures.rs"]
mod fixtures;

use dockbench::collect::daemon_config::resolve;
use fixtures::*;
use serde_json::{Value, json};

const FILE: &str = "/etc/docker/daemon.json";

/// Evidence of a setting as the checks show it: `key=value (source: origin)`.
fn shown(key: &str, value: &str, source: &str) -> String {
    match source {
        "default" => format!("{key}={value} (default)"),
        "file" => format!("{key}={value} (file: {FILE})"),
        flag => format!("{key}={value} (flag: {flag})"),
    }
}

/// The daemon configuration dockbench's collector makes of `args` and a daemon.json `text`.
fn configured(s: &mut Value, args: &[&str], text: Option<&str>) {
    let args: Vec<String> = args.iter().map(|a| a.to_string()).collect();
    let config = resolve(&args, true, |_| text.map(|t| Ok(t.to_string())));
    s["daemon"]["Config"] = serde_json::to_value(config).unwrap();
}

/// The dockerd command line is not known (scanner in another PID namespace).
fn no_command_line(s: &mut Value) {
    s["daemon"]["Config"]["CommandLine"] =
        json!({ "Available": false, "Reason": "no dockerd process visible in /proc" });
}

/// Checks read from one daemon setting, with the ERROR paths they all share.
const SETTING_CHECKS: &[(&str, &str)] = &[
    ("2.2", "icc"),
    ("2.3", "log-level"),
    ("2.4", "iptables"),
    ("2.5", "insecure-registries"),
    ("2.7", "hosts"),
    ("2.8", "default-ulimits"),
    ("2.9", "userns-remap"),
    ("2.10", "cgroup-parent"),
    ("2.11", "storage-opts"),
    ("2.12", "authorization-plugins"),
    ("2.14", "no-new-privileges"),
    ("2.16", "userland-proxy"),
    ("2.17", "seccomp-profile"),
];

#[test]
fn s2_settings_errors_invalid_file_unknown_command_line_missing_facts() {
    // An invalid daemon.json: dockerd would not start with it, so nothing can be judged; the
    // parse message says where.
    let invalid = "{\n  \"icc\": false,\n}\n";
    let mut bad = host();
    configured(&mut bad, &[], Some(invalid));
    let file_error = bad["daemon"]["Config"]["FileError"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(
        file_error,
        "/etc/docker/daemon.json: trailing comma at line 3 column 1"
    );
    for &(id, key) in SETTING_CHECKS {
        error(eval_full(DEFAULT, id, &bad, &[]), &file_error);
        // Left at dockerd's default while the command line is unknown: it may be a flag.
        error(
            check(id, |s| {
                no_command_line(s);
                let setting = &mut s["daemon"]["Config"]["Settings"][key];
                setting["Source"] = json!("default");
                setting["Origin"] = json!("");
            }),
            &format!(
                "{key} may be set on the dockerd command line, which is not known: no dockerd process visible in /proc"
            ),
        );
        error(
            check(id, |s| s["daemon"]["Config"]["Settings"] = json!({})),
            "daemon settings not collected",
        );
    }
    // Checks that read /info first fall back to the settings offline, with the same errors.
    bad["daemon"]["Info"] = Value::Null;
    for id in ["2.13", "2.15", "2.18"] {
        error(eval_full(DEFAULT, id, &bad, &[]), &file_error);
    }
    // Set in daemon.json, it cannot also be a flag (dockerd refuses both): still judged.
    pass(
        check("2.2", no_command_line),
        &shown("icc", "false", "file"),
    );
}

#[test]
fn s2_settings_show_their_source() {
    // Through the collector: daemon.json, a flag, dockerd's default.
    pass(
        check("2.2", |s| configured(s, &[], Some(r#"{"icc": false}"#))),
        &shown("icc", "false", "file"),
    );
    pass(
        check("2.2", |s| configured(s, &["--icc=false"], None)),
        &shown("icc", "false", "--icc=false"),
    );
    warn(
        check("2.2", |s| configured(s, &[], None)),
        &shown("icc", "true", "default"),
    );
    warn(
        check("2.3", |s| configured(s, &["-l", "debug"], None)),
        &shown("log-level", "debug", "-l debug"),
    );
}

#[test]
fn s2_1_rootless() {
    info(
        check("2.1", |_| {}),
        "the daemon runs as root (no name=rootless in its security options)",
    );
    pass(
        check("2.1", |s| {
            s["daemon"]["Info"]["SecurityOptions"] = json!([
                "name=seccomp,profile=default",
                "name=rootless",
                "name=cgroupns"
            ])
        }),
        "rootless mode (name=rootless)",
    );
    error(
        check("2.1", |s| s["daemon"]["Info"] = Value::Null),
        "daemon info not available (rootless mode is read from the daemon security options)",
    );
}

#[test]
fn s2_2_icc() {
    pass(check("2.2", |_| {}), &shown("icc", "false", "file"));
    warn(
        check("2.2", |s| setting(s, "icc", json!(true), "file", FILE)),
        &shown("icc", "true", "file"),
    );
}

#[test]
fn s2_3_log_level() {
    pass(check("2.3", |_| {}), &shown("log-level", "info", "default"));
    warn(
        check("2.3", |s| {
            setting(s, "log-level", json!("debug"), "file", FILE)
        }),
        &shown("log-level", "debug", "file"),
    );
}

#[test]
fn s2_4_iptables() {
    pass(check("2.4", |_| {}), &shown("iptables", "true", "default"));
    warn(
        check("2.4", |s| {
            setting(s, "iptables", json!(false), "flag", "--iptables=false")
        }),
        &shown("iptables", "false", "--iptables=false"),
    );
}

#[test]
fn s2_5_insecure_registries() {
    pass(
        check("2.5", |_| {}),
        &shown("insecure-registries", "(not set)", "default"),
    );
    // The loopback ranges the engine always treats as insecure are not a finding.
    pass(
        check("2.5", |s| {
            setting(
                s,
                "insecure-registries",
                json!(["127.0.0.0/8", "::1/128"]),
                "file",
                FILE,
            )
        }),
        &shown("insecure-registries", "127.0.0.0/8, ::1/128", "file"),
    );
    warn(
        check("2.5", |s| {
            setting(
                s,
                "insecure-registries",
                json!(["127.0.0.0/8", "registry.local:5000"]),
                "file",
                FILE,
            )
        }),
        "insecure-registries=registry.local:5000 (file: /etc/docker/daemon.json)",
    );
}

#[test]
fn s2_6_aufs() {
    pass(check("2.6", |_| {}), "Storage Driver: overlay2");
    warn(
        check("2.6", |s| set(s, "daemon.Info.Driver", json!("aufs"))),
        "Storage Driver: aufs",
    );
    // Offline: the configured driver.
    warn(
        check("2.6", |s| {
            s["daemon"]["Info"] = Value::Null;
            setting(s, "storage-driver", json!("aufs"), "file", FILE);
        }),
        "Storage Driver: aufs",
    );
    error(
        check("2.6", |s| {
            s["daemon"]["Info"] = Value::Null;
            setting(s, "storage-driver", json!(""), "default", "");
        }),
        "storage driver not known (no daemon info and no storage-driver setting)",
    );
}

fn listen_tcp(s: &mut Value, tls: bool, verify: bool) {
    setting(
        s,
        "hosts",
        json!(["fd://", "tcp://0.0.0.0:2376"]),
        "flag",
        "-H fd:// -H tcp://0.0.0.0:2376",
    );
    setting(s, "tls", json!(tls), "file", FILE);
    setting(s, "tlsverify", json!(verify), "file", FILE);
    setting(
        s,
        "tlscacert",
        json!("/etc/docker/tls/ca.pem"),
        "file",
        FILE,
    );
}

#[test]
fn s2_7_tls() {
    skip(
        check("2.7", |_| {}),
        "the daemon does not listen on TCP (only local sockets)",
    );
    pass(
        check("2.7", |s| listen_tcp(s, true, true)),
        "listening on tcp://0.0.0.0:2376 with tlsverify (CA: /etc/docker/tls/ca.pem)",
    );
    warn(
        check("2.7", |s| listen_tcp(s, true, false)),
        "listening on tcp://0.0.0.0:2376 with TLS but without client verification (tlsverify=false)",
    );
    warn(
        check("2.7", |s| listen_tcp(s, false, false)),
        "listening on tcp://0.0.0.0:2376 without TLS",
    );
    // dockerd reads an address without a scheme as TCP.
    for (hosts, shown) in [
        (json!(["fd://", "0.0.0.0:2375"]), "0.0.0.0:2375"),
        (json!([":2376"]), ":2376"),
    ] {
        warn(
            check("2.7", |s| setting(s, "hosts", hosts, "flag", "-H")),
            &format!("listening on {shown} without TLS"),
        );
    }
    skip(
        check("2.7", |s| {
            setting(
                s,
                "hosts",
                json!(["unix:///var/run/docker.sock", "fd://"]),
                "file",
                FILE,
            )
        }),
        "the daemon does not listen on TCP (only local sockets)",
    );
}

#[test]
fn s2_8_default_ulimits() {
    pass(
        check("2.8", |s| {
            setting(
                s,
                "default-ulimits",
                json!({ "nofile": { "Hard": 2048, "Name": "nofile", "Soft": 1024 } }),
                "file",
                FILE,
            )
        }),
        &shown(
            "default-ulimits",
            "nofile=Hard=2048, Name=nofile, Soft=1024",
            "file",
        ),
    );
    info(
        check("2.8", |s| {
            setting(s, "default-ulimits", json!({}), "default", "")
        }),
        "no default-ulimits set: containers inherit the daemon limits",
    );
}

#[test]
fn s2_9_userns_remap() {
    pass(
        check("2.9", |_| {}),
        &shown("userns-remap", "default", "file"),
    );
    let unset = |s: &mut Value| setting(s, "userns-remap", json!(""), "default", "");
    // The daemon says it remaps (set where we could not see it): compliant.
    pass(
        check("2.9", unset),
        &shown("userns-remap", "(not set)", "default"),
    );
    warn(
        check("2.9", |s| {
            unset(s);
            s["daemon"]["Info"]["SecurityOptions"] = json!(["name=seccomp,profile=default"]);
        }),
        &shown("userns-remap", "(not set)", "default"),
    );
}

#[test]
fn s2_10_cgroup_parent() {
    pass(
        check("2.10", |_| {}),
        &shown("cgroup-parent", "(not set)", "default"),
    );
    info(
        check("2.10", |s| {
            setting(s, "cgroup-parent", json!("/docker-custom"), "file", FILE)
        }),
        &shown("cgroup-parent", "/docker-custom", "file"),
    );
}

#[test]
fn s2_11_base_device_size() {
    pass(
        check("2.11", |_| {}),
        &shown("storage-opts", "(not set)", "default"),
    );
    warn(
        check("2.11", |s| {
            setting(
                s,
                "storage-opts",
                json!(["dm.thinpooldev=/dev/mapper/thin", "dm.basesize=20G"]),
                "file",
                FILE,
            )
        }),
        "storage-opts=dm.basesize=20G",
    );
}

#[test]
fn s2_12_authorization_plugins() {
    pass(
        check("2.12", |_| {}),
        &shown("authorization-plugins", "opa-docker-authz", "file"),
    );
    warn(
        check("2.12", |s| {
            setting(s, "authorization-plugins", json!([]), "default", "")
        }),
        &shown("authorization-plugins", "(not set)", "default"),
    );
}

#[test]
fn s2_13_remote_logging() {
    pass(check("2.13", |_| {}), "default logging driver: syslog");
    for local in ["json-file", "local", "none"] {
        warn(
            check("2.13", |s| {
                set(s, "daemon.Info.LoggingDriver", json!(local))
            }),
            &format!("default logging driver: {local} (logs stay on this host)"),
        );
    }
    // Offline: the configured driver, with the setting's error paths.
    let offline = |s: &mut Value| s["daemon"]["Info"] = Value::Null;
    pass(check("2.13", offline), "default logging driver: syslog");
    error(
        check("2.13", |s| {
            offline(s);
            set(
                s,
                "daemon.Config.FileError",
                json!("/etc/docker/daemon.json: EOF while parsing an object at line 4 column 0"),
            );
        }),
        "/etc/docker/daemon.json: EOF while parsing an object at line 4 column 0",
    );
    error(
        check("2.13", |s| {
            offline(s);
            no_command_line(s);
            setting(s, "log-driver", json!("json-file"), "default", "");
        }),
        "log-driver may be set on the dockerd command line, which is not known: no dockerd process visible in /proc",
    );
}

#[test]
fn s2_14_no_new_privileges() {
    pass(
        check("2.14", |_| {}),
        &shown("no-new-privileges", "true", "file"),
    );
    warn(
        check("2.14", |s| {
            setting(s, "no-new-privileges", json!(false), "default", "")
        }),
        &shown("no-new-privileges", "false", "default"),
    );
}

#[test]
fn s2_15_live_restore() {
    pass(check("2.15", |_| {}), "LiveRestoreEnabled=true");
    warn(
        check("2.15", |s| {
            set(s, "daemon.Info.LiveRestoreEnabled", json!(false))
        }),
        "LiveRestoreEnabled=false",
    );
    skip(
        check("2.15", |s| {
            set(s, "daemon.Info.LiveRestoreEnabled", json!(false));
            set(s, "daemon.Info.Swarm.LocalNodeState", json!("active"));
        }),
        "live restore is incompatible with swarm mode, which is active",
    );
    // Offline: the setting.
    pass(
        check("2.15", |s| s["daemon"]["Info"] = Value::Null),
        &shown("live-restore", "true", "file"),
    );
    warn(
        check("2.15", |s| {
            s["daemon"]["Info"] = Value::Null;
            setting(s, "live-restore", json!(false), "default", "");
        }),
        &shown("live-restore", "false", "default"),
    );
}

#[test]
fn s2_16_userland_proxy() {
    pass(
        check("2.16", |_| {}),
        &shown("userland-proxy", "false", "file"),
    );
    warn(
        check("2.16", |s| {
            setting(s, "userland-proxy", json!(true), "default", "")
        }),
        &shown("userland-proxy", "true", "default"),
    );
}

#[test]
fn s2_17_seccomp_profile() {
    pass(
        check("2.17", |_| {}),
        &shown("seccomp-profile", "/etc/docker/seccomp.json", "file"),
    );
    for default in ["", "builtin", "default"] {
        info(
            check("2.17", |s| {
                setting(s, "seccomp-profile", json!(default), "default", "")
            }),
            "the default seccomp profile is used (consider a custom one)",
        );
    }
    warn(
        check("2.17", |s| {
            setting(s, "seccomp-profile", json!("unconfined"), "file", FILE)
        }),
        "seccomp-profile=unconfined: containers run without seccomp",
    );
    warn(
        check("2.17", |s| {
            s["daemon"]["Info"]["SecurityOptions"] = json!(["name=userns"])
        }),
        "seccomp is not enabled in the daemon (no name=seccomp in its security options)",
    );
}

#[test]
fn s2_18_experimental() {
    pass(check("2.18", |_| {}), "experimental features are disabled");
    warn(
        check("2.18", |s| {
            set(s, "daemon.Info.ExperimentalBuild", json!(true))
        }),
        "experimental features are enabled",
    );
    warn(
        check("2.18", |s| {
            s["daemon"]["Info"] = Value::Null;
            setting(s, "experimental", json!(true), "flag", "--experimental");
        }),
        "experimental features are enabled",
    );
    error(
        check("2.18", |s| {
            s["daemon"]["Info"] = Value::Null;
            s["daemon"]["Config"]["Settings"] = json!({});
        }),
        "daemon settings not collected",
    );
}

fn inventory(s: &mut Value, value: Value) {
    s["daemon"]["Inventory"] = value;
}

#[test]
fn s6_1_image_sprawl() {
    pass(check("6.1", |_| {}), "1 image, in use by a container");
    info(
        check("6.1", |s| {
            inventory(
                s,
                json!({ "Available": true, "ContainersTotal": 1, "ContainersRunning": 1,
                        "ImagesTotal": 3, "ImagesInUse": 1,
                        "UnusedImages": ["old/app:1", "0123456789ab"] }),
            )
        }),
        "3 images, 1 in use by containers; unused: old/app:1, 0123456789ab",
    );
    pass(
        check("6.1", |s| set(s, "daemon.Inventory.ImagesTotal", json!(2))),
        "2 images, all in use by containers",
    );
}

#[test]
fn s6_2_container_sprawl() {
    pass(check("6.2", |_| {}), "1 container, running");
    info(
        check("6.2", |s| {
            set(s, "daemon.Inventory.ContainersTotal", json!(5));
            set(s, "daemon.Inventory.ContainersRunning", json!(2));
        }),
        "5 containers, 2 running: 3 stopped or never started",
    );
    pass(
        check("6.2", |s| {
            set(s, "daemon.Inventory.ContainersTotal", json!(4));
            set(s, "daemon.Inventory.ContainersRunning", json!(4));
        }),
        "4 containers, all running",
    );
    pass(
        check("6.2", |s| {
            set(s, "daemon.Inventory.ContainersTotal", json!(0));
            set(s, "daemon.Inventory.ContainersRunning", json!(0));
        }),
        "0 containers, all running",
    );
}

#[test]
fn s6_counts_unavailable_are_errors() {
    for id in ["6.1", "6.2"] {
        error(
            check(id, |s| {
                inventory(
                    s,
                    json!({ "Available": false, "Reason": "offline scan: no daemon to ask" }),
                )
            }),
            "offline scan: no daemon to ask",
        );
        error(
            check(id, |s| inventory(s, json!({}))),
            "container and image counts not collected",
        );
    }
}

/// This node is a manager of an active swarm of 5 nodes with 3 managers, auto-lock on,
/// 2 secrets, one encrypted overlay network, the swarm port on one address.
fn manager(s: &mut Value) {
    s["daemon"]["Info"]["Swarm"] = json!({
        "NodeID": "n1", "NodeAddr": "10.0.0.1", "LocalNodeState": "active",
        "ControlAvailable": true, "Managers": 3, "Nodes": 5,
        "Cluster": { "ID": "c1", "Spec": { "Name": "default",
            "EncryptionConfig": { "AutoLockManagers": true },
            "CAConfig": { "NodeCertExpiry": 7_776_000_000_000_000_i64 } } } });
    s["daemon"]["Swarm"] = json!({ "Available": true, "Reason": "", "Secrets": 2 });
    s["daemon"]["Networks"]
        .as_array_mut()
        .unwrap()
        .push(overlay("appnet", true));
    s["host"]["Listeners"]["Tcp"] = json!([{ "Address": "10.0.0.1", "Port": 2377 }]);
}

fn overlay(name: &str, encrypted: bool) -> Value {
    let options = if encrypted {
        json!({ "encrypted": "" })
    } else {
        json!({})
    };
    json!({ "Id": format!("{name}-id"), "Name": name, "Driver": "overlay", "Scope": "swarm",
            "Options": options, "Labels": {}, "Containers": [] })
}

/// A worker: swarm active, no control plane here.
fn worker(s: &mut Value) {
    manager(s);
    set(s, "daemon.Info.Swarm.ControlAvailable", json!(false));
    set(s, "daemon.Info.Swarm.Cluster", Value::Null);
}

const NOT_MANAGER: &str = "swarm mode is not active on this node, or it is not a manager";
const NOT_ACTIVE: &str = "swarm mode is not active on this node";

#[test]
fn s7_swarm_inactive_is_skip() {
    for id in ["7.1", "7.2", "7.4", "7.5", "7.6", "7.7", "7.8"] {
        skip(check(id, |_| {}), NOT_MANAGER);
        skip(check(id, worker), NOT_MANAGER);
    }
    for id in ["7.3", "7.9"] {
        skip(check(id, |_| {}), NOT_ACTIVE);
    }
}

#[test]
fn s7_without_daemon_info_automated_checks_error() {
    for id in ["7.1", "7.2", "7.3", "7.5"] {
        error(
            check(id, |s| s["daemon"]["Info"] = Value::Null),
            "daemon info not available",
        );
    }
}

#[test]
fn s7_1_managers() {
    pass(check("7.1", manager), "3 managers of 5 nodes");
    warn(
        check("7.1", |s| {
            manager(s);
            set(s, "daemon.Info.Swarm.Managers", json!(2));
        }),
        "2 managers (an even number adds no fault tolerance)",
    );
    warn(
        check("7.1", |s| {
            manager(s);
            set(s, "daemon.Info.Swarm.Managers", json!(9));
        }),
        "9 managers (more than 7)",
    );
}

#[test]
fn s7_2_swarm_port_bound() {
    pass(check("7.2", manager), "10.0.0.1:2377");
    for (address, shown) in [("0.0.0.0", "0.0.0.0:2377"), ("::", "[::]:2377")] {
        warn(
            check("7.2", |s| {
                manager(s);
                s["host"]["Listeners"]["Tcp"] = json!([{ "Address": address, "Port": 2377 }]);
            }),
            shown,
        );
    }
    pass(
        check("7.2", |s| {
            manager(s);
            s["host"]["Listeners"]["Tcp"] = json!([{ "Address": "0.0.0.0", "Port": 22 }]);
        }),
        "no listener on 2377 seen",
    );
    error(
        check("7.2", |s| {
            manager(s);
            s["host"]["Listeners"] =
                json!({ "Available": false, "Reason": "offline scan: sockets are not on disk" });
        }),
        "offline scan: sockets are not on disk",
    );
}

#[test]
fn s7_3_overlay_encryption() {
    pass(check("7.3", manager), "encrypted: appnet");
    warn(
        check("7.3", |s| {
            manager(s);
            s["daemon"]["Networks"]
                .as_array_mut()
                .unwrap()
                .push(overlay("backend", false));
        }),
        "backend (swarm)",
    );
    // Workers see the overlay networks of their tasks: judged there too.
    warn(
        check("7.3", |s| {
            worker(s);
            s["daemon"]["Networks"]
                .as_array_mut()
                .unwrap()
                .push(overlay("backend", false));
        }),
        "backend (swarm)",
    );
    pass(
        check("7.3", |s| {
            manager(s);
            s["daemon"]["Networks"]
                .as_array_mut()
                .unwrap()
                .retain(|n| n["Driver"] != "overlay");
        }),
        "no overlay networks",
    );
    // The network list failed: not "no overlay networks".
    error(
        check("7.3", |s| {
            manager(s);
            s["daemon"]["Networks"] = json!([]);
        }),
        "networks not collected (every daemon has at least the host and none networks)",
    );
}

#[test]
fn s7_4_secrets() {
    pass(check("7.4", manager), "2 swarm secrets in use");
    info(
        check("7.4", |s| {
            manager(s);
            set(s, "daemon.Swarm.Secrets", json!(0));
        }),
        "no swarm secrets: check that services do not receive credentials through environment variables or image files",
    );
    error(
        check("7.4", |s| {
            manager(s);
            s["daemon"]["Swarm"] =
                json!({ "Available": false, "Reason": "GET /secrets: 503 Service Unavailable" });
        }),
        "GET /secrets: 503 Service Unavailable",
    );
}

#[test]
fn s7_5_auto_lock() {
    pass(check("7.5", manager), "AutoLockManagers=true");
    warn(
        check("7.5", |s| {
            manager(s);
            set(
                s,
                "daemon.Info.Swarm.Cluster.Spec.EncryptionConfig.AutoLockManagers",
                json!(false),
            );
        }),
        "AutoLockManagers=false",
    );
    error(
        check("7.5", |s| {
            manager(s);
            set(s, "daemon.Info.Swarm.Cluster", Value::Null);
        }),
        "cluster details not available (not reported by this manager)",
    );
}

#[test]
fn s7_6_to_7_9_are_manual_notes_on_a_manager() {
    note(check("7.6", manager), "unlock-key --rotate", None);
    note(
        check("7.7", manager),
        "node certificate expiry",
        Some("node certificate expiry: 2160 hours"),
    );
    note(check("7.8", manager), "docker swarm ca --rotate", None);
    note(
        check("7.9", manager),
        "--data-path-addr",
        Some("node address (management): 10.0.0.1"),
    );
    // A worker has the node address too.
    note(
        check("7.9", worker),
        "--data-path-addr",
        Some("node address (management): 10.0.0.1"),
    );
}
