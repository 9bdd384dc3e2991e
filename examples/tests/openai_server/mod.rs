//! A server of OpenAI's streaming chat completions on loopback, in process:
//! it answers each request with a stream of chunks as server-sent events
//! (`data: {...}` and `data: [DONE]`), or with an error status, or breaks
//! the stream off in one of the ways a real one breaks. It keeps each
//! request for the test to look at.

use std::sync::{Arc, Mutex};

use serde_json::{Value, json};
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::Semaphore;

/// How the server answers.
#[derive(Clone)]
pub enum Reply {
    /// Status 200 and a stream: a first chunk with the role, one chunk per
    /// text, then the given ending.
    Stream { texts: Vec<String>, ending: Ending },
    /// This status, with this body.
    Status(u16, String),
}

/// How a stream of chunks ends.
#[derive(Clone, Copy)]
pub enum Ending {
    /// As a whole completion does: a chunk with `finish_reason`, then
    /// `data: [DONE]`.
    Done,
    /// With a chunk that is not JSON.
    Malformed,
    /// The connection is closed in the middle of the HTTP body.
    Dropped,
    /// The HTTP body ends well, but before a chunk says that the model
    /// finished, and without `data: [DONE]`.
    Unfinished,
}

/// A request as the server received it.
#[derive(Debug, Clone)]
pub struct Request {
    /// The request line, like `POST /v1/chat/completions HTTP/1.1`.
    pub line: String,
    /// The `authorization` header.
    pub authorization: Option<String>,
    /// The body, parsed.
    pub body: Value,
}

/// The running server.
pub struct Server {
    /// Its address, like `http://127.0.0.1:41234/v1`.
    pub base_url: String,
    /// One permit per text chunk the server may send: a test that adds them
    /// one at a time sees each chunk's effect before the next is sent.
    pub pace: Arc<Semaphore>,
    requests: Arc<Mutex<Vec<Request>>>,
}

impl Server {
    /// Starts a server that answers every request with `reply`, sending
    /// text chunks as fast as it can.
    pub async fn start(reply: Reply) -> Self {
        let server = Self::paced(reply).await;
        server.pace.add_permits(Semaphore::MAX_PERMITS);
        server
    }

    /// Starts a server that answers every request with `reply`, sending a
    /// text chunk only when [`pace`](Self::pace) has a permit for it.
    pub async fn paced(reply: Reply) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0")
            .await
            .expect("binds on loopback");
        let address = listener.local_addr().expect("has an address");
        let server = Self {
            base_url: format!("http://{address}/v1"),
            pace: Arc::new(Semaphore::new(0)),
            requests: Arc::default(),
        };
        let (pace, requests) = (server.pace.clone(), server.requests.clone());
        tokio::spawn(async move {
            while let Ok((connection, _)) = listener.accept().await {
                let (reply, pace, requests) = (reply.clone(), pace.clone(), requests.clone());
                tokio::spawn(async move {
                    let request = answer(connection, &reply, &pace).await;
                    requests.lock().unwrap().push(request);
                });
            }
        });
        server
    }

    /// The requests answered so far.
    pub fn requests(&self) -> Vec<Request> {
        self.requests.lock().unwrap().clone()
    }
}

/// Reads one request from `connection` and answers it with `reply`.
async fn answer(connection: TcpStream, reply: &Reply, pace: &Semaphore) -> Request {
    let mut connection = BufReader::new(connection);
    let request = read_request(&mut connection).await;
    let connection = connection.get_mut();
    match reply {
        Reply::Status(status, body) => {
            let head = format!(
                "HTTP/1.1 {status} Oops\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n",
                body.len()
            );
            write(connection, &(head + body)).await;
        }
        Reply::Stream { texts, ending } => {
            let head = "HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\ntransfer-encoding: chunked\r\nconnection: close\r\n\r\n";
            write(connection, head).await;
            write_event(
                connection,
                &chunk(json!({ "role": "assistant", "content": "" }), None),
            )
            .await;
            for text in texts {
                pace.acquire().await.expect("never closed").forget();
                write_event(connection, &chunk(json!({ "content": text }), None)).await;
            }
            match ending {
                Ending::Done => {
                    write_event(connection, &chunk(json!({}), Some("stop"))).await;
                    write_event(connection, "[DONE]").await;
                    write(connection, "0\r\n\r\n").await;
                }
                Ending::Malformed => {
                    write_event(connection, r#"{"id": "chatcmpl-1", "choices": [{"delta": "#).await;
                    write_event(connection, "[DONE]").await;
                    write(connection, "0\r\n\r\n").await;
                }
                // Half of an HTTP chunk, then the connection closes.
                Ending::Dropped => write(connection, "40\r\ndata: {\"id\"").await,
                Ending::Unfinished => write(connection, "0\r\n\r\n").await,
            }
        }
    }
    let _ = connection.shutdown().await;
    request
}

async fn read_request(connection: &mut BufReader<TcpStream>) -> Request {
    let mut head = Vec::new();
    loop {
        let mut line = String::new();
        connection
            .read_line(&mut line)
            .await
            .expect("reads the request");
        if line == "\r\n" || line.is_empty() {
            break;
        }
        head.push(line.trim_end().to_owned());
    }
    let header = |name: &str| {
        head.iter().find_map(|line| {
            let (key, value) = line.split_once(':')?;
            key.eq_ignore_ascii_case(name)
                .then(|| value.trim().to_owned())
        })
    };
    let length: usize = header("content-length").map_or(0, |length| length.parse().unwrap());
    let mut body = vec![0; length];
    connection
        .read_exact(&mut body)
        .await
        .expect("reads the body");
    Request {
        line: head.first().cloned().unwrap_or_default(),
        authorization: header("authorization"),
        body: serde_json::from_slice(&body).expect("the body is JSON"),
    }
}

/// One chunk of a streamed chat completion, with this delta.
fn chunk(delta: Value, finish_reason: Option<&str>) -> String {
    json!({
        "id": "chatcmpl-1",
        "object": "chat.completion.chunk",
        "created": 1_700_000_000,
        "model": "test-model",
        "choices": [{ "index": 0, "delta": delta, "finish_reason": finish_reason }],
    })
    .to_string()
}

/// Writes `data` as one server-sent event, in one HTTP chunk.
async fn write_event(connection: &mut TcpStream, data: &str) {
    let event = format!("data: {data}\n\n");
    write(connection, &format!("{:x}\r\n{event}\r\n", event.len())).await;
}

/// Writes `text`; a client that has gone away is not an error here.
async fn write(connection: &mut TcpStream, text: &str) {
    let _ = connection.write_all(text.as_bytes()).await;
}
