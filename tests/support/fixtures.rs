//! Fixture helpers for the section tests (`tests/sections_*.rs`): `host.json` (a clean host
//! with daemon configuration, Docker's files, audit rules, the docker group, one image and
//! one container, swarm inactive) with the one field under test changed, evaluated by the
//! library with any shipped benchmark. Included with `#[path]` by each section test crate.
#![allow(dead_code)]

use std::collections::BTreeMap;
use std::sync::Arc;

use cel::Env;
use dockbench::engine::eval::{EvalOptions, evaluate_with};
use dockbench::engine::{Benchmark, DEFAULT_BENCHMARK, cel_env, load_embedded};
use dockbench::report::CheckResult;
use dockbench::snapshot::Snapshot;
use serde_json::Value;

pub const HOST: &str = "tests/fixtures/snapshots/host.json";
/// The host name of host.json: the object of every host and daemon finding.
pub const HOSTNAME: &str = "vm";
/// The only container and the only image of host.json.
pub const CONTAINER: &str = "fx-clean";
pub const IMAGE: &str = "dockbench-fixture/busybox:1";
pub const DEFAULT: &str = DEFAULT_BENCHMARK;
pub const V17: &str = "cis-docker-1.7.0";
pub const V18: &str = "cis-docker-1.8.0";

pub fn host() -> Value {
    serde_json::from_str(&std::fs::read_to_string(HOST).unwrap()).unwrap()
}

thread_local! {
    // Compiled once per test thread and benchmark: compiling every check per case is slow.
    static BENCHES: (Arc<Env>, std::cell::RefCell<BTreeMap<String, Arc<Benchmark>>>) =
        (cel_env(), Default::default());
}

fn benchmark(id: &str) -> (Arc<Env>, Arc<Benchmark>) {
    BENCHES.with(|(env, cache)| {
        let bench = cache
            .borrow_mut()
            .entry(id.to_string())
            .or_insert_with(|| Arc::new(load_embedded(id, env).unwrap()))
            .clone();
        (env.clone(), bench)
    })
}

/// Check `id` of benchmark `bench` over `snap`, with `--trusted-users`.
pub fn eval_full(bench: &str, id: &str, snap: &Value, trusted: &[&str]) -> CheckResult {
    let snap = Snapshot::from_json(&snap.to_string()).unwrap();
    let (env, bench) = benchmark(bench);
    let check = bench
        .checks
        .iter()
        .find(|c| c.def.id == id)
        .unwrap_or_else(|| panic!("no check {id} in {}", bench.def.id));
    let options = EvalOptions {
        trusted_users: trusted.iter().map(|s| s.to_string()).collect(),
    };
    evaluate_with(&[check], &snap, &env, &options).remove(0)
}

/// Check `id` of the default benchmark over host.json changed by `edit`.
pub fn check(id: &str, edit: impl FnOnce(&mut Value)) -> CheckResult {
    check_in(DEFAULT_BENCHMARK, id, edit)
}

/// Check `id` of benchmark `bench` over host.json changed by `edit`.
pub fn check_in(bench: &str, id: &str, edit: impl FnOnce(&mut Value)) -> CheckResult {
    let mut snap = host();
    edit(&mut snap);
    eval_full(bench, id, &snap, &[])
}

/// Sets the value at a dotted path (`daemon.Info.Driver`, `images.0.History`); keys with
/// dots go through `file()` and `setting()` instead.
pub fn set(v: &mut Value, path: &str, value: Value) {
    let mut target = v;
    for key in path.split('.') {
        target = match key.parse::<usize>() {
            Ok(i) => &mut target[i],
            Err(_) => &mut target[key],
        };
    }
    *target = value;
}

/// `host.Files[role]`.
pub fn file<'a>(s: &'a mut Value, role: &str) -> &'a mut Value {
    &mut s["host"]["Files"][role]
}

/// Replaces the daemon setting `key` with `value` from `source` (`file`, `flag`, `default`).
pub fn setting(s: &mut Value, key: &str, value: Value, source: &str, origin: &str) {
    s["daemon"]["Config"]["Settings"][key] =
        serde_json::json!({ "Value": value, "Source": source, "Origin": origin });
}

/// The status is PASS, with no finding, and the reason is the pass evidence `reason`.
#[track_caller]
pub fn pass(r: CheckResult, reason: &str) {
    assert_eq!(
        r.status.as_str(),
        "PASS",
        "{}: {} {:?}",
        r.id,
        r.reason,
        r.findings
    );
    assert!(r.findings.is_empty(), "{}: {:?}", r.id, r.findings);
    assert!(r.exceptions.is_empty(), "{}: {:?}", r.id, r.exceptions);
    assert_eq!(r.reason, reason, "{}", r.id);
}

/// The status is `status` with one finding on `object`, showing exactly `value`.
#[track_caller]
pub fn flagged_on(r: CheckResult, status: &str, object: &str, value: &str) {
    assert_eq!(r.status.as_str(), status, "{}: {}", r.id, r.reason);
    assert_eq!(r.findings.len(), 1, "{}: {:?}", r.id, r.findings);
    assert_eq!(r.findings[0].object, object, "{}", r.id);
    assert_eq!(r.findings[0].value, value, "{}", r.id);
}

/// WARN on the host (or daemon) with evidence `value`, which is also the reason.
#[track_caller]
pub fn warn(r: CheckResult, value: &str) {
    assert_eq!(r.reason, value, "{}", r.id);
    flagged_on(r, "WARN", HOSTNAME, value);
}

/// INFO on the host (or daemon) with evidence `value`.
#[track_caller]
pub fn info(r: CheckResult, value: &str) {
    assert_eq!(r.reason, value, "{}", r.id);
    flagged_on(r, "INFO", HOSTNAME, value);
}

/// SKIP with exactly `reason`.
#[track_caller]
pub fn skip(r: CheckResult, reason: &str) {
    assert_eq!(r.status.as_str(), "SKIP", "{}: {}", r.id, r.reason);
    assert_eq!(r.reason, reason, "{}", r.id);
    assert!(r.findings.is_empty(), "{}: {:?}", r.id, r.findings);
}

/// ERROR with exactly `reason`, also shown as the exception of the host or daemon.
#[track_caller]
pub fn error(r: CheckResult, reason: &str) {
    assert_eq!(r.status.as_str(), "ERROR", "{}: {}", r.id, r.reason);
    assert_eq!(r.reason, reason, "{}", r.id);
    assert!(r.findings.is_empty(), "{}: {:?}", r.id, r.findings);
    assert_eq!(r.exceptions.len(), 1, "{}: {:?}", r.id, r.exceptions);
    assert_eq!(r.exceptions[0].value, reason, "{}", r.id);
}

/// A manual check: NOTE, the review text says what to look at (`review` is part of it) and,
/// when given, the context shown to the reviewer.
#[track_caller]
pub fn note(r: CheckResult, review: &str, evidence: Option<&str>) {
    assert_eq!(r.status.as_str(), "NOTE", "{}: {}", r.id, r.reason);
    assert!(r.reason.contains(review), "{}: {}", r.id, r.reason);
    match evidence {
        Some(value) => {
            assert_eq!(r.findings.len(), 1, "{}: {:?}", r.id, r.findings);
            assert_eq!(r.findings[0].value, value, "{}", r.id);
        }
        None => assert!(r.findings.is_empty(), "{}: {:?}", r.id, r.findings),
    }
}
