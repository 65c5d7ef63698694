//! Evaluation: pure, in memory. Each object is converted to a CEL value once and bound in
//! a child scope; every check of its scope then runs against it.
#![allow(non_snake_case)]

use std::collections::BTreeMap;
use std::sync::{Arc, OnceLock};

use cel::{Context, Env, Program, Value};
use schemars::schema_for;
use serde::Serialize;

use super::check::{Evaluation, FindingStatus, Scope};
use super::derive::{DeriveContext, Derived, ImageDerived, derive, derive_image};
use super::host_derived::{ContainerRelations, HostDerived, ImageIndex, derive_host};
use super::load::Check;
use super::schema::Ty;
use crate::results::{CheckResult, Finding, Status};
use crate::snapshot::{Container, Daemon, Host, Image, ScanMode, Snapshot};

pub use crate::docker::{normalize_path, path_within};

/// A container as checks see it: Docker's fields plus `Derived`.
#[derive(Serialize)]
struct CelContainer<'a> {
    #[serde(flatten)]
    inner: &'a Container,
    Derived: CelDerived<'a>,
}

/// `c.Derived`: the container's own derived facts and those against the other objects.
#[derive(Serialize)]
struct CelDerived<'a> {
    #[serde(flatten)]
    own: &'a Derived,
    #[serde(flatten)]
    relations: ContainerRelations,
}

/// An image as checks see it: Docker's fields plus `Derived`.
#[derive(Serialize)]
struct CelImage<'a> {
    #[serde(flatten)]
    inner: &'a Image,
    Derived: &'a ImageDerived,
}

/// The host as checks see it: its facts plus `Derived` (facts over all objects).
#[derive(Serialize)]
struct CelHost<'a> {
    #[serde(flatten)]
    inner: &'a Host,
    Derived: HostDerived,
}

/// The daemon as checks see it: its facts plus `Effective` (each setting as it runs).
#[derive(Serialize)]
struct CelDaemon<'a> {
    #[serde(flatten)]
    inner: &'a Daemon,
    Effective: BTreeMap<String, super::effective::EffectiveSetting>,
}

/// Facts about the scan itself, as `scan` in expressions.
#[derive(Serialize, schemars::JsonSchema)]
pub struct ScanFacts {
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
            let mut derived = ty(schema_for!(Derived));
            if let (Ty::Object(fields), Ty::Object(more)) =
                (&mut derived, ty(schema_for!(ContainerRelations)))
            {
                Arc::make_mut(fields).extend(more.as_ref().clone());
            }
            let mut container = ty(schema_for!(Container));
            if let Ty::Object(fields) = &mut container {
                Arc::make_mut(fields).insert("Derived".into(), derived);
            }
            let mut host = ty(schema_for!(Host));
            if let Ty::Object(fields) = &mut host {
                Arc::make_mut(fields).insert("Derived".into(), ty(schema_for!(HostDerived)));
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
                ("host".to_string(), host),
                ("daemon".to_string(), {
                    let mut daemon = ty(schema_for!(Daemon));
                    if let Ty::Object(fields) = &mut daemon {
                        Arc::make_mut(fields).insert(
                            "Effective".into(),
                            Ty::Map(Arc::new(ty(schema_for!(
                                super::effective::EffectiveSetting
                            )))),
                        );
                    }
                    daemon
                }),
                ("scan".to_string(), ty(schema_for!(ScanFacts))),
            ])
        })
        .clone()
}

/// What one object gave for one check.
enum Outcome {
    /// Does not apply; with the scan mode when a fact it needs cannot exist in this scan.
    Skip(String, Option<ScanMode>),
    Error(String),
    /// The evidence, and whether `info_when` made it informational.
    Finding(String, bool),
    Pass(String),
}

/// What every object gave for one per-object check, folded as the objects are evaluated:
/// nothing per object is kept but its findings and exceptions.
#[derive(Default)]
struct Tally {
    skipped: usize,
    errors: usize,
    passed: usize,
    warned: usize,
    findings: Vec<Finding>,
    exceptions: Vec<Finding>,
}

