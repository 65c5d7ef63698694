//! Offline collector (`--root DIR`): every fact read from the mounted file system of another
//! host — no daemon, no network, no writes. Docker's on-disk state is mapped into the same
//! `Snapshot` fields the live collector fills, so the same checks run unchanged; facts only a
//! running host has (processes, mounts, sockets, `/info`, swarm state) are marked "not
//! available in an offline scan", which the checks that need them report as SKIP.
pub mod containers;
pub mod daemon;
pub mod images;
pub mod installed;

use std::collections::BTreeSet;
use std::path::PathBuf;

use super::CollectError;
use super::rootfs::RootFs;
use crate::docker::short_id;
use crate::snapshot::{
    Container, Daemon, DiskUsage, FactStatus, Image, Inventory, Mode, Snapshot, Source, SwarmFacts,
};

#[derive(Debug, Clone, Default)]
pub struct OfflineOptions {
    /// The mounted root of the cloned host.
    pub root: PathBuf,
    /// Include containers that were not running when the disk was cloned.
    pub all: bool,
    /// Every image in the store, not only those containers use.
    pub all_images: bool,
}

/// Directories under which only a running system has files (tmpfs): a clone's sockets and
/// runtime state are never there.
const RUNTIME_DIRS: &[&str] = &["/run", "/var/run"];

pub fn collect_root(opts: &OfflineOptions) -> Result<Snapshot, CollectError> {
    let started = chrono::Utc::now();
    let root = &opts.root;
    if !root.is_dir() {
        return Err(CollectError::Root(format!(
            "{}: not a directory (give the mount point of the cloned disk)",
            root.display()
        )));
    }
    let fs = RootFs::new(root.as_path());
    let layout = daemon::locate(&fs).map_err(CollectError::Root)?;
    let data_root = layout.data_root.clone();
    let mut notes = layout.notes.clone();

    let all_containers = containers::read_all(&fs, &data_root).map_err(CollectError::Root)?;
    for c in all_containers.iter().filter(|c| !c.Error.is_empty()) {
        notes.push(format!("container {}: {}", short_id(&c.Id), c.Error));
    }

    // The containerd image store when configured, or when there is no graph-driver store.
    let containerd = layout
        .config
        .Settings
        .get("features")
        .and_then(|f| f.Value.get("containerd-snapshotter"))
        .and_then(|v| v.as_bool());
    let graph = daemon::storage_driver(&fs, &data_root, &layout.config)
        .filter(|_| containerd != Some(true));
    let image_store = match &graph {
        Some(driver) => format!("graphdriver ({driver})"),
        None if containerd != Some(false) => {
            match all_containers.iter().find(|c| !c.Driver.is_empty()) {
                Some(c) => format!("containerd ({})", c.Driver),
                None => "containerd".to_string(),
            }
        }
        None => String::new(),
    };
    let store = match graph {
        Some(driver) => Some(images::Store::open(&fs, &data_root, &driver)),
        None if containerd != Some(false) => {
            images::Store::open_containerd(&fs, &data_root, &all_containers).map(Ok)
        }
        None => None,
    };
    let (image_ids, listed, store) = match store {
        Some(Ok(store)) => {
            notes.extend(store.note.clone());
            let ids = store.ids();
            let listed = store.listed(&ids);
            (ids, listed, Some(store))
        }
        Some(Err(e)) => {
            notes.push(format!("image store not readable: {e}; images left out"));
            (Vec::new(), Vec::new(), None)
        }
        None => {
            notes.push(format!("no image store under {data_root}/image"));
            (Vec::new(), Vec::new(), None)
        }
    };
    let inventory = inventory(&all_containers, &listed, store.as_ref());

    let containers: Vec<Container> = all_containers
        .into_iter()
        // A container whose files are corrupt has no known state: always reported.
        .filter(|c| !c.Error.is_empty() || opts.all || containers::is_listed_running(c))
        .collect();
    let mut wanted: BTreeSet<String> = containers
        .iter()
        .map(|c| c.Image.clone())
        .filter(|i| !i.is_empty())
        .collect();
    if opts.all_images {
        wanted.extend(listed.iter().cloned());
    }
    let known: BTreeSet<&String> = image_ids.iter().collect();
    let wanted: Vec<String> = wanted.into_iter().collect();
    let images: Vec<Image> = match &store {
        Some(store) => parallel_map(&wanted, |id| {
            if known.contains(id) {
                store.read(id)
            } else {
                Err("not in the image store".to_string())
            }
        })
        .into_iter()
        .zip(&wanted)
        .filter_map(|(r, id)| {
            r.map_err(|e| notes.push(format!("image {}: {e}; left out", short_id(id))))
                .ok()
        })
        .collect(),
        None => Vec::new(),
    };

    let mut host = super::host::collect_host_facts(&fs, false, &layout.config, &data_root);
    host.Proc = FactStatus::offline("running processes");
    // The header's kernel and Docker version: what is installed, since nothing runs.
    let kernel = installed::kernel(&fs);
    let docker = installed::docker_version(&fs);
    let mut whence = Vec::new();
    if let Some((release, from)) = kernel {
        host.KernelVersion = release;
        whence.push(format!("kernel {from}"));
    }
    if let Some((version, from)) = docker {
        host.InstalledDockerVersion = version;
        whence.push(format!("Docker version from {from}"));
    }
    if !whence.is_empty() {
        notes.push(format!("installed, not running: {}", whence.join("; ")));
    }
    host.Resolver = super::resolver::collect(&fs);
    host.Firewall = super::firewall::collect(&fs);
    for fact in host.Files.values_mut() {
        let runtime = RUNTIME_DIRS
            .iter()
            .any(|d| crate::docker::path_within(&fact.Path, d));
        if runtime && !fact.Exists && fact.Status.is_available() {
            fact.Status = FactStatus::offline("a runtime file (on tmpfs while the host runs)");
        }
    }

    notes.push(
        "networks are not read offline (the daemon keeps them in a database); the swarm checks that need them SKIP".into(),
    );
    let location = match &layout.rootless_user {
        Some(user) => format!(
            "{} (rootless Docker of user {user}, data root {data_root})",
            root.display()
        ),
        None => format!("{} (data root {data_root})", root.display()),
    };
    let mut snapshot = Snapshot {
        format_version: crate::snapshot::FORMAT_VERSION,
        tool_version: env!("CARGO_PKG_VERSION").to_string(),
        source: Source {
            mode: Mode::Root,
            location,
        },
        started_at: started.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        finished_at: chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        host,
        daemon: Daemon {
            Info: None,
            InfoStatus: FactStatus::offline("daemon info (/info)"),
            Version: None,
            Target: crate::snapshot::Target {
                ImageStore: if store.is_some() {
                    image_store
                } else {
                    String::new()
                },
                ..Default::default()
            },
            Config: layout.config,
            Networks: Vec::new(),
            Swarm: SwarmFacts {
                Status: FactStatus::offline("swarm secrets"),
                Secrets: 0,
            },
            Inventory: inventory,
            DiskUsage: DiskUsage {
                Status: FactStatus::offline("reclaimable space (/system/df)"),
                ..DiskUsage::default()
            },
        },
        containers,
        images,
        all_containers: opts.all,
        all_images: opts.all_images,
        notes,
        faults: Vec::new(),
    };
    // Volumes mounted with `o=bind` and bind sources are host paths of the clone: links are
    // followed inside it.
    let mut volume_notes = Vec::new();
    let volumes =
        super::binds::offline_volume_options(&fs, &data_root, &snapshot, &mut volume_notes);
    snapshot.notes.extend(volume_notes);
    super::binds::annotate(&mut snapshot, &volumes, Some(&fs));
    Ok(snapshot)
}

