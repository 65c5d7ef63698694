//! The bad-input matrix (docs/bad-input.md): each row is one case run against the binary,
//! with its documented exit code and message. The document is generated from this table; a
//! test fails when it is stale (`UPDATE_DOCS=1 cargo nextest run -E 'binary(hardening_matrix)'`
//! rewrites it).
mod support;

use std::os::unix::fs::symlink;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Duration;

const RISKY: &str = "tests/fixtures/snapshots/risky.json";
const REPORT: &str = "tests/fixtures/reports/risky-report.json";
const NORMAL: &str = "tests/fixtures/roots/normal";
const DOC: &str = "docs/bad-input.md";

#[derive(Clone, Copy, PartialEq)]
enum Out {
    Pipe,
    Full,
    Closed,
}

struct Case {
    id: &'static str,
    case: &'static str,
    input: &'static str,
    outcome: &'static str,
    exit: i32,
    /// Expected in stderr (or in stdout for exit 0 cases); "" = anything.
    says: &'static str,
    out: Out,
    /// Builds the arguments in a scratch directory.
    args: fn(&Path) -> Vec<String>,
}

fn s(v: &[&str]) -> Vec<String> {
    v.iter().map(|x| x.to_string()).collect()
}
fn p(dir: &Path, name: &str) -> String {
    dir.join(name).to_string_lossy().into_owned()
}
fn file(dir: &Path, name: &str, bytes: &[u8]) -> String {
    std::fs::write(dir.join(name), bytes).unwrap();
    p(dir, name)
}
fn clone(dir: &Path, name: &str) -> String {
    let to = dir.join(name);
    assert!(
        Command::new("cp")
            .arg("-a")
            .arg(NORMAL)
            .arg(&to)
            .status()
            .unwrap()
            .success()
    );
    to.to_string_lossy().into_owned()
}
fn checks_dir(dir: &Path, check: &str) -> String {
    let d = dir.join("checks");
    std::fs::create_dir_all(&d).unwrap();
    std::fs::write(
        d.join("benchmark.toml"),
        "id = \"mine\"\ntitle = \"Mine\"\nversion = \"1\"\n[[section]]\nid = \"1\"\ntitle = \"One\"\n",
    )
    .unwrap();
    std::fs::write(d.join("checks.toml"), check).unwrap();
    d.to_string_lossy().into_owned()
}
const CHECK_OK: &str = "[[check]]\nid = \"1.1\"\ntitle = \"t\"\nlevel = \"1\"\nscope = \"host\"\nassessment = \"automated\"\nscored = true\ndescription = \"d\"\nremediation = \"r\"\nimpact = \"i\"\nseverity = \"low\"\nseverity_rationale = \"s\"\nfinding = \"false\"\n";

