//! Evaluation: pure, in memory. Each object is converted to a CEL value once and bound in
//! a child scope; every check of its scope then runs against it.
#![allow(non_snake_case)]

use std::collections::BTreeMap;
use std::sync::{Arc, OnceLock};

use cel::{Context, Env, Program, Value};
use schemars::schema_for;
use serde::Serialize;

use super::check::{Evaluation, FindingStatus, Scope};
use super::derive::{Derived, ImageDerived, derive, derive_image};
use super::load::Check;
use super::schema::Ty;
use crate::results::{CheckResult, Finding, Status};
use crate::snapshot::{Container, Daemon, Host, Image, Snapshot};

pub use crate::docker::{normalize_path, path_within};

/// A container as checks see it: Docker's fields plus `Derived`.
#[derive(Serialize)]
struct CelContainer<'a> {
    #[serde(flatten)]
    inner: &'a Container,
    Derived: Derived,
}

/// An image as checks see it: Docker's fields plus `Derived`.
#[derive(Serialize)]
struct CelImage<'a> {
    #[serde(flatten)]
    inner: &'a Image,
    Derived: ImageDerived,
}

/// Facts about the scan itself, as `scan` in expressions.
#[derive(Serialize, schemars::JsonSchema)]
struct ScanFacts {
    /// "live", "root" or "snapshot".
    Mode: String,
    /// Whether stopped and created containers are in scope.
    AllContainers: bool,
    /// Whether every image (not only those in use) is in scope.
    AllImages: bool,
    /// `--trusted-users`: who may be in the docker group (empty: not configured).
    TrustedUsers: Vec<String>,
}

/// Settings of a run that checks may consult (as `scan`).
#[derive(Debug, Clone, Default)]
pub struct EvalOptions {
    pub trusted_users: Vec<String>,
}

/// The variables expressions may use, with their shapes (for load-time validation).
pub fn variable_types() -> BTreeMap<String, Ty> {
    static TYPES: OnceLock<BTreeMap<String, Ty>> = OnceLock::new();
    TYPES
        .get_or_init(|| {
            let ty =
                |schema: schemars::Schema| Ty::from_schema(&serde_json::to_value(schema).unwrap());
            let mut container = ty(schema_for!(Container));
            if let Ty::Object(fields) = &mut container {
                Arc::make_mut(fields).insert("Derived".into(), ty(schema_for!(Derived)));
            }
            let mut image = ty(schema_for!(Image));
            if let Ty::Object(fields) = &mut image {
                Arc::make_mut(fields).insert("Derived".into(), ty(schema_for!(ImageDerived)));
            }
            BTreeMap::from([
                ("c".to_string(), container.clone()),
                ("containers".to_string(), Ty::List(Arc::new(container))),
                ("image".to_string(), image.clone()),
                ("images".to_string(), Ty::List(Arc::new(image))),
                ("host".to_string(), ty(schema_for!(Host))),
                ("daemon".to_string(), ty(schema_for!(Daemon))),
                ("scan".to_string(), ty(schema_for!(ScanFacts))),
            ])
        })
        .clone()
}

/// What one object gave for one check.
enum Outcome {
    Skip(String),
    Error(String),
    /// The evidence, and whether `info_when` made it informational.
    Finding(String, bool),
    Pass(String),
}

struct Object {
    kind: &'static str,
    name: String,
    id: String,
    value: Value,
    /// The object's facts could not be read: every check reports ERROR for it.
    error: String,
}

/// Evaluates `checks` over `snap` with default options.
pub fn evaluate(checks: &[&Check], snap: &Snapshot, env: &Arc<Env>) -> Vec<CheckResult> {
    evaluate_with(checks, snap, env, &EvalOptions::default())
}

