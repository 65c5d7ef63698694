//! The build cache from BuildKit's own API: `moby.buildkit.v1.Control/DiskUsage`, which dockerd
//! serves over `POST /grpc` upgraded to HTTP/2 (`Upgrade: h2c`), the call `docker buildx du`
//! makes through the docker driver. `/system/df` builds its `BuildCache` list from the same call
//! (moby's builder-next `DiskUsage`), but before API 1.42 it cannot be asked for the build
//! cache alone: the daemon would size every container's writable layer too.
//!
//! Read-only (DiskUsage changes nothing), bounded (the answer at most
//! [`MAX_ANSWER_BYTES`]), over the scan's own unix socket or plain TCP; a TLS or ssh
//! endpoint is not asked here.
use bytes::{Buf, Bytes};
use http_body_util::{BodyExt, Empty, Full, Limited};
use hyper_util::rt::{TokioExecutor, TokioIo};
use prost::Message;
use tokio::io::{AsyncRead, AsyncWrite};

use crate::snapshot::Reclaimable;

/// The most the DiskUsage answer may carry: 64 MiB (a record is about 200 bytes).
pub const MAX_ANSWER_BYTES: usize = 64 << 20;

/// `DiskUsageRequest` of BuildKit's control.proto: no filter asks for every record.
#[derive(Clone, PartialEq, Message)]
struct DiskUsageRequest {
    #[prost(string, repeated, tag = "1")]
    filter: Vec<String>,
}

/// `DiskUsageResponse` of BuildKit's control.proto.
#[derive(Clone, PartialEq, Message)]
struct DiskUsageResponse {
    #[prost(message, repeated, tag = "1")]
    record: Vec<UsageRecord>,
}

/// The fields of BuildKit's `UsageRecord` that `/system/df` reports and `docker builder prune`
/// goes by (the others are skipped as unknown fields).
#[derive(Clone, PartialEq, Message)]
pub struct UsageRecord {
    /// Held by a running build: prune keeps it.
    #[prost(bool, tag = "3")]
    pub in_use: bool,
    /// Bytes on disk.
    #[prost(int64, tag = "4")]
    pub size: i64,
    /// Shared with an image or another record: pruning it frees nothing.
    #[prost(bool, tag = "11")]
    pub shared: bool,
}

/// The reclaimable build cache, as `/system/df` counts it (`disk_usage::parse`): records
/// neither in use nor shared.
pub fn reclaimable(records: &[UsageRecord]) -> Reclaimable {
    let mut r = Reclaimable::default();
    for rec in records.iter().filter(|r| !r.in_use && !r.shared) {
        r.Count += 1;
        r.Bytes += rec.size.max(0);
    }
    r
}

/// Every build cache record of the daemon at `api` (unix socket or plain TCP), asked with API
/// version `version` (`1.41`). Errors say what failed: connecting, an engine without `/grpc`
/// (Podman), a gRPC status, an answer past the cap.
pub async fn records(
    api: &super::connect::Endpoint,
    version: &str,
) -> Result<Vec<UsageRecord>, String> {
    use super::connect::Address;
    match (&api.address, &api.tls) {
        (Address::Unix(path), _) => {
            let stream = tokio::net::UnixStream::connect(path)
                .await
                .map_err(|e| format!("connecting to {}: {e}", path.display()))?;
            call(stream, version).await
        }
        (Address::Tcp { host, port }, None) => {
            let stream = tokio::net::TcpStream::connect((host.as_str(), *port))
                .await
                .map_err(|e| format!("connecting to {host}:{port}: {e}"))?;
            call(stream, version).await
        }
        _ => Err(format!(
            "BuildKit's API is not asked over {}",
            api.url().split("://").next().unwrap_or("this connection")
        )),
    }
}

