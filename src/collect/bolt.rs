//! A read-only reader of bbolt database files, limited to what the offline collector needs
//! from containerd's metadata database (`<containerd root>/io.containerd.metadata.v1.bolt/
//! meta.db`): nested buckets and their keys and values. Written from bbolt's documented
//! on-disk format (etcd-io/bbolt): pages of `page_size` bytes, each with a 16-byte header
//! (`id u64, flags u16, count u16, overflow u32`, little-endian); two meta pages (0 and 1)
//! of which the valid one (magic 0xED0CDAED, version 2, FNV-1a 64 checksum) with the higher
//! transaction ID is current; branch pages of `(pos u32, ksize u32, pgid u64)` elements;
//! leaf pages of `(flags u32, pos u32, ksize u32, vsize u32)` elements, `pos` counted from
//! the element itself; a bucket is a leaf value with flag 0x01, `(root pgid u64, sequence
//! u64)` followed, when `root` is 0, by the bucket's own page inline.
//!
//! The file is hostile input (a clone of another host's disk): every offset is checked
//! against the page it is in, trees deeper than `MAX_DEPTH` or visits beyond `MAX_PAGES`
//! end the read with an error (a page that points back at itself cannot loop), and nothing
//! panics. The file is read as bytes already in memory; nothing is locked, mapped or
//! written (bbolt's own reader takes a lock, which would write to a read-only clone).
use std::collections::BTreeMap;

/// bbolt's magic number (meta page).
const MAGIC: u32 = 0xED0C_DAED;
/// The only data format version bbolt writes.
const VERSION: u32 = 2;
const PAGE_HEADER: usize = 16;
const ELEMENT: usize = 16;
const BRANCH_PAGE: u16 = 0x01;
const LEAF_PAGE: u16 = 0x02;
const BUCKET_LEAF: u32 = 0x01;
/// Branch levels followed below a bucket's root; bbolt's trees are a few levels deep.
pub const MAX_DEPTH: usize = 32;
/// Pages visited in one database read, over all lookups.
pub const MAX_PAGES: usize = 1 << 20;

/// An opened database: its bytes, page size and root bucket.
pub struct Db<'a> {
    data: &'a [u8],
    page_size: usize,
    root: u64,
    visits: std::cell::Cell<usize>,
}

/// A bucket: a tree of pages from `root`, or one page stored inline in its parent's value.
#[derive(Clone, Copy)]
pub enum Bucket<'a> {
    Tree(u64),
    Inline(&'a [u8]),
}

/// One key of a bucket: a plain value, or a nested bucket.
pub enum Value<'a> {
    Bytes(&'a [u8]),
    Bucket(Bucket<'a>),
}

fn u16_at(b: &[u8], at: usize) -> Option<u16> {
    Some(u16::from_le_bytes(b.get(at..at + 2)?.try_into().ok()?))
}
fn u32_at(b: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_le_bytes(b.get(at..at + 4)?.try_into().ok()?))
}
fn u64_at(b: &[u8], at: usize) -> Option<u64> {
    Some(u64::from_le_bytes(b.get(at..at + 8)?.try_into().ok()?))
}

/// FNV-1a, 64 bits: bbolt's meta checksum.
fn fnv1a64(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(*b)).wrapping_mul(0x0000_0100_0000_01b3)
    })
}

/// The meta of the page at `at`: (transaction ID, root bucket page, page size), if valid.
fn meta(data: &[u8], at: usize) -> Option<(u64, u64, usize)> {
    let m = data.get(at + PAGE_HEADER..at + PAGE_HEADER + 64)?;
    if u32_at(m, 0)? != MAGIC || u32_at(m, 4)? != VERSION {
        return None;
    }
    if fnv1a64(&m[..56]) != u64_at(m, 56)? {
        return None;
    }
    let page_size = u32_at(m, 8)? as usize;
    if !page_size.is_power_of_two() || !(512..=1 << 20).contains(&page_size) {
        return None;
    }
    Some((u64_at(m, 48)?, u64_at(m, 16)?, page_size))
}

