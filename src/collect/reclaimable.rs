//! The reclaimable totals of `/system/df` put together on this host, for a local Docker engine
//! whose API (before 1.42) cannot leave the containers out of `/system/df`: the daemon would
//! size every container's writable layer to answer (seconds at a thousand containers). Each
//! part is counted as moby's `/system/df` counts it (and `disk_usage::parse` sums it):
//!
//! - **Dangling images** (`/images/json`, untagged, no container's `ImageID`): the bytes of their
//!   layers no other listed image has (`Size - SharedSize`); a layer's size is its
//!   `<DockerRootDir>/image/<driver>/layerdb/sha256/<chain ID>/size`, the chain IDs those of
//!   the image's `RootFS.Layers` (moby's `ChainID`: the digest of `parent + " " + diff`).
//! - **Unused anonymous volumes** (`/volumes?filters={"dangling":["true"]}`, driver `local`
//!   without mount options, a 64-hex name): the bytes under their `Mountpoint`, by moby's `directory.Size` rules
//!   (`writable_layer::size`).
//! - **Build cache**: BuildKit's records (`build_cache.rs`), neither in use nor shared.
//!
//! The stopped containers' layers are added by the caller (`disk_usage::add_stopped`). Any part
//! that cannot be had (an unreadable layer size, a volume past the walk's bounds, an engine
//! without BuildKit's API) fails the whole: the caller then asks `/system/df` for everything,
//! so a total is never a guess.
use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::time::Duration;

use bollard::Docker;
use bollard::models::{ContainerSummary, ImageSummary};
use bollard::query_parameters::ListVolumesOptionsBuilder;
use futures_util::{StreamExt, TryStreamExt, stream};

use crate::snapshot::{DiskUsage, FactStatus, Reclaimable};

/// What the totals are put together from.
pub struct Inputs<'a> {
    /// `/info` DockerRootDir (a path of this host).
    pub data_root: &'a str,
    /// `/info` Driver (`overlay2`, `fuse-overlayfs`).
    pub driver: &'a str,
    /// `/images/json` (all=false: the images `/system/df` lists).
    pub images: &'a [ImageSummary],
    /// `/containers/json?all=1`.
    pub containers: &'a [ContainerSummary],
}

/// Inspects at once while the layers of all images are looked up.
const CONCURRENCY: usize = 16;

/// The totals without the stopped containers, or why they cannot be had here.
pub async fn totals(
    docker: &Docker,
    api: &super::connect::Endpoint,
    version: &str,
    inputs: Inputs<'_>,
    timeout: Duration,
) -> Result<DiskUsage, String> {
    let work = async {
        let (images, volumes, cache) = tokio::join!(
            dangling_images(docker, &inputs),
            unused_volumes(docker),
            super::build_cache::records(api, version),
        );
        let mut usage = DiskUsage {
            Status: FactStatus::Available,
            DanglingImages: images?,
            UnusedVolumes: volumes?,
            BuildCache: super::build_cache::reclaimable(&cache?),
            ..DiskUsage::default()
        };
        usage.TotalBytes =
            usage.DanglingImages.Bytes + usage.UnusedVolumes.Bytes + usage.BuildCache.Bytes;
        Ok(usage)
    };
    tokio::time::timeout(timeout, work)
        .await
        .unwrap_or_else(|_| Err(format!("no answer within {} s", timeout.as_secs())))
}

/// `/system/df` shows an untagged image as `<none>:<none>`; newer daemons send no tag at all.
fn untagged(image: &ImageSummary) -> bool {
    image.repo_tags.iter().all(|t| t == "<none>:<none>")
}

async fn dangling_images(docker: &Docker, inputs: &Inputs<'_>) -> Result<Reclaimable, String> {
    let used: HashSet<&str> = inputs
        .containers
        .iter()
        .filter_map(|c| c.image_id.as_deref())
        .collect();
    let dangling: Vec<&str> = inputs
        .images
        .iter()
        .filter(|i| untagged(i) && !used.contains(i.id.as_str()))
        .map(|i| i.id.as_str())
        .collect();
    if dangling.is_empty() {
        return Ok(Reclaimable::default());
    }
    // Sharing is counted over every listed image, so every one's layers are needed.
    let ids: Vec<String> = inputs.images.iter().map(|i| i.id.clone()).collect();
    let layers: HashMap<String, Vec<String>> = stream::iter(ids)
        .map(|id| {
            let docker = docker.clone();
            async move {
                let inspect = docker
                    .inspect_image(&id)
                    .await
                    .map_err(|e| format!("inspecting image {id}: {e}"))?;
                let diffs = inspect.root_fs.and_then(|r| r.layers).unwrap_or_default();
                Ok::<_, String>((id, chain_ids(&diffs)))
            }
        })
        .buffer_unordered(CONCURRENCY)
        .try_collect()
        .await?;
    let layerdb = Path::new(inputs.data_root)
        .join("image")
        .join(inputs.driver)
        .join("layerdb/sha256");
    let dangling: Vec<Vec<String>> = dangling
        .iter()
        .filter_map(|id| layers.get(*id).cloned())
        .collect();
    let refs = references(layers.values());
    tokio::task::spawn_blocking(move || unique_bytes(&dangling, &refs, &layerdb))
        .await
        .map_err(|e| e.to_string())?
}