/// Evaluates `checks` over `snap`. Results come back in the order of `checks`. Checks of
/// several benchmarks may be mixed: each is evaluated with its own benchmark's `params`.
pub fn evaluate_with(
    checks: &[&Check],
    snap: &Snapshot,
    env: &Arc<Env>,
    options: &EvalOptions,
) -> Vec<CheckResult> {
    let mut groups: Vec<(*const toml::Table, Vec<usize>)> = Vec::new();
    for (i, c) in checks.iter().enumerate() {
        let key = Arc::as_ptr(&c.params);
        match groups.iter_mut().find(|(k, _)| *k == key) {
            Some((_, members)) => members.push(i),
            None => groups.push((key, vec![i])),
        }
    }
    if groups.len() <= 1 {
        return evaluate_group(checks, snap, env, options);
    }
    let mut slots: Vec<Option<CheckResult>> = checks.iter().map(|_| None).collect();
    for (_, members) in groups {
        let group: Vec<&Check> = members.iter().map(|&i| checks[i]).collect();
        for (i, r) in members
            .into_iter()
            .zip(evaluate_group(&group, snap, env, options))
        {
            slots[i] = Some(r);
        }
    }
    slots
        .into_iter()
        .map(|r| r.expect("every check evaluated"))
        .collect()
}

/// Evaluates checks that share one benchmark's `params`.
fn evaluate_group(
    checks: &[&Check],
    snap: &Snapshot,
    env: &Arc<Env>,
    options: &EvalOptions,
) -> Vec<CheckResult> {
    let containers: Vec<Object> = snap
        .containers
        .iter()
        .map(|c| Object {
            kind: "container",
            name: c.Name.clone(),
            id: c.Id.clone(),
            value: to_cel(&CelContainer {
                inner: c,
                Derived: derive(c),
            }),
            error: c.Error.clone(),
        })
        .collect();
    // Image age is measured at collection time, so a saved snapshot evaluates the same later.
    let now = chrono::DateTime::parse_from_rfc3339(&snap.started_at)
        .ok()
        .map(|t| t.with_timezone(&chrono::Utc));
    let images: Vec<Object> = snap
        .images
        .iter()
        .map(|i| Object {
            kind: "image",
            name: image_name(i),
            id: i.Id.clone(),
            value: to_cel(&CelImage {
                inner: i,
                Derived: derive_image(i, now),
            }),
            error: String::new(),
        })
        .collect();

    let mut root = Context::with_env(env.clone());
    register_functions(&mut root);
    root.add_variable_from_value("host", to_cel(&snap.host));
    root.add_variable_from_value("daemon", to_cel(&snap.daemon));
    let params = checks
        .first()
        .map(|c| to_cel(c.params.as_ref()))
        .unwrap_or_else(|| to_cel(&toml::Table::new()));
    root.add_variable_from_value("params", params);
    root.add_variable_from_value(
        "scan",
        to_cel(&ScanFacts {
            Mode: snap.source.mode.to_string(),
            AllContainers: snap.all_containers,
            AllImages: snap.all_images,
            TrustedUsers: options.trusted_users.clone(),
        }),
    );
    root.add_variable_from_value(
        "containers",
        Value::List(Arc::new(
            containers.iter().map(|o| o.value.clone()).collect(),
        )),
    );
    root.add_variable_from_value(
        "images",
        Value::List(Arc::new(images.iter().map(|o| o.value.clone()).collect())),
    );

    // outcomes[check index] = (object, outcome) for every object the check looked at.
    let mut outcomes: Vec<Vec<(usize, Outcome)>> = checks.iter().map(|_| Vec::new()).collect();
    for (scope, var, objects) in [
        (Scope::Container, "c", &containers),
        (Scope::Image, "image", &images),
    ] {
        let scoped: Vec<usize> = (0..checks.len())
            .filter(|&i| {
                checks[i].def.scope == scope && checks[i].def.evaluation == Evaluation::Automated
            })
            .collect();
        if scoped.is_empty() {
            continue;
        }
        for (oi, obj) in objects.iter().enumerate() {
            let mut ctx = root.new_inner_scope();
            ctx.add_variable_from_value(var, obj.value.clone());
            for &ci in &scoped {
                let outcome = if obj.error.is_empty() {
                    evaluate_object(checks[ci], &ctx)
                } else {
                    Outcome::Error(obj.error.clone())
                };
                outcomes[ci].push((oi, outcome));
            }
        }
    }

    let hostname = snap.host.Hostname.clone();
    checks
        .iter()
        .zip(outcomes)
        .map(|(check, outcome)| {
            let mut result = blank_result(check);
            if check.def.evaluation == Evaluation::Manual {
                // Whether it applies may itself be unknowable offline (swarm checks on a clone).
                if let Some(p) = &check.unknown
                    && matches!(check.def.scope, Scope::Host | Scope::Daemon)
                    && let Ok(Value::String(why)) = run(p, &root, "unknown")
                    && crate::snapshot::not_in_this_mode(&why)
                {
                    result.status = Status::Skip;
                    result.reason = why.to_string();
                    return result;
                }
                // A manual check that cannot apply here (e.g. swarm checks without swarm) is SKIP.
                if let Some(p) = &check.applies
                    && matches!(check.def.scope, Scope::Host | Scope::Daemon)
                    && let Ok(Value::Bool(false)) = run(p, &root, "applies")
                {
                    result.status = Status::Skip;
                    result.reason = check.def.skip_reason.clone().unwrap_or_default();
                    return result;
                }
                result.status = Status::Note;
                result.reason = check.def.review.trim().to_string();
                // Context for the reviewer (e.g. the Docker version for 1.2.2).
                if let Some(p) = &check.evidence
                    && matches!(check.def.scope, Scope::Host | Scope::Daemon)
                    && let Ok(v) = run(p, &root, "evidence")
                {
                    let kind = if check.def.scope == Scope::Host {
                        "host"
                    } else {
                        "daemon"
                    };
                    result.findings.push(Finding {
                        kind: kind.into(),
                        object: hostname.clone(),
                        id: String::new(),
                        value: display(&v),
                    });
                }
                return result;
            }
            match check.def.scope {
                Scope::Container => aggregate(
                    check,
                    &mut result,
                    &containers,
                    outcome,
                    snap.all_containers,
                ),
                Scope::Image => {
                    aggregate(check, &mut result, &images, outcome, snap.all_containers)
                }
                Scope::Host | Scope::Daemon => {
                    let kind = if check.def.scope == Scope::Host {
                        "host"
                    } else {
                        "daemon"
                    };
                    let outcome = evaluate_object(check, &root);
                    single(check, &mut result, kind, &hostname, outcome);
                }
            }
            result
        })
        .collect()
}

