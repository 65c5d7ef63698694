//! The check cases of every shipped benchmark (`checks/<benchmark>/cases/*.toml`): each case
//! is a fixture snapshot (`tests/fixtures/snapshots/<base>.json`) changed by a small patch and
//! the verdict one check must give on it. Each benchmark is compiled once; every case runs;
//! every failure is listed with its file and line. Then coverage, computed from the case
//! files: every check has a PASS case (NOTE for manual checks) and a finding case, plus a
//! SKIP case when it can be not applicable and an ERROR case when its facts can be missing.
//! The format is described in docs/writing-a-check.md.
use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use dockbench::engine::check::{CheckDef, Evaluation, FindingStatus};
use dockbench::engine::eval::{EvalOptions, evaluate_with};
use dockbench::engine::load::embedded_ids;
use dockbench::engine::schema::Ty;
use dockbench::engine::{Benchmark, cel_env, load_embedded};
use dockbench::report::CheckResult;
use dockbench::snapshot::Snapshot;
use serde::Deserialize;
use serde_json::Value;

/// One `[[case]]` table.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Case {
    /// The check id, in the benchmark whose folder holds the case file.
    check: String,
    /// What the case shows, when the patch does not say it by itself.
    #[serde(default)]
    name: Option<String>,
    /// `tests/fixtures/snapshots/<base>.json`.
    #[serde(default = "default_base")]
    base: String,
    /// `--trusted-users` of the scan.
    #[serde(default)]
    trusted_users: Vec<String>,
    /// New array elements, applied first: `'containers[fx-victim]' = "fx-clean"` appends a
    /// copy of the element named fx-clean, named fx-victim.
    #[serde(default)]
    copy: BTreeMap<String, String>,
    /// Paths removed (applied after `set`).
    #[serde(default)]
    unset: Vec<String>,
    /// Path = value, applied parents first: replaces a value the base has (see
    /// [`check_path`]); a path the base does not have is an error, so a typo fails.
    #[serde(default)]
    set: toml::Table,
    /// Path = value for a key the base does not have yet (a label, a `host.Files` role, a
    /// daemon setting): its parent must exist and the key must not; applied after `set`.
    #[serde(default)]
    add: toml::Table,
    /// PASS, WARN, INFO, NOTE, SKIP or ERROR.
    status: String,
    /// A substring of the result's reason.
    #[serde(default)]
    reason: Option<String>,
    /// A finding (for SKIP/ERROR without findings: an exception) is on this object.
    #[serde(default)]
    object: Option<String>,
    /// A substring of that finding's value (of any finding's when `object` is not given).
    #[serde(default)]
    evidence: Option<String>,
    /// The exact number of findings.
    #[serde(default)]
    findings: Option<usize>,
}

fn default_base() -> String {
    "clean".into()
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct CaseFile {
    #[serde(default)]
    case: Vec<Case>,
}

/// A case with where it was written: `checks/<bench>/cases/<file>.toml:<line>`.
struct Located {
    at: String,
    case: Case,
    /// The case file and the line of its `[[case]]` header, to name the line of a bad path.
    file: String,
    text: std::sync::Arc<String>,
    line: usize,
}

impl Located {
    /// `FILE:LINE` of the first line at or after the case's header that mentions `path`
    /// (the case's header when none does).
    fn line_of(&self, path: &str) -> String {
        let n = self
            .text
            .lines()
            .enumerate()
            .skip(self.line.saturating_sub(1))
            .find(|(_, l)| l.contains(path))
            .map_or(self.line, |(i, _)| i + 1);
        format!("{}:{n}", self.file)
    }
}

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Every case file of benchmark `bench`, parsed; unreadable files are problems.
fn read_cases(bench: &str, problems: &mut Vec<String>) -> Vec<Located> {
    let dir = root().join("checks").join(bench).join("cases");
    let Ok(entries) = std::fs::read_dir(&dir) else {
        return Vec::new();
    };
    let mut paths: Vec<PathBuf> = entries
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "toml"))
        .collect();
    paths.sort();
    let mut out = Vec::new();
    for path in paths {
        let rel = path.strip_prefix(root()).unwrap().display().to_string();
        let text = std::sync::Arc::new(std::fs::read_to_string(&path).unwrap());
        let file: CaseFile = match toml::from_str(&text) {
            Ok(f) => f,
            Err(e) => {
                problems.push(format!("{rel}: {}", e.to_string().trim_end()));
                continue;
            }
        };
        // The line of each `[[case]]` header, in order: cases are named by where they start.
        let lines: Vec<usize> = text
            .lines()
            .enumerate()
            .filter(|(_, l)| l.trim() == "[[case]]")
            .map(|(i, _)| i + 1)
            .collect();
        for (i, case) in file.case.into_iter().enumerate() {
            let line = lines.get(i).copied().unwrap_or(0);
            out.push(Located {
                at: format!("{rel}:{line}"),
                case,
                file: rel.clone(),
                text: text.clone(),
                line,
            });
        }
    }
    out
}

