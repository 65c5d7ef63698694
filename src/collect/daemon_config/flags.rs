//! dockerd's flags (long name, shorthand, daemon.json key, value kind) and a parser of its
//! argv that works the way Go's pflag does.
use std::collections::BTreeMap;

use serde_json::{Map, Value, json};

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
    f("default-stop-timeout", None, "default-stop-timeout", Int),
    f("allow-direct-routing", None, "allow-direct-routing", Bool),
    f("bridge-accept-fwmark", None, "bridge-accept-fwmark", Str),
    f("firewall-backend", None, "firewall-backend", Str),
    f("nri-opts", None, "nri-opts", Str),
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

/// Index in `FLAGS` of the first flag accepted only by older releases: their daemon.json keys
/// are neither type-checked nor called unknown (what a release does with them varies).
const LEGACY_FROM: usize = FLAGS.len() - 6;

/// daemon.json keys dockerd reads that no flag of the table sets (daemon/config/config.go).
const CONFIG_ONLY_KEYS: &[&str] = &[
    "builder",
    "features",
    "proxies",
    "deprecated-key-path",
    "host-gateway-ips",
    "min-api-version",
    "default-network-opts",
    "swarm-raft-heartbeat-tick",
    "swarm-raft-election-tick",
    // The file's name of --containerd-plugins-namespace.
    "containerd-plugin-namespace",
];

/// Why dockerd would refuse daemon.json key `key` with `value` (Go's json.Unmarshal into its
/// typed Config: `"icc": "false"` is a string where a boolean is needed), else `None`.
/// Keys of flags older releases had, and keys no flag has, are not judged.
pub(super) fn json_type_error(key: &str, value: &Value) -> Option<String> {
    let (i, flag) = FLAGS.iter().enumerate().find(|(_, f)| f.key == key)?;
    // Go's encoding/json leaves a non-pointer field as it is for a JSON null (no error).
    if i >= LEGACY_FROM || value.is_null() {
        return None;
    }
    let strings = |v: &Value| v.as_array().is_some_and(|a| a.iter().all(Value::is_string));
    let ok = match flag.kind {
        Bool => value.is_boolean(),
        // A size such as default-shm-size is read from a string or a number.
        Str if key == "default-shm-size" => value.is_string() || value.is_number(),
        Str => value.is_string(),
        Int => value.is_i64() || value.is_u64(),
        List => strings(value),
        Pool => value.is_array(),
        Map => value
            .as_object()
            .is_some_and(|m| m.values().all(Value::is_string)),
        BoolMap => value
            .as_object()
            .is_some_and(|m| m.values().all(Value::is_boolean)),
        Ulimit | Runtime | MapMap | Proxy => value.is_object(),
    };
    let need = match flag.kind {
        Bool => "a boolean",
        Str => "a string",
        Int => "an integer",
        List => "a list of strings",
        Pool => "a list",
        Map => "an object of strings",
        BoolMap => "an object of booleans",
        Ulimit | Runtime | MapMap | Proxy => "an object",
    };
    (!ok).then(|| {
        format!(
            "{key}: {value} is {}, dockerd needs {need}",
            json_kind(value)
        )
    })
}

fn json_kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "a list",
        Value::Object(_) => "an object",
    }
}

/// Whether dockerd knows daemon.json key `key`: a flag's name or its daemon.json name, a key
/// only the file has, or a key of a flag older releases had.
pub(super) fn known_file_key(key: &str) -> bool {
    FLAGS.iter().any(|f| f.key == key || f.long == key) || CONFIG_ONLY_KEYS.contains(&key)
}

/// Flags by daemon.json key: the typed value and the argv words that set it, in order.
type Parsed = BTreeMap<String, (Value, Vec<String>)>;

/// Parses dockerd's argv like pflag: `--name=value`, `--name value`, bool flags that never take
/// the next word, shorthand groups (`-D`, `-H x`, `-Hx`, `-H=x`, `-DHx`), and `--` ending flags.
/// Flags dockerd does not have are kept under their own name; since dockerd accepts no
/// positional arguments, a following word not starting with `-` must be their value.
pub(super) fn parse_flags(args: &[String]) -> Parsed {
    parse_flags_checked(args).0
}

/// `parse_flags`, with why dockerd would refuse this command line, in pflag's and cobra's words:
/// an unknown flag (`unknown flag: --x`, `unknown shorthand flag: 'x' in -x`), a value its
/// type does not parse (bools by Go's strconv.ParseBool, ints by strconv.ParseInt base 0), a
/// flag missing its value, any positional argument (dockerd takes none, so an empty word or a
/// `${OPTIONS}` that systemd passed as one argument is refused). Flags only older releases had
/// are known (the clone's dockerd may be one of them).
pub(super) fn parse_flags_checked(args: &[String]) -> (Parsed, Vec<String>) {
    let mut out = Parsed::new();
    let mut errors: Vec<String> = Vec::new();
    let mut positional: Vec<String> = Vec::new();
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
            positional.extend(args[i..].iter().cloned());
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
                    None => {
                        if flag.is_some() {
                            errors.push(format!("flag needs an argument: {arg}"));
                        }
                        (None, arg.clone())
                    }
                },
            };
            match flag {
                None => errors.push(format!("unknown flag: --{name}")),
                Some(f) => errors.extend(value_error(f, &value)),
            }
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
                        None => {
                            if flag.is_some() {
                                errors.push(format!("flag needs an argument: '{c}' in {arg}"));
                            }
                            (None, arg.clone())
                        }
                    }
                };
                match flag {
                    None => errors.push(format!("unknown shorthand flag: '{c}' in {arg}")),
                    Some(f) => errors.extend(value_error(f, &value)),
                }
                apply(&mut out, flag, &c.to_string(), value, origin);
            }
        } else {
            // A positional argument (also `-` and the empty word), which dockerd refuses; it
            // stays in `Args`.
            positional.push(arg.clone());
        }
    }
    if !positional.is_empty() {
        let shown: Vec<String> = positional.iter().map(|p| format!("{p:?}")).collect();
        errors.push(format!(
            "\"dockerd\" accepts no argument(s) (given: {})",
            shown.join(" ")
        ));
    }
    (out, errors)
}

