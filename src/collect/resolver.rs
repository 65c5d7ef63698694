//! The host's DNS resolver from `/etc/resolv.conf`: Docker copies it into containers but
//! drops loopback nameservers (they are unreachable from a container's network namespace)
//! and falls back to public resolvers (8.8.8.8, 8.8.4.4) when none is left.
use super::rootfs::{RootFs, is_not_found};
use crate::snapshot::ResolverFacts;

pub fn collect(root: &RootFs) -> ResolverFacts {
    match root.read_to_string("/etc/resolv.conf") {
        Ok(text) => parse(&text),
        Err(e) if is_not_found(&e) => ResolverFacts {
            Available: true,
            ..ResolverFacts::default()
        },
        Err(e) => ResolverFacts {
            Reason: format!("cannot read /etc/resolv.conf: {e}"),
            ..ResolverFacts::default()
        },
    }
}

pub fn parse(text: &str) -> ResolverFacts {
    let nameservers: Vec<String> = text
        .lines()
        .filter_map(|l| {
            let mut words = l.split_whitespace();
            (words.next() == Some("nameserver")).then(|| words.next().map(str::to_string))?
        })
        .collect();
    let loopback = |ns: &String| {
        ns.parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
    };
    ResolverFacts {
        Available: true,
        Reason: String::new(),
        LoopbackOnly: !nameservers.is_empty() && nameservers.iter().all(loopback),
        Nameservers: nameservers,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stub_resolver_is_loopback_only() {
        let r = parse("# systemd-resolved\nnameserver 127.0.0.53\noptions edns0\n");
        assert!(r.LoopbackOnly);
        assert_eq!(r.Nameservers, vec!["127.0.0.53"]);
        assert!(!parse("nameserver 127.0.0.1\nnameserver 10.0.0.2\n").LoopbackOnly);
        assert!(!parse("").LoopbackOnly);
        assert!(parse("nameserver ::1\n").LoopbackOnly);
    }
}
