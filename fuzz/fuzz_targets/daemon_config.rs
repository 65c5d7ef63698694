//! dockerd flags (one per line) and daemon.json (after a NUL byte), merged as the collector does.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let (flags, file) = text.split_once('\0').unwrap_or((&text, "{}"));
    let args: Vec<String> = flags.lines().map(str::to_string).collect();
    let file = file.to_string();
    let config = dockbench::collect::daemon_config::resolve(&args, true, |_| Some(Ok(file.clone())));
    let _ = serde_json::to_string(&config);
});
