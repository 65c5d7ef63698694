//! dockerd's command line as systemd would start it: `ExecStart=` of a unit and its drop-ins.

use std::collections::BTreeMap;

use super::discovery::basename;

/// The arguments (without argv[0]) of dockerd as systemd would start it from a unit and its
/// drop-ins (`units`, in the order systemd reads them), or `None` when no `ExecStart=` of the
/// `[Service]` section runs `dockerd`. An empty `ExecStart=` clears the earlier ones; the prefixes
/// `-@+!:|` are dropped (with `@`, the second word is argv[0]); a trailing `\` continues the line;
/// quotes and C escapes are undone and `%%` becomes `%`. Environment references such as
/// `$OPTIONS` are left as written: their values live in other files.
pub fn exec_start_args(units: &[&str]) -> Option<Vec<String>> {
    exec_start_args_of(units, &["dockerd"])
}

/// `exec_start_args` for a unit whose program is any of `programs` (by basename): a rootless
/// daemon's unit runs `dockerd-rootless.sh`, which passes its arguments on to dockerd.
pub fn exec_start_args_of(units: &[&str], programs: &[&str]) -> Option<Vec<String>> {
    let mut commands: Vec<String> = Vec::new();
    for text in units {
        let mut in_service = false;
        for line in logical_lines(text) {
            if line.starts_with('[') {
                in_service = line.trim_end() == "[Service]";
                continue;
            }
            let Some((key, value)) = line.split_once('=') else {
                continue;
            };
            if !in_service || key.trim() != "ExecStart" {
                continue;
            }
            let value = value.trim();
            if value.is_empty() {
                commands.clear();
            } else {
                commands.push(value.to_string());
            }
        }
    }
    commands.iter().find_map(|command| {
        let prefix_len = command.len()
            - command
                .trim_start_matches(['-', '@', '+', '!', ':', '|'])
                .len();
        let (prefix, rest) = command.split_at(prefix_len);
        let words = split_words(rest);
        let (program, args) = words.split_first()?;
        // With `@`, the second word is the argv[0] passed to the program, not an argument.
        let args = if prefix.contains('@') {
            args.get(1..)?
        } else {
            args
        };
        programs.contains(&basename(program)).then(|| args.to_vec())
    })
}

/// Values of `key=` in section `[section]` of unit texts read in order; an empty value clears
/// the earlier ones (as systemd does for list settings).
fn section_values(units: &[&str], section: &str, key: &str) -> Vec<String> {
    let mut out = Vec::new();
    for text in units {
        let mut inside = false;
        for line in logical_lines(text) {
            if line.starts_with('[') {
                inside = line.trim_end() == format!("[{section}]");
                continue;
            }
            let Some((k, v)) = line.split_once('=') else {
                continue;
            };
            if !inside || k.trim() != key {
                continue;
            }
            match v.trim() {
                "" => out.clear(),
                v => out.push(v.to_string()),
            }
        }
    }
    out
}

/// The addresses a socket unit (and its drop-ins) listens on, from `ListenStream=`, as
/// dockerd's `-H fd://` receives them: a path is `unix://PATH` (`@name` abstract), a port
/// alone is every interface (`tcp://[::]:PORT`, dual-stack as systemd binds it), `HOST:PORT`
/// is `tcp://HOST:PORT`; `vsock:` addresses are kept as written.
pub fn listen_streams(units: &[&str]) -> Vec<String> {
    section_values(units, "Socket", "ListenStream")
        .into_iter()
        .map(|v| {
            if v.starts_with('/') || v.starts_with('@') {
                format!("unix://{v}")
            } else if v.starts_with("vsock:") {
                v
            } else if v.bytes().all(|b| b.is_ascii_digit()) {
                format!("tcp://[::]:{v}")
            } else {
                format!("tcp://{v}")
            }
        })
        .collect()
}

/// Where a unit's processes get their environment: `Environment=` assignments (in order) and
/// `EnvironmentFile=` paths (`-` prefix: may be missing), of the `[Service]` section.
#[derive(Debug, Default, PartialEq)]
pub struct UnitEnvironment {
    pub assignments: Vec<(String, String)>,
    /// (path, optional)
    pub files: Vec<(String, bool)>,
}

pub fn unit_environment(units: &[&str]) -> UnitEnvironment {
    let assignments = section_values(units, "Service", "Environment")
        .iter()
        .flat_map(|v| split_words(v))
        .filter_map(|w| {
            let (k, v) = w.split_once('=')?;
            Some((k.to_string(), v.to_string()))
        })
        .collect();
    let files = section_values(units, "Service", "EnvironmentFile")
        .into_iter()
        .map(|v| match v.strip_prefix('-') {
            Some(p) => (p.trim().to_string(), true),
            None => (v, false),
        })
        .collect();
    UnitEnvironment { assignments, files }
}

