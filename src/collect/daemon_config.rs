//! dockerd's effective configuration: its command line (parsed the way Go's pflag parses it),
//! merged with its config file (`daemon.json`) and completed with dockerd's built-in defaults.
//! Every value keeps where it came from, so a check can say "set by `--icc=false`" or
//! "dockerd's default; a flag we cannot see might override it".
//!
//! Flag names, short forms and daemon.json keys follow moby's `cmd/dockerd` (options.go,
//! config.go, config_unix.go) as of Docker 28, plus a few flags older releases accepted.
use std::collections::BTreeMap;
use std::path::Path;

use serde_json::{Map, Value, json};

use crate::snapshot::{DaemonConfig, FactStatus, Setting};

/// Where dockerd reads its config file unless `--config-file` says otherwise (rootful daemon).
pub use crate::docker::DEFAULT_CONFIG_FILE;

const NO_COMMAND_LINE: &str = "no dockerd process visible in /proc (scanner in another PID namespace? run on the host or with --pid host)";

/// How a flag's value is turned into its daemon.json value.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Kind {
    /// `--icc`, `--icc=false`; never takes the next argument.
    Bool,
    Str,
    Int,
    /// Repeatable; each use appends a string (`--insecure-registry`).
    List,
    /// Repeatable `key=value` into an object of strings (`--log-opt`).
    Map,
    /// Repeatable `name[=bool]` into an object of bools (`--feature`).
    BoolMap,
    /// `nofile=1024:2048` into `{"nofile": {"Name", "Soft", "Hard"}}`, as daemon.json writes it.
    Ulimit,
    /// `name=path` into `{"name": {"path": path}}` (`--add-runtime`).
    Runtime,
    /// `driver=option=value` into `{"driver": {"option": "value"}}` (`--default-network-opt`).
    MapMap,
    /// `base=…,size=24` appended as an object (`--default-address-pool`).
    Pool,
    /// A string stored in the `proxies` object under the flag's own name (`--http-proxy`).
    Proxy,
}

struct Flag {
    long: &'static str,
    short: Option<char>,
    key: &'static str,
    kind: Kind,
}

const fn f(long: &'static str, short: Option<char>, key: &'static str, kind: Kind) -> Flag {
    Flag {
        long,
        short,
        key,
        kind,
    }
}

