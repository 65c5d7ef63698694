//! dockerd's effective configuration: its command line (parsed the way Go's pflag parses it),
//! merged with its config file (`daemon.json`) and completed with dockerd's built-in defaults.
//! Every value keeps where it came from, so a check can say "set by `--icc=false`" or
//! "dockerd's default; a flag we cannot see might override it".
//!
//! Flag names, short forms and daemon.json keys follow moby's `cmd/dockerd` (options.go,
//! config.go, config_unix.go) as of Docker 28, plus a few flags older releases accepted.
//!
//! - `flags`: dockerd's flag table and the pflag-style command-line parser;
//! - `merge`: daemon.json reading, merged with the flags and the built-in defaults;
//! - `discovery`: finding the dockerd process (and so its command line) in /proc;
//! - `systemd`: dockerd's command line as a systemd unit would start it.
mod discovery;
mod flags;
mod merge;
mod systemd;

/// Where dockerd reads its config file unless `--config-file` says otherwise (rootful daemon).
pub use crate::docker::DEFAULT_CONFIG_FILE;
pub use discovery::{
    find_dockerd_among, find_dockerd_args, find_dockerd_args_among, find_dockerd_args_for,
    holds_socket, listening_sockets, listening_sockets_among, names_socket, open_socket_inodes,
};
pub use merge::{default_keys, resolve, resolve_planned, resolve_with_default_file};
pub use systemd::{
    UnitEnvironment, exec_start_args, exec_start_args_of, expand_environment, listen_streams,
    parse_environment_file, unit_environment,
};

/// The containerd socket dockerd talks to (CIS 1.1.8, 3.23, 3.24), as dockerd chooses it:
/// its `containerd` setting (flag or file); else the containerd it supervises itself, whose
/// socket is `<exec-root>/containerd/containerd.sock` (`exec-root` default `/var/run/docker`),
/// when that socket exists; else the system containerd's `/run/containerd/containerd.sock`.
/// `exists(path)` says whether a path exists on the scanned host.
pub fn containerd_socket(
    config: &crate::snapshot::DaemonConfig,
    exists: impl Fn(&str) -> bool,
) -> String {
    const SYSTEM: &str = "/run/containerd/containerd.sock";
    let setting = |key: &str| {
        config
            .Settings
            .get(key)
            .filter(|s| s.Source != "default")
            .and_then(|s| s.Value.as_str())
            .filter(|v| !v.is_empty())
            .map(|v| v.trim_end_matches('/').to_string())
    };
    if let Some(address) = setting("containerd") {
        return address
            .strip_prefix("unix://")
            .map(str::to_string)
            .unwrap_or(address);
    }
    let exec_root = setting("exec-root").unwrap_or_else(|| "/var/run/docker".into());
    let own = format!("{exec_root}/containerd/containerd.sock");
    if exists(&own) && !exists(SYSTEM) {
        own
    } else {
        SYSTEM.to_string()
    }
}

/// Helpers the tests of every part share.
#[cfg(test)]
mod testing {
    use serde_json::Value;

    use super::resolve;
    use crate::snapshot::DaemonConfig;

    pub fn argv(s: &str) -> Vec<String> {
        s.split_whitespace().map(str::to_string).collect()
    }

    /// Resolves a command line with no config file present.
    pub fn flags_only(args: &str) -> DaemonConfig {
        resolve(&argv(args), true, |_| None)
    }

    pub fn value(c: &DaemonConfig, key: &str) -> Value {
        c.Settings[key].Value.clone()
    }

    pub fn source(c: &DaemonConfig, key: &str) -> (String, String) {
        let s = &c.Settings[key];
        (s.Source.clone(), s.Origin.clone())
    }
}

#[cfg(test)]
mod containerd_tests {
    use super::containerd_socket;
    use super::testing::flags_only;

    #[test]
    fn containerd_socket_as_dockerd_chooses_it() {
        let none = |_: &str| false;
        assert_eq!(
            containerd_socket(&flags_only("--containerd=/run/k3s/containerd.sock"), none),
            "/run/k3s/containerd.sock"
        );
        assert_eq!(
            containerd_socket(&flags_only("--containerd unix:///srv/c.sock"), none),
            "/srv/c.sock"
        );
        assert_eq!(
            containerd_socket(&flags_only(""), none),
            "/run/containerd/containerd.sock"
        );
        // No system containerd, dockerd's own is running: its socket under the exec root.
        let own = |p: &str| p == "/var/run/docker/containerd/containerd.sock";
        assert_eq!(
            containerd_socket(&flags_only(""), own),
            "/var/run/docker/containerd/containerd.sock"
        );
        let own = |p: &str| p == "/srv/exec/containerd/containerd.sock";
        assert_eq!(
            containerd_socket(&flags_only("--exec-root=/srv/exec"), own),
            "/srv/exec/containerd/containerd.sock"
        );
        // A system containerd dockerd finds at start is the one it uses.
        let both = |p: &str| p.ends_with("containerd.sock");
        assert_eq!(
            containerd_socket(&flags_only(""), both),
            "/run/containerd/containerd.sock"
        );
    }
}