/// One step of a patch path: an object key, an array index, or an array element chosen by
/// name (a container's `Name` without its `/`, an image's tag or ID, a process's `Comm`).
#[derive(Debug, Clone, PartialEq)]
enum Step {
    Key(String),
    Index(usize),
    Named(String),
}

/// Parses `containers[fx-clean].HostConfig.CapAdd`, `host.Files."docker.sock".Audited`,
/// `Processes[0].NoNewPrivs`.
fn parse_path(path: &str) -> Result<Vec<Step>, String> {
    let mut steps = Vec::new();
    let mut chars = path.chars().peekable();
    let mut expect_key = true;
    while let Some(&c) = chars.peek() {
        match c {
            '"' if expect_key => {
                chars.next();
                let mut key = String::new();
                loop {
                    match chars.next() {
                        Some('\\') => key.extend(chars.next()),
                        Some('"') => break,
                        Some(c) => key.push(c),
                        None => return Err(format!("{path}: unterminated quote")),
                    }
                }
                steps.push(Step::Key(key));
                expect_key = false;
            }
            '[' => {
                chars.next();
                let sel: String = chars.by_ref().take_while(|&c| c != ']').collect();
                steps.push(match sel.parse::<usize>() {
                    Ok(i) => Step::Index(i),
                    Err(_) => Step::Named(sel),
                });
                expect_key = false;
            }
            '.' if !expect_key => {
                chars.next();
                expect_key = true;
            }
            _ if expect_key => {
                let mut key = String::new();
                while let Some(&c) = chars.peek() {
                    if c == '.' || c == '[' {
                        break;
                    }
                    key.push(c);
                    chars.next();
                }
                if key.is_empty() {
                    return Err(format!("{path}: empty key"));
                }
                steps.push(Step::Key(key));
                expect_key = false;
            }
            _ => return Err(format!("{path}: expected '.' or '[' after a key")),
        }
    }
    if steps.is_empty() || expect_key {
        return Err(format!("'{path}': incomplete path"));
    }
    Ok(steps)
}

/// The keys whose value names an array element, in the order a copy renames them.
const NAME_KEYS: [&str; 4] = ["Name", "Comm", "Path", "Id"];

fn element_name(v: &Value) -> Vec<&str> {
    let mut names = Vec::new();
    for key in NAME_KEYS {
        if let Some(s) = v.get(key).and_then(Value::as_str) {
            names.push(s.trim_start_matches('/'));
        }
    }
    if let Some(tags) = v.get("RepoTags").and_then(Value::as_array) {
        names.extend(tags.iter().filter_map(Value::as_str));
    }
    names
}

/// Resolves named steps against `doc` (the unpatched base), so that a patch renaming a
/// container does not lose its other changes.
fn resolve(doc: &Value, steps: &[Step], path: &str) -> Result<Vec<Step>, String> {
    let mut at = Some(doc);
    let mut out = Vec::new();
    for step in steps {
        let step = match step {
            Step::Named(name) => {
                let items = at.and_then(Value::as_array).ok_or_else(|| {
                    format!("{path}: [{name}] selects in something that is not an array")
                })?;
                let i = items
                    .iter()
                    .position(|v| element_name(v).contains(&name.as_str()))
                    .ok_or_else(|| format!("{path}: no element named '{name}'"))?;
                Step::Index(i)
            }
            other => other.clone(),
        };
        at = match (&step, at) {
            (Step::Key(k), Some(v)) => v.get(k),
            (Step::Index(i), Some(v)) => v.get(i),
            _ => None,
        };
        out.push(step);
    }
    Ok(out)
}

