//! Live collector: the Engine API (bollard, version negotiated) plus the local host's /proc
//! and files. Every fact is fetched once, concurrently with a bound; nothing is written.
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::time::Duration;

use bollard::Docker;
use bollard::models::{ContainerSummary, ContainerSummaryStateEnum, ImageSummary};
use bollard::query_parameters::{
    InspectContainerOptions, ListContainersOptionsBuilder, ListImagesOptionsBuilder,
    ListNetworksOptions, ListSecretsOptions,
};
use futures_util::stream::{self, StreamExt};
use serde::Serialize;
use serde::de::DeserializeOwned;

use super::CollectError;
use crate::docker::{image_display_name, short_id};
use crate::snapshot::{
    Container, Daemon, FactStatus, Image, Inventory, Mode, Network, ScanMode, Snapshot, Source,
    SwarmFacts, strip_nulls,
};

/// How many inspect calls run at once.
const CONCURRENCY: usize = 32;
/// Deadline of one request to the daemon, answer included (`--timeout` lowers it): a daemon
/// that freezes, or a server that drips a byte a second, must not hold the scan.
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);
/// The longest part of a daemon's answer quoted in a message, in characters.
const MAX_QUOTED: usize = 300;

#[derive(Debug, Clone, Default)]
pub struct LiveOptions {
    /// Which daemon and how (`--host`, `--context`, TLS flags; the environment is read in
    /// `connect::resolve`).
    pub connect: super::connect::ConnectArgs,
    /// Include created and exited containers.
    pub all: bool,
    /// Inspect every image on the host, not only those containers use.
    pub all_images: bool,
    /// Keep dockbench's own container in the scan (it is left out by default).
    pub include_self: bool,
    /// Show a progress line on stderr for many containers (the caller checked the terminal).
    pub progress: bool,
    /// Which disk-usage facts to gather (reclaimable space, writable layer sizes): they cost
    /// seconds on a host with thousands of containers, so a scan whose checks do not read them
    /// leaves them out.
    pub disk_usage: DiskUsageWanted,
    /// Deadline of each request (zero: `REQUEST_TIMEOUT`).
    pub request_timeout: Duration,
}

/// The disk-usage facts a scan needs.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct DiskUsageWanted {
    /// Reclaimable totals (`daemon.DiskUsage`): only `/system/df` answers them whole.
    pub totals: bool,
    /// Each container's writable layer size (`SizeRw`): sized on this host when the daemon is
    /// local and keeps overlay upper directories, else from `/system/df`.
    pub size_rw: bool,
}

impl DiskUsageWanted {
    pub const ALL: DiskUsageWanted = DiskUsageWanted {
        totals: true,
        size_rw: true,
    };
    pub const NONE: DiskUsageWanted = DiskUsageWanted {
        totals: false,
        size_rw: false,
    };
}

impl LiveOptions {
    fn deadline(&self) -> Duration {
        if self.request_timeout.is_zero() {
            REQUEST_TIMEOUT
        } else {
            self.request_timeout
        }
    }
}

/// Why one request failed, said as what happened.
#[derive(Debug, Clone)]
enum Fault {
    /// 404: the object went away (a container removed between list and inspect).
    Gone,
    Failed(String),
}

/// `request` with the scan's per-request deadline; errors described for people.
async fn answer<T>(
    deadline: Duration,
    request: impl std::future::Future<Output = Result<T, bollard::errors::Error>>,
) -> Result<T, Fault> {
    match tokio::time::timeout(deadline, request).await {
        Ok(Ok(v)) => Ok(v),
        Ok(Err(bollard::errors::Error::DockerResponseServerError {
            status_code: 404, ..
        })) => Err(Fault::Gone),
        Ok(Err(e)) => Err(Fault::Failed(describe(&e))),
        Err(_) => Err(Fault::Failed(format!(
            "the daemon did not answer within {} s",
            deadline.as_secs_f64()
        ))),
    }
}

impl std::fmt::Display for Fault {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Fault::Gone => f.write_str("the daemon answered 404: no such object"),
            Fault::Failed(why) => f.write_str(why),
        }
    }
}

/// What a failed request means: the daemon's status and (the start of) its message, or the
/// transport error with its causes.
fn describe(e: &bollard::errors::Error) -> String {
    match e {
        bollard::errors::Error::DockerResponseServerError {
            status_code,
            message,
        } => format!("the daemon answered {status_code}: {}", clip(message)),
        bollard::errors::Error::RequestTimeoutError => "the daemon did not answer in time".into(),
        other => clip(&with_causes(other)),
    }
}

/// At most `MAX_QUOTED` characters of `text` (a 200 MiB error body is not a message).
fn clip(text: &str) -> String {
    let text = text.trim();
    match text.char_indices().nth(MAX_QUOTED) {
        Some((end, _)) => format!("{}… ({} bytes in all)", &text[..end], text.len()),
        None => text.to_string(),
    }
}

/// The address a live scan with `opts` talks to (`unix:///…`, `tcp://host:port`), for
/// messages; the raw `--host` value when it does not resolve.
pub fn daemon_address(opts: &LiveOptions) -> String {
    match super::connect::resolve(&opts.connect, &|k| std::env::var(k).ok()) {
        Ok(endpoint) => endpoint.url(),
        Err(_) => opts.connect.host.clone().unwrap_or_default(),
    }
}

/// Converts a bollard model into ours through Docker's JSON field names.
fn convert<T: Serialize, U: DeserializeOwned>(value: &T) -> Result<U, String> {
    let mut json = serde_json::to_value(value).map_err(|e| e.to_string())?;
    strip_nulls(&mut json);
    serde_json::from_value(json).map_err(|e| e.to_string())
}

/// An error with its causes: bollard's own message ("client error (Connect)") says less than
/// the OS error underneath ("Connection refused").
fn with_causes(e: &dyn std::error::Error) -> String {
    let mut out = e.to_string();
    let mut cause = e.source();
    while let Some(c) = cause {
        let msg = c.to_string();
        if !out.contains(&msg) {
            out.push_str(": ");
            out.push_str(&msg);
        }
        cause = c.source();
    }
    out
}