use Kind::*;
const FLAGS: &[Flag] = &[
    // options.go (common daemon options)
    f("debug", Some('D'), "debug", Bool),
    f("validate", None, "validate", Bool),
    f("log-level", Some('l'), "log-level", Str),
    f("tls", None, "tls", Bool),
    f("tlsverify", None, "tlsverify", Bool),
    f("tlscacert", None, "tlscacert", Str),
    f("tlscert", None, "tlscert", Str),
    f("tlskey", None, "tlskey", Str),
    f("host", Some('H'), "hosts", List),
    f("config-file", None, "config-file", Str),
    f("version", Some('v'), "version", Bool),
    f("help", Some('h'), "help", Bool),
    // config.go (all platforms)
    f(
        "allow-nondistributable-artifacts",
        None,
        "allow-nondistributable-artifacts",
        List,
    ),
    f("registry-mirror", None, "registry-mirrors", List),
    f("insecure-registry", None, "insecure-registries", List),
    f("storage-opt", None, "storage-opts", List),
    f("authorization-plugin", None, "authorization-plugins", List),
    f("exec-opt", None, "exec-opts", List),
    f("pidfile", Some('p'), "pidfile", Str),
    f("data-root", None, "data-root", Str),
    f("exec-root", None, "exec-root", Str),
    f("containerd", None, "containerd", Str),
    f("cri-containerd", None, "cri-containerd", Bool),
    f("default-network-opt", None, "default-network-opts", MapMap),
    f("mtu", None, "mtu", Int),
    f(
        "network-control-plane-mtu",
        None,
        "network-control-plane-mtu",
        Int,
    ),
    f(
        "network-diagnostic-port",
        None,
        "network-diagnostic-port",
        Int,
    ),
    f("raw-logs", None, "raw-logs", Bool),
    f("dns", None, "dns", List),
    f("dns-opt", None, "dns-opts", List),
    f("dns-search", None, "dns-search", List),
    f("host-gateway-ip", None, "host-gateway-ip", Str),
    f("label", None, "labels", List),
    f("log-driver", None, "log-driver", Str),
    f("log-opt", None, "log-opts", Map),
    f("log-format", None, "log-format", Str),
    f(
        "max-concurrent-downloads",
        None,
        "max-concurrent-downloads",
        Int,
    ),
    f(
        "max-concurrent-uploads",
        None,
        "max-concurrent-uploads",
        Int,
    ),
    f("max-download-attempts", None, "max-download-attempts", Int),
    f("shutdown-timeout", None, "shutdown-timeout", Int),
    f(
        "swarm-default-advertise-addr",
        None,
        "swarm-default-advertise-addr",
        Str,
    ),
    f("experimental", None, "experimental", Bool),
    f("metrics-addr", None, "metrics-addr", Str),
    f(
        "node-generic-resource",
        None,
        "node-generic-resources",
        List,
    ),
    f("containerd-namespace", None, "containerd-namespace", Str),
    f(
        "containerd-plugins-namespace",
        None,
        "containerd-plugins-namespace",
        Str,
    ),
    f("default-runtime", None, "default-runtime", Str),
    f("http-proxy", None, "proxies", Proxy),
    f("https-proxy", None, "proxies", Proxy),
    f("no-proxy", None, "proxies", Proxy),
    f("feature", None, "features", BoolMap),
    f("cdi-spec-dir", None, "cdi-spec-dirs", List),
    f("api-cors-header", None, "api-cors-header", Str),
    f("restart", Some('r'), "restart", Bool),
    // config_unix.go (Linux)
    f("add-runtime", None, "runtimes", Runtime),
    f("group", Some('G'), "group", Str),
    f("storage-driver", Some('s'), "storage-driver", Str),
    f("selinux-enabled", None, "selinux-enabled", Bool),
    f("default-ulimit", None, "default-ulimits", Ulimit),
    f("iptables", None, "iptables", Bool),
    f("ip6tables", None, "ip6tables", Bool),
    f("ip-forward", None, "ip-forward", Bool),
    f("ip-forward-no-drop", None, "ip-forward-no-drop", Bool),
    f("ip-masq", None, "ip-masq", Bool),
    f("ipv6", None, "ipv6", Bool),
    f("bip", None, "bip", Str),
    f("bip6", None, "bip6", Str),
    f("bridge", Some('b'), "bridge", Str),
    f("fixed-cidr", None, "fixed-cidr", Str),
    f("fixed-cidr-v6", None, "fixed-cidr-v6", Str),
    f("default-gateway", None, "default-gateway", Str),
    f("default-gateway-v6", None, "default-gateway-v6", Str),
    f("icc", None, "icc", Bool),
    f("ip", None, "ip", Str),
    f("userland-proxy", None, "userland-proxy", Bool),
    f("userland-proxy-path", None, "userland-proxy-path", Str),
    f("cgroup-parent", None, "cgroup-parent", Str),
    f("userns-remap", None, "userns-remap", Str),
    f("live-restore", None, "live-restore", Bool),
    f("init", None, "init", Bool),
    f("init-path", None, "init-path", Str),
    f("cpu-rt-period", None, "cpu-rt-period", Int),
    f("cpu-rt-runtime", None, "cpu-rt-runtime", Int),
    f("seccomp-profile", None, "seccomp-profile", Str),
    f("default-shm-size", None, "default-shm-size", Str),
    f("no-new-privileges", None, "no-new-privileges", Bool),
    f("default-ipc-mode", None, "default-ipc-mode", Str),
    f("default-address-pool", None, "default-address-pools", Pool),
    f("rootless", None, "rootless", Bool),
    f("default-cgroupns-mode", None, "default-cgroupns-mode", Str),
    // Accepted by older releases (removed since): still found on long-lived hosts.
    f("graph", Some('g'), "data-root", Str),
    f("oom-score-adjust", None, "oom-score-adjust", Int),
    f("cluster-store", None, "cluster-store", Str),
    f("cluster-advertise", None, "cluster-advertise", Str),
    f("cluster-store-opt", None, "cluster-store-opts", Map),
    f(
        "disable-legacy-registry",
        None,
        "disable-legacy-registry",
        Bool,
    ),
];

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