/// The value at `steps`, created as objects along the way.
fn slot<'a>(doc: &'a mut Value, steps: &[Step], path: &str) -> Result<&'a mut Value, String> {
    let mut at = doc;
    for step in steps {
        at = match step {
            Step::Key(k) => {
                if at.is_null() {
                    *at = Value::Object(Default::default());
                }
                at.as_object_mut()
                    .ok_or_else(|| format!("{path}: '{k}' of something that is not an object"))?
                    .entry(k.clone())
                    .or_insert(Value::Null)
            }
            Step::Index(i) => at
                .as_array_mut()
                .and_then(|a| a.get_mut(*i))
                .ok_or_else(|| format!("{path}: no element {i}"))?,
            Step::Named(_) => unreachable!("resolved"),
        };
    }
    Ok(at)
}

/// The type of a snapshot's JSON (from its JSON Schema), to tell a field the base file
/// leaves out (a fixture older than the field) from a typo.
fn snapshot_type() -> Ty {
    Ty::from_schema(&serde_json::to_value(schemars::schema_for!(Snapshot)).unwrap())
}

/// Whether `steps` may be patched in `doc` (the document as patched so far). `set` replaces:
/// every key on the path must be in the document, or be a field of the snapshot type at
/// that place (a fixture written before the field existed, or an object still `null`); a
/// key of a map (labels, `host.Files`, settings) or of a free-form value that the document
/// does not have is an error, as is a field the type does not have. `add` (`adding`)
/// creates: the same for every key but the last, which must not exist yet (else `set` it)
/// and, in a typed object, must be one of its fields.
fn check_path(
    doc: &Value,
    steps: &[Step],
    ty: &Ty,
    path: &str,
    adding: bool,
) -> Result<Ty, String> {
    let verb = if adding { "add" } else { "set" };
    let mut at = Some(doc);
    let mut ty = ty.clone();
    let mut walked = String::new();
    for (i, step) in steps.iter().enumerate() {
        let last = i + 1 == steps.len();
        match step {
            Step::Key(k) => {
                let present = at.and_then(|v| v.get(k));
                let field = match &ty {
                    Ty::Object(fields) => Some(fields.get(k).cloned().ok_or_else(|| {
                        let known: Vec<&str> = fields.keys().map(String::as_str).collect();
                        format!(
                            "{verb} {path}: '{k}' is not a field of {} (fields: {})",
                            if walked.is_empty() {
                                "the snapshot"
                            } else {
                                &walked
                            },
                            known.join(", ")
                        )
                    })),
                    _ => None,
                };
                if adding && last {
                    if present.is_some() {
                        return Err(format!(
                            "add {path}: already in the base: replace it with `set`"
                        ));
                    }
                    return match field {
                        Some(Err(e)) => Err(e),
                        Some(Ok(t)) => Ok(t),
                        None => Ok(match &ty {
                            Ty::Map(v) => (**v).clone(),
                            _ => Ty::Any,
                        }),
                    };
                }
                ty = match (present, field) {
                    // In the document: replaced, whatever the type says (flattened status
                    // fields and free-form JSON are not always typed).
                    (Some(_), Some(Ok(t))) => t,
                    (Some(_), Some(Err(_))) => Ty::Any,
                    (Some(_), None) => match &ty {
                        Ty::Map(v) => (**v).clone(),
                        _ => Ty::Any,
                    },
                    (None, Some(Ok(t))) => t,
                    (None, Some(Err(e))) => return Err(e),
                    (None, None) => {
                        return Err(format!(
                            "{verb} {path}: the base has no '{k}' in {}: a typo, or a new key \
                             that must be given in `add` (docs/writing-a-check.md)",
                            if walked.is_empty() {
                                "the snapshot"
                            } else {
                                &walked
                            }
                        ));
                    }
                };
                at = present;
                walked.push_str(&if walked.is_empty() {
                    k.clone()
                } else {
                    format!(".{k}")
                });
            }
            Step::Index(n) => {
                at = at.and_then(|v| v.get(n));
                if at.is_none() {
                    return Err(format!("{verb} {path}: no element {n} in {walked}"));
                }
                ty = match &ty {
                    Ty::List(e) => (**e).clone(),
                    _ => Ty::Any,
                };
                walked.push_str(&format!("[{n}]"));
            }
            Step::Named(_) => unreachable!("resolved"),
        }
    }
    Ok(ty)
}

