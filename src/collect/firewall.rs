//! ufw's state (`/etc/ufw/ufw.conf`) and the rules of Docker's `DOCKER-USER` chain, read
//! with `iptables-save` or `nft list ruleset` (both read-only) when the binary exists.
//! Docker's published ports are DNATed before ufw's INPUT rules see them; only rules in
//! DOCKER-USER filter them.
use std::path::{Path, PathBuf};
use std::process::Command;

use super::rootfs::{RootFs, is_not_found};
use crate::snapshot::{FactStatus, FirewallFacts};

const CHAIN: &str = "DOCKER-USER";

pub fn collect(root: &RootFs) -> FirewallFacts {
    let mut facts = FirewallFacts {
        UfwStatus: FactStatus::Available,
        ..FirewallFacts::default()
    };
    match root.read_to_string("/etc/ufw/ufw.conf") {
        Ok(text) => {
            facts.UfwInstalled = true;
            facts.UfwEnabled = ufw_enabled(&text);
        }
        Err(e) if is_not_found(&e) => {}
        Err(e) => {
            facts.UfwStatus = FactStatus::io(format!("cannot read /etc/ufw/ufw.conf: {e}"), &e)
        }
    }
    if !root.is_host_root() {
        facts.Status = FactStatus::offline("the firewall ruleset (iptables/nft)");
        return facts;
    }
    let rules = match (find_binary("iptables-save"), find_binary("nft")) {
        (Some(bin), _) => run(&bin, &["-t", "filter"]).map(|out| ("iptables-save", iptables(&out))),
        (None, Some(bin)) => {
            run(&bin, &["list", "ruleset"]).map(|out| ("nft list ruleset", nft(&out)))
        }
        (None, None) => Err("neither iptables-save nor nft is installed".into()),
    };
    match rules {
        Ok((source, chain)) => {
            facts.Status = FactStatus::Available;
            facts.Source = source.into();
            facts.DockerUserChain = chain.is_some();
            facts.DockerUserRules = chain.unwrap_or_default();
        }
        Err(e) => {
            let cause = if e.contains("ermission denied") || e.contains("must be root") {
                crate::snapshot::Cause::Permission
            } else {
                crate::snapshot::Cause::Unreadable
            };
            facts.Status = FactStatus::unreadable(cause, e)
        }
    }
    facts
}

pub fn ufw_enabled(conf: &str) -> bool {
    conf.lines().any(|l| {
        l.trim().strip_prefix("ENABLED=").is_some_and(|v| {
            v.trim()
                .trim_matches(['"', '\''])
                .eq_ignore_ascii_case("yes")
        })
    })
}

fn find_binary(name: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH").unwrap_or_default();
    std::env::split_paths(&path)
        .chain(["/usr/sbin", "/sbin", "/usr/bin"].map(PathBuf::from))
        .map(|d| d.join(name))
        .find(|p| p.is_file())
}

fn run(bin: &Path, args: &[&str]) -> Result<String, String> {
    let shown = format!("{} {}", bin.display(), args.join(" "));
    let out = Command::new(bin)
        .args(args)
        .output()
        .map_err(|e| format!("cannot run {shown}: {e}"))?;
    if !out.status.success() {
        let err = String::from_utf8_lossy(&out.stderr);
        return Err(format!("{shown} failed: {}", err.trim()));
    }
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}

fn is_default_return(rule: &str) -> bool {
    let words: Vec<&str> = rule
        .split_whitespace()
        .filter(|w| *w != "counter")
        .collect();
    matches!(words.as_slice(), ["-j", "RETURN"] | ["return"])
        || (words.first() == Some(&"packets")
            && words.last() == Some(&"return")
            && words.len() == 5)
}

/// DOCKER-USER rules from `iptables-save` output; `None` when the chain does not exist.
pub fn iptables(out: &str) -> Option<Vec<String>> {
    let declared = out.lines().any(|l| l.starts_with(&format!(":{CHAIN} ")));
    let prefix = format!("-A {CHAIN} ");
    let rules: Vec<String> = out
        .lines()
        .filter_map(|l| l.strip_prefix(&prefix))
        .filter(|r| !is_default_return(r))
        .map(|r| r.trim().to_string())
        .collect();
    (declared || !rules.is_empty()).then_some(rules)
}

/// DOCKER-USER rules from `nft list ruleset` output (all tables); `None` without the chain.
pub fn nft(out: &str) -> Option<Vec<String>> {
    let mut found = None;
    let mut inside = false;
    for line in out.lines().map(str::trim) {
        if line.starts_with(&format!("chain {CHAIN} ")) {
            inside = true;
            found.get_or_insert_with(Vec::new);
            continue;
        }
        if inside {
            if line == "}" {
                inside = false;
            } else if !line.is_empty() && !line.starts_with("type ") && !is_default_return(line) {
                found.get_or_insert_with(Vec::new).push(line.to_string());
            }
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_docker_user_chain_has_no_rules() {
        let out = "*filter\n:DOCKER-USER - [0:0]\n-A FORWARD -j DOCKER-USER\n-A DOCKER-USER -j RETURN\nCOMMIT\n";
        assert_eq!(iptables(out), Some(vec![]));
        let out = format!("{out}-A DOCKER-USER -i eth0 -j DROP\n");
        assert_eq!(iptables(&out), Some(vec!["-i eth0 -j DROP".to_string()]));
        assert_eq!(iptables("*filter\nCOMMIT\n"), None);
    }

    #[test]
    fn nft_chain_is_read() {
        let out = "table ip filter {\n\tchain DOCKER-USER {\n\t\tcounter packets 0 bytes 0 return\n\t}\n}\n";
        assert_eq!(nft(out), Some(vec![]));
        let out = "table ip filter {\n\tchain DOCKER-USER {\n\t\tiifname \"eth0\" drop\n\t\tcounter packets 5 bytes 300 return\n\t}\n}\n";
        assert_eq!(nft(out), Some(vec!["iifname \"eth0\" drop".to_string()]));
        assert_eq!(nft("table ip nat {\n}\n"), None);
    }

    #[test]
    fn ufw_conf_is_parsed() {
        assert!(ufw_enabled("# comment\nENABLED=yes\nLOGLEVEL=low\n"));
        assert!(!ufw_enabled("ENABLED=no\n"));
    }
}