/// How many of the images have each layer (by chain ID).
fn references<'a>(images: impl Iterator<Item = &'a Vec<String>>) -> HashMap<String, usize> {
    let mut refs = HashMap::new();
    for chain in images.flatten() {
        *refs.entry(chain.clone()).or_insert(0) += 1;
    }
    refs
}

/// The dangling images' count and the bytes of their layers no other image has.
fn unique_bytes(
    dangling: &[Vec<String>],
    refs: &HashMap<String, usize>,
    layerdb: &Path,
) -> Result<Reclaimable, String> {
    let mut r = Reclaimable::default();
    for chains in dangling {
        r.Count += 1;
        for chain in chains.iter().filter(|c| refs.get(*c) == Some(&1)) {
            r.Bytes += layer_size(layerdb, chain)?.max(0);
        }
    }
    Ok(r)
}

/// A layer's own size (its diff), from `layerdb/sha256/<chain>/size`.
fn layer_size(layerdb: &Path, chain: &str) -> Result<i64, String> {
    let hex = chain.trim_start_matches("sha256:");
    if hex.len() != 64 || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(format!("{chain}: not a chain ID"));
    }
    let path: PathBuf = layerdb.join(hex).join("size");
    let text = std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
    text.trim()
        .parse()
        .map_err(|_| format!("{}: not a size: {:?}", path.display(), text.trim()))
}

/// moby's `layer.CreateChainID` for each prefix of the diff IDs: the first is the first diff
/// ID, each next one `sha256:` + hex(sha256(parent + " " + diff)).
pub fn chain_ids(diff_ids: &[String]) -> Vec<String> {
    let mut chains: Vec<String> = Vec::with_capacity(diff_ids.len());
    for diff in diff_ids {
        let chain = match chains.last() {
            None => diff.clone(),
            Some(parent) => {
                let digest = ring::digest::digest(
                    &ring::digest::SHA256,
                    format!("{parent} {diff}").as_bytes(),
                );
                let hex: String = digest.as_ref().iter().map(|b| format!("{b:02x}")).collect();
                format!("sha256:{hex}")
            }
        };
        chains.push(chain);
    }
    chains
}

async fn unused_volumes(docker: &Docker) -> Result<Reclaimable, String> {
    let filters = HashMap::from([("dangling", vec!["true"])]);
    let list = docker
        .list_volumes(Some(
            ListVolumesOptionsBuilder::new().filters(&filters).build(),
        ))
        .await
        .map_err(|e| format!("listing unused volumes: {e}"))?;
    // `/system/df` lists only the `local` driver's volumes without mount options (moby's
    // `LocalVolumesSize`: one with options is a mount of something else, tmpfs, NFS or a bind)
    // and sizes their `Mountpoint`.
    let dirs: Vec<PathBuf> = list
        .volumes
        .unwrap_or_default()
        .into_iter()
        .filter(|v| v.driver == "local" && v.options.is_empty())
        .filter(|v| super::disk_usage::is_anonymous_volume(&v.name))
        .map(|v| PathBuf::from(v.mountpoint))
        .collect();
    tokio::task::spawn_blocking(move || {
        let mut r = Reclaimable::default();
        for dir in dirs {
            r.Count += 1;
            r.Bytes += super::writable_layer::size(&dir)?;
        }
        Ok(r)
    })
    .await
    .map_err(|e| e.to_string())?
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chain_ids_are_moby_s() {
        // The busybox-static image of the tests: one layer, whose chain ID is its diff ID;
        // two layers: sha256 of "<chain> <diff>" (the values of `docker inspect` and the
        // layer store of a Docker 20.10 host).
        let a = "sha256:".to_string() + &"a".repeat(64);
        let b = "sha256:".to_string() + &"b".repeat(64);
        let chains = chain_ids(&[a.clone(), b.clone()]);
        assert_eq!(chains[0], a);
        let expected = ring::digest::digest(&ring::digest::SHA256, format!("{a} {b}").as_bytes());
        let hex: String = expected
            .as_ref()
            .iter()
            .map(|x| format!("{x:02x}"))
            .collect();
        assert_eq!(chains[1], format!("sha256:{hex}"));
        assert_eq!(chains[1].len(), 71);
        assert!(chain_ids(&[]).is_empty());
    }

    #[test]
    fn only_layers_no_other_image_has_count() {
        let dir = tempfile::tempdir().unwrap();
        let chain = |c: char| format!("sha256:{}", c.to_string().repeat(64));
        for (c, size) in [('1', 100), ('2', 20), ('3', 3)] {
            let d = dir.path().join(c.to_string().repeat(64));
            std::fs::create_dir_all(&d).unwrap();
            std::fs::write(d.join("size"), format!("{size}")).unwrap();
        }
        // The base layer 1 is in both images; 2 only in the dangling one; 3 only in the other.
        let dangling = vec![chain('1'), chain('2')];
        let other = vec![chain('1'), chain('3')];
        let refs = references([&dangling, &other].into_iter());
        let r = unique_bytes(std::slice::from_ref(&dangling), &refs, dir.path()).unwrap();
        assert_eq!((r.Count, r.Bytes), (1, 20));
        // A missing size file is no size: the caller asks the daemon.
        let missing = vec![chain('4')];
        let refs = references([&missing].into_iter());
        assert!(unique_bytes(&[missing], &refs, dir.path()).is_err());
        assert!(layer_size(dir.path(), "sha256:../../etc").is_err());
    }
}
