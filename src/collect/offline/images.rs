//! Images from the graph-driver image store: `<data-root>/image/<driver>/imagedb/content/sha256/<id>`
//! (the image config: config, history, rootfs), `repositories.json` (tags and digests),
//! `imagedb/metadata/sha256/<id>/parent` and `layerdb/sha256/<chain>/{diff,parent,size}`;
//! or, on a host with the containerd image store (no `imagedb`), from containerd's content
//! store: the image ID is its manifest's (or index's) digest, the manifest names the config
//! blob and the layer archives (`content_store.rs`).
use std::collections::{BTreeMap, BTreeSet};

use serde::Deserialize;

use super::super::layers::{LayerDir, OVERLAY_DRIVERS};
use super::super::rootfs::RootFs;
use crate::snapshot::{FactStatus, HistoryEntry, Image, ImageConfig, LayerFacts, strip_nulls};

/// The image store of one storage driver, or containerd's.
pub struct Store<'a> {
    fs: &'a RootFs,
    /// Set for the containerd image store: its content store.
    content: Option<super::super::content_store::ContentStore>,
    dir: String,
    /// image ID → (tags, digests).
    refs: BTreeMap<String, (Vec<String>, Vec<String>)>,
    /// (parent chain ID or "", diff ID) → layer size.
    layers: BTreeMap<(String, String), (String, i64)>,
    /// The storage driver and its directory of layer contents (`<data-root>/overlay2`).
    driver: String,
    driver_dir: String,
    /// What the scan should be told of the store (containerd's database unreadable).
    pub note: Option<String>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct RawImage {
    architecture: String,
    os: String,
    created: String,
    config: ImageConfig,
    history: Vec<RawHistory>,
    rootfs: RawRootFs,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct RawHistory {
    created: String,
    created_by: String,
    comment: String,
    empty_layer: bool,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct RawRootFs {
    diff_ids: Vec<String>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct Repositories {
    #[serde(rename = "Repositories")]
    repositories: BTreeMap<String, BTreeMap<String, String>>,
}

impl<'a> Store<'a> {
    pub fn open(fs: &'a RootFs, data_root: &str, driver: &str) -> Result<Store<'a>, String> {
        let dir = format!("{data_root}/image/{driver}");
        let repos_path = format!("{dir}/repositories.json");
        let repos: Repositories = match fs.read_to_string(&repos_path) {
            Ok(text) => serde_json::from_str(&text).map_err(|e| format!("{repos_path}: {e}"))?,
            Err(e) if super::super::rootfs::is_not_found(&e) => Repositories::default(),
            Err(e) => return Err(format!("{repos_path}: {e}")),
        };
        let mut refs: BTreeMap<String, (Vec<String>, Vec<String>)> = BTreeMap::new();
        for (reference, id) in repos.repositories.into_values().flatten() {
            let entry = refs.entry(id).or_default();
            if reference.contains('@') {
                entry.1.push(reference);
            } else {
                entry.0.push(reference);
            }
        }
        let mut store = Store {
            fs,
            content: None,
            dir,
            refs,
            layers: BTreeMap::new(),
            driver: driver.to_string(),
            driver_dir: format!("{data_root}/{driver}"),
            note: None,
        };
        store.layers = store.read_layers();
        Ok(store)
    }

    /// Every image ID in the store (`sha256:…`). For the containerd store, those named in
    /// containerd's database and those the containers were made from, when their manifest
    /// is in the content store.
    pub fn ids(&self) -> Vec<String> {
        if let Some(content) = &self.content {
            return self
                .refs
                .keys()
                .filter(|id| content.has(id))
                .cloned()
                .collect();
        }
        self.fs
            .read_dir(format!("{}/imagedb/content/sha256", self.dir))
            .unwrap_or_default()
            .into_iter()
            .map(|n| format!("sha256:{}", n.to_string_lossy()))
            .collect()
    }

    /// Images `docker images` lists: all but untagged parents of other images.
    pub fn listed(&self, ids: &[String]) -> Vec<String> {
        let parents: BTreeSet<String> = ids.iter().filter_map(|id| self.parent(id)).collect();
        ids.iter()
            .filter(|id| !parents.contains(*id) || self.refs.contains_key(*id))
            .cloned()
            .collect()
    }

    /// Tags of an image, else its short ID.
    pub fn display_name(&self, id: &str) -> String {
        self.refs
            .get(id)
            .and_then(|(tags, _)| tags.first().cloned())
            .unwrap_or_else(|| crate::docker::short_id(id).to_string())
    }

    fn parent(&self, id: &str) -> Option<String> {
        let hex = id.trim_start_matches("sha256:");
        self.fs
            .read_to_string(format!("{}/imagedb/metadata/sha256/{hex}/parent", self.dir))
            .ok()
            .map(|p| p.trim().to_string())
            .filter(|p| !p.is_empty())
    }

    /// Every layer of the layer store by (parent chain, diff ID): no hashing needed to walk
    /// an image's chain.
    fn read_layers(&self) -> BTreeMap<(String, String), (String, i64)> {
        let dir = format!("{}/layerdb/sha256", self.dir);
        let read = |chain: &str, file: &str| {
            self.fs
                .read_to_string(format!("{dir}/{chain}/{file}"))
                .map(|t| t.trim().to_string())
                .unwrap_or_default()
        };
        self.fs
            .read_dir(&dir)
            .unwrap_or_default()
            .into_iter()
            .map(|n| n.to_string_lossy().into_owned())
            .filter_map(|chain| {
                let diff = read(&chain, "diff");
                (!diff.is_empty()).then(|| {
                    let size = read(&chain, "size").parse().unwrap_or(0);
                    (
                        (read(&chain, "parent"), diff),
                        (format!("sha256:{chain}"), size),
                    )
                })
            })
            .collect()
    }

    /// Sizes of the image's layers, bottom first; None when a layer is not in the store.
    fn layer_sizes(&self, diff_ids: &[String]) -> Option<Vec<i64>> {
        let mut parent = String::new();
        let mut sizes = Vec::new();
        for diff in diff_ids {
            let (chain, size) = self.layers.get(&(parent.clone(), diff.clone()))?;
            sizes.push(*size);
            parent = chain.clone();
        }
        Some(sizes)
    }

    /// What a read-only walk of the image's layer directories finds (CIS 4.3, 4.8): the
    /// directories are those the daemon would report in `GraphDriver.Data`, found through
    /// `layerdb/sha256/<chain>/cache-id`.
    fn layer_facts(&self, diff_ids: &[String]) -> LayerFacts {
        let mut parent = String::new();
        let mut dirs = Vec::new();
        for diff in diff_ids {
            let Some((chain, _)) = self.layers.get(&(parent.clone(), diff.clone())) else {
                return LayerFacts {
                    Status: FactStatus::unavailable(format!(
                        "layer {diff} is not in the layer store"
                    )),
                    ..LayerFacts::default()
                };
            };
            let hex = chain.trim_start_matches("sha256:");
            let path = format!("{}/layerdb/sha256/{hex}/cache-id", self.dir);
            match self.fs.read_to_string(&path) {
                Ok(cache) => {
                    let dir = format!("{}/{}/diff", self.driver_dir, cache.trim());
                    // Opened through the confined lookup: the walk starts inside the clone
                    // whatever links the layer path holds (and a ':' in the root is no list
                    // separator here).
                    dirs.push(LayerDir {
                        dir: self.fs.open_dir(&dir),
                        name: dir,
                    });
                }
                Err(e) => {
                    return LayerFacts {
                        Status: FactStatus::unavailable(format!("{path}: {e}")),
                        ..LayerFacts::default()
                    };
                }
            }
            parent = chain.clone();
        }
        if !OVERLAY_DRIVERS.contains(&self.driver.as_str()) {
            return super::super::layers::collect(&self.driver, &Default::default());
        }
        if dirs.is_empty() {
            return LayerFacts {
                Status: FactStatus::unavailable("the image has no layers"),
                ..LayerFacts::default()
            };
        }
        // GraphDriver order: the top layer first.
        dirs.reverse();
        super::super::layers::walk(dirs)
    }

    /// One image as `docker image inspect` + `docker history` show it.
    pub fn read(&self, id: &str) -> Result<Image, String> {
        if let Some(content) = &self.content {
            return self.read_containerd(content, id);
        }
        let hex = id.trim_start_matches("sha256:");
        let path = format!("{}/imagedb/content/sha256/{hex}", self.dir);
        let text = self
            .fs
            .read_to_string(&path)
            .map_err(|e| format!("{path}: {e}"))?;
        let value: serde_json::Value =
            serde_json::from_str(&text).map_err(|e| format!("{path}: {e}"))?;
        let diff_ids: Vec<String> = value["rootfs"]["diff_ids"]
            .as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|d| d.as_str().map(String::from))
                    .collect()
            })
            .unwrap_or_default();
        let sizes = self.layer_sizes(&diff_ids);
        let mut image = self.image(id, value, &path, sizes)?;
        image.Layers = self.layer_facts(&diff_ids);
        Ok(image)
    }

    /// An image of the containerd store: manifest → config blob; layers from the archives.
    fn read_containerd(
        &self,
        content: &super::super::content_store::ContentStore,
        id: &str,
    ) -> Result<Image, String> {
        // The platform is the host's: a clone of an amd64 host keeps amd64 layers.
        let manifest = content
            .manifest(
                id,
                "linux",
                std::env::consts::ARCH.replace("x86_64", "amd64").as_str(),
            )
            .or_else(|_| content.manifest(id, "", ""))?;
        let value: serde_json::Value = content.json(&manifest.config.digest)?;
        let os = value["os"].as_str().unwrap_or("linux").to_string();
        let arch = value["architecture"].as_str().unwrap_or("").to_string();
        let sizes = Some(manifest.layers.iter().map(|l| l.size).collect());
        let mut image = self.image(id, value, &content.name, sizes)?;
        image.Layers = content.layer_facts(id, &os, &arch);
        Ok(image)
    }

    /// The image of config `value` (an OCI/Docker image config) with layer sizes `sizes`
    /// (bottom first); its layer facts are the caller's.
    fn image(
        &self,
        id: &str,
        mut value: serde_json::Value,
        path: &str,
        sizes: Option<Vec<i64>>,
    ) -> Result<Image, String> {
        strip_nulls(&mut value);
        let raw: RawImage = serde_json::from_value(value).map_err(|e| format!("{path}: {e}"))?;
        let (tags, digests) = self.refs.get(id).cloned().unwrap_or_default();
        let mut layer_sizes = sizes.clone().unwrap_or_default().into_iter();
        let mut history: Vec<HistoryEntry> = raw
            .history
            .iter()
            .map(|h| HistoryEntry {
                Created: chrono::DateTime::parse_from_rfc3339(&h.created)
                    .map(|t| t.timestamp())
                    .unwrap_or(0),
                CreatedBy: h.created_by.clone(),
                Comment: h.comment.clone(),
                Size: if h.empty_layer {
                    0
                } else {
                    layer_sizes.next().unwrap_or(0)
                },
                Tags: Vec::new(),
            })
            .collect();
        history.reverse();
        if let Some(top) = history.first_mut() {
            top.Tags = tags.clone();
        }
        Ok(Image {
            Id: id.to_string(),
            RepoTags: tags,
            RepoDigests: digests,
            Created: raw.created,
            Size: sizes.map(|s| s.iter().sum()).unwrap_or(0),
            Os: raw.os,
            Architecture: raw.architecture,
            Config: raw.config,
            History: history,
            Layers: LayerFacts::default(),
            Error: String::new(),
        })
    }

    /// The containerd image store of a clone whose Docker keeps no `image/<driver>/imagedb`:
    /// containerd's root from the clone's `/etc/containerd/config.toml` (else
    /// `/var/lib/containerd`), or `<data-root>/containerd/daemon` when dockerd ran its own
    /// containerd; None when neither holds a content store. The images are those of
    /// containerd's database (`io.containerd.metadata.v1.bolt/meta.db`, namespace `moby`:
    /// image name → target digest, read by `bolt.rs`), named as Docker names them, and those
    /// the containers name (`config.v2.json` `Image`); when the database cannot be read,
    /// only the containers' (with a note).
    pub fn open_containerd(
        fs: &'a RootFs,
        data_root: &str,
        containers: &[crate::snapshot::Container],
    ) -> Option<Store<'a>> {
        use super::super::content_store::{
            BLOBS, ContentStore, DEFAULT_ROOT, config_root_and_address,
        };
        /// containerd's metadata database below its root, and the namespace dockerd uses.
        const METADATA_DB: &str = "io.containerd.metadata.v1.bolt/meta.db";
        const DOCKER_NAMESPACE: &str = "moby";
        /// Larger databases (hosts with very many images) are not read.
        const MAX_METADATA_DB: u64 = 256 << 20;
        let configured = fs
            .read_to_string("/etc/containerd/config.toml")
            .ok()
            .and_then(|t| config_root_and_address(&t).ok())
            .map(|(root, _)| root)
            .unwrap_or_else(|| DEFAULT_ROOT.to_string());
        let root = [configured, format!("{data_root}/containerd/daemon")]
            .into_iter()
            .find(|r| {
                fs.stat(format!("{r}/{BLOBS}"), true)
                    .is_ok_and(|m| m.is_dir())
            })?;
        let dir = format!("{root}/{BLOBS}");
        let content = ContentStore::from_dir(dir.clone(), fs.open_dir(&dir));
        let mut refs: BTreeMap<String, (Vec<String>, Vec<String>)> = BTreeMap::new();
        for c in containers.iter().filter(|c| !c.Image.is_empty()) {
            let entry = refs.entry(c.Image.clone()).or_default();
            let name = &c.Config.Image;
            let is_id = name.starts_with("sha256:") || c.Image.contains(name.as_str());
            if !name.is_empty() && !is_id && !entry.0.contains(name) {
                entry.0.push(name.clone());
            }
        }
        let db_path = format!("{root}/{METADATA_DB}");
        let note = match fs.read(std::path::Path::new(&db_path), MAX_METADATA_DB) {
            Ok(data) => match super::super::bolt::containerd_images(&data, DOCKER_NAMESPACE) {
                Ok(images) => {
                    for (name, digest) in images {
                        // Docker's name for an image left without one (`docker images`
                        // shows it as <none>); digest references are RepoDigests.
                        let entry = refs.entry(digest).or_default();
                        if name.starts_with("moby-dangling@") {
                            continue;
                        }
                        let name = familiar_name(&name);
                        let list = if name.contains('@') {
                            &mut entry.1
                        } else {
                            &mut entry.0
                        };
                        if !list.contains(&name) {
                            list.push(name);
                        }
                    }
                    None
                }
                Err(e) => Some(format!(
                    "{db_path}: {e}; images listed are those of the containers only"
                )),
            },
            Err(e) => Some(format!(
                "{db_path}: {e}; images listed are those of the containers only"
            )),
        };
        for (tags, _) in refs.values_mut() {
            tags.sort();
        }
        Some(Store {
            fs,
            content: Some(content),
            dir,
            refs,
            layers: BTreeMap::new(),
            driver: String::new(),
            driver_dir: String::new(),
            note,
        })
    }
}

/// An image name as Docker shows it: `docker.io/library/busybox:1` → `busybox:1`,
/// `docker.io/dbe/app:1` → `dbe/app:1`; other registries' names as they are.
fn familiar_name(name: &str) -> String {
    let short = name.strip_prefix("docker.io/").unwrap_or(name);
    short.strip_prefix("library/").unwrap_or(short).to_string()
}