const CASES: &[Case] = &[
    Case {
        id: "B01",
        case: "unknown flag",
        input: "`scan --bogus`",
        outcome: "usage error naming the flag",
        exit: 2,
        says: "--bogus",
        out: Out::Pipe,
        args: |_| s(&["scan", "--bogus"]),
    },
    Case {
        id: "B02",
        case: "unknown format",
        input: "`scan -f pdf`",
        outcome: "usage error listing the formats",
        exit: 2,
        says: "pdf",
        out: Out::Pipe,
        args: |_| s(&["scan", "-f", "pdf"]),
    },
    Case {
        id: "B03",
        case: "snapshot missing",
        input: "`--snapshot /nonexistent`",
        outcome: "cannot read snapshot, with the OS error",
        exit: 2,
        says: "cannot read snapshot",
        out: Out::Pipe,
        args: |_| s(&["scan", "--snapshot", "/nonexistent/s.json"]),
    },
    Case {
        id: "B04",
        case: "snapshot is a directory",
        input: "`--snapshot DIR`",
        outcome: "cannot read snapshot: is a directory",
        exit: 2,
        says: "cannot read snapshot",
        out: Out::Pipe,
        args: |d| s(&["scan", "--snapshot", &d.to_string_lossy()]),
    },
    Case {
        id: "B05",
        case: "snapshot empty",
        input: "0-byte file",
        outcome: "not valid JSON",
        exit: 2,
        says: "not valid JSON",
        out: Out::Pipe,
        args: |d| vec!["scan".into(), "--snapshot".into(), file(d, "e.json", b"")],
    },
    Case {
        id: "B06",
        case: "snapshot binary",
        input: "random bytes",
        outcome: "not UTF-8 text",
        exit: 2,
        says: "not UTF-8",
        out: Out::Pipe,
        args: |d| {
            s(&[
                "scan",
                "--snapshot",
                &file(d, "b.json", &[0xff, 0xfe, 0, 1, 2, 0x80]),
            ])
        },
    },
    Case {
        id: "B07",
        case: "snapshot of the wrong shape",
        input: "`[1,2,3]`",
        outcome: "not a dockbench snapshot",
        exit: 2,
        says: "not a dockbench snapshot",
        out: Out::Pipe,
        args: |d| s(&["scan", "--snapshot", &file(d, "a.json", b"[1,2,3]")]),
    },
    Case {
        id: "B08",
        case: "snapshot nested 200 000 deep",
        input: "`[[[[…`",
        outcome: "recursion limit, no stack overflow",
        exit: 2,
        says: "recursion limit",
        out: Out::Pipe,
        args: |d| {
            s(&[
                "scan",
                "--snapshot",
                &file(d, "deep.json", "[".repeat(200_000).as_bytes()),
            ])
        },
    },
    Case {
        id: "B09",
        case: "snapshot of a future format",
        input: "`format_version: 999`",
        outcome: "format version not supported, collect again",
        exit: 2,
        says: "format version 999",
        out: Out::Pipe,
        args: |d| {
            let mut v: serde_json::Value =
                serde_json::from_str(&std::fs::read_to_string(RISKY).unwrap()).unwrap();
            v["format_version"] = 999.into();
            s(&[
                "scan",
                "--snapshot",
                &file(d, "f.json", v.to_string().as_bytes()),
            ])
        },
    },
    Case {
        id: "B10",
        case: "snapshot is /dev/zero",
        input: "`--snapshot /dev/zero`",
        outcome: "read capped at 256 MiB, then an error",
        exit: 2,
        says: "larger than 256 MiB",
        out: Out::Pipe,
        args: |_| s(&["scan", "--snapshot", "/dev/zero"]),
    },
    Case {
        id: "B11",
        case: "report input missing",
        input: "`report /nonexistent`",
        outcome: "cannot read report",
        exit: 2,
        says: "cannot read report",
        out: Out::Pipe,
        args: |_| s(&["report", "/nonexistent/r.json"]),
    },
    Case {
        id: "B12",
        case: "report input not JSON",
        input: "`report notes.txt`",
        outcome: "not valid JSON",
        exit: 2,
        says: "not valid JSON",
        out: Out::Pipe,
        args: |d| vec!["report".into(), file(d, "r.txt", b"hello")],
    },
    Case {
        id: "B13",
        case: "report input of the wrong shape",
        input: "`{\"a\":1}`",
        outcome: "not a dockbench JSON report",
        exit: 2,
        says: "schema_version",
        out: Out::Pipe,
        args: |d| vec!["report".into(), file(d, "r.json", b"{\"a\":1}")],
    },
    Case {
        id: "B14",
        case: "report from an empty stdin",
        input: "`report -` < /dev/null",
        outcome: "not valid JSON",
        exit: 2,
        says: "not valid JSON",
        out: Out::Pipe,
        args: |_| s(&["report", "-"]),
    },
    Case {
        id: "B15",
        case: "diff with a missing side",
        input: "`diff r.json /nonexistent`",
        outcome: "cannot read report",
        exit: 2,
        says: "cannot read report",
        out: Out::Pipe,
        args: |_| s(&["diff", REPORT, "/nonexistent/r.json"]),
    },
    Case {
        id: "B16",
        case: "baseline missing",
        input: "`--baseline /nonexistent`",
        outcome: "baseline cannot be read; nothing collected",
        exit: 2,
        says: "baseline",
        out: Out::Pipe,
        args: |_| {
            s(&[
                "scan",
                "--snapshot",
                RISKY,
                "--baseline",
                "/nonexistent/b.json",
            ])
        },
    },
    Case {
        id: "B17",
        case: "--fail-on-new without a baseline",
        input: "`--fail-on-new`",
        outcome: "usage error",
        exit: 2,
        says: "needs a --baseline",
        out: Out::Pipe,
        args: |_| s(&["scan", "--snapshot", RISKY, "--fail-on-new"]),
    },
    Case {
        id: "B18",
        case: "check ID that matches nothing",
        input: "`--check 99`",
        outcome: "no check matches",
        exit: 2,
        says: "no check of",
        out: Out::Pipe,
        args: |_| s(&["scan", "--snapshot", RISKY, "--check", "99"]),
    },
    Case {
        id: "B19",
        case: "selection of nothing",
        input: "`--check 5 --skip 5`",
        outcome: "usage error, not a passing gate",
        exit: 2,
        says: "leaves no check to run",
        out: Out::Pipe,
        args: |_| {
            s(&[
                "scan",
                "--snapshot",
                RISKY,
                "--check",
                "5",
                "--skip",
                "5",
                "--fail-on",
                "warn",
            ])
        },
    },
    Case {
        id: "B20",
        case: "profile level that does not exist",
        input: "`--level 3`",
        outcome: "usage error",
        exit: 2,
        says: "--level",
        out: Out::Pipe,
        args: |_| s(&["scan", "--level", "3"]),
    },
    Case {
        id: "B21",
        case: "score that is not a number",
        input: "`--min-score abc`",
        outcome: "usage error",
        exit: 2,
        says: "--min-score",
        out: Out::Pipe,
        args: |_| s(&["scan", "--min-score", "abc"]),
    },
    Case {
        id: "B22",
        case: "output without a format",
        input: "`-o json`",
        outcome: "expected FORMAT=PATH",
        exit: 2,
        says: "FORMAT=PATH",
        out: Out::Pipe,
        args: |_| s(&["scan", "-o", "json"]),
    },
    Case {
        id: "B23",
        case: "output with an empty path",
        input: "`-o json=`",
        outcome: "no path after 'json='",
        exit: 2,
        says: "no path",
        out: Out::Pipe,
        args: |_| s(&["scan", "-o", "json="]),
    },
    Case {
        id: "B24",
        case: "output in an unknown format",
        input: "`-o pdf=r.pdf`",
        outcome: "unknown format",
        exit: 2,
        says: "unknown format",
        out: Out::Pipe,
        args: |_| s(&["scan", "-o", "pdf=r.pdf"]),
    },
    Case {
        id: "B25",
        case: "two outputs to one file",
        input: "`-o json=r -o csv=./r`",
        outcome: "usage error, nothing written",
        exit: 2,
        says: "given twice",
        out: Out::Pipe,
        args: |d| {
            s(&[
                "scan",
                "--snapshot",
                RISKY,
                "-o",
                &format!("json={}", p(d, "r")),
                "-o",
                &format!("csv={}/./r", d.display()),
            ])
        },
    },
    Case {
        id: "B26",
        case: "output into a missing directory",
        input: "`-o json=/nonexistent/r.json`",
        outcome: "cannot write, the other outputs are written",
        exit: 4,
        says: "cannot write",
        out: Out::Pipe,
        args: |_| {
            s(&[
                "scan",
                "--snapshot",
                RISKY,
                "-q",
                "-o",
                "json=/nonexistent/dir/r.json",
            ])
        },
    },
    Case {
        id: "B27",
        case: "output is a directory",
        input: "`-o json=DIR`",
        outcome: "cannot write: is a directory",
        exit: 4,
        says: "cannot write",
        out: Out::Pipe,
        args: |d| {
            s(&[
                "scan",
                "--snapshot",
                RISKY,
                "-q",
                "-o",
                &format!("json={}", d.display()),
            ])
        },
    },
    Case {
        id: "B28",
        case: "output file on a full disk",
        input: "`-o json=/dev/full`",
        outcome: "No space left on device",
        exit: 4,
        says: "No space left",
        out: Out::Pipe,
        args: |_| s(&["scan", "--snapshot", RISKY, "-q", "-o", "json=/dev/full"]),
    },
    Case {
        id: "B29",
        case: "standard output on a full disk",
        input: "`scan > /dev/full`",
        outcome: "cannot write to standard output",
        exit: 4,
        says: "cannot write to standard output",
        out: Out::Full,
        args: |_| s(&["scan", "--snapshot", RISKY]),
    },
    Case {
        id: "B30",
        case: "standard output closed",
        input: "`scan \\| head -0`",
        outcome: "ends quietly, no panic",
        exit: 0,
        says: "",
        out: Out::Closed,
        args: |_| s(&["scan", "--snapshot", RISKY]),
    },
    Case {
        id: "B31",
        case: "configuration file missing",
        input: "`--config /nonexistent`",
        outcome: "cannot read the configuration",
        exit: 2,
        says: "/nonexistent/c.toml",
        out: Out::Pipe,
        args: |_| s(&["scan", "--config", "/nonexistent/c.toml"]),
    },
    Case {
        id: "B32",
        case: "configuration not TOML",
        input: "`a = = 1`",
        outcome: "TOML error with line and column",
        exit: 2,
        says: "c.toml:1:",
        out: Out::Pipe,
        args: |d| s(&["scan", "--config", &file(d, "c.toml", b"a = = 1\n")]),
    },
    Case {
        id: "B33",
        case: "configuration with an unknown key",
        input: "`bogus_key = 1`",
        outcome: "unknown field, the known ones listed",
        exit: 2,
        says: "unknown field",
        out: Out::Pipe,
        args: |d| s(&["scan", "--config", &file(d, "c.toml", b"bogus_key = 1\n")]),
    },
    Case {
        id: "B34",
        case: "checks folder missing",
        input: "`--checks-dir /nonexistent`",
        outcome: "cannot read checks folder",
        exit: 2,
        says: "cannot read checks folder",
        out: Out::Pipe,
        args: |_| s(&["scan", "--checks-dir", "/nonexistent/c"]),
    },
    Case {
        id: "B35",
        case: "check file not TOML",
        input: "`[[check]` in a check file",
        outcome: "TOML error naming the file",
        exit: 2,
        says: "checks.toml",
        out: Out::Pipe,
        args: |d| s(&["checks", "validate", &checks_dir(d, "[[check]\n")]),
    },
    Case {
        id: "B36",
        case: "check expression that does not compile",
        input: "`finding = \"1 +\"`",
        outcome: "the check and expression named",
        exit: 2,
        says: "1.1",
        out: Out::Pipe,
        args: |d| {
            s(&[
                "checks",
                "validate",
                &checks_dir(
                    d,
                    &CHECK_OK.replace("finding = \"false\"", "finding = \"1 +\""),
                ),
            ])
        },
    },
    Case {
        id: "B37",
        case: "check reading a field that does not exist",
        input: "`finding = \"host.Nope\"`",
        outcome: "unknown field named",
        exit: 2,
        says: "Nope",
        out: Out::Pipe,
        args: |d| {
            s(&[
                "checks",
                "validate",
                &checks_dir(
                    d,
                    &CHECK_OK.replace("finding = \"false\"", "finding = \"host.Nope == 1\""),
                ),
            ])
        },
    },
    Case {
        id: "B38",
        case: "unknown benchmark",
        input: "`--benchmark nope`",
        outcome: "unknown benchmark",
        exit: 2,
        says: "nope",
        out: Out::Pipe,
        args: |_| s(&["scan", "--snapshot", RISKY, "--benchmark", "nope"]),
    },
    Case {
        id: "B39",
        case: "clone root missing",
        input: "`--root /nonexistent`",
        outcome: "not a directory",
        exit: 3,
        says: "not a directory",
        out: Out::Pipe,
        args: |_| s(&["scan", "--root", "/nonexistent/r"]),
    },
    Case {
        id: "B40",
        case: "clone root is a file",
        input: "`--root FILE`",
        outcome: "not a directory",
        exit: 3,
        says: "not a directory",
        out: Out::Pipe,
        args: |d| vec!["scan".into(), "--root".into(), file(d, "f", b"x")],
    },
    Case {
        id: "B41",
        case: "clone root without Docker",
        input: "`--root EMPTY_DIR`",
        outcome: "no Docker data root found, where it looked",
        exit: 3,
        says: "no Docker data root",
        out: Out::Pipe,
        args: |d| s(&["scan", "--root", &d.to_string_lossy()]),
    },
    Case {
        id: "B42",
        case: "daemon.json unparsable and naming a data root",
        input: "`{\"data-root\": \"/srv\",,}`",
        outcome: "the data root is not known: stop, no empty scan",
        exit: 3,
        says: "sets a data root",
        out: Out::Pipe,
        args: |d| {
            let r = clone(d, "c");
            std::fs::write(
                Path::new(&r).join("etc/docker/daemon.json"),
                "{\"data-root\": \"/srv\",,}",
            )
            .unwrap();
            vec!["scan".into(), "--root".into(), r]
        },
    },
    Case {
        id: "B43",
        case: "FIFO where config.v2.json belongs",
        input: "`mkfifo …/config.v2.json`",
        outcome: "container ERROR: not a regular file (a FIFO); no hang",
        exit: 0,
        says: "a FIFO",
        out: Out::Pipe,
        args: |d| {
            let r = clone(d, "c");
            let c = Path::new(&r).join("var/lib/docker/containers/a000000000000000000000000000000000000000000000000000000000000001/config.v2.json");
            std::fs::remove_file(&c).unwrap();
            rustix::fs::mkfifoat(rustix::fs::CWD, &c, rustix::fs::Mode::from_raw_mode(0o644))
                .unwrap();
            s(&["scan", "--root", &r, "-a", "-f", "json"])
        },
    },
    Case {
        id: "B44",
        case: "stray entries under containers/",
        input: "a file, a FIFO, an empty directory",
        outcome: "not containers: the same containers scanned",
        exit: 0,
        says: "\"containers_scanned\": 3",
        out: Out::Pipe,
        args: |d| {
            let r = clone(d, "c");
            let cs = Path::new(&r).join("var/lib/docker/containers");
            std::fs::write(cs.join("README"), "x").unwrap();
            std::fs::create_dir(cs.join("empty")).unwrap();
            rustix::fs::mkfifoat(
                rustix::fs::CWD,
                cs.join("fifo"),
                rustix::fs::Mode::from_raw_mode(0o644),
            )
            .unwrap();
            s(&["scan", "--root", &r, "-a", "-f", "json"])
        },
    },
    Case {
        id: "B45",
        case: "clone root path with ':'",
        input: "`--root /mnt/clone:2026`",
        outcome: "scanned like any other path",
        exit: 0,
        says: "\"containers_scanned\": 3",
        out: Out::Pipe,
        args: |d| {
            s(&[
                "scan",
                "--root",
                &clone(d, "clone:2026"),
                "-a",
                "-f",
                "json",
            ])
        },
    },
    Case {
        id: "B46",
        case: "layer that is a symlink loop",
        input: "`diff -> /usr`, clone `usr -> /usr`",
        outcome: "4.8 ERROR: too many levels of symbolic links; never the scanner's /usr",
        exit: 0,
        says: "Too many levels of symbolic links",
        out: Out::Pipe,
        args: |d| {
            let r = clone(d, "c");
            let root = Path::new(&r);
            let layer = root.join("var/lib/docker/overlay2/dddd000000000000000000000000000000000000000000000000000000000001/diff");
            std::fs::remove_dir_all(&layer).unwrap();
            std::fs::remove_dir_all(root.join("usr")).unwrap();
            symlink("/usr", root.join("usr")).unwrap();
            symlink("/usr", &layer).unwrap();
            s(&["scan", "--root", &r, "-a", "--check", "4.8", "-f", "json"])
        },
    },
    Case {
        id: "B47",
        case: "a device node as a unit file",
        input: "char device 1,5 (`/dev/zero`) as docker.service",
        outcome: "not opened, not read: an error for that file",
        exit: 0,
        says: "character device",
        out: Out::Pipe,
        args: |d| {
            let r = clone(d, "c");
            let unit = Path::new(&r).join("usr/lib/systemd/system/docker.service");
            std::fs::remove_file(&unit).unwrap();
            let made = rustix::fs::mknodat(
                rustix::fs::CWD,
                &unit,
                rustix::fs::FileType::CharacterDevice,
                rustix::fs::Mode::from_raw_mode(0o644),
                rustix::fs::makedev(1, 5),
            )
            .is_ok();
            if !made {
                // Not root: a FIFO tests the same path (not a regular file).
                rustix::fs::mkfifoat(
                    rustix::fs::CWD,
                    &unit,
                    rustix::fs::Mode::from_raw_mode(0o644),
                )
                .unwrap();
            }
            s(&["scan", "--root", &r, "-f", "json"])
        },
    },
    Case {
        id: "B48",
        case: "daemon socket missing",
        input: "`--host unix:///nonexistent.sock`",
        outcome: "socket not found",
        exit: 3,
        says: "socket not found",
        out: Out::Pipe,
        args: |_| s(&["scan", "--host", "unix:///nonexistent/docker.sock"]),
    },
    Case {
        id: "B49",
        case: "nothing listening",
        input: "`--host tcp://127.0.0.1:1`",
        outcome: "connection refused: is the daemon running?",
        exit: 3,
        says: "Connection refused",
        out: Out::Pipe,
        args: |_| s(&["scan", "--host", "tcp://127.0.0.1:1"]),
    },
    Case {
        id: "B50",
        case: "address of an unsupported kind",
        input: "`--host ftp://x`",
        outcome: "usage error: unsupported address scheme",
        exit: 2,
        says: "unsupported address scheme",
        out: Out::Pipe,
        args: |_| s(&["scan", "--host", "ftp://x"]),
    },
    Case {
        id: "B51",
        case: "a socket nobody answers on",
        input: "listening socket that never replies, `--timeout 2`",
        outcome: "did not answer within 1 s / the scan's deadline",
        exit: 3,
        says: "did not answer",
        out: Out::Pipe,
        args: |d| {
            let sock = d.join("s.sock");
            let l = std::os::unix::net::UnixListener::bind(&sock).unwrap();
            std::thread::spawn(move || {
                let mut held = Vec::new();
                for c in l.incoming().flatten() {
                    held.push(c);
                }
            });
            s(&[
                "scan",
                "--host",
                &format!("unix://{}", sock.display()),
                "--timeout",
                "2",
            ])
        },
    },
    Case {
        id: "B52",
        case: "--root with --host",
        input: "`--root DIR --host URL`",
        outcome: "conflicting flags",
        exit: 2,
        says: "cannot be used with",
        out: Out::Pipe,
        args: |_| s(&["scan", "--root", "/", "--host", "unix:///x"]),
    },
    Case {
        id: "B53",
        case: "--snapshot with --all",
        input: "`--snapshot f --all`",
        outcome: "conflicting flags",
        exit: 2,
        says: "cannot be used with",
        out: Out::Pipe,
        args: |_| s(&["scan", "--snapshot", RISKY, "--all"]),
    },
    Case {
        id: "B54",
        case: "timeout of zero",
        input: "`--timeout 0`",
        outcome: "usage error",
        exit: 2,
        says: "--timeout",
        out: Out::Pipe,
        args: |_| s(&["scan", "--timeout", "0"]),
    },
    Case {
        id: "B55",
        case: "lock file is a symlink",
        input: "`--lock LINK` (to a file of value)",
        outcome: "not followed, target untouched",
        exit: 2,
        says: "symbolic link",
        out: Out::Pipe,
        args: |d| {
            file(d, "victim", b"precious");
            symlink(d.join("victim"), d.join("l")).unwrap();
            s(&["scan", "--snapshot", RISKY, "-q", "--lock", &p(d, "l")])
        },
    },
    Case {
        id: "B56",
        case: "lock file is a FIFO",
        input: "`--lock FIFO`",
        outcome: "not a regular file; no hang",
        exit: 2,
        says: "not a regular file",
        out: Out::Pipe,
        args: |d| {
            rustix::fs::mkfifoat(
                rustix::fs::CWD,
                d.join("f"),
                rustix::fs::Mode::from_raw_mode(0o644),
            )
            .unwrap();
            s(&["scan", "--snapshot", RISKY, "-q", "--lock", &p(d, "f")])
        },
    },
    Case {
        id: "B57",
        case: "lock held by another run",
        input: "a second run on the same outputs",
        outcome: "another run holds the lock, with its PID",
        exit: 5,
        says: "holds the lock",
        out: Out::Pipe,
        args: |d| {
            let l = dockbench::lock::acquire(&d.join("held.lock"), Duration::ZERO).unwrap();
            std::mem::forget(l); // held for the rest of this test process
            s(&[
                "scan",
                "--snapshot",
                RISKY,
                "-q",
                "--lock",
                &p(d, "held.lock"),
            ])
        },
    },
    Case {
        id: "B58",
        case: "lock wait that is not a number",
        input: "`--wait-lock soon`",
        outcome: "usage error",
        exit: 2,
        says: "--wait-lock",
        out: Out::Pipe,
        args: |_| s(&["scan", "--wait-lock", "soon"]),
    },
    Case {
        id: "B59",
        case: "collect without an output",
        input: "`collect`",
        outcome: "--output required",
        exit: 2,
        says: "--output",
        out: Out::Pipe,
        args: |_| s(&["collect"]),
    },
    Case {
        id: "B60",
        case: "show an unknown check",
        input: "`checks show 99.9`",
        outcome: "no check 99.9",
        exit: 2,
        says: "no check 99.9",
        out: Out::Pipe,
        args: |_| s(&["checks", "show", "99.9"]),
    },
    Case {
        id: "B61",
        case: "terminal escapes in a host label",
        input: "`--host-label $'\\e[2J'`",
        outcome: "shown escaped (`\\e[2J`), never sent raw",
        exit: 0,
        says: "\\e[2J",
        out: Out::Pipe,
        args: |_| s(&["scan", "--snapshot", RISKY, "--host-label", "x\x1b[2J"]),
    },
    Case {
        id: "B62",
        case: "multi-byte secret-looking env value",
        input: "`X=AKIAaÉÉÉÉÉÉÉÉ` in an image",
        outcome: "judged by characters; no panic",
        exit: 0,
        says: "",
        out: Out::Pipe,
        args: |d| {
            let mut v: serde_json::Value =
                serde_json::from_str(&std::fs::read_to_string(RISKY).unwrap()).unwrap();
            v["images"][0]["Config"]["Env"] = serde_json::json!(["X=AKIAaÉÉÉÉÉÉÉÉ"]);
            s(&[
                "scan",
                "--snapshot",
                &file(d, "s.json", v.to_string().as_bytes()),
                "--check",
                "4.10",
            ])
        },
    },
    Case {
        id: "B63",
        case: "check whose `files` is not a list of files",
        input: "`files = \"host.Files\"` (a map)",
        outcome: "the check, `files` and the position named",
        exit: 2,
        says: "check 1.1: files: must be a list of file facts",
        out: Out::Pipe,
        args: |d| {
            s(&[
                "checks",
                "validate",
                &checks_dir(
                    d,
                    &CHECK_OK.replace(
                        "finding = \"false\"",
                        "files = \"host.Files\"\nfinding = \"f.Mode > 0\"",
                    ),
                ),
            ])
        },
    },
    Case {
        id: "B64",
        case: "check with an invalid regular expression",
        input: "`host.Hostname.matches(\"web-[0-9\")`",
        outcome: "the check, the pattern, what is wrong and the position named",
        exit: 2,
        says: "check 1.1: finding: invalid regular expression \"web-[0-9\" in matches(): unclosed character class (at line 1, column",
        out: Out::Pipe,
        args: |d| {
            s(&[
                "checks",
                "validate",
                &checks_dir(
                    d,
                    &CHECK_OK.replace(
                        "finding = \"false\"",
                        "finding = 'host.Hostname.matches(\"web-[0-9\")'",
                    ),
                ),
            ])
        },
    },
    Case {
        id: "B65",
        case: "report nested 200 000 deep",
        input: "`report` of `{\"schema_version\": [[[[…`",
        outcome: "recursion limit, no stack overflow",
        exit: 2,
        says: "recursion limit",
        out: Out::Pipe,
        args: |d| {
            vec![
                "report".into(),
                file(
                    d,
                    "deep.json",
                    format!("{{\"schema_version\": {}", "[".repeat(200_000)).as_bytes(),
                ),
            ]
        },
    },
    Case {
        id: "B66",
        case: "report input is /dev/zero",
        input: "`report /dev/zero`",
        outcome: "not valid JSON at its first byte; nothing more read",
        exit: 2,
        says: "not valid JSON",
        out: Out::Pipe,
        args: |_| s(&["report", "/dev/zero"]),
    },
    Case {
        id: "B67",
        case: "report input binary",
        input: "random bytes",
        outcome: "not valid JSON",
        exit: 2,
        says: "not valid JSON",
        out: Out::Pipe,
        args: |d| {
            let bytes: Vec<u8> = (0u32..4096)
                .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
                .collect();
            vec!["report".into(), file(d, "r.bin", &bytes)]
        },
    },
    Case {
        id: "B68",
        case: "report with a string that is not UTF-8",
        input: "`{\"schema_version\": 3, \"tool\": \"\\xff\"`…",
        outcome: "not valid JSON",
        exit: 2,
        says: "not valid JSON",
        out: Out::Pipe,
        args: |d| {
            vec![
                "report".into(),
                file(d, "r.json", b"{\"schema_version\": 3, \"tool\": \"\xff\"}"),
            ]
        },
    },
];

