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
    let file_error = "/etc/docker/daemon.json: trailing comma at line 3 column 1";
    error(eval_full(DEFAULT, "2.2", &bad, &[]), file_error);
}