/// The arguments (without argv[0]) of the dockerd process in `proc_root` (`/proc`), or `None`
/// when no process whose argv[0] basename is `dockerd` is visible. Unreadable entries are
/// skipped (processes come and go while we read).
///
/// When several run (Docker-in-Docker containers, a rootless daemon next to the rootful one),
/// the host's own daemon is preferred: first one in the mount namespace of PID 1 (when the
/// namespace links are readable), then one serving the default socket (no `-H`, `fd://`, or
/// `unix:///var/run/docker.sock`), then the lowest PID.
pub fn find_dockerd_args(proc_root: &Path) -> Option<Vec<String>> {
    find_dockerd_args_for(proc_root, None)
}

/// Like `find_dockerd_args`, but a dockerd that holds the listening unix socket `socket`
/// (the one the scan talks to) wins over every other rule: with several daemons on a host,
/// the command line must be the scanned daemon's.
pub fn find_dockerd_args_for(proc_root: &Path, socket: Option<&str>) -> Option<Vec<String>> {
    let init_mnt = std::fs::read_link(proc_root.join("1/ns/mnt")).ok();
    // Lower is better: (not the socket's owner, other namespace, not default socket, pid).
    type Rank = (bool, bool, bool, u64);
    let mut best: Option<(Rank, Vec<String>)> = None;
    for entry in std::fs::read_dir(proc_root).ok()?.flatten() {
        let Some(pid) = entry
            .file_name()
            .to_str()
            .and_then(|s| s.parse::<u64>().ok())
        else {
            continue;
        };
        let Ok(raw) = std::fs::read(entry.path().join("cmdline")) else {
            continue;
        };
        let argv: Vec<String> = raw
            .split(|b| *b == 0)
            .filter(|s| !s.is_empty())
            .map(|s| String::from_utf8_lossy(s).into_owned())
            .collect();
        let Some((argv0, args)) = argv.split_first() else {
            continue;
        };
        if basename(argv0) != "dockerd" {
            continue;
        }
        let other_namespace = match (&init_mnt, std::fs::read_link(entry.path().join("ns/mnt"))) {
            (Some(init), Ok(own)) => *init != own,
            _ => false,
        };
        // Unix sockets are listed per network namespace: read the candidate's own table.
        let owns = socket.is_some_and(|s| {
            let inodes = socket_inodes(&entry.path(), s);
            !inodes.is_empty() && holds_socket(&entry.path(), &inodes)
        });
        let rank = (!owns, other_namespace, !serves_default_socket(args), pid);
        if best.as_ref().is_none_or(|(r, _)| rank < *r) {
            best = Some((rank, args.to_vec()));
        }
    }
    best.map(|(_, args)| args)
}

/// Inodes of the unix sockets bound to `path`, from `<proc or proc/PID>/net/unix`
/// (`Num RefCount Protocol Flags Type St Inode Path`).
fn socket_inodes(proc_root: &Path, path: &str) -> Vec<String> {
    let text = std::fs::read_to_string(proc_root.join("net/unix")).unwrap_or_default();
    // /var/run is usually a symlink to /run: compare resolved paths too.
    let wanted = std::fs::canonicalize(path).ok();
    text.lines()
        .skip(1)
        .filter_map(|line| {
            let fields: Vec<&str> = line.split_whitespace().collect();
            let bound = *fields.get(7)?;
            let same =
                bound == path || wanted.is_some() && std::fs::canonicalize(bound).ok() == wanted;
            same.then(|| fields[6].to_string())
        })
        .collect()
}

/// Does the process at `pid_dir` have one of `inodes` open (`fd/N -> socket:[inode]`)?
fn holds_socket(pid_dir: &Path, inodes: &[String]) -> bool {
    let Ok(fds) = std::fs::read_dir(pid_dir.join("fd")) else {
        return false;
    };
    fds.flatten().any(|fd| {
        std::fs::read_link(fd.path()).is_ok_and(|target| {
            let t = target.to_string_lossy();
            t.strip_prefix("socket:[")
                .and_then(|r| r.strip_suffix(']'))
                .is_some_and(|inode| inodes.iter().any(|i| i == inode))
        })
    })
}

fn basename(path: &str) -> &str {
    path.rsplit('/').next().unwrap_or(path)
}

