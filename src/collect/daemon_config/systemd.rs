//! dockerd's command line as systemd would start it: `ExecStart=` of a unit and its drop-ins.

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