fn blank_result(check: &Check) -> CheckResult {
    let d = &check.def;
    CheckResult {
        id: d.id.clone(),
        title: d.title.clone(),
        section: check.section.clone(),
        section_title: check.section_title.clone(),
        level: d.level,
        assessment: d.assessment,
        evaluation: d.evaluation,
        scored: d.scored,
        scope: d.scope,
        status: Status::Pass,
        reason: String::new(),
        findings: Vec::new(),
        exceptions: Vec::new(),
        evaluated: 0,
        waived: Vec::new(),
        description: d.description.trim().to_string(),
        remediation: d.remediation.trim().to_string(),
        impact: d.impact.trim().to_string(),
        references: d.references.clone(),
    }
}

fn finding_status(check: &Check) -> Status {
    match check.def.finding_status {
        FindingStatus::Warn => Status::Warn,
        FindingStatus::Info => Status::Info,
    }
}

fn single(check: &Check, r: &mut CheckResult, kind: &str, name: &str, outcome: Outcome) {
    r.evaluated = 1;
    let finding = |value: String| Finding {
        kind: kind.into(),
        object: name.into(),
        id: String::new(),
        value,
    };
    match outcome {
        Outcome::Skip(why) => {
            r.status = Status::Skip;
            r.reason = why;
        }
        Outcome::Error(why) => {
            r.status = Status::Error;
            r.reason = why.clone();
            r.exceptions.push(finding(why));
        }
        Outcome::Finding(value, info) => {
            r.status = if info {
                Status::Info
            } else {
                finding_status(check)
            };
            r.reason = if value.is_empty() {
                "finding".into()
            } else {
                value.clone()
            };
            r.findings.push(finding(value));
        }
        Outcome::Pass(value) => {
            r.status = Status::Pass;
            r.reason = if value.is_empty() {
                "compliant".into()
            } else {
                value
            };
        }
    }
}