impl Tally {
    fn add(&mut self, kind: &str, name: &str, id: &str, outcome: Outcome) {
        let entry = |value: String| Finding {
            kind: kind.into(),
            object: name.into(),
            id: id.into(),
            value,
            ..Finding::default()
        };
        match outcome {
            Outcome::Finding(v, info) => {
                self.warned += usize::from(!info);
                self.findings.push(entry(v));
            }
            Outcome::Pass(_) => self.passed += 1,
            Outcome::Skip(why, mode) => {
                self.skipped += 1;
                self.exceptions
                    .push(Finding::exception(kind, name, id, Status::Skip, why, mode));
            }
            Outcome::Error(why) => {
                self.errors += 1;
                self.exceptions
                    .push(Finding::exception(kind, name, id, Status::Error, why, None));
            }
        }
    }
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
    // Image age is measured at collection time, so a saved snapshot evaluates the same later.
    let now = chrono::DateTime::parse_from_rfc3339(&snap.started_at)
        .ok()
        .map(|t| t.with_timezone(&chrono::Utc));
    let derive_ctx = DeriveContext::new(snap);
    let derived: Vec<Derived> = snap
        .containers
        .iter()
        .map(|c| derive(c, &derive_ctx))
        .collect();
    let image_derived: Vec<ImageDerived> =
        snap.images.iter().map(|i| derive_image(i, now)).collect();
    let index = ImageIndex::new(&snap.images, &image_derived);
    let container_value = |i: usize| {
        to_cel(&CelContainer {
            inner: &snap.containers[i],
            Derived: CelDerived {
                own: &derived[i],
                relations: index.relations(&snap.containers[i]),
            },
        })
    };
    let image_value = |i: usize| {
        to_cel(&CelImage {
            inner: &snap.images[i],
            Derived: &image_derived[i],
        })
    };

    let mut root = Context::with_env(env.clone());
    register_functions(&mut root);
    root.add_variable_from_value(
        "host",
        to_cel(&CelHost {
            inner: &snap.host,
            Derived: HostDerived {
                Audit: super::host_derived::audit_paths(&snap.host),
                ..derive_host(&snap.containers, &derived)
            },
        }),
    );
    root.add_variable_from_value(
        "daemon",
        to_cel(&CelDaemon {
            inner: &snap.daemon,
            Effective: super::effective::effective_settings(&snap.daemon),
        }),
    );
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
    // The lists of all objects only when a selected check reads them (no shipped check does:
    // they read derived facts). Without them each object's value lives only while its checks
    // run, instead of every object's at once.
    let reads = |name: &str| {
        checks
            .iter()
            .any(|c| c.programs().any(|p| p.references().has_variable(name)))
    };
    let container_values: Option<Vec<Value>> =
        reads("containers").then(|| (0..snap.containers.len()).map(container_value).collect());
    let image_values: Option<Vec<Value>> =
        reads("images").then(|| (0..snap.images.len()).map(image_value).collect());
    for (name, values) in [("containers", &container_values), ("images", &image_values)] {
        if let Some(values) = values {
            root.add_variable_from_value(name, Value::List(Arc::new(values.clone())));
        }
    }