impl<'a> Db<'a> {
    /// Opens the database in `data` (a whole bbolt file): Err names what is wrong with it.
    pub fn open(data: &'a [u8]) -> Result<Db<'a>, String> {
        let first = meta(data, 0);
        // The second meta page is one page in; its size is the first's, else bbolt's default.
        let size = first.map(|m| m.2).unwrap_or(4096);
        let second = meta(data, size);
        let (_, root, page_size) = match (first, second) {
            (Some(a), Some(b)) => {
                if b.0 > a.0 {
                    b
                } else {
                    a
                }
            }
            (Some(m), None) | (None, Some(m)) => m,
            (None, None) => return Err("not a bbolt database (no valid meta page)".into()),
        };
        Ok(Db {
            data,
            page_size,
            root,
            visits: std::cell::Cell::new(0),
        })
    }

    /// The top-level bucket list.
    pub fn root(&self) -> Bucket<'a> {
        Bucket::Tree(self.root)
    }

    /// The bytes of page `id` with its overflow pages, checked to be inside the file.
    fn page(&self, id: u64) -> Result<&'a [u8], String> {
        let n = self.visits.get() + 1;
        if n > MAX_PAGES {
            return Err(format!("more than {MAX_PAGES} page visits: stopped"));
        }
        self.visits.set(n);
        let start = usize::try_from(id)
            .ok()
            .and_then(|i| i.checked_mul(self.page_size))
            .filter(|s| *s < self.data.len())
            .ok_or_else(|| format!("page {id} is outside the file"))?;
        // Meta and freelist pages are never part of a tree.
        if id < 2 {
            return Err(format!("page {id} is a meta page, not a tree page"));
        }
        let overflow = u32_at(self.data, start + 12).ok_or("truncated page header")? as usize;
        let len = overflow
            .checked_add(1)
            .and_then(|n| n.checked_mul(self.page_size))
            .ok_or_else(|| format!("page {id}: overflow out of range"))?;
        let end = start
            .checked_add(len)
            .filter(|e| *e <= self.data.len())
            .ok_or_else(|| format!("page {id} runs past the end of the file"))?;
        Ok(&self.data[start..end])
    }

    /// Every key of `bucket`, in key order, nested buckets marked.
    pub fn entries(&self, bucket: Bucket<'a>) -> Result<Vec<(&'a [u8], Value<'a>)>, String> {
        let mut out = Vec::new();
        match bucket {
            Bucket::Inline(page) => leaf(page, &mut out)?,
            Bucket::Tree(root) => self.walk(root, 0, &mut out)?,
        }
        Ok(out)
    }

    fn walk(
        &self,
        id: u64,
        depth: usize,
        out: &mut Vec<(&'a [u8], Value<'a>)>,
    ) -> Result<(), String> {
        if depth > MAX_DEPTH {
            return Err(format!("tree deeper than {MAX_DEPTH} levels at page {id}"));
        }
        let page = self.page(id)?;
        let flags = u16_at(page, 8).ok_or("truncated page")?;
        if flags & LEAF_PAGE != 0 {
            return leaf(page, out);
        }
        if flags & BRANCH_PAGE == 0 {
            return Err(format!(
                "page {id} is neither a branch nor a leaf (flags {flags:#x})"
            ));
        }
        let count = usize::from(u16_at(page, 10).ok_or("truncated page")?);
        for i in 0..count {
            let at = PAGE_HEADER + i * ELEMENT;
            let child = u64_at(page, at + 8)
                .ok_or_else(|| format!("page {id}: element {i} out of the page"))?;
            self.walk(child, depth + 1, out)?;
        }
        Ok(())
    }

    /// The value of `key` in `bucket`, if it has one.
    pub fn get(&self, bucket: Bucket<'a>, key: &[u8]) -> Result<Option<Value<'a>>, String> {
        Ok(self
            .entries(bucket)?
            .into_iter()
            .find(|(k, _)| *k == key)
            .map(|(_, v)| v))
    }

    /// The nested bucket at `path` below `bucket`; None when a name is missing or is a
    /// plain value.
    pub fn bucket(
        &self,
        mut bucket: Bucket<'a>,
        path: &[&[u8]],
    ) -> Result<Option<Bucket<'a>>, String> {
        for name in path {
            match self.get(bucket, name)? {
                Some(Value::Bucket(b)) => bucket = b,
                _ => return Ok(None),
            }
        }
        Ok(Some(bucket))
    }
}

