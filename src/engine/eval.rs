//! Evaluation: pure, in memory. Each object is converted to a CEL value once and bound in
//! a child scope; every check of its scope then runs against it.
#![allow(non_snake_case)]

use std::collections::BTreeMap;
use std::sync::{Arc, OnceLock};

use cel::{Context, Env, Program, Value};
use schemars::schema_for;
use serde::Serialize;

use super::cel_value::BoxVal;
use super::check::{Evaluation, FindingStatus, Scope};
use super::derive::{DeriveContext, Derived, ImageDerived, derive, derive_image};
use super::host_derived::{ContainerRelations, HostDerived, ImageIndex, derive_host};
use super::load::Check;
use super::schema::Ty;
use crate::results::{CheckResult, Finding, ObjectKind, Status};
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
    /// A `files` check: each offending file's path and evidence, and whether `info_when`
    /// made every one of them informational.
    Files(Vec<(String, String)>, bool),
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
    fn add(&mut self, kind: ObjectKind, name: &str, id: &str, outcome: Outcome) {
        let entry = |value: String| Finding {
            kind,
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
            // Per-object scopes have no `files` (refused when loading); counted as a finding.
            Outcome::Files(files, info) => {
                self.warned += usize::from(!info);
                let value = files.into_iter().map(|(_, v)| v).collect::<Vec<_>>();
                self.findings.push(entry(value.join(", ")));
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

    /// Appends what a later run of objects gave (`other`'s objects follow this one's).
    fn merge(&mut self, other: Tally) {
        self.skipped += other.skipped;
        self.errors += other.errors;
        self.passed += other.passed;
        self.warned += other.warned;
        self.findings.extend(other.findings);
        self.exceptions.extend(other.exceptions);
    }
}

/// Fewest objects worth a thread of their own: below it, starting the thread costs more than
/// the objects' checks (about 0.1 ms per container for both benchmarks).
const OBJECTS_PER_THREAD: usize = 500;

/// `0..count` cut into contiguous runs, at most `threads`, none smaller than
/// [`OBJECTS_PER_THREAD`] (one run for a small host).
fn object_runs(count: usize, threads: usize) -> Vec<std::ops::Range<usize>> {
    let threads = threads.min(count / OBJECTS_PER_THREAD).max(1);
    let per = count.div_ceil(threads);
    (0..threads)
        .map(|t| (t * per).min(count)..((t + 1) * per).min(count))
        .filter(|r| !r.is_empty())
        .collect()
}

/// Evaluates `checks` over `snap` with default options.
pub fn evaluate(checks: &[&Check], snap: &Snapshot, env: &Arc<Env>) -> Vec<CheckResult> {
    evaluate_with(checks, snap, env, &EvalOptions::default())
}

/// Evaluates `checks` over `snap`. Results come back in the order of `checks`. Checks of
/// several benchmarks may be mixed: each is evaluated with its own benchmark's `params`. All
/// of them run in one pass over the objects: each object's value is built once (it was once
/// per benchmark: half the evaluation of a scan of two), its benchmark's `params` bound
/// beside it for each check.
pub fn evaluate_with(
    checks: &[&Check],
    snap: &Snapshot,
    env: &Arc<Env>,
    options: &EvalOptions,
) -> Vec<CheckResult> {
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    evaluate_on(checks, snap, env, options, cores)
}

/// [`evaluate_with`] on at most `threads` threads.
fn evaluate_on(
    checks: &[&Check],
    snap: &Snapshot,
    env: &Arc<Env>,
    options: &EvalOptions,
    threads: usize,
) -> Vec<CheckResult> {
    if checks.is_empty() {
        return Vec::new();
    }
    // group_of[check index]: which distinct `params` (benchmark) it reads.
    let mut group_keys: Vec<*const toml::Table> = Vec::new();
    let group_of: Vec<usize> = checks
        .iter()
        .map(|c| {
            let key = Arc::as_ptr(&c.params);
            match group_keys.iter().position(|k| *k == key) {
                Some(g) => g,
                None => {
                    group_keys.push(key);
                    group_keys.len() - 1
                }
            }
        })
        .collect();
    let params: Vec<Value> = (0..group_keys.len())
        .map(|g| {
            let first = group_of.iter().position(|&x| x == g).unwrap_or_default();
            to_cel(checks[first].params.as_ref())
        })
        .collect();
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
    let cel_container = |i: usize| CelContainer {
        inner: &snap.containers[i],
        Derived: CelDerived {
            own: &derived[i],
            relations: index.relations(&snap.containers[i]),
        },
    };
    let cel_image = |i: usize| CelImage {
        inner: &snap.images[i],
        Derived: &image_derived[i],
    };
    // One object's value, built straight into cel's runtime form (see `cel_value`).
    let container_val = |i: usize| to_val(&cel_container(i));
    let image_val = |i: usize| to_val(&cel_image(i));

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
    let container_values: Option<Vec<Value>> = reads("containers").then(|| {
        (0..snap.containers.len())
            .map(|i| to_cel(&cel_container(i)))
            .collect()
    });
    let image_values: Option<Vec<Value>> = reads("images").then(|| {
        (0..snap.images.len())
            .map(|i| to_cel(&cel_image(i)))
            .collect()
    });
    for (name, values) in [("containers", &container_values), ("images", &image_values)] {
        if let Some(values) = values {
            root.add_variable_from_value(name, Value::List(Arc::new(values.clone())));
        }
    }

    // Host and daemon checks (and manual ones) of each benchmark: the globals and its params.
    let group_roots: Vec<Context> = params
        .iter()
        .map(|p| {
            let mut g = root.new_inner_scope();
            g.add_variable_from_value("params", p.clone());
            g
        })
        .collect();
    // tallies[check index]: what the objects of its scope gave.
    let mut tallies: Vec<Tally> = checks.iter().map(|_| Tally::default()).collect();
    let image_names: Vec<String> = snap.images.iter().map(image_name).collect();
    type Objects<'a> = (
        Scope,
        &'static str,
        ObjectKind,
        usize,
        &'a Option<Vec<Value>>,
        &'a (dyn Fn(usize) -> BoxVal + Sync),
    );
    let scopes: [Objects; 2] = [
        (
            Scope::Container,
            "c",
            ObjectKind::Container,
            snap.containers.len(),
            &container_values,
            &container_val,
        ),
        (
            Scope::Image,
            "image",
            ObjectKind::Image,
            snap.images.len(),
            &image_values,
            &image_val,
        ),
    ];
    for (scope, var, kind, count, built, build) in scopes {
        let scoped: Vec<usize> = (0..checks.len())
            .filter(|&i| {
                checks[i].def.scope == scope
                    && checks[i].def.evaluation == Evaluation::Automated
                    && checks[i].compiled
            })
            .collect();
        if scoped.is_empty() {
            continue;
        }
        // Objects are independent: each thread evaluates a contiguous run of them into
        // tallies of its own, merged back in object order (the same results as one thread).
        let evaluate_run = |run: std::ops::Range<usize>, tallies: &mut [Tally]| {
            for oi in run {
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
                let mut ctx = root.new_inner_scope();
                match built {
                    Some(values) => ctx.add_variable_from_value(var, values[oi].clone()),
                    None => ctx.add_variable_as_val(var, build(oi)),
                }
                let mut bound = None;
                for &ci in &scoped {
                    let g = group_of[ci];
                    if bound != Some(g) {
                        ctx.add_variable_from_value("params", params[g].clone());
                        bound = Some(g);
                    }
                    tallies[ci].add(kind, name, id, evaluate_object(checks[ci], &ctx));
                }
            }
        };
        let runs = object_runs(count, threads);
        if runs.len() <= 1 {
            evaluate_run(0..count, &mut tallies);
        } else {
            let parts: Vec<Vec<Tally>> = std::thread::scope(|s| {
                let workers: Vec<_> = runs
                    .into_iter()
                    .map(|run| {
                        s.spawn(move || {
                            let mut part: Vec<Tally> =
                                checks.iter().map(|_| Tally::default()).collect();
                            evaluate_run(run, &mut part);
                            part
                        })
                    })
                    .collect();
                workers
                    .into_iter()
                    .map(|w| w.join().unwrap_or_else(|p| std::panic::resume_unwind(p)))
                    .collect()
            });
            for part in parts {
                for (tally, p) in tallies.iter_mut().zip(part) {
                    tally.merge(p);
                }
            }
        }
    }
    let counts = (snap.containers.len(), snap.images.len());

    let hostname = snap.host.Hostname.clone();
    checks
        .iter()
        .zip(tallies)
        .zip(&group_of)
        .map(|((check, tally), &g)| {
            let root = &group_roots[g];
            let mut result = blank_result(check);
            if !check.compiled {
                // Loaded without its expressions (not selected): no verdict, never a PASS.
                result.status = Status::Error;
                result.reason = "not evaluated: the check was loaded without compiling its \
                                 expressions (it was not selected)"
                    .into();
                return result;
            }
            if check.def.evaluation == Evaluation::Manual {
                // Whether it applies may itself be unknowable offline (swarm checks on a clone).
                if let Some(p) = &check.unknown
                    && matches!(check.def.scope, Scope::Host | Scope::Daemon)
                    && let Ok(v) = run(p, root, "unknown")
                    && let Some(Outcome::Skip(why, Some(_))) = unknown_outcome(&v)
                {
                    result.status = Status::Skip;
                    result.reason = why;
                    return result;
                }
                // A manual check that cannot apply here (e.g. swarm checks without swarm) is SKIP.
                if let Some(p) = &check.applies
                    && matches!(check.def.scope, Scope::Host | Scope::Daemon)
                    && let Ok(Value::Bool(false)) = run(p, root, "applies")
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
                    && let Ok(v) = run(p, root, "evidence")
                {
                    result.findings.push(Finding {
                        kind: object_kind(check.def.scope),
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
                    let outcome = evaluate_object(check, root);
                    single(
                        check,
                        &mut result,
                        object_kind(check.def.scope),
                        &hostname,
                        outcome,
                    );
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

/// The kind of the one object a host or daemon check looks at.
fn object_kind(scope: Scope) -> ObjectKind {
    match scope {
        Scope::Container => ObjectKind::Container,
        Scope::Image => ObjectKind::Image,
        Scope::Daemon => ObjectKind::Daemon,
        Scope::Host => ObjectKind::Host,
    }
}

fn single(check: &Check, r: &mut CheckResult, kind: ObjectKind, name: &str, outcome: Outcome) {
    r.evaluated = 1;
    let finding = |value: String| Finding {
        kind,
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
        Outcome::Files(files, info) => {
            r.status = if info {
                Status::Info
            } else {
                finding_status(check)
            };
            let values: Vec<&str> = files.iter().map(|(_, v)| v.as_str()).collect();
            r.reason = if values.iter().all(|v| v.is_empty()) {
                "finding".into()
            } else {
                values.join(", ")
            };
            // One finding per file, located at it; the host stays the object.
            for (path, value) in files {
                r.findings.push(Finding {
                    kind: ObjectKind::File,
                    path: Some(path),
                    ..finding(value)
                });
            }
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
    if let Some(files) = &check.files {
        return evaluate_files(check, ctx, files, finding);
    }
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

/// A `files` check: `finding`, `info_when`, `evidence` and `pass_evidence` once per file of
/// `files` (bound as `f`), in its order. PASS evidence is every file's, joined with ", ".
fn evaluate_files(check: &Check, ctx: &Context, files: &Program, finding: &Program) -> Outcome {
    let items = match run(files, ctx, "files") {
        Ok(Value::List(items)) => items,
        Ok(other) => {
            return Outcome::Error(format!(
                "files: expected a list of files, got {}",
                display(&other)
            ));
        }
        Err(e) => return Outcome::Error(e),
    };
    let mut hits = Vec::new();
    let mut all_info = true;
    let mut passes = Vec::new();
    for item in items.iter() {
        let path = match item {
            Value::Map(m) => match m.map.get(&cel::objects::Key::from("Path")) {
                Some(Value::String(p)) => p.to_string(),
                _ => String::new(),
            },
            Value::String(p) => p.to_string(),
            other => {
                return Outcome::Error(format!(
                    "files: expected a file (an object with Path), got {}",
                    display(other)
                ));
            }
        };
        let mut scope = ctx.new_inner_scope();
        scope.add_variable_from_value("f", item.clone());
        let text = |p: &Option<Program>, what: &str| match p {
            Some(p) => run(p, &scope, what).map(|v| display(&v)),
            None => Ok(String::new()),
        };
        match run(finding, &scope, "finding") {
            Ok(Value::Bool(true)) => {
                let info = match &check.info_when {
                    Some(p) => match run(p, &scope, "info_when") {
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
                all_info &= info;
                match text(&check.evidence, "evidence") {
                    Ok(v) => hits.push((path, v)),
                    Err(e) => return Outcome::Error(e),
                }
            }
            Ok(Value::Bool(false)) => match text(&check.pass_evidence, "pass_evidence") {
                Ok(v) if v.is_empty() => {}
                Ok(v) => passes.push(v),
                Err(e) => return Outcome::Error(e),
            },
            Ok(other) => {
                return Outcome::Error(format!(
                    "finding: expected a bool, got {}",
                    display(&other)
                ));
            }
            Err(e) => return Outcome::Error(e),
        }
    }
    if hits.is_empty() {
        Outcome::Pass(passes.join(", "))
    } else {
        Outcome::Files(hits, all_info)
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

fn to_val<T: Serialize>(value: &T) -> BoxVal {
    super::cel_value::to_val(value).expect("snapshot types always convert to CEL values")
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

/// Field `key` of a CEL map (an object of the snapshot).
fn get(v: &Value, key: &str) -> Option<Value> {
    match v {
        Value::Map(m) => m.map.get(&cel::objects::Key::from(key)).cloned(),
        _ => None,
    }
}

fn text(s: &str) -> Value {
    Value::String(Arc::new(s.to_string()))
}

/// `withReason`: the status with its `Reason` replaced; not a status: the text (ERROR).
fn with_reason(status: Value, text: Arc<String>) -> Value {
    match status {
        Value::Map(mut m) => {
            Arc::make_mut(&mut m.map).insert("Reason".into(), Value::String(text));
            Value::Map(m)
        }
        _ => Value::String(text),
    }
}

/// `worst`: the first `unavailable` status of `items`, else the first; "" when empty.
fn worst(items: &[Value]) -> Value {
    let state = |v: &Value| match get(v, "State") {
        Some(Value::String(s)) => s.to_string(),
        _ => String::new(),
    };
    items
        .iter()
        .find(|v| state(v) == "unavailable")
        .or(items.first())
        .cloned()
        .unwrap_or_else(|| text(""))
}

/// Of a file and its drop-ins, those not read: "" when every one was; else the worst
/// one's status, its reason naming each unread file (`PATH: why; PATH: why`).
fn unreadable(file: &Value) -> Value {
    let mut files = vec![file.clone()];
    if let Some(Value::List(more)) = get(file, "DropIns") {
        files.extend(more.iter().cloned());
    }
    unread_of(files)
}

/// Of `files`, those not read: "" when every one was; else the worst one's status, its
/// reason naming each (`PATH: why; PATH: why`).
fn unread_of(files: Vec<Value>) -> Value {
    let unread: Vec<Value> = files
        .into_iter()
        .filter(|f| !matches!(get(f, "Available"), Some(Value::Bool(true))))
        .collect();
    if unread.is_empty() {
        return text("");
    }
    let field = |f: &Value, k: &str| match get(f, k) {
        Some(Value::String(s)) => s.to_string(),
        _ => String::new(),
    };
    let why: Vec<String> = unread
        .iter()
        .map(|f| format!("{}: {}", field(f, "Path"), field(f, "Reason")))
        .collect();
    with_reason(worst(&unread), Arc::new(why.join("; ")))
}

/// Is the file's owner (`id` "Uid", `name` "Owner") the wanted one? `root` is id 0
/// whatever the scanned host calls it; another name is that name, or root (stricter).
fn id_is(file: &Value, id: &str, name: &str, want: &str) -> bool {
    let is_root = matches!(get(file, id), Some(Value::Int(0)) | Some(Value::UInt(0)));
    is_root
        || (want != "root"
            && matches!(get(file, name), Some(Value::String(n)) if n.as_str() == want))
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
    ctx.add_function("withReason", with_reason)
        .expect("withReason is not a standard function");
    // worst(statuses): of a list of fact statuses (or objects with one, such as files), the
    // first that is `unavailable` (ERROR beats SKIP), else the first; "" for an empty list.
    ctx.add_function("worst", |items: Arc<Vec<Value>>| -> Value { worst(&items) })
        .expect("worst is not a standard function");
    // withDropIns(file): a unit file then its drop-ins, as one list of files.
    ctx.add_function("withDropIns", |file: Value| -> Value {
        let mut out = vec![file.clone()];
        if let Some(Value::List(more)) = get(&file, "DropIns") {
            out.extend(more.iter().cloned());
        }
        Value::List(Arc::new(out))
    })
    .expect("withDropIns is not a standard function");
    // fileUnknown(host.Files, key): why the file `key` (with its drop-ins) is not known.
    ctx.add_function("fileUnknown", |files: Value, key: Arc<String>| -> Value {
        let file = match &files {
            Value::Map(m) => m.map.get(&cel::objects::Key::from(key.as_str())).cloned(),
            _ => None,
        };
        match file {
            None => text("file facts not collected"),
            Some(file) => unreadable(&file),
        }
    })
    .expect("fileUnknown is not a standard function");
    // configuredFileUnknown(host.Files, key): fileUnknown, and a file the daemon's
    // configuration names (Path set) that does not exist.
    ctx.add_function(
        "configuredFileUnknown",
        |files: Value, key: Arc<String>| -> Value {
            let file = match &files {
                Value::Map(m) => m.map.get(&cel::objects::Key::from(key.as_str())).cloned(),
                _ => None,
            };
            let Some(file) = file else {
                return text("file facts not collected");
            };
            let unread = unreadable(&file);
            if !matches!(&unread, Value::String(s) if s.is_empty()) {
                return unread;
            }
            match (get(&file, "Path"), get(&file, "Exists")) {
                (Some(Value::String(p)), Some(Value::Bool(false))) if !p.is_empty() => {
                    text(&format!("the configured file {p} does not exist"))
                }
                _ => text(""),
            }
        },
    )
    .expect("configuredFileUnknown is not a standard function");
    // filesUnknown(files): of a list of file facts, those not read (as fileUnknown).
    ctx.add_function("filesUnknown", |files: Arc<Vec<Value>>| -> Value {
        unread_of(files.iter().cloned().collect())
    })
    .expect("filesUnknown is not a standard function");
    // ownedBy(file, "root:docker"): the file's owner and group are the wanted ones.
    ctx.add_function(
        "ownedBy",
        |file: Value, want: Arc<String>| -> cel::ResolveResult {
            let Some((user, group)) = want.split_once(':') else {
                return Err(cel::ExecutionError::function_error(
                    "ownedBy",
                    format!("'{want}' is not OWNER:GROUP"),
                ));
            };
            Ok(Value::Bool(
                id_is(&file, "Uid", "Owner", user) && id_is(&file, "Gid", "Group", group),
            ))
        },
    )
    .expect("ownedBy is not a standard function");
    // ownerOf(file): "owner:group", each as its name on the scanned host, else its number.
    ctx.add_function("ownerOf", |file: Value| -> String {
        let part = |id: &str, name: &str| match get(&file, name) {
            Some(Value::String(n)) if !n.is_empty() => n.to_string(),
            _ => get(&file, id).map(|v| display(&v)).unwrap_or_default(),
        };
        format!("{}:{}", part("Uid", "Owner"), part("Gid", "Group"))
    })
    .expect("ownerOf is not a standard function");
    // processesUnknown(c, host.Proc): why a running container's processes are not known.
    // Its arguments are read in place (`arg_at`): converting the whole container to a
    // `Value` per call cost more than all of the checks' own work.
    ctx.add_function(
        "processesUnknown",
        |ftx: &cel::FunctionContext| -> cel::ResolveResult {
            let c = arg(ftx, 0)?;
            let proc_status = arg(ftx, 1)?;
            let running = matches!(arg_at(c, &["State", "Running"]), Some(Value::Bool(true)));
            if !running || !is_null_or_absent(val_at(c, &["Processes"])) {
                return Ok(text(""));
            }
            let has_reason =
                |v: &Value| matches!(get(v, "Reason"), Some(Value::String(r)) if !r.is_empty());
            let proc_status = owned(proc_status)?;
            Ok(match arg_at(c, &["Kernel", "Status"]) {
                Some(kernel) if has_reason(&kernel) => kernel,
                _ if has_reason(&proc_status) => proc_status,
                _ => text("container processes not collected"),
            })
        },
    )
    .expect("processesUnknown is not a standard function");
    // infoUnknown(daemon, what): the daemon's info could not be read: its status with the
    // reason "WHAT: why"; "" when read, or when nobody tried (a snapshot without info).
    // `daemon` is read in place, as in processesUnknown (per-container checks call it).
    ctx.add_function(
        "infoUnknown",
        |ftx: &cel::FunctionContext| -> cel::ResolveResult {
            let daemon = arg(ftx, 0)?;
            let what = match owned(arg(ftx, 1)?)? {
                Value::String(s) => s,
                other => return Err(ftx.error(format!("expected a string, got {other:?}"))),
            };
            if !is_null_or_absent(val_at(daemon, &["Info"])) {
                return Ok(text(""));
            }
            Ok(match arg_at(daemon, &["InfoStatus"]) {
                Some(status) => match get(&status, "Reason") {
                    Some(Value::String(r)) if !r.is_empty() => {
                        with_reason(status, Arc::new(format!("{what}: {r}")))
                    }
                    _ => text(""),
                },
                None => text(""),
            })
        },
    )
    .expect("infoUnknown is not a standard function");
    // securityOption(daemon, "apparmor"): the daemon lists `name=apparmor` among its
    // security options, or its info is not known (a check then does not SKIP on a guess).
    // `daemon` is read in place, as in processesUnknown (per-container checks call it).
    ctx.add_function(
        "securityOption",
        |ftx: &cel::FunctionContext| -> cel::ResolveResult {
            let daemon = arg(ftx, 0)?;
            let name = match owned(arg(ftx, 1)?)? {
                Value::String(s) => s,
                other => return Err(ftx.error(format!("expected a string, got {other:?}"))),
            };
            let prefix = format!("name={name}");
            let info = val_at(daemon, &["Info"]);
            if is_null_or_absent(info) {
                return Ok(Value::Bool(true));
            }
            Ok(Value::Bool(
                match arg_at(daemon, &["Info", "SecurityOptions"]) {
                    Some(Value::List(opts)) => opts
                        .iter()
                        .any(|o| matches!(o, Value::String(s) if s.starts_with(&prefix))),
                    _ => false,
                },
            ))
        },
    )
    .expect("securityOption is not a standard function");
    // restartRetries(c.HostConfig.RestartPolicy): how often Docker restarts the container:
    // -1 without limit (always, unless-stopped, on-failure with no count), 0 never, else
    // the on-failure count.
    ctx.add_function("restartRetries", |policy: Value| -> i64 {
        let name = match get(&policy, "Name") {
            Some(Value::String(n)) => n.to_string(),
            _ => String::new(),
        };
        let count = match get(&policy, "MaximumRetryCount") {
            Some(Value::Int(n)) => n,
            Some(Value::UInt(n)) => i64::try_from(n).unwrap_or(i64::MAX),
            _ => 0,
        };
        match name.as_str() {
            "always" | "unless-stopped" => -1,
            "on-failure" if count <= 0 => -1,
            "on-failure" => count,
            _ => 0,
        }
    })
    .expect("restartRetries is not a standard function");
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

/// Argument `i` of a helper call as CEL holds it, not converted to a `Value`.
fn arg<'b, 'v>(
    ftx: &'b cel::FunctionContext<'_, 'v>,
    i: usize,
) -> Result<&'b (dyn cel::common::value::Val + 'v), cel::ExecutionError> {
    ftx.args
        .get(i)
        .map(|v| v.as_ref())
        .ok_or_else(|| cel::ExecutionError::invalid_argument_count(i + 1, ftx.args.len()))
}

/// The field at `path` of a map, in place; `None` when a step is missing or not a map.
fn val_at<'b, 'v>(
    v: &'b (dyn cel::common::value::Val + 'v),
    path: &[&str],
) -> Option<&'b (dyn cel::common::value::Val + 'v)> {
    use cel::common::types::{CelMap, CelMapKey};
    let mut here = v;
    for step in path {
        let map = here.downcast_ref::<CelMap>()?;
        here = map
            .inner()
            .iter()
            .find(|(k, _)| matches!(k, CelMapKey::String(s) if s.inner() == *step))
            .map(|(_, v)| v.as_ref())?;
    }
    Some(here)
}

/// The field at `path` converted to a `Value` (only that subtree is copied).
fn arg_at(v: &dyn cel::common::value::Val, path: &[&str]) -> Option<Value> {
    val_at(v, path).and_then(|v| Value::try_from(v).ok())
}

fn owned(v: &dyn cel::common::value::Val) -> Result<Value, cel::ExecutionError> {
    Value::try_from(v)
}

fn is_null_or_absent(v: Option<&dyn cel::common::value::Val>) -> bool {
    v.is_none_or(|v| v.get_type().kind() == cel::common::types::Kind::NullType)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn eval(expr: &str, vars: &[(&str, serde_json::Value)]) -> Value {
        let env = super::super::load::cel_env();
        let mut ctx = Context::with_env(env.clone());
        register_functions(&mut ctx);
        for (name, v) in vars {
            ctx.add_variable_from_value(*name, to_cel(v));
        }
        env.compile(expr).unwrap().execute(&ctx).unwrap()
    }

    fn s(v: &str) -> Value {
        text(v)
    }

    /// The two embedded benchmarks a scan with `--benchmark cis-docker-1.6.0,dockbench-practices`
    /// loads.
    fn both_benchmarks(env: &Arc<Env>) -> Vec<super::super::load::Benchmark> {
        ["cis-docker-1.6.0", "dockbench-practices"]
            .into_iter()
            .map(|id| super::super::load::load_embedded(id, env).unwrap())
            .collect()
    }

    /// One pass over the objects for checks of two benchmarks gives each benchmark's results
    /// as evaluating it alone does (each with its own `params`), in the order given.
    #[test]
    fn benchmarks_together_give_what_each_gives_alone() {
        let env = super::super::load::cel_env();
        let benches = both_benchmarks(&env);
        for fixture in [
            include_str!("../../tests/fixtures/snapshots/risky.json"),
            include_str!("../../tests/fixtures/snapshots/clean.json"),
            include_str!("../../tests/fixtures/snapshots/host.json"),
        ] {
            let snap = Snapshot::from_json(fixture).unwrap();
            let json = |rs: Vec<CheckResult>| serde_json::to_value(rs).unwrap();
            // Interleaved, so `params` changes between neighbouring checks.
            let mut mixed: Vec<&Check> = Vec::new();
            let (a, b) = (&benches[0].checks, &benches[1].checks);
            for i in 0..a.len().max(b.len()) {
                mixed.extend(a.get(i));
                mixed.extend(b.get(i));
            }
            let alone: Vec<CheckResult> = mixed
                .iter()
                .flat_map(|c| evaluate(&[*c], &snap, &env))
                .collect();
            assert_eq!(json(evaluate(&mixed, &snap, &env)), json(alone));
        }
    }

    #[test]
    fn objects_are_cut_into_contiguous_runs() {
        assert!(object_runs(0, 4).is_empty());
        assert_eq!(object_runs(10, 4), vec![0..10]);
        assert_eq!(object_runs(1_000, 1), vec![0..1_000]);
        assert_eq!(object_runs(1_001, 4), vec![0..501, 501..1_001]);
        assert_eq!(
            object_runs(3_000, 3),
            vec![0..1_000, 1_000..2_000, 2_000..3_000]
        );
    }

    /// Objects evaluated on several threads give what one thread gives: the same counts, and
    /// findings and exceptions in object order.
    #[test]
    fn several_threads_give_what_one_gives() {
        let env = super::super::load::cel_env();
        let benches = both_benchmarks(&env);
        let checks: Vec<&Check> = benches.iter().flat_map(|b| &b.checks).collect();
        let mut snap =
            Snapshot::from_json(include_str!("../../tests/fixtures/snapshots/risky.json")).unwrap();
        let seed = std::mem::take(&mut snap.containers);
        snap.containers = (0..3 * OBJECTS_PER_THREAD + 7)
            .map(|i| {
                let mut c = seed[i % seed.len()].clone();
                c.Id = format!("{i:064x}");
                c.Name = format!("/gen-{i}");
                if i == 2 * OBJECTS_PER_THREAD {
                    c.Error = "inspect failed".into();
                }
                c
            })
            .collect();
        let options = EvalOptions::default();
        let json = |rs: Vec<CheckResult>| serde_json::to_value(rs).unwrap();
        let one = evaluate_on(&checks, &snap, &env, &options, 1);
        let found = one.iter().map(|r| r.findings.len()).sum::<usize>();
        assert!(found > 3 * OBJECTS_PER_THREAD, "{found} findings");
        assert_eq!(
            json(evaluate_on(&checks, &snap, &env, &options, 3)),
            json(one)
        );
    }

    /// A check loaded without its expressions (not selected) is never a verdict.
    #[test]
    fn an_uncompiled_check_is_an_error() {
        let env = super::super::load::cel_env();
        let b = super::super::load::load_embedded_selected("cis-docker-1.6.0", &env, &|d| {
            d.id == "5.4"
        })
        .unwrap();
        let snap =
            Snapshot::from_json(include_str!("../../tests/fixtures/snapshots/risky.json")).unwrap();
        let checks: Vec<&Check> = b.checks.iter().collect();
        let results = evaluate(&checks, &snap, &env);
        for (c, r) in checks.iter().zip(&results) {
            assert_eq!(c.compiled, c.def.id == "5.4", "{}", c.def.id);
            if !c.compiled {
                assert_eq!(r.status, Status::Error, "{}", c.def.id);
                assert!(r.findings.is_empty());
            }
        }
        let full = super::super::load::load_embedded("cis-docker-1.6.0", &env).unwrap();
        let one: Vec<&Check> = full.checks.iter().filter(|c| c.def.id == "5.4").collect();
        let selected: Vec<&Check> = checks.iter().copied().filter(|c| c.compiled).collect();
        assert_eq!(
            serde_json::to_value(evaluate(&selected, &snap, &env)).unwrap(),
            serde_json::to_value(evaluate(&one, &snap, &env)).unwrap()
        );
    }

    /// The helpers that read their arguments in place answer as they did with converted ones.
    #[test]
    fn in_place_helpers_read_the_same_facts() {
        let status = serde_json::json!({"State": "unavailable", "Reason": "denied"});
        let read = serde_json::json!({"Info": {"SecurityOptions": ["name=apparmor", "name=seccomp,profile=default"]}});
        let unread = serde_json::json!({"Info": null, "InfoStatus": status});
        let no_info = serde_json::json!({});
        let so = "securityOption(daemon, 'apparmor')";
        assert_eq!(eval(so, &[("daemon", read.clone())]), Value::Bool(true));
        let sel = "securityOption(daemon, 'selinux')";
        assert_eq!(eval(sel, &[("daemon", read.clone())]), Value::Bool(false));
        assert_eq!(eval(sel, &[("daemon", unread.clone())]), Value::Bool(true));
        assert_eq!(eval(sel, &[("daemon", no_info.clone())]), Value::Bool(true));
        let iu = "infoUnknown(daemon, 'apparmor')";
        assert_eq!(eval(iu, &[("daemon", read)]), s(""));
        assert_eq!(eval(iu, &[("daemon", no_info)]), s(""));
        let got = eval(iu, &[("daemon", unread)]);
        assert_eq!(get(&got, "Reason"), Some(s("apparmor: denied")));
        assert_eq!(get(&got, "State"), Some(s("unavailable")));

        let pu = "processesUnknown(c, host.Proc)";
        let ok = serde_json::json!({"State": "available", "Reason": ""});
        let host = |p: &serde_json::Value| serde_json::json!({"Proc": p});
        let running = |procs: serde_json::Value, kernel: serde_json::Value| serde_json::json!({"State": {"Running": true}, "Processes": procs, "Kernel": {"Status": kernel}});
        let stopped = serde_json::json!({"State": {"Running": false}, "Processes": null});
        assert_eq!(eval(pu, &[("c", stopped), ("host", host(&status))]), s(""));
        let listed = running(serde_json::json!([]), ok.clone());
        assert_eq!(eval(pu, &[("c", listed), ("host", host(&status))]), s(""));
        let kernel_denied = serde_json::json!({"State": "unavailable", "Reason": "kernel"});
        let got = eval(
            pu,
            &[
                ("c", running(serde_json::Value::Null, kernel_denied)),
                ("host", host(&status)),
            ],
        );
        assert_eq!(get(&got, "Reason"), Some(s("kernel")));
        let got = eval(
            pu,
            &[
                ("c", running(serde_json::Value::Null, ok.clone())),
                ("host", host(&status)),
            ],
        );
        assert_eq!(get(&got, "Reason"), Some(s("denied")));
        let got = eval(
            pu,
            &[
                ("c", running(serde_json::Value::Null, ok.clone())),
                ("host", host(&ok)),
            ],
        );
        assert_eq!(got, s("container processes not collected"));
    }
}
