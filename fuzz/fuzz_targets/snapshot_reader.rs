//! A snapshot file as `scan --snapshot` reads it.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = dockbench::snapshot::Snapshot::from_json(text);
    }
});