/// pflag's error for a value flag `f` cannot take: `invalid argument "maybe" for "--icc" flag:
/// strconv.ParseBool: parsing "maybe": invalid syntax` (a flag with a shorthand is named
/// `-D, --debug`, however it was given).
fn value_error(f: &Flag, value: &Option<String>) -> Option<String> {
    let v = value.as_deref()?;
    let spelled = match f.short {
        Some(c) => format!("-{c}, --{}", f.long),
        None => format!("--{}", f.long),
    };
    let (ok, parser) = match f.kind {
        Bool => (parse_bool(v).is_some(), "strconv.ParseBool"),
        Int => (parse_go_int(v).is_some(), "strconv.ParseInt"),
        BoolMap => match v.split_once('=') {
            Some((_, b)) => (parse_bool(b).is_some(), "strconv.ParseBool"),
            None => (true, ""),
        },
        _ => (true, ""),
    };
    (!ok).then(|| {
        format!(
            "invalid argument {v:?} for {spelled:?} flag: {parser}: parsing {v:?}: invalid syntax"
        )
    })
}

/// Go's strconv.ParseInt(s, 0, 64), which pflag's int flags use: an optional sign, then
/// decimal, `0x`/`0o`/`0b` or a leading-`0` octal, `_` between digits.
fn parse_go_int(s: &str) -> Option<i64> {
    let (negative, body) = match s.as_bytes().first() {
        Some(b'-') => (true, &s[1..]),
        Some(b'+') => (false, &s[1..]),
        _ => (false, s),
    };
    let lower = body.to_ascii_lowercase();
    let (radix, digits) = if let Some(d) = lower.strip_prefix("0x") {
        (16, d.to_string())
    } else if let Some(d) = lower.strip_prefix("0o") {
        (8, d.to_string())
    } else if let Some(d) = lower.strip_prefix("0b") {
        (2, d.to_string())
    } else if lower.len() > 1 && lower.starts_with('0') {
        (8, lower[1..].to_string())
    } else {
        (10, lower.clone())
    };
    // `_` only between digits (after a base prefix too: `0x_1f`); no second sign.
    if digits.is_empty()
        || digits.starts_with(['+', '-'])
        || digits.ends_with('_')
        || digits.contains("__")
        || (radix == 10 && digits.starts_with('_'))
    {
        return None;
    }
    let n = i64::from_str_radix(&digits.replace('_', ""), radix).ok()?;
    Some(if negative { -n } else { n })
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
        Int => entry.0 = parse_go_int(&raw).map_or_else(|| json!(raw), |n| json!(n)),
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::collect::daemon_config::testing::*;

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

    /// What pflag refuses, in its words (a running process's command line is not judged; the
    /// offline resolver turns these into a refused configuration).
    #[test]
    fn refusals_follow_pflag_and_cobra() {
        let errors = |s: &str| parse_flags_checked(&argv(s)).1;
        assert!(
            errors(
                "-H fd:// --icc=F --iptables=0 --mtu 0x5dc --shutdown-timeout=1_0 -D --live-restore"
            )
            .is_empty()
        );
        assert_eq!(
            errors("--icc=maybe"),
            [
                "invalid argument \"maybe\" for \"--icc\" flag: strconv.ParseBool: parsing \"maybe\": invalid syntax"
            ]
        );
        assert_eq!(errors("--no-such-flag"), ["unknown flag: --no-such-flag"]);
        assert_eq!(
            errors("-D=maybe"),
            [
                "invalid argument \"maybe\" for \"-D, --debug\" flag: strconv.ParseBool: parsing \"maybe\": invalid syntax"
            ]
        );
        assert_eq!(errors("-DZ"), ["unknown shorthand flag: 'Z' in -DZ"]);
        assert_eq!(
            errors("--log-level"),
            ["flag needs an argument: --log-level"]
        );
        assert_eq!(errors("-l"), ["flag needs an argument: 'l' in -l"]);
        assert_eq!(
            errors("--debug false"),
            ["\"dockerd\" accepts no argument(s) (given: \"false\")"]
        );
        assert_eq!(
            errors("--icc=false -- --debug"),
            ["\"dockerd\" accepts no argument(s) (given: \"--debug\")"]
        );
        assert_eq!(
            parse_flags_checked(&["".to_string()]).1,
            ["\"dockerd\" accepts no argument(s) (given: \"\")"]
        );
        // Flags of older releases are known.
        assert!(errors("--graph /srv -g /srv --disable-legacy-registry").is_empty());
        assert_eq!(parse_go_int("0x_1F"), Some(31));
        assert_eq!(parse_go_int("017"), Some(15));
        assert_eq!(parse_go_int("-0b11"), Some(-3));
        for bad in ["", "_1", "1_", "1__0", "0x", "0x-5", "09", "1.5", "+-1"] {
            assert_eq!(parse_go_int(bad), None, "{bad}");
        }
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
}
