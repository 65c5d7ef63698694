//! The containerd image store (Docker 24+ with `"features": {"containerd-snapshotter": true}`,
//! the default of fresh Docker 29 installs): an image is a manifest (or an index of them) in
//! containerd's content store, `<containerd root>/io.containerd.content.v1.content/blobs/sha256/<hex>`,
//! and its layers are tar archives there, stored as containerd got them (plain, gzip or zstd).
//! CIS 4.3 and 4.8 read the layers' tar headers as streams — contents are never kept, nothing
//! is unpacked or written — top layer first, with the layer tar format's whiteouts honoured
//! (`.wh.NAME` deletes NAME below, `.wh..wh..opq` hides a directory's lower contents) and the
//! same bounds as the directory walk of `layers.rs`.
use std::collections::BTreeSet;
use std::io::{self, BufRead, BufReader, Read};
use std::os::fd::OwnedFd;
use std::path::{Path, PathBuf};

use rustix::fs::{Mode, OFlags};
use serde::Deserialize;

use super::layers::{MAX_DEPTH, MAX_ENTRIES, TOOLS, in_bin_dir, parse_passwd};
use crate::snapshot::{Cause, FactStatus, LayerFacts};

/// The content store's blob directory below containerd's root.
pub const BLOBS: &str = "io.containerd.content.v1.content/blobs/sha256";
/// containerd's root when its configuration names none.
pub const DEFAULT_ROOT: &str = "/var/lib/containerd";
/// The largest manifest, index or image config read, in bytes.
const MAX_JSON: u64 = 4 << 20;
/// At most this many bytes of decompressed tar per image: a decompression bomb ends the
/// walk (marked truncated) instead of the scan.
pub const MAX_TAR_BYTES: u64 = 32 << 30;
/// The largest `/etc/passwd` read from a layer, in bytes.
const MAX_PASSWD: u64 = 1 << 20;

/// An OCI/Docker descriptor: what a manifest or index points at.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct Descriptor {
    pub media_type: String,
    pub digest: String,
    pub size: i64,
    pub platform: Option<Platform>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct Platform {
    pub os: String,
    pub architecture: String,
}

/// An image manifest: its config blob and its layers, bottom first.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct Manifest {
    pub media_type: String,
    pub config: Descriptor,
    pub layers: Vec<Descriptor>,
    /// Set when the blob is an index (a multi-platform image): the manifests it lists.
    pub manifests: Vec<Descriptor>,
}

/// containerd's content store, opened at its blob directory (or why it could not be).
pub struct ContentStore {
    /// Where the blobs are, for messages.
    pub name: String,
    blobs: Result<OwnedFd, String>,
}

impl ContentStore {
    /// The store of the containerd whose root is `root` on this host (a live scan).
    pub fn open(root: &Path) -> ContentStore {
        let dir = root.join(BLOBS);
        let blobs = rustix::fs::open(&dir, dir_flags(), Mode::empty()).map_err(|e| {
            format!(
                "cannot open containerd's content store {}: {e}",
                dir.display()
            )
        });
        ContentStore {
            name: dir.display().to_string(),
            blobs,
        }
    }

    /// A store whose blob directory was opened elsewhere (a clone's, through the confined
    /// lookup of `RootFs`).
    pub fn from_dir(name: String, dir: io::Result<OwnedFd>) -> ContentStore {
        let blobs = dir.map_err(|e| format!("cannot open containerd's content store {name}: {e}"));
        ContentStore { name, blobs }
    }

    /// Whether the blob directory could be opened.
    pub fn is_open(&self) -> bool {
        self.blobs.is_ok()
    }