fn aggregate(
    check: &Check,
    r: &mut CheckResult,
    objects: &[Object],
    outcomes: Vec<(usize, Outcome)>,
    all_containers: bool,
) {
    let noun = if check.def.scope == Scope::Image {
        "image"
    } else {
        "container"
    };
    if objects.is_empty() {
        r.status = Status::Skip;
        r.reason = if noun == "container" && !all_containers {
            "no running containers to check (--all also checks stopped and created ones)".into()
        } else {
            format!("no {noun}s to check")
        };
        return;
    }
    let (mut skipped, mut errors, mut passed, mut warned) = (0, 0, 0, 0);
    for (oi, outcome) in outcomes {
        let o = &objects[oi];
        let entry = |value: String| Finding {
            kind: o.kind.into(),
            object: o.name.clone(),
            id: o.id.clone(),
            value,
        };
        match outcome {
            Outcome::Finding(v, info) => {
                warned += usize::from(!info);
                r.findings.push(entry(v));
            }
            Outcome::Pass(_) => passed += 1,
            Outcome::Skip(why) => {
                skipped += 1;
                r.exceptions.push(entry(format!("SKIP: {why}")));
            }
            Outcome::Error(why) => {
                errors += 1;
                r.exceptions.push(entry(format!("ERROR: {why}")));
            }
        }
    }
    let total = objects.len();
    r.evaluated = total - skipped;
    let plural = |n: usize| {
        if n == 1 {
            noun.to_string()
        } else {
            format!("{noun}s")
        }
    };
    if !r.findings.is_empty() {
        // Informational findings only make the check INFO; one real finding makes it WARN.
        r.status = if warned > 0 {
            finding_status(check)
        } else {
            Status::Info
        };
        r.reason = format!("{} of {total} {} affected", r.findings.len(), plural(total));
        if errors > 0 {
            r.reason
                .push_str(&format!(", {errors} could not be evaluated"));
        }
    } else if errors > 0 {
        r.status = Status::Error;
        r.reason = format!(
            "{errors} of {total} {} could not be evaluated",
            plural(total)
        );
    } else if passed == 0 {
        r.status = Status::Skip;
        // An offline scan's reason says more than "does not apply"; one reason shared by
        // every object (a fact-dependent `not_applicable`) is the reason.
        let skip_reasons = || {
            r.exceptions
                .iter()
                .filter_map(|e| e.value.strip_prefix("SKIP: "))
        };
        let offline = skip_reasons().find(|why| crate::snapshot::not_in_this_mode(why));
        let shared = r
            .exceptions
            .first()
            .filter(|first| r.exceptions.iter().all(|e| e.value == first.value))
            .and_then(|e| e.value.strip_prefix("SKIP: "));
        r.reason = offline
            .or(shared)
            .map(str::to_string)
            .or_else(|| check.def.skip_reason.clone())
            .unwrap_or_else(|| format!("does not apply to any {noun}"));
        // One reason for all: say it once instead of once per object.
        let reason = format!("SKIP: {}", r.reason);
        if r.exceptions.iter().all(|e| e.value == reason) {
            r.exceptions.clear();
        }
    } else {
        r.status = Status::Pass;
        r.reason = format!("{passed} {} compliant", plural(passed));
        if skipped > 0 {
            r.reason.push_str(&format!(", {skipped} not applicable"));
        }
    }
}