/// Collects the live snapshot: the daemon's API objects, its configuration and the host's
/// facts, the slow ones (`/system/df`, the firewall, /proc) concurrently with the inspects.
pub async fn collect_live(opts: &LiveOptions) -> Result<Snapshot, CollectError> {
    let started = chrono::Utc::now();
    let endpoint = super::connect::resolve(&opts.connect, &|k| std::env::var(k).ok())
        .map_err(CollectError::Usage)?;
    let address = endpoint.url();
    let deadline = opts.deadline();
    // ssh://: the API client talks to a private socket bridged to `docker system dial-stdio`
    // sessions on the remote host (kept until the scan ends).
    let bridge = match &endpoint.address {
        super::connect::Address::Ssh(target) => {
            let target = target.clone();
            let bridge =
                tokio::task::spawn_blocking(move || super::ssh::Bridge::start(&target, deadline))
                    .await
                    .map_err(|e| CollectError::Daemon(e.to_string()))?
                    .map_err(|e| {
                        CollectError::Daemon(format!(
                            "{e}\n(for every fact of that host, run the collector there: {})",
                            super::connect::SSH_WORKFLOW
                        ))
                    })?;
            Some(bridge)
        }
        _ => None,
    };
    let api = match &bridge {
        Some(b) => super::connect::Endpoint {
            address: super::connect::Address::Unix(b.socket()),
            tls: None,
            context: endpoint.context.clone(),
        },
        None => endpoint.clone(),
    };
    let (docker, version) = connect(&api, deadline).await.map_err(|e| match &bridge {
        Some(_) => CollectError::Daemon(format!("{address} (through ssh): {e}")),
        None => e,
    })?;
    let unreachable = |e: Fault| unreachable(&address, &e.to_string());
    let version_json = serde_json::to_value(&version).unwrap_or_default();
    let podman = super::target::engine(&version_json) == "Podman";
    // The process serving the address, if it is on this host (only its facts are used), and
    // the one walk of /proc it is found in and every /proc fact comes from: read while the
    // daemon lists its objects.
    let local_task = {
        let e = endpoint.clone();
        tokio::task::spawn_blocking(move || serving_process_and_table(&e))
    };

    // All containers are listed (one call) for the sprawl counts; only those in scope
    // are inspected.
    let list_opts = ListContainersOptionsBuilder::new().all(true).build();
    let (info, list, image_list, networks) = tokio::join!(
        answer(deadline, docker.info()),
        answer(deadline, docker.list_containers(Some(list_opts))),
        answer(
            deadline,
            docker.list_images(Some(ListImagesOptionsBuilder::new().all(false).build()))
        ),
        answer(deadline, docker.list_networks(None::<ListNetworksOptions>)),
    );
    let info = info.map_err(unreachable)?;
    let list = list.map_err(unreachable)?;

    let mut notes = Vec::new();
    let mut faults = Vec::new();
    let inventory = match &image_list {
        Ok(images) => inventory(&list, images),
        Err(e) => Inventory {
            Status: FactStatus::unavailable(format!("listing images failed: {e}")),
            ..Inventory::default()
        },
    };
    let ids = containers_in_scope(&list, opts, &mut notes);
    let names: BTreeMap<String, String> = list
        .iter()
        .filter_map(|c| {
            let name = c.names.iter().flatten().next()?;
            Some((c.id.clone()?, name.trim_start_matches('/').to_string()))
        })
        .collect();

    // The containers are inspected while the serving process is looked for; what depends on
    // where the daemon runs starts once that is known. Each container's /proc facts are read
    // from the walk (only when this host is the daemon's) as its inspect arrives, on a
    // thread of their own.
    let (observer, queries) = std::sync::mpsc::channel::<super::procs::ProcQuery>();
    let located = async {
        let (server, table) = local_task.await.unwrap_or_else(|e| {
            (
                Err(format!("looking for the serving process failed: {e}")),
                None,
            )
        });
        let reach = Reach::of(&server, podman);
        // This host's /proc is the daemon's only when the daemon is local.
        let table = match reach.host_status("") {
            None => table.map(|t| t.map(std::sync::Arc::new)),
            Some(_) => None,
        };
        // Not local: the queries are dropped and every container is "not observed" below.
        let observed = match &table {
            Some(Ok(t)) => {
                let t = t.clone();
                Some(tokio::task::spawn_blocking(move || {
                    queries
                        .into_iter()
                        .map(|q| (q.id.clone(), super::procs::observe(Ok(&t), None, &q)))
                        .collect::<std::collections::HashMap<_, _>>()
                }))
            }
            _ => None,
        };
        let config = daemon_config(&reach, podman);
        // Facts that take their time run on blocking threads while the inspects go on.
        let host_task = match reach.host_status("") {
            None => {
                let config = config.clone();
                let data_root = info.docker_root_dir.clone().unwrap_or_default();
                Some(tokio::task::spawn_blocking(move || {
                    this_hosts_facts(&config, &data_root)
                }))
            }
            Some(_) => None,
        };
        let firewall_status = reach.host_status("the firewall");
        let firewall_task = tokio::task::spawn_blocking(move || match firewall_status {
            None => super::firewall::collect(&super::rootfs::RootFs::new("/")),
            Some(status) => crate::snapshot::FirewallFacts {
                UfwStatus: status.clone(),
                Status: status,
                ..Default::default()
            },
        });
        // Writable layers are sized here from their upper directories when the daemon is on
        // this host and keeps them (overlay drivers); /system/df then only answers what nothing
        // else can, and runs while the containers are inspected.
        let negotiated = docker.client_version().to_string();
        let size_locally = reach.host_status("").is_none()
            && super::layers::OVERLAY_DRIVERS.contains(&info.driver.as_deref().unwrap_or_default());
        let df_ask = disk_usage_ask(opts.disk_usage, size_locally, &negotiated, podman);
        let assemble = match (df_ask, &image_list) {
            (Some(super::disk_usage::Ask::Assembled), Ok(images)) => Some(AssembleFrom {
                docker: docker.clone(),
                data_root: info.docker_root_dir.clone().unwrap_or_default(),
                driver: info.driver.clone().unwrap_or_default(),
                images: images.clone(),
                containers: list.clone(),
                // As long as /system/df is given (disk_usage::collect).
                timeout: Duration::from_secs(180),
            }),
            _ => None,
        };
        let df_task = spawn_disk_usage(&api, negotiated, df_ask, assemble);
        Located {
            reach,
            table,
            observed,
            config,
            host_task,
            firewall_task,
            size_locally,
            df_ask,
            df_task,
        }
    };
    let ((mut containers, upper_dirs), located) = tokio::join!(
        inspect_containers(
            &docker,
            ids,
            &names,
            opts,
            observer,
            &mut notes,
            &mut faults,
        ),
        located
    );
    let Located {
        reach,
        table,
        observed,
        config,
        host_task,
        firewall_task,
        size_locally,
        df_ask,
        df_task,
    } = located;
    // The containerd image store keeps layers in containerd's content store (content_store.rs).
    // Only a daemon of this host: a remote one's layers are not here (host_status says so).
    let content = match reach.host_status("") {
        None => super::content_store::live_store(
            info.driver_status.as_deref().unwrap_or_default(),
            || config.clone(),
        ),
        Some(_) => None,
    };
    let images = inspect_images(
        &docker,
        &containers,
        &image_list,
        opts,
        reach.host_status("image layers"),
        content,
        &mut notes,
        &mut faults,
    )
    .await;
    // Observed already unless the thread failed; what it did not observe is observed here.
    let observed = match observed {
        Some(task) => task.await.unwrap_or_default(),
        None => Default::default(),
    };
    let proc_status = match (&table, reach.host_status("the host's /proc")) {
        (Some(table), _) => super::procs::observe_containers(
            table.as_deref().map_err(String::as_str),
            &mut containers,
            None,
            observed,
        ),
        (None, status) => {
            let status = status.unwrap_or_default();
            super::procs::observe_containers(Err(""), &mut containers, Some(&status), observed)
        }
    };

    let networks = match networks {
        Ok(list) => list
            .iter()
            .map(|n| network(n, &containers))
            .collect::<Result<Vec<_>, _>>()
            .unwrap_or_else(|e| {
                notes.push(format!("networks not understood: {e}"));
                Vec::new()
            }),
        Err(e) => {
            notes.push(format!("listing networks failed: {e}"));
            Vec::new()
        }
    };
    let swarm = swarm_facts(&docker, &info).await;

    let (disk_usage, size_rw) = writable_layers(
        &docker,
        &api,
        &list,
        &containers,
        upper_dirs,
        (opts, size_locally, df_ask),
        df_task,
    )
    .await;
    for c in &mut containers {
        if let Some(rw) = size_rw.get(&c.Id) {
            c.SizeRw = Some(*rw);
        }
    }
    let firewall = firewall_task
        .await
        .unwrap_or_else(|e| crate::snapshot::FirewallFacts {
            Status: FactStatus::unavailable(format!("reading the firewall failed: {e}")),
            ..Default::default()
        });
    let mut host = match host_task {
        Some(task) => crate::snapshot::Host {
            Proc: proc_status,
            Firewall: firewall,
            ..task
                .await
                .unwrap_or_else(|e| std::panic::resume_unwind(e.into_panic()))
        },
        None => not_this_host(&reach, proc_status, firewall, &info),
    };
    if let (None, super::connect::Address::Unix(path)) = (reach.host_status(""), &endpoint.address)
    {
        use_scanned_socket(&mut host, path);
    }
    if podman {
        podman_host(&mut host);
    }
    let security_options = info.security_options.clone().unwrap_or_default();
    let mut target = super::target::describe(
        &endpoint,
        &version_json,
        &security_options,
        &server_local(&reach),
    );
    target.ImageStore = super::content_store::image_store(
        &target.Engine,
        info.driver.as_deref().unwrap_or(""),
        info.driver_status.as_deref().unwrap_or_default(),
    );

    let daemon = Daemon {
        Info: Some(
            convert(&info)
                .map_err(|e| CollectError::Daemon(format!("daemon info not understood: {e}")))?,
        ),
        Version: Some(
            convert(&version)
                .map_err(|e| CollectError::Daemon(format!("daemon version not understood: {e}")))?,
        ),
        InfoStatus: FactStatus::available(),
        Target: target,
        Config: config,
        Networks: networks,
        Swarm: swarm,
        Inventory: inventory,
        DiskUsage: disk_usage,
    };
    let mut snapshot = Snapshot {
        format_version: crate::snapshot::FORMAT_VERSION,
        tool_version: env!("CARGO_PKG_VERSION").to_string(),
        source: Source {
            mode: Mode::Live,
            location: address,
        },
        started_at: started.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        finished_at: chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        host,
        daemon,
        containers,
        images,
        all_containers: opts.all,
        all_images: opts.all_images,
        notes: notes
            .into_iter()
            .chain(faults.iter().map(|f| format!("partial scan: {f}")))
            .collect(),
        faults,
    };
    super::binds::annotate_live(&docker, &mut snapshot, deadline).await;
    Ok(snapshot)
}

