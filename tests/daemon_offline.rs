//! The daemon's effective configuration in an offline scan (`--root`), from a clone's files to
//! the verdict: a unit that takes its options from `EnvironmentFile=`, socket activation
//! (`-H fd://` with docker.socket's `ListenStream=`), and dockerd's built-in containerd choice.
use std::path::Path;

use serde_json::Value;

fn write(root: &Path, path: &str, text: &str) {
    let p = root.join(path);
    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    std::fs::write(p, text).unwrap();
}

/// A clone with a data root and the given files.
fn clone(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("var/lib/docker/containers")).unwrap();
    for (path, text) in files {
        write(dir.path(), path, text);
    }
    dir
}

/// `scan --root` of `root`, results by check id.
fn scan(root: &Path, checks: &str) -> std::collections::BTreeMap<String, Value> {
    let out = assert_cmd::Command::cargo_bin("dockbench")
        .unwrap()
        .args(["scan", "--root"])
        .arg(root)
        .args(["--check", checks, "--format", "json"])
        .output()
        .unwrap();
    let report: Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!("{e}: {}", String::from_utf8_lossy(&out.stderr));
    });
    report["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| (r["id"].as_str().unwrap().to_string(), r.clone()))
        .collect()
}

fn verdict(r: &std::collections::BTreeMap<String, Value>, id: &str) -> (String, String) {
    (
        r[id]["status"].as_str().unwrap().to_string(),
        r[id]["reason"].as_str().unwrap().to_string(),
    )
}

const UNIT: &str = "usr/lib/systemd/system/docker.service";

/// `$OPTIONS` (RHEL's /etc/sysconfig/docker) and `$DOCKER_OPTS` (Debian's /etc/default/docker)
/// are expanded: the options in them are judged (old verdicts: 2.2 WARN "icc=true
/// (default)", 2.3 PASS).
#[test]
fn environment_file_options_are_expanded() {
    let root = clone(&[
        (
            UNIT,
            "[Service]\nEnvironmentFile=-/etc/sysconfig/docker\nEnvironmentFile=-/etc/default/docker\nExecStart=/usr/bin/dockerd $OPTIONS $DOCKER_OPTS\n",
        ),
        ("etc/sysconfig/docker", "OPTIONS='--icc=false --debug'\n"),
        ("etc/default/docker", "# nothing here\n"),
    ]);
    let r = scan(root.path(), "2.2,2.3");
    assert_eq!(
        verdict(&r, "2.2"),
        ("PASS".into(), "icc=false (flag: --icc=false)".into())
    );
    assert_eq!(
        verdict(&r, "2.3"),
        (
            "WARN".into(),
            "log-level=debug (flag: debug mode by --debug)".into()
        )
    );
}

/// An EnvironmentFile that exists but cannot be read (here: a directory) leaves `$OPTIONS`
/// unknown: the settings it could carry are ERROR, never dockerd's default (old verdict: 2.2
/// WARN "icc=true (default)").
#[test]
fn unexpandable_variables_make_settings_unknown() {
    let root = clone(&[(
        UNIT,
        "[Service]\nEnvironmentFile=/etc/sysconfig/docker\nExecStart=/usr/bin/dockerd $OPTIONS\n",
    )]);
    std::fs::create_dir_all(root.path().join("etc/sysconfig/docker")).unwrap();
    let r = scan(root.path(), "2.2");
    let (status, reason) = verdict(&r, "2.2");
    assert_eq!(status, "ERROR", "{reason}");
    assert!(
        reason.starts_with(
            "icc may be set by the unit's $OPTIONS: EnvironmentFile=/etc/sysconfig/docker cannot be read"
        ),
        "{reason}"
    );
}

