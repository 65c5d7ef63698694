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
    listening_sockets,
};
pub use merge::{default_keys, resolve, resolve_with_default_file};
pub use systemd::{
    UnitEnvironment, exec_start_args, exec_start_args_of, expand_environment, listen_streams,
    parse_environment_file, unit_environment,
};

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