fn run(id: &str) {
    let case = CASES.iter().find(|c| c.id == id).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let args = (case.args)(dir.path());
    let mut cmd = Command::new(assert_cmd::cargo::cargo_bin("dockbench"));
    cmd.args(&args)
        .env("NO_COLOR", "1")
        .env_remove("DOCKER_HOST")
        .stdin(Stdio::null())
        .stderr(Stdio::piped());
    match case.out {
        Out::Pipe => cmd.stdout(Stdio::piped()),
        Out::Full => cmd.stdout(std::fs::File::create("/dev/full").unwrap()),
        Out::Closed => cmd.stdout(Stdio::piped()),
    };
    let mut child = cmd.spawn().unwrap();
    if case.out == Out::Closed {
        drop(child.stdout.take());
    }
    let out = child.wait_with_output().unwrap();
    let (stdout, stderr) = (
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr),
    );
    assert_eq!(
        out.status.code(),
        Some(case.exit),
        "{id} {}: {stderr}",
        case.case
    );
    assert!(!stderr.contains("panicked"), "{id}: {stderr}");
    if !case.says.is_empty() {
        assert!(
            stderr.contains(case.says) || stdout.contains(case.says),
            "{id} {}: expected {:?} in\n{stderr}\n{stdout:.3000}",
            case.case,
            case.says
        );
    }
}