/// `-H fd://` serves what docker.socket listens on: a TCP ListenStream in a drop-in is a TCP
/// API without TLS (old verdict: SKIP "does not listen on TCP").
#[test]
fn socket_activation_with_a_tcp_listen_stream() {
    let root = clone(&[
        (UNIT, "[Service]\nExecStart=/usr/bin/dockerd -H fd://\n"),
        (
            "usr/lib/systemd/system/docker.socket",
            "[Socket]\nListenStream=/run/docker.sock\nSocketGroup=docker\n",
        ),
        (
            "etc/systemd/system/docker.socket.d/override.conf",
            "[Socket]\nListenStream=2375\n",
        ),
    ]);
    let r = scan(root.path(), "2.7");
    assert_eq!(
        verdict(&r, "2.7"),
        (
            "WARN".into(),
            "listening on tcp://[::]:2375 without TLS (flag: -H fd://; fd:// is the ListenStream= of docker.socket)".into()
        )
    );
    // Without the drop-in: the unix socket only.
    std::fs::remove_file(
        root.path()
            .join("etc/systemd/system/docker.socket.d/override.conf"),
    )
    .unwrap();
    let r = scan(root.path(), "2.7");
    assert_eq!(
        verdict(&r, "2.7"),
        (
            "SKIP".into(),
            "the daemon does not listen on TCP (only local sockets)".into()
        )
    );
    // No docker.socket at all: what -H fd:// serves cannot be known from the clone.
    std::fs::remove_file(root.path().join("usr/lib/systemd/system/docker.socket")).unwrap();
    let r = scan(root.path(), "2.7");
    let (status, reason) = verdict(&r, "2.7");
    assert_eq!(status, "SKIP", "{reason}");
    assert!(
        reason.starts_with("dockerd serves the sockets systemd hands it (-H fd://)"),
        "{reason}"
    );
}

