//! Reclaimable disk space from the daemon's `/system/df`, and each container's writable
//! layer size (`SizeRw`) from the same answer.
//!
//! bollard 0.21 models only the API ≥ 1.52 shape of `/system/df` (`ImageUsage`, …), which
//! older daemons do not send; every daemon up to Docker 29 still answers the classic shape
//! (`Images`, `Containers`, `Volumes`, `BuildCache` lists) for API ≤ 1.51. So this asks for
//! that shape itself, with a plain GET over the scan's own capped connection
//! (`capped::get`: unix, TCP, TLS, or an ssh bridge).
//!
//! The daemon sizes every container's writable layer to answer (seconds at a thousand
//! containers; a naive diff of whole trees on fuse-overlayfs). Where the daemon is on this
//! host and its API has the `type=` filters (1.42+), the containers are left out of the
//! request and their layers sized from their own upper directories instead.
use std::collections::BTreeMap;
use std::time::Duration;

use serde_json::Value;

use crate::snapshot::{DiskUsage, FactStatus, Reclaimable};

/// The classic `/system/df` answer as reclaimable totals, plus `SizeRw` by container ID.
pub fn parse(df: &Value) -> (DiskUsage, BTreeMap<String, i64>) {
    let list = |key: &str| {
        df.get(key)
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default()
    };
    let int = |v: &Value, key: &str| v.get(key).and_then(Value::as_i64).unwrap_or(0);
    let mut usage = DiskUsage {
        Status: FactStatus::Available,
        ..DiskUsage::default()
    };
    let add = |r: &mut Reclaimable, bytes: i64| {
        r.Count += 1;
        r.Bytes += bytes.max(0);
    };
    for image in list("Images") {
        let tags = image.get("RepoTags").and_then(Value::as_array);
        let dangling = tags.is_none_or(|t| t.iter().all(|t| t == "<none>:<none>"));
        if dangling && int(&image, "Containers") <= 0 {
            // Shared layers stay when the image goes: only its own bytes are freed.
            add(
                &mut usage.DanglingImages,
                int(&image, "Size") - int(&image, "SharedSize").max(0),
            );
        }
    }
    let mut size_rw = BTreeMap::new();
    for c in list("Containers") {
        let id = c.get("Id").and_then(Value::as_str).unwrap_or_default();
        let rw = int(&c, "SizeRw");
        size_rw.insert(id.to_string(), rw);
        // `docker container prune` keeps running and paused containers.
        if !matches!(
            c.get("State").and_then(Value::as_str),
            Some("running" | "paused")
        ) {
            add(&mut usage.StoppedContainers, rw);
        }
    }
    for v in list("Volumes") {
        let name = v.get("Name").and_then(Value::as_str).unwrap_or_default();
        let data = v.get("UsageData").cloned().unwrap_or(Value::Null);
        if is_anonymous_volume(name) && int(&data, "RefCount") == 0 {
            add(&mut usage.UnusedVolumes, int(&data, "Size"));
        }
    }
    // The same records BuildKit's DiskUsage gives: one rule for both (`build_cache.rs`).
    let records: Vec<super::build_cache::UsageRecord> = list("BuildCache")
        .iter()
        .map(|b| {
            let flag = |k: &str| b.get(k).and_then(Value::as_bool).unwrap_or(false);
            super::build_cache::UsageRecord {
                in_use: flag("InUse"),
                size: int(b, "Size"),
                shared: flag("Shared"),
            }
        })
        .collect();
    usage.BuildCache = super::build_cache::reclaimable(&records);
    usage.TotalBytes = usage.DanglingImages.Bytes
        + usage.StoppedContainers.Bytes
        + usage.UnusedVolumes.Bytes
        + usage.BuildCache.Bytes;
    (usage, size_rw)
}

pub use crate::docker::is_anonymous_volume;

/// The API version to ask with: the classic shape exists up to 1.51, and Docker 29 refuses
/// anything below 1.44.
pub fn request_version(negotiated: &str) -> String {
    let parse = |v: &str| {
        let (a, b) = v.split_once('.')?;
        Some((a.parse::<u32>().ok()?, b.parse::<u32>().ok()?))
    };
    match parse(negotiated) {
        Some(v) if v > (1, 44) => "1.44".into(),
        Some(_) => negotiated.to_string(),
        None => "1.44".into(),
    }
}

/// What to ask `/system/df` for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ask {
    /// The whole answer: the daemon sizes every container's writable layer for it.
    Everything,
    /// Images, volumes and build cache only (`type=` filters, API ≥ 1.42): the containers'
    /// writable layers are sized on this host instead (`writable_layer.rs`).
    WithoutContainers,
    /// Nothing from `/system/df` (a local Docker engine before API 1.42, which cannot leave
    /// the containers out): the totals are put together on this host (`reclaimable.rs`), the
    /// writable layers sized here; `Everything` when that fails.
    Assembled,
}

/// The `type=` filters of `/system/df` exist from API 1.42 (Docker 23.0); older daemons
/// ignore unknown query parameters and would answer everything.
pub fn filters_supported(negotiated: &str) -> bool {
    let parse = |v: &str| {
        let (a, b) = v.split_once('.')?;
        Some((a.parse::<u32>().ok()?, b.parse::<u32>().ok()?))
    };
    parse(negotiated).is_some_and(|v| v >= (1, 42))
}

/// The request path for `ask` at the API version `version`.
pub fn path(version: &str, ask: Ask) -> String {
    match ask {
        Ask::Everything | Ask::Assembled => format!("/v{version}/system/df"),
        Ask::WithoutContainers => {
            format!("/v{version}/system/df?type=image&type=volume&type=build-cache")
        }
    }
}

