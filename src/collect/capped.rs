//! The Engine API client with a cap on what the daemon may send back.
//!
//! bollard reads a whole response body into memory before it parses it, so a hostile or broken
//! daemon answering with a gigabyte body made the scan take gigabytes of memory. Here every
//! connection to the daemon is wrapped in [`Capped`], which fails the read once more than
//! [`MAX_RESPONSE_BYTES`] arrive for one request; bollard then reports the request as failed and
//! the checks that needed it ERROR (a partial scan, exit 3). bollard opens one connection per
//! request (no idle pooling), and the count also restarts whenever a request is written, so the
//! cap is per response.
//!
//! Unix sockets, plain TCP and TCP with TLS (the docker CLI's `--tlsverify` material: the CA is
//! added to the system roots, the client presents its certificate) go through this client.

use std::future::Future;
use std::io;
use std::path::{Path, PathBuf};
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll, ready};

use bollard::{ClientVersion, Docker};
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::{Connected, Connection, HttpConnector};
use hyper_util::rt::{TokioExecutor, TokioIo};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};

/// The most one response may carry: 256 MiB. A `/containers/json` list of 100,000 containers
/// is about 200 MB; a single inspect is a few KiB.
pub const MAX_RESPONSE_BYTES: u64 = 256 << 20;

/// A connection whose reads fail once more than `cap` bytes were read since the last write.
#[derive(Debug)]
pub struct Capped<T> {
    io: T,
    read: u64,
    cap: u64,
}

impl<T> Capped<T> {
    pub fn new(io: T, cap: u64) -> Self {
        Capped { io, read: 0, cap }
    }
}

/// The error a read past the cap gives (its text reaches the scan's messages).
fn too_large(cap: u64) -> io::Error {
    io::Error::other(format!(
        "the daemon's answer is larger than {} MiB: stopped reading it",
        cap >> 20
    ))
}

impl<T: AsyncRead + Unpin> AsyncRead for Capped<T> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        if self.read > self.cap {
            return Poll::Ready(Err(too_large(self.cap)));
        }
        let before = buf.filled().len();
        ready!(Pin::new(&mut self.io).poll_read(cx, buf))?;
        // These bytes are delivered (a read that fails must not have filled the buffer); the
        // next read fails, so at most one buffer's worth passes the cap.
        self.read += (buf.filled().len() - before) as u64;
        Poll::Ready(Ok(()))
    }
}

impl<T: AsyncWrite + Unpin> AsyncWrite for Capped<T> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        // A new request: the previous answer was read whole.
        self.read = 0;
        Pin::new(&mut self.io).poll_write(cx, buf)
    }
    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.io).poll_flush(cx)
    }
    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.io).poll_shutdown(cx)
    }
}

impl<T> Connection for Capped<T> {
    fn connected(&self) -> Connected {
        Connected::new()
    }
}

type BoxFuture<T> = Pin<Box<dyn Future<Output = T> + Send>>;

/// Connects to a unix socket, whatever the request's URI says.
#[derive(Clone)]
struct UnixConnector {
    path: Arc<PathBuf>,
    cap: u64,
}

impl tower_service::Service<http::Uri> for UnixConnector {
    type Response = TokioIo<Capped<tokio::net::UnixStream>>;
    type Error = io::Error;
    type Future = BoxFuture<Result<Self::Response, io::Error>>;
    fn poll_ready(&mut self, _: &mut Context<'_>) -> Poll<Result<(), io::Error>> {
        Poll::Ready(Ok(()))
    }
    fn call(&mut self, _: http::Uri) -> Self::Future {
        let (path, cap) = (self.path.clone(), self.cap);
        Box::pin(async move {
            let stream = tokio::net::UnixStream::connect(path.as_path()).await?;
            Ok(TokioIo::new(Capped::new(stream, cap)))
        })
    }
}

/// Connects over TCP to the request URI's host and port.
#[derive(Clone)]
struct TcpConnector {
    http: HttpConnector,
    cap: u64,
}

impl tower_service::Service<http::Uri> for TcpConnector {
    type Response = TokioIo<Capped<tokio::net::TcpStream>>;
    type Error = io::Error;
    type Future = BoxFuture<Result<Self::Response, io::Error>>;
    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), io::Error>> {
        self.http.poll_ready(cx).map_err(io::Error::other)
    }
    fn call(&mut self, uri: http::Uri) -> Self::Future {
        let connecting = self.http.call(uri);
        let cap = self.cap;
        Box::pin(async move {
            let stream = connecting.await.map_err(io::Error::other)?.into_inner();
            Ok(TokioIo::new(Capped::new(stream, cap)))
        })
    }
}

