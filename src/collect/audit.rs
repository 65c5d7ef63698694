//! Audit rules (CIS 1.1.3–1.1.18): the kernel's loaded rules (`auditctl -l`) when the scanner
//! may list them, else the rule files of the scanned root. Matching a file to a rule is by
//! exact path, never by substring (a rule on `/usr/bin/containerd-shim` does not audit
//! `/usr/bin/containerd`), after resolving symlinks inside the scanned root as the kernel does
//! when it loads the rule (`-w /run/docker.sock` audits `/var/run/docker.sock` when
//! `/var/run -> /run`).
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use super::rootfs::{RootFs, is_not_found};
use crate::snapshot::{AuditFacts, FactStatus, FileFact};

const RULES_FILE: &str = "/etc/audit/audit.rules";
const RULES_DIR: &str = "/etc/audit/rules.d";
const AUDITCTL_DIRS: &[&str] = &["/sbin", "/usr/sbin", "/usr/bin", "/bin"];

/// The rules of the scanned host. `auditctl` only runs for the live host (`/`): for a clone
/// it would list the scanner's kernel, not the clone's.
pub fn collect(fs: &RootFs, live: bool) -> AuditFacts {
    let auditctl = (live && fs.is_host_root())
        .then(|| {
            AUDITCTL_DIRS
                .iter()
                .map(|d| Path::new(d).join("auditctl"))
                .find(|p| p.is_file())
        })
        .flatten();
    collect_with(fs, auditctl.as_deref())
}

fn collect_with(fs: &RootFs, auditctl: Option<&Path>) -> AuditFacts {
    let mut note = String::new();
    if let Some(bin) = auditctl {
        match run_auditctl(bin) {
            Ok(out) => return facts("auditctl -l".into(), parse_rules(&out)),
            // Typically "You must be root" or, in a container without
            // CAP_AUDIT_CONTROL, "Operation not permitted".
            Err(e) => note = format!("auditctl -l failed: {e}"),
        }
    }
    from_files(fs, note)
}

fn run_auditctl(bin: &Path) -> Result<String, String> {
    let out = Command::new(bin)
        .arg("-l")
        .stdin(Stdio::null())
        .output()
        .map_err(|e| e.to_string())?;
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    if out.status.success() {
        return Ok(stdout);
    }
    let stderr = String::from_utf8_lossy(&out.stderr);
    let message = stderr
        .lines()
        .chain(stdout.lines())
        .map(str::trim)
        .find(|l| !l.is_empty())
        .map(String::from)
        .unwrap_or_else(|| out.status.to_string());
    Err(message)
}

/// `audit.rules` then `rules.d/*.rules` by name (augenrules' order).
fn from_files(fs: &RootFs, note: String) -> AuditFacts {
    let mut read = Vec::new();
    let mut problems = Vec::new();
    let mut rules = Vec::new();
    let mut found_dir = false;
    let mut paths = vec![RULES_FILE.to_string()];
    match fs.read_dir(RULES_DIR) {
        Ok(names) => {
            found_dir = true;
            paths.extend(
                names
                    .iter()
                    .map(|n| n.to_string_lossy())
                    .filter(|n| n.ends_with(".rules"))
                    .map(|n| format!("{RULES_DIR}/{n}")),
            );
        }
        Err(e) if is_not_found(&e) => {}
        Err(e) => problems.push(format!("cannot read {RULES_DIR}: {e}")),
    }
    for path in paths {
        match fs.read_to_string(&path) {
            Ok(text) => {
                rules.extend(parse_rules(&text));
                read.push(path);
            }
            Err(e) if is_not_found(&e) => {}
            Err(e) => problems.push(format!("cannot read {path}: {e}")),
        }
    }
    problems.extend((!note.is_empty()).then_some(note));
    if read.is_empty() && !found_dir {
        // Nothing configured anywhere (no auditctl, no rule files): auditing is known to be
        // absent, which is a finding, not an unknown. Unreadable files stay unknown.
        if problems.is_empty() {
            return facts(
                format!(
                    "none: no auditctl and no {RULES_FILE} or {RULES_DIR} (auditd is not installed)"
                ),
                Vec::new(),
            );
        }
        return AuditFacts {
            Status: FactStatus::unavailable(problems.join("; ")),
            ..AuditFacts::default()
        };
    }
    let mut source = if read.is_empty() {
        format!("{RULES_DIR} (no rule files)")
    } else {
        read.join(", ")
    };
    if !problems.is_empty() {
        source = format!("{source} ({})", problems.join("; "));
    }
    facts(source, rules)
}

