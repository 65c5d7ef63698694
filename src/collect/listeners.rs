//! TCP sockets in LISTEN state, from /proc/net/tcp and tcp6 (e.g. the daemon on 2375/2376,
//! swarm on 2377). These tables belong to the scanner's network namespace: run in a container,
//! the scanner sees the host's sockets only with `--net host`.
use std::net::SocketAddr;

use procfs::net::TcpState;

use super::rootfs::RootFs;
use crate::snapshot::{Listener, ListenerFacts};

pub fn collect(fs: &RootFs, live: bool) -> ListenerFacts {
    if !live || !fs.is_host_root() {
        return ListenerFacts {
            Reason: "listening sockets are not available in an offline scan".into(),
            ..ListenerFacts::default()
        };
    }
    let v4 = match procfs::net::tcp() {
        Ok(entries) => entries,
        Err(e) => {
            return ListenerFacts {
                Reason: format!("cannot read /proc/net/tcp: {e}"),
                ..ListenerFacts::default()
            };
        }
    };
    // No tcp6 table when IPv6 is disabled: then there are no IPv6 listeners.
    let v6 = procfs::net::tcp6().unwrap_or_default();
    let listening = v4
        .into_iter()
        .chain(v6)
        .filter(|e| e.state == TcpState::Listen)
        .map(|e| e.local_address);
    ListenerFacts {
        Available: true,
        Reason: String::new(),
        Tcp: listeners(listening),
    }
}

/// Sorted and unique (a port can have one socket per address family or per reuseport worker).
pub fn listeners(addrs: impl IntoIterator<Item = SocketAddr>) -> Vec<Listener> {
    let mut keys: Vec<(std::net::IpAddr, u16)> =
        addrs.into_iter().map(|a| (a.ip(), a.port())).collect();
    keys.sort();
    keys.dedup();
    keys.into_iter()
        .map(|(ip, port)| Listener {
            Address: ip.to_string(),
            Port: port.into(),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sorted_unique_text_addresses() {
        let addrs = ["[::]:2376", "0.0.0.0:2375", "127.0.0.1:53", "0.0.0.0:2375"]
            .map(|a| a.parse::<SocketAddr>().unwrap());
        let got: Vec<(String, i64)> = listeners(addrs)
            .into_iter()
            .map(|l| (l.Address, l.Port))
            .collect();
        assert_eq!(
            got,
            [
                ("0.0.0.0".to_string(), 2375),
                ("127.0.0.1".to_string(), 53),
                ("::".to_string(), 2376)
            ]
        );
    }

    #[test]
    fn offline_is_unavailable() {
        let l = collect(&RootFs::new("/srv/clone"), true);
        assert!(!l.Available);
        assert!(l.Reason.contains("offline"));
    }

    #[test]
    fn sees_our_own_listener() {
        let socket = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let port = i64::from(socket.local_addr().unwrap().port());
        let l = collect(&RootFs::new("/"), true);
        assert!(l.Available, "{}", l.Reason);
        assert!(
            l.Tcp
                .iter()
                .any(|x| x.Address == "127.0.0.1" && x.Port == port)
        );
    }
}
