//! auditd rule files (`-w`, `-a ... -F path=`) as the audit collector reads them.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = dockbench::collect::audit::parse_rules(&String::from_utf8_lossy(data));
});