fn render_doc() -> String {
    let mut out = String::from(
        "# Bad input: what dockbench does with it\n\n\
         Generated from `tests/hardening_matrix.rs`, where each row is a test that runs the binary\n\
         (`UPDATE_DOCS=1 cargo nextest run -E 'binary(hardening_matrix)'` rewrites this file).\n\
         Exit codes: 0 completed, 1 policy, 2 usage or input, 3 could not collect or partial scan,\n\
         4 an output could not be written, 5 locked. No input makes dockbench panic or hang.\n\n\
         | # | Case | Input | Outcome | Exit |\n|---|---|---|---|---|\n",
    );
    for c in CASES {
        out.push_str(&format!(
            "| {} | {} | {} | {} | {} |\n",
            c.id,
            c.case,
            c.input.replace('|', "\\|"),
            c.outcome,
            c.exit
        ));
    }
    out
}

#[test]
fn the_matrix_document_is_current() {
    assert!(CASES.len() >= 50);
    let doc = render_doc();
    if std::env::var_os("UPDATE_DOCS").is_some() {
        std::fs::write(DOC, &doc).unwrap();
    }
    assert_eq!(
        std::fs::read_to_string(DOC).unwrap_or_default(),
        doc,
        "{DOC} is stale"
    );
}

macro_rules! cases {
    ($($name:ident => $id:literal),* $(,)?) => {
        $( #[test] fn $name() { run($id); } )*
        #[test]
        fn every_case_has_its_test() {
            let tested = [$($id),*];
            for c in CASES {
                assert!(tested.contains(&c.id), "{} has no test", c.id);
            }
        }
    };
}

cases! {
    b01 => "B01", b02 => "B02", b03 => "B03", b04 => "B04", b05 => "B05", b06 => "B06",
    b07 => "B07", b08 => "B08", b09 => "B09", b10 => "B10", b11 => "B11", b12 => "B12",
    b13 => "B13", b14 => "B14", b15 => "B15", b16 => "B16", b17 => "B17", b18 => "B18",
    b19 => "B19", b20 => "B20", b21 => "B21", b22 => "B22", b23 => "B23", b24 => "B24",
    b25 => "B25", b26 => "B26", b27 => "B27", b28 => "B28", b29 => "B29", b30 => "B30",
    b31 => "B31", b32 => "B32", b33 => "B33", b34 => "B34", b35 => "B35", b36 => "B36",
    b37 => "B37", b38 => "B38", b39 => "B39", b40 => "B40", b41 => "B41", b42 => "B42",
    b43 => "B43", b44 => "B44", b45 => "B45", b46 => "B46", b47 => "B47", b48 => "B48",
    b49 => "B49", b50 => "B50", b51 => "B51", b52 => "B52", b53 => "B53", b54 => "B54",
    b55 => "B55", b56 => "B56", b57 => "B57", b58 => "B58", b59 => "B59", b60 => "B60",
    b61 => "B61", b62 => "B62", b63 => "B63", b64 => "B64", b65 => "B65", b66 => "B66",
    b67 => "B67", b68 => "B68",
}