    /// Opens blob `digest` (`sha256:<64 hex>`) for reading: no link followed, never blocking.
    pub fn blob(&self, digest: &str) -> io::Result<std::fs::File> {
        let dir = self
            .blobs
            .as_ref()
            .map_err(|e| io::Error::new(io::ErrorKind::NotFound, e.clone()))?;
        let hex = digest_hex(digest).ok_or_else(|| {
            io::Error::new(
                io::ErrorKind::InvalidInput,
                format!("not a sha256 digest: {digest:?}"),
            )
        })?;
        let flags = OFlags::RDONLY | OFlags::NOFOLLOW | OFlags::NONBLOCK | OFlags::CLOEXEC;
        let fd = rustix::fs::openat(dir, hex, flags, Mode::empty())?;
        let file = std::fs::File::from(fd);
        if !file.metadata()?.is_file() {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                "not a regular file",
            ));
        }
        Ok(file)
    }

    /// Whether blob `digest` is in the store.
    pub fn has(&self, digest: &str) -> bool {
        self.blob(digest).is_ok()
    }

    /// A JSON blob (manifest, index, image config), at most 4 MiB.
    pub fn json<T: serde::de::DeserializeOwned>(&self, digest: &str) -> Result<T, String> {
        let mut text = Vec::new();
        self.blob(digest)
            .and_then(|f| f.take(MAX_JSON + 1).read_to_end(&mut text))
            .map_err(|e| format!("blob {digest} in {}: {e}", self.name))?;
        if text.len() as u64 > MAX_JSON {
            return Err(format!("blob {digest}: larger than 4 MiB, not read"));
        }
        serde_json::from_slice(&text).map_err(|e| format!("blob {digest}: {e}"))
    }

    /// The manifest of image `digest` (its ID in a containerd-store Docker) for `os`/`arch`:
    /// an index is resolved to the first manifest of that platform whose blob is here (a
    /// multi-platform pull keeps the other platforms' manifests only as references).
    pub fn manifest(&self, digest: &str, os: &str, arch: &str) -> Result<Manifest, String> {
        let mut digest = digest.to_string();
        // An index of indexes is legal; two levels is as deep as registries go.
        for _ in 0..3 {
            let m: Manifest = self.json(&digest)?;
            if m.manifests.is_empty() {
                return Ok(m);
            }
            let pick = m.manifests.iter().find(|d| {
                let p = d.platform.clone().unwrap_or_default();
                let fits = (p.os.is_empty() || os.is_empty() || p.os == os)
                    && (p.architecture.is_empty() || arch.is_empty() || p.architecture == arch);
                // Attestations are listed with platform unknown/unknown.
                fits && p.os != "unknown" && self.has(&d.digest)
            });
            match pick {
                Some(d) => digest = d.digest.clone(),
                None => {
                    return Err(format!(
                        "index {digest} lists no {os}/{arch} manifest that is in the content store"
                    ));
                }
            }
        }
        Err(format!("index {digest}: nested too deeply"))
    }

    /// What a read-only walk of image `digest`'s layer archives finds (CIS 4.3, 4.8).
    pub fn layer_facts(&self, digest: &str, os: &str, arch: &str) -> LayerFacts {
        if let Err(e) = &self.blobs {
            return LayerFacts {
                Status: FactStatus::unreadable(Cause::Unreadable, e.clone()),
                ..LayerFacts::default()
            };
        }
        let manifest = match self.manifest(digest, os, arch) {
            Ok(m) => m,
            Err(e) => {
                return LayerFacts {
                    Status: FactStatus::unreadable(Cause::Unreadable, e),
                    ..LayerFacts::default()
                };
            }
        };
        if manifest.layers.is_empty() {
            return LayerFacts {
                Status: FactStatus::unavailable("the image has no layers"),
                ..LayerFacts::default()
            };
        }
        let layers = manifest
            .layers
            .iter()
            .rev()
            .map(|l| {
                (
                    format!("layer {} in {}", l.digest, self.name),
                    self.blob(&l.digest),
                )
            })
            .collect();
        walk_archives(layers)
    }
}

fn dir_flags() -> OFlags {
    OFlags::RDONLY | OFlags::DIRECTORY | OFlags::NOFOLLOW | OFlags::NONBLOCK | OFlags::CLOEXEC
}

/// The hex of a `sha256:` digest, or None for anything else (a path, `..`, a short hex).
pub fn digest_hex(digest: &str) -> Option<&str> {
    let hex = digest.strip_prefix("sha256:")?;
    (hex.len() == 64 && hex.bytes().all(|b| b.is_ascii_hexdigit())).then_some(hex)
}

/// A layer stream decompressed as its first bytes say: gzip (`1f 8b`), zstd (`28 b5 2f fd`),
/// else a plain tar (media types are not trusted: `docker load` stores plain tars under
/// either name).
fn decompressed<R: Read + 'static>(r: R) -> io::Result<Box<dyn Read>> {
    let mut r = BufReader::with_capacity(1 << 16, r);
    let head = r.fill_buf()?;
    Ok(if head.starts_with(&[0x1f, 0x8b]) {
        Box::new(flate2::bufread::MultiGzDecoder::new(r))
    } else if head.starts_with(&[0x28, 0xb5, 0x2f, 0xfd]) {
        Box::new(
            ruzstd::decoding::StreamingDecoder::new(r)
                .map_err(|e| io::Error::new(io::ErrorKind::InvalidData, e.to_string()))?,
        )
    } else {
        Box::new(r)
    })
}