fn facts(source: String, rules: Vec<String>) -> AuditFacts {
    AuditFacts {
        Status: FactStatus::Available,
        Source: source,
        WatchedPaths: watched_paths(&rules),
        Rules: rules,
    }
}

/// Rule lines with comments and blank lines dropped; `auditctl -l`'s "No rules" is none.
pub fn parse_rules(text: &str) -> Vec<String> {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#') && *l != "No rules")
        .map(String::from)
        .collect()
}

/// Paths watched by `-w PATH` or by a syscall rule's `-F path=PATH` / `-F dir=PATH`;
/// sorted, unique, without a trailing `/`. Deleting rules (`-W`, `-d`, `-D`) are skipped.
pub fn watched_paths(rules: &[String]) -> Vec<String> {
    let out: BTreeSet<String> = rules
        .iter()
        .flat_map(|r| rule_paths(r))
        .map(|p| normalize(p).to_string())
        .collect();
    out.into_iter().collect()
}

/// The paths one rule watches (as written, possibly with a trailing `/`).
fn rule_paths(rule: &str) -> Vec<&str> {
    let tokens: Vec<&str> = rule.split_whitespace().collect();
    if matches!(tokens.first(), Some(t) if t.starts_with("-W") || t.starts_with("-d") || *t == "-D")
    {
        return Vec::new();
    }
    let mut out = Vec::new();
    let mut rest = tokens.iter();
    while let Some(token) = rest.next() {
        // getopt style: the value is the next token or glued to the flag (`-Fpath=/x`).
        let Some(flag @ ("-w" | "-F")) = token.get(..2) else {
            continue;
        };
        let value = match &token[2..] {
            "" => rest.next().copied().unwrap_or(""),
            glued => glued,
        };
        let path = match flag {
            "-w" => Some(value),
            _ => value
                .strip_prefix("path=")
                .or_else(|| value.strip_prefix("dir=")),
        };
        out.extend(path.filter(|p| !p.is_empty()));
    }
    out
}

fn normalize(path: &str) -> &str {
    match path.trim_end_matches('/') {
        "" => path,
        p => p,
    }
}

/// Sets `Audited` and `AuditRule` on each fact (and its drop-ins) whose path a rule watches
/// exactly. Both sides are resolved inside the scanned root: the rule's path as the kernel
/// resolves a watch (directories followed, the last name not: a rule on a link watches the
/// link), the fact's path also fully (a rule on a link's target audits what the link names).
/// `Path` stays as the benchmark names it.
pub fn mark_audited<'a>(
    fs: &RootFs,
    facts: impl IntoIterator<Item = &'a mut FileFact>,
    audit: &AuditFacts,
) {
    // The kernel tries a list's rules in order and the first that matches decides: `-A`
    // puts a rule first, `-a` and `-w` last. A `never` rule that comes first suppresses the
    // events of a path whatever later rules say.
    let mut ordered: std::collections::VecDeque<&str> = std::collections::VecDeque::new();
    for rule in &audit.Rules {
        if rule.starts_with("-A") {
            ordered.push_front(rule);
        } else {
            ordered.push_back(rule);
        }
    }
    let mut watched: BTreeMap<PathBuf, &str> = BTreeMap::new();
    for rule in ordered {
        for path in rule_paths(rule) {
            watched.entry(resolved(fs, path, false)).or_insert(rule);
        }
    }
    mark(fs, facts, &watched);
}

/// A syscall rule whose action is `never` (`-a never,exit`, `-A exit,never`): it suppresses
/// the events it matches.
pub fn is_never(rule: &str) -> bool {
    let mut tokens = rule.split_whitespace();
    let Some(flag) = tokens.next() else {
        return false;
    };
    let list_action = match &flag[..flag.len().min(2)] {
        "-a" | "-A" if flag.len() > 2 => &flag[2..],
        "-a" | "-A" => tokens.next().unwrap_or(""),
        _ => return false,
    };
    list_action.split(',').any(|a| a == "never")
}