/// `KEY=VALUE` lines of an environment file as systemd reads them: `#`/`;` comments, blank
/// lines skipped, a value in single or double quotes unquoted, `\`-continued lines joined.
pub fn parse_environment_file(text: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for line in logical_lines(text) {
        let Some((k, v)) = line.split_once('=') else {
            continue;
        };
        let k = k.trim().trim_start_matches("export ").trim();
        let v = v.trim();
        let v = match (v.chars().next(), v.chars().last()) {
            (Some(q @ ('"' | '\'')), Some(e)) if q == e && v.len() >= 2 => split_words(v).join(" "),
            _ => v.to_string(),
        };
        if !k.is_empty() {
            out.push((k.to_string(), v));
        }
    }
    out
}

/// `args` with systemd's variable expansion: a word that is exactly `$NAME` becomes the
/// value's whitespace-separated words, `${NAME}` inside a word is replaced by the value; an
/// unset variable is empty. A variable of `unknown` (name → why its value cannot be known)
/// is dropped and listed in the second value with its reason.
pub fn expand_environment(
    args: &[String],
    env: &BTreeMap<String, String>,
    unknown: &BTreeMap<String, String>,
) -> (Vec<String>, Vec<String>) {
    let mut out = Vec::new();
    let mut missing = Vec::new();
    let mut note = |name: &str, why: &str| {
        let m = format!("${name}: {why}");
        if !missing.contains(&m) {
            missing.push(m);
        }
    };
    for word in args {
        if let Some(name) = word.strip_prefix('$').filter(|n| is_name(n)) {
            match (env.get(name), unknown.get(name)) {
                (_, Some(why)) => note(name, why),
                (Some(v), None) => out.extend(v.split_whitespace().map(str::to_string)),
                (None, None) => {}
            }
            continue;
        }
        let mut w = String::new();
        let mut rest = word.as_str();
        while let Some(start) = rest.find("${") {
            w.push_str(&rest[..start]);
            let after = &rest[start + 2..];
            let Some(end) = after.find('}') else {
                w.push_str(&rest[start..]);
                rest = "";
                break;
            };
            let name = &after[..end];
            match (env.get(name), unknown.get(name)) {
                (_, Some(why)) => note(name, why),
                (Some(v), None) => w.push_str(v),
                (None, None) => {}
            }
            rest = &after[end + 1..];
        }
        w.push_str(rest);
        out.push(w);
    }
    (out, missing)
}

fn is_name(n: &str) -> bool {
    !n.is_empty()
        && n.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
        && !n.as_bytes()[0].is_ascii_digit()
}

/// Unit-file lines with comments and blank lines dropped and `\`-continued lines joined.
fn logical_lines(text: &str) -> Vec<String> {
    let mut lines = Vec::new();
    let mut current: Option<String> = None;
    for raw in text.lines() {
        let line = raw.trim();
        if line.starts_with('#') || line.starts_with(';') {
            continue;
        }
        let (part, continues) = match line.strip_suffix('\\') {
            Some(part) => (part, true),
            None => (line, false),
        };
        let joined = match current.take() {
            Some(prev) => format!("{prev} {part}"),
            None => part.to_string(),
        };
        if continues {
            current = Some(joined);
        } else if !joined.trim().is_empty() {
            lines.push(joined);
        }
    }
    lines.extend(current.filter(|l| !l.trim().is_empty()));
    lines
}