/// The keys of an object `value` (an inline table: `{ Name = "always" }`) are fields of
/// the type it is set as, at every depth: a misspelt key inside a value is the same typo.
fn check_value(value: &Value, ty: &Ty, path: &str, at: &str) -> Result<(), String> {
    match (value, ty) {
        (Value::Object(m), Ty::Object(fields)) => {
            for (k, v) in m {
                let Some(t) = fields.get(k) else {
                    let known: Vec<&str> = fields.keys().map(String::as_str).collect();
                    return Err(format!(
                        "{path}: '{k}' in the value of {at} is not a field (fields: {})",
                        known.join(", ")
                    ));
                };
                check_value(v, t, path, &format!("{at}.{k}"))?;
            }
            Ok(())
        }
        (Value::Object(m), Ty::Map(t)) => {
            for (k, v) in m {
                check_value(v, t, path, &format!("{at}.{k}"))?;
            }
            Ok(())
        }
        (Value::Array(items), Ty::List(t)) => {
            for (i, v) in items.iter().enumerate() {
                check_value(v, t, path, &format!("{at}[{i}]"))?;
            }
            Ok(())
        }
        _ => Ok(()),
    }
}

/// The base with the case's `copy`, then `set` (parents first, so `a = {…}` and `a.b = 1`
/// compose), then `add`, then `unset` applied. Names in paths are looked up before any
/// `set` or `unset`, so a patch that renames a container or removes an element keeps
/// addressing the same ones. An error says which path and why.
fn patched(base: &Value, case: &Case, ty: &Ty) -> Result<Value, (String, String)> {
    let whole = |e: String| (String::new(), e);
    let mut doc = base.clone();
    for (path, source) in &case.copy {
        let at = |e: String| (path.clone(), e);
        let steps = parse_path(path).map_err(at)?;
        let (Step::Named(name), parent) = steps.split_last().unwrap() else {
            return Err(at(format!("copy {path}: must end in [new name]")));
        };
        let parent = resolve(&doc.clone(), parent, path).map_err(at)?;
        let items = slot(&mut doc, &parent, path)
            .map_err(at)?
            .as_array_mut()
            .ok_or_else(|| at(format!("copy {path}: not an array")))?;
        let mut copy = items
            .iter()
            .find(|v| element_name(v).contains(&source.as_str()))
            .cloned()
            .ok_or_else(|| at(format!("copy {path}: no element named '{source}'")))?;
        rename(&mut copy, source, name);
        items.push(copy);
    }
    let names = doc.clone();
    for (table, adding) in [(&case.set, false), (&case.add, true)] {
        let mut patches = Vec::new();
        for (path, value) in table {
            let at = |e: String| (path.clone(), e);
            let steps = resolve(&names, &parse_path(path).map_err(at)?, path).map_err(at)?;
            let value = serde_json::to_value(value).map_err(|e| at(format!("{path}: {e}")))?;
            patches.push((steps, path, value));
        }
        patches.sort_by_key(|(steps, _, _)| steps.len());
        for (steps, path, value) in patches {
            let at = check_path(&doc, &steps, ty, path, adding).map_err(|e| (path.clone(), e))?;
            check_value(&value, &at, path, path).map_err(|e| (path.clone(), e))?;
            *slot(&mut doc, &steps, path).map_err(|e| (path.clone(), e))? = value;
        }
    }
    let mut unsets = Vec::new();
    for path in &case.unset {
        let at = |e: String| (path.clone(), e);
        unsets.push((
            resolve(&names, &parse_path(path).map_err(at)?, path).map_err(at)?,
            path,
        ));
    }
    // Later array elements first, so earlier indices stay valid.
    unsets.sort_by_key(|u| std::cmp::Reverse(index_key(&u.0)));
    for (steps, path) in unsets {
        let (last, parent) = steps.split_last().unwrap();
        let parent = slot(&mut doc, parent, path).map_err(whole)?;
        let removed = match (last, parent) {
            (Step::Key(k), Value::Object(m)) => m.remove(k).is_some(),
            (Step::Index(i), Value::Array(a)) if *i < a.len() => {
                a.remove(*i);
                true
            }
            _ => false,
        };
        if !removed {
            return Err((path.clone(), format!("unset {path}: not in the base")));
        }
    }
    Ok(doc)
}