fn serves_default_socket(args: &[String]) -> bool {
    match parse_flags(args).remove("hosts") {
        Some((Value::Array(hosts), _)) => hosts.iter().any(|h| {
            let h = h.as_str().unwrap_or("");
            h.starts_with("fd://")
                || h == "unix:///var/run/docker.sock"
                || h == "unix:///run/docker.sock"
        }),
        _ => true,
    }
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
pub fn resolve_with_default_file(
    args: &[String],
    command_line_known: bool,
    default_file: &str,
    read_file: impl Fn(&str) -> Option<Result<String, String>>,
) -> DaemonConfig {
    let mut flags = if command_line_known {
        parse_flags(args)
    } else {
        BTreeMap::new()
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
            FactStatus::unavailable(NO_COMMAND_LINE)
        },
        File: file.clone(),
        ..DaemonConfig::default()
    };

    let mut settings: BTreeMap<String, Setting> = BTreeMap::new();
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
                    for (key, value) in map {
                        settings.insert(key, setting(value, "file", file.clone()));
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
                (_, _, value) => setting(value, "flag", format!("{origin} (also in {file})")),
            },
            None => setting(value, "flag", origin),
        };
        settings.insert(key, merged);
    }

    // Setting tlsverify at all (any value, flag or file) turns TLS on in dockerd.
    if let Some(verify) = settings.get("tlsverify")
        && settings.get("tls").is_none_or(|t| t.Value != json!(true))
    {
        let tls = setting(
            json!(true),
            &verify.Source,
            format!("{} (tlsverify implies tls)", verify.Origin),
        );
        settings.insert("tls".to_string(), tls);
    }

    for (key, value) in defaults() {
        settings
            .entry(key.to_string())
            .or_insert_with(|| setting(value, "default", String::new()));
    }
    config.Settings = settings;
    config
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

/// Flags by daemon.json key: the typed value and the argv words that set it, in order.
type Parsed = BTreeMap<String, (Value, Vec<String>)>;

/// Parses dockerd's argv like pflag: `--name=value`, `--name value`, bool flags that never take
/// the next word, shorthand groups (`-D`, `-H x`, `-Hx`, `-H=x`, `-DHx`), and `--` ending flags.
/// Flags dockerd does not have are kept under their own name; since dockerd accepts no
/// positional arguments, a following word not starting with `-` must be their value.
fn parse_flags(args: &[String]) -> Parsed {
    let mut out = Parsed::new();
    let mut i = 0;
    // The next word as a value: always for known flags (pflag takes it even if it starts with
    // `-`), only when it does not look like a flag for unknown ones.
    let next_value = |i: &mut usize, known: bool| -> Option<String> {
        let next = args.get(*i).filter(|n| known || !n.starts_with('-'))?;
        *i += 1;
        Some(next.clone())
    };
    while i < args.len() {
        let arg = &args[i];
        i += 1;
        if arg == "--" {
            break;
        }
        if let Some(body) = arg.strip_prefix("--") {
            let (name, inline) = match body.split_once('=') {
                Some((name, value)) => (name, Some(value.to_string())),
                None => (body, None),
            };
            let flag = FLAGS.iter().find(|f| f.long == name);
            let (value, origin) = match inline {
                Some(v) => (Some(v), arg.clone()),
                None if flag.is_some_and(|f| f.kind == Bool) => (Some("true".into()), arg.clone()),
                None => match next_value(&mut i, flag.is_some()) {
                    Some(v) => (Some(v.clone()), format!("{arg} {v}")),
                    None => (None, arg.clone()),
                },
            };
            apply(&mut out, flag, name, value, origin);
        } else if let Some(group) = arg.strip_prefix('-').filter(|g| !g.is_empty()) {
            let mut rest = group;
            while let Some(c) = rest.chars().next() {
                rest = &rest[c.len_utf8()..];
                let flag = FLAGS.iter().find(|f| f.short == Some(c));
                let (value, origin) = if let Some(v) = rest.strip_prefix('=') {
                    let v = v.to_string();
                    rest = "";
                    (Some(v), arg.clone())
                } else if flag.is_some_and(|f| f.kind == Bool) {
                    (Some("true".to_string()), arg.clone())
                } else if !rest.is_empty() {
                    let v = rest.to_string();
                    rest = "";
                    (Some(v), arg.clone())
                } else {
                    match next_value(&mut i, flag.is_some()) {
                        Some(v) => (Some(v.clone()), format!("{arg} {v}")),
                        None => (None, arg.clone()),
                    }
                };
                apply(&mut out, flag, &c.to_string(), value, origin);
            }
        }
        // Anything else is a positional argument, which dockerd refuses; it stays in `Args`.
    }
    out
}

