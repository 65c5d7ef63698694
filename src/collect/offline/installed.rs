//! What a clone's files say about the kernel and the Docker Engine installed on it, for the
//! report's header (a clone has no running kernel and no daemon to ask). Installed is not
//! running: the note that goes with the values says where they were read.
use crate::collect::rootfs::RootFs;

/// The newest kernel release with a modules directory (`/usr/lib/modules/<release>`, else
/// `/lib/modules/<release>`), else with a `/boot/vmlinuz-<release>` image; and where it was
/// found ("newest of 2 in /usr/lib/modules"). `None` when the clone shows none.
pub fn kernel(fs: &RootFs) -> Option<(String, String)> {
    for dir in ["/usr/lib/modules", "/lib/modules"] {
        let releases: Vec<String> = names(fs, dir)
            .into_iter()
            .filter(|n| n.starts_with(|c: char| c.is_ascii_digit()))
            .collect();
        if let Some(found) = newest(releases, dir) {
            return Some(found);
        }
    }
    let images: Vec<String> = names(fs, "/boot")
        .into_iter()
        .filter_map(|n| n.strip_prefix("vmlinuz-").map(str::to_string))
        .filter(|n| n.starts_with(|c: char| c.is_ascii_digit()))
        .collect();
    newest(images, "/boot")
}

/// The Docker Engine version its package database records (dpkg's `/var/lib/dpkg/status`,
/// apk's `/lib/apk/db/installed`) in the form the daemon reports it (`24.0.7`,
/// `20.10.24+dfsg1`: no epoch, no packaging revision), and which package it came from.
/// `None` for an engine installed without a package (static binaries) or an RPM database,
/// which is not plain text.
pub fn docker_version(fs: &RootFs) -> Option<(String, String)> {
    const PACKAGES: [&str; 5] = [
        "docker-ce",
        "moby-engine",
        "docker.io",
        "docker-engine",
        "docker",
    ];
    if let Ok(status) = fs.read_lossy("/var/lib/dpkg/status") {
        let installed = dpkg_installed(&status);
        for want in PACKAGES {
            if let Some((_, v)) = installed.iter().find(|(p, _)| p == want) {
                return Some((
                    upstream(v, '-'),
                    format!("package {want} in /var/lib/dpkg/status"),
                ));
            }
        }
    }
    if let Ok(db) = fs.read_lossy("/lib/apk/db/installed") {
        let installed = apk_installed(&db);
        for want in PACKAGES {
            if let Some((_, v)) = installed.iter().find(|(p, _)| p == want) {
                return Some((
                    upstream(v, '-'),
                    format!("package {want} in /lib/apk/db/installed"),
                ));
            }
        }
    }
    None
}

fn names(fs: &RootFs, dir: &str) -> Vec<String> {
    fs.read_dir(dir)
        .map(|v| v.into_iter().filter_map(|n| n.into_string().ok()).collect())
        .unwrap_or_default()
}

/// The highest release by its numeric parts (6.1.0-28 > 6.1.0-9), with where it was found.
fn newest(mut releases: Vec<String>, dir: &str) -> Option<(String, String)> {
    let key = |s: &String| -> Vec<u64> {
        s.split(|c: char| !c.is_ascii_digit())
            .filter(|p| !p.is_empty())
            .map(|p| p.parse().unwrap_or(u64::MAX))
            .collect()
    };
    releases.sort_by_key(key);
    let n = releases.len();
    let last = releases.pop()?;
    let whence = if n == 1 {
        format!("in {dir}")
    } else {
        format!("newest of {n} in {dir}")
    };
    Some((last, whence))
}

/// (package, version) of each package dpkg lists as installed.
fn dpkg_installed(status: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for stanza in status.split("\n\n") {
        let field = |name: &str| {
            stanza
                .lines()
                .find_map(|l| l.strip_prefix(name)?.strip_prefix(':'))
                .map(|v| v.trim().to_string())
        };
        let installed = field("Status").is_some_and(|s| s.ends_with(" installed"));
        if let (true, Some(p), Some(v)) = (installed, field("Package"), field("Version")) {
            out.push((p, v));
        }
    }
    out
}

/// (package, version) of each package in apk's database (`P:` and `V:` lines per stanza).
fn apk_installed(db: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for stanza in db.split("\n\n") {
        let field = |name: &str| {
            stanza
                .lines()
                .find_map(|l| l.strip_prefix(name))
                .map(|v| v.trim().to_string())
        };
        if let (Some(p), Some(v)) = (field("P:"), field("V:")) {
            out.push((p, v));
        }
    }
    out
}

/// A package version without its epoch (`5:`) and packaging revision (`-1~debian.12`,
/// `-r0`): what the engine itself calls its version.
fn upstream(version: &str, revision_sep: char) -> String {
    let v = version.split_once(':').map_or(version, |(_, rest)| rest);
    v.rsplit_once(revision_sep)
        .map_or(v, |(up, _)| up)
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_from_a_clones_files() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        for rel in ["6.1.0-9-amd64", "6.1.0-28-amd64", "6.1.0-13-amd64"] {
            std::fs::create_dir_all(root.join("usr/lib/modules").join(rel)).unwrap();
        }
        std::fs::create_dir_all(root.join("var/lib/dpkg")).unwrap();
        std::fs::write(
            root.join("var/lib/dpkg/status"),
            "Package: docker.io\nStatus: deinstall ok config-files\nVersion: 20.10.24+dfsg1-1\n\n\
             Package: containerd.io\nStatus: install ok installed\nVersion: 1.6.28-1\n\n\
             Package: docker-ce\nStatus: install ok installed\nArchitecture: amd64\nVersion: 5:24.0.7-1~debian.12~bookworm\n",
        )
        .unwrap();
        let fs = RootFs::new(root);
        assert_eq!(
            kernel(&fs),
            Some((
                "6.1.0-28-amd64".into(),
                "newest of 3 in /usr/lib/modules".into()
            ))
        );
        assert_eq!(
            docker_version(&fs),
            Some((
                "24.0.7".into(),
                "package docker-ce in /var/lib/dpkg/status".into()
            ))
        );

        // Debian's docker.io keeps its +dfsg suffix, as its daemon reports it; /boot when
        // there are no modules; apk's database on Alpine.
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::fs::create_dir_all(root.join("boot")).unwrap();
        std::fs::write(root.join("boot/vmlinuz-6.6.31-0-lts"), "").unwrap();
        std::fs::write(root.join("boot/config-6.6.31-0-lts"), "").unwrap();
        std::fs::create_dir_all(root.join("lib/apk/db")).unwrap();
        std::fs::write(
            root.join("lib/apk/db/installed"),
            "C:Q1x\nP:musl\nV:1.2.5-r0\n\nC:Q1y\nP:docker-engine\nV:25.0.5-r1\n",
        )
        .unwrap();
        let fs = RootFs::new(root);
        assert_eq!(
            kernel(&fs),
            Some(("6.6.31-0-lts".into(), "in /boot".into()))
        );
        assert_eq!(docker_version(&fs).map(|v| v.0), Some("25.0.5".to_string()));
        assert_eq!(upstream("20.10.24+dfsg1-1+deb12u1", '-'), "20.10.24+dfsg1");

        // Nothing installed that says: nothing claimed.
        let empty = tempfile::tempdir().unwrap();
        let fs = RootFs::new(empty.path());
        assert_eq!(kernel(&fs), None);
        assert_eq!(docker_version(&fs), None);
    }
}
