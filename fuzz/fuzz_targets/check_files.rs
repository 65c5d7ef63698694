//! A custom benchmark folder: benchmark.toml and a check file (after a NUL byte), loaded and
//! validated as `--checks-dir` does.
#![no_main]
use std::sync::{Arc, OnceLock};

use libfuzzer_sys::fuzz_target;

fn env() -> &'static Arc<cel::Env> {
    static ENV: OnceLock<Arc<cel::Env>> = OnceLock::new();
    ENV.get_or_init(dockbench::engine::cel_env)
}

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let (bench, checks) = text.split_once('\0').unwrap_or(("id = \"fz\"\ntitle = \"f\"\nversion = \"1\"\n", &text));
    let dir = tempfile::tempdir_in("/dev/shm").or_else(|_| tempfile::tempdir()).unwrap();
    std::fs::write(dir.path().join("benchmark.toml"), bench).unwrap();
    std::fs::write(dir.path().join("checks.toml"), checks).unwrap();
    let _ = dockbench::engine::load_dir(dir.path(), env());
});