async fn call<S>(stream: S, version: &str) -> Result<Vec<UsageRecord>, String>
where
    S: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    fn err(what: &'static str) -> impl Fn(hyper::Error) -> String {
        move |e| format!("{what}: {}", super::capped::with_source(&e))
    }
    let (mut http1, connection) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
        .await
        .map_err(err("POST /grpc"))?;
    let http1_task = tokio::spawn(connection.with_upgrades());
    let upgrade = http::Request::post(format!("/v{version}/grpc"))
        .header(http::header::HOST, "localhost")
        .header(http::header::CONNECTION, "Upgrade")
        .header(http::header::UPGRADE, "h2c")
        .body(Empty::<Bytes>::new())
        .map_err(|e| e.to_string())?;
    let answer = http1
        .send_request(upgrade)
        .await
        .map_err(err("POST /grpc"))?;
    if answer.status() != http::StatusCode::SWITCHING_PROTOCOLS {
        http1_task.abort();
        return Err(format!(
            "POST /grpc answered {} (an engine without BuildKit's API)",
            answer.status().as_u16()
        ));
    }
    let upgraded = hyper::upgrade::on(answer)
        .await
        .map_err(err("upgrading /grpc"))?;
    let (mut h2, connection) =
        hyper::client::conn::http2::handshake(TokioExecutor::new(), upgraded)
            .await
            .map_err(err("HTTP/2 over /grpc"))?;
    let h2_task = tokio::spawn(connection);
    let result = async {
        let request = http::Request::post("http://localhost/moby.buildkit.v1.Control/DiskUsage")
            .header(http::header::CONTENT_TYPE, "application/grpc")
            .header(http::header::TE, "trailers")
            .body(Full::new(frame(
                &DiskUsageRequest::default().encode_to_vec(),
            )))
            .map_err(|e| e.to_string())?;
        let response = h2.send_request(request).await.map_err(err("DiskUsage"))?;
        if response.status() != http::StatusCode::OK {
            return Err(format!("DiskUsage answered HTTP {}", response.status()));
        }
        // A trailers-only answer carries its status in the headers.
        grpc_status(response.headers())?;
        let body = Limited::new(response.into_body(), MAX_ANSWER_BYTES)
            .collect()
            .await
            .map_err(|e| format!("DiskUsage: {e}"))?;
        if let Some(trailers) = body.trailers() {
            grpc_status(trailers)?;
        }
        decode(body.to_bytes())
    }
    .await;
    h2_task.abort();
    http1_task.abort();
    result
}

/// One gRPC message: uncompressed flag, big-endian length, the protobuf bytes.
fn frame(message: &[u8]) -> Bytes {
    let mut out = Vec::with_capacity(5 + message.len());
    out.push(0);
    out.extend_from_slice(&(message.len() as u32).to_be_bytes());
    out.extend_from_slice(message);
    out.into()
}

fn grpc_status(headers: &http::HeaderMap) -> Result<(), String> {
    match headers
        .get("grpc-status")
        .map(|v| v.to_str().unwrap_or("?"))
    {
        None | Some("0") => Ok(()),
        Some(code) => Err(format!(
            "DiskUsage: gRPC status {code}: {}",
            headers
                .get("grpc-message")
                .and_then(|m| m.to_str().ok())
                .unwrap_or("")
        )),
    }
}

/// The records of a DiskUsage answer's body (gRPC framing: exactly one uncompressed
/// message). Errors name what is wrong with it; hostile bytes never panic (fuzz target
/// `buildkit_disk_usage`).
pub fn decode(mut body: Bytes) -> Result<Vec<UsageRecord>, String> {
    if body.len() < 5 {
        return Err("DiskUsage: no answer".into());
    }
    let compressed = body.get_u8();
    let len = body.get_u32() as usize;
    if compressed != 0 {
        return Err("DiskUsage: a compressed answer (none was offered)".into());
    }
    if body.len() != len {
        return Err(format!(
            "DiskUsage: a message of {len} bytes announced, {} sent",
            body.len()
        ));
    }
    DiskUsageResponse::decode(body)
        .map(|r| r.record)
        .map_err(|e| format!("DiskUsage: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn answer(records: Vec<UsageRecord>) -> Bytes {
        frame(&DiskUsageResponse { record: records }.encode_to_vec())
    }

    #[test]
    fn records_in_use_or_shared_are_not_reclaimable() {
        let records = vec![
            UsageRecord {
                in_use: false,
                size: 11,
                shared: false,
            },
            UsageRecord {
                in_use: true,
                size: 13,
                shared: false,
            },
            UsageRecord {
                in_use: false,
                size: 17,
                shared: true,
            },
            UsageRecord {
                in_use: false,
                size: -1,
                shared: false,
            },
        ];
        let decoded = decode(answer(records)).unwrap();
        let r = reclaimable(&decoded);
        assert_eq!((r.Count, r.Bytes), (2, 11));
    }

    #[test]
    fn broken_answers_are_errors() {
        assert!(decode(Bytes::new()).is_err());
        let mut whole = answer(vec![UsageRecord::default()]).to_vec();
        whole.pop();
        assert!(decode(whole.into()).unwrap_err().contains("announced"));
        let mut compressed = answer(vec![]).to_vec();
        compressed[0] = 1;
        assert!(decode(compressed.into()).is_err());
        // Not protobuf: a length-delimited field that runs past the end.
        assert!(decode(frame(&[0x0a, 0x7f, 0x01])).is_err());
        assert_eq!(decode(frame(&[])).unwrap(), vec![]);
    }

    #[test]
    fn a_grpc_error_status_is_an_error() {
        let mut h = http::HeaderMap::new();
        assert!(grpc_status(&h).is_ok());
        h.insert("grpc-status", "12".parse().unwrap());
        h.insert("grpc-message", "unknown service".parse().unwrap());
        assert_eq!(
            grpc_status(&h).unwrap_err(),
            "DiskUsage: gRPC status 12: unknown service"
        );
    }
}
