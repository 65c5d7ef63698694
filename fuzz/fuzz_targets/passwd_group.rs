//! /etc/passwd and /etc/group (after a NUL byte), then the lookups checks make.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let (passwd, group) = text.split_once('\0').unwrap_or((&text, &text));
    let users = dockbench::collect::users::Users::parse(Ok(passwd.into()), Ok(group.into()));
    let _ = users.user_name(0);
    let _ = users.group_name(0);
    let _ = users.group_facts("docker");
});