/// Wraps a hyper client as bollard's custom transport (`B` is bollard's request body type,
/// which bollard does not name publicly: it is inferred from `bollard::BollardRequest`).
fn transport<C, B>(
    client: Client<C, B>,
) -> impl Fn(
    http::Request<B>,
) -> BoxFuture<Result<hyper::Response<hyper::body::Incoming>, bollard::errors::Error>>
+ Send
+ Sync
+ 'static
where
    C: hyper_util::client::legacy::connect::Connect + Clone + Send + Sync + 'static,
    B: hyper::body::Body + Send + Unpin + 'static,
    B::Data: Send,
    B::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
{
    let client = Arc::new(client);
    move |req: http::Request<B>| {
        let client = client.clone();
        Box::pin(async move { client.request(req).await.map_err(Into::into) })
    }
}

fn builder() -> hyper_util::client::legacy::Builder {
    let mut b = Client::builder(TokioExecutor::new());
    b.pool_max_idle_per_host(0);
    b
}

/// A client for the daemon on the unix socket `path`.
pub fn unix(
    path: &Path,
    timeout: u64,
    version: &ClientVersion,
) -> Result<Docker, bollard::errors::Error> {
    let connector = UnixConnector {
        path: Arc::new(path.to_owned()),
        cap: MAX_RESPONSE_BYTES,
    };
    Docker::connect_with_custom_transport(
        transport(builder().build(connector)),
        Some("http://localhost"),
        timeout,
        version,
    )
}

/// A client for a plain-TCP daemon at `host:port`.
pub fn tcp(
    host: &str,
    port: u16,
    timeout: u64,
    version: &ClientVersion,
) -> Result<Docker, bollard::errors::Error> {
    let connector = TcpConnector {
        http: HttpConnector::new(),
        cap: MAX_RESPONSE_BYTES,
    };
    Docker::connect_with_custom_transport(
        transport(builder().build(connector)),
        Some(format!("http://{}:{port}", super::connect::bracket(host))),
        timeout,
        version,
    )
}

/// A client for a TLS daemon at `host:port`: the server must chain to the system roots or to
/// `ca`, and the client presents `cert`/`key` (PEM files).
pub fn tls(
    host: &str,
    port: u16,
    tls: &super::connect::Tls,
    timeout: u64,
    version: &ClientVersion,
) -> Result<Docker, bollard::errors::Error> {
    Docker::connect_with_custom_transport(
        transport(builder().build(tls_connector(tls)?)),
        Some(format!("https://{}:{port}", super::connect::bracket(host))),
        timeout,
        version,
    )
}

type TlsConnector = hyper_rustls::HttpsConnector<TcpConnector>;

/// The TLS connector of the docker CLI's `--tlsverify` material, over a capped TCP connection.
fn tls_connector(tls: &super::connect::Tls) -> Result<TlsConnector, bollard::errors::Error> {
    use bollard::errors::Error::{CertParseError, CertPathError};
    use rustls_pki_types::pem::PemObject;
    use rustls_pki_types::{CertificateDer, PrivateKeyDer};
    let read = |p: &Path| std::fs::read(p).map_err(|_| CertPathError { path: p.to_owned() });
    let parse_error = |p: &Path| CertParseError { path: p.to_owned() };
    let mut roots = rustls::RootCertStore::empty();
    // As the docker CLI: the system pool plus the given CA; an unreadable system store only
    // leaves the CA.
    for cert in rustls_native_certs::load_native_certs().certs {
        let _ = roots.add(cert);
    }
    let ca = read(&tls.ca)?;
    let cas = CertificateDer::pem_slice_iter(&ca)
        .collect::<Result<Vec<_>, _>>()
        .map_err(|_| parse_error(&tls.ca))?;
    if cas.is_empty() {
        return Err(parse_error(&tls.ca));
    }
    roots.add_parsable_certificates(cas);
    let cert = read(&tls.cert)?;
    let chain = CertificateDer::pem_slice_iter(&cert)
        .collect::<Result<Vec<_>, _>>()
        .map_err(|_| parse_error(&tls.cert))?;
    let key = PrivateKeyDer::from_pem_slice(&read(&tls.key)?).map_err(|_| parse_error(&tls.key))?;
    let config = rustls::ClientConfig::builder()
        .with_root_certificates(roots)
        .with_client_auth_cert(chain, key)
        .map_err(|_| parse_error(&tls.key))?;
    let mut http = HttpConnector::new();
    http.enforce_http(false);
    Ok(hyper_rustls::HttpsConnectorBuilder::new()
        .with_tls_config(config)
        .https_only()
        .enable_http1()
        .wrap_connector(TcpConnector {
            http,
            cap: MAX_RESPONSE_BYTES,
        }))
}