/// Records one flag use. `value` is `None` for an unknown flag given without a value (taken as a
/// bool) or a known one missing its value at the end of argv (dockerd would not start; kept as "").
fn apply(out: &mut Parsed, flag: Option<&Flag>, name: &str, value: Option<String>, origin: String) {
    let Some(flag) = flag else {
        let value = value.map_or(json!(true), Value::String);
        let entry = out
            .entry(name.to_string())
            .or_insert((Value::Null, Vec::new()));
        entry.0 = value;
        entry.1.push(origin);
        return;
    };
    let raw = value.unwrap_or_default();
    let empty = match flag.kind {
        List | Pool => json!([]),
        Bool | Str | Int => Value::Null,
        _ => json!({}),
    };
    let entry = out
        .entry(flag.key.to_string())
        .or_insert((empty, Vec::new()));
    // Scalars: the last use wins (pflag), so only its words are the origin.
    if matches!(flag.kind, Bool | Str | Int) {
        entry.1.clear();
    }
    entry.1.push(origin);
    let (key, val) = raw.split_once('=').unwrap_or((raw.as_str(), ""));
    match flag.kind {
        Bool => entry.0 = parse_bool(&raw).map_or_else(|| json!(raw), Value::Bool),
        Str => entry.0 = json!(raw),
        Int => entry.0 = raw.parse::<i64>().map_or_else(|_| json!(raw), |n| json!(n)),
        List => push(&mut entry.0, json!(raw)),
        Pool => push(&mut entry.0, pool(&raw)),
        Map => insert(&mut entry.0, key, json!(val)),
        BoolMap => {
            let on = if raw.contains('=') {
                parse_bool(val).map_or_else(|| json!(val), Value::Bool)
            } else {
                json!(true)
            };
            insert(&mut entry.0, key, on);
        }
        Ulimit => insert(&mut entry.0, key, ulimit(key, val)),
        Runtime => insert(&mut entry.0, key, json!({ "path": val })),
        MapMap => {
            let (option, v) = val.split_once('=').unwrap_or((val, ""));
            if let Value::Object(map) = &mut entry.0 {
                let inner = map.entry(key.to_string()).or_insert_with(|| json!({}));
                insert(inner, option, json!(v));
            }
        }
        Proxy => insert(&mut entry.0, flag.long, json!(raw)),
    }
}

fn push(list: &mut Value, item: Value) {
    if let Value::Array(items) = list {
        items.push(item);
    }
}

fn insert(object: &mut Value, key: &str, value: Value) {
    if let Value::Object(map) = object {
        map.insert(key.to_string(), value);
    }
}

/// Go's strconv.ParseBool, which pflag uses.
fn parse_bool(s: &str) -> Option<bool> {
    match s {
        "1" | "t" | "T" | "TRUE" | "true" | "True" => Some(true),
        "0" | "f" | "F" | "FALSE" | "false" | "False" => Some(false),
        _ => None,
    }
}

/// `soft[:hard]` as daemon.json's `{"Name", "Soft", "Hard"}`; unparsable text is kept as is.
fn ulimit(name: &str, limits: &str) -> Value {
    let (soft, hard) = limits.split_once(':').unwrap_or((limits, limits));
    match (soft.parse::<i64>(), hard.parse::<i64>()) {
        (Ok(soft), Ok(hard)) => json!({ "Name": name, "Soft": soft, "Hard": hard }),
        _ => json!(limits),
    }
}

