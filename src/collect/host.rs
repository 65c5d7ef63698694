//! Facts about the host the scanner runs on (live mode).
use std::path::Path;

use crate::snapshot::Host;

pub fn collect(root: &Path) -> Host {
    let uname = rustix::system::uname();
    let read = |p: &str| std::fs::read_to_string(root.join(p)).unwrap_or_default();
    Host {
        Hostname: uname.nodename().to_string_lossy().into_owned(),
        KernelVersion: uname.release().to_string_lossy().into_owned(),
        OperatingSystem: os_release_name(&read("etc/os-release")),
        MachineId: read("etc/machine-id").trim().to_string(),
        ContentTrust: std::env::var("DOCKER_CONTENT_TRUST").unwrap_or_default(),
        ..Host::default()
    }
}

/// PRETTY_NAME (else NAME) of an os-release file.
pub fn os_release_name(text: &str) -> String {
    let value = |key: &str| {
        text.lines()
            .find_map(|l| l.strip_prefix(key)?.strip_prefix('='))
            .map(|v| v.trim().trim_matches('"').to_string())
    };
    value("PRETTY_NAME")
        .or_else(|| value("NAME"))
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    #[test]
    fn os_release_pretty_name() {
        let text = "NAME=\"Debian GNU/Linux\"\nPRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"\n";
        assert_eq!(
            super::os_release_name(text),
            "Debian GNU/Linux 12 (bookworm)"
        );
        assert_eq!(super::os_release_name("NAME=Alpine\n"), "Alpine");
    }
}