/// A daemon.json dockerd refuses: ERROR, not a verdict from the value (old verdict: WARN,
/// since "false" is not false).
#[test]
fn refused_daemon_json_is_an_error() {
    let root = clone(&[
        (UNIT, "[Service]\nExecStart=/usr/bin/dockerd\n"),
        ("etc/docker/daemon.json", r#"{"icc": "false"}"#),
    ]);
    let r = scan(root.path(), "2.2");
    assert_eq!(
        verdict(&r, "2.2"),
        (
            "ERROR".into(),
            "dockerd would not start with this configuration: icc: \"false\" is a string, dockerd needs a boolean".into()
        )
    );
}

/// Without a system containerd, dockerd runs its own with its socket under the exec root:
/// 1.1.8 audits that socket (old verdict: SKIP, /run/containerd/containerd.sock missing).
#[test]
fn containerd_socket_of_dockerds_own_containerd() {
    let root = clone(&[
        (UNIT, "[Service]\nExecStart=/usr/bin/dockerd\n"),
        (
            "etc/audit/rules.d/docker.rules",
            "-w /usr/bin/dockerd -k docker\n",
        ),
    ]);
    let dir = root.path().join("var/run/docker/containerd");
    std::fs::create_dir_all(&dir).unwrap();
    let _socket = std::os::unix::net::UnixListener::bind(dir.join("containerd.sock")).unwrap();
    let r = scan(root.path(), "1.1.8");
    let (status, reason) = verdict(&r, "1.1.8");
    assert_eq!(status, "WARN", "{reason}");
    assert!(
        reason.starts_with("no audit rule watches /var/run/docker/containerd/containerd.sock"),
        "{reason}"
    );
}

/// An explicit plaintext TCP host next to `-H fd://` is served whatever systemd hands over:
/// 2.7 WARNs even when no docker.socket says what fd:// is, and when the TCP host comes from
/// `$OPTIONS` of an EnvironmentFile (old verdict: SKIP "dockerd serves the sockets systemd
/// hands it", the explicit TCP host unjudged).
#[test]
fn explicit_tcp_host_next_to_fd_is_judged_without_a_socket_unit() {
    let root = clone(&[(
        UNIT,
        "[Service]\nExecStart=/usr/bin/dockerd -H fd:// -H tcp://0.0.0.0:2375\n",
    )]);
    let r = scan(root.path(), "2.7");
    let (status, reason) = verdict(&r, "2.7");
    assert_eq!(status, "WARN", "{reason}");
    assert!(
        reason.starts_with("listening on tcp://0.0.0.0:2375 without TLS (flag: -H fd:// -H tcp://0.0.0.0:2375; more may be served: dockerd serves the sockets systemd hands it (-H fd://)"),
        "{reason}"
    );
    let root = clone(&[
        (
            UNIT,
            "[Service]\nEnvironmentFile=-/etc/sysconfig/docker\nExecStart=/usr/bin/dockerd -H fd:// $OPTIONS\n",
        ),
        (
            "etc/sysconfig/docker",
            "OPTIONS=\"-H tcp://0.0.0.0:2375\"\n",
        ),
    ]);
    let r = scan(root.path(), "2.7");
    let (status, reason) = verdict(&r, "2.7");
    assert_eq!(status, "WARN", "{reason}");
    assert!(
        reason.starts_with("listening on tcp://0.0.0.0:2375 without TLS"),
        "{reason}"
    );
    // Only fd:// and nothing says what it is: still unknown (SKIP), not "no TCP".
    let root = clone(&[(UNIT, "[Service]\nExecStart=/usr/bin/dockerd -H fd://\n")]);
    let (status, _) = verdict(&scan(root.path(), "2.7"), "2.7");
    assert_eq!(status, "SKIP");
}

/// systemd refuses to start a unit whose EnvironmentFile= without `-` is missing: no setting
/// of that daemon is its default (old verdict: 2.3 PASS "log-level=info (default)").
#[test]
fn a_missing_required_environment_file_means_the_unit_would_not_start() {
    let root = clone(&[(
        UNIT,
        "[Service]\nEnvironmentFile=/etc/sysconfig/docker\nExecStart=/usr/bin/dockerd\n",
    )]);
    let r = scan(root.path(), "2.2,2.3");
    for id in ["2.2", "2.3"] {
        assert_eq!(
            verdict(&r, id),
            (
                "ERROR".into(),
                "dockerd would not start with this configuration: the unit would not start (systemd fails a unit whose required environment file is missing): EnvironmentFile=/etc/sysconfig/docker does not exist and has no '-' prefix".into()
            ),
            "{id}"
        );
    }
    // With the `-` prefix a missing file is fine: the defaults are dockerd's.
    let root = clone(&[(
        UNIT,
        "[Service]\nEnvironmentFile=-/etc/sysconfig/docker\nExecStart=/usr/bin/dockerd $OPTIONS\n",
    )]);
    assert_eq!(
        verdict(&scan(root.path(), "2.3"), "2.3"),
        ("PASS".into(), "log-level=info (default)".into())
    );
}

/// A command line pflag or dockerd refuses: ERROR "dockerd would not start with this
/// configuration", never a verdict from the value (old verdicts: 2.2 WARN for `--icc=maybe`,
/// for an unknown flag and for `${OPTIONS}`, which systemd passes as one argument).
#[test]
fn command_lines_dockerd_refuses_are_errors() {
    let cases: &[(&str, &str, &str)] = &[
        (
            "--icc=maybe",
            "",
            "invalid argument \"maybe\" for \"--icc\" flag: strconv.ParseBool: parsing \"maybe\": invalid syntax",
        ),
        (
            "--no-such-flag --icc=false",
            "",
            "unknown flag: --no-such-flag",
        ),
        ("-Z --icc=false", "", "unknown shorthand flag: 'Z' in -Z"),
        (
            "--icc false",
            "",
            "\"dockerd\" accepts no argument(s) (given: \"false\")",
        ),
        (
            "${OPTIONS}",
            "OPTIONS='--icc=false --debug'\n",
            "invalid argument \"false --debug\" for \"--icc\" flag: strconv.ParseBool: parsing \"false --debug\": invalid syntax",
        ),
        (
            "--mtu=15OO --icc=false",
            "",
            "invalid argument \"15OO\" for \"--mtu\" flag: strconv.ParseInt: parsing \"15OO\": invalid syntax",
        ),
    ];
    for (args, env, why) in cases {
        let root = clone(&[
            (
                UNIT,
                &format!(
                    "[Service]\nEnvironmentFile=-/etc/sysconfig/docker\nExecStart=/usr/bin/dockerd {args}\n"
                ),
            ),
            ("etc/sysconfig/docker", env),
        ]);
        assert_eq!(
            verdict(&scan(root.path(), "2.2"), "2.2"),
            (
                "ERROR".into(),
                format!("dockerd would not start with this configuration: {why}")
            ),
            "{args}"
        );
    }
    // What Go's strconv accepts is accepted: `F`, `0`, `FALSE`; ints in any Go base.
    for args in ["--icc=F", "--icc=0", "--icc=FALSE --mtu=0x5dc", "$OPTIONS"] {
        let root = clone(&[
            (
                UNIT,
                &format!(
                    "[Service]\nEnvironmentFile=-/etc/sysconfig/docker\nExecStart=/usr/bin/dockerd {args}\n"
                ),
            ),
            ("etc/sysconfig/docker", "OPTIONS='--icc=false --debug'\n"),
        ]);
        let (status, reason) = verdict(&scan(root.path(), "2.2"), "2.2");
        assert_eq!(status, "PASS", "{args}: {reason}");
    }
}

/// `"icc": null` is no refusal: Go's encoding/json leaves the field alone, so dockerd runs
/// with its default (old verdict: ERROR "icc: null is null, dockerd needs a boolean"). The
/// key still counts as set for dockerd's flag/file conflict check.
#[test]
fn null_in_daemon_json_is_the_default_as_dockerd_reads_it() {
    let root = clone(&[
        (UNIT, "[Service]\nExecStart=/usr/bin/dockerd\n"),
        (
            "etc/docker/daemon.json",
            r#"{"icc": null, "log-level": null}"#,
        ),
    ]);
    let r = scan(root.path(), "2.2,2.3");
    assert_eq!(
        verdict(&r, "2.2"),
        (
            "WARN".into(),
            "icc=true (default: /etc/docker/daemon.json sets null, which dockerd ignores)".into()
        )
    );
    assert_eq!(verdict(&r, "2.3").0, "PASS");
    let root = clone(&[
        (UNIT, "[Service]\nExecStart=/usr/bin/dockerd --icc=false\n"),
        ("etc/docker/daemon.json", r#"{"icc": null}"#),
    ]);
    assert_eq!(
        verdict(&scan(root.path(), "2.2"), "2.2"),
        (
            "ERROR".into(),
            "dockerd would not start with this configuration: the following directives are specified both as a flag and in the configuration file: icc: (from flag: false, from file: <nil>)".into()
        )
    );
}

/// `--tls` without `--tlsverify`: since Docker 20.10 dockerd then requires and verifies client
/// certificates (tlsverify defaults to tls), so 2.7 PASSes; `--tlsverify=false` is the daemon
/// that takes any client (old verdict: WARN "with TLS but without client verification" for
/// `--tls` alone).
#[test]
fn tls_alone_verifies_clients() {
    let unit = |args: &str| {
        format!(
            "[Service]\nExecStart=/usr/bin/dockerd -H tcp://0.0.0.0:2376 --tlscert=/etc/docker/cert.pem --tlskey=/etc/docker/key.pem --tlscacert=/etc/docker/ca.pem {args}\n"
        )
    };
    let root = clone(&[(UNIT, &unit("--tls"))]);
    assert_eq!(
        verdict(&scan(root.path(), "2.7"), "2.7"),
        (
            "PASS".into(),
            "listening on tcp://0.0.0.0:2376 with tlsverify (CA: /etc/docker/ca.pem)".into()
        )
    );
    let root = clone(&[(UNIT, &unit("--tls --tlsverify=false"))]);
    let (status, reason) = verdict(&scan(root.path(), "2.7"), "2.7");
    assert_eq!(status, "WARN", "{reason}");
    assert!(reason.contains("without client verification"), "{reason}");
}