/// The daemon could not be asked at all: what happened, and what to do about it.
fn unreachable(address: &str, why: &str) -> CollectError {
    let socket = address.strip_prefix("unix://");
    let advice = if why.contains("Permission denied") || why.contains("permission denied") {
        match socket {
            Some(path) => format!(
                "permission denied on the socket {path}: run as root or as a member of the docker group"
            ),
            None => format!("permission denied: {why}"),
        }
    } else if why.contains("Connection refused") {
        format!("nothing accepts connections there ({why}): is the daemon running?")
    } else if why.starts_with("the daemon answered") || why.starts_with("the daemon did not") {
        why.to_string()
    } else {
        format!("{why} (is it running? use --host, DOCKER_HOST, or scan a saved --snapshot)")
    };
    CollectError::Daemon(format!(
        "cannot reach the Docker daemon at {address}: {advice}"
    ))
}

/// A client for `endpoint` speaking the daemon's API version, and the daemon's `/version`
/// answer: asked once (slow on Podman), it both negotiates and is the Version fact. Every
/// later request carries the negotiated `/v1.xx` prefix (bollard puts the client's version
/// in each path).
async fn connect(
    endpoint: &super::connect::Endpoint,
    deadline: Duration,
) -> Result<(Docker, bollard::models::SystemVersion), CollectError> {
    use super::connect::Address;
    use bollard::ClientVersion;
    let address = endpoint.url();
    let fail = |e: &bollard::errors::Error| unreachable(&address, &with_causes(e));
    if let Address::Unix(path) = &endpoint.address
        && !path.exists()
    {
        return Err(unreachable(
            &address,
            "socket not found (is the daemon running? use --host, DOCKER_HOST, --context, or scan a saved --snapshot)",
        ));
    }
    // Ours (per request, with its message) fires first; bollard's is a backstop.
    let timeout = deadline.as_secs() + 5;
    // Every answer is capped in size (super::capped): bollard reads bodies whole.
    let client = |version: &ClientVersion| match (&endpoint.address, &endpoint.tls) {
        (Address::Unix(path), _) => super::capped::unix(path, timeout, version),
        (Address::Tcp { host, port }, None) => super::capped::tcp(host, *port, timeout, version),
        (Address::Tcp { host, port }, Some(tls)) => {
            for file in [&tls.ca, &tls.cert, &tls.key] {
                if !file.exists() {
                    return Err(bollard::errors::Error::CertPathError { path: file.clone() });
                }
            }
            super::capped::tls(host, *port, tls, timeout, version)
        }
        // The caller bridges ssh:// to a unix socket first.
        (Address::Ssh(_), _) => Err(bollard::errors::Error::UnsupportedURISchemeError {
            uri: address.clone(),
        }),
    };
    let first = client(bollard::API_DEFAULT_VERSION).map_err(|e| fail(&e))?;
    let version = answer(deadline, first.version())
        .await
        .map_err(|e| unreachable(&address, &e.to_string()))?;
    let server = version
        .api_version
        .as_deref()
        .and_then(|v| v.split_once('.'))
        .and_then(|(a, b)| Some((a.parse().ok()?, b.parse().ok()?)));
    let ours = bollard::API_DEFAULT_VERSION;
    let negotiated = match server {
        Some((major_version, minor_version))
            if (major_version, minor_version) < (ours.major_version, ours.minor_version) =>
        {
            ClientVersion {
                major_version,
                minor_version,
            }
        }
        Some(_) => *ours,
        None => {
            return Err(unreachable(
                &address,
                &format!(
                    "its /version answer has no usable ApiVersion ({:?})",
                    version.api_version
                ),
            ));
        }
    };
    let docker = client(&negotiated)
        .map_err(|e| fail(&e))?
        .with_request_modifier(versioned(&negotiated));
    Ok((docker, version))
}

/// Puts `/v<major>.<minor>` before each request's path. bollard 0.21 builds its URL with
/// `Url::join` on an absolute path, which drops the version it put there: without this every
/// request is unversioned and the daemon answers in its newest shape.
fn versioned(
    version: &bollard::ClientVersion,
) -> impl Fn(bollard::BollardRequest) -> bollard::BollardRequest + Send + Sync + 'static {
    let prefix = format!("/v{}.{}", version.major_version, version.minor_version);
    move |mut req| {
        let uri = req.uri();
        let (Some(scheme), Some(authority), Some(pq)) =
            (uri.scheme_str(), uri.authority(), uri.path_and_query())
        else {
            return req;
        };
        let pq = pq.as_str();
        let already = pq
            .strip_prefix("/v")
            .and_then(|r| r.split('/').next())
            .is_some_and(|v| v.contains('.') && v.bytes().all(|b| b.is_ascii_digit() || b == b'.'));
        if !already && let Ok(new) = format!("{scheme}://{authority}{prefix}{pq}").parse() {
            *req.uri_mut() = new;
        }
        req
    }
}

