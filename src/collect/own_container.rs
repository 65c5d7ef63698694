//! Recognising dockbench's own container, when it runs as one: it needs the Docker socket and
//! the host's PID namespace, which the checks would rightly flag in any other container, so the
//! scan leaves it out (with a note) unless `--include-self` is given.
//!
//! The container ID is read from our own `/proc/self/cgroup` (cgroup v1 and v2 with a host
//! cgroup namespace) or, when that shows only `0::/` (cgroup v2's private namespace, Docker's
//! default there), from `/proc/self/mountinfo`, where Docker bind-mounts
//! `<data-root>/containers/<id>/{hostname,hosts,resolv.conf}` into every container.
use std::path::Path;

use crate::docker::{id_from_cgroup, id_from_mountinfo, short_id};

/// Our own container ID, if we run in a Docker container. `proc_self` is `/proc/self`.
pub fn own_container_id(proc_self: &Path) -> Option<String> {
    let read = |name: &str| std::fs::read_to_string(proc_self.join(name)).unwrap_or_default();
    id_from_cgroup(&read("cgroup")).or_else(|| id_from_mountinfo(&read("mountinfo")))
}

/// The `/proc/<pid>` directory whose namespaces are the host's: `/proc/self` on the host;
/// in a container, the host's init (`/proc/1`, seen with `--pid host`), whose mount table and
/// network tables are the host's where ours are the container's. Err: in a container without
/// the host's PID namespace, where nothing in `/proc` shows the host's view of `what`.
pub fn host_process_dir(proc_root: &Path, what: &str) -> Result<std::path::PathBuf, String> {
    let Some(own) = own_container_id(&proc_root.join("self")) else {
        return Ok(proc_root.join("self"));
    };
    let init = proc_root.join("1");
    if own_container_id(&init).as_deref() == Some(own.as_str()) {
        return Err(format!(
            "dockbench runs in container {} without the host's PID namespace (--pid host): the host's {what} is not visible",
            short_id(&own)
        ));
    }
    Ok(init)
}

#[cfg(test)]
mod tests {
    use super::*;

    const ID: &str = "4f1c7c3e0b9d4a1e8f2b6c5d7e8f9a0b1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e6f";

    #[test]
    fn cgroup_v1_cgroupfs_driver() {
        let text = format!(
            "12:pids:/docker/{ID}\n11:memory:/docker/{ID}\n1:name=systemd:/docker/{ID}\n0::/\n"
        );
        assert_eq!(id_from_cgroup(&text).as_deref(), Some(ID));
    }

    #[test]
    fn cgroup_v2_systemd_driver() {
        let text = format!("0::/system.slice/docker-{ID}.scope\n");
        assert_eq!(id_from_cgroup(&text).as_deref(), Some(ID));
    }

    #[test]
    fn cgroup_v2_cgroupfs_driver_and_nesting() {
        assert_eq!(
            id_from_cgroup(&format!("0::/docker/{ID}\n")).as_deref(),
            Some(ID)
        );
        // --cgroup-parent puts the container below another directory.
        assert_eq!(
            id_from_cgroup(&format!("0::/ci/docker/{ID}/init.scope\n")).as_deref(),
            Some(ID)
        );
    }

    #[test]
    fn cgroup_rootless_systemd() {
        let text = format!("0::/user.slice/user-1000.slice/user@1000.service/docker-{ID}.scope\n");
        assert_eq!(id_from_cgroup(&text).as_deref(), Some(ID));
    }

    #[test]
    fn cgroup_that_is_not_a_container() {
        for text in [
            "0::/\n",
            "0::/user.slice/user-1000.slice/session-3.scope\n",
            "0::/system.slice/docker.service\n",
            // A 64-hex name not under docker/ is someone else's (e.g. a k8s pod).
            &format!("0::/kubepods/besteffort/pod1/{ID}\n"),
            "4:memory:/process_api/277eb9dd09e4526a09d9a5d9313c2280\n",
        ] {
            assert_eq!(id_from_cgroup(text), None, "{text}");
        }
    }

    /// cgroup v2 with a private cgroup namespace: `0::/`, so the mounts tell.
    #[test]
    fn mountinfo_of_a_container() {
        let text = format!(
            "812 700 0:52 / / rw,relatime master:300 - overlay overlay rw,lowerdir=/var/lib/docker/overlay2/l/X\n\
             820 812 0:55 / /proc rw,nosuid,nodev,noexec,relatime - proc proc rw\n\
             830 812 254:1 /var/lib/docker/containers/{ID}/resolv.conf /etc/resolv.conf rw,relatime - ext4 /dev/vda1 rw\n\
             831 812 254:1 /var/lib/docker/containers/{ID}/hostname /etc/hostname rw,relatime - ext4 /dev/vda1 rw\n"
        );
        assert_eq!(id_from_mountinfo(&text).as_deref(), Some(ID));
        // Data root on its own file system: the root is relative to that mount.
        let separate = format!(
            "831 812 254:2 /docker/containers/{ID}/hosts /etc/hosts rw - xfs /dev/vdb1 rw\n"
        );
        assert_eq!(id_from_mountinfo(&separate).as_deref(), Some(ID));
    }

    #[test]
    fn mountinfo_of_the_host() {
        // The host mounts Docker's data root, but never a container's file on /etc/hostname.
        let text = format!(
            "22 1 254:1 / / rw,relatime shared:1 - ext4 /dev/vda1 rw\n\
             90 22 254:1 /var/lib/docker/containers/{ID}/hostname /srv/copy rw - ext4 /dev/vda1 rw\n"
        );
        assert_eq!(id_from_mountinfo(&text), None);
    }

    fn fake_proc(self_mounts: &str, init_mounts: &str) -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        for (pid, mounts) in [("self", self_mounts), ("1", init_mounts)] {
            std::fs::create_dir(dir.path().join(pid)).unwrap();
            std::fs::write(dir.path().join(pid).join("cgroup"), "0::/\n").unwrap();
            std::fs::write(dir.path().join(pid).join("mountinfo"), mounts).unwrap();
        }
        dir
    }

    #[test]
    fn host_view_from_a_container() {
        let ours = format!(
            "1 0 8:1 /var/lib/docker/containers/{ID}/hostname /etc/hostname rw - ext4 /dev/sda1 rw\n"
        );
        let host = "1 0 8:1 / / rw - ext4 /dev/sda1 rw\n";
        // On the host: our own view is the host's.
        let p = fake_proc(host, host);
        assert_eq!(
            host_process_dir(p.path(), "x").unwrap(),
            p.path().join("self")
        );
        // In a container with --pid host: PID 1 is the host's init.
        let p = fake_proc(&ours, host);
        assert_eq!(host_process_dir(p.path(), "x").unwrap(), p.path().join("1"));
        // In a container with its own PID namespace: PID 1 is in our container too.
        let p = fake_proc(&ours, &ours);
        let e = host_process_dir(p.path(), "mount table").unwrap_err();
        assert!(e.contains("--pid host") && e.contains("mount table"), "{e}");
    }

    #[test]
    fn reads_a_fake_proc_self() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("cgroup"), "0::/\n").unwrap();
        std::fs::write(
            dir.path().join("mountinfo"),
            format!("1 0 8:1 /var/lib/docker/containers/{ID}/hostname /etc/hostname rw - ext4 /dev/sda1 rw\n"),
        )
        .unwrap();
        assert_eq!(own_container_id(dir.path()).as_deref(), Some(ID));
        assert_eq!(own_container_id(&dir.path().join("missing")), None);
    }
}
