//! Which daemon to talk to, and how, the docker CLI's way: `--host`/`-H`, `DOCKER_HOST`,
//! `--context`, `DOCKER_CONTEXT`, the current context of `$DOCKER_CONFIG/config.json`, TLS from
//! `--tls*` flags or `DOCKER_TLS_VERIFY`/`DOCKER_CERT_PATH`. Resolution is pure (the environment
//! and files are read through the arguments) so every rule is tested beside it.
//!
//! Precedence, as the docker CLI resolves it (`cli/command/cli.go` `resolveContextName`):
//! `--context` (conflicts with `--host`), then `--host`, then `DOCKER_HOST`, then
//! `DOCKER_CONTEXT`, then `currentContext` of the config file, then the default socket.
use std::path::{Path, PathBuf};

use serde_json::Value;

/// The socket the docker CLI and dockerd use when nothing else is said.
pub const DEFAULT_SOCKET: &str = "/var/run/docker.sock";
/// Engine API ports: plaintext and TLS (dockerd's and the CLI's defaults).
pub const PLAIN_PORT: u16 = 2375;
pub const TLS_PORT: u16 = 2376;

/// What the user asked for on the command line (the environment is read in `resolve`).
#[derive(Debug, Clone, Default)]
pub struct ConnectArgs {
    /// `--host`/`-H`.
    pub host: Option<String>,
    /// `--context`.
    pub context: Option<String>,
    /// `--tls`: TLS without verifying the daemon (refused: see `resolve`).
    pub tls: bool,
    /// `--tlsverify`: TLS, the daemon verified against the CA.
    pub tlsverify: bool,
    pub tlscacert: Option<PathBuf>,
    pub tlscert: Option<PathBuf>,
    pub tlskey: Option<PathBuf>,
}

/// Where the daemon listens.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Address {
    Unix(PathBuf),
    Tcp {
        host: String,
        port: u16,
    },
    /// `ssh://[user@]host[:port]`: reached through `ssh HOST docker system dial-stdio`.
    Ssh(super::ssh::SshTarget),
}

/// TLS material: the CA the daemon's certificate must chain to, and the client's key pair.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tls {
    pub ca: PathBuf,
    pub cert: PathBuf,
    pub key: PathBuf,
}

/// The resolved daemon endpoint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Endpoint {
    pub address: Address,
    /// `Some` for TCP with TLS; never dropped once asked for.
    pub tls: Option<Tls>,
    /// The docker context the endpoint came from (`None`: flags, environment or default).
    pub context: Option<String>,
}

impl Endpoint {
    /// The address in the docker CLI's spelling (`unix:///path`, `tcp://host:port`).
    pub fn url(&self) -> String {
        match &self.address {
            Address::Unix(p) => format!("unix://{}", p.display()),
            Address::Tcp { host, port } => format!("tcp://{}:{port}", bracket(host)),
            Address::Ssh(t) => t.url(),
        }
    }

    /// How the daemon is reached, for the report: `unix socket`, `TCP+TLS`, `TCP (plaintext)`,
    /// with `, context NAME` when a docker context named it.
    pub fn via(&self) -> String {
        let how = match (&self.address, &self.tls) {
            (Address::Unix(_), _) => "unix socket",
            (Address::Tcp { .. }, Some(_)) => "TCP+TLS",
            (Address::Tcp { .. }, None) => "TCP (plaintext)",
            (Address::Ssh(_), _) => "ssh",
        };
        match &self.context {
            Some(name) => format!("{how}, context {name}"),
            None => how.to_string(),
        }
    }
}

/// An IPv6 literal in a URI's authority needs brackets (`Address::Tcp` keeps hosts without).
pub(crate) fn bracket(host: &str) -> String {
    if host.contains(':') {
        format!("[{host}]")
    } else {
        host.to_string()
    }
}

/// The full-facts alternative to `ssh://` (which gets only what the Engine API tells), named
/// in docs/connections.md and in the ssh transport's errors.
pub const SSH_WORKFLOW: &str = "ssh HOST dockbench collect -o - | dockbench scan --snapshot -";