fn mark<'a>(
    fs: &RootFs,
    facts: impl IntoIterator<Item = &'a mut FileFact>,
    watched: &BTreeMap<PathBuf, &str>,
) {
    for fact in facts {
        let rule = (!fact.Path.is_empty())
            .then(|| {
                [false, true]
                    .into_iter()
                    .find_map(|follow| watched.get(&resolved(fs, &fact.Path, follow)))
            })
            .flatten();
        let suppressed = rule.filter(|r| is_never(r));
        fact.Audited = rule.is_some() && suppressed.is_none();
        fact.AuditRule = rule
            .filter(|_| suppressed.is_none())
            .map(|r| r.to_string())
            .unwrap_or_default();
        fact.AuditSuppressedBy = suppressed.map(|r| r.to_string()).unwrap_or_default();
        mark(fs, fact.DropIns.iter_mut(), watched);
    }
}

/// Where `path` is below the root; on a symlink loop, the path as written (compared as text).
fn resolved(fs: &RootFs, path: &str, follow_last: bool) -> PathBuf {
    fs.try_resolve(Path::new(path), follow_last)
        .unwrap_or_else(|_| fs.resolve(path))
}

#[cfg(test)]
mod tests {
    use super::*;

    const RULES: &str = "\
## First rule - delete all
-D
-b 8192

# docker
-w /usr/bin/dockerd -k docker
-w /etc/docker/ -p rwxa -k docker
-w/run/containerd -k docker
-a always,exit -F arch=b64 -S all -F path=/usr/bin/containerd-shim -F perm=x -k docker
-a exit,always -F arch=b64 -S openat -F dir=/var/lib/docker/ -F key=docker
-a always,exit -Fpath=/usr/bin/runc -k docker
-W /etc/default/docker
-d always,exit -F path=/usr/bin/containerd
-a always,exit -F path!=/etc/sysconfig/docker
";

    #[test]
    fn parses_rules_and_watched_paths() {
        let rules = parse_rules(RULES);
        assert_eq!(rules.len(), 11);
        assert_eq!(rules[0], "-D");
        assert_eq!(
            watched_paths(&rules),
            [
                "/etc/docker",
                "/run/containerd",
                "/usr/bin/containerd-shim",
                "/usr/bin/dockerd",
                "/usr/bin/runc",
                "/var/lib/docker",
            ]
        );
        assert!(parse_rules("No rules\n").is_empty());
        assert_eq!(
            watched_paths(&parse_rules(
                "-a always,exit -F arch=b64 -S execve,openat -F path=/usr/bin/dockerd -k docker"
            )),
            ["/usr/bin/dockerd"]
        );
    }

    #[test]
    fn audited_only_by_exact_path() {
        let audit = facts("test".into(), parse_rules(RULES));
        let fact = |p: &str| FileFact {
            Path: p.into(),
            ..FileFact::default()
        };
        let mut files = [
            fact("/usr/bin/containerd"),
            fact("/usr/bin/containerd-shim"),
            fact("/etc/docker/daemon.json"),
            fact("/etc/docker"),
            fact("/var/lib/docker/"),
            fact("/etc/default/docker"),
            fact(""),
            FileFact {
                DropIns: vec![fact("/usr/bin/dockerd")],
                ..fact("/lib/systemd/system/docker.service")
            },
        ];
        let root = tempfile::tempdir().unwrap();
        mark_audited(&RootFs::new(root.path()), files.iter_mut(), &audit);
        let audited: Vec<bool> = files.iter().map(|f| f.Audited).collect();
        assert_eq!(
            audited,
            [false, true, false, true, true, false, false, false]
        );
        assert!(files[7].DropIns[0].Audited);
        assert_eq!(
            files[7].DropIns[0].AuditRule,
            "-w /usr/bin/dockerd -k docker"
        );
        assert_eq!(
            files[4].AuditRule,
            "-a exit,always -F arch=b64 -S openat -F dir=/var/lib/docker/ -F key=docker"
        );
        assert_eq!(files[0].AuditRule, "");
    }

    /// A `never` rule that the kernel tries first suppresses a path's events: not audited,
    /// and the evidence names the rule. After an `always` rule it changes nothing.
    #[test]
    fn never_rules_suppress() {
        let rules = "-a never,exit -F path=/usr/bin/dockerd -k quiet\n-w /usr/bin/dockerd -k docker\n-w /usr/bin/runc -k docker\n-a exit,never -F path=/usr/bin/runc\n-w /etc/docker -k docker\n-A never,exit -F dir=/etc/docker\n";
        let audit = facts("test".into(), parse_rules(rules));
        let fact = |p: &str| FileFact {
            Path: p.into(),
            ..FileFact::default()
        };
        let mut files = [
            fact("/usr/bin/dockerd"),
            fact("/usr/bin/runc"),
            fact("/etc/docker"),
        ];
        let root = tempfile::tempdir().unwrap();
        mark_audited(&RootFs::new(root.path()), files.iter_mut(), &audit);
        assert!(!files[0].Audited);
        assert_eq!(
            files[0].AuditSuppressedBy,
            "-a never,exit -F path=/usr/bin/dockerd -k quiet"
        );
        assert!(files[1].Audited && files[1].AuditSuppressedBy.is_empty());
        assert_eq!(files[1].AuditRule, "-w /usr/bin/runc -k docker");
        // -A puts the never rule before the earlier watch.
        assert!(!files[2].Audited);
        assert_eq!(
            files[2].AuditSuppressedBy,
            "-A never,exit -F dir=/etc/docker"
        );
        assert!(
            is_never("-anever,exit -S all") && !is_never("-w /x") && !is_never("-a always,exit")
        );
    }

