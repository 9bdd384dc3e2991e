//! The load generator's client: HTTP/1.1 keep-alive connections on
//! hyper's own client, and a reader of server-sent events that counts
//! frames as they arrive.

use std::net::{SocketAddr, ToSocketAddrs};
use std::sync::Arc;

use anyhow::{Context as _, Result, anyhow, bail};
use axum::body::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper::client::conn::http1::SendRequest;
use hyper::{Method, Request, StatusCode, header};
use hyper_util::rt::TokioIo;
use memchr::memmem::Finder;
use tokio::net::TcpStream;

/// A server to load, by its address.
#[derive(Clone)]
pub struct Target {
    pub addr: SocketAddr,
    /// What the `Host` header says.
    host: Arc<str>,
}

impl Target {
    /// The server at `url`: `http://HOST:PORT`, with or without a `/`.
    pub fn parse(url: &str) -> Result<Self> {
        let rest = url
            .strip_prefix("http://")
            .ok_or_else(|| anyhow!("`{url}` is not an http:// URL"))?;
        let host = rest.trim_end_matches('/');
        let addr = host
            .to_socket_addrs()
            .with_context(|| format!("cannot resolve `{host}`"))?
            .next()
            .ok_or_else(|| anyhow!("`{host}` has no address"))?;
        Ok(Self {
            addr,
            host: host.into(),
        })
    }

    /// The server listening on `addr`.
    pub fn at(addr: SocketAddr) -> Self {
        Self {
            addr,
            host: addr.to_string().into(),
        }
    }

    pub fn url(&self) -> String {
        format!("http://{}", self.host)
    }
}

/// One keep-alive connection to a server, one request at a time.
pub struct Conn {
    sender: SendRequest<Full<Bytes>>,
    host: Arc<str>,
}

impl Conn {
    /// Opens a connection to `target`, without Nagle's delay.
    pub async fn open(target: &Target) -> Result<Self> {
        let stream = TcpStream::connect(target.addr)
            .await
            .with_context(|| format!("cannot connect to {}", target.url()))?;
        stream.set_nodelay(true)?;
        let (sender, connection) =
            hyper::client::conn::http1::handshake(TokioIo::new(stream)).await?;
        tokio::spawn(async move {
            // A connection ends when its sender is dropped, or with the server.
            let _ = connection.await;
        });
        Ok(Self {
            sender,
            host: target.host.clone(),
        })
    }

    /// Opens `count` connections to `target`, a hundred at a time.
    pub async fn open_many(target: &Target, count: usize) -> Result<Vec<Self>> {
        let mut conns = Vec::with_capacity(count);
        while conns.len() < count {
            let batch = (count - conns.len()).min(100);
            let opening = (0..batch).map(|_| Self::open(target));
            conns.extend(futures_util::future::try_join_all(opening).await?);
        }
        Ok(conns)
    }

    /// Sends a request and answers its response's head; the body is read
    /// as it comes.
    pub async fn send(
        &mut self,
        method: Method,
        path: &str,
        body: Option<Bytes>,
    ) -> Result<hyper::Response<Incoming>> {
        let mut request = Request::builder()
            .method(method)
            .uri(path)
            .header(header::HOST, &*self.host);
        if body.is_some() {
            request = request.header(header::CONTENT_TYPE, "application/json");
        }
        let request = request.body(Full::new(body.unwrap_or_default()))?;
        self.sender.ready().await?;
        Ok(self.sender.send_request(request).await?)
    }

    /// Sends a request and reads its whole response.
    pub async fn call(
        &mut self,
        method: Method,
        path: &str,
        body: Option<Bytes>,
    ) -> Result<(StatusCode, Bytes)> {
        let response = self.send(method, path, body).await?;
        let status = response.status();
        let body = response.into_body().collect().await?.to_bytes();
        Ok((status, body))
    }

    /// `POST /workflows/{workflow}/run-nowait` with `body`: the handler id.
    pub async fn run_nowait(&mut self, workflow: &str, body: Bytes) -> Result<String> {
        let path = format!("/workflows/{workflow}/run-nowait");
        let (status, answer) = self.call(Method::POST, &path, Some(body)).await?;
        if status != StatusCode::OK {
            bail!(
                "{path} answered {status}: {}",
                String::from_utf8_lossy(&answer)
            );
        }
        let record: serde_json::Value = serde_json::from_slice(&answer)?;
        record["handler_id"]
            .as_str()
            .map(str::to_owned)
            .ok_or_else(|| anyhow!("{path} answered no handler_id: {record}"))
    }

    /// `GET /events/{id}` from the start, as server-sent events.
    pub async fn events(&mut self, handler_id: &str) -> Result<Events> {
        let path = format!("/events/{handler_id}?sse=true&after_sequence=-1");
        let response = self.send(Method::GET, &path, None).await?;
        if response.status() != StatusCode::OK {
            bail!("{path} answered {}", response.status());
        }
        Ok(Events {
            body: response.into_body(),
            frames: Frames::default(),
        })
    }
}

/// A stream of server-sent events being read.
pub struct Events {
    body: Incoming,
    pub frames: Frames,
}

impl Events {
    /// Reads until a frame whose data holds `marker` has arrived: `true`,
    /// or `false` if the stream ended first.
    pub async fn until(&mut self, marker: &Finder<'_>) -> Result<bool> {
        while let Some(frame) = self.body.frame().await {
            if let Ok(data) = frame?.into_data()
                && self.frames.feed(&data, marker)
            {
                return Ok(true);
            }
        }
        Ok(false)
    }

    /// Reads to the end of the stream: whether a frame held `marker`.
    pub async fn drain(&mut self, marker: &Finder<'_>) -> Result<bool> {
        let mut seen = false;
        while let Some(frame) = self.body.frame().await {
            if let Ok(data) = frame?.into_data() {
                seen |= self.frames.feed(&data, marker);
            }
        }
        Ok(seen)
    }
}

/// Counts the frames of a server-sent event stream that carry data, line
/// by line, across the chunks they arrive in.
#[derive(Default)]
pub struct Frames {
    /// The start of a line the last chunk cut.
    partial: Vec<u8>,
    has_data: bool,
    marked: bool,
    /// The frames with data so far.
    pub events: u64,
}

impl Frames {
    /// Reads `chunk`: whether a frame whose data holds `marker` ended in it.
    pub fn feed(&mut self, chunk: &[u8], marker: &Finder<'_>) -> bool {
        let mut found = false;
        let mut start = 0;
        for end in memchr::memchr_iter(b'\n', chunk) {
            let piece = &chunk[start..end];
            start = end + 1;
            if self.partial.is_empty() {
                found |= self.line(piece, marker);
            } else {
                let mut line = std::mem::take(&mut self.partial);
                line.extend_from_slice(piece);
                found |= self.line(&line, marker);
                line.clear();
                self.partial = line;
            }
        }
        self.partial.extend_from_slice(&chunk[start..]);
        found
    }

    fn line(&mut self, line: &[u8], marker: &Finder<'_>) -> bool {
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        if line.is_empty() {
            let ended = self.has_data;
            let marked = self.marked;
            self.has_data = false;
            self.marked = false;
            if ended {
                self.events += 1;
            }
            return ended && marked;
        }
        if line.starts_with(b"data:") {
            self.has_data = true;
            self.marked |= marker.find(line).is_some();
        }
        false
    }
}
