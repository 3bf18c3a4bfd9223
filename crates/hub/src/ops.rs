//! The hub's operations endpoints over plain HTTP: `GET /healthz` (on the hub's own address,
//! for load balancers and `systemd`/container health checks) and `GET /metrics` (only on
//! `--metrics-listen`, an address the monitoring reaches and the internet does not: the
//! series name the joint DPIAs).
//!
//! A connection is told apart from a WebSocket handshake by peeking at its first bytes, so
//! nothing is consumed from a handshake. Every read is bounded (a request head of at most
//! 8 KiB, within the caller's timeout) and the connection is closed after the answer.

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use std::time::Duration;

/// An operations request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Route {
    Healthz,
    Metrics,
    /// Another plain GET on the metrics address.
    Other,
}

/// The longest request head read (a monitoring agent sends a few hundred bytes).
const MAX_HEAD: usize = 8 * 1024;
/// How long a request head may take to arrive.
const HEAD_TIMEOUT: Duration = Duration::from_secs(5);

const HEALTHZ: &[u8] = b"GET /healthz";
const METRICS: &[u8] = b"GET /metrics";

/// Which operations path the connection asks for, if it is one (`None`: anything else,
/// a WebSocket handshake included, left unread). The caller bounds the wait.
pub(crate) async fn peek_route(stream: &TcpStream) -> Option<Route> {
    let mut buf = [0u8; 13];
    loop {
        let n = stream.peek(&mut buf).await.ok()?;
        if n == 0 {
            return None;
        }
        let seen = &buf[..n];
        for (prefix, route) in [(HEALTHZ, Route::Healthz), (METRICS, Route::Metrics)] {
            if n > prefix.len() && seen.starts_with(prefix) && matches!(seen[prefix.len()], b' ' | b'?') {
                return Some(route);
            }
        }
        let could_be = [HEALTHZ, METRICS].iter().any(|p| p.starts_with(&seen[..n.min(p.len())]));
        if !could_be || n == buf.len() {
            return None;
        }
        // Only part of the request line has arrived: peek returns at once while data is
        // waiting, so wait a little instead of spinning.
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
}

/// Which path a plain GET on the metrics address asks for (read there, not peeked).
pub(crate) fn route_of(head: &[u8]) -> Route {
    let line_end = head.iter().position(|&b| b == b'\r' || b == b'\n').unwrap_or(head.len());
    let line = &head[..line_end];
    for (prefix, route) in [(HEALTHZ, Route::Healthz), (METRICS, Route::Metrics)] {
        if line.len() > prefix.len() && line.starts_with(prefix) && matches!(line[prefix.len()], b' ' | b'?') {
            return route;
        }
    }
    Route::Other
}

/// Reads the request head (up to the blank line, at most [`MAX_HEAD`] bytes, within
/// [`HEAD_TIMEOUT`]); `None` when it is too long, too slow or cut short.
pub(crate) async fn read_head(stream: &mut TcpStream) -> Option<Vec<u8>> {
    let read = async {
        let mut head = Vec::with_capacity(512);
        let mut chunk = [0u8; 1024];
        loop {
            let n = stream.read(&mut chunk).await.ok()?;
            if n == 0 {
                return None;
            }
            head.extend_from_slice(&chunk[..n]);
            if head.windows(4).any(|w| w == b"\r\n\r\n") || head.windows(2).any(|w| w == b"\n\n") {
                return Some(head);
            }
            if head.len() > MAX_HEAD {
                return None;
            }
        }
    };
    tokio::time::timeout(HEAD_TIMEOUT, read).await.ok().flatten()
}

/// Writes one HTTP/1.1 answer and closes the connection.
pub(crate) async fn respond(stream: &mut TcpStream, status: u16, content_type: &str, body: &str) {
    let reason = match status {
        200 => "OK",
        404 => "Not Found",
        503 => "Service Unavailable",
        _ => "Error",
    };
    let head = format!(
        "HTTP/1.1 {status} {reason}\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\nCache-Control: no-store\r\nConnection: close\r\n\r\n",
        body.len()
    );
    let write = async {
        stream.write_all(head.as_bytes()).await?;
        stream.write_all(body.as_bytes()).await?;
        stream.shutdown().await
    };
    let _ = tokio::time::timeout(HEAD_TIMEOUT, write).await;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_two_paths_are_routes() {
        assert_eq!(route_of(b"GET /healthz HTTP/1.1\r\n\r\n"), Route::Healthz);
        assert_eq!(route_of(b"GET /metrics?x=1 HTTP/1.1\r\n\r\n"), Route::Metrics);
        assert_eq!(route_of(b"GET /metricsx HTTP/1.1\r\n\r\n"), Route::Other);
        assert_eq!(route_of(b"POST /metrics HTTP/1.1\r\n\r\n"), Route::Other);
        assert_eq!(route_of(b"GET /healthz"), Route::Other, "a line cut short is no route");
    }
}