/// What to ask `/system/df` for, or nothing: the totals need it (without the containers
/// when their layers are sized here and the API has `type=` filters); writable layer sizes
/// alone need it only when they cannot be sized here. A local Docker engine before API 1.42 is
/// not asked at all: its totals are put together here (Podman has neither BuildKit's API nor
/// moby's layer store).
fn disk_usage_ask(
    wanted: DiskUsageWanted,
    size_locally: bool,
    negotiated: &str,
    podman: bool,
) -> Option<super::disk_usage::Ask> {
    use super::disk_usage::{Ask, filters_supported};
    match (wanted.totals, wanted.size_rw, size_locally) {
        (true, _, true) if filters_supported(negotiated) => Some(Ask::WithoutContainers),
        (true, _, true) if !podman => Some(Ask::Assembled),
        (true, _, _) => Some(Ask::Everything),
        (false, true, false) => Some(Ask::Everything),
        _ => None,
    }
}

type DiskUsageAnswer = (crate::snapshot::DiskUsage, BTreeMap<String, i64>);

/// What follows once the serving process has been looked for: where the daemon runs, this
/// host's /proc (when it is the daemon's), and the tasks started from that.
struct Located {
    reach: Reach,
    table: Option<Result<std::sync::Arc<super::procs::ProcTable>, String>>,
    /// The /proc observer: each container's facts by ID, as their inspects arrived.
    observed:
        Option<tokio::task::JoinHandle<std::collections::HashMap<String, super::procs::Observed>>>,
    config: crate::snapshot::DaemonConfig,
    /// This host's facts (`this_hosts_facts`), when it is the daemon's.
    host_task: Option<tokio::task::JoinHandle<crate::snapshot::Host>>,
    firewall_task: tokio::task::JoinHandle<crate::snapshot::FirewallFacts>,
    /// Writable layers are sized on this host (`writable_layers`).
    size_locally: bool,
    df_ask: Option<super::disk_usage::Ask>,
    df_task: tokio::task::JoinHandle<DiskUsageAnswer>,
}

/// What the totals are put together from on this host ([`super::disk_usage::Ask::Assembled`]).
struct AssembleFrom {
    docker: Docker,
    data_root: String,
    driver: String,
    images: Vec<bollard::models::ImageSummary>,
    containers: Vec<ContainerSummary>,
    timeout: Duration,
}

/// `/system/df` (or the totals put together here) while the inspects go on (it can take
/// seconds), or a "not gathered" reason. An assembly that fails is an unavailable answer:
/// `writable_layers` then asks `/system/df` for everything.
fn spawn_disk_usage(
    api: &super::connect::Endpoint,
    negotiated: String,
    ask: Option<super::disk_usage::Ask>,
    assemble: Option<AssembleFrom>,
) -> tokio::task::JoinHandle<DiskUsageAnswer> {
    use super::disk_usage::Ask;
    let api = api.clone();
    tokio::spawn(async move {
        match (ask, assemble) {
            (Some(Ask::Assembled), Some(from)) => {
                let inputs = super::reclaimable::Inputs {
                    data_root: &from.data_root,
                    driver: &from.driver,
                    images: &from.images,
                    containers: &from.containers,
                };
                let usage = super::reclaimable::totals(
                    &from.docker,
                    &api,
                    &negotiated,
                    inputs,
                    from.timeout,
                )
                .await
                .unwrap_or_else(|e| crate::snapshot::DiskUsage {
                    Status: FactStatus::unavailable(format!(
                        "the totals could not be put together here: {e}"
                    )),
                    ..Default::default()
                });
                (usage, Default::default())
            }
            (Some(Ask::Assembled), None) => {
                super::disk_usage::collect(&api, &negotiated, Ask::Everything).await
            }
            (Some(ask), _) => super::disk_usage::collect(&api, &negotiated, ask).await,
            (None, _) => (not_gathered(), Default::default()),
        }
    })
}

fn not_gathered() -> crate::snapshot::DiskUsage {
    crate::snapshot::DiskUsage {
        Status: FactStatus::unavailable("not gathered: no selected check reads /system/df"),
        ..Default::default()
    }
}

/// The disk-usage facts and each container's `SizeRw`: the writable layers sized from their
/// upper directories where `size_locally` (the stopped containers' too when the totals are
/// wanted: the ones out of scope are inspected for their directory), `/system/df` for the
/// rest. A layer that cannot be sized here (unreadable, past the walk's bounds) sends the
/// whole question to `/system/df` instead, so a size is never a guess.
async fn writable_layers(
    docker: &Docker,
    api: &super::connect::Endpoint,
    list: &[ContainerSummary],
    containers: &[Container],
    mut upper_dirs: BTreeMap<String, String>,
    (opts, size_locally, ask): (&LiveOptions, bool, Option<super::disk_usage::Ask>),
    df_task: tokio::task::JoinHandle<DiskUsageAnswer>,
) -> DiskUsageAnswer {
    use super::disk_usage::Ask;
    let from_df = |task: tokio::task::JoinHandle<DiskUsageAnswer>| async move {
        task.await.unwrap_or_else(|e| {
            (
                crate::snapshot::DiskUsage {
                    Status: FactStatus::unavailable(format!("reading /system/df failed: {e}")),
                    ..Default::default()
                },
                Default::default(),
            )
        })
    };
    let wanted = opts.disk_usage;
    let without_containers = matches!(ask, Some(Ask::WithoutContainers | Ask::Assembled));
    if !size_locally || !(wanted.size_rw || without_containers) {
        return from_df(df_task).await;
    }
    // Stopped (not running, not paused: `docker container prune` keeps paused ones) containers
    // count towards the reclaimable total.
    let stopped: Vec<String> = list
        .iter()
        .filter(|c| {
            let state = c.state.as_ref().map(|s| s.to_string());
            !matches!(state.as_deref(), Some("running" | "paused"))
        })
        .filter_map(|c| c.id.clone())
        .collect();
    if without_containers {
        let deadline = opts.deadline();
        let missing: Vec<String> = stopped
            .iter()
            .filter(|id| !upper_dirs.contains_key(*id))
            .cloned()
            .collect();
        let found: Vec<(String, Result<Option<String>, Fault>)> = stream::iter(missing)
            .map(|id| async move {
                let inspect = answer(
                    deadline,
                    docker.inspect_container(&id, None::<InspectContainerOptions>),
                )
                .await;
                (id, inspect.map(|raw| container_upper_dir(&raw)))
            })
            .buffered(CONCURRENCY)
            .collect()
            .await;
        for (id, upper) in found {
            match upper {
                Ok(Some(dir)) => {
                    upper_dirs.insert(id, dir);
                }
                // Removed since the list: nothing left to reclaim.
                Err(Fault::Gone) => {}
                // No directory to size, or no answer: the daemon sizes everything.
                _ => {
                    df_task.abort();
                    let everything = Some(Ask::Everything);
                    let version = docker.client_version().to_string();
                    return from_df(spawn_disk_usage(api, version, everything, None)).await;
                }
            }
        }
    }
    let in_scope: Vec<String> = containers.iter().map(|c| c.Id.clone()).collect();
    let sized = tokio::task::spawn_blocking(move || -> Result<BTreeMap<String, i64>, String> {
        upper_dirs
            .into_iter()
            .map(|(id, dir)| Ok((id, super::writable_layer::size(Path::new(&dir))?)))
            .collect()
    })
    .await
    .unwrap_or_else(|e| Err(e.to_string()));
    let sizes = match sized {
        Ok(sizes) => sizes,
        Err(_) => {
            df_task.abort();
            let ask = if wanted.totals || !in_scope.is_empty() {
                Some(Ask::Everything)
            } else {
                None
            };
            let version = docker.client_version().to_string();
            return from_df(spawn_disk_usage(api, version, ask, None)).await;
        }
    };
    let (mut usage, _) = from_df(df_task).await;
    if ask == Some(Ask::Assembled) && usage.Status != FactStatus::Available {
        // Not put together here: the daemon sizes everything.
        let version = docker.client_version().to_string();
        return from_df(spawn_disk_usage(api, version, Some(Ask::Everything), None)).await;
    }
    if without_containers && usage.Status == FactStatus::Available {
        super::disk_usage::add_stopped(
            &mut usage,
            stopped.iter().filter_map(|id| sizes.get(id).copied()),
        );
    }
    if ask.is_none() {
        usage = not_gathered();
    }
    let size_rw = in_scope
        .iter()
        .filter_map(|id| Some((id.clone(), *sizes.get(id)?)))
        .collect();
    (usage, size_rw)
}