/// The elements of leaf page `page` (a file page or an inline bucket's page).
fn leaf<'a>(page: &'a [u8], out: &mut Vec<(&'a [u8], Value<'a>)>) -> Result<(), String> {
    let flags = u16_at(page, 8).ok_or("truncated leaf page")?;
    if flags & LEAF_PAGE == 0 {
        return Err(format!("a bucket's page is not a leaf (flags {flags:#x})"));
    }
    let count = usize::from(u16_at(page, 10).ok_or("truncated leaf page")?);
    for i in 0..count {
        let at = PAGE_HEADER + i * ELEMENT;
        let bad = || format!("leaf element {i} points outside its page");
        let flags = u32_at(page, at).ok_or_else(bad)?;
        let pos = u32_at(page, at + 4).ok_or_else(bad)? as usize;
        let ksize = u32_at(page, at + 8).ok_or_else(bad)? as usize;
        let vsize = u32_at(page, at + 12).ok_or_else(bad)? as usize;
        let key_at = at.checked_add(pos).ok_or_else(bad)?;
        let value_at = key_at.checked_add(ksize).ok_or_else(bad)?;
        let end = value_at.checked_add(vsize).ok_or_else(bad)?;
        let key = page.get(key_at..value_at).ok_or_else(bad)?;
        let value = page.get(value_at..end).ok_or_else(bad)?;
        let value = if flags & BUCKET_LEAF != 0 {
            let root = u64_at(value, 0)
                .ok_or_else(|| format!("bucket {} has no header", String::from_utf8_lossy(key)))?;
            Value::Bucket(if root == 0 {
                Bucket::Inline(&value[16.min(value.len())..])
            } else {
                Bucket::Tree(root)
            })
        } else {
            Value::Bytes(value)
        };
        out.push((key, value));
    }
    Ok(())
}

/// At most this many images are read from one namespace.
pub const MAX_IMAGES: usize = 100_000;