/// Counts the bytes read through it against a shared budget; past it, reads end (EOF).
struct Budget<R> {
    inner: R,
    left: std::rc::Rc<std::cell::Cell<u64>>,
    hit: std::rc::Rc<std::cell::Cell<bool>>,
}

impl<R: Read> Read for Budget<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let left = self.left.get();
        if left == 0 {
            self.hit.set(true);
            return Ok(0);
        }
        let n = buf.len().min(left.min(usize::MAX as u64) as usize);
        let got = self.inner.read(&mut buf[..n])?;
        self.left.set(left - got as u64);
        Ok(got)
    }
}

/// Walks layer archives, top (newest) first: a path in an upper layer hides the same path
/// below, a whiteout deletes it, an opaque marker hides a directory's lower contents. Only
/// headers are read (and the top-most `/etc/passwd`); a layer that cannot be read or parsed
/// makes the facts unavailable, naming it: "nothing found" must mean "nothing there".
pub fn walk_archives<R: Read + 'static>(layers: Vec<(String, io::Result<R>)>) -> LayerFacts {
    walk_archives_bounded(layers, MAX_ENTRIES, MAX_TAR_BYTES)
}

fn walk_archives_bounded<R: Read + 'static>(
    layers: Vec<(String, io::Result<R>)>,
    max_entries: usize,
    max_bytes: u64,
) -> LayerFacts {
    let mut facts = LayerFacts {
        Status: FactStatus::Available,
        ..LayerFacts::default()
    };
    // Paths present in an upper layer; those that are not directories hide everything below.
    let mut seen: BTreeSet<String> = BTreeSet::new();
    let mut files_above: BTreeSet<String> = BTreeSet::new();
    // Deleted by an upper layer's whiteout, or hidden by its opaque directory.
    let mut deleted: BTreeSet<String> = BTreeSet::new();
    let mut passwd_seen = false;
    let mut entries = 0usize;
    let left = std::rc::Rc::new(std::cell::Cell::new(max_bytes));
    let hit = std::rc::Rc::new(std::cell::Cell::new(false));
    'layers: for (name, stream) in layers {
        let fail = |what: String, e: &io::Error| LayerFacts {
            Status: FactStatus::io(
                format!(
                    "cannot read {what}: {e}: the layers were not fully walked, so a file there would go unseen"
                ),
                e,
            ),
            ..LayerFacts::default()
        };
        let stream = match stream.and_then(decompressed) {
            Ok(s) => s,
            Err(e) => return fail(name, &e),
        };
        let budget = Budget {
            inner: stream,
            left: left.clone(),
            hit: hit.clone(),
        };
        let mut archive = tar::Archive::new(budget);
        let iter = match archive.entries() {
            Ok(i) => i,
            Err(e) => return fail(name, &e),
        };
        // This layer's own marks apply to the layers below it only.
        let mut layer_seen: Vec<(String, bool)> = Vec::new();
        let mut layer_deleted: Vec<String> = Vec::new();
        for entry in iter {
            let mut entry = match entry {
                Ok(e) => e,
                Err(_) if hit.get() => {
                    facts.Truncated = true;
                    break 'layers;
                }
                Err(e) => return fail(name, &e),
            };
            entries += 1;
            if entries > max_entries {
                facts.Truncated = true;
                break 'layers;
            }
            let Some(path) = entry_path(&entry) else {
                continue;
            };
            if path.is_empty() {
                continue;
            }
            let (dir, base) = match path.rfind('/') {
                Some(i) => (&path[..i], &path[i + 1..]),
                None => ("", path.as_str()),
            };
            if hidden(&path, &deleted, &files_above) {
                continue;
            }
            if base == ".wh..wh..opq" {
                layer_deleted.push(dir.to_string());
                continue;
            }
            if let Some(target) = base.strip_prefix(".wh.") {
                layer_deleted.push(format!("{dir}/{target}"));
                continue;
            }
            if path.matches('/').count() > MAX_DEPTH + 1 {
                facts.Truncated = true;
                continue;
            }
            let kind = entry.header().entry_type();
            let is_dir = kind.is_dir();
            let first = !seen.contains(&path);
            layer_seen.push((path.clone(), is_dir));
            if !first || is_dir {
                continue;
            }
            let mode = entry.header().mode().unwrap_or(0) & 0o7777;
            // A hard link is the same inode as its target: same mode.
            let regular = kind.is_file() || kind.is_hard_link() || kind.is_contiguous();
            if regular && mode & 0o6000 != 0 {
                facts.SetuidFiles.push(format!("{path} ({mode:04o})"));
            }
            if (regular || kind.is_symlink()) && in_bin_dir(dir) && TOOLS.contains(&base) {
                facts.Tools.push(path.clone());
            }
            if path == "/etc/passwd" && !passwd_seen {
                passwd_seen = true;
                if kind.is_file() {
                    let mut text = Vec::new();
                    if (&mut entry).take(MAX_PASSWD).read_to_end(&mut text).is_ok() {
                        facts.Users = parse_passwd(&String::from_utf8_lossy(&text));
                        facts.PasswdPath = path.clone();
                    }
                } else {
                    // The archives are read once, in order: a link's target may be behind.
                    let target = entry
                        .link_name()
                        .ok()
                        .flatten()
                        .map(|t| t.display().to_string())
                        .unwrap_or_default();
                    facts.PasswdProblem = format!(
                        "/etc/passwd is a link ({target}) or not a regular file: not followed in the containerd store's layer archives"
                    );
                }
            }
        }
        if hit.get() {
            facts.Truncated = true;
            break;
        }
        for (path, is_dir) in layer_seen {
            if !is_dir {
                files_above.insert(path.clone());
            }
            seen.insert(path);
        }
        let hides_all = layer_deleted.iter().any(|d| d.is_empty());
        deleted.extend(layer_deleted);
        if hides_all {
            break;
        }
    }
    facts.SetuidFiles.sort();
    facts.SetuidFiles.dedup();
    facts.Tools.sort();
    facts.Tools.dedup();
    facts
}