/// GET `/system/df` through the scan's own connection to `api` (capped, TLS when asked for;
/// an ssh endpoint is its bridge's unix socket).
async fn fetch(api: &super::connect::Endpoint, version: &str, ask: Ask) -> Result<Value, String> {
    let (status, body) = super::capped::get(api, &path(version, ask)).await?;
    if status != 200 {
        return Err(format!(
            "/system/df answered {status}: {}",
            String::from_utf8_lossy(&body).trim()
        ));
    }
    serde_json::from_slice(&body).map_err(|e| format!("/system/df: {e}"))
}

/// Older daemons (before 23.0) refuse a second `/system/df` while one runs — another scan, a
/// `docker system df` — with "a disk usage operation is already running": wait for it (up to a
/// minute) rather than report the fact missing.
async fn fetch_when_free(
    api: &super::connect::Endpoint,
    version: &str,
    ask: Ask,
) -> Result<Value, String> {
    let mut pause = Duration::from_millis(200);
    let deadline = std::time::Instant::now() + Duration::from_secs(60);
    loop {
        match fetch(api, version, ask).await {
            Err(e) if is_busy(&e) && std::time::Instant::now() + pause < deadline => {
                tokio::time::sleep(pause).await;
                pause = (pause * 2).min(Duration::from_secs(5));
            }
            other => return other,
        }
    }
}

fn is_busy(error: &str) -> bool {
    error.contains("disk usage operation is already running")
}

/// Gathers the facts, or an unavailable marker with the reason. With
/// [`Ask::WithoutContainers`] the stopped containers' share is left for the caller to add
/// (`add_stopped`) and the `SizeRw` map is empty.
pub async fn collect(
    api: &super::connect::Endpoint,
    negotiated: &str,
    ask: Ask,
) -> (DiskUsage, BTreeMap<String, i64>) {
    let answer = tokio::time::timeout(
        Duration::from_secs(180),
        fetch_when_free(api, &request_version(negotiated), ask),
    )
    .await
    .unwrap_or_else(|_| Err("no answer within 180 s".into()));
    match answer {
        Ok(df) => parse(&df),
        Err(e) => (
            DiskUsage {
                Status: FactStatus::unavailable(format!("reading /system/df failed: {e}")),
                ..DiskUsage::default()
            },
            BTreeMap::new(),
        ),
    }
}

/// Adds the stopped containers' writable layers (sized on this host) to totals asked
/// [`Ask::WithoutContainers`].
pub fn add_stopped(usage: &mut DiskUsage, sizes: impl IntoIterator<Item = i64>) {
    for bytes in sizes {
        usage.StoppedContainers.Count += 1;
        usage.StoppedContainers.Bytes += bytes.max(0);
        usage.TotalBytes += bytes.max(0);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_running_disk_usage_operation_is_waited_for() {
        assert!(is_busy(
            r#"/system/df answered 500: {"message":"a disk usage operation is already running"}"#
        ));
        assert!(!is_busy("/system/df answered 500: {\"message\":\"boom\"}"));
    }

    #[test]
    fn classic_answer_is_summed() {
        let anon = "a".repeat(64);
        let df = json!({
            "Images": [
                {"RepoTags": ["<none>:<none>"], "Containers": 0, "Size": 100, "SharedSize": 40},
                {"RepoTags": null, "Containers": 1, "Size": 999, "SharedSize": 0},
                {"RepoTags": ["app:1"], "Containers": 0, "Size": 500, "SharedSize": 0}
            ],
            "Containers": [
                {"Id": "c1", "State": "exited", "SizeRw": 7},
                {"Id": "c2", "State": "running", "SizeRw": 9},
                {"Id": "c3", "State": "paused", "SizeRw": 5}
            ],
            "Volumes": [
                {"Name": anon, "UsageData": {"Size": 30, "RefCount": 0}},
                {"Name": "named", "UsageData": {"Size": 50, "RefCount": 0}},
                {"Name": "b".repeat(64), "UsageData": {"Size": 60, "RefCount": 1}}
            ],
            "BuildCache": [
                {"Size": 11, "InUse": false, "Shared": false},
                {"Size": 13, "InUse": true, "Shared": false}
            ]
        });
        let (u, rw) = parse(&df);
        assert_eq!((u.DanglingImages.Count, u.DanglingImages.Bytes), (1, 60));
        assert_eq!(
            (u.StoppedContainers.Count, u.StoppedContainers.Bytes),
            (1, 7)
        );
        assert_eq!((u.UnusedVolumes.Count, u.UnusedVolumes.Bytes), (1, 30));
        assert_eq!((u.BuildCache.Count, u.BuildCache.Bytes), (1, 11));
        assert_eq!(u.TotalBytes, 108);
        assert_eq!(rw["c2"], 9);
    }

    #[test]
    fn type_filters_from_api_1_42() {
        assert!(!filters_supported("1.41"));
        assert!(filters_supported("1.42") && filters_supported("1.51"));
        assert_eq!(
            path("1.44", Ask::WithoutContainers),
            "/v1.44/system/df?type=image&type=volume&type=build-cache"
        );
        assert_eq!(path("1.41", Ask::Everything), "/v1.41/system/df");
    }

    #[test]
    fn version_stays_in_the_classic_range() {
        assert_eq!(request_version("1.41"), "1.41");
        assert_eq!(request_version("1.53"), "1.44");
        assert_eq!(request_version("x"), "1.44");
    }
}
