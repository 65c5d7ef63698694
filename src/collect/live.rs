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
    Cause, Container, Daemon, FactStatus, Image, Inventory, Mode, Network, Snapshot, Source,
    SwarmFacts, strip_nulls,
};

/// How many inspect calls run at once.
const CONCURRENCY: usize = 32;
const DEFAULT_HOST: &str = "unix:///var/run/docker.sock";

#[derive(Debug, Clone, Default)]
pub struct LiveOptions {
    /// Daemon address (`--host`, else `DOCKER_HOST`, else the default socket).
    pub host: Option<String>,
    /// Include created and exited containers.
    pub all: bool,
    /// Inspect every image on the host, not only those containers use.
    pub all_images: bool,
    /// Keep dockbench's own container in the scan (it is left out by default).
    pub include_self: bool,
    /// Show a progress line on stderr for many containers (the caller checked the terminal).
    pub progress: bool,
    /// Ask `/system/df` (reclaimable space, writable layer sizes). The daemon sizes every layer
    /// for it — seconds on a host with thousands of containers — so a scan whose checks do not
    /// read those facts leaves it out.
    pub disk_usage: bool,
}

pub fn daemon_address(opts: &LiveOptions) -> String {
    opts.host
        .clone()
        .or_else(|| std::env::var("DOCKER_HOST").ok().filter(|h| !h.is_empty()))
        .unwrap_or_else(|| DEFAULT_HOST.to_string())
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
    let address = daemon_address(opts);
    let docker = connect(&address).await?;
    let unreachable = |e: &dyn std::error::Error| unreachable(&address, &with_causes(e));

    // All containers are listed (one call) for the sprawl counts; only those in scope
    // are inspected.
    let list_opts = ListContainersOptionsBuilder::new().all(true).build();
    let (info, version, list, image_list, networks) = tokio::join!(
        docker.info(),
        docker.version(),
        docker.list_containers(Some(list_opts)),
        docker.list_images(Some(ListImagesOptionsBuilder::new().all(false).build())),
        docker.list_networks(None::<ListNetworksOptions>),
    );
    // Facts that take their time run on blocking threads while the inspects go on.
    let df_task = spawn_disk_usage(
        &address,
        docker.client_version().to_string(),
        opts.disk_usage,
    );
    let firewall_task =
        tokio::task::spawn_blocking(|| super::firewall::collect(&super::rootfs::RootFs::new("/")));
    let info = info.map_err(|e| unreachable(&e))?;
    let version = version.map_err(|e| unreachable(&e))?;
    let list = list.map_err(|e| unreachable(&e))?;

    let mut notes = Vec::new();
    let inventory = match &image_list {
        Ok(images) => inventory(&list, images),
        Err(e) => Inventory {
            Status: FactStatus::unavailable(format!("listing images failed: {e}")),
            ..Inventory::default()
        },
    };
    let ids = containers_in_scope(&list, opts, &mut notes);

    // One inspect per container, concurrently; /proc is read at the same time.
    let id_set: BTreeSet<String> = ids.iter().cloned().collect();
    let procs_task = tokio::task::spawn_blocking(move || {
        super::procs::by_container(Path::new("/proc"), &id_set)
    });
    let mut containers = inspect_containers(&docker, ids, opts.progress, &mut notes).await;
    let images = inspect_images(&docker, &containers, &image_list, opts, &mut notes).await;
    let proc_status = attach_processes(&mut containers, procs_task.await);
    let config = daemon_config(&address);

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

    let (disk_usage, size_rw) = df_task.await.unwrap_or_else(|e| {
        (
            crate::snapshot::DiskUsage {
                Status: FactStatus::unavailable(format!("reading /system/df failed: {e}")),
                ..Default::default()
            },
            Default::default(),
        )
    });
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
    let host = host_facts(
        proc_status,
        firewall,
        &config,
        info.docker_root_dir.as_deref().unwrap_or(""),
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
        Config: config,
        Networks: networks,
        Swarm: swarm,
        Inventory: inventory,
        DiskUsage: disk_usage,
    };
    Ok(Snapshot {
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
        notes,
    })
}

fn unreachable(address: &str, why: &str) -> CollectError {
    CollectError::Daemon(format!(
        "cannot reach the Docker daemon at {address}: {why} (is it running? use --host, DOCKER_HOST, or scan a saved --snapshot)"
    ))
}

/// A client for `address` speaking the daemon's API version.
async fn connect(address: &str) -> Result<Docker, CollectError> {
    if let Some(path) = address.strip_prefix("unix://")
        && !Path::new(path).exists()
    {
        return Err(unreachable(address, "socket not found"));
    }
    let docker = Docker::connect_with_host(address)
        .map_err(|e| unreachable(address, &with_causes(&e)))?
        .with_timeout(Duration::from_secs(60));
    docker
        .negotiate_version()
        .await
        .map_err(|e| unreachable(address, &with_causes(&e)))
}

