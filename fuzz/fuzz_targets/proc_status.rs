//! One process directory (stat, cmdline, status, cgroup split by NUL bytes) in a fake /proc.
#![no_main]
use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;

const ID: &str = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

fn proc_dir() -> &'static tempfile::TempDir {
    static DIR: OnceLock<tempfile::TempDir> = OnceLock::new();
    DIR.get_or_init(|| {
        let base = std::path::Path::new("/dev/shm");
        let dir = if base.is_dir() { tempfile::tempdir_in(base) } else { tempfile::tempdir() };
        let dir = dir.unwrap();
        std::fs::create_dir(dir.path().join("42")).unwrap();
        dir
    })
}

fuzz_target!(|data: &[u8]| {
    let mut parts = data.split(|b| *b == 0);
    let mut next = || parts.next().unwrap_or(b"");
    let (stat, cmdline, status, cgroup) = (next(), next(), next(), next());
    let root = proc_dir().path();
    let p = root.join("42");
    std::fs::write(p.join("stat"), stat).unwrap();
    std::fs::write(p.join("cmdline"), cmdline).unwrap();
    std::fs::write(p.join("status"), status).unwrap();
    let mut cg = format!("0::/docker/{ID}\n").into_bytes();
    cg.extend_from_slice(cgroup);
    std::fs::write(p.join("cgroup"), cg).unwrap();
    // One walk of the fake /proc, then the container view of PID 42 (its status, caps,
    // namespaces and cgroup as the kernel would tell them).
    if let Ok(table) = dockbench::collect::procs::ProcTable::scan(root, root) {
        let _ = table.container(42, ID, &["sh".to_string()], true);
        let _ = table.pids_named("dockerd");
    }
    let _ = dockbench::docker::id_from_cgroup(&String::from_utf8_lossy(cgroup));
});
