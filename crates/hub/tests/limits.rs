//! The hub's limits, each against a hub configured tight enough to meet it in a test: a
//! document at its size limit, half-sent frames and silent connections, connection floods,
//! failed-authentication throttling, revocation of an open socket, the write-ahead log, and
//! an old database's migration. After each, the other participants are still served.

mod common;

use common::*;
use futures_util::{SinkExt, StreamExt};
use konsekvens_hub::{proto, BasePolicy, HubStore, Role, ServeConfig, Synchronous};
use std::path::Path;
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;
use tokio_tungstenite::tungstenite::Message as WsMessage;
use tokio_tungstenite::MaybeTlsStream;
use yrs::sync::{Message, SyncMessage};
use yrs::updates::decoder::Decode;
use yrs::updates::encoder::Encode;
use yrs::{ClientID, Doc, Map, Options, ReadTxn, StateVector, Transact};

fn config(dir: &Path) -> ServeConfig {
    ServeConfig::new(dir, "127.0.0.1:0".parse().unwrap())
}

/// Esbjerg writes one entry on its supplement and the write is accepted: the hub still serves.
async fn still_serving(hub: &TestHub, t: &Tokens, n: u64) {
    let doc = Doc::with_options(Options { client_id: ClientID::new(5_619_000 + n), ..Options::default() });
    doc.get_or_insert_map("meta").insert(&mut doc.transact_mut(), format!("alive-{n}"), "ja");
    let mut ws = raw(hub, "supplement/561", &t.esb).await;
    send(&mut ws, proto::update(doc.transact().encode_state_as_update_v1(&StateVector::default()))).await;
    assert!(denials(&barrier(&mut ws).await).is_empty(), "Esbjerg's write is accepted");
}

/// Reads until the hub closes; the close code and reason.
async fn closed(ws: &mut Socket) -> (CloseCode, String) {
    loop {
        match tokio::time::timeout(LIMIT, ws.next()).await.expect("closed in time") {
            Some(Ok(WsMessage::Close(Some(f)))) => return (f.code, f.reason.to_string()),
            Some(Ok(_)) => continue,
            other => panic!("expected a close frame, got {other:?}"),
        }
    }
}

