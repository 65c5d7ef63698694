//! TCP sockets in LISTEN state, from /proc/net/tcp and tcp6 (e.g. the daemon on 2375/2376,
//! swarm on 2377). The tables of a network namespace: the scanner's own on the host; in a
//! container, the host init's (seen with `--pid host`), so `--net host` is not needed.
use std::net::SocketAddr;

use procfs::net::TcpState;

use super::rootfs::RootFs;
use crate::snapshot::{FactStatus, Listener, ListenerFacts, ScanMode};

pub fn collect(fs: &RootFs, live: bool) -> ListenerFacts {
    if !live || !fs.is_host_root() {
        return ListenerFacts {
            Status: FactStatus::NotInMode {
                mode: ScanMode::Offline,
                reason: "listening sockets are not available in an offline scan".into(),
            },
            ..ListenerFacts::default()
        };
    }
    // In a container, our tables are the container's network namespace unless `--net host`:
    // read the host init's (`/proc/1/net`, with `--pid host`) instead.
    let unavailable = |reason: String| ListenerFacts {
        Status: FactStatus::unavailable(reason),
        ..ListenerFacts::default()
    };
    let dir = match super::own_container::host_process_dir(
        std::path::Path::new("/proc"),
        "TCP listener table",
    ) {
        Ok(d) => d,
        Err(reason) => return unavailable(reason),
    };
    let process = match procfs::process::Process::new_with_root(dir.clone()) {
        Ok(p) => p,
        Err(e) => return unavailable(format!("cannot read {}: {e}", dir.display())),
    };
    let v4 = match process.tcp() {
        Ok(entries) => entries,
        Err(e) => {
            return unavailable(format!("cannot read {}/net/tcp: {e}", dir.display()));
        }
    };
    // No tcp6 table when IPv6 is disabled: then there are no IPv6 listeners.
    let v6 = process.tcp6().unwrap_or_default();
    let listening = v4
        .into_iter()
        .chain(v6)
        .filter(|e| e.state == TcpState::Listen)
        .map(|e| e.local_address);
    ListenerFacts {
        Status: FactStatus::Available,
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
        assert!(!l.Status.is_available());
        assert!(l.Status.reason().contains("offline"));
    }

    #[test]
    fn sees_our_own_listener() {
        let socket = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let port = i64::from(socket.local_addr().unwrap().port());
        let l = collect(&RootFs::new("/"), true);
        assert!(l.Status.is_available(), "{}", l.Status.reason());
        assert!(
            l.Tcp
                .iter()
                .any(|x| x.Address == "127.0.0.1" && x.Port == port)
        );
    }
}