    /// A clone with the usual links: `var/run -> /run` (absolute: it must resolve inside the
    /// root, not on this machine), a binary reached through a link, and a link loop.
    fn linked_root() -> tempfile::TempDir {
        use std::os::unix::fs::symlink;
        let dir = tempfile::tempdir().unwrap();
        let r = dir.path();
        for d in [
            "run/containerd",
            "var",
            "usr/bin",
            "usr/libexec/docker",
            "etc",
        ] {
            std::fs::create_dir_all(r.join(d)).unwrap();
        }
        std::fs::write(r.join("run/docker.sock"), "").unwrap();
        std::fs::write(r.join("usr/libexec/docker/dockerd"), "").unwrap();
        std::fs::write(r.join("usr/bin/runc"), "").unwrap();
        symlink("/run", r.join("var/run")).unwrap();
        symlink("/usr/libexec/docker/dockerd", r.join("usr/bin/dockerd")).unwrap();
        symlink("/usr/bin/runc", r.join("usr/bin/containerd")).unwrap();
        symlink("loop-b", r.join("etc/loop-a")).unwrap();
        symlink("loop-a", r.join("etc/loop-b")).unwrap();
        dir
    }

    fn audited_with(root: &Path, rules: &str, path: &str) -> (bool, String) {
        let audit = facts("test".into(), parse_rules(rules));
        let mut fact = FileFact {
            Path: path.into(),
            ..FileFact::default()
        };
        mark_audited(&RootFs::new(root), [&mut fact], &audit);
        assert_eq!(fact.Path, path, "the path stays as the benchmark names it");
        (fact.Audited, fact.AuditRule)
    }

    #[test]
    fn symlinks_resolve_inside_the_root() {
        let root = linked_root();
        let r = root.path();
        let yes = |rules: &str, path: &str| {
            assert_eq!(
                audited_with(r, rules, path),
                (true, rules.to_string()),
                "{rules} should audit {path}"
            );
        };
        let no = |rules: &str, path: &str| {
            assert_eq!(
                audited_with(r, rules, path),
                (false, String::new()),
                "{rules} should not audit {path}"
            );
        };
        // The socket through /var/run -> /run, either way round, as -w or -F path=.
        yes(
            "-w /run/docker.sock -p rwxa -k docker",
            "/var/run/docker.sock",
        );
        yes("-w /var/run/docker.sock -k docker", "/run/docker.sock");
        yes(
            "-a always,exit -F path=/run/docker.sock -k docker",
            "/var/run/docker.sock",
        );
        yes("-w /var/run/containerd/ -k docker", "/run/containerd");
        // Still exact: not a parent, not a sibling, not a substring.
        no("-w /run -k docker", "/var/run/docker.sock");
        no("-w /var/run -k docker", "/run/docker.sock");
        no("-w /run/docker.socket -k docker", "/var/run/docker.sock");
        no(
            "-w /run/containerd -k docker",
            "/var/run/containerd/containerd.sock",
        );
        // A rule on a link's target audits the file the link names; a rule on the link
        // itself still counts for the path as written.
        yes(
            "-w /usr/libexec/docker/dockerd -k docker",
            "/usr/bin/dockerd",
        );
        yes("-w /usr/bin/dockerd -k docker", "/usr/bin/dockerd");
        // The kernel watches a rule's last name unresolved: a rule on a link does not
        // audit another name of its target.
        no("-w /usr/bin/containerd -k docker", "/usr/bin/runc");
        no(
            "-w /usr/bin/dockerd -k docker",
            "/usr/libexec/docker/dockerd",
        );
        // Missing files and link loops compare as written, never panic or hang.
        yes("-w /var/run/missing.sock -k docker", "/run/missing.sock");
        yes("-w /etc/loop-a/x -k docker", "/etc/loop-a/x");
        no("-w /etc/loop-b/x -k docker", "/etc/loop-a/x");
    }