/// The HTTP status of a refused handshake.
async fn status(url: String) -> u16 {
    match tokio_tungstenite::connect_async(url).await {
        Err(tokio_tungstenite::tungstenite::Error::Http(resp)) => resp.status().as_u16(),
        Ok(_) => panic!("the handshake was accepted"),
        Err(e) => panic!("unexpected handshake error: {e}"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_document_at_its_size_limit_refuses_growth_and_keeps_syncing() {
    let dir = tempfile::tempdir().unwrap();
    let t = registry(dir.path(), BasePolicy::AllParticipants);
    let mut config = config(dir.path());
    config.max_document_size = 96 * 1024;
    config.max_update_size = 64 * 1024;
    let hub = TestHub::start_with(config).await;
    let doc = Doc::with_options(Options { client_id: ClientID::new(1_010_001), ..Options::default() });
    let meta = doc.get_or_insert_map("meta");
    let mut ws = raw(&hub, "supplement/101", &t.kbh).await;
    let mut refused = None;
    for i in 0..20 {
        let sv = doc.transact().state_vector();
        meta.insert(&mut doc.transact_mut(), format!("k{i}"), "x".repeat(16 * 1024));
        let update = doc.transact().encode_state_as_update_v1(&sv);
        send(&mut ws, proto::update(update)).await;
        if let Some(reason) = denials(&barrier(&mut ws).await).pop() {
            refused = Some((i, reason));
            break;
        }
    }
    let (at, reason) = refused.expect("the document fills up");
    assert!(reason.starts_with("K-HUB-DOC-FULL"), "{reason}");
    assert!((4..=6).contains(&at), "refused at the update that would pass 96 KiB, not at {at}");
    // A fresh peer gets the whole document, below the limit.
    let mut fresh = raw(&hub, "supplement/101", &t.esb).await;
    let state = barrier(&mut fresh)
        .await
        .into_iter()
        .find_map(|m| match m {
            Message::Sync(SyncMessage::SyncStep2(s)) => Some(s),
            _ => None,
        })
        .unwrap();
    assert!(state.len() <= 96 * 1024, "{} bytes", state.len());
    // The Rust client syncs the whole DPIA (coordination from KL first).
    let mut kl = coordinator_workspace(&dir.path().join("kl.konsekvens"));
    assert!(sync(&mut kl, &hub.url(), &t.coordinator).await.in_sync());
    let mut esb = empty_workspace(&dir.path().join("esb.konsekvens"));
    assert!(sync(&mut esb, &hub.url(), &t.esb).await.in_sync());
    still_serving(&hub, &t, 1).await;
    let refusals = HubStore::open(dir.path()).unwrap().refusals(DPIA).unwrap();
    assert_eq!(refusals.iter().filter(|r| r.reason.starts_with("K-HUB-DOC-FULL")).count(), 1, "{refusals:?}");
    hub.stop().await;
}

/// A frame header announcing `len` bytes (binary, masked, as a client sends it).
fn frame_header(len: u64) -> Vec<u8> {
    let mut h = vec![0x82, 0x80 | 127];
    h.extend_from_slice(&len.to_be_bytes());
    h.extend_from_slice(&[1, 2, 3, 4]); // the mask
    h
}

/// A WebSocket handshake by hand, so no byte the hub sends after it is hidden in a client
/// library's buffer: the stream and what was read beyond the handshake's answer.
async fn raw_handshake(hub: &TestHub, doc: &str, token: &str) -> (tokio::net::TcpStream, Vec<u8>) {
    let mut tcp = tokio::net::TcpStream::connect(hub.addr).await.unwrap();
    let request = format!(
        "GET /dpia/{DPIA}/{doc}?token={token} HTTP/1.1\r\nHost: {}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\
         Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n",
        hub.addr
    );
    tcp.write_all(request.as_bytes()).await.unwrap();
    let mut buf = Vec::new();
    let mut chunk = [0u8; 1024];
    loop {
        let n = tokio::time::timeout(LIMIT, tcp.read(&mut chunk)).await.unwrap().unwrap();
        assert!(n > 0, "the hub hung up during the handshake");
        buf.extend_from_slice(&chunk[..n]);
        if let Some(end) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            assert!(buf.starts_with(b"HTTP/1.1 101"), "{}", String::from_utf8_lossy(&buf));
            return (tcp, buf.split_off(end + 4));
        }
    }
}

/// Reads server frames (after `buf`) up to the close frame: its code and reason.
async fn raw_close(rd: &mut (impl AsyncReadExt + Unpin), mut buf: Vec<u8>) -> (u16, String) {
    let mut chunk = [0u8; 1024];
    loop {
        // Skip other frames (SyncStep1, presence) to the close frame (opcode 8).
        let mut at = 0;
        while at + 2 <= buf.len() {
            let (op, len) = (buf[at] & 0x0f, (buf[at + 1] & 0x7f) as usize);
            let (len, head) = match len {
                126 if at + 4 <= buf.len() => (u16::from_be_bytes([buf[at + 2], buf[at + 3]]) as usize, 4),
                126 => break,
                127 => panic!("no large frames expected"),
                l => (l, 2),
            };
            if at + head + len > buf.len() {
                break;
            }
            if op == 8 {
                let body = &buf[at + head..at + head + len];
                return (u16::from_be_bytes([body[0], body[1]]), String::from_utf8_lossy(&body[2..]).into_owned());
            }
            at += head + len;
        }
        let n = tokio::time::timeout(LIMIT, rd.read(&mut chunk)).await.expect("the hub answers in time").unwrap();
        assert!(n > 0, "the connection ended without a close frame");
        buf.extend_from_slice(&chunk[..n]);
    }
}

/// A client's binary frame with the zero mask (allowed: the payload goes as it is).
fn client_frame(payload: &[u8]) -> Vec<u8> {
    let mut f = vec![0x82];
    match payload.len() {
        n @ 0..=125 => f.push(0x80 | n as u8),
        n => {
            f.push(0x80 | 126);
            f.extend_from_slice(&(n as u16).to_be_bytes());
        }
    }
    f.extend_from_slice(&[0, 0, 0, 0]);
    f.extend_from_slice(payload);
    f
}

/// Reads server frames (`buf`: bytes read before, and after the return what was read beyond)
/// until one carries a SyncStep2: every y-sync message read.
async fn raw_until_step2(rd: &mut (impl AsyncReadExt + Unpin), buf: &mut Vec<u8>) -> Vec<Message> {
    let mut seen = Vec::new();
    let mut chunk = [0u8; 4096];
    loop {
        while buf.len() >= 2 {
            let (len, head) = match buf[1] & 0x7f {
                126 if buf.len() >= 4 => (u16::from_be_bytes([buf[2], buf[3]]) as usize, 4),
                127 if buf.len() >= 10 => (u64::from_be_bytes(buf[2..10].try_into().unwrap()) as usize, 10),
                126 | 127 => break,
                l => (l as usize, 2),
            };
            if buf.len() < head + len {
                break;
            }
            let frame: Vec<u8> = buf.drain(..head + len).skip(head).collect();
            let messages = proto::decode_frame(&frame).unwrap();
            let done = messages.iter().any(|m| matches!(m, Message::Sync(SyncMessage::SyncStep2(_))));
            seen.extend(messages);
            if done {
                return seen;
            }
        }
        let n = tokio::time::timeout(LIMIT, rd.read(&mut chunk)).await.expect("the hub answers in time").unwrap();
        assert!(n > 0, "the connection ended");
        buf.extend_from_slice(&chunk[..n]);
    }
}

/// The hub reads a socket only after it was readable again (stop 21: a poll of
/// tungstenite cost an 8 KiB `memset` at every forward): frames that arrive in one segment
/// must all be read although the socket is empty after the first, and a frame that arrives
/// in two parts must be read when its second part comes.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn frames_that_arrive_together_or_in_parts_are_all_read() {
    let dir = tempfile::tempdir().unwrap();
    let t = registry(dir.path(), BasePolicy::AllParticipants);
    let hub = TestHub::start_with(config(dir.path())).await;
    let (mut tcp, mut buf) = raw_handshake(&hub, "supplement/561", &t.esb).await;
    let doc = Doc::with_options(Options { client_id: ClientID::new(5_610_077), ..Options::default() });
    let meta = doc.get_or_insert_map("meta");
    meta.insert(&mut doc.transact_mut(), "first", "ja");
    let first = doc.transact().encode_state_as_update_v1(&StateVector::default());
    let after_first = doc.transact().state_vector();
    meta.insert(&mut doc.transact_mut(), "second", "ja");
    let second = doc.transact().encode_diff_v1(&after_first);
    let together =
        [client_frame(&proto::update(first)), client_frame(&proto::update(second)), client_frame(&proto::sync_step1(&StateVector::default()))]
            .concat();
    tcp.write_all(&together).await.unwrap();
    let seen = raw_until_step2(&mut tcp, &mut buf).await;
    assert!(denials(&seen).is_empty(), "{seen:?}");
    let state = seen.iter().find_map(|m| match m {
        Message::Sync(SyncMessage::SyncStep2(s)) => Some(s.clone()),
        _ => None,
    });
    let read = Doc::new();
    read.transact_mut().apply_update(yrs::Update::decode_v1(&state.unwrap()).unwrap()).unwrap();
    let meta = read.get_or_insert_map("meta");
    let keys: Vec<String> = { let txn = read.transact(); let mut k: Vec<String> = meta.keys(&txn).map(str::to_owned).collect(); k.sort(); k };
    assert_eq!(keys, ["first", "second"], "both updates of the one segment were read before the SyncStep1 after them");

    // A frame in two parts, the second 200 ms later (the socket is empty in between).
    let step1 = client_frame(&proto::sync_step1(&StateVector::default()));
    let (head, tail) = step1.split_at(step1.len() / 2);
    tcp.write_all(head).await.unwrap();
    tokio::time::sleep(Duration::from_millis(200)).await;
    tcp.write_all(tail).await.unwrap();
    let seen = raw_until_step2(&mut tcp, &mut buf).await;
    assert!(denials(&seen).is_empty(), "{seen:?}");
    hub.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_half_sent_frame_and_a_silent_connection_are_closed_in_time() {
    let dir = tempfile::tempdir().unwrap();
    let t = registry(dir.path(), BasePolicy::AllParticipants);
    let mut config = config(dir.path());
    config.max_message_size = 16 << 20;
    config.frame_timeout = Duration::from_secs(2);
    config.idle_timeout = Duration::from_secs(3);
    let hub = TestHub::start_with(config).await;

    // A frame announcing 10 MB, dribbled a few bytes at a time: a sender that keeps talking.
    let (mut tcp, rest) = raw_handshake(&hub, "base", &t.kbh).await;
    let (mut rd, mut wr) = tcp.split();
    let started = Instant::now();
    wr.write_all(&frame_header(10_000_000)).await.unwrap();
    let dribble = async {
        loop {
            if wr.write_all(&[0u8; 16]).await.is_err() {
                std::future::pending::<()>().await;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    };
    let (code, reason) = tokio::select! {
        closed = raw_close(&mut rd, rest) => closed,
        _ = dribble => unreachable!(),
    };
    let took = started.elapsed();
    assert_eq!(code, 1008, "{reason}");
    assert!(reason.starts_with("K-HUB-IDLE"), "{reason}");
    assert!(took < Duration::from_secs(6), "closed after {took:?}");
    // Meanwhile (and after) the others are served.
    still_serving(&hub, &t, 1).await;

    // A connection that says nothing at all is closed after the idle timeout.
    let mut silent = raw(&hub, "base", &t.esb).await;
    let started = Instant::now();
    let (code, reason) = closed(&mut silent).await;
    assert_eq!(code, CloseCode::Away);
    assert!(reason.starts_with("K-HUB-IDLE"), "{reason}");
    assert!(started.elapsed() >= Duration::from_secs(2), "not before the timeout: {:?}", started.elapsed());
    // One that pings keeps its connection past the idle timeout.
    let mut pinging = raw(&hub, "base", &t.esb).await;
    for _ in 0..8 {
        pinging.send(WsMessage::Ping(Default::default())).await.unwrap();
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    assert!(denials(&barrier(&mut pinging).await).is_empty(), "still open after 4 s of pings");
    still_serving(&hub, &t, 2).await;
    let refusals = HubStore::open(dir.path()).unwrap().refusals(DPIA).unwrap();
    assert_eq!(refusals.iter().filter(|r| r.reason.starts_with("K-HUB-IDLE")).count(), 2, "{refusals:?}");
    hub.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn connection_floods_meet_the_per_token_and_the_global_cap() {
    let dir = tempfile::tempdir().unwrap();
    let t = registry(dir.path(), BasePolicy::AllParticipants);
    let mut config = config(dir.path());
    config.max_connections_per_token = 3;
    config.max_connections = 6;
    let hub = TestHub::start_with(config).await;
    let url = |token: &str| format!("{}/dpia/{DPIA}/base?token={token}", hub.base());

    let mut kbh = Vec::new();
    for _ in 0..3 {
        kbh.push(raw(&hub, "base", &t.kbh).await);
    }
    assert_eq!(status(url(&t.kbh)).await, 429, "the fourth of one token");
    // Other tokens are not held up by København's flood.
    let mut others = vec![raw(&hub, "base", &t.esb).await, raw(&hub, "base", &t.coordinator).await];
    others.push(raw(&hub, "base", &t.kbh_reader).await);
    // Six open: the hub is full for everybody.
    assert_eq!(status(url(&t.esb)).await, 503);
    // One closes: there is room again.
    drop(kbh.pop());
    let deadline = Instant::now() + LIMIT;
    loop {
        match tokio_tungstenite::connect_async(url(&t.esb)).await {
            Ok((ws, _)) => {
                others.push(ws);
                break;
            }
            Err(_) if Instant::now() < deadline => tokio::time::sleep(Duration::from_millis(50)).await,
            Err(e) => panic!("no room after a close: {e}"),
        }
    }
    // Everybody still connected is served, and writes.
    for ws in kbh.iter_mut().chain(others.iter_mut()) {
        assert!(denials(&barrier(ws).await).is_empty());
    }
    let doc = Doc::with_options(Options { client_id: ClientID::new(5_610_042), ..Options::default() });
    doc.get_or_insert_map("meta").insert(&mut doc.transact_mut(), "still", "here");
    let update = doc.transact().encode_state_as_update_v1(&StateVector::default());
    send(&mut others[0], proto::update(update)).await;
    assert!(denials(&barrier(&mut others[0]).await).is_empty(), "Esbjerg writes the base");
    hub.stop().await;
}

/// A WebSocket to the hub from a given loopback address.
async fn connect_from(ip: &str, hub: &TestHub, token: &str) -> Result<Socket, u16> {
    let socket = tokio::net::TcpSocket::new_v4().unwrap();
    socket.bind(format!("{ip}:0").parse().unwrap()).unwrap();
    let tcp = socket.connect(hub.addr).await.unwrap();
    let url = format!("{}/dpia/{DPIA}/base?token={token}", hub.base());
    match tokio_tungstenite::client_async(url, MaybeTlsStream::Plain(tcp)).await {
        Ok((ws, _)) => Ok(ws),
        Err(tokio_tungstenite::tungstenite::Error::Http(resp)) => Err(resp.status().as_u16()),
        Err(e) => panic!("{e}"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wrong_tokens_are_throttled_per_address_and_recorded() {
    let dir = tempfile::tempdir().unwrap();
    let t = registry(dir.path(), BasePolicy::AllParticipants);
    let mut config = config(dir.path());
    config.auth_failures = 10;
    config.auth_throttle = Duration::from_secs(60);
    let hub = TestHub::start_with(config).await;
    let mut answers = Vec::new();
    for i in 0..30 {
        answers.push(connect_from("127.0.0.1", &hub, &format!("khub_guess{i}")).await.expect_err("refused"));
    }
    assert_eq!(answers[..10], [401; 10], "{answers:?}");
    assert!(answers[10..].iter().all(|&s| s == 429), "{answers:?}");
    // Throttled, the address is refused even with a right token …
    assert_eq!(connect_from("127.0.0.1", &hub, &t.kbh).await.err(), Some(429));
    // … and another address is not.
    let mut other = connect_from("127.0.0.2", &hub, &t.kbh).await.expect("another address connects");
    assert!(denials(&barrier(&mut other).await).is_empty());
    // A write goes through the same queue as the records: after it, they are committed.
    let doc = Doc::with_options(Options { client_id: ClientID::new(1_010_042), ..Options::default() });
    doc.get_or_insert_map("meta").insert(&mut doc.transact_mut(), "from", "127.0.0.2");
    let update = doc.transact().encode_state_as_update_v1(&StateVector::default());
    send(&mut other, proto::update(update)).await;
    assert!(denials(&barrier(&mut other).await).is_empty(), "København writes from the other address");
    // Recorded: each failure until the throttle, and the throttle once — not every attempt.
    let refusals = HubStore::open(dir.path()).unwrap().refusals(DPIA).unwrap();
    let auth: Vec<_> = refusals.iter().filter(|r| r.reason.starts_with("K-HUB-AUTH")).collect();
    assert_eq!(auth.len(), 10, "{refusals:?}");
    assert_eq!(auth.iter().filter(|r| r.reason.starts_with("K-HUB-AUTH-THROTTLED")).count(), 1, "{refusals:?}");
    assert!(auth.iter().all(|r| r.org.is_none() && r.token_id.is_none() && r.doc == "base"), "{auth:?}");
    assert!(auth[0].reason.contains("127.0.0.1"), "the address is named: {}", auth[0].reason);
    hub.stop().await;
}

/// A handshake through a (pretended) reverse proxy that says the client is `client`.
async fn connect_forwarded(hub: &TestHub, client: &str, token: &str) -> Result<Socket, u16> {
    use tokio_tungstenite::tungstenite::client::IntoClientRequest;
    let mut request = format!("{}/dpia/{DPIA}/base?token={token}", hub.base()).into_client_request().unwrap();
    request.headers_mut().insert("x-forwarded-for", format!("203.0.113.9, {client}").parse().unwrap());
    match tokio_tungstenite::connect_async(request).await {
        Ok((ws, _)) => Ok(ws),
        Err(tokio_tungstenite::tungstenite::Error::Http(resp)) => Err(resp.status().as_u16()),
        Err(e) => panic!("{e}"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn behind_a_trusted_proxy_the_forwarded_address_is_throttled() {
    let dir = tempfile::tempdir().unwrap();
    let t = registry(dir.path(), BasePolicy::AllParticipants);
    let mut config = config(dir.path());
    config.trust_proxy = true;
    config.auth_failures = 3;
    let hub = TestHub::start_with(config).await;
    for i in 0..3 {
        assert_eq!(connect_forwarded(&hub, "198.51.100.1", &format!("khub_guess{i}")).await.expect_err("refused"), 401);
    }
    assert_eq!(connect_forwarded(&hub, "198.51.100.1", &t.kbh).await.expect_err("throttled"), 429);
    // Another client behind the same proxy (the same TCP peer) is not held up.
    let mut other = connect_forwarded(&hub, "198.51.100.2", &t.kbh).await.expect("another client connects");
    assert!(denials(&barrier(&mut other).await).is_empty());
    still_serving(&hub, &t, 1).await;
    let refusals = HubStore::open(dir.path()).unwrap().refusals(DPIA).unwrap();
    assert!(refusals.iter().any(|r| r.reason.contains("198.51.100.1")), "{refusals:?}");
    hub.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn revoking_a_token_closes_its_open_sockets_promptly() {
    let dir = tempfile::tempdir().unwrap();
    let t = registry(dir.path(), BasePolicy::AllParticipants);
    let doomed = HubStore::open(dir.path()).unwrap().issue_token("561", Role::Member, "soon revoked").unwrap();
    let hub = TestHub::start_with(config(dir.path())).await;
    let mut on_base = raw(&hub, "base", &doomed.secret).await;
    let mut on_supplement = raw(&hub, "supplement/561", &doomed.secret).await;
    barrier(&mut on_base).await;
    barrier(&mut on_supplement).await;
    let mut esb = raw(&hub, "base", &t.esb).await;
    // Revoked as `konsekvens hub token revoke` does it: another connection to the database.
    let started = Instant::now();
    HubStore::open(dir.path()).unwrap().revoke_token(doomed.id).unwrap();
    for ws in [&mut on_base, &mut on_supplement] {
        let (code, reason) = closed(ws).await;
        assert_eq!(code, CloseCode::Policy);
        assert!(reason.starts_with("K-HUB-REVOKED"), "{reason}");
    }
    assert!(started.elapsed() < Duration::from_secs(3), "closed after {:?}", started.elapsed());
    // Esbjerg's other token is untouched.
    assert!(denials(&barrier(&mut esb).await).is_empty());
    still_serving(&hub, &t, 1).await;
    hub.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_write_ahead_log_stays_bounded_while_the_hub_runs() {
    let dir = tempfile::tempdir().unwrap();
    let t = registry(dir.path(), BasePolicy::AllParticipants);
    let mut config = config(dir.path());
    config.wal_limit = 256 * 1024;
    config.synchronous = Synchronous::Normal;
    let hub = TestHub::start_with(config).await;
    let wal = dir.path().join(format!("{}-wal", konsekvens_hub::store::DB_FILE));
    let doc = Doc::with_options(Options { client_id: ClientID::new(1_010_777), ..Options::default() });
    let meta = doc.get_or_insert_map("meta");
    let mut ws = raw(&hub, "supplement/101", &t.kbh).await;
    let mut largest = 0;
    for i in 0..1500 {
        let sv = doc.transact().state_vector();
        meta.insert(&mut doc.transact_mut(), format!("k{}", i % 50), "x".repeat(1024));
        // One write at a time (its own commit), then a barrier answered by a small SyncStep2,
        // in one frame (two small frames meet Nagle and delayed ACKs: 40 ms each round).
        let mut frame = proto::update(doc.transact().encode_state_as_update_v1(&sv));
        frame.extend(proto::sync_step1(&doc.transact().state_vector()));
        send(&mut ws, frame).await;
        loop {
            if recv(&mut ws).await.iter().any(|m| matches!(m, Message::Sync(SyncMessage::SyncStep2(_)))) {
                break;
            }
        }
        largest = largest.max(std::fs::metadata(&wal).map(|m| m.len()).unwrap_or(0));
    }
    // Within a few checkpoint periods of the last write the log is below the limit again.
    let deadline = Instant::now() + Duration::from_secs(5);
    let size = loop {
        let size = std::fs::metadata(&wal).map(|m| m.len()).unwrap_or(0);
        if size <= 256 * 1024 || Instant::now() > deadline {
            break size;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    assert!(size <= 256 * 1024, "the WAL is {size} bytes after the writes (at most {largest} during them)");
    assert!(largest < 32 << 20, "the WAL reached {largest} bytes during the writes");
    assert_eq!(HubStore::open(dir.path()).unwrap().log(DPIA, None).unwrap().len(), 1500, "every write is logged");
    still_serving(&hub, &t, 1).await;
    hub.stop().await;
}

#[test]
fn a_schema_1_database_is_migrated_on_open_keeping_its_refusals() {
    let dir = tempfile::tempdir().unwrap();
    {
        // What an older hub wrote: refusals with NOT NULL org and token.
        schema_1_database(dir.path(), "INSERT INTO refusals(dpia, doc, org, token_id, reason, size, at) VALUES ('aula', 'base', '101', 7, 'read-only token', 12, 1000);");
    }
    let store = HubStore::open(dir.path()).unwrap();
    let version: i32 = rusqlite::Connection::open(dir.path().join(konsekvens_hub::store::DB_FILE))
        .unwrap()
        .pragma_query_value(None, "user_version", |r| r.get(0))
        .unwrap();
    assert_eq!(version, konsekvens_hub::store::SCHEMA_VERSION);
    let old = store.refusals("aula").unwrap();
    assert_eq!(old.len(), 1);
    assert_eq!((old[0].org.as_deref(), old[0].token_id, old[0].reason.as_str()), (Some("101"), Some(7), "read-only token"));
    // The new kind of row fits; opening again changes nothing.
    rusqlite::Connection::open(dir.path().join(konsekvens_hub::store::DB_FILE))
        .unwrap()
        .execute("INSERT INTO refusals(dpia, doc, org, token_id, reason, size, at) VALUES ('aula', 'base', NULL, NULL, 'K-HUB-AUTH', 0, 2000)", [])
        .unwrap();
    drop(store);
    assert_eq!(HubStore::open(dir.path()).unwrap().refusals("aula").unwrap().len(), 2);
}

/// A stand-in hub on 127.0.0.1:0: every connection first gets `first` (raw bytes written
/// after the handshake), then each SyncStep1 is answered with an empty SyncStep2.
async fn fake_hub(first: Vec<u8>) -> std::net::SocketAddr {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        while let Ok((tcp, _)) = listener.accept().await {
            let first = first.clone();
            tokio::spawn(async move {
                let Ok(mut ws) = tokio_tungstenite::accept_async(tcp).await else { return };
                if ws.get_mut().write_all(&first).await.is_err() {
                    return;
                }
                while let Some(Ok(WsMessage::Binary(frame))) = ws.next().await {
                    let asks = proto::decode_frame(&frame).unwrap_or_default();
                    if asks.iter().any(|m| matches!(m, Message::Sync(SyncMessage::SyncStep1(_)))) {
                        let _ = ws.send(WsMessage::Binary(proto::sync_step2(vec![0, 0]).into())).await;
                    }
                }
            });
        }
    });
    addr
}

/// An unmasked server frame header announcing `len` bytes.
fn server_frame(len: usize) -> Vec<u8> {
    let mut h = vec![0x82, 127];
    h.extend_from_slice(&(len as u64).to_be_bytes());
    h
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_rust_client_reads_large_answers_and_names_one_over_its_limit() {
    let dir = tempfile::tempdir().unwrap();
    // 20 MiB in one frame (tungstenite's default client limit is 16 MiB a frame): the
    // hub's SyncStep1 and a message the client skips.
    let mut big = proto::sync_step1(&StateVector::default());
    big.extend(proto::encode(&Message::Custom(99, vec![7u8; 20 << 20])));
    let mut first = server_frame(big.len());
    first.extend(big);
    let addr = fake_hub(first).await;
    let mut ws = empty_workspace(&dir.path().join("big.konsekvens"));
    let url = format!("ws://{addr}/dpia/{DPIA}");
    let report = tokio::time::timeout(LIMIT, konsekvens_hub::sync_once(&mut ws, &url, "khub_x")).await.unwrap().unwrap();
    assert!(report.in_sync(), "{report}");

    // Over the client's limit: said as such, not "cannot reach the hub".
    let addr = fake_hub(server_frame(konsekvens_hub::proto::CLIENT_MAX_MESSAGE_SIZE + 1)).await;
    let mut ws = empty_workspace(&dir.path().join("over.konsekvens"));
    let url = format!("ws://{addr}/dpia/{DPIA}");
    let err = tokio::time::timeout(LIMIT, konsekvens_hub::sync_once(&mut ws, &url, "khub_x")).await.unwrap().unwrap_err();
    let text = err.to_string();
    assert!(matches!(err, konsekvens_hub::SyncError::TooLarge { .. }), "{text}");
    assert!(text.contains(&format!("[K-SYNC-TOO-LARGE] Hubben sendte en besked på {} bytes, over grænsen på", konsekvens_hub::proto::CLIENT_MAX_MESSAGE_SIZE + 1)), "{text}");
}

/// The default update limit leaves room for the demo DPIA (AULA, three municipalities): its
/// largest document goes up in one update at the first sync.
#[test]
fn the_demo_dpia_fits_the_default_update_limit_many_times() {
    let dir = tempfile::tempdir().unwrap();
    let (coordination, base, supplements) = konsekvens_core::sample::aula();
    let ws = konsekvens_core::Workspace::create_with(
        &dir.path().join("demo.konsekvens"),
        std::sync::Arc::new(konsekvens_core::SystemEnv),
        &author(101),
        &coordination,
        &base,
        &supplements,
    )
    .unwrap();
    let largest = ws.keys().map(|k| ws.doc(k).unwrap().encode_diff(&StateVector::default().encode_v1()).unwrap().len()).max().unwrap();
    eprintln!("the demo's largest document: {largest} bytes");
    assert!(largest * 8 < konsekvens_hub::server::DEFAULT_MAX_UPDATE_SIZE, "{largest} bytes");
}
