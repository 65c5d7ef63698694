//! containerd's metadata database (bbolt), as the offline collector reads a clone's meta.db.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = dockbench::collect::bolt::containerd_images(data, "moby");
});