/// A container's upper directory from its inspect (`GraphDriver.Data.UpperDir`).
fn container_upper_dir(raw: &bollard::models::ContainerInspectResponse) -> Option<String> {
    let driver = raw.graph_driver.as_ref()?;
    super::writable_layer::upper_dir(&driver.name, &driver.data).map(str::to_string)
}

/// IDs of the listed containers the scan inspects: running ones (all with `--all`), without
/// dockbench's own container unless `--include-self`.
fn containers_in_scope(
    list: &[ContainerSummary],
    opts: &LiveOptions,
    notes: &mut Vec<String>,
) -> Vec<String> {
    let mut ids: Vec<String> = list
        .iter()
        .filter(|c| opts.all || c.state == Some(ContainerSummaryStateEnum::RUNNING))
        .filter_map(|c| c.id.clone())
        .collect();
    // Only a container of the daemon being scanned is ours: a remote daemon's list never
    // holds the ID of the container we run in.
    if let Some(own) = super::own_container::own_container_id(Path::new("/proc/self"))
        && let Some(summary) = list.iter().find(|c| c.id.as_deref() == Some(own.as_str()))
    {
        let name = summary
            .names
            .iter()
            .flatten()
            .next()
            .map(|n| n.trim_start_matches('/').to_string())
            .unwrap_or_default();
        if opts.include_self {
            notes.push(format!(
                "dockbench's own container {name} ({}) is included (--include-self)",
                short_id(&own)
            ));
        } else if ids.contains(&own) {
            ids.retain(|id| *id != own);
            notes.push(format!(
                "dockbench's own container {name} ({}) left out (--include-self keeps it)",
                short_id(&own)
            ));
        }
    }
    ids
}

/// One inspect per container, concurrently. A container removed between list and inspect
/// is left out with a note; one that could not be inspected for another reason is kept with
/// its `Error` (its checks ERROR) and counted in `faults` ("n of m containers …"). Each
/// converted container is sent to `observer` as it arrives. Also returns each container's
/// overlay upper directory (by ID), for sizing its writable layer.
async fn inspect_containers(
    docker: &Docker,
    ids: Vec<String>,
    names: &BTreeMap<String, String>,
    opts: &LiveOptions,
    observer: std::sync::mpsc::Sender<super::procs::ProcQuery>,
    notes: &mut Vec<String>,
    faults: &mut Vec<String>,
) -> (Vec<Container>, BTreeMap<String, String>) {
    let total = ids.len();
    let deadline = opts.deadline();
    let mut progress = crate::progress::Progress::new(ids.len(), opts.progress);
    // Each answer is converted as it arrives (while the others are still under way) and
    // handed to the /proc observer.
    // The container (Err(None): gone, Err(Some): why not) and its overlay upper directory.
    type Inspected = (Result<Container, Option<String>>, Option<String>);
    let inspected: Vec<(String, Inspected)> = stream::iter(ids)
        .map(|id| async move {
            let raw = answer(
                deadline,
                docker.inspect_container(&id, None::<InspectContainerOptions>),
            )
            .await;
            let r = match raw {
                Ok(raw) => (
                    match convert::<_, Container>(&raw) {
                        Ok(mut c) => {
                            c.Name = c.Name.trim_start_matches('/').to_string();
                            // Docker lists mounts in Go map order (random): sort for stable
                            // evidence.
                            c.Mounts.sort_by(|a, b| a.Destination.cmp(&b.Destination));
                            Ok(c)
                        }
                        Err(e) => Err(Some(format!("inspect answer not understood: {}", clip(&e)))),
                    },
                    container_upper_dir(&raw),
                ),
                Err(Fault::Gone) => (Err(None), None),
                Err(Fault::Failed(why)) => {
                    (Err(Some(format!("could not be inspected: {why}"))), None)
                }
            };
            (id, r)
        })
        .buffered(CONCURRENCY)
        .inspect(|(_, r)| {
            progress.tick();
            if let (Ok(c), _) = r {
                // No observer (a remote daemon, or its thread failed): the caller observes.
                let _ = observer.send(super::procs::ProcQuery::of(c));
            }
        })
        .collect()
        .await;
    drop(observer);
    progress.finish();

    let mut containers = Vec::new();
    let mut upper_dirs = BTreeMap::new();
    let mut failed: Vec<String> = Vec::new();
    for (id, (result, upper)) in inspected {
        if let Some(dir) = upper {
            upper_dirs.insert(id.clone(), dir);
        }
        let why = match result {
            Ok(c) => {
                containers.push(c);
                continue;
            }
            Err(Some(why)) => why,
            Err(None) => {
                notes.push(format!(
                    "container {} disappeared between list and inspect; left out",
                    short_id(&id)
                ));
                continue;
            }
        };
        failed.push(why.clone());
        containers.push(Container {
            Name: names
                .get(&id)
                .cloned()
                .unwrap_or_else(|| short_id(&id).to_string()),
            Id: id,
            Error: why,
            ..Container::default()
        });
    }
    if let Some(first) = failed.first() {
        faults.push(format!(
            "{} of {total} containers could not be inspected: {first}",
            failed.len()
        ));
    }
    (containers, upper_dirs)
}