/// A plain GET of `path_and_query` (for example `/v1.44/system/df?type=image`) from the
/// daemon at `endpoint`, for the answers bollard cannot model (the classic `/system/df`
/// shape). It goes through the same connections as the API client: capped at
/// [`MAX_RESPONSE_BYTES`], TLS whenever the endpoint has TLS (never plaintext instead); an
/// `ssh://` endpoint must be bridged to a unix socket first.
///
/// Returns the HTTP status and the body; errors name what failed (connect, TLS material, a
/// read past the cap).
pub async fn get(
    endpoint: &super::connect::Endpoint,
    path_and_query: &str,
) -> Result<(u16, bytes::Bytes), String> {
    use super::connect::Address;
    use http_body_util::{BodyExt, Empty};
    async fn send<C>(
        client: Client<C, Empty<bytes::Bytes>>,
        uri: String,
    ) -> Result<(u16, bytes::Bytes), String>
    where
        C: hyper_util::client::legacy::connect::Connect + Clone + Send + Sync + 'static,
    {
        let request = http::Request::get(uri)
            .header(http::header::ACCEPT, "application/json")
            .body(Empty::new())
            .map_err(|e| e.to_string())?;
        let response = client.request(request).await.map_err(|e| with_source(&e))?;
        let status = response.status().as_u16();
        let body = response
            .into_body()
            .collect()
            .await
            .map_err(|e| with_source(&e))?
            .to_bytes();
        Ok((status, body))
    }
    match (&endpoint.address, &endpoint.tls) {
        (Address::Unix(path), _) => {
            let connector = UnixConnector {
                path: Arc::new(path.clone()),
                cap: MAX_RESPONSE_BYTES,
            };
            send(
                builder().build(connector),
                format!("http://localhost{path_and_query}"),
            )
            .await
        }
        (Address::Tcp { host, port }, None) => {
            let connector = TcpConnector {
                http: HttpConnector::new(),
                cap: MAX_RESPONSE_BYTES,
            };
            let authority = format!("{}:{port}", super::connect::bracket(host));
            send(
                builder().build(connector),
                format!("http://{authority}{path_and_query}"),
            )
            .await
        }
        (Address::Tcp { host, port }, Some(tls)) => {
            let connector = tls_connector(tls).map_err(|e| e.to_string())?;
            let authority = format!("{}:{port}", super::connect::bracket(host));
            send(
                builder().build(connector),
                format!("https://{authority}{path_and_query}"),
            )
            .await
        }
        (Address::Ssh(t), _) => Err(format!(
            "{} must be bridged to a unix socket before a plain request",
            t.url()
        )),
    }
}

/// An error with its causes (hyper's own text is only "client error (Connect)").
pub(crate) fn with_source(e: &dyn std::error::Error) -> String {
    let mut text = e.to_string();
    let mut cause = e.source();
    while let Some(c) = cause {
        text.push_str(": ");
        text.push_str(&c.to_string());
        cause = c.source();
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::io::AsyncReadExt;

    #[tokio::test]
    async fn reads_past_the_cap_fail_and_a_write_starts_a_new_count() {
        let (mut a, b) = tokio::io::duplex(64);
        let mut capped = Capped::new(b, 10);
        tokio::spawn(async move {
            use tokio::io::AsyncWriteExt;
            a.write_all(&[b'x'; 8]).await.unwrap();
            let mut req = [0u8; 1];
            a.read_exact(&mut req).await.unwrap();
            a.write_all(&[b'y'; 30]).await.unwrap();
        });
        let mut buf = [0u8; 8];
        capped.read_exact(&mut buf).await.unwrap();
        use tokio::io::AsyncWriteExt;
        capped.write_all(b"r").await.unwrap();
        let mut rest = Vec::new();
        let err = capped.read_to_end(&mut rest).await.unwrap_err();
        assert!(err.to_string().contains("larger than 0 MiB"), "{err}");
        assert!(rest.len() <= 30, "read {} bytes", rest.len());
    }
}