/// Sprawl counts (CIS 6.1, 6.2) over every container on disk and the listed images.
fn inventory(
    containers: &[Container],
    listed: &[String],
    store: Option<&images::Store>,
) -> Inventory {
    let in_use: BTreeSet<&str> = containers.iter().map(|c| c.Image.as_str()).collect();
    Inventory {
        Status: FactStatus::Available,
        ContainersTotal: containers.len() as i64,
        ContainersRunning: containers
            .iter()
            .filter(|c| containers::is_listed_running(c))
            .count() as i64,
        ImagesTotal: listed.len() as i64,
        ImagesInUse: listed
            .iter()
            .filter(|i| in_use.contains(i.as_str()))
            .count() as i64,
        UnusedImages: listed
            .iter()
            .filter(|i| !in_use.contains(i.as_str()))
            .map(|i| match store {
                Some(s) => s.display_name(i),
                None => short_id(i).to_string(),
            })
            .collect(),
    }
}

/// `f` over `items` on a few threads (reads of thousands of small files), in order.
pub fn parallel_map<T: Sync, R: Send>(items: &[T], f: impl Fn(&T) -> R + Sync) -> Vec<R> {
    let threads = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1)
        .clamp(1, 8);
    if items.len() < 64 || threads == 1 {
        return items.iter().map(&f).collect();
    }
    let chunk = items.len().div_ceil(threads);
    std::thread::scope(|s| {
        let handles: Vec<_> = items
            .chunks(chunk)
            .map(|part| s.spawn(|| part.iter().map(&f).collect::<Vec<R>>()))
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().expect("reader thread panicked"))
            .collect()
    })
}
