//! Reclaimable disk space from the daemon's `/system/df`, and each container's writable
//! layer size (`SizeRw`) from the same answer.
//!
//! bollard 0.21 models only the API ≥ 1.52 shape of `/system/df` (`ImageUsage`, …), which
//! older daemons do not send; every daemon up to Docker 29 still answers the classic shape
//! (`Images`, `Containers`, `Volumes`, `BuildCache` lists) for API ≤ 1.51. So this asks for
//! that shape itself, with one plain HTTP/1.0 GET (no keep-alive, no chunking).
use std::collections::BTreeMap;
use std::io::{Read, Write};
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
        if c.get("State").and_then(Value::as_str) != Some("running") {
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
    for b in list("BuildCache") {
        let flag = |k: &str| b.get(k).and_then(Value::as_bool).unwrap_or(false);
        if !flag("InUse") && !flag("Shared") {
            add(&mut usage.BuildCache, int(&b, "Size"));
        }
    }
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

/// GET `/v{version}/system/df` from a `unix://` or plain `tcp://` daemon address.
pub fn fetch(address: &str, version: &str) -> Result<Value, String> {
    let request = format!(
        "GET /v{version}/system/df HTTP/1.0\r\nHost: docker\r\nAccept: application/json\r\n\r\n"
    );
    let timeout = Some(Duration::from_secs(120));
    let raw = if let Some(path) = address.strip_prefix("unix://") {
        let mut s = std::os::unix::net::UnixStream::connect(path).map_err(|e| e.to_string())?;
        s.set_read_timeout(timeout).map_err(|e| e.to_string())?;
        exchange(&mut s, &request)?
    } else if let Some(host) = address
        .strip_prefix("tcp://")
        .or_else(|| address.strip_prefix("http://"))
        && std::env::var_os("DOCKER_TLS_VERIFY").is_none_or(|v| v.is_empty())
    {
        let mut s =
            std::net::TcpStream::connect(host.trim_end_matches('/')).map_err(|e| e.to_string())?;
        s.set_read_timeout(timeout).map_err(|e| e.to_string())?;
        exchange(&mut s, &request)?
    } else {
        return Err(format!(
            "/system/df is only read over unix:// or plain tcp://, not {address}"
        ));
    };
    let text = String::from_utf8_lossy(&raw);
    let (head, body) = text
        .split_once("\r\n\r\n")
        .ok_or("/system/df: malformed HTTP answer")?;
    let status = head.split_whitespace().nth(1).unwrap_or("");
    if status != "200" {
        return Err(format!("/system/df answered {status}: {}", body.trim()));
    }
    serde_json::from_str(body).map_err(|e| format!("/system/df: {e}"))
}

/// Older daemons (before 23.0) refuse a second `/system/df` while one runs — another scan, a
/// `docker system df` — with "a disk usage operation is already running": wait for it (up to a
/// minute) rather than report the fact missing.
fn fetch_when_free(address: &str, version: &str) -> Result<Value, String> {
    let mut pause = Duration::from_millis(200);
    let deadline = std::time::Instant::now() + Duration::from_secs(60);
    loop {
        match fetch(address, version) {
            Err(e) if is_busy(&e) && std::time::Instant::now() + pause < deadline => {
                std::thread::sleep(pause);
                pause = (pause * 2).min(Duration::from_secs(5));
            }
            other => return other,
        }
    }
}

fn is_busy(error: &str) -> bool {
    error.contains("disk usage operation is already running")
}

fn exchange(stream: &mut (impl Read + Write), request: &str) -> Result<Vec<u8>, String> {
    exchange_capped(stream, request, super::capped::MAX_RESPONSE_BYTES)
}

/// One request and its whole answer, at most `cap` bytes of it: this plain HTTP request is
/// outside the capped API client, and an ssh bridge or a hostile daemon may send without end.
fn exchange_capped(
    stream: &mut (impl Read + Write),
    request: &str,
    cap: u64,
) -> Result<Vec<u8>, String> {
    stream
        .write_all(request.as_bytes())
        .map_err(|e| e.to_string())?;
    let mut raw = Vec::new();
    (&mut *stream)
        .take(cap + 1)
        .read_to_end(&mut raw)
        .map_err(|e| e.to_string())?;
    if raw.len() as u64 > cap {
        return Err(format!(
            "the daemon's answer is larger than {} MiB: stopped reading it",
            cap >> 20
        ));
    }
    Ok(raw)
}

/// Gathers the facts, or an unavailable marker with the reason.
pub fn collect(address: &str, negotiated: &str) -> (DiskUsage, BTreeMap<String, i64>) {
    match fetch_when_free(address, &request_version(negotiated)) {
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

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// The answer is read up to the cap, never whole (an endless one held memory without bound).
    #[test]
    fn an_answer_past_the_cap_is_refused() {
        struct Endless(u64);
        impl Read for Endless {
            fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
                buf.fill(b'x');
                self.0 += buf.len() as u64;
                Ok(buf.len())
            }
        }
        impl Write for Endless {
            fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
                Ok(buf.len())
            }
            fn flush(&mut self) -> std::io::Result<()> {
                Ok(())
            }
        }
        let mut s = Endless(0);
        let e = exchange_capped(&mut s, "GET / HTTP/1.0\r\n\r\n", 3 << 20).unwrap_err();
        assert!(e.contains("larger than 3 MiB"), "{e}");
        assert!(s.0 < 4 << 20, "read {} bytes", s.0);
        let mut small: &[u8] = b"HTTP/1.0 200 OK\r\n\r\n{}";
        struct Rw<'a>(&'a mut &'a [u8]);
        impl Read for Rw<'_> {
            fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
                self.0.read(buf)
            }
        }
        impl Write for Rw<'_> {
            fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
                Ok(buf.len())
            }
            fn flush(&mut self) -> std::io::Result<()> {
                Ok(())
            }
        }
        assert_eq!(
            exchange_capped(&mut Rw(&mut small), "GET", 1 << 20)
                .unwrap()
                .len(),
            21
        );
    }

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
                {"Id": "c2", "State": "running", "SizeRw": 9}
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
    fn version_stays_in_the_classic_range() {
        assert_eq!(request_version("1.41"), "1.41");
        assert_eq!(request_version("1.53"), "1.44");
        assert_eq!(request_version("x"), "1.44");
    }
}