/// Gives a copied element its new name, in the field that named its source.
fn rename(v: &mut Value, source: &str, name: &str) {
    for key in NAME_KEYS {
        if let Some(old) = v.get(key).and_then(Value::as_str)
            && old.trim_start_matches('/') == source
        {
            let slash = if old.starts_with('/') { "/" } else { "" };
            v[key] = Value::String(format!("{slash}{name}"));
            return;
        }
    }
    if v.get("RepoTags").is_some() {
        v["RepoTags"] = serde_json::json!([name]);
    }
}

fn index_key(steps: &[Step]) -> Vec<usize> {
    steps
        .iter()
        .map(|s| match s {
            Step::Index(i) => *i,
            _ => 0,
        })
        .collect()
}

/// Why the result does not match the case, or None.
fn mismatch(case: &Case, r: &CheckResult) -> Option<String> {
    let mut why = Vec::new();
    if r.status.as_str() != case.status {
        why.push(format!(
            "status {} (expected {})",
            r.status.as_str(),
            case.status
        ));
    }
    if r.status.as_str() == "PASS" && !r.findings.is_empty() {
        why.push("a PASS with findings".to_string());
    }
    if let Some(reason) = &case.reason
        && !r.reason.contains(reason.as_str())
    {
        why.push(format!("reason does not contain {reason:?}"));
    }
    if let Some(n) = case.findings
        && r.findings.len() != n
    {
        why.push(format!("{} findings (expected {n})", r.findings.len()));
    }
    if case.object.is_some() || case.evidence.is_some() {
        let entries = if r.findings.is_empty() {
            &r.exceptions
        } else {
            &r.findings
        };
        let hit = entries.iter().any(|f| {
            case.object.as_ref().is_none_or(|o| &f.object == o)
                && case
                    .evidence
                    .as_ref()
                    .is_none_or(|e| f.value.contains(e.as_str()))
        });
        if !hit {
            why.push(format!(
                "no finding on {} with evidence containing {:?}",
                case.object.as_deref().unwrap_or("any object"),
                case.evidence.as_deref().unwrap_or("")
            ));
        }
    }
    if why.is_empty() {
        return None;
    }
    let entries: Vec<String> = r
        .findings
        .iter()
        .chain(&r.exceptions)
        .map(|f| format!("{}: {}", f.object, f.value))
        .collect();
    Some(format!(
        "{}\n      got {} \"{}\" [{}]",
        why.join("; "),
        r.status.as_str(),
        r.reason,
        entries.join(" | ")
    ))
}

/// What in a check decides its verdict: checks of two benchmarks with the same logic share
/// their cases (a newer CIS version inherits most checks unchanged, some renumbered).
fn logic(def: &CheckDef) -> String {
    format!(
        "{:?}",
        (
            def.scope,
            def.evaluation,
            def.finding_status,
            [
                &def.applies,
                &def.skip_reason,
                &def.unknown,
                &def.not_applicable,
                &def.finding,
                &def.evidence,
                &def.pass_evidence,
                &def.info_when,
            ],
        )
    )
}

/// The statuses a check must have cases for.
fn required(def: &CheckDef) -> Vec<&'static str> {
    let mut need = match def.evaluation {
        // A manual check gives NOTE, or SKIP where it cannot apply or its facts cannot be had
        // offline (engine/eval.rs): never PASS, a finding or ERROR.
        Evaluation::Manual => {
            let mut need = vec!["NOTE"];
            if def.applies.is_some() || def.unknown.is_some() {
                need.push("SKIP");
            }
            return need;
        }
        Evaluation::Automated => {
            let finding = match (def.finding_status, def.info_when.is_some()) {
                (FindingStatus::Info, _) => "INFO",
                (FindingStatus::Warn, false) => "WARN",
                // WARN or INFO: either shows the finding path.
                (FindingStatus::Warn, true) => "WARN|INFO",
            };
            vec!["PASS", finding]
        }
    };
    if def.applies.is_some() || def.not_applicable.is_some() {
        need.push("SKIP");
    }
    if def.unknown.is_some() {
        need.push("ERROR");
    }
    need
}

