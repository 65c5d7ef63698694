//! A container's config.v2.json and hostconfig.json (after a NUL byte), mapped to inspect's shape.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let (config, host) = text.split_once('\0').unwrap_or((&text, "{}"));
    let (Ok(config), Ok(host)) = (serde_json::from_str(config), serde_json::from_str(host)) else {
        return;
    };
    let _ = dockbench::collect::offline::containers::to_container(config, host, "/var/lib/docker");
});
