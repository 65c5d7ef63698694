//! /proc/PID/mountinfo, then the mount lookup for a data root.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let mounts = dockbench::collect::mounts::parse_mountinfo(&String::from_utf8_lossy(data));
    let _ = dockbench::collect::mounts::find(&mounts, "/var/lib/docker");
});