/// The entry's path in the image, `/`-rooted, without `./` or a trailing `/`; None for a
/// path that climbs out (`..`), which no layer writer produces.
fn entry_path<R: Read>(entry: &tar::Entry<'_, R>) -> Option<String> {
    let raw = entry.path_bytes();
    let text = String::from_utf8_lossy(&raw);
    let mut out = String::new();
    for part in text.split('/') {
        match part {
            "" | "." => {}
            ".." => return None,
            p => {
                out.push('/');
                out.push_str(p);
            }
        }
    }
    Some(out)
}

/// Whether `path` is deleted by an upper layer, or lies below something an upper layer
/// deleted or replaced with a non-directory.
fn hidden(path: &str, deleted: &BTreeSet<String>, files_above: &BTreeSet<String>) -> bool {
    if deleted.contains(path) || deleted.contains("") {
        return true;
    }
    let mut end = path.len();
    while let Some(i) = path[..end].rfind('/') {
        if i == 0 {
            break;
        }
        let ancestor = &path[..i];
        if deleted.contains(ancestor) || files_above.contains(ancestor) {
            return true;
        }
        end = i;
    }
    false
}

/// containerd's `root` and gRPC `address` from its configuration file (TOML), with
/// containerd's defaults for what it leaves out.
pub fn config_root_and_address(config: &str) -> Result<(String, String), String> {
    let value: toml::Table = config.parse().map_err(|e| format!("{e}"))?;
    let root = value
        .get("root")
        .and_then(|v| v.as_str())
        .unwrap_or(DEFAULT_ROOT)
        .to_string();
    let address = value
        .get("grpc")
        .and_then(|g| g.get("address"))
        .and_then(|v| v.as_str())
        .unwrap_or("/run/containerd/containerd.sock")
        .to_string();
    Ok((root, address))
}