/// Splits a command line into words as systemd does: whitespace separates, single and double
/// quotes group, backslash escapes (`\n`, `\t`, else the character itself).
fn split_words(command: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut word: Option<String> = None;
    let mut quote: Option<char> = None;
    let mut chars = command.chars();
    while let Some(c) = chars.next() {
        match (c, quote) {
            ('\\', _) => {
                let escaped = match chars.next() {
                    Some('n') => '\n',
                    Some('t') => '\t',
                    Some(other) => other,
                    None => break,
                };
                word.get_or_insert_default().push(escaped);
            }
            ('"' | '\'', None) => {
                quote = Some(c);
                word.get_or_insert_default();
            }
            (c, Some(q)) if c == q => quote = None,
            (c, None) if c.is_whitespace() => words.extend(word.take()),
            (c, _) => word.get_or_insert_default().push(c),
        }
    }
    words.extend(word);
    words.into_iter().map(|w| w.replace("%%", "%")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exec_start_plain_and_quoted() {
        let unit = "[Unit]\nDescription=Docker\nExecStart=/bin/false\n\n[Service]\nType=notify\n# ExecStart=/usr/bin/dockerd --debug\nExecStart=/usr/bin/dockerd -H fd:// --containerd=/run/containerd/containerd.sock --label \"owner=ops team\" --log-opt 'tag={{.Name}}' $DOCKER_OPTS\n";
        assert_eq!(
            exec_start_args(&[unit]).unwrap(),
            vec![
                "-H",
                "fd://",
                "--containerd=/run/containerd/containerd.sock",
                "--label",
                "owner=ops team",
                "--log-opt",
                "tag={{.Name}}",
                "$DOCKER_OPTS",
            ]
        );
    }

    #[test]
    fn exec_start_drop_in_reset_replaces_the_command() {
        let unit = "[Service]\nExecStart=/usr/bin/dockerd -H fd://\n";
        let drop_in = "[Service]\nExecStart=\nExecStart=-/usr/local/bin/dockerd \\\n  --icc=false \\\n  # a comment inside the continuation\n  --live-restore\n";
        assert_eq!(
            exec_start_args(&[unit, drop_in]).unwrap(),
            vec!["--icc=false", "--live-restore"]
        );
        // Without the reset line the unit's own command comes first.
        let added = "[Service]\nExecStart=/usr/bin/dockerd --debug\n";
        assert_eq!(
            exec_start_args(&[unit, added]).unwrap(),
            vec!["-H", "fd://"]
        );
        // A reset with no new command leaves nothing.
        assert_eq!(exec_start_args(&[unit, "[Service]\nExecStart=\n"]), None);
    }

    #[test]
    fn listen_streams_as_dockerd_receives_them() {
        let unit = "[Unit]\nListenStream=/nope\n[Socket]\nListenStream=/run/docker.sock\nSocketMode=0660\n";
        let drop_in =
            "[Socket]\nListenStream=2375\nListenStream=127.0.0.1:2376\nListenStream=[::1]:2377\n";
        assert_eq!(
            listen_streams(&[unit, drop_in]),
            vec![
                "unix:///run/docker.sock",
                "tcp://[::]:2375",
                "tcp://127.0.0.1:2376",
                "tcp://[::1]:2377"
            ]
        );
        // An empty ListenStream= resets the list.
        let reset = "[Socket]\nListenStream=\nListenStream=0.0.0.0:2375\n";
        assert_eq!(listen_streams(&[unit, reset]), vec!["tcp://0.0.0.0:2375"]);
    }

    #[test]
    fn environment_files_expand_like_systemd() {
        let unit = "[Service]\nEnvironment=\"A=x y\" B=1\nEnvironmentFile=-/etc/default/docker\nEnvironmentFile=/etc/sysconfig/docker\nExecStart=/usr/bin/dockerd $OPTIONS --label=a${B}b $UNSET ${GONE}\n";
        let e = unit_environment(&[unit]);
        assert_eq!(
            e.files,
            vec![
                ("/etc/default/docker".to_string(), true),
                ("/etc/sysconfig/docker".to_string(), false)
            ]
        );
        assert_eq!(e.assignments[0], ("A".into(), "x y".into()));
        let file = "# comment\nOPTIONS='--selinux-enabled --log-driver=journald\n   --icc=false'\nexport OTHER=\"q\"\n";
        let file = file.replace("\n   --icc", " \\\n   --icc");
        let vars = parse_environment_file(&file);
        assert_eq!(
            vars,
            vec![
                (
                    "OPTIONS".to_string(),
                    "--selinux-enabled --log-driver=journald  --icc=false".to_string()
                ),
                ("OTHER".to_string(), "q".to_string())
            ]
        );
        let mut env: BTreeMap<String, String> = e.assignments.into_iter().collect();
        env.extend(vars);
        let args = exec_start_args(&[unit]).unwrap();
        let (expanded, missing) = expand_environment(&args, &env, &BTreeMap::new());
        assert_eq!(
            expanded,
            vec![
                "--selinux-enabled",
                "--log-driver=journald",
                "--icc=false",
                "--label=a1b",
                ""
            ]
        );
        assert!(missing.is_empty());
        let unknown = BTreeMap::from([("OPTIONS".to_string(), "cannot read it".to_string())]);
        let (expanded, missing) = expand_environment(&args, &env, &unknown);
        assert_eq!(expanded, vec!["--label=a1b", ""]);
        assert_eq!(missing, vec!["$OPTIONS: cannot read it"]);
    }

    #[test]
    fn exec_start_prefixes_and_non_dockerd() {
        let unit = "[Service]\nExecStart=@/usr/bin/dockerd dockerd-custom --rootless\n";
        assert_eq!(exec_start_args(&[unit]).unwrap(), vec!["--rootless"]);
        let unit = "[Service]\nExecStart=+!/usr/bin/dockerd --debug 100%% \"a\\\"b\"\n";
        assert_eq!(
            exec_start_args(&[unit]).unwrap(),
            vec!["--debug", "100%", "a\"b"]
        );
        let unit = "[Service]\nExecStart=/usr/bin/dockerd-rootless.sh --debug\n";
        assert_eq!(exec_start_args(&[unit]), None);
        assert_eq!(exec_start_args(&[]), None);
    }
}
