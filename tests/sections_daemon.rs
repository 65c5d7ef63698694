//! CIS section 2 from the daemon's own configuration through the collector: daemon.json, a
//! command-line flag or dockerd's default, each shown with its source, and an invalid
//! daemon.json's parse message. Per-check verdicts on edited fixtures are case files
//! (`checks/<benchmark>/cases/`, run by tests/cases.rs).
#[path = "support/fixtures.rs"]
mod fixtures;

use dockbench::collect::daemon_config::resolve;
use fixtures::*;
use serde_json::Value;

const FILE: &str = "/etc/docker/daemon.json";

/// Evidence of a setting as the checks show it: `key=value (source: origin)`.
fn shown(key: &str, value: &str, source: &str) -> String {
    match source {
        "default" => format!("{key}={value} (default)"),
        "file" => format!("{key}={value} (file: {FILE})"),
        flag => format!("{key}={value} (flag: {flag})"),
    }
}

fn configured(s: &mut Value, args: &[&str], text: Option<&str>) {
    let args: Vec<String> = args.iter().map(|a| a.to_string()).collect();
    let config = resolve(&args, true, |_| text.map(|t| Ok(t.to_string())));
    s["daemon"]["Config"] = serde_json::to_value(config).unwrap();
    // Nothing observed from a running daemon: the configuration alone decides (as offline).
    s["daemon"]["Info"] = Value::Null;
    s["daemon"]["Networks"] = serde_json::json!([]);
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

/// An invalid daemon.json: dockerd would not start with it, so nothing can be judged (the
/// cases of section 2 show the ERROR); the parse message says where.
#[test]
fn invalid_daemon_json_error_says_where() {
    let mut bad = host();
    configured(&mut bad, &[], Some("{\n  \"icc\": false,\n}\n"));
    assert_eq!(
        bad["daemon"]["Config"]["FileError"],
        "/etc/docker/daemon.json: trailing comma at line 3 column 1"
    );
    let file_error = "dockerd would not start with this configuration: /etc/docker/daemon.json: trailing comma at line 3 column 1";
    error(eval_full(DEFAULT, "2.2", &bad, &[]), file_error);
}

/// Debug mode is the debug level, however it is asked for; dockerd reads log levels in any
/// case. Old verdicts: PASS for `--debug`/`"debug": true`, WARN for `INFO`.
#[test]
fn debug_mode_and_log_level_case() {
    warn(
        check("2.3", |s| configured(s, &["--debug"], None)),
        "log-level=debug (flag: debug mode by --debug)",
    );
    warn(
        check("2.3", |s| {
            configured(s, &["-D"], Some(r#"{"log-level": "info"}"#))
        }),
        "log-level=debug (flag: debug mode by -D)",
    );
    warn(
        check("2.3", |s| configured(s, &[], Some(r#"{"debug": true}"#))),
        &format!("log-level=debug (file: debug mode by {FILE})"),
    );
    pass(
        check("2.3", |s| {
            configured(s, &[], Some(r#"{"log-level": "INFO"}"#))
        }),
        &shown("log-level", "info", "file"),
    );
}

/// A configuration dockerd refuses to start with is ERROR, not a verdict from its values
/// (old verdicts: WARN for `"icc": "false"`, PASS/SKIP for the others).
#[test]
fn configurations_dockerd_refuses_are_errors() {
    error(
        check("2.2", |s| configured(s, &[], Some(r#"{"icc": "false"}"#))),
        "dockerd would not start with this configuration: icc: \"false\" is a string, dockerd needs a boolean",
    );
    error(
        check("2.7", |s| {
            configured(
                s,
                &["-H", "fd://"],
                Some(r#"{"hosts": ["tcp://0.0.0.0:2375"]}"#),
            )
        }),
        "dockerd would not start with this configuration: the following directives are specified both as a flag and in the configuration file: hosts: (from flag: [\"fd://\"], from file: [\"tcp://0.0.0.0:2375\"])",
    );
    error(
        check("2.14", |s| {
            configured(
                s,
                &[],
                Some(r#"{"no-new-privileges": true, "no-new-privilege": true}"#),
            )
        }),
        "dockerd would not start with this configuration: the following directives don't match any configuration option: no-new-privilege",
    );
}

/// With TLS on and no -H, dockerd listens on tcp://localhost:2376 with its default
/// certificates (old verdict: SKIP, "does not listen on TCP").
#[test]
fn tls_without_hosts_listens_on_2376() {
    pass(
        check("2.7", |s| configured(s, &["--tlsverify"], None)),
        "listening on tcp://localhost:2376 with tlsverify (CA: /root/.docker/ca.pem)",
    );
    // `--tls` alone verifies clients too (dockerd 20.10+: tlsverify defaults to tls).
    pass(
        check("2.7", |s| configured(s, &["--tls"], None)),
        "listening on tcp://localhost:2376 with tlsverify (CA: /root/.docker/ca.pem)",
    );
    warn(
        check("2.7", |s| {
            configured(s, &["--tls", "--tlsverify=false"], None)
        }),
        "listening on tcp://localhost:2376 with TLS but without client verification (tlsverify=false) (default: dockerd's default with TLS on and no -H)",
    );
}