/// A containerd process's root and address: its `--root`/`--address` flags over its
/// configuration file (`--config`/`-c`, default `/etc/containerd/config.toml`), read with
/// `read` (the host's file system, or a clone's).
pub fn containerd_root_and_address(
    args: &[String],
    read: impl Fn(&str) -> Option<String>,
) -> Result<(String, String), String> {
    let flag = |names: &[&str]| -> Option<String> {
        let mut it = args.iter();
        while let Some(a) = it.next() {
            for n in names {
                if a == n {
                    return it.next().cloned();
                }
                if let Some(v) = a.strip_prefix(&format!("{n}=")) {
                    return Some(v.to_string());
                }
            }
        }
        None
    };
    let config_path =
        flag(&["--config", "-c"]).unwrap_or_else(|| "/etc/containerd/config.toml".into());
    let (mut root, mut address) = match read(&config_path) {
        Some(text) => config_root_and_address(&text).map_err(|e| format!("{config_path}: {e}"))?,
        None => (
            DEFAULT_ROOT.to_string(),
            "/run/containerd/containerd.sock".to_string(),
        ),
    };
    if let Some(r) = flag(&["--root"]) {
        root = r;
    }
    if let Some(a) = flag(&["--address", "-a"]) {
        address = a;
    }
    Ok((root, address))
}

/// The containerd addresses a dockerd with configuration `config` may use, in the order
/// dockerd tries them: `--containerd` (or daemon.json's `containerd`), else the system
/// containerd's default socket, else the one it starts itself under its exec root.
pub fn containerd_addresses(config: &crate::snapshot::DaemonConfig) -> Vec<String> {
    let get = |key: &str| {
        config
            .Settings
            .get(key)
            .and_then(|s| s.Value.as_str())
            .filter(|v| !v.is_empty())
            .map(|v| v.trim_start_matches("unix://").to_string())
    };
    if let Some(a) = get("containerd") {
        return vec![a];
    }
    let exec_root = get("exec-root").unwrap_or_else(|| "/var/run/docker".into());
    vec![
        "/run/containerd/containerd.sock".into(),
        format!("{exec_root}/containerd/containerd.sock"),
    ]
}

/// The root of the containerd process on this host that listens on the first of
/// `addresses` any containerd listens on (its flags over its configuration file).
pub fn live_containerd_root(proc_dir: &Path, addresses: &[String]) -> Result<PathBuf, String> {
    let mut candidates: Vec<(String, String)> = Vec::new();
    for entry in std::fs::read_dir(proc_dir).map_err(|e| format!("{}: {e}", proc_dir.display()))? {
        let Ok(entry) = entry else { continue };
        if !entry
            .file_name()
            .to_str()
            .is_some_and(|p| p.bytes().all(|b| b.is_ascii_digit()))
        {
            continue;
        }
        let dir = entry.path();
        let comm = std::fs::read_to_string(dir.join("comm")).unwrap_or_default();
        if comm.trim() != "containerd" {
            continue;
        }
        let args: Vec<String> = std::fs::read(dir.join("cmdline"))
            .unwrap_or_default()
            .split(|b| *b == 0)
            .filter(|a| !a.is_empty())
            .skip(1)
            .map(|a| String::from_utf8_lossy(a).into_owned())
            .collect();
        // A relative config path is relative to containerd's working directory.
        let cwd = std::fs::read_link(dir.join("cwd")).unwrap_or_else(|_| PathBuf::from("/"));
        let read = |p: &str| std::fs::read_to_string(cwd.join(p)).ok();
        if let Ok((root, address)) = containerd_root_and_address(&args, read) {
            candidates.push((root, address));
        }
    }
    addresses
        .iter()
        .find_map(|a| candidates.iter().find(|c| c.1 == *a))
        .map(|c| PathBuf::from(&c.0))
        .ok_or_else(|| {
            format!(
                "no containerd process here listens on {} (the daemon's containerd), so its content store is unknown",
                addresses.join(" or ")
            )
        })
}

/// For a live scan of a daemon on this host with `/info`'s `DriverStatus`: None when its
/// image store is not containerd's (the layers are `GraphDriver` directories); else the
/// content store of the containerd serving it (found from the daemon's configuration
/// `config`), or why it cannot be read.
pub fn live_store(
    driver_status: &[Vec<String>],
    config: impl FnOnce() -> crate::snapshot::DaemonConfig,
) -> Option<std::sync::Arc<Result<ContentStore, FactStatus>>> {
    if !is_containerd_store(driver_status) {
        return None;
    }
    let store = live_containerd_root(Path::new("/proc"), &containerd_addresses(&config()))
        .map(|root| ContentStore::open(&root))
        .map_err(|e| FactStatus::unreadable(Cause::Unreadable, e));
    Some(std::sync::Arc::new(store))
}

