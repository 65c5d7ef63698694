//! A saved JSON report as `report` and `diff` read it, rendered in every format.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let Ok(report) = dockbench::report::json::parse(text) else { return };
    for format in dockbench::report::Format::ALL {
        let _ = dockbench::report::render(&report, format, true);
    }
});