    #[test]
    fn absolute_links_never_resolve_on_the_scanning_machine() {
        // The clone's /var/run is a plain directory: `/run/docker.sock` is another file there,
        // whatever this machine's /var/run is.
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("var/run")).unwrap();
        std::fs::create_dir_all(dir.path().join("run")).unwrap();
        assert_eq!(
            audited_with(dir.path(), "-w /run/docker.sock", "/var/run/docker.sock"),
            (false, String::new())
        );
    }

    /// A fresh file per script: rewriting a just-run executable can fail with ETXTBSY.
    fn fake_auditctl(dir: &Path, name: &str, script: &str) -> std::path::PathBuf {
        use std::os::unix::fs::PermissionsExt;
        let bin = dir.join(name);
        std::fs::write(&bin, format!("#!/bin/sh\n{script}\n")).unwrap();
        std::fs::set_permissions(&bin, std::fs::Permissions::from_mode(0o755)).unwrap();
        bin
    }

    #[test]
    fn auditctl_output_or_fallback_to_files() {
        let bins = tempfile::tempdir().unwrap();
        let root = tempfile::tempdir().unwrap();
        let fs = RootFs::new(root.path());

        let ok = fake_auditctl(
            bins.path(),
            "ok",
            "echo '-w /usr/bin/dockerd -p rwxa -k docker'",
        );
        let audit = collect_with(&fs, Some(&ok));
        assert_eq!(audit.Source, "auditctl -l");
        assert_eq!(audit.WatchedPaths, ["/usr/bin/dockerd"]);

        let none = fake_auditctl(bins.path(), "none", "echo 'No rules'");
        let audit = collect_with(&fs, Some(&none));
        assert!(audit.Status.is_available() && audit.Rules.is_empty());

        let denied = fake_auditctl(
            bins.path(),
            "denied",
            "echo 'You must be root to run this program.' >&2; exit 4",
        );
        let audit = collect_with(&fs, Some(&denied));
        assert!(!audit.Status.is_available());
        assert!(
            audit.Status.reason().contains("You must be root"),
            "{}",
            audit.Status.reason()
        );

        std::fs::create_dir_all(root.path().join("etc/audit")).unwrap();
        std::fs::write(
            root.path().join("etc/audit/audit.rules"),
            "-w /etc/docker\n",
        )
        .unwrap();
        let audit = collect_with(&fs, Some(&denied));
        assert!(audit.Status.is_available());
        assert_eq!(audit.WatchedPaths, ["/etc/docker"]);
        assert_eq!(
            audit.Source,
            "/etc/audit/audit.rules (auditctl -l failed: You must be root to run this program.)"
        );
    }

    #[test]
    fn rule_files_of_a_root() {
        let dir = tempfile::tempdir().unwrap();
        let fs = RootFs::new(dir.path());
        let none = collect(&fs, false);
        assert!(none.Status.is_available() && none.Rules.is_empty());
        assert!(
            none.Source.contains("auditd is not installed"),
            "{}",
            none.Source
        );

        std::fs::create_dir_all(dir.path().join("etc/audit/rules.d")).unwrap();
        let empty = collect(&fs, false);
        assert!(empty.Status.is_available() && empty.Rules.is_empty());

        std::fs::write(
            dir.path().join("etc/audit/rules.d/b.rules"),
            "-w /usr/bin/runc\n",
        )
        .unwrap();
        std::fs::write(
            dir.path().join("etc/audit/rules.d/a.rules"),
            "# a\n-w /usr/bin/dockerd\n",
        )
        .unwrap();
        std::fs::write(dir.path().join("etc/audit/rules.d/c.txt"), "-w /x\n").unwrap();
        std::fs::write(dir.path().join("etc/audit/audit.rules"), "-D\n").unwrap();
        let audit = collect(&fs, false);
        assert_eq!(
            audit.Source,
            "/etc/audit/audit.rules, /etc/audit/rules.d/a.rules, /etc/audit/rules.d/b.rules"
        );
        assert_eq!(
            audit.Rules,
            ["-D", "-w /usr/bin/dockerd", "-w /usr/bin/runc"]
        );
        assert_eq!(audit.WatchedPaths, ["/usr/bin/dockerd", "/usr/bin/runc"]);
    }
}