/// Images the containers use (or all of them), each inspected once with its full history and
/// layer facts; images that fail are left out with a note.
// Each argument is one input of its own (the content store joined the remote gating).
#[allow(clippy::too_many_arguments)]
async fn inspect_images(
    docker: &Docker,
    containers: &[Container],
    image_list: &Result<Vec<ImageSummary>, Fault>,
    opts: &LiveOptions,
    host_status: Option<FactStatus>,
    content: Option<std::sync::Arc<Result<super::content_store::ContentStore, FactStatus>>>,
    notes: &mut Vec<String>,
    faults: &mut Vec<String>,
) -> Vec<Image> {
    let deadline = opts.deadline();
    let mut image_ids: BTreeSet<String> = containers
        .iter()
        .map(|c| c.Image.clone())
        .filter(|i| !i.is_empty())
        .collect();
    if opts.all_images {
        match image_list {
            Ok(all) => image_ids.extend(all.iter().map(|i| i.id.clone())),
            Err(e) => notes.push(format!(
                "listing images failed: {e}; only images in use are scanned"
            )),
        }
    }
    let host_status = &host_status;
    let content = &content;
    let images: Vec<(String, Result<Image, String>)> = stream::iter(image_ids)
        .map(|id| async move {
            let (inspect, history) = tokio::join!(
                answer(deadline, docker.inspect_image(&id)),
                answer(deadline, docker.image_history(&id))
            );
            let layers = match &inspect {
                // Layer files are on the daemon's host.
                Ok(_) if host_status.is_some() => crate::snapshot::LayerFacts {
                    Status: host_status.clone().unwrap_or_default(),
                    ..Default::default()
                },
                Ok(i)
                    if let Some(store) = content.clone()
                        && i.graph_driver.as_ref().is_none_or(|g| g.data.is_empty()) =>
                {
                    let (digest, os, arch) = (
                        i.id.clone().unwrap_or_else(|| id.clone()),
                        i.os.clone().unwrap_or_default(),
                        i.architecture.clone().unwrap_or_default(),
                    );
                    tokio::task::spawn_blocking(move || match &*store {
                        Ok(store) => store.layer_facts(&digest, &os, &arch),
                        Err(status) => crate::snapshot::LayerFacts {
                            Status: status.clone(),
                            ..Default::default()
                        },
                    })
                    .await
                    .unwrap_or_else(|e| crate::snapshot::LayerFacts {
                        Status: FactStatus::unavailable(format!("layer walk failed: {e}")),
                        ..Default::default()
                    })
                }
                Ok(i) => {
                    let driver = i.graph_driver.clone().unwrap_or_default();
                    tokio::task::spawn_blocking(move || {
                        super::layers::collect(&driver.name, &driver.data)
                    })
                    .await
                    .unwrap_or_else(|e| crate::snapshot::LayerFacts {
                        Status: FactStatus::unavailable(format!("layer walk failed: {e}")),
                        ..Default::default()
                    })
                }
                Err(_) => Default::default(),
            };
            let result = inspect
                .map_err(|e| e.to_string())
                .and_then(|i| convert::<_, Image>(&i).map_err(|e| clip(&e)))
                .map(|img| Image {
                    Layers: layers,
                    ..img
                })
                .and_then(|mut img| {
                    let history = history.map_err(|e| format!("history: {e}"))?;
                    img.History = history.iter().map(convert).collect::<Result<_, _>>()?;
                    Ok(img)
                });
            (id, result)
        })
        .buffered(CONCURRENCY)
        .collect()
        .await;
    let total = images.len();
    let mut failed: Vec<String> = Vec::new();
    let images = images
        .into_iter()
        .filter_map(|(id, r)| match r {
            Ok(img) => Some(img),
            Err(why) if why == Fault::Gone.to_string() => {
                notes.push(format!(
                    "image {} was removed during the scan; left out",
                    short_id(&id)
                ));
                None
            }
            Err(why) => {
                let why = format!("could not be inspected: {why}");
                failed.push(why.clone());
                Some(Image {
                    Id: id,
                    Error: why,
                    ..Image::default()
                })
            }
        })
        .collect();
    if let Some(first) = failed.first() {
        faults.push(format!(
            "{} of {total} images could not be inspected: {first}",
            failed.len()
        ));
    }
    images
}

/// Where the scanned daemon runs, as far as this host can prove it.
enum Reach {
    /// A dockerd on this host serves the address.
    LocalDockerd(super::target::Server),
    /// Podman on this host serves it: dockerd's files and flags do not apply.
    LocalPodman(super::target::Server),
    /// Not found here (or served by a forwarder): nothing of this host is the daemon's.
    Remote(String),
}

impl Reach {
    fn of(server: &Result<super::target::Server, String>, podman: bool) -> Reach {
        match server {
            // A daemon in a chroot or a container of its own: its PID is here, its files
            // are not at this host's paths (reading them would judge another tree's files).
            Ok(s) if let Some(root) = &s.other_root => Reach::Remote(format!(
                "the address is served by PID {} ({}) running in another root directory ({root}: a chroot or a container of its own), so this host's files are not the daemon's",
                s.pid,
                s.program()
            )),
            // The engine's own process, not whatever answers like it (a proxy or forwarder
            // that says "Podman" is no proof that this host runs it).
            // By the executable when /proc/PID/exe is readable: argv[0] is whatever the
            // process chose to call itself (`exec -a dockerd`).
            Ok(s) if podman && s.identity() == "podman" => Reach::LocalPodman(s.clone()),
            Ok(s) if !podman && s.identity() == "dockerd" => Reach::LocalDockerd(s.clone()),
            Ok(s) => Reach::Remote(format!(
                "the address is served by PID {} ({}), not by {} itself, so the daemon's host is not known",
                s.pid,
                s.identity(),
                if podman { "podman" } else { "dockerd" }
            )),
            Err(e) => Reach::Remote(e.clone()),
        }
    }

    /// None when this host's files, /proc, audit rules and mounts are the daemon's; else the
    /// status of `what` (a fact of the daemon's host): not in a remote scan, with why the
    /// daemon is not taken as local. The one place remote gating is decided.
    fn host_status(&self, what: &str) -> Option<FactStatus> {
        match self {
            Reach::LocalDockerd(_) | Reach::LocalPodman(_) => None,
            Reach::Remote(why) => Some(remote_status(what, why)),
        }
    }
}

/// `what: not available for a remote daemon (why)` (without `what: ` when `what` is "").
fn remote_status(what: &str, why: &str) -> FactStatus {
    let phrase = ScanMode::Remote.phrase();
    FactStatus::NotInMode {
        mode: ScanMode::Remote,
        reason: if what.is_empty() {
            format!("{phrase} ({why})")
        } else {
            format!("{what}: {phrase} ({why})")
        },
    }
}

/// The reason phrase of dockerd-only facts when the engine is Podman.
pub const NOT_PODMAN: &str = "not applicable to Podman";

/// `what: not applicable to Podman`: a dockerd-only fact of a Podman scan (checks SKIP).
pub fn podman_status(what: &str) -> FactStatus {
    FactStatus::NotInMode {
        mode: ScanMode::Engine,
        reason: format!("{what}: {NOT_PODMAN}"),
    }
}