#[test]
fn every_case_of_every_benchmark() {
    let env = cel_env();
    let mut problems = Vec::new();
    let benches: BTreeMap<String, Benchmark> = embedded_ids()
        .into_iter()
        .map(|id| {
            let b = load_embedded(&id, &env).unwrap();
            (id, b)
        })
        .collect();
    let mut bases: BTreeMap<String, Value> = BTreeMap::new();
    // Statuses seen per check logic, and per benchmark and id.
    let mut seen: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let mut ran = 0;
    let ty = snapshot_type();
    for (id, bench) in &benches {
        for located in read_cases(id, &mut problems) {
            let (at, case) = (&located.at, &located.case);
            let label = format!(
                "{at} ({id} {}{})",
                case.check,
                case.name
                    .as_deref()
                    .map(|n| format!(": {n}"))
                    .unwrap_or_default()
            );
            let Some(check) = bench.checks.iter().find(|c| c.def.id == case.check) else {
                problems.push(format!("{label}: no check {} in {id}", case.check));
                continue;
            };
            let base = bases.entry(case.base.clone()).or_insert_with(|| {
                let path = root().join(format!("tests/fixtures/snapshots/{}.json", case.base));
                std::fs::read_to_string(&path)
                    .ok()
                    .and_then(|t| serde_json::from_str(&t).ok())
                    .unwrap_or(Value::Null)
            });
            if base.is_null() {
                problems.push(format!("{label}: no base fixture '{}'", case.base));
                continue;
            }
            let doc = match patched(base, case, &ty) {
                Ok(d) => d,
                Err((path, e)) => {
                    // Named at the line of the bad path, not only the case's header.
                    let line = if path.is_empty() {
                        at.clone()
                    } else {
                        located.line_of(&path)
                    };
                    problems.push(format!("{line}: {label}: {e}"));
                    continue;
                }
            };
            let snap = match Snapshot::from_json(&doc.to_string()) {
                Ok(s) => s,
                Err(e) => {
                    problems.push(format!("{label}: {e}"));
                    continue;
                }
            };
            let options = EvalOptions {
                trusted_users: case.trusted_users.clone(),
            };
            let r = evaluate_with(&[check], &snap, &env, &options).remove(0);
            ran += 1;
            if let Some(why) = mismatch(case, &r) {
                problems.push(format!("{label}: {why}"));
            }
            seen.entry(logic(&check.def))
                .or_default()
                .insert(case.status.clone());
        }
    }

    // Gaps per check logic: a check inherited unchanged is listed once, with every
    // benchmark and id it has.
    let mut gaps: BTreeMap<String, (Vec<String>, String)> = BTreeMap::new();
    for (id, bench) in &benches {
        for check in &bench.checks {
            let key = logic(&check.def);
            let have = seen.get(&key).cloned().unwrap_or_default();
            let missing: Vec<&str> = required(&check.def)
                .into_iter()
                .filter(|need| !need.split('|').any(|s| have.contains(s)))
                .collect();
            if !missing.is_empty() {
                let gap = gaps.entry(key).or_insert_with(|| {
                    let has = have.iter().cloned().collect::<Vec<_>>().join(", ");
                    (
                        Vec::new(),
                        format!("no {} case (has: {has})", missing.join(", ")),
                    )
                });
                gap.0.push(format!("{id} {}", check.def.id));
            }
        }
    }
    let n_gaps = gaps.len();
    let mut gaps_text = String::new();
    for (checks, what) in gaps.values() {
        let _ = writeln!(gaps_text, "  {}: {what}", checks.join(", "));
    }
    let gaps = gaps_text;
    eprintln!("{ran} cases run");
    let mut msg = String::new();
    if !problems.is_empty() {
        let _ = writeln!(msg, "{} failing cases:", problems.len());
        for p in &problems {
            let _ = writeln!(msg, "  {p}");
        }
    }
    if n_gaps > 0 {
        let _ = writeln!(
            msg,
            "coverage: {n_gaps} checks lack cases (add them to checks/<benchmark>/cases/, see docs/writing-a-check.md):\n{gaps}"
        );
    }
    assert!(msg.is_empty(), "\n{msg}");
    assert!(
        ran > 0,
        "no cases found under {}",
        Path::new("checks").display()
    );
}