/// `/system/df` on a blocking thread (it sizes every layer), or a "not gathered" reason when
/// no selected check reads it.
fn spawn_disk_usage(
    address: &str,
    negotiated: String,
    wanted: bool,
) -> tokio::task::JoinHandle<(crate::snapshot::DiskUsage, BTreeMap<String, i64>)> {
    let address = address.to_string();
    tokio::task::spawn_blocking(move || {
        if wanted {
            super::disk_usage::collect(&address, &negotiated)
        } else {
            (
                crate::snapshot::DiskUsage {
                    Status: FactStatus::unavailable(
                        "not gathered: no selected check reads /system/df",
                    ),
                    ..Default::default()
                },
                Default::default(),
            )
        }
    })
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

/// One inspect per container, concurrently; containers that vanished or did not parse are
/// left out with a note.
async fn inspect_containers(
    docker: &Docker,
    ids: Vec<String>,
    show_progress: bool,
    notes: &mut Vec<String>,
) -> Vec<Container> {
    let mut progress = crate::progress::Progress::new(ids.len(), show_progress);
    let inspected: Vec<(
        String,
        Result<bollard::models::ContainerInspectResponse, bollard::errors::Error>,
    )> = stream::iter(ids)
        .map(|id| async move {
            (
                id.clone(),
                docker
                    .inspect_container(&id, None::<InspectContainerOptions>)
                    .await,
            )
        })
        .buffered(CONCURRENCY)
        .inspect(|_| progress.tick())
        .collect()
        .await;
    progress.finish();

    let mut containers = Vec::new();
    for (id, result) in inspected {
        match result {
            Ok(raw) => match convert::<_, Container>(&raw) {
                Ok(mut c) => {
                    c.Name = c.Name.trim_start_matches('/').to_string();
                    // Docker lists mounts in Go map order (random): sort for stable evidence.
                    c.Mounts.sort_by(|a, b| a.Destination.cmp(&b.Destination));
                    containers.push(c);
                }
                Err(e) => notes.push(format!(
                    "container {id}: inspect answer not understood: {e}"
                )),
            },
            Err(bollard::errors::Error::DockerResponseServerError {
                status_code: 404, ..
            }) => notes.push(format!(
                "container {} disappeared between list and inspect; left out",
                short_id(&id)
            )),
            Err(e) => notes.push(format!(
                "container {}: inspect failed: {e}; left out",
                short_id(&id)
            )),
        }
    }
    containers
}

/// Images the containers use (or all of them), each inspected once with its full history and
/// layer facts; images that fail are left out with a note.
async fn inspect_images(
    docker: &Docker,
    containers: &[Container],
    image_list: &Result<Vec<ImageSummary>, bollard::errors::Error>,
    opts: &LiveOptions,
    notes: &mut Vec<String>,
) -> Vec<Image> {
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
    let images: Vec<(String, Result<Image, String>)> = stream::iter(image_ids)
        .map(|id| async move {
            let (inspect, history) =
                tokio::join!(docker.inspect_image(&id), docker.image_history(&id));
            let layers = match &inspect {
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
                .and_then(|i| convert::<_, Image>(&i))
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
    images
        .into_iter()
        .filter_map(|(id, r)| {
            r.map_err(|e| notes.push(format!("image {}: {e}; left out", short_id(&id))))
                .ok()
        })
        .collect()
}

/// Gives each container its processes from the /proc walk; the status says when running
/// containers show none (the scanner does not see the host's PID namespace).
fn attach_processes<E: std::fmt::Display>(
    containers: &mut [Container],
    walk: Result<Result<BTreeMap<String, Vec<crate::snapshot::Process>>, String>, E>,
) -> FactStatus {
    match walk {
        Ok(Ok(mut by_id)) => {
            let mut blind = 0;
            for c in containers {
                let found = by_id.remove(&c.Id).unwrap_or_default();
                c.Processes = if c.State.Running && found.is_empty() {
                    blind += 1;
                    None
                } else {
                    Some(found)
                };
            }
            if blind == 0 {
                FactStatus::available()
            } else {
                FactStatus::unreadable(
                    Cause::Unreadable,
                    format!(
                        "no processes visible for {blind} running container(s): the scanner does not see the host's PID namespace (run it on the host, or with --pid host)"
                    ),
                )
            }
        }
        Ok(Err(e)) => FactStatus::unreadable(Cause::Unreadable, e),
        Err(e) => FactStatus::unreadable(Cause::Unreadable, format!("reading /proc failed: {e}")),
    }
}

/// The scanned daemon's effective configuration: its command line from /proc (the dockerd
/// holding the socket we talk to) merged with its config file.
fn daemon_config(address: &str) -> crate::snapshot::DaemonConfig {
    let found = super::daemon_config::find_dockerd_args_for(
        Path::new("/proc"),
        address.strip_prefix("unix://"),
    );
    let known = found.is_some();
    let args = found.unwrap_or_default();
    super::daemon_config::resolve(&args, known, |path| match std::fs::read_to_string(path) {
        Ok(text) => Some(Ok(text)),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
        Err(e) => Some(Err(e.to_string())),
    })
}

/// The local host's facts: a few dozen stats and at most one `auditctl -l`, cheap enough to
/// run in place, plus the facts gathered alongside.
fn host_facts(
    proc_status: FactStatus,
    firewall: crate::snapshot::FirewallFacts,
    config: &crate::snapshot::DaemonConfig,
    data_root: &str,
) -> crate::snapshot::Host {
    crate::snapshot::Host {
        Proc: proc_status,
        Resolver: super::resolver::collect(&super::rootfs::RootFs::new("/")),
        Firewall: firewall,
        ..super::host::collect_host_facts(&super::rootfs::RootFs::new("/"), true, config, data_root)
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