fn server_local(reach: &Reach) -> Result<super::target::Server, String> {
    match reach {
        Reach::LocalDockerd(s) | Reach::LocalPodman(s) => Ok(s.clone()),
        Reach::Remote(why) => Err(why.clone()),
    }
}

/// The scanned daemon's effective configuration: the command line of the dockerd serving
/// the scanned address (from /proc) merged with its config file; a rootless dockerd reads
/// `$XDG_CONFIG_HOME/docker/daemon.json` (default `~/.config/docker/`) of its own
/// environment. Nothing is read for a daemon not found here, nor dockerd's files for Podman.
fn daemon_config(reach: &Reach, podman: bool) -> crate::snapshot::DaemonConfig {
    let server = match reach {
        // Podman, here or elsewhere: no dockerd command line or daemon.json exists.
        _ if podman => {
            return crate::snapshot::DaemonConfig {
                CommandLine: podman_status("dockerd's command line and daemon.json"),
                ..Default::default()
            };
        }
        Reach::LocalDockerd(s) => s,
        Reach::LocalPodman(_) => {
            return crate::snapshot::DaemonConfig {
                CommandLine: podman_status("dockerd's command line and daemon.json"),
                ..Default::default()
            };
        }
        Reach::Remote(why) => {
            return crate::snapshot::DaemonConfig {
                CommandLine: remote_status("dockerd's command line and daemon.json", why),
                ..Default::default()
            };
        }
    };
    let args = server.argv.get(1..).unwrap_or_default();
    let default_file = rootless_config_file(server)
        .unwrap_or_else(|| super::daemon_config::DEFAULT_CONFIG_FILE.to_string());
    let mut config =
        super::daemon_config::resolve_with_default_file(args, true, &default_file, |path| {
            match std::fs::read_to_string(path) {
                Ok(text) => Some(Ok(text)),
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
                Err(e) => Some(Err(e.to_string())),
            }
        });
    // What the process serves (socket activation hands it sockets its flags do not name);
    // docker.socket's ListenStream= when the process cannot be read (a docker-group scan).
    // (Read once, when the serving process was found.)
    match &server.listening {
        Ok(list) => {
            config.Listening = list.clone();
            config.ListeningStatus = FactStatus::available();
        }
        Err(e) => config.ListeningStatus = FactStatus::unavailable(e.clone()),
    }
    if default_file == super::daemon_config::DEFAULT_CONFIG_FILE {
        let fs = super::rootfs::RootFs::new("/");
        let users = super::users::Users::load(&fs);
        config.SocketUnit = super::offline::daemon::socket_unit(&fs, &users, "docker.socket");
    }
    config
}

/// A rootless dockerd's default config file, from its own environment (`ROOTLESSKIT_STATE_DIR`
/// marks it; `XDG_CONFIG_HOME`, else `HOME/.config`).
fn rootless_config_file(server: &super::target::Server) -> Option<String> {
    let raw = std::fs::read(format!("/proc/{}/environ", server.pid)).ok()?;
    let env: BTreeMap<String, String> = raw
        .split(|b| *b == 0)
        .filter_map(|kv| {
            let kv = String::from_utf8_lossy(kv);
            let (k, v) = kv.split_once('=')?;
            Some((k.to_string(), v.to_string()))
        })
        .collect();
    env.get("ROOTLESSKIT_STATE_DIR")?;
    let dir = env
        .get("XDG_CONFIG_HOME")
        .filter(|d| !d.is_empty())
        .cloned()
        .or_else(|| env.get("HOME").map(|h| format!("{h}/.config")))?;
    Some(format!("{dir}/docker/daemon.json"))
}

/// Host facts of a daemon whose host is not this one: the identity the Engine API tells;
/// every file, audit, group, mount, listener and resolver fact not in a remote scan (checks
/// SKIP). Nothing of this host is read.
fn not_this_host(
    reach: &Reach,
    proc_status: FactStatus,
    firewall: crate::snapshot::FirewallFacts,
    info: &bollard::models::SystemInfo,
) -> crate::snapshot::Host {
    let status = |what: &str| reach.host_status(what).unwrap_or_default();
    // The roles the checks read; nothing is stat'ed. No path on the daemon's host is known:
    // `Path` names the role, so the checks' "PATH: reason" reads "docker.service: not …".
    let mut files = super::files::roles();
    for (role, f) in files.iter_mut() {
        f.Path = role.clone();
        f.Status = status("");
    }
    crate::snapshot::Host {
        Hostname: info.name.clone().unwrap_or_default(),
        KernelVersion: info.kernel_version.clone().unwrap_or_default(),
        OperatingSystem: info.operating_system.clone().unwrap_or_default(),
        Proc: proc_status,
        Environment: status("the scanner's environment"),
        Files: files,
        Audit: crate::snapshot::AuditFacts {
            Status: status("audit rules"),
            ..Default::default()
        },
        DockerGroup: crate::snapshot::GroupFacts {
            Status: status("the docker group"),
            ..Default::default()
        },
        DataRootMount: crate::snapshot::MountFacts {
            Status: status("mounts"),
            ..Default::default()
        },
        Listeners: crate::snapshot::ListenerFacts {
            Status: status("listening sockets"),
            ..Default::default()
        },
        Resolver: crate::snapshot::ResolverFacts {
            Status: status("the resolver"),
            ..Default::default()
        },
        Firewall: firewall,
        ..Default::default()
    }
}

/// 3.15/3.16 (and the socket's audit rule) judge the socket actually scanned: a daemon of this
/// host reached over a unix socket gets that socket as the `docker.sock` role, whatever its
/// configuration names (a rootless daemon's `$XDG_RUNTIME_DIR/docker.sock`, `podman.sock`).
fn use_scanned_socket(host: &mut crate::snapshot::Host, path: &Path) {
    let fs = super::rootfs::RootFs::new("/");
    let users = super::users::Users::load(&fs);
    let mut fact = super::files::stat_fact(&fs, &users, &path.to_string_lossy(), true);
    super::audit::mark_audited(&fs, std::iter::once(&mut fact), &host.Audit);
    host.Files.insert("docker.sock".to_string(), fact);
}

/// Podman's host: dockerd's own files and the docker group are "not applicable to Podman"
/// (checks SKIP); the scanned socket, the storage root and runc stay judged.
fn podman_host(host: &mut crate::snapshot::Host) {
    for role in super::target::DOCKERD_ONLY_ROLES {
        let fact = host.Files.entry(role.to_string()).or_default();
        fact.Status = podman_status("a dockerd file");
        if fact.Path.is_empty() {
            fact.Path = role.to_string();
        }
    }
    host.RegistryCerts.clear();
    host.DockerGroup = crate::snapshot::GroupFacts {
        Status: podman_status("the docker group (Podman's socket is not served to it)"),
        ..Default::default()
    };
}

/// The local host's facts: a few dozen stats and at most one `auditctl -l`, cheap enough to
/// run in place, plus the facts gathered alongside.
/// The facts of this host (the daemon's): its files, users, audit rules, mounts, resolver…;
/// `Proc` and `Firewall` are the caller's to fill.
fn this_hosts_facts(
    config: &crate::snapshot::DaemonConfig,
    data_root: &str,
) -> crate::snapshot::Host {
    crate::snapshot::Host {
        Resolver: super::resolver::collect(&super::rootfs::RootFs::new("/")),
        ..super::host::collect_host_facts(&super::rootfs::RootFs::new("/"), true, config, data_root)
    }
}