#[test]
fn paths_parse_keys_indices_names_and_quoted_keys() {
    use Step::*;
    assert_eq!(
        parse_path(r#"containers[fx-clean].HostConfig.CapAdd"#).unwrap(),
        vec![
            Key("containers".into()),
            Named("fx-clean".into()),
            Key("HostConfig".into()),
            Key("CapAdd".into())
        ]
    );
    assert_eq!(
        parse_path(r#"host.Files."docker.sock".Audited"#).unwrap(),
        vec![
            Key("host".into()),
            Key("Files".into()),
            Key("docker.sock".into()),
            Key("Audited".into())
        ]
    );
    assert_eq!(
        parse_path("Processes[0][1]").unwrap(),
        vec![Key("Processes".into()), Index(0), Index(1)]
    );
    for bad in ["", "a.", "a..b", r#"a."b"#, "a[0]b"] {
        assert!(parse_path(bad).is_err(), "{bad}");
    }
}

#[test]
fn patches_resolve_names_in_the_base_and_apply_parents_first() {
    let ty = snapshot_type();
    let base = serde_json::json!({ "containers": [
        { "Name": "/a", "HostConfig": { "Memory": 1 }, "Config": { "Labels": { "l": "1" } } },
        { "Name": "/b" }
    ] });
    let case: Case = toml::from_str(
        r#"
check = "x"
status = "PASS"
unset = ["containers[b]"]
[set]
'containers[a].Name' = "/renamed"
'containers[a].HostConfig.Memory' = 2
'containers[a].HostConfig.RestartPolicy' = { Name = "no" }
'containers[a].HostConfig.RestartPolicy.MaximumRetryCount' = 3
[add]
'containers[a].Config.Labels.new' = "2"
"#,
    )
    .unwrap();
    let doc = patched(&base, &case, &ty).unwrap();
    assert_eq!(
        doc,
        serde_json::json!({ "containers": [{
            "Name": "/renamed",
            "HostConfig": { "Memory": 2, "RestartPolicy": { "Name": "no", "MaximumRetryCount": 3 } },
            "Config": { "Labels": { "l": "1", "new": "2" } }
        }] })
    );
    let copy: Case = toml::from_str(
        "check='x'\nstatus='PASS'\ncopy={'containers[c]'='a'}\nset={'containers[c].HostConfig.Memory'=3}",
    )
    .unwrap();
    let doc = patched(&base, &copy, &ty).unwrap();
    assert_eq!(doc["containers"][2]["Name"], "/c");
    assert_eq!(doc["containers"][2]["HostConfig"]["Memory"], 3);
    let bad: Case = toml::from_str("check='x'\nstatus='PASS'\nunset=['containers[zz]']").unwrap();
    assert!(
        patched(&base, &bad, &ty)
            .unwrap_err()
            .1
            .contains("no element named 'zz'")
    );
}

/// A `set` whose last key is a typo used to add a field nobody reads, and the case tested
/// the base instead of what it claimed: now every key must exist (or be a field of the
/// snapshot type), and new map keys are given in `add`.
#[test]
fn a_set_path_the_base_does_not_have_is_an_error() {
    let ty = snapshot_type();
    let base = serde_json::json!({ "containers": [
        { "Name": "/a", "HostConfig": { "Memory": 1 }, "Config": { "Labels": {} } }
    ] });
    let err = |patch: &str| {
        let case: Case = toml::from_str(&format!("check='x'\nstatus='PASS'\n{patch}")).unwrap();
        patched(&base, &case, &ty).unwrap_err().1
    };
    // The last key misspelt: not a field of HostConfig.
    let e = err("set={'containers[a].HostConfig.Memroy'=0}");
    assert!(
        e.contains("'Memroy' is not a field of containers[0].HostConfig"),
        "{e}"
    );
    // A middle key misspelt.
    let e = err("set={'containers[a].HostConfg.Memory'=0}");
    assert!(e.contains("'HostConfg' is not a field"), "{e}");
    // A map key the base does not have: `add`, not `set`.
    let e = err("set={'containers[a].Config.Labels.x'='1'}");
    assert!(e.contains("must be given in `add`"), "{e}");
    // `add` of something already there, and `add` of a typo in a typed object.
    let e = err("add={'containers[a].HostConfig.Memory'=0}");
    assert!(e.contains("already in the base"), "{e}");
    let e = err("add={'containers[a].HostConfig.Memroy'=0}");
    assert!(e.contains("'Memroy' is not a field"), "{e}");
    // A misspelt key inside a value.
    let e =
        err("set={'containers[a].HostConfig.RestartPolicy'={Name='always',MaximumRetryCont=1}}");
    assert!(e.contains("'MaximumRetryCont' in the value of"), "{e}");
    // A field the base file leaves out but the snapshot has (an older fixture): `set` is fine.
    let case: Case =
        toml::from_str("check='x'\nstatus='PASS'\nset={'containers[a].HostConfig.DeviceCgroupRules'=['a *:* rwm']}")
            .unwrap();
    patched(&base, &case, &ty).unwrap();
}