/// containerd's images of `namespace` (`v1/<namespace>/images/<name>/target/digest`): image
/// name → target digest (`sha256:…`, the manifest's or index's). Images without a target
/// digest are left out. Err: the file is not a bbolt database or is corrupt where read.
pub fn containerd_images(data: &[u8], namespace: &str) -> Result<BTreeMap<String, String>, String> {
    let db = Db::open(data)?;
    let Some(images) = db.bucket(db.root(), &[b"v1", namespace.as_bytes(), b"images"])? else {
        return Ok(BTreeMap::new());
    };
    let mut out = BTreeMap::new();
    for (name, value) in db.entries(images)? {
        let Value::Bucket(image) = value else {
            continue;
        };
        if out.len() >= MAX_IMAGES {
            return Err(format!("more than {MAX_IMAGES} images: stopped"));
        }
        let Some(target) = db.bucket(image, &[b"target"])? else {
            continue;
        };
        if let Some(Value::Bytes(digest)) = db.get(target, b"digest")? {
            out.insert(
                String::from_utf8_lossy(name).into_owned(),
                String::from_utf8_lossy(digest).into_owned(),
            );
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A tiny bbolt file built by hand: pages of 4096 bytes; 0 and 1 meta (the first stale,
    /// with an older transaction), 2 the root bucket's leaf page naming `v1`, whose inline
    /// page names `moby`, whose inline page names `images`, which is the tree at page 3
    /// (a branch) → page 4 (a leaf) with two images.
    pub(crate) fn sample() -> Vec<u8> {
        const PS: usize = 4096;
        let mut data = vec![0u8; PS * 5];
        let meta_page = |data: &mut [u8], at: usize, txid: u64, root: u64| {
            let m = &mut data[at + 16..at + 80];
            m[0..4].copy_from_slice(&MAGIC.to_le_bytes());
            m[4..8].copy_from_slice(&VERSION.to_le_bytes());
            m[8..12].copy_from_slice(&(PS as u32).to_le_bytes());
            m[16..24].copy_from_slice(&root.to_le_bytes());
            m[48..56].copy_from_slice(&txid.to_le_bytes());
            let sum = fnv1a64(&m[..56]);
            m[56..64].copy_from_slice(&sum.to_le_bytes());
        };
        meta_page(&mut data, 0, 1, 99);
        meta_page(&mut data, PS, 2, 2);
        // A leaf page image: header + elements + keys/values.
        fn leaf_page(entries: &[(&[u8], Vec<u8>, bool)]) -> Vec<u8> {
            let mut p = vec![0u8; 16 + 16 * entries.len()];
            p[8..10].copy_from_slice(&LEAF_PAGE.to_le_bytes());
            p[10..12].copy_from_slice(&(entries.len() as u16).to_le_bytes());
            for (i, (k, v, bucket)) in entries.iter().enumerate() {
                let at = 16 + 16 * i;
                let pos = (p.len() - at) as u32;
                p[at..at + 4].copy_from_slice(&u32::from(*bucket).to_le_bytes());
                p[at + 4..at + 8].copy_from_slice(&pos.to_le_bytes());
                p[at + 8..at + 12].copy_from_slice(&(k.len() as u32).to_le_bytes());
                p[at + 12..at + 16].copy_from_slice(&(v.len() as u32).to_le_bytes());
                p.extend_from_slice(k);
                p.extend_from_slice(v);
            }
            p
        }
        let inline = |page: Vec<u8>| {
            let mut v = vec![0u8; 16];
            v.extend(page);
            v
        };
        let tree = |root: u64| {
            let mut v = root.to_le_bytes().to_vec();
            v.extend([0u8; 8]);
            v
        };
        let target = |digest: &str| {
            inline(leaf_page(&[
                (b"digest", digest.as_bytes().to_vec(), false),
                (
                    b"mediatype",
                    b"application/vnd.oci.image.index.v1+json".to_vec(),
                    false,
                ),
            ]))
        };
        let image = |digest: &str| {
            inline(leaf_page(&[
                (b"createdat", vec![1, 2, 3], false),
                (b"target", target(digest), true),
            ]))
        };
        let images = leaf_page(&[
            (b"docker.io/dbe/busybox:1", image("sha256:aaaa"), true),
            (b"docker.io/library/old:2", image("sha256:bbbb"), true),
            (b"notabucket", b"x".to_vec(), false),
        ]);
        data[PS * 4..PS * 4 + images.len()].copy_from_slice(&images);
        // Page 3: a branch with one child, page 4.
        let b = &mut data[PS * 3..PS * 4];
        b[8..10].copy_from_slice(&BRANCH_PAGE.to_le_bytes());
        b[10..12].copy_from_slice(&1u16.to_le_bytes());
        b[16 + 8..16 + 16].copy_from_slice(&4u64.to_le_bytes());
        let moby = leaf_page(&[(b"images", tree(3), true)]);
        let v1 = leaf_page(&[(b"moby", inline(moby), true)]);
        let root = leaf_page(&[(b"v1", inline(v1), true)]);
        data[PS * 2..PS * 2 + root.len()].copy_from_slice(&root);
        data
    }

    #[test]
    fn lists_the_images_of_a_namespace_from_the_current_meta() {
        let data = sample();
        let images = containerd_images(&data, "moby").unwrap();
        assert_eq!(
            images.into_iter().collect::<Vec<_>>(),
            vec![
                (
                    "docker.io/dbe/busybox:1".to_string(),
                    "sha256:aaaa".to_string()
                ),
                (
                    "docker.io/library/old:2".to_string(),
                    "sha256:bbbb".to_string()
                ),
            ]
        );
        assert!(containerd_images(&data, "k8s.io").unwrap().is_empty());
    }

    #[test]
    fn hostile_files_are_errors_not_panics_or_loops() {
        assert!(containerd_images(b"", "moby").is_err());
        assert!(containerd_images(&[0xffu8; 9000], "moby").is_err());
        // A branch page that points at itself: bounded by depth.
        let mut data = sample();
        data[4096 * 3 + 24..4096 * 3 + 32].copy_from_slice(&3u64.to_le_bytes());
        let err = containerd_images(&data, "moby").unwrap_err();
        assert!(err.contains("deeper than"), "{err}");
        // A child page beyond the end of the file.
        let mut data = sample();
        data[4096 * 3 + 24..4096 * 3 + 32].copy_from_slice(&u64::MAX.to_le_bytes());
        assert!(
            containerd_images(&data, "moby")
                .unwrap_err()
                .contains("outside the file")
        );
        // A leaf element whose key runs past its page.
        let mut data = sample();
        data[4096 * 4 + 16 + 4..4096 * 4 + 16 + 8].copy_from_slice(&u32::MAX.to_le_bytes());
        assert!(containerd_images(&data, "moby").is_err());
        // A checksum that does not match: that meta is not used (the other, stale one
        // names a root outside the file).
        let mut data = sample();
        data[4096 + 16 + 56] ^= 1;
        assert!(containerd_images(&data, "moby").is_err());
        // Every single-byte corruption of the sample: no panic.
        let clean = sample();
        for at in (0..clean.len()).step_by(7) {
            let mut d = clean.clone();
            d[at] ^= 0x5a;
            let _ = containerd_images(&d, "moby");
        }
    }
}