/// `base=10.10.0.0/16,size=24` as `{"base": "10.10.0.0/16", "size": 24}`.
fn pool(raw: &str) -> Value {
    let mut map = Map::new();
    for part in raw.split(',') {
        let (k, v) = part.split_once('=').unwrap_or((part, ""));
        let v = v.parse::<i64>().map_or_else(|_| json!(v), |n| json!(n));
        map.insert(k.trim().to_string(), v);
    }
    Value::Object(map)
}

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

    fn argv(s: &str) -> Vec<String> {
        s.split_whitespace().map(str::to_string).collect()
    }

    /// Resolves a command line with no config file present.
    fn flags_only(args: &str) -> DaemonConfig {
        resolve(&argv(args), true, |_| None)
    }

    fn value(c: &DaemonConfig, key: &str) -> Value {
        c.Settings[key].Value.clone()
    }

    fn source(c: &DaemonConfig, key: &str) -> (String, String) {
        let s = &c.Settings[key];
        (s.Source.clone(), s.Origin.clone())
    }

    #[test]
    fn long_flags_with_equals_and_separate_value() {
        let c = flags_only("--log-level=debug --storage-driver overlay2 --data-root /srv/docker");
        assert_eq!(value(&c, "log-level"), json!("debug"));
        assert_eq!(value(&c, "storage-driver"), json!("overlay2"));
        assert_eq!(value(&c, "data-root"), json!("/srv/docker"));
        assert_eq!(
            source(&c, "log-level"),
            ("flag".into(), "--log-level=debug".into())
        );
        assert_eq!(
            source(&c, "storage-driver"),
            ("flag".into(), "--storage-driver overlay2".into())
        );
        assert_eq!(
            c.Args,
            argv("--log-level=debug --storage-driver overlay2 --data-root /srv/docker")
        );
    }

    #[test]
    fn bool_flags_never_take_the_next_argument() {
        let c = flags_only("--live-restore --log-level warn --no-new-privileges false --icc=false");
        assert_eq!(value(&c, "live-restore"), json!(true));
        assert_eq!(value(&c, "log-level"), json!("warn"));
        // `false` after a bool flag is a (refused) positional argument, not the flag's value.
        assert_eq!(value(&c, "no-new-privileges"), json!(true));
        assert!(!c.Settings.contains_key("false"));
        assert_eq!(value(&c, "icc"), json!(false));
        assert_eq!(source(&c, "icc"), ("flag".into(), "--icc=false".into()));
    }

    #[test]
    fn bool_values_follow_go_parse_bool() {
        let c = flags_only("--iptables=0 --ip-forward=F --userland-proxy=True --experimental=yes");
        assert_eq!(value(&c, "iptables"), json!(false));
        assert_eq!(value(&c, "ip-forward"), json!(false));
        assert_eq!(value(&c, "userland-proxy"), json!(true));
        // dockerd would refuse this; the text is kept rather than guessed.
        assert_eq!(value(&c, "experimental"), json!("yes"));
    }

    #[test]
    fn known_flag_takes_next_word_even_if_it_starts_with_a_dash() {
        let c = flags_only("--cgroup-parent -weird --debug");
        assert_eq!(value(&c, "cgroup-parent"), json!("-weird"));
        assert_eq!(value(&c, "debug"), json!(true));
    }

    #[test]
    fn short_forms() {
        let c = flags_only(
            "-H fd:// -Hunix:///run/a.sock -H=tcp://0.0.0.0:2376 -D -l error -s btrfs -g /data -G staff -b br0 -p /run/d.pid",
        );
        assert_eq!(
            value(&c, "hosts"),
            json!(["fd://", "unix:///run/a.sock", "tcp://0.0.0.0:2376"])
        );
        assert_eq!(
            source(&c, "hosts").1,
            "-H fd:// -Hunix:///run/a.sock -H=tcp://0.0.0.0:2376"
        );
        assert_eq!(value(&c, "debug"), json!(true));
        assert_eq!(value(&c, "log-level"), json!("error"));
        assert_eq!(value(&c, "storage-driver"), json!("btrfs"));
        assert_eq!(value(&c, "data-root"), json!("/data"));
        assert_eq!(value(&c, "group"), json!("staff"));
        assert_eq!(value(&c, "bridge"), json!("br0"));
        assert_eq!(value(&c, "pidfile"), json!("/run/d.pid"));
    }

    #[test]
    fn grouped_shorthands_and_bool_shorthand_with_value() {
        let c = flags_only("-DHfd://");
        assert_eq!(value(&c, "debug"), json!(true));
        assert_eq!(value(&c, "hosts"), json!(["fd://"]));
        let c = flags_only("-D=false -Dl debug");
        // The later `-D` wins, as in pflag.
        assert_eq!(value(&c, "debug"), json!(true));
        assert_eq!(value(&c, "log-level"), json!("debug"));
        assert_eq!(source(&c, "log-level").1, "-Dl debug");
        let c = flags_only("-D=false");
        assert_eq!(value(&c, "debug"), json!(false));
    }

    #[test]
    fn repeated_list_flags_accumulate_in_order() {
        let c = flags_only(
            "--insecure-registry a.local:5000 --insecure-registry=10.0.0.0/8 --registry-mirror https://m --dns 1.1.1.1 --dns 8.8.8.8 --exec-opt native.cgroupdriver=systemd --label env=prod --label tier=db --storage-opt dm.basesize=20G --authorization-plugin authz --host unix:///var/run/docker.sock -H tcp://127.0.0.1:2375",
        );
        assert_eq!(
            value(&c, "insecure-registries"),
            json!(["a.local:5000", "10.0.0.0/8"])
        );
        assert_eq!(
            source(&c, "insecure-registries").1,
            "--insecure-registry a.local:5000 --insecure-registry=10.0.0.0/8"
        );
        assert_eq!(value(&c, "registry-mirrors"), json!(["https://m"]));
        assert_eq!(value(&c, "dns"), json!(["1.1.1.1", "8.8.8.8"]));
        assert_eq!(
            value(&c, "exec-opts"),
            json!(["native.cgroupdriver=systemd"])
        );
        assert_eq!(value(&c, "labels"), json!(["env=prod", "tier=db"]));
        assert_eq!(value(&c, "storage-opts"), json!(["dm.basesize=20G"]));
        assert_eq!(value(&c, "authorization-plugins"), json!(["authz"]));
        assert_eq!(
            value(&c, "hosts"),
            json!(["unix:///var/run/docker.sock", "tcp://127.0.0.1:2375"])
        );
    }

    #[test]
    fn scalar_flags_last_one_wins() {
        let c = flags_only("--log-level debug --log-level=warn");
        assert_eq!(value(&c, "log-level"), json!("warn"));
        assert_eq!(source(&c, "log-level").1, "--log-level=warn");
    }

    #[test]
    fn map_flags() {
        let c = flags_only(
            "--log-opt max-size=10m --log-opt=max-file=3 --log-opt syslog-address=tcp://x:514 --default-ulimit nofile=1024:2048 --default-ulimit nproc=512 --default-ulimit core=bad --add-runtime crun=/usr/bin/crun --feature cdi --feature containerd-snapshotter=false --default-network-opt bridge=com.docker.network.driver.mtu=1400 --default-address-pool base=10.10.0.0/16,size=24",
        );
        assert_eq!(
            value(&c, "log-opts"),
            json!({"max-size": "10m", "max-file": "3", "syslog-address": "tcp://x:514"})
        );
        assert_eq!(
            value(&c, "default-ulimits"),
            json!({
                "nofile": {"Name": "nofile", "Soft": 1024, "Hard": 2048},
                "nproc": {"Name": "nproc", "Soft": 512, "Hard": 512},
                "core": "bad",
            })
        );
        assert_eq!(
            value(&c, "runtimes"),
            json!({"crun": {"path": "/usr/bin/crun"}})
        );
        assert_eq!(
            value(&c, "features"),
            json!({"cdi": true, "containerd-snapshotter": false})
        );
        assert_eq!(
            value(&c, "default-network-opts"),
            json!({"bridge": {"com.docker.network.driver.mtu": "1400"}})
        );
        assert_eq!(
            value(&c, "default-address-pools"),
            json!([{"base": "10.10.0.0/16", "size": 24}])
        );
    }

    #[test]
    fn int_flags_are_numbers() {
        let c = flags_only("--mtu 1400 --shutdown-timeout=30 --max-concurrent-downloads x");
        assert_eq!(value(&c, "mtu"), json!(1400));
        assert_eq!(value(&c, "shutdown-timeout"), json!(30));
        assert_eq!(value(&c, "max-concurrent-downloads"), json!("x"));
    }

    #[test]
    fn unknown_flags_are_kept_under_their_own_name() {
        let c = flags_only("--future-opt=a --future-switch --future-value v -x --debug");
        assert_eq!(value(&c, "future-opt"), json!("a"));
        assert_eq!(value(&c, "future-switch"), json!(true));
        assert_eq!(value(&c, "future-value"), json!("v"));
        assert_eq!(
            source(&c, "future-value"),
            ("flag".into(), "--future-value v".into())
        );
        assert_eq!(value(&c, "x"), json!(true));
        assert_eq!(value(&c, "debug"), json!(true));
    }

    #[test]
    fn double_dash_ends_flags_and_missing_value_is_empty() {
        let c = flags_only("--icc=false -- --debug");
        assert_eq!(value(&c, "icc"), json!(false));
        assert_eq!(source(&c, "debug").0, "default");
        let c = flags_only("--log-level");
        assert_eq!(value(&c, "log-level"), json!(""));
    }

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
        let c = flags_only("--tls");
        assert_eq!(value(&c, "tls"), json!(true));
        assert_eq!(source(&c, "tlsverify").0, "default");
        let c = flags_only("");
        assert_eq!(value(&c, "tls"), json!(false));
    }

    #[test]
    fn unknown_command_line_keeps_file_and_defaults_only() {
        let c = resolve(&argv("--icc=false"), false, |_| {
            Some(Ok(r#"{"iptables": false}"#.into()))
        });
        assert!(!c.CommandLine.Available);
        assert!(
            c.CommandLine.Reason.contains("--pid host"),
            "{}",
            c.CommandLine.Reason
        );
        assert!(c.Args.is_empty());
        assert_eq!(source(&c, "icc").0, "default");
        assert_eq!(source(&c, "iptables").0, "file");
        let c = flags_only("");
        assert!(c.CommandLine.Available);
        assert_eq!(c.CommandLine.Reason, "");
    }

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

    fn fake_proc(dir: &Path, pid: &str, cmdline: &[&str], mnt: Option<&str>) {
        let p = dir.join(pid);
        std::fs::create_dir_all(p.join("ns")).unwrap();
        let mut raw = cmdline.join("\0").into_bytes();
        raw.push(0);
        std::fs::write(p.join("cmdline"), raw).unwrap();
        if let Some(mnt) = mnt {
            std::os::unix::fs::symlink(mnt, p.join("ns/mnt")).unwrap();
        }
    }

    #[test]
    fn find_dockerd_picks_the_host_daemon() {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path();
        let host = Some("mnt:[4026531841]");
        fake_proc(root, "1", &["/sbin/init"], host);
        fake_proc(root, "5", &["/usr/bin/dockerd-rootless.sh"], host);
        fake_proc(root, "7", &["notdockerd", "-H", "fd://"], host);
        // Docker-in-Docker: lower pid, default socket, but another mount namespace.
        fake_proc(
            root,
            "40",
            &["dockerd", "--host=unix:///var/run/docker.sock"],
            Some("mnt:[4026532000]"),
        );
        // Host namespace, but not the default socket.
        fake_proc(root, "60", &["dockerd", "-H", "tcp://127.0.0.1:2375"], host);
        fake_proc(
            root,
            "900",
            &["/usr/bin/dockerd", "-H", "fd://", "--icc=false"],
            host,
        );
        fake_proc(root, "901", &["/usr/bin/dockerd", "--debug"], host);
        std::fs::create_dir(root.join("self")).unwrap();
        std::fs::create_dir(root.join("1234")).unwrap(); // exited: no cmdline
        std::fs::write(root.join("1235"), b"").unwrap(); // not even a directory
        std::fs::create_dir_all(root.join("77")).unwrap();
        std::fs::write(root.join("77/cmdline"), b"").unwrap(); // kernel thread
        assert_eq!(
            find_dockerd_args(root).unwrap(),
            vec!["-H", "fd://", "--icc=false"]
        );
    }

    #[test]
    fn find_dockerd_without_namespace_links_prefers_default_socket_then_lowest_pid() {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path();
        fake_proc(root, "30", &["dockerd", "-H", "tcp://0.0.0.0:2375"], None);
        fake_proc(root, "300", &["dockerd", "--debug"], None);
        fake_proc(root, "200", &["dockerd", "-Hfd://"], None);
        assert_eq!(find_dockerd_args(root).unwrap(), vec!["-Hfd://"]);
        let empty = tempfile::tempdir().unwrap();
        fake_proc(empty.path(), "1", &["/sbin/init"], None);
        assert_eq!(find_dockerd_args(empty.path()), None);
        assert_eq!(find_dockerd_args(&empty.path().join("missing")), None);
    }
}
