//! A docker.service unit and a drop-in (after a NUL byte): the ExecStart dockerd would run with.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let units: Vec<&str> = text.split('\0').collect();
    let _ = dockbench::collect::daemon_config::exec_start_args_of(&units, &["dockerd", "dockerd-rootless.sh"]);
    let _ = dockbench::collect::daemon_config::exec_start_args(&units);
});