/// Resolves the endpoint from `args`, the environment (`env`: `DOCKER_HOST`, `DOCKER_CONTEXT`,
/// `DOCKER_CONFIG`, `HOME`, `DOCKER_TLS`, `DOCKER_TLS_VERIFY`, `DOCKER_CERT_PATH`; empty
/// values count as unset) and the docker CLI's config directory.
///
/// Errors are usage errors (exit 2): an unsupported scheme, `ssh://` (with the collect-and-pipe
/// alternative), `--host` with `--context`, an unknown context, TLS without verification.
pub fn resolve(
    args: &ConnectArgs,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<Endpoint, String> {
    let env = |k: &str| env(k).filter(|v| !v.is_empty());
    if args.host.is_some() && args.context.is_some() {
        return Err("conflicting options: either specify --host or --context, not both".into());
    }
    let config_dir = env("DOCKER_CONFIG")
        .map(PathBuf::from)
        .or_else(|| env("HOME").map(|h| Path::new(&h).join(".docker")));
    // --tlsverify given, or DOCKER_TLS_VERIFY set, turns TLS on (cli/flags SetDefaultOptions).
    let tlsverify = args.tlsverify || env("DOCKER_TLS_VERIFY").is_some();
    let tls_asked = tlsverify || args.tls || env("DOCKER_TLS").is_some();
    let context = match (&args.host, &args.context) {
        (Some(_), _) => None,
        (None, Some(c)) => Some(c.clone()),
        (None, None) if env("DOCKER_HOST").is_some() => None,
        (None, None) => env("DOCKER_CONTEXT").or_else(|| current_context(config_dir.as_deref())),
    }
    .filter(|c| c != "default");

    if let Some(name) = context {
        return from_context(&name, config_dir.as_deref());
    }
    let raw = args.host.clone().or_else(|| env("DOCKER_HOST"));
    let address = match raw.as_deref() {
        None => Address::Unix(PathBuf::from(DEFAULT_SOCKET)),
        Some(raw) => parse_address(raw, tls_asked)?,
    };
    let tls = match (&address, tls_asked) {
        (Address::Tcp { .. }, true) => {
            if !tlsverify {
                return Err("--tls without --tlsverify (the daemon's certificate not verified) is not supported: use --tlsverify with --tlscacert".into());
            }
            let cert_dir = env("DOCKER_CERT_PATH").map(PathBuf::from).or(config_dir);
            let default = |file: &str| cert_dir.as_ref().map(|d| d.join(file));
            let pick = |given: &Option<PathBuf>, file: &str, flag: &str| {
                given.clone().or_else(|| default(file)).ok_or_else(|| {
                    format!(
                        "TLS: no {flag} given and no DOCKER_CERT_PATH or HOME to find {file} in"
                    )
                })
            };
            Some(Tls {
                ca: pick(&args.tlscacert, "ca.pem", "--tlscacert")?,
                cert: pick(&args.tlscert, "cert.pem", "--tlscert")?,
                key: pick(&args.tlskey, "key.pem", "--tlskey")?,
            })
        }
        _ => None,
    };
    Ok(Endpoint {
        address,
        tls,
        context: None,
    })
}

/// A daemon address as the docker CLI parses `-H` (`opts.ParseHost`): `unix://PATH`,
/// `tcp://HOST[:PORT]` (port 2375, or 2376 with TLS), `HOST:PORT` without a scheme is TCP.
/// `http://` and `https://` (bollard's spellings) are read as plaintext and TLS TCP.
pub fn parse_address(raw: &str, tls: bool) -> Result<Address, String> {
    let raw = raw.trim();
    let (scheme, rest) = match raw.split_once("://") {
        Some((s, r)) => (s.to_ascii_lowercase(), r),
        None => ("tcp".to_string(), raw),
    };
    match scheme.as_str() {
        "unix" => {
            let path = if rest.is_empty() {
                DEFAULT_SOCKET
            } else {
                rest
            };
            Ok(Address::Unix(PathBuf::from(path)))
        }
        "tcp" | "http" => parse_tcp(rest, tls),
        "https" if !tls => Err(format!(
            "{raw}: https:// needs TLS settings: use tcp:// with --tlsverify (or DOCKER_TLS_VERIFY=1) and the certificates"
        )),
        "https" => parse_tcp(rest, true),
        "ssh" => super::ssh::SshTarget::parse(rest).map(Address::Ssh),
        "fd" => Err(format!(
            "{raw}: fd:// is an address dockerd listens on, not one a client can connect to"
        )),
        _ => Err(format!(
            "{raw}: unsupported address scheme '{scheme}://' (use unix://PATH, tcp://HOST[:PORT] or HOST:PORT)"
        )),
    }
}

fn parse_tcp(rest: &str, tls: bool) -> Result<Address, String> {
    let rest = rest.trim_end_matches('/');
    if rest.contains('/') {
        return Err(format!("tcp://{rest}: a daemon address has no path"));
    }
    let default_port = if tls { TLS_PORT } else { PLAIN_PORT };
    // [v6]:port, [v6], host:port, host (dockerd's ParseTCPAddr; empty host is 127.0.0.1).
    let (host, port) = if let Some(v6) = rest.strip_prefix('[') {
        let (h, after) = v6
            .split_once(']')
            .ok_or_else(|| format!("tcp://{rest}: unclosed '['"))?;
        (h, after.strip_prefix(':'))
    } else {
        match rest.rsplit_once(':') {
            Some((h, p)) => (h, Some(p)),
            None => (rest, None),
        }
    };
    let port = match port {
        None | Some("") => default_port,
        Some(p) => p
            .parse::<u16>()
            .ok()
            .filter(|p| *p != 0)
            .ok_or_else(|| format!("tcp://{rest}: invalid port '{p}'"))?,
    };
    let host = if host.is_empty() { "127.0.0.1" } else { host };
    Ok(Address::Tcp {
        host: host.to_string(),
        port,
    })
}

/// `currentContext` of `<config_dir>/config.json`, if set.
fn current_context(config_dir: Option<&Path>) -> Option<String> {
    let text = std::fs::read_to_string(config_dir?.join("config.json")).ok()?;
    let v: Value = serde_json::from_str(&text).ok()?;
    v.get("currentContext")?
        .as_str()
        .filter(|s| !s.is_empty())
        .map(str::to_string)
}

/// The docker endpoint of context `name` from the CLI's context store:
/// `contexts/meta/<digest>/meta.json` (`{"Name", "Endpoints": {"docker": {"Host",
/// "SkipTLSVerify"}}}`), its TLS files in `contexts/tls/<digest>/docker/{ca,cert,key}.pem`.
/// The store is searched by the `Name` in each meta.json (the directory is its SHA-256).
fn from_context(name: &str, config_dir: Option<&Path>) -> Result<Endpoint, String> {
    let not_found =
        || format!("context \"{name}\": context not found (docker context ls lists them)");
    let dir = config_dir.ok_or_else(not_found)?;
    let meta_dir = dir.join("contexts/meta");
    let entries = std::fs::read_dir(&meta_dir).map_err(|_| not_found())?;
    for entry in entries.flatten() {
        let Ok(text) = std::fs::read_to_string(entry.path().join("meta.json")) else {
            continue;
        };
        let Ok(meta) = serde_json::from_str::<Value>(&text) else {
            continue;
        };
        if meta.get("Name").and_then(Value::as_str) != Some(name) {
            continue;
        }
        let docker = meta
            .pointer("/Endpoints/docker")
            .ok_or_else(|| format!("context \"{name}\": it has no docker endpoint"))?;
        let host = docker.get("Host").and_then(Value::as_str).unwrap_or("");
        let tls_dir = dir
            .join("contexts/tls")
            .join(entry.file_name())
            .join("docker");
        let has_tls = tls_dir.join("ca.pem").exists();
        if docker.get("SkipTLSVerify").and_then(Value::as_bool) == Some(true) {
            return Err(format!(
                "context \"{name}\": SkipTLSVerify (the daemon's certificate not verified) is not supported"
            ));
        }
        let address = if host.is_empty() {
            Address::Unix(PathBuf::from(DEFAULT_SOCKET))
        } else {
            parse_address(host, has_tls).map_err(|e| format!("context \"{name}\": {e}"))?
        };
        let tls = (has_tls && matches!(address, Address::Tcp { .. })).then(|| Tls {
            ca: tls_dir.join("ca.pem"),
            cert: tls_dir.join("cert.pem"),
            key: tls_dir.join("key.pem"),
        });
        return Ok(Endpoint {
            address,
            tls,
            context: Some(name.to_string()),
        });
    }
    Err(not_found())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    fn with_env(args: &ConnectArgs, vars: &[(&str, &str)]) -> Result<Endpoint, String> {
        let map: BTreeMap<String, String> = vars
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        resolve(args, &|k| map.get(k).cloned())
    }

    fn host(h: &str) -> ConnectArgs {
        ConnectArgs {
            host: Some(h.into()),
            ..Default::default()
        }
    }

    #[test]
    fn addresses_follow_the_docker_cli() {
        let tcp = |h: &str, p| Address::Tcp {
            host: h.into(),
            port: p,
        };
        assert_eq!(
            parse_address("tcp://10.0.0.1", false),
            Ok(tcp("10.0.0.1", 2375))
        );
        assert_eq!(
            parse_address("tcp://10.0.0.1", true),
            Ok(tcp("10.0.0.1", 2376))
        );
        assert_eq!(
            parse_address("10.0.0.1:2999", false),
            Ok(tcp("10.0.0.1", 2999))
        );
        assert_eq!(
            parse_address("tcp://[::1]:4000", false),
            Ok(tcp("::1", 4000))
        );
        assert_eq!(
            parse_address("tcp://:4000", false),
            Ok(tcp("127.0.0.1", 4000))
        );
        assert_eq!(
            parse_address("unix:///run/user/1000/docker.sock", false),
            Ok(Address::Unix("/run/user/1000/docker.sock".into()))
        );
        assert_eq!(
            parse_address("unix://", false),
            Ok(Address::Unix(DEFAULT_SOCKET.into()))
        );
        for bad in [
            "npipe:///x",
            "tcp://h:99999",
            "tcp://h:0",
            "tcp://h:2375/path",
            "fd://",
        ] {
            assert!(parse_address(bad, false).is_err(), "{bad}");
        }
        assert_eq!(
            parse_address("ssh://me@box:2222", false).map(|a| match a {
                Address::Ssh(t) => t.url(),
                other => format!("{other:?}"),
            }),
            Ok("ssh://me@box:2222".to_string())
        );
        assert!(parse_address("ssh://box/path", false).is_err());
    }

    #[test]
    fn tls_comes_from_flags_or_the_environment_and_is_never_dropped() {
        let e = with_env(
            &host("tcp://d.example"),
            &[("DOCKER_TLS_VERIFY", "1"), ("DOCKER_CERT_PATH", "/certs")],
        )
        .unwrap();
        assert_eq!(e.url(), "tcp://d.example:2376");
        assert_eq!(
            e.tls,
            Some(Tls {
                ca: "/certs/ca.pem".into(),
                cert: "/certs/cert.pem".into(),
                key: "/certs/key.pem".into()
            })
        );
        assert_eq!(e.via(), "TCP+TLS");
        let flags = ConnectArgs {
            tlsverify: true,
            tlscacert: Some("/x/ca.pem".into()),
            ..host("tcp://d:3000")
        };
        let e = with_env(&flags, &[("HOME", "/home/u")]).unwrap();
        assert_eq!(e.tls.as_ref().unwrap().ca, PathBuf::from("/x/ca.pem"));
        assert_eq!(e.tls.unwrap().key, PathBuf::from("/home/u/.docker/key.pem"));
        // --tls alone would skip verification: refused, not plaintext.
        let tls_only = ConnectArgs {
            tls: true,
            ..host("tcp://d")
        };
        assert!(with_env(&tls_only, &[]).is_err());
        // An empty DOCKER_TLS_VERIFY is unset, as in the docker CLI.
        let e = with_env(&host("tcp://d"), &[("DOCKER_TLS_VERIFY", "")]).unwrap();
        assert_eq!((e.url().as_str(), e.tls), ("tcp://d:2375", None));
    }

    fn store(dir: &Path, digest: &str, name: &str, host: &str, tls: bool) {
        let meta = dir.join("contexts/meta").join(digest);
        std::fs::create_dir_all(&meta).unwrap();
        let json = serde_json::json!({"Name": name, "Metadata": {},
            "Endpoints": {"docker": {"Host": host, "SkipTLSVerify": false}}});
        std::fs::write(meta.join("meta.json"), json.to_string()).unwrap();
        if tls {
            let t = dir.join("contexts/tls").join(digest).join("docker");
            std::fs::create_dir_all(&t).unwrap();
            std::fs::write(t.join("ca.pem"), "").unwrap();
        }
    }

    #[test]
    fn contexts_with_the_docker_cli_precedence() {
        let tmp = tempfile::tempdir().unwrap();
        let d = tmp.path();
        store(d, "aaa", "lab", "unix:///tmp/lab.sock", false);
        store(d, "bbb", "prod", "tcp://prod.example", true);
        std::fs::write(d.join("config.json"), r#"{"currentContext":"lab"}"#).unwrap();
        let cfg = d.to_str().unwrap();
        let none = ConnectArgs::default();
        let env = |extra: &[(&'static str, &'static str)]| {
            let mut v = vec![("DOCKER_CONFIG", cfg)];
            v.extend_from_slice(extra);
            v
        };
        // currentContext of config.json.
        let e = with_env(&none, &env(&[])).unwrap();
        assert_eq!(
            (e.url(), e.context.as_deref()),
            ("unix:///tmp/lab.sock".into(), Some("lab"))
        );
        // DOCKER_CONTEXT beats it; a context with TLS files is TLS, on 2376.
        let e = with_env(&none, &env(&[("DOCKER_CONTEXT", "prod")])).unwrap();
        assert_eq!(e.url(), "tcp://prod.example:2376");
        assert_eq!(e.via(), "TCP+TLS, context prod");
        assert!(
            e.tls
                .unwrap()
                .ca
                .ends_with("contexts/tls/bbb/docker/ca.pem")
        );
        // DOCKER_HOST beats both; --context beats DOCKER_HOST; --host beats everything.
        let e = with_env(
            &none,
            &env(&[
                ("DOCKER_CONTEXT", "prod"),
                ("DOCKER_HOST", "unix:///h.sock"),
            ]),
        )
        .unwrap();
        assert_eq!((e.url(), e.context), ("unix:///h.sock".into(), None));
        let ctx = ConnectArgs {
            context: Some("prod".into()),
            ..Default::default()
        };
        let e = with_env(&ctx, &env(&[("DOCKER_HOST", "unix:///h.sock")])).unwrap();
        assert_eq!(e.context.as_deref(), Some("prod"));
        let e = with_env(&host("unix:///f.sock"), &env(&[("DOCKER_CONTEXT", "prod")])).unwrap();
        assert_eq!(e.url(), "unix:///f.sock");
        // "default" is the plain default socket; unknown names and --host with --context fail.
        let dflt = ConnectArgs {
            context: Some("default".into()),
            ..Default::default()
        };
        assert_eq!(
            with_env(&dflt, &env(&[])).unwrap().url(),
            "unix:///var/run/docker.sock"
        );
        let missing = ConnectArgs {
            context: Some("nope".into()),
            ..Default::default()
        };
        assert!(
            with_env(&missing, &env(&[]))
                .unwrap_err()
                .contains("context not found")
        );
        let both = ConnectArgs {
            context: Some("lab".into()),
            ..host("unix:///f.sock")
        };
        assert!(
            with_env(&both, &env(&[]))
                .unwrap_err()
                .contains("conflicting")
        );
    }
}
