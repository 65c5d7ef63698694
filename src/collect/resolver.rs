//! The host's DNS resolver as Docker sees it (libnetwork's resolvconf): containers get the
//! nameservers of /etc/resolv.conf — or of /run/systemd/resolve/resolv.conf when the former
//! only names systemd-resolved's 127.0.0.53 stub — minus loopback addresses, which are
//! unreachable from a container's network namespace. With none left, Docker falls back to
//! public resolvers (8.8.8.8, 8.8.4.4).
use super::rootfs::{RootFs, is_not_found};
use crate::snapshot::{FactStatus, ResolverFacts};

const MAIN: &str = "/etc/resolv.conf";
const RESOLVED: &str = "/run/systemd/resolve/resolv.conf";

pub fn collect(root: &RootFs) -> ResolverFacts {
    let read = |path: &str| match root.read_to_string(path) {
        Ok(text) => Ok(Some(text)),
        Err(e) if is_not_found(&e) => Ok(None),
        Err(e) => Err(format!("cannot read {path}: {e}")),
    };
    match read(MAIN) {
        Ok(main) => {
            let main = main.unwrap_or_default();
            let resolved = if nameservers(&main) == ["127.0.0.53"] {
                read(RESOLVED).ok().flatten()
            } else {
                None
            };
            facts(&main, resolved.as_deref())
        }
        Err(reason) => ResolverFacts {
            Status: FactStatus::unavailable(reason),
            ..ResolverFacts::default()
        },
    }
}

fn nameservers(text: &str) -> Vec<String> {
    text.lines()
        .filter_map(|l| {
            let mut words = l.split_whitespace();
            (words.next() == Some("nameserver")).then(|| words.next().map(str::to_string))?
        })
        .collect()
}

fn is_loopback(ns: &str) -> bool {
    ns.split('%')
        .next()
        .and_then(|a| a.parse::<std::net::IpAddr>().ok())
        .is_some_and(|ip| ip.is_loopback())
}

/// Facts from the text of /etc/resolv.conf and, when Docker would use it, systemd-resolved's
/// upstream file.
pub fn facts(main: &str, resolved: Option<&str>) -> ResolverFacts {
    let ns = nameservers(main);
    let (source, effective) = match resolved {
        Some(text) => (RESOLVED, nameservers(text)),
        None => (MAIN, ns.clone()),
    };
    let container: Vec<String> = effective.into_iter().filter(|n| !is_loopback(n)).collect();
    ResolverFacts {
        Status: FactStatus::Available,
        LoopbackOnly: !ns.is_empty() && ns.iter().all(|n| is_loopback(n)),
        Nameservers: ns,
        Source: source.into(),
        PublicFallback: container.is_empty(),
        ContainerNameservers: container,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dnsmasq_on_loopback_falls_back_to_public() {
        let r = facts("nameserver 127.0.0.1\n", None);
        assert!(r.LoopbackOnly && r.PublicFallback);
        let r = facts("nameserver 127.0.0.1\nnameserver 10.0.0.2\n", None);
        assert!(!r.LoopbackOnly && !r.PublicFallback);
        assert_eq!(r.ContainerNameservers, vec!["10.0.0.2"]);
        assert!(facts("", None).PublicFallback);
    }

    #[test]
    fn systemd_resolved_stub_uses_the_upstream_file() {
        let r = facts(
            "nameserver 127.0.0.53\noptions edns0\n",
            Some("nameserver 192.168.1.1\n"),
        );
        assert!(r.LoopbackOnly && !r.PublicFallback);
        assert_eq!(r.Source, RESOLVED);
        // Without the upstream file Docker has nothing left.
        assert!(facts("nameserver 127.0.0.53\n", None).PublicFallback);
    }

    #[test]
    fn root_without_resolv_conf_has_no_nameservers() {
        let dir = tempfile::tempdir().unwrap();
        let r = collect(&RootFs::new(dir.path()));
        assert!(r.Status.is_available() && r.PublicFallback);
    }
}