/// The image store an engine reports in `/info` (`Driver`, `DriverStatus`), in the words of
/// `Target.ImageStore`: `containerd (overlayfs)`, `graphdriver (overlay2)`,
/// `containers/storage (overlay)` for Podman; "" when `/info` names no driver.
pub fn image_store(engine: &str, driver: &str, driver_status: &[Vec<String>]) -> String {
    if driver.is_empty() {
        String::new()
    } else if engine == "Podman" {
        format!("containers/storage ({driver})")
    } else if is_containerd_store(driver_status) {
        format!("containerd ({driver})")
    } else {
        format!("graphdriver ({driver})")
    }
}

/// Whether `/info`'s `DriverStatus` says the image store is containerd's
/// (`["driver-type", "io.containerd.snapshotter.v1"]`).
pub fn is_containerd_store(driver_status: &[Vec<String>]) -> bool {
    driver_status.iter().any(|kv| {
        kv.len() == 2 && kv[0] == "driver-type" && kv[1] == "io.containerd.snapshotter.v1"
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A tar of `(path, mode, kind)`: kind 'f' file, 'd' directory, 'l' symlink to busybox.
    fn tar_of(entries: &[(&str, u32, char)]) -> Vec<u8> {
        let mut b = tar::Builder::new(Vec::new());
        for (path, mode, kind) in entries {
            let mut h = tar::Header::new_gnu();
            h.set_mode(*mode);
            h.set_uid(0);
            h.set_gid(0);
            let data: &[u8] = if path.ends_with("passwd") {
                b"admin:x:0:0::/:/bin/sh\napp:x:1000:1000::/:/bin/sh\n"
            } else {
                b""
            };
            match kind {
                'd' => {
                    h.set_entry_type(tar::EntryType::Directory);
                    h.set_size(0);
                    h.set_cksum();
                    b.append_data(&mut h, path, io::empty()).unwrap();
                }
                'l' => {
                    h.set_entry_type(tar::EntryType::Symlink);
                    h.set_size(0);
                    b.append_link(&mut h, path, "busybox").unwrap();
                }
                'h' => {
                    h.set_entry_type(tar::EntryType::Link);
                    h.set_size(0);
                    b.append_link(&mut h, path, "bin/busybox").unwrap();
                }
                _ => {
                    h.set_entry_type(tar::EntryType::Regular);
                    h.set_size(data.len() as u64);
                    h.set_cksum();
                    b.append_data(&mut h, path, data).unwrap();
                }
            }
        }
        b.into_inner().unwrap()
    }

    fn gzip(data: &[u8]) -> Vec<u8> {
        use std::io::Write;
        let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        e.write_all(data).unwrap();
        e.finish().unwrap()
    }

    fn zstd(data: &[u8]) -> Vec<u8> {
        ruzstd::encoding::compress_to_vec(data, ruzstd::encoding::CompressionLevel::Fastest)
    }

    fn walk(layers: Vec<Vec<u8>>) -> LayerFacts {
        walk_archives(
            layers
                .into_iter()
                .enumerate()
                .map(|(i, l)| (format!("layer {i}"), Ok(io::Cursor::new(l))))
                .collect(),
        )
    }

    #[test]
    fn setuid_files_and_tools_in_plain_gzip_and_zstd_layers() {
        let base = tar_of(&[
            ("./", 0o755, 'd'),
            ("./bin/", 0o755, 'd'),
            ("./bin/busybox", 0o755, 'f'),
            ("./bin/su", 0o4755, 'f'),
            ("./bin/nc", 0o777, 'l'),
            ("./usr/bin/gcc", 0o755, 'f'),
            ("./gcc", 0o755, 'f'),
            ("./bin/ping", 0o2755, 'h'),
        ]);
        for layer in [base.clone(), gzip(&base), zstd(&base)] {
            let f = walk(vec![layer]);
            assert!(f.Status.is_available(), "{:?}", f.Status);
            assert_eq!(f.SetuidFiles, ["/bin/ping (2755)", "/bin/su (4755)"]);
            assert_eq!(f.Tools, ["/bin/nc", "/usr/bin/gcc"]);
            assert!(!f.Truncated);
        }
    }

    #[test]
    fn whiteouts_opaque_directories_and_replacements_hide_lower_layers() {
        let lower = tar_of(&[
            ("usr/sbin/sshd", 0o755, 'f'),
            ("opt/bin/nc", 0o755, 'f'),
            ("opt/bin/make", 0o755, 'f'),
            ("bin/su", 0o4755, 'f'),
            ("sbin/apk", 0o755, 'f'),
            ("etc/passwd", 0o644, 'f'),
            ("data/bin/gcc", 0o755, 'f'),
        ]);
        let upper = tar_of(&[
            ("usr/sbin/.wh.sshd", 0o644, 'f'),
            ("opt/bin/.wh..wh..opq", 0o644, 'f'),
            ("opt/bin/make", 0o755, 'f'),
            // A plain su replaces the setuid one.
            ("bin/su", 0o755, 'f'),
            // A whiteout of a whole directory.
            (".wh.sbin", 0o644, 'f'),
            // A file replaces the directory /data.
            ("data", 0o644, 'f'),
        ]);
        let f = walk(vec![gzip(&upper), lower]);
        assert!(f.Status.is_available());
        assert_eq!(f.Tools, ["/opt/bin/make"]);
        assert!(f.SetuidFiles.is_empty(), "{:?}", f.SetuidFiles);
        // The lower layer's passwd is still the image's: no upper layer replaced it.
        assert_eq!(f.Users.get("app"), Some(&1000));
    }

    #[test]
    fn the_whiteout_is_for_lower_layers_only() {
        // A layer that deletes a lower /bin/nc and adds its own keeps its own.
        let lower = tar_of(&[("bin/nc", 0o755, 'f')]);
        let upper = tar_of(&[("bin/.wh.nc", 0o644, 'f'), ("bin/nc", 0o755, 'f')]);
        assert_eq!(walk(vec![upper, lower]).Tools, ["/bin/nc"]);
    }

    #[test]
    fn corrupt_or_missing_layers_are_unavailable_not_clean() {
        let good = tar_of(&[("bin/nc", 0o755, 'f')]);
        let mut bad = gzip(&good);
        bad.truncate(bad.len() / 2);
        let f = walk(vec![bad]);
        assert!(!f.Status.is_available());
        assert!(
            f.Status.reason().contains("layer 0"),
            "{}",
            f.Status.reason()
        );
        let f = walk_archives::<io::Cursor<Vec<u8>>>(vec![(
            "layer sha256:ab".into(),
            Err(io::Error::from(io::ErrorKind::NotFound)),
        )]);
        assert!(!f.Status.is_available());
        assert!(f.Status.reason().contains("sha256:ab"));
    }

    #[test]
    fn entries_and_bytes_are_bounded() {
        let many: Vec<(String, u32, char)> =
            (0..50).map(|i| (format!("f{i}"), 0o644, 'f')).collect();
        let refs: Vec<(&str, u32, char)> =
            many.iter().map(|(p, m, k)| (p.as_str(), *m, *k)).collect();
        let layer = tar_of(&refs);
        let f = walk_archives_bounded(
            vec![("l".into(), Ok(io::Cursor::new(layer.clone())))],
            10,
            u64::MAX,
        );
        assert!(f.Truncated);
        assert!(f.Status.is_available());
        let f = walk_archives_bounded(vec![("l".into(), Ok(io::Cursor::new(layer)))], 1000, 4096);
        assert!(f.Truncated);
    }

    #[test]
    fn index_resolves_to_the_platform_manifest_present() {
        let dir = tempfile::tempdir().unwrap();
        let blobs = dir.path().join(BLOBS);
        std::fs::create_dir_all(&blobs).unwrap();
        let put = |data: &[u8]| -> String {
            use std::fmt::Write;
            // Not a real hash: the store is addressed by name here.
            let mut hex = String::new();
            for b in data.iter().take(32) {
                write!(hex, "{b:02x}").unwrap();
            }
            while hex.len() < 64 {
                hex.push('0');
            }
            let hex = hex[..64].to_string();
            std::fs::write(blobs.join(&hex), data).unwrap();
            format!("sha256:{hex}")
        };
        let layer = put(&gzip(&tar_of(&[("bin/su", 0o4755, 'f')])));
        let manifest = put(
            format!(r#"{{"schemaVersion":2,"config":{{"digest":"sha256:{}"}},"layers":[{{"digest":"{layer}"}}]}}"#, "0".repeat(64))
                .as_bytes(),
        );
        let absent = format!("sha256:{}", "e".repeat(64));
        let index = put(
            format!(
                r#"{{"manifests":[{{"digest":"{absent}","platform":{{"os":"linux","architecture":"amd64"}}}},{{"digest":"{manifest}","platform":{{"os":"linux","architecture":"amd64"}}}},{{"digest":"{manifest}","platform":{{"os":"unknown","architecture":"unknown"}}}}]}}"#
            )
            .as_bytes(),
        );
        let store = ContentStore::open(dir.path());
        let f = store.layer_facts(&index, "linux", "amd64");
        assert_eq!(f.SetuidFiles, ["/bin/su (4755)"], "{:?}", f.Status);
        let f = store.layer_facts(&index, "linux", "arm64");
        assert!(!f.Status.is_available());
        assert!(
            f.Status.reason().contains("linux/arm64"),
            "{}",
            f.Status.reason()
        );
        // A digest that is a path is refused, not opened.
        assert!(store.blob("sha256:../../etc/passwd").is_err());
    }

    #[test]
    fn the_daemons_containerd_is_found_by_its_address() {
        let proc = tempfile::tempdir().unwrap();
        for (pid, comm, args) in [
            (
                "100",
                "containerd",
                "containerd\0--root\0/srv/system\0--address\0/run/containerd/containerd.sock\0",
            ),
            (
                "200",
                "containerd",
                "containerd\0--root=/tmp/dbe/ctd\0-a\0/tmp/dbe/ctd.sock\0",
            ),
            ("300", "dockerd", "dockerd\0--root\0/nope\0"),
        ] {
            let d = proc.path().join(pid);
            std::fs::create_dir_all(&d).unwrap();
            std::fs::write(d.join("comm"), format!("{comm}\n")).unwrap();
            std::fs::write(d.join("cmdline"), args).unwrap();
        }
        let find = |a: &[&str]| {
            live_containerd_root(
                proc.path(),
                &a.iter().map(|s| s.to_string()).collect::<Vec<_>>(),
            )
        };
        assert_eq!(
            find(&["/tmp/dbe/ctd.sock"]).unwrap(),
            PathBuf::from("/tmp/dbe/ctd")
        );
        // dockerd's default order: the system containerd first.
        assert_eq!(
            find(&[
                "/run/containerd/containerd.sock",
                "/var/run/docker/containerd/containerd.sock"
            ])
            .unwrap(),
            PathBuf::from("/srv/system")
        );
        let e = find(&["/elsewhere.sock"]).unwrap_err();
        assert!(e.contains("/elsewhere.sock"), "{e}");
    }

    #[test]
    fn image_store_names() {
        let ctd = vec![vec![
            "driver-type".to_string(),
            "io.containerd.snapshotter.v1".to_string(),
        ]];
        assert_eq!(
            image_store("Docker", "overlayfs", &ctd),
            "containerd (overlayfs)"
        );
        assert_eq!(
            image_store("Docker", "overlay2", &[]),
            "graphdriver (overlay2)"
        );
        assert_eq!(
            image_store("Podman", "overlay", &[]),
            "containers/storage (overlay)"
        );
        assert_eq!(image_store("Docker", "", &[]), "");
        let mut config = crate::snapshot::DaemonConfig::default();
        assert_eq!(
            containerd_addresses(&config),
            [
                "/run/containerd/containerd.sock",
                "/var/run/docker/containerd/containerd.sock"
            ]
        );
        config.Settings.insert(
            "containerd".into(),
            crate::snapshot::Setting {
                Value: "unix:///tmp/x.sock".into(),
                ..Default::default()
            },
        );
        assert_eq!(containerd_addresses(&config), ["/tmp/x.sock"]);
    }

    #[test]
    fn containerd_config_and_flags() {
        let cfg = "version = 2\nroot = \"/srv/ctd\"\n[grpc]\n  address = \"/run/x.sock\"\n";
        let read = |p: &str| (p == "/etc/c.toml").then(|| cfg.to_string());
        let args = |a: &[&str]| a.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert_eq!(
            containerd_root_and_address(&args(&["--config", "/etc/c.toml"]), read).unwrap(),
            ("/srv/ctd".into(), "/run/x.sock".into())
        );
        assert_eq!(
            containerd_root_and_address(&args(&["-c=/etc/c.toml", "--root", "/r"]), read).unwrap(),
            ("/r".into(), "/run/x.sock".into())
        );
        assert_eq!(
            containerd_root_and_address(&args(&[]), read).unwrap(),
            (
                DEFAULT_ROOT.into(),
                "/run/containerd/containerd.sock".into()
            )
        );
    }
}