/// The process serving `endpoint` on this host and the walk of this host's /proc it was
/// found in (None when no listening socket of the address is visible here: the daemon is
/// remote and nothing else of /proc is read).
fn serving_process_and_table(
    endpoint: &super::connect::Endpoint,
) -> (
    Result<super::target::Server, String>,
    Option<Result<super::procs::ProcTable, String>>,
) {
    let proc = Path::new("/proc");
    let inodes = match super::target::listening_inodes(proc, endpoint) {
        Ok(inodes) => inodes,
        Err(e) => return (Err(e), None),
    };
    match super::procs::ProcTable::scan(proc, Path::new("/sys/fs/cgroup")) {
        Ok(t) => (
            super::target::serving_process(&t, endpoint, &inodes),
            Some(Ok(t)),
        ),
        Err(e) => (Err(e.clone()), Some(Err(e))),
    }
}

/// Sprawl counts over every container and image (CIS 6.1, 6.2).
fn inventory(containers: &[ContainerSummary], images: &[ImageSummary]) -> Inventory {
    let in_use: BTreeSet<&str> = containers
        .iter()
        .filter_map(|c| c.image_id.as_deref())
        .collect();
    let unused = images
        .iter()
        .filter(|i| !in_use.contains(i.id.as_str()))
        .map(|i| image_display_name(&i.repo_tags, &i.id))
        .collect();
    Inventory {
        Status: FactStatus::Available,
        ContainersTotal: containers.len() as i64,
        ContainersRunning: containers
            .iter()
            .filter(|c| c.state == Some(ContainerSummaryStateEnum::RUNNING))
            .count() as i64,
        ImagesTotal: images.len() as i64,
        ImagesInUse: images
            .iter()
            .filter(|i| in_use.contains(i.id.as_str()))
            .count() as i64,
        UnusedImages: unused,
    }
}

/// A network with the names of the scanned containers attached to it.
fn network(n: &bollard::models::Network, containers: &[Container]) -> Result<Network, String> {
    let mut net: Network = convert(n)?;
    net.Containers = containers
        .iter()
        .filter(|c| c.NetworkSettings.Networks.contains_key(&net.Name))
        .map(|c| c.Name.clone())
        .collect();
    Ok(net)
}

/// What only a swarm manager can tell: the number of secrets.
async fn swarm_facts(docker: &Docker, info: &bollard::models::SystemInfo) -> SwarmFacts {
    let swarm = info.swarm.as_ref();
    let active = swarm
        .and_then(|s| s.local_node_state.as_ref())
        .is_some_and(|s| s.to_string() == "active");
    if !active {
        return SwarmFacts {
            Status: FactStatus::unavailable("swarm mode is not active"),
            ..SwarmFacts::default()
        };
    }
    if swarm.and_then(|s| s.control_available) != Some(true) {
        return SwarmFacts {
            Status: FactStatus::unavailable("this node is not a swarm manager"),
            ..SwarmFacts::default()
        };
    }
    match docker.list_secrets(None::<ListSecretsOptions>).await {
        Ok(secrets) => SwarmFacts {
            Status: FactStatus::Available,
            Secrets: secrets.len() as i64,
        },
        Err(e) => SwarmFacts {
            Status: FactStatus::unavailable(format!("listing secrets failed: {e}")),
            ..SwarmFacts::default()
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn system_df_is_asked_only_for_what_nothing_else_answers() {
        use super::super::disk_usage::Ask::{Assembled, Everything, WithoutContainers};
        let totals = DiskUsageWanted {
            totals: true,
            size_rw: false,
        };
        let size_rw = DiskUsageWanted {
            totals: false,
            size_rw: true,
        };
        // API 1.42+ with layers sized here: the daemon sizes no container.
        assert_eq!(
            disk_usage_ask(totals, true, "1.45", false),
            Some(WithoutContainers)
        );
        assert_eq!(
            disk_usage_ask(DiskUsageWanted::ALL, true, "1.42", false),
            Some(WithoutContainers)
        );
        // API 1.41 has no type= filters; a remote or non-overlay daemon sizes them itself.
        // API 1.41 has no type= filters: a local Docker engine's totals are put together here;
        // Podman, a remote or non-overlay daemon sizes them itself.
        assert_eq!(disk_usage_ask(totals, true, "1.41", false), Some(Assembled));
        assert_eq!(disk_usage_ask(totals, true, "1.41", true), Some(Everything));
        assert_eq!(
            disk_usage_ask(totals, false, "1.51", false),
            Some(Everything)
        );
        // Writable layer sizes alone: no /system/df where they are sized here.
        assert_eq!(disk_usage_ask(size_rw, true, "1.41", false), None);
        assert_eq!(
            disk_usage_ask(size_rw, false, "1.41", false),
            Some(Everything)
        );
        assert_eq!(
            disk_usage_ask(DiskUsageWanted::NONE, false, "1.41", false),
            None
        );
    }

    fn server(program: &str) -> Result<super::super::target::Server, String> {
        Ok(super::super::target::Server {
            pid: 42,
            argv: vec![format!("/usr/bin/{program}")],
            sockets: Vec::new(),
            listening: Ok(Vec::new()),
            exe: None,
            other_root: None,
        })
    }

    /// The engine's own process in a chroot of its own: its files are under that root, not
    /// at this host's paths, so none of this host's files are judged as its own.
    #[test]
    fn an_engine_in_another_root_is_not_local() {
        for (program, podman) in [("podman", true), ("dockerd", false)] {
            let mut s = server(program).unwrap();
            s.other_root = Some("/srv/chroot".into());
            let Reach::Remote(why) = Reach::of(&Ok(s), podman) else {
                panic!("{program} in a chroot taken as local");
            };
            assert!(
                why.contains("another root directory (/srv/chroot") && why.contains("PID 42"),
                "{why}"
            );
        }
    }

    /// A forwarder that answers like the engine is not the engine: its host is unknown (a
    /// python proxy saying "Podman" was taken as local, and this host's files judged).
    #[test]
    fn only_the_engines_own_process_makes_a_scan_local() {
        assert!(matches!(
            Reach::of(&server("dockerd"), false),
            Reach::LocalDockerd(_)
        ));
        assert!(matches!(
            Reach::of(&server("podman"), true),
            Reach::LocalPodman(_)
        ));
        for (program, podman) in [
            ("python3", true),
            ("python3", false),
            ("dockerd", true),
            ("podman", false),
        ] {
            let Reach::Remote(why) = Reach::of(&server(program), podman) else {
                panic!("{program} taken as the engine (podman: {podman})");
            };
            assert!(why.contains(&format!("PID 42 ({program})")), "{why}");
        }
        // A process that calls itself dockerd is not one: its executable says what it runs.
        let mut fake = server("dockerd").unwrap();
        fake.exe = Some("python3.11".into());
        let Reach::Remote(why) = Reach::of(&Ok(fake), false) else {
            panic!("argv[0] 'dockerd' of a python process taken as the engine");
        };
        assert!(why.contains("PID 42 (python3.11)"), "{why}");
    }
}