fn evaluate_object(check: &Check, ctx: &Context) -> Outcome {
    let d = &check.def;
    // Missing facts first: a check must not SKIP on facts it could not read.
    if let Some(p) = &check.unknown {
        match run(p, ctx, "unknown") {
            Ok(Value::Null) => {}
            Ok(Value::String(s)) if s.is_empty() => {}
            // A fact a disk clone cannot have: not applicable to this kind of scan.
            Ok(Value::String(s)) if crate::snapshot::not_in_this_mode(&s) => {
                return Outcome::Skip(s.to_string());
            }
            Ok(v) => return Outcome::Error(display(&v)),
            Err(e) => return Outcome::Error(e),
        }
    }
    if let Some(p) = &check.not_applicable {
        match run(p, ctx, "not_applicable") {
            Ok(Value::Null) => {}
            Ok(Value::String(s)) if s.is_empty() => {}
            Ok(v) => return Outcome::Skip(display(&v)),
            Err(e) => return Outcome::Error(e),
        }
    }
    if let Some(p) = &check.applies {
        match run(p, ctx, "applies") {
            Ok(Value::Bool(true)) => {}
            Ok(Value::Bool(false)) => {
                return Outcome::Skip(d.skip_reason.clone().unwrap_or_default());
            }
            Ok(other) => {
                return Outcome::Error(format!(
                    "applies: expected a bool, got {}",
                    display(&other)
                ));
            }
            Err(e) => return Outcome::Error(e),
        }
    }
    let Some(finding) = &check.finding else {
        return Outcome::Error("no finding expression".into());
    };
    let detail = |p: &Option<Program>, what: &str| match p {
        Some(p) => run(p, ctx, what).map(|v| display(&v)),
        None => Ok(String::new()),
    };
    match run(finding, ctx, "finding") {
        Ok(Value::Bool(true)) => {
            let info = match &check.info_when {
                Some(p) => match run(p, ctx, "info_when") {
                    Ok(Value::Bool(b)) => b,
                    Ok(other) => {
                        return Outcome::Error(format!(
                            "info_when: expected a bool, got {}",
                            display(&other)
                        ));
                    }
                    Err(e) => return Outcome::Error(e),
                },
                None => false,
            };
            match detail(&check.evidence, "evidence") {
                Ok(v) => Outcome::Finding(v, info),
                Err(e) => Outcome::Error(e),
            }
        }
        Ok(Value::Bool(false)) => match detail(&check.pass_evidence, "pass_evidence") {
            Ok(v) => Outcome::Pass(v),
            Err(e) => Outcome::Error(e),
        },
        Ok(other) => Outcome::Error(format!("finding: expected a bool, got {}", display(&other))),
        Err(e) => Outcome::Error(e),
    }
}

fn run(p: &Program, ctx: &Context, what: &str) -> Result<Value, String> {
    p.execute(ctx).map_err(|e| format!("{what}: {e}"))
}

fn to_cel<T: Serialize>(value: &T) -> Value {
    cel::to_value(value).expect("snapshot types always convert to CEL values")
}

/// Evidence as text: strings as they are, lists joined with ", ", maps as k=v.
pub fn display(v: &Value) -> String {
    match v {
        Value::String(s) => s.to_string(),
        Value::Null => String::new(),
        Value::Bool(b) => b.to_string(),
        Value::Int(i) => i.to_string(),
        Value::UInt(u) => u.to_string(),
        Value::Float(f) => f.to_string(),
        Value::List(items) => items.iter().map(display).collect::<Vec<_>>().join(", "),
        Value::Map(m) => {
            let mut pairs: Vec<String> = m
                .map
                .iter()
                .map(|(k, v)| {
                    let key = match k {
                        cel::objects::Key::String(s) => s.to_string(),
                        cel::objects::Key::Int(i) => i.to_string(),
                        cel::objects::Key::Uint(u) => u.to_string(),
                        cel::objects::Key::Bool(b) => b.to_string(),
                    };
                    format!("{key}={}", display(v))
                })
                .collect();
            pairs.sort();
            pairs.join(", ")
        }
        other => format!("{other:?}"),
    }
}

fn image_name(i: &Image) -> String {
    crate::docker::image_display_name(&i.RepoTags, &i.Id)
}

/// CEL helper functions (documented in the README's "Writing checks").
fn register_functions(ctx: &mut Context) {
    // pathWithin(path, dir): `path` is `dir` or below it, compared on whole components
    // after lexical normalisation (`/etc/` = `/etc`, `/etcd` is not within `/etc`).
    ctx.add_function(
        "pathWithin",
        |path: Arc<String>, dir: Arc<String>| -> bool { path_within(&path, &dir) },
    )
    .expect("pathWithin is not a standard function");
    // show(x): any value as evidence text (lists joined with ", ", maps as k=v).
    ctx.add_function("show", |v: Value| -> String { display(&v) })
        .expect("show is not a standard function");
    // permsWithin(mode, "644"): no permission bit of `mode` lies outside the allowed octal
    // mask (0600 is within 644; 0460 is not, though 460 < 644 as numbers).
    ctx.add_function(
        "permsWithin",
        |mode: i64, allowed: Arc<String>| -> cel::ResolveResult {
            let mask = i64::from_str_radix(&allowed, 8).map_err(|_| {
                cel::ExecutionError::function_error(
                    "permsWithin",
                    format!("'{allowed}' is not an octal mode"),
                )
            })?;
            Ok(Value::Bool(mode & !mask & 0o7777 == 0))
        },
    )
    .expect("permsWithin is not a standard function");
}