    // tallies[check index]: what the objects of its scope gave.
    let mut tallies: Vec<Tally> = checks.iter().map(|_| Tally::default()).collect();
    let image_names: Vec<String> = snap.images.iter().map(image_name).collect();
    type Objects<'a> = (
        Scope,
        &'static str,
        &'static str,
        usize,
        &'a Option<Vec<Value>>,
        &'a dyn Fn(usize) -> Value,
    );
    let scopes: [Objects; 2] = [
        (
            Scope::Container,
            "c",
            "container",
            snap.containers.len(),
            &container_values,
            &container_value,
        ),
        (
            Scope::Image,
            "image",
            "image",
            snap.images.len(),
            &image_values,
            &image_value,
        ),
    ];
    for (scope, var, kind, count, built, build) in scopes {
        let scoped: Vec<usize> = (0..checks.len())
            .filter(|&i| {
                checks[i].def.scope == scope && checks[i].def.evaluation == Evaluation::Automated
            })
            .collect();
        if scoped.is_empty() {
            continue;
        }
        for oi in 0..count {
            let (name, id, error) = match scope {
                Scope::Image => (
                    &image_names[oi],
                    &snap.images[oi].Id,
                    snap.images[oi].Error.as_str(),
                ),
                _ => {
                    let c = &snap.containers[oi];
                    (&c.Name, &c.Id, c.Error.as_str())
                }
            };
            if !error.is_empty() {
                for &ci in &scoped {
                    tallies[ci].add(kind, name, id, Outcome::Error(error.to_string()));
                }
                continue;
            }
            let value = match built {
                Some(values) => values[oi].clone(),
                None => build(oi),
            };
            let mut ctx = root.new_inner_scope();
            ctx.add_variable_from_value(var, value);
            for &ci in &scoped {
                tallies[ci].add(kind, name, id, evaluate_object(checks[ci], &ctx));
            }
        }
    }
    let counts = (snap.containers.len(), snap.images.len());

    let hostname = snap.host.Hostname.clone();
    checks
        .iter()
        .zip(tallies)
        .map(|(check, tally)| {
            let mut result = blank_result(check);
            if check.def.evaluation == Evaluation::Manual {
                // Whether it applies may itself be unknowable offline (swarm checks on a clone).
                if let Some(p) = &check.unknown
                    && matches!(check.def.scope, Scope::Host | Scope::Daemon)
                    && let Ok(v) = run(p, &root, "unknown")
                    && let Some(Outcome::Skip(why, Some(_))) = unknown_outcome(&v)
                {
                    result.status = Status::Skip;
                    result.reason = why;
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
                        ..Finding::default()
                    });
                }
                return result;
            }
            match check.def.scope {
                Scope::Container => {
                    aggregate(check, &mut result, counts.0, tally, snap.all_containers)
                }
                Scope::Image => aggregate(check, &mut result, counts.1, tally, snap.all_containers),
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
        benchmark: check.benchmark.to_string(),
        level: d.level,
        severity: Some(d.severity),
        severity_rationale: d.severity_rationale.trim().to_string(),
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
        ..Finding::default()
    };
    match outcome {
        Outcome::Skip(why, _) => {
            r.status = Status::Skip;
            r.reason = why;
        }
        Outcome::Error(why) => {
            r.status = Status::Error;
            r.reason = why.clone();
            r.exceptions.push(Finding {
                status: Some(Status::Error),
                reason: why.clone(),
                ..finding(why)
            });
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

fn aggregate(check: &Check, r: &mut CheckResult, total: usize, tally: Tally, all_containers: bool) {
    let noun = if check.def.scope == Scope::Image {
        "image"
    } else {
        "container"
    };
    if total == 0 {
        r.status = Status::Skip;
        r.reason = if noun == "container" && !all_containers {
            "no running containers to check (--all also checks stopped and created ones)".into()
        } else {
            format!("no {noun}s to check")
        };
        return;
    }
    let Tally {
        skipped,
        errors,
        passed,
        warned,
        findings,
        exceptions,
    } = tally;
    r.findings = findings;
    r.exceptions = exceptions;
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
        // A fact this kind of scan cannot have says more than "does not apply"; one reason
        // shared by every object (a fact-dependent `not_applicable`) is the reason.
        let skips = || {
            r.exceptions
                .iter()
                .filter(|e| e.status == Some(Status::Skip))
        };
        let not_in_mode = skips().find(|e| e.not_in_mode.is_some());
        let shared = r
            .exceptions
            .first()
            .filter(|first| {
                r.exceptions
                    .iter()
                    .all(|e| e.status == first.status && e.reason == first.reason)
            })
            .filter(|e| e.status == Some(Status::Skip));
        r.reason = not_in_mode
            .or(shared)
            .map(|e| e.reason.clone())
            .or_else(|| check.def.skip_reason.clone())
            .unwrap_or_else(|| format!("does not apply to any {noun}"));
        // One reason for all: say it once instead of once per object.
        if r.exceptions
            .iter()
            .all(|e| e.status == Some(Status::Skip) && e.reason == r.reason)
        {
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
            Ok(v) => {
                if let Some(outcome) = unknown_outcome(&v) {
                    return outcome;
                }
            }
            Err(e) => return Outcome::Error(e),
        }
    }
    if let Some(p) = &check.not_applicable {
        match run(p, ctx, "not_applicable") {
            Ok(Value::Null) => {}
            Ok(Value::String(s)) if s.is_empty() => {}
            Ok(v) => return Outcome::Skip(display(&v), None),
            Err(e) => return Outcome::Error(e),
        }
    }
    if let Some(p) = &check.applies {
        match run(p, ctx, "applies") {
            Ok(Value::Bool(true)) => {}
            Ok(Value::Bool(false)) => {
                return Outcome::Skip(d.skip_reason.clone().unwrap_or_default(), None);
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

/// What an `unknown` expression's value means: `null` or "" → known (None); a fact status
/// (any object with `State`, e.g. `host.Audit` or `daemon.InfoStatus`) → SKIP for
/// `not_in_mode`, ERROR for `unavailable`, known for `available`; other text → ERROR.
fn unknown_outcome(v: &Value) -> Option<Outcome> {
    match v {
        Value::Null => None,
        Value::String(s) if s.is_empty() => None,
        Value::Map(m) => {
            let field = |k: &str| match m.map.get(&cel::objects::Key::from(k)) {
                Some(Value::String(s)) => s.to_string(),
                _ => String::new(),
            };
            match field("State").as_str() {
                "available" => None,
                "not_in_mode" => {
                    let mode = serde_json::from_value(field("ScanMode").into()).ok();
                    Some(Outcome::Skip(
                        field("Reason"),
                        Some(mode.unwrap_or(ScanMode::Offline)),
                    ))
                }
                "unavailable" => Some(Outcome::Error(field("Reason"))),
                _ => Some(Outcome::Error(display(v))),
            }
        }
        other => Some(Outcome::Error(display(other))),
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
    // withReason(status, text): the fact status `status` (any object with `State`, such as
    // `host.Audit` or `daemon.InfoStatus`) with its `Reason` replaced by `text`, keeping its
    // state: an `unknown` expression names what it could not know and still SKIPs when the
    // fact cannot exist in this kind of scan (ERROR when it could not be read).
    ctx.add_function("withReason", |status: Value, text: Arc<String>| -> Value {
        match status {
            Value::Map(mut m) => {
                Arc::make_mut(&mut m.map).insert("Reason".into(), Value::String(text));
                Value::Map(m)
            }
            // Not a status: the text alone (ERROR).
            _ => Value::String(text),
        }
    })
    .expect("withReason is not a standard function");
    // worst(statuses): of a list of fact statuses (or objects with one, such as files), the
    // first that is `unavailable` (ERROR beats SKIP), else the first; "" for an empty list.
    ctx.add_function("worst", |items: Arc<Vec<Value>>| -> Value {
        let state = |v: &Value| match v {
            Value::Map(m) => match m.map.get(&cel::objects::Key::from("State")) {
                Some(Value::String(s)) => s.to_string(),
                _ => String::new(),
            },
            _ => String::new(),
        };
        items
            .iter()
            .find(|v| state(v) == "unavailable")
            .or(items.first())
            .cloned()
            .unwrap_or_else(|| Value::String(Arc::new(String::new())))
    })
    .expect("worst is not a standard function");
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
