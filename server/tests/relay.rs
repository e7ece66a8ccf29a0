//! End-to-end tests of the relay: the real router served on a local port, a SQLite file in a
//! temp dir, and devices played by WebSocket and plain TCP clients.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use domain::blob::BlobHash;
use domain::crypto;
use domain::ids::{DocId, SalonId};
use domain::staff::Role;
use domain::wire::{
    ClientMsg, Credential, ErrorCode, PROTOCOL_VERSION, Position, Receipt, SeqChange, ServerMsg, WireChange, limits,
};
use futures::{SinkExt, StreamExt};
use server::{AppError, AppState, ChangeStore, Config, Limits, NewInvite, SqliteStore, Timeouts};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::protocol::frame::Frame;
use tokio_tungstenite::tungstenite::protocol::frame::coding::{Data, OpCode};
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

/// Longest a test waits for something that should happen; a hang fails instead of blocking.
const PATIENCE: Duration = Duration::from_secs(5);
/// How long a test waits to be sure something does not happen.
const QUIET: Duration = Duration::from_millis(300);

const ALPHA_TOKEN: &str = "alpha-token-0123456789";
const BETA_TOKEN: &str = "beta-token-9876543210";

type Socket = WebSocketStream<MaybeTlsStream<TcpStream>>;

struct Relay {
    addr: SocketAddr,
    database: PathBuf,
    stop: Option<oneshot::Sender<()>>,
    task: JoinHandle<Result<(), AppError>>,
}

impl Relay {
    async fn start(dir: &Path) -> Relay {
        Relay::start_with(dir, Timeouts::default()).await
    }

    async fn start_with(dir: &Path, timeouts: Timeouts) -> Relay {
        Relay::start_limited(dir, timeouts, Limits::default()).await
    }

    async fn start_limited(dir: &Path, timeouts: Timeouts, limits: Limits) -> Relay {
        let config = Config {
            addr: "127.0.0.1:0".parse().expect("address"),
            data_dir: dir.join("data"),
            dist_dir: dir.join("dist"),
            salons: vec![(salon("alpha"), ALPHA_TOKEN.to_owned()), (salon("beta"), BETA_TOKEN.to_owned())],
            salons_file: None,
            tls: None,
        };
        Relay::serve(config, timeouts, limits).await
    }

    /// A relay whose salons come from `<dir>/data/salons.txt`, as `meike-relay` without
    /// `--salon` runs.
    async fn start_from_salons_file(dir: &Path) -> Relay {
        let data_dir = dir.join("data");
        std::fs::create_dir_all(&data_dir).expect("data dir");
        let file = data_dir.join("salons.txt");
        let salons = server::load_or_create_salons_file(&file).expect("salons file");
        let config = Config {
            addr: "127.0.0.1:0".parse().expect("address"),
            data_dir,
            dist_dir: dir.join("dist"),
            salons,
            salons_file: Some(file),
            tls: None,
        };
        Relay::serve(config, Timeouts::default(), Limits::default()).await
    }

    async fn serve(config: Config, timeouts: Timeouts, limits: Limits) -> Relay {
        let state = AppState::open(&config).expect("relay state opens").with_timeouts(timeouts).with_limits(limits);
        let listener = tokio::net::TcpListener::bind(config.addr).await.expect("listener binds");
        let addr = listener.local_addr().expect("bound address");
        let (stop, stopped) = oneshot::channel::<()>();
        let task = tokio::spawn(server::serve(listener, state, async move {
            let _ = stopped.await;
        }));
        Relay { addr, database: config.database_path(), stop: Some(stop), task }
    }

    /// A single-use invite to `salon` with `role`, made as `meike-relay invite` makes one (a
    /// second connection to the relay's file).
    async fn invite(&self, salon_id: &str, role: Role) -> String {
        use std::sync::atomic::{AtomicU64, Ordering};
        static NEXT: AtomicU64 = AtomicU64::new(1);
        let invite = format!("invite-{}", NEXT.fetch_add(1, Ordering::Relaxed));
        let store = SqliteStore::open(&self.database).expect("second connection");
        let hash = sha256(invite.as_bytes());
        let record =
            NewInvite { hash, role, name: String::new(), made_by: None, expires_at_ms: server::now_ms() + 600_000 };
        store.create_invite(salon(salon_id), record).await.expect("invite recorded");
        invite
    }

    /// Pairs a new device to `salon` with an owner's invite; returns its own credential.
    async fn pair(&self, salon_id: &str) -> Credential {
        let (_, device) = self.pair_connected(salon_id).await;
        device
    }

    /// Pairs a new device and keeps its socket open; returns the socket, head and credential.
    async fn pair_connected(&self, salon_id: &str) -> ((Socket, u64), Credential) {
        let invite = self.invite(salon_id, Role::Owner).await;
        let token = format!("token-of-{invite}");
        let joined =
            self.join_with(salon_id, Credential::Invite { invite, token: token.clone(), public: [7; 32] }).await;
        (joined, Credential::Device { token })
    }

    /// Asks for a graceful shutdown and waits for `serve` to return.
    async fn stop(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        let served = tokio::time::timeout(PATIENCE, &mut self.task).await.expect("serve returns promptly");
        served.expect("serve does not panic").expect("serve ends without error");
    }

    async fn connect(&self) -> Socket {
        let (socket, _) =
            tokio::time::timeout(PATIENCE, tokio_tungstenite::connect_async(format!("ws://{}/v1/sync", self.addr)))
                .await
                .expect("connect in time")
                .expect("WebSocket connects");
        socket
    }

    /// A new device of `salon_id`, connected and authenticated; returns the socket and the
    /// head from `Welcome`.
    async fn join(&self, salon_id: &str) -> (Socket, u64) {
        self.pair_connected(salon_id).await.0
    }

    /// Connects and authenticates with `credential`; returns the socket and `Welcome`'s head.
    async fn join_with(&self, salon_id: &str, credential: Credential) -> (Socket, u64) {
        let mut socket = self.connect().await;
        send(&mut socket, &hello(salon_id, credential)).await;
        match recv(&mut socket).await {
            ServerMsg::Welcome { head, .. } => (socket, head),
            other => panic!("expected Welcome, got {other:?}"),
        }
    }

    async fn alpha(&self) -> (Socket, u64) {
        self.join("alpha").await
    }
}

fn hello(salon_id: &str, credential: Credential) -> ClientMsg {
    ClientMsg::Hello { salon: salon(salon_id), credential, at: None, pushed: None }
}

fn device_token(token: &str) -> Credential {
    Credential::Device { token: token.to_owned() }
}

fn sha256(bytes: &[u8]) -> [u8; 32] {
    *BlobHash::of(bytes).as_bytes()
}

fn salon(raw: &str) -> SalonId {
    SalonId::parse(raw).expect("test salon id is valid")
}

/// A change of the sealed shape (at least the sealing overhead long; empty for 0) under its
/// honest hash: what a device sends. The relay cannot tell it from a real sealed change.
fn change(doc: &str, n: u8, len: usize) -> WireChange {
    let bytes = sealed_shape(n, len);
    WireChange { doc: DocId::parse(doc).expect("test doc id is valid"), hash: *BlobHash::of(&bytes).as_bytes(), bytes }
}

fn sealed_shape(n: u8, len: usize) -> Vec<u8> {
    match len {
        0 => Vec::new(),
        _ => [&crypto::MAGIC[..], &vec![n; len.max(crypto::OVERHEAD_BYTES) - crypto::MAGIC.len()]].concat(),
    }
}

fn database(dir: &Path) -> PathBuf {
    dir.join("data").join("relay.sqlite3")
}

fn count_rows(dir: &Path) -> i64 {
    let connection = rusqlite::Connection::open(database(dir)).expect("database opens");
    connection.query_row("SELECT COUNT(*) FROM changes", [], |row| row.get(0)).expect("rows counted")
}

async fn send(socket: &mut Socket, msg: &ClientMsg) {
    send_raw(socket, Message::Binary(msg.encode().into())).await;
}

async fn send_raw(socket: &mut Socket, message: Message) {
    tokio::time::timeout(PATIENCE, socket.send(message)).await.expect("send in time").expect("send works");
}

/// The next protocol message; pings, pongs and a hang fail loudly.
async fn recv(socket: &mut Socket) -> ServerMsg {
    loop {
        let item = tokio::time::timeout(PATIENCE, socket.next()).await.expect("a message arrives in time");
        match item {
            Some(Ok(Message::Binary(frame))) => return ServerMsg::decode(&frame).expect("relay frame decodes"),
            Some(Ok(Message::Ping(_) | Message::Pong(_))) => {}
            other => panic!("expected a binary message, got {other:?}"),
        }
    }
}

/// Like [`recv`], but skips announcements (which may interleave with replies).
async fn recv_reply(socket: &mut Socket) -> ServerMsg {
    loop {
        match recv(socket).await {
            ServerMsg::Announce { .. } => {}
            other => return other,
        }
    }
}

/// Asserts that the relay closes the socket next, sending no more messages. Reading on
/// after the close frame lets the client answer it, as a browser would.
async fn expect_closed(socket: &mut Socket) {
    loop {
        let item = tokio::time::timeout(PATIENCE, socket.next()).await.expect("the relay closes in time");
        match item {
            None | Some(Err(_)) => return,
            Some(Ok(Message::Close(_) | Message::Ping(_) | Message::Pong(_))) => {}
            Some(Ok(other)) => panic!("expected the socket to close, got {other:?}"),
        }
    }
}

/// Asserts that the relay refuses with `code` and closes.
async fn expect_refused(socket: &mut Socket, code: ErrorCode) {
    assert_eq!(recv(socket).await, ServerMsg::Error { code });
    expect_closed(socket).await;
}

async fn expect_silence(socket: &mut Socket) {
    match tokio::time::timeout(QUIET, socket.next()).await {
        Err(_) => {}
        Ok(item) => panic!("expected nothing, got {item:?}"),
    }
}

async fn push(socket: &mut Socket, batch: u64, changes: Vec<WireChange>) -> Vec<u64> {
    send(socket, &ClientMsg::Push { batch, changes }).await;
    match recv_reply(socket).await {
        ServerMsg::Ack { batch: acked, seqs } if acked == batch => seqs,
        other => panic!("expected Ack for batch {batch}, got {other:?}"),
    }
}

async fn pull(socket: &mut Socket, since: u64, limit: u32) -> (Vec<SeqChange>, u64) {
    send(socket, &ClientMsg::Pull { since, limit }).await;
    match recv_reply(socket).await {
        ServerMsg::Page { changes, head } => (changes, head),
        other => panic!("expected Page, got {other:?}"),
    }
}

/// Pulls every change of the socket's salon, page by page.
async fn pull_all(socket: &mut Socket) -> Vec<SeqChange> {
    let mut all: Vec<SeqChange> = Vec::new();
    loop {
        let since = all.last().map_or(0, |c| c.seq);
        let (page, head) = pull(socket, since, limits::MAX_PULL_LIMIT).await;
        if page.is_empty() {
            assert_eq!(since, head, "an empty page comes only at the head");
            return all;
        }
        all.extend(page);
    }
}

/// Minimal HTTP/1.1 GET over a real socket: status, lower-cased headers, body.
async fn http_get(addr: SocketAddr, path: &str) -> (u16, Vec<(String, String)>, String) {
    let mut stream = TcpStream::connect(addr).await.expect("TCP connects");
    let request = format!("GET {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n");
    stream.write_all(request.as_bytes()).await.expect("request sent");
    let mut raw = Vec::new();
    tokio::time::timeout(PATIENCE, stream.read_to_end(&mut raw))
        .await
        .expect("response in time")
        .expect("response read");
    let text = String::from_utf8_lossy(&raw).into_owned();
    let (head, body) = text.split_once("\r\n\r\n").expect("response has a header block");
    let mut lines = head.lines();
    let status = lines
        .next()
        .and_then(|line| line.split_whitespace().nth(1))
        .and_then(|code| code.parse().ok())
        .expect("status line");
    let headers = lines
        .filter_map(|line| line.split_once(':'))
        .map(|(name, value)| (name.trim().to_ascii_lowercase(), value.trim().to_owned()))
        .collect();
    (status, headers, body.to_owned())
}

fn header<'a>(headers: &'a [(String, String)], name: &str) -> Option<&'a str> {
    headers.iter().find(|(n, _)| n == name).map(|(_, v)| v.as_str())
}

fn write_dist(dir: &Path) {
    let dist = dir.join("dist");
    std::fs::create_dir_all(&dist).expect("dist created");
    std::fs::write(dist.join("index.html"), "<!doctype html><title>Meike shell</title>").expect("index written");
    std::fs::write(dist.join("sw.js"), "// service worker").expect("sw written");
    std::fs::write(dist.join("app.js"), "// app").expect("app written");
}

#[tokio::test]
async fn pushing_the_same_change_twice_stores_one_row() {
    let dir = tempfile::tempdir().expect("temp dir");
    let relay = Relay::start(dir.path()).await;
    let (mut socket, head) = relay.alpha().await;
    assert_eq!(head, 0);

    let a = change("c-one", 1, 40);
    let first = push(&mut socket, 1, vec![a.clone(), a.clone()]).await;
    assert_eq!(first.len(), 2);
    assert_eq!(first[0], first[1], "a duplicate within one batch gets the same seq");
    let resent = push(&mut socket, 1, vec![a.clone(), a]).await;
    assert_eq!(resent, first, "a re-sent batch is acknowledged with the same seqs");
    assert_eq!(count_rows(dir.path()), 1);

    let (page, head) = pull(&mut socket, 0, 10).await;
    assert_eq!(page.len(), 1);
    assert_eq!(head, first[0]);
    drop(socket);
    relay.stop().await;
}

#[tokio::test]
async fn pulls_page_by_sequence_number_count_and_bytes() {
    let dir = tempfile::tempdir().expect("temp dir");
    let relay = Relay::start(dir.path()).await;
    let (mut socket, _) = relay.alpha().await;

    let changes: Vec<WireChange> = (1..=7).map(|n| change("c-paged", n, 16)).collect();
    let seqs = push(&mut socket, 1, changes.clone()).await;
    assert!(seqs.windows(2).all(|pair| pair[0] < pair[1]), "new changes get increasing seqs: {seqs:?}");

    let mut received = Vec::new();
    let mut since = 0;
    for expected_len in [3, 3, 1] {
        let (page, head) = pull(&mut socket, since, 3).await;
        assert_eq!(head, seqs[6]);
        assert_eq!(page.len(), expected_len);
        since = page.last().expect("page has changes").seq;
        received.extend(page);
    }
    assert_eq!(received.iter().map(|c| c.seq).collect::<Vec<_>>(), seqs);
    for (got, sent) in received.iter().zip(&changes) {
        assert_eq!((&got.doc, got.hash, &got.bytes), (&sent.doc, sent.hash, &sent.bytes));
    }
    let (page, head) = pull(&mut socket, seqs[6], 3).await;
    assert!(page.is_empty());
    assert_eq!(head, seqs[6]);

    // A limit of 0 is raised to 1 rather than answering with a page that makes no progress.
    let (page, _) = pull(&mut socket, 0, 0).await;
    assert_eq!(page.len(), 1);

    // Four changes of 200 KiB are more than one page may carry.
    let big: Vec<WireChange> = (10..14).map(|n| change("c-big", n, 200 << 10)).collect();
    let big_seqs = push(&mut socket, 2, big).await;
    let (page, _) = pull(&mut socket, seqs[6], limits::MAX_PULL_LIMIT).await;
    assert_eq!(page.iter().map(|c| c.seq).collect::<Vec<_>>(), big_seqs[..3]);
    let (page, _) = pull(&mut socket, big_seqs[2], limits::MAX_PULL_LIMIT).await;
    assert_eq!(page.iter().map(|c| c.seq).collect::<Vec<_>>(), big_seqs[3..]);
    drop(socket);
    relay.stop().await;
}

#[tokio::test]
async fn devices_must_authenticate_first() {
    let dir = tempfile::tempdir().expect("temp dir");
    let relay = Relay::start(dir.path()).await;

    let mut socket = relay.connect().await;
    send(&mut socket, &hello("alpha", device_token(BETA_TOKEN))).await;
    expect_refused(&mut socket, ErrorCode::Unauthorized).await;

    // The setup secret is no device's token; a paired device's token opens only its salon.
    let mut socket = relay.connect().await;
    send(&mut socket, &hello("alpha", device_token(ALPHA_TOKEN))).await;
    expect_refused(&mut socket, ErrorCode::Unauthorized).await;
    let alpha_device = relay.pair("alpha").await;
    let mut socket = relay.connect().await;
    send(&mut socket, &hello("beta", alpha_device.clone())).await;
    expect_refused(&mut socket, ErrorCode::Unauthorized).await;

    let mut socket = relay.connect().await;
    send(&mut socket, &hello("gamma", alpha_device)).await;
    expect_refused(&mut socket, ErrorCode::Unauthorized).await;

    let mut socket = relay.connect().await;
    send(&mut socket, &ClientMsg::Push { batch: 1, changes: vec![change("c-sneaky", 1, 8)] }).await;
    expect_refused(&mut socket, ErrorCode::NotAuthenticated).await;

    let mut socket = relay.connect().await;
    send(&mut socket, &ClientMsg::Pull { since: 0, limit: 10 }).await;
    expect_refused(&mut socket, ErrorCode::NotAuthenticated).await;

    // A second Hello on an authenticated socket breaks the protocol.
    let (mut socket, _) = relay.alpha().await;
    send(&mut socket, &hello("alpha", device_token("anything"))).await;
    expect_refused(&mut socket, ErrorCode::Malformed).await;

    assert_eq!(count_rows(dir.path()), 0, "nothing from a refused socket is stored");
    relay.stop().await;
}

#[tokio::test]
async fn a_silent_socket_is_refused_after_the_hello_timeout() {
    let dir = tempfile::tempdir().expect("temp dir");
    let timeouts = Timeouts { hello: Duration::from_millis(200), ..Timeouts::default() };
    let relay = Relay::start_with(dir.path(), timeouts).await;
    let mut socket = relay.connect().await;
    expect_refused(&mut socket, ErrorCode::NotAuthenticated).await;
    relay.stop().await;
}

#[tokio::test]
async fn garbage_frames_are_refused_and_stored_data_stays_intact() {
    let dir = tempfile::tempdir().expect("temp dir");
    let relay = Relay::start(dir.path()).await;
    let (mut socket, _) = relay.alpha().await;
    push(&mut socket, 1, (1..=5).map(|n| change("c-kept", n, 64)).collect()).await;
    let before = pull_all(&mut socket).await;
    assert_eq!(before.len(), 5);
    let rows_before = count_rows(dir.path());

    // Frames that would store something if they were accepted, so a leak shows in the data.
    let mut noise = vec![PROTOCOL_VERSION];
    let mut x: u32 = 0x1234_5678;
    for _ in 0..256 {
        x = x.wrapping_mul(1_103_515_245).wrapping_add(12_345);
        noise.push((x >> 16) as u8);
    }
    let mut wrong_version = ClientMsg::Push { batch: 9, changes: vec![change("c-bad", 90, 8)] }.encode();
    wrong_version[0] = PROTOCOL_VERSION + 1;
    let over_one_mebibyte =
        ClientMsg::Push { batch: 9, changes: (91..96).map(|n| change("c-bad", n, 250 << 10)).collect() }.encode();
    assert!(over_one_mebibyte.len() > limits::MAX_FRAME_BYTES);
    let too_many = ClientMsg::Push {
        batch: 9,
        changes: (0..=limits::MAX_PUSH_CHANGES).map(|n| change(&format!("c-many-{n}"), 7, 8)).collect(),
    }
    .encode();
    let oversized_change =
        ClientMsg::Push { batch: 9, changes: vec![change("c-bad", 97, limits::MAX_CHANGE_BYTES + 1)] }.encode();
    let empty_change = ClientMsg::Push { batch: 9, changes: vec![change("c-bad", 98, 0)] }.encode();
    let mut trailing_bytes = ClientMsg::Push { batch: 9, changes: vec![change("c-bad", 99, 8)] }.encode();
    trailing_bytes.push(0);

    let invalid_text = Message::Frame(Frame::message(vec![0xff, 0xfe, 0x00], OpCode::Data(Data::Text), true));

    let cases: Vec<(&str, Message, ErrorCode)> = vec![
        ("random bytes", Message::Binary(noise.into()), ErrorCode::Malformed),
        ("an empty frame", Message::Binary(Vec::new().into()), ErrorCode::Malformed),
        ("a wrong version byte", Message::Binary(wrong_version.into()), ErrorCode::UnsupportedVersion),
        ("a text frame", Message::Text("{\"push\":[]}".into()), ErrorCode::Malformed),
        ("a text frame that is not UTF-8", invalid_text, ErrorCode::Malformed),
        ("a frame over 1 MiB", Message::Binary(over_one_mebibyte.into()), ErrorCode::TooLarge),
        ("too many changes", Message::Binary(too_many.into()), ErrorCode::TooLarge),
        ("a change over the limit", Message::Binary(oversized_change.into()), ErrorCode::TooLarge),
        ("an empty change", Message::Binary(empty_change.into()), ErrorCode::Malformed),
        ("trailing bytes", Message::Binary(trailing_bytes.into()), ErrorCode::Malformed),
    ];
    for (name, frame, code) in cases {
        for authenticated in [true, false] {
            let mut socket = if authenticated { relay.alpha().await.0 } else { relay.connect().await };
            // The relay may close before reading all of a huge frame, so sending can fail.
            let _ = tokio::time::timeout(PATIENCE, socket.send(frame.clone())).await.expect("send in time");
            let reply = recv(&mut socket).await;
            assert_eq!(reply, ServerMsg::Error { code }, "{name} (authenticated: {authenticated})");
            expect_closed(&mut socket).await;
        }
    }

    let (mut fresh, _) = relay.alpha().await;
    assert_eq!(pull_all(&mut fresh).await, before, "stored changes are unchanged");
    assert_eq!(count_rows(dir.path()), rows_before);
    drop((socket, fresh));
    relay.stop().await;
}

#[tokio::test]
async fn announcements_reach_only_the_same_salon_and_salons_are_isolated() {
    let dir = tempfile::tempdir().expect("temp dir");
    let relay = Relay::start(dir.path()).await;
    let (mut pusher, _) = relay.alpha().await;
    let (mut listener, _) = relay.alpha().await;
    let (mut other_salon, beta_head) = relay.join("beta").await;
    assert_eq!(beta_head, 0);

    let seqs = push(&mut pusher, 1, vec![change("c-shared", 1, 32), change("c-shared", 2, 32)]).await;
    assert_eq!(recv(&mut listener).await, ServerMsg::Announce { head: seqs[1] });
    expect_silence(&mut other_salon).await;

    // A push of changes already stored announces nothing.
    push(&mut pusher, 2, vec![change("c-shared", 1, 32)]).await;
    expect_silence(&mut listener).await;

    // Beta sees none of alpha's changes, not even by asking from 0.
    let (page, head) = pull(&mut other_salon, 0, limits::MAX_PULL_LIMIT).await;
    assert!(page.is_empty());
    assert_eq!(head, 0);

    // The same document and hash in beta is beta's own change, with its own seq.
    let beta_seqs = push(&mut other_salon, 1, vec![change("c-shared", 1, 32)]).await;
    assert!(beta_seqs[0] > seqs[1]);
    let alpha_changes = pull_all(&mut listener).await;
    assert_eq!(alpha_changes.iter().map(|c| c.seq).collect::<Vec<_>>(), seqs);
    let beta_changes = pull_all(&mut other_salon).await;
    assert_eq!(beta_changes.iter().map(|c| c.seq).collect::<Vec<_>>(), beta_seqs);
    drop((pusher, listener, other_salon));
    relay.stop().await;
}

#[tokio::test]
async fn changes_survive_a_restart_and_shutdown_closes_open_sockets() {
    let dir = tempfile::tempdir().expect("temp dir");
    // A long drain limit: if sockets did not end by themselves, `stop` would run out of
    // patience first and fail.
    let timeouts = Timeouts { socket_drain: Duration::from_secs(60), ..Timeouts::default() };
    let relay = Relay::start_with(dir.path(), timeouts).await;
    let (mut socket, _) = relay.alpha().await;
    push(&mut socket, 1, (1..=3).map(|n| change("c-durable", n, 100)).collect()).await;
    let before = pull_all(&mut socket).await;
    let (mut idle, _) = relay.join("beta").await;

    // Both devices keep their sockets open; shutdown must close them, not wait for them.
    tokio::join!(relay.stop(), expect_closed(&mut socket), expect_closed(&mut idle));

    let relay = Relay::start(dir.path()).await;
    let (mut socket, head) = relay.alpha().await;
    assert_eq!(head, before.last().expect("changes were pushed").seq);
    assert_eq!(pull_all(&mut socket).await, before);
    drop(socket);
    relay.stop().await;
}

#[tokio::test]
async fn a_websocket_outlives_the_http_request_timeout() {
    let dir = tempfile::tempdir().expect("temp dir");
    let timeouts = Timeouts { http_request: Duration::from_millis(100), ..Timeouts::default() };
    let relay = Relay::start_with(dir.path(), timeouts).await;
    let (mut socket, _) = relay.alpha().await;
    tokio::time::sleep(Duration::from_millis(400)).await;
    let seqs = push(&mut socket, 1, vec![change("c-late", 1, 8)]).await;
    assert_eq!(seqs.len(), 1);
    drop(socket);
    relay.stop().await;
}

#[tokio::test]
async fn http_serves_health_and_the_app_shell() {
    let dir = tempfile::tempdir().expect("temp dir");
    write_dist(dir.path());
    let relay = Relay::start(dir.path()).await;

    let (status, _, body) = http_get(relay.addr, "/healthz").await;
    assert_eq!((status, body.as_str()), (200, "ok"));

    for path in ["/", "/index.html", "/customers/42/edit"] {
        let (status, headers, body) = http_get(relay.addr, path).await;
        assert_eq!(status, 200, "{path}");
        assert!(body.contains("Meike shell"), "{path} answers with index.html");
        assert_eq!(header(&headers, "cache-control"), Some("no-cache"), "{path}");
    }

    let (status, headers, body) = http_get(relay.addr, "/sw.js").await;
    assert_eq!((status, body.as_str()), (200, "// service worker"));
    assert_eq!(header(&headers, "cache-control"), Some("no-cache"));

    let (status, headers, _) = http_get(relay.addr, "/app.js").await;
    assert_eq!(status, 200);
    assert_eq!(header(&headers, "cache-control"), None, "other assets keep the default caching");
    relay.stop().await;
}

#[tokio::test]
async fn without_a_built_app_pages_answer_503_but_health_and_sync_work() {
    let dir = tempfile::tempdir().expect("temp dir");
    let relay = Relay::start(dir.path()).await;

    let (status, _, body) = http_get(relay.addr, "/").await;
    assert_eq!(status, 503);
    assert!(body.contains("not built"), "{body}");
    let (status, _, _) = http_get(relay.addr, "/customers").await;
    assert_eq!(status, 503);

    let (status, _, _) = http_get(relay.addr, "/healthz").await;
    assert_eq!(status, 200);
    let (mut socket, _) = relay.alpha().await;
    assert_eq!(push(&mut socket, 1, vec![change("c-x", 1, 8)]).await.len(), 1);
    drop(socket);
    relay.stop().await;
}

fn count_blobs(dir: &Path) -> i64 {
    let connection = rusqlite::Connection::open(database(dir)).expect("database opens");
    connection.query_row("SELECT COUNT(*) FROM blobs", [], |row| row.get(0)).expect("rows counted")
}

/// A sealed-shaped photo and a name for it (devices name photos with a keyed hash the relay
/// cannot check, so any name will do).
fn photo(seed: u8, len: usize) -> (BlobHash, Vec<u8>) {
    let mut bytes: Vec<u8> = (0..len).map(|i| (i as u8).wrapping_mul(seed)).collect();
    bytes[..2].copy_from_slice(&crypto::MAGIC);
    (BlobHash::of(&[b"name".as_slice(), &bytes].concat()), bytes)
}

async fn put_blob(socket: &mut Socket, hash: BlobHash, bytes: Vec<u8>) {
    send(socket, &ClientMsg::PutBlob { hash: *hash.as_bytes(), bytes }).await;
    assert_eq!(recv_reply(socket).await, ServerMsg::BlobStored { hash: *hash.as_bytes() });
}

async fn get_blob(socket: &mut Socket, hash: BlobHash) -> Option<Vec<u8>> {
    send(socket, &ClientMsg::GetBlob { hash: *hash.as_bytes() }).await;
    match recv_reply(socket).await {
        ServerMsg::Blob { hash: answered, bytes } if answered == *hash.as_bytes() => bytes,
        other => panic!("expected the blob, got {other:?}"),
    }
}

#[tokio::test]
async fn a_photo_blob_stored_by_one_device_is_served_to_its_salon_only_and_survives_a_restart() {
    let dir = tempfile::tempdir().expect("temp dir");
    let relay = Relay::start(dir.path()).await;
    let (mut tablet, _) = relay.alpha().await;
    let (hash, bytes) = photo(3, 300_000);
    put_blob(&mut tablet, hash, bytes.clone()).await;
    put_blob(&mut tablet, hash, bytes.clone()).await;
    assert_eq!(count_blobs(dir.path()), 1, "the same photo twice is one row");

    let (mut phone, _) = relay.alpha().await;
    assert_eq!(get_blob(&mut phone, hash).await.as_deref(), Some(bytes.as_slice()));
    assert_eq!(get_blob(&mut phone, photo(5, 10).0).await, None, "unknown blob");
    let (mut other_salon, _) = relay.join("beta").await;
    assert_eq!(get_blob(&mut other_salon, hash).await, None, "another salon never sees it, even by name");

    relay.stop().await;
    let relay = Relay::start(dir.path()).await;
    let (mut phone, _) = relay.alpha().await;
    assert_eq!(get_blob(&mut phone, hash).await.as_deref(), Some(bytes.as_slice()));
    relay.stop().await;
}

#[tokio::test]
async fn plaintext_and_changes_under_another_changes_hash_are_refused_and_nothing_stored_is_harmed() {
    let dir = tempfile::tempdir().expect("temp dir");
    let relay = Relay::start(dir.path()).await;
    let (mut tablet, _) = relay.alpha().await;
    let (hash, bytes) = photo(7, 1_000);
    put_blob(&mut tablet, hash, bytes.clone()).await;
    let stored = change("c-1", 1, 40);
    push(&mut tablet, 1, vec![stored.clone()]).await;

    // A bare JPEG (a device that forgot to seal, or a hostile one) is not stored.
    let (mut hostile, _) = relay.alpha().await;
    let jpeg: Vec<u8> = [&[0xFF, 0xD8, 0xFF, 0xE0][..], &[7; 1_000]].concat();
    send(&mut hostile, &ClientMsg::PutBlob { hash: *BlobHash::of(&jpeg).as_bytes(), bytes: jpeg }).await;
    expect_refused(&mut hostile, ErrorCode::NotSealed).await;
    // Other bytes under the stored change's hash (to poison its slot): refused.
    let (mut hostile, _) = relay.alpha().await;
    let poison = WireChange { bytes: sealed_shape(2, 40), ..stored.clone() };
    send(&mut hostile, &ClientMsg::Push { batch: 1, changes: vec![poison] }).await;
    expect_refused(&mut hostile, ErrorCode::HashMismatch).await;
    // A plaintext change under its honest hash: refused too.
    let (mut hostile, _) = relay.alpha().await;
    let plain = "{\"name\":\"王芳\"} a plaintext change".as_bytes().to_vec();
    let plain = WireChange { doc: stored.doc.clone(), hash: *BlobHash::of(&plain).as_bytes(), bytes: plain };
    send(&mut hostile, &ClientMsg::Push { batch: 1, changes: vec![plain] }).await;
    expect_refused(&mut hostile, ErrorCode::NotSealed).await;

    let (mut huge_sender, _) = relay.alpha().await;
    let (huge_hash, huge) = photo(11, limits::MAX_BLOB_BYTES + 1);
    send(&mut huge_sender, &ClientMsg::PutBlob { hash: *huge_hash.as_bytes(), bytes: huge }).await;
    expect_refused(&mut huge_sender, ErrorCode::TooLarge).await;

    let (mut early, _) = (relay.connect().await, 0);
    send(&mut early, &ClientMsg::GetBlob { hash: *hash.as_bytes() }).await;
    expect_refused(&mut early, ErrorCode::NotAuthenticated).await;

    let (mut phone, _) = relay.alpha().await;
    assert_eq!(get_blob(&mut phone, hash).await, Some(bytes), "the stored photo is untouched");
    let kept = pull_all(&mut phone).await;
    assert_eq!((kept.len(), &kept[0].bytes), (1, &stored.bytes), "the stored change is untouched");
    assert_eq!(count_blobs(dir.path()), 1);
    assert_eq!(count_rows(dir.path()), 1);
    relay.stop().await;
}

#[tokio::test]
async fn the_first_claimed_key_id_is_the_salons_and_every_device_is_told_it() {
    let dir = tempfile::tempdir().expect("temp dir");
    let relay = Relay::start(dir.path()).await;
    let welcome_key = |msg: ServerMsg| match msg {
        ServerMsg::Welcome { key, .. } => key,
        other => panic!("expected Welcome, got {other:?}"),
    };
    let device = relay.pair("alpha").await;
    let beta_device = relay.pair("beta").await;
    let mut first = relay.connect().await;
    send(&mut first, &hello("alpha", device.clone())).await;
    assert_eq!(welcome_key(recv(&mut first).await), None, "a new salon has no key");
    // Before the first device hears back, a second claims another key: the first claim wins.
    send(&mut first, &ClientMsg::ClaimKey { id: [1; 16] }).await;
    assert_eq!(recv_reply(&mut first).await, ServerMsg::SalonKey { id: [1; 16] });
    let (mut second, _) = relay.alpha().await;
    send(&mut second, &ClientMsg::ClaimKey { id: [2; 16] }).await;
    assert_eq!(recv_reply(&mut second).await, ServerMsg::SalonKey { id: [1; 16] });

    // After a restart the id is still the salon's, and another salon's is its own.
    relay.stop().await;
    let relay = Relay::start(dir.path()).await;
    let mut later = relay.connect().await;
    send(&mut later, &hello("alpha", device)).await;
    assert_eq!(welcome_key(recv(&mut later).await), Some([1; 16]));
    let mut beta = relay.connect().await;
    send(&mut beta, &hello("beta", beta_device)).await;
    assert_eq!(welcome_key(recv(&mut beta).await), None);
    // A claim before authenticating is refused.
    let mut early = relay.connect().await;
    send(&mut early, &ClientMsg::ClaimKey { id: [3; 16] }).await;
    expect_refused(&mut early, ErrorCode::NotAuthenticated).await;
    relay.stop().await;
}

/// Connects as `device` with its read position; returns `Welcome`'s `lost`.
async fn welcome_lost(relay: &Relay, device: &Credential, at: Option<(u64, [u8; 32], u64)>) -> bool {
    let at = at.map(|(seq, hash, read)| Position { seq, hash, read });
    welcome_lost_pushed(relay, device, at, None).await
}

async fn welcome_lost_pushed(
    relay: &Relay,
    device: &Credential,
    at: Option<Position>,
    pushed: Option<Receipt>,
) -> bool {
    let mut socket = relay.connect().await;
    send(&mut socket, &ClientMsg::Hello { salon: salon("alpha"), credential: device.clone(), at, pushed }).await;
    match recv(&mut socket).await {
        ServerMsg::Welcome { lost, .. } => lost,
        other => panic!("expected Welcome, got {other:?}"),
    }
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("backup dir");
    for entry in std::fs::read_dir(from).expect("data dir") {
        let path = entry.expect("entry").path();
        std::fs::copy(&path, to.join(path.file_name().expect("name"))).expect("copied");
    }
}

#[tokio::test]
async fn a_relay_restored_from_an_older_backup_tells_the_devices_that_read_past_it() {
    let dir = tempfile::tempdir().expect("temp dir");
    let relay = Relay::start(dir.path()).await;
    // Devices paired before the backup (a backup knows only the devices paired before it).
    let ((mut tablet, _), tablet_device) = relay.pair_connected("alpha").await;
    let reader = relay.pair("alpha").await;
    let early = push(&mut tablet, 1, vec![change("c-1", 1, 40)]).await;
    drop(tablet);
    relay.stop().await;
    // The operator's backup, taken while the relay was stopped.
    copy_dir(&dir.path().join("data"), &dir.path().join("backup"));

    let relay = Relay::start(dir.path()).await;
    let (mut tablet, _) = relay.join_with("alpha", tablet_device.clone()).await;
    let late_change = change("c-1", 2, 40);
    let late = push(&mut tablet, 2, vec![late_change.clone()]).await;
    let receipt = Some(Receipt { seq: late[0], hash: late_change.hash });
    assert!(
        !welcome_lost(&relay, &reader, Some((late[0], late_change.hash, 2))).await,
        "the relay holds what was read"
    );
    assert!(
        welcome_lost(&relay, &reader, Some((late[0], late_change.hash, 1))).await,
        "but not one change fewer below it"
    );
    assert!(!welcome_lost(&relay, &reader, None).await, "a device that read nothing is never told");
    assert!(!welcome_lost_pushed(&relay, &tablet_device, None, receipt).await, "the relay holds what was pushed");
    drop(tablet);
    relay.stop().await;

    // The disk dies; the backup comes back.
    std::fs::remove_dir_all(dir.path().join("data")).expect("data removed");
    copy_dir(&dir.path().join("backup"), &dir.path().join("data"));
    let relay = Relay::start(dir.path()).await;
    assert!(
        welcome_lost(&relay, &reader, Some((late[0], late_change.hash, 2))).await,
        "its head is below the device's cursor"
    );
    // The tablet read nothing back, but its acknowledged push is gone: it is told too.
    assert!(welcome_lost_pushed(&relay, &tablet_device, None, receipt).await, "its pushed change is gone");
    // Another device pushed meanwhile, and the restored relay handed it the same number.
    let (mut other, _) = relay.alpha().await;
    let reused = push(&mut other, 1, vec![change("c-2", 3, 40)]).await;
    assert_eq!(reused[0], late[0], "SQLite's counter came back with the backup");
    assert!(
        welcome_lost(&relay, &reader, Some((late[0], late_change.hash, 2))).await,
        "that number is another change now"
    );
    assert!(welcome_lost_pushed(&relay, &tablet_device, None, receipt).await, "its number holds another change");
    let early_hash = change("c-1", 1, 40).hash;
    assert!(
        !welcome_lost(&relay, &reader, Some((early[0], early_hash, 1))).await,
        "a device that read only the backup's part"
    );
    drop(other);
    relay.stop().await;
}

/// Connects with `credential` and returns the relay's first answer (`Welcome` or an error).
async fn hello_answer(relay: &Relay, salon_id: &str, credential: Credential) -> (Socket, ServerMsg) {
    let mut socket = relay.connect().await;
    send(&mut socket, &hello(salon_id, credential)).await;
    let answer = recv(&mut socket).await;
    (socket, answer)
}

fn invite_with(invite: &str, token: &str) -> Credential {
    Credential::Invite { invite: invite.to_owned(), token: token.to_owned(), public: [token.len() as u8; 32] }
}

#[tokio::test]
async fn the_setup_secret_pairs_one_owner_and_each_invite_pairs_one_device_within_ten_minutes() {
    let dir = tempfile::tempdir().expect("temp dir");
    let relay = Relay::start(dir.path()).await;
    // The operator's setup secret makes the salon's first device its owner.
    let (_, welcome) = hello_answer(&relay, "alpha", invite_with(ALPHA_TOKEN, "owner-token")).await;
    assert!(matches!(welcome, ServerMsg::Welcome { role: Role::Owner, .. }), "{welcome:?}");
    // Its answer lost, the owner tries again with the same token: the same device.
    let (_, again) = hello_answer(&relay, "alpha", invite_with(ALPHA_TOKEN, "owner-token")).await;
    assert_eq!(again, welcome);
    // Anyone else with the printed setup link, later: refused.
    let (mut late, answer) = hello_answer(&relay, "alpha", invite_with(ALPHA_TOKEN, "thief-token")).await;
    assert_eq!(answer, ServerMsg::Error { code: ErrorCode::InviteInvalid });
    expect_closed(&mut late).await;

    // The owner invites a front desk tablet; only the invite's hash reaches the relay.
    let (mut owner, _) = relay.join_with("alpha", device_token("owner-token")).await;
    let invite = "a-one-time-invite";
    let name = "前台 iPad".to_owned();
    send(&mut owner, &ClientMsg::Invite { hash: sha256(invite.as_bytes()), role: Role::FrontDesk, name }).await;
    let expires = match recv_reply(&mut owner).await {
        ServerMsg::Invited { hash, expires_at_ms } if hash == sha256(invite.as_bytes()) => expires_at_ms,
        other => panic!("expected Invited, got {other:?}"),
    };
    assert!(expires > server::now_ms() + 590_000 && expires <= server::now_ms() + 600_000, "ten minutes");
    let (_, paired) = hello_answer(&relay, "alpha", invite_with(invite, "desk-token")).await;
    assert!(matches!(paired, ServerMsg::Welcome { role: Role::FrontDesk, .. }), "{paired:?}");
    // Used once: a second device with the same invite is refused; the first one's retry is not.
    let (_, second) = hello_answer(&relay, "alpha", invite_with(invite, "other-token")).await;
    assert_eq!(second, ServerMsg::Error { code: ErrorCode::InviteInvalid });
    let (_, retry) = hello_answer(&relay, "alpha", invite_with(invite, "desk-token")).await;
    assert_eq!(retry, paired);
    // An invite of another salon, or past its ten minutes, pairs nothing.
    let (_, other_salon) = hello_answer(&relay, "beta", invite_with(invite, "beta-token")).await;
    assert_eq!(other_salon, ServerMsg::Error { code: ErrorCode::InviteInvalid });
    let store = SqliteStore::open(&relay.database).expect("second connection");
    let stale = NewInvite {
        hash: sha256(b"stale"),
        role: Role::Beautician,
        name: String::new(),
        made_by: None,
        expires_at_ms: server::now_ms() - 1,
    };
    store.create_invite(salon("alpha"), stale).await.expect("recorded");
    let (_, expired) = hello_answer(&relay, "alpha", invite_with("stale", "late-token")).await;
    assert_eq!(expired, ServerMsg::Error { code: ErrorCode::InviteInvalid });

    // The devices page: both devices with their roles; no token is stored in clear.
    send(&mut owner, &ClientMsg::ListDevices).await;
    let devices = match recv_reply(&mut owner).await {
        ServerMsg::Devices { devices } => devices,
        other => panic!("expected Devices, got {other:?}"),
    };
    let roles: Vec<(Role, &str)> = devices.iter().map(|d| (d.role, d.name.as_str())).collect();
    assert_eq!(roles, [(Role::Owner, ""), (Role::FrontDesk, "前台 iPad")]);
    let file = std::fs::read(database(dir.path())).expect("database");
    for secret in ["owner-token", "desk-token", invite] {
        assert!(!file.windows(secret.len()).any(|w| w == secret.as_bytes()), "{secret} is not stored");
    }
    drop(owner);
    relay.stop().await;
}

#[tokio::test]
async fn a_removed_device_is_cut_off_at_once_and_only_a_manager_of_its_role_may_remove_it() {
    let dir = tempfile::tempdir().expect("temp dir");
    let relay = Relay::start(dir.path()).await;
    let (mut owner, _) = relay.join_with("alpha", invite_with(ALPHA_TOKEN, "owner-token")).await;
    let manager_invite = relay.invite("alpha", Role::Manager).await;
    let (mut manager, _) = relay.join_with("alpha", invite_with(&manager_invite, "manager-token")).await;
    let beautician_invite = relay.invite("alpha", Role::Beautician).await;
    let (mut lost_tablet, _) = relay.join_with("alpha", invite_with(&beautician_invite, "lost-token")).await;
    let ids = |msg: ServerMsg| match msg {
        ServerMsg::Devices { devices } => devices.iter().map(|d| (d.id, d.role)).collect::<Vec<_>>(),
        other => panic!("expected Devices, got {other:?}"),
    };
    send(&mut owner, &ClientMsg::ListDevices).await;
    let devices = ids(recv_reply(&mut owner).await);
    let (owner_id, manager_id, tablet_id) = (devices[0].0, devices[1].0, devices[2].0);

    // A beautician's device may neither invite nor remove; a manager may not remove the owner.
    send(&mut lost_tablet, &ClientMsg::Invite { hash: [1; 32], role: Role::Beautician, name: String::new() }).await;
    expect_refused(&mut lost_tablet, ErrorCode::Forbidden).await;
    send(&mut manager, &ClientMsg::Revoke { device: owner_id, rotation: None }).await;
    expect_refused(&mut manager, ErrorCode::Forbidden).await;
    let (mut manager, _) = relay.join_with("alpha", device_token("manager-token")).await;
    send(&mut manager, &ClientMsg::Invite { hash: [2; 32], role: Role::Manager, name: String::new() }).await;
    expect_refused(&mut manager, ErrorCode::Forbidden).await;
    let (mut manager, _) = relay.join_with("alpha", device_token("manager-token")).await;

    // The tablet is lost while connected; the manager removes it. Its socket closes at once.
    let (mut lost_tablet, _) = relay.join_with("alpha", device_token("lost-token")).await;
    send(&mut manager, &ClientMsg::Revoke { device: tablet_id, rotation: None }).await;
    assert_eq!(ids(recv_reply(&mut manager).await), [(owner_id, Role::Owner), (manager_id, Role::Manager)]);
    expect_refused(&mut lost_tablet, ErrorCode::Revoked).await;
    // Its token is refused from now on; the others carry on.
    let (mut again, answer) = hello_answer(&relay, "alpha", device_token("lost-token")).await;
    assert_eq!(answer, ServerMsg::Error { code: ErrorCode::Revoked });
    expect_closed(&mut again).await;
    let seqs = push(&mut owner, 1, vec![change("c-after", 1, 40)]).await;
    let (page, _) = pull(&mut manager, 0, limits::MAX_PULL_LIMIT).await;
    assert_eq!(page.iter().map(|c| c.seq).collect::<Vec<_>>(), seqs);
    drop((owner, manager));
    relay.stop().await;
}

/// The HTTP status a refused WebSocket upgrade answers with.
async fn upgrade_status(relay: &Relay) -> Option<u16> {
    match tokio_tungstenite::connect_async(format!("ws://{}/v1/sync", relay.addr)).await {
        Ok(_) => None,
        Err(tokio_tungstenite::tungstenite::Error::Http(response)) => Some(response.status().as_u16()),
        Err(other) => panic!("unexpected connection error {other:?}"),
    }
}

#[tokio::test]
async fn one_address_or_one_salon_cannot_take_every_socket() {
    let dir = tempfile::tempdir().expect("temp dir");
    let limits = Limits { connections_per_address: 3, connections_per_salon: 2, ..Limits::default() };
    let relay = Relay::start_limited(dir.path(), Timeouts::default(), limits).await;
    let devices = [relay.pair("alpha").await, relay.pair("alpha").await, relay.pair("alpha").await];
    let beta_device = relay.pair("beta").await;
    tokio::time::sleep(QUIET).await;
    let (first, _) = relay.join_with("alpha", devices[0].clone()).await;
    let (second, _) = relay.join_with("alpha", devices[1].clone()).await;
    // A third device of the salon: refused for now, with a reason a device retries on.
    let mut third = relay.connect().await;
    send(&mut third, &hello("alpha", devices[2].clone())).await;
    expect_refused(&mut third, ErrorCode::Busy).await;
    drop(third);
    tokio::time::sleep(QUIET).await;
    // Another salon's device from the same address still gets in, up to the address's cap.
    let (beta, _) = relay.join_with("beta", beta_device).await;
    assert_eq!(upgrade_status(&relay).await, Some(429), "the address's fourth socket");
    // A place given back is taken again.
    drop(first);
    tokio::time::sleep(QUIET).await;
    let (again, _) = relay.join_with("alpha", devices[2].clone()).await;
    drop((second, again, beta));
    relay.stop().await;
}

#[tokio::test]
async fn an_address_that_keeps_guessing_tokens_is_turned_away_for_a_while() {
    let dir = tempfile::tempdir().expect("temp dir");
    let limits =
        Limits { failed_logins_per_address: 3, failed_login_window: Duration::from_millis(800), ..Limits::default() };
    let relay = Relay::start_limited(dir.path(), Timeouts::default(), limits).await;
    for guess in 0..3 {
        let mut socket = relay.connect().await;
        send(&mut socket, &hello("alpha", device_token(&format!("guess-{guess}")))).await;
        expect_refused(&mut socket, ErrorCode::Unauthorized).await;
    }
    assert_eq!(upgrade_status(&relay).await, Some(429), "the fourth try is not even heard");
    tokio::time::sleep(Duration::from_millis(900)).await;
    let (socket, _) = relay.alpha().await;
    drop(socket);
    relay.stop().await;
}

#[tokio::test]
async fn a_device_that_stops_answering_is_dropped_and_one_that_answers_pings_stays() {
    let dir = tempfile::tempdir().expect("temp dir");
    let timeouts =
        Timeouts { ping: Duration::from_millis(100), silence: Duration::from_millis(400), ..Timeouts::default() };
    let relay = Relay::start_with(dir.path(), timeouts).await;
    // Reading (so answering pings) keeps a socket open well past the silence limit.
    let (mut awake, _) = relay.alpha().await;
    let until = tokio::time::Instant::now() + Duration::from_millis(1_000);
    let mut pings = 0;
    while tokio::time::Instant::now() < until {
        match tokio::time::timeout(Duration::from_millis(200), awake.next()).await {
            Ok(Some(Ok(Message::Ping(_)))) => pings += 1,
            Ok(Some(Ok(_))) | Err(_) => {}
            Ok(other) => panic!("the socket of a device that answers closed: {other:?}"),
        }
    }
    assert!(pings >= 3, "the relay pings an open socket ({pings} pings)");
    // A device that reads nothing answers no ping: dropped after the silence limit.
    let (mut asleep, _) = relay.alpha().await;
    tokio::time::sleep(Duration::from_millis(900)).await;
    expect_closed(&mut asleep).await;
    drop(awake);
    relay.stop().await;
}

#[tokio::test]
async fn removing_a_device_can_move_the_salon_to_a_new_key_that_reaches_only_the_devices_that_stay() {
    use domain::wire::{Grant, Rotation};
    let dir = tempfile::tempdir().expect("temp dir");
    let relay = Relay::start(dir.path()).await;
    let (mut owner, _) = relay.join_with("alpha", invite_with(ALPHA_TOKEN, "owner-token")).await;
    send(&mut owner, &ClientMsg::ClaimKey { id: [1; 16] }).await;
    assert_eq!(recv_reply(&mut owner).await, ServerMsg::SalonKey { id: [1; 16] });
    let staying = relay.invite("alpha", Role::Beautician).await;
    let (mut staying_socket, _) = relay.join_with("alpha", invite_with(&staying, "staying-token")).await;
    let leaving = relay.invite("alpha", Role::Beautician).await;
    let (_, _) = relay.join_with("alpha", invite_with(&leaving, "leaving-token")).await;
    send(&mut owner, &ClientMsg::ListDevices).await;
    let devices = match recv_reply(&mut owner).await {
        ServerMsg::Devices { devices } => devices,
        other => panic!("expected Devices, got {other:?}"),
    };
    // Each device's public key is listed: what the new key is sealed to.
    assert_eq!(devices[1].public, ["staying-token".len() as u8; 32]);
    let (owner_id, staying_id, leaving_id) = (devices[0].id, devices[1].id, devices[2].id);
    let grant = |device: u64| Grant { device, sealed: vec![device as u8; 84] };
    // A grant for the removed device slipped in: the relay drops it.
    let rotation =
        Rotation { epoch: 2, key_id: [2; 16], grants: vec![grant(owner_id), grant(staying_id), grant(leaving_id)] };
    send(&mut owner, &ClientMsg::Revoke { device: leaving_id, rotation: Some(rotation.clone()) }).await;
    assert!(matches!(recv_reply(&mut owner).await, ServerMsg::Devices { devices } if devices.len() == 2));
    // The open socket of a device that stays is closed, so it reconnects for the new key.
    expect_closed(&mut staying_socket).await;

    // The device that stays is told the new key id, with the key sealed to it.
    let mut socket = relay.connect().await;
    send(&mut socket, &hello("alpha", device_token("staying-token"))).await;
    match recv(&mut socket).await {
        ServerMsg::Welcome { key, grant: sealed, .. } => {
            assert_eq!((key, sealed), (Some([2; 16]), Some(grant(staying_id).sealed)));
        }
        other => panic!("expected Welcome, got {other:?}"),
    }
    let connection = rusqlite::Connection::open(database(dir.path())).expect("database");
    let kept: i64 = connection
        .query_row("SELECT COUNT(*) FROM key_grants WHERE device = ?1", [leaving_id as i64], |row| row.get(0))
        .expect("counted");
    assert_eq!(kept, 0, "no new key is kept for the removed device");
    // A second rotation to the same epoch (another device rotated first) changes nothing.
    let other = relay.invite("alpha", Role::Beautician).await;
    let (_, _) = relay.join_with("alpha", invite_with(&other, "other-token")).await;
    send(&mut owner, &ClientMsg::ListDevices).await;
    let other_id = match recv_reply(&mut owner).await {
        ServerMsg::Devices { devices } => devices[2].id,
        unexpected => panic!("expected Devices, got {unexpected:?}"),
    };
    send(&mut owner, &ClientMsg::Revoke { device: other_id, rotation: Some(rotation) }).await;
    expect_refused(&mut owner, ErrorCode::Forbidden).await;
    let (mut still, answer) = hello_answer(&relay, "alpha", device_token("other-token")).await;
    assert!(matches!(answer, ServerMsg::Welcome { .. }), "the device of a refused removal stays: {answer:?}");
    drop(still.close(None).await);
    relay.stop().await;
}

/// Every byte the relay keeps on disk: its database file, its write-ahead log and the rest.
fn files_bytes(dir: &Path) -> Vec<u8> {
    let mut all = Vec::new();
    for entry in std::fs::read_dir(dir.join("data")).expect("data dir") {
        let path = entry.expect("entry").path();
        if path.is_file() {
            all.extend(std::fs::read(&path).expect("file reads"));
        }
    }
    all
}

fn holds(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

/// A sealed-shaped change whose bytes are easy to find in a file.
fn findable_change(doc: &str, mark: &[u8]) -> WireChange {
    let bytes = [&crypto::MAGIC[..], &mark.repeat(8)].concat();
    WireChange { doc: DocId::parse(doc).expect("doc id"), hash: *BlobHash::of(&bytes).as_bytes(), bytes }
}

#[tokio::test]
async fn an_erased_customer_leaves_no_bytes_on_the_relay_and_nothing_sent_again_is_kept() {
    let dir = tempfile::tempdir().expect("temp dir");
    let relay = Relay::start(dir.path()).await;
    let (mut owner, _) = relay.join_with("alpha", invite_with(ALPHA_TOKEN, "owner-token")).await;
    let beautician_invite = relay.invite("alpha", Role::Beautician).await;
    let (mut beautician, _) = relay.join_with("alpha", invite_with(&beautician_invite, "beautician-token")).await;
    let hers = findable_change("c-hers", b"HER-SEALED-CHANGE-0001");
    let later = findable_change("c-hers", b"HER-SEALED-CHANGE-0002");
    let other = findable_change("c-other", b"OTHER-CUSTOMER-CHANGE");
    let seqs = push(&mut owner, 1, vec![hers.clone(), other.clone()]).await;
    let (her_photo, photo_bytes) = photo(7, 200_000);
    let (other_photo, other_photo_bytes) = photo(9, 1_000);
    put_blob(&mut owner, her_photo, photo_bytes.clone()).await;
    put_blob(&mut owner, other_photo, other_photo_bytes.clone()).await;
    assert!(holds(&files_bytes(dir.path()), b"HER-SEALED-CHANGE-0001"), "stored before");

    // A beautician's device may not erase a customer.
    let erase = ClientMsg::Erase { doc: hers.doc.clone(), blobs: vec![*her_photo.as_bytes()] };
    send(&mut beautician, &erase).await;
    assert_eq!(recv_reply(&mut beautician).await, ServerMsg::Error { code: ErrorCode::Forbidden });
    expect_closed(&mut beautician).await;
    let (mut beautician, _) = relay.join_with("alpha", device_token("beautician-token")).await;
    assert_eq!(pull_all(&mut beautician).await.iter().filter(|c| c.bytes == hers.bytes).count(), 1);

    send(&mut owner, &erase).await;
    assert_eq!(recv_reply(&mut owner).await, ServerMsg::Erased { doc: hers.doc.clone() });
    // Every device hears of it: one new, empty change of her document moves the head.
    assert!(matches!(recv(&mut beautician).await, ServerMsg::Announce { .. }));
    let all = pull_all(&mut beautician).await;
    let (her_rows, rest): (Vec<_>, Vec<_>) = all.iter().partition(|c| c.doc == hers.doc);
    assert_eq!(her_rows.len(), 2, "her change keeps its number, and the erasure is one more");
    assert!(her_rows.iter().all(|c| c.is_erased()), "none of her bytes is sent");
    assert_eq!(her_rows[0].seq, seqs[0]);
    assert_eq!(her_rows[0].hash, hers.hash, "her change keeps its hash: receipts and read counts stay true");
    assert_eq!(rest.len(), 1);
    assert_eq!(rest[0].bytes, other.bytes, "the other customer is untouched");
    assert_eq!(get_blob(&mut beautician, her_photo).await, None, "her photo is gone");
    assert_eq!(get_blob(&mut beautician, other_photo).await.as_deref(), Some(other_photo_bytes.as_slice()));
    let disk = files_bytes(dir.path());
    assert!(!holds(&disk, b"HER-SEALED-CHANGE-0001"), "her sealed change is overwritten on disk, WAL included");
    assert!(!holds(&disk, &photo_bytes[1_000..1_064]), "her photo's bytes are overwritten on disk");
    assert!(holds(&disk, b"OTHER-CUSTOMER-CHANGE"));

    // A tablet that was offline when she was erased still sends her change and her photo:
    // both are acknowledged (so it stops sending), neither is kept.
    let acked = push(&mut beautician, 2, vec![later.clone()]).await;
    put_blob(&mut beautician, her_photo, photo_bytes.clone()).await;
    assert_eq!(get_blob(&mut owner, her_photo).await, None);
    let (page, _) = pull(&mut owner, acked[0] - 1, limits::MAX_PULL_LIMIT).await;
    assert_eq!(page.len(), 1);
    assert!(page[0].is_erased() && page[0].hash == later.hash && page[0].seq == acked[0]);
    assert!(!holds(&files_bytes(dir.path()), b"HER-SEALED-CHANGE-0002"));
    // Erasing again is harmless: nothing more to drop, no second marker.
    send(&mut owner, &erase).await;
    assert_eq!(recv_reply(&mut owner).await, ServerMsg::Erased { doc: hers.doc.clone() });
    assert_eq!(count_rows(dir.path()), 4, "her two changes, her erasure, the other customer's change");
    drop((owner, beautician));
    relay.stop().await;
}

#[tokio::test]
async fn a_salon_over_its_storage_quota_is_refused_clearly_and_keeps_what_it_stored() {
    let dir = tempfile::tempdir().expect("temp dir");
    let limits = Limits { bytes_per_salon: 10_000, ..Limits::default() };
    let relay = Relay::start_limited(dir.path(), Timeouts::default(), limits).await;
    let (mut owner, _) = relay.join_with("alpha", invite_with(ALPHA_TOKEN, "owner-token")).await;
    let stored = vec![change("c-a", 1, 4_000), change("c-a", 2, 4_000)];
    let seqs = push(&mut owner, 1, stored.clone()).await;
    // The same changes again take no more room.
    assert_eq!(push(&mut owner, 2, stored.clone()).await, seqs);
    // A push that would go over is refused whole, with the reason.
    send(&mut owner, &ClientMsg::Push { batch: 3, changes: vec![change("c-a", 3, 1_000), change("c-b", 4, 2_500)] })
        .await;
    expect_refused(&mut owner, ErrorCode::QuotaExceeded).await;
    let (mut owner, _) = relay.join_with("alpha", device_token("owner-token")).await;
    let (photo_name, photo_bytes) = photo(3, 3_000);
    send(&mut owner, &ClientMsg::PutBlob { hash: *photo_name.as_bytes(), bytes: photo_bytes }).await;
    expect_refused(&mut owner, ErrorCode::QuotaExceeded).await;
    // What was stored is intact, and another salon is not held back.
    let (mut owner, _) = relay.join_with("alpha", device_token("owner-token")).await;
    let all = pull_all(&mut owner).await;
    assert_eq!(
        all.iter().map(|c| c.bytes.clone()).collect::<Vec<_>>(),
        [stored[0].bytes.clone(), stored[1].bytes.clone()]
    );
    assert_eq!(count_blobs(dir.path()), 0);
    let (mut beta, _) = relay.join_with("beta", invite_with(BETA_TOKEN, "beta-owner")).await;
    push(&mut beta, 1, vec![change("c-a", 1, 4_000), change("c-a", 2, 4_000)]).await;
    // Erasing a customer frees her room.
    send(&mut owner, &ClientMsg::Erase { doc: stored[0].doc.clone(), blobs: Vec::new() }).await;
    assert_eq!(recv_reply(&mut owner).await, ServerMsg::Erased { doc: stored[0].doc.clone() });
    push(&mut owner, 4, vec![change("c-b", 4, 2_500)]).await;
    drop((owner, beta));
    relay.stop().await;
}

#[tokio::test]
async fn a_salon_added_while_the_relay_runs_can_set_up_its_first_device_at_once() {
    let dir = tempfile::tempdir().expect("temp dir");
    let relay = Relay::start_from_salons_file(dir.path()).await;
    let file = dir.path().join("data/salons.txt");
    // Not there yet: refused.
    let (_, early) = hello_answer(&relay, "gamma", invite_with("anything", "early-token")).await;
    assert_eq!(early, ServerMsg::Error { code: ErrorCode::Unauthorized });

    // `meike-relay salon add gamma` while the relay runs (a second later, as an operator
    // would): its setup link works at once, as the owner's, and once.
    tokio::time::sleep(Duration::from_millis(1_100)).await;
    let secret = server::add_salon(&file, &salon("gamma")).expect("added");
    assert!(std::fs::read_to_string(&file).expect("file").contains(&format!("gamma={secret}")));
    let (_owner, welcome) = hello_answer(&relay, "gamma", invite_with(&secret, "gamma-owner")).await;
    assert!(matches!(welcome, ServerMsg::Welcome { role: Role::Owner, .. }), "{welcome:?}");
    let (_, second) = hello_answer(&relay, "gamma", invite_with(&secret, "second-token")).await;
    assert_eq!(second, ServerMsg::Error { code: ErrorCode::InviteInvalid });
    // Added twice: refused, and the first secret still stands.
    assert!(server::add_salon(&file, &salon("gamma")).is_err());
    relay.stop().await;
}

/// Minimal HTTP/1.1 POST of a binary body over a real socket: status and body bytes.
async fn http_post(addr: SocketAddr, path: &str, body: &[u8]) -> (u16, Vec<u8>) {
    let mut stream = TcpStream::connect(addr).await.expect("TCP connects");
    let head = format!(
        "POST {path} HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/octet-stream\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    );
    stream.write_all(&[head.as_bytes(), body].concat()).await.expect("request sent");
    let mut raw = Vec::new();
    tokio::time::timeout(PATIENCE * 3, stream.read_to_end(&mut raw))
        .await
        .expect("response in time")
        .expect("response read");
    let split = raw.windows(4).position(|w| w == b"\r\n\r\n").expect("response has a header block");
    let status_line = String::from_utf8_lossy(&raw[..split]).lines().next().unwrap_or_default().to_owned();
    let status = status_line.split_whitespace().nth(1).and_then(|code| code.parse().ok()).expect("status line");
    (status, raw[split + 4..].to_vec())
}

fn pairing_code(seed: u8) -> domain::pairing::PairingCode {
    domain::pairing::PairingCode::from_random([seed, 0x13, 0xc7, 0x29, 0xe4, 0x01, 0x9b, 0x77])
}

/// Opens a meeting point for `code` from `socket`; returns the owner's half of the exchange
/// and the expiry the relay gave.
async fn offer_code(socket: &mut Socket, code: &domain::pairing::PairingCode) -> (domain::pairing::Exchange, u64) {
    let (exchange, msg) = domain::pairing::Exchange::offer(code, [1; 32]);
    send(socket, &ClientMsg::PairOffer { rendezvous: code.rendezvous().to_owned(), msg }).await;
    match recv_reply(socket).await {
        ServerMsg::PairOpened { rendezvous, expires_at_ms } if rendezvous == code.rendezvous() => {
            (exchange, expires_at_ms)
        }
        other => panic!("expected PairOpened, got {other:?}"),
    }
}

#[tokio::test]
async fn a_typed_pairing_code_hands_the_sealed_invite_over_once_and_the_relay_keeps_none_of_it() {
    use domain::pairing::{Direction, Exchange};
    let dir = tempfile::tempdir().expect("temp dir");
    let relay = Relay::start(dir.path()).await;
    let (mut owner, _) = relay.join_with("alpha", invite_with(ALPHA_TOKEN, "owner-token")).await;
    let code = pairing_code(0x5a);
    let (exchange, expires_at_ms) = offer_code(&mut owner, &code).await;
    let ten_minutes = server::now_ms() + 600_000;
    assert!(expires_at_ms.abs_diff(ten_minutes) < 5_000, "valid ten minutes: {expires_at_ms} vs {ten_minutes}");
    // Another salon's device can't take the meeting point while it is open.
    let (mut beta, _) = relay.join_with("beta", invite_with(BETA_TOKEN, "beta-owner")).await;
    let (_, msg) = Exchange::offer(&code, [4; 32]);
    send(&mut beta, &ClientMsg::PairOffer { rendezvous: code.rendezvous().to_owned(), msg }).await;
    assert_eq!(recv_reply(&mut beta).await, ServerMsg::PairTaken { rendezvous: code.rendezvous().to_owned() });

    // The new device types the code and posts its message; the owner's device seals the link.
    let (new_device, answer) = Exchange::answer(&code, [2; 32]);
    let path = format!("/pair/{}", code.rendezvous());
    let addr = relay.addr;
    let posted = answer.clone();
    let request = tokio::spawn(async move { http_post(addr, &path, &posted).await });
    let heard = match recv_reply(&mut owner).await {
        ServerMsg::PairAnswer { rendezvous, msg } if rendezvous == code.rendezvous() => msg,
        other => panic!("expected PairAnswer, got {other:?}"),
    };
    assert_eq!(heard, answer, "the relay forwards the new device's message as it was");
    let link = b"https://salon.example/#join=alpha:the-invite;key=1.SECRETKEYTEXT";
    let sealed = exchange.finish(&heard, Direction::ToNewDevice).expect("owner finishes").seal(link, [3; 24]);
    send(&mut owner, &ClientMsg::PairSeal { rendezvous: code.rendezvous().to_owned(), sealed }).await;
    let (status, body) = request.await.expect("request task");
    // The seal is not answered (`ClientMsg::expects_answer`): the owner's device hears nothing.
    expect_silence(&mut owner).await;
    assert_eq!(status, 200, "{}", String::from_utf8_lossy(&body));
    let reply = domain::wire::PairReply::decode(&body).expect("a pair reply");
    let key = new_device.finish(&reply.offer, Direction::ToNewDevice).expect("new device finishes");
    assert_eq!(key.open(&reply.sealed).expect("the invite opens"), link);

    // The code is used up: a second try finds nothing, and the relay's files hold none of it.
    let (status, _) = http_post(relay.addr, &format!("/pair/{}", code.rendezvous()), &answer).await;
    assert_eq!(status, 404);
    let files = files_bytes(dir.path());
    assert!(!holds(&files, b"SECRETKEYTEXT") && !holds(&files, &answer[..16]), "nothing of a pairing is stored");
    drop((owner, beta));
    relay.stop().await;
}

#[tokio::test]
async fn a_pairing_code_takes_one_try_and_a_wrong_unknown_or_closed_one_is_refused_clearly() {
    use domain::pairing::Exchange;
    let dir = tempfile::tempdir().expect("temp dir");
    let timeouts = Timeouts { pair_wait: Duration::from_millis(300), ..Timeouts::default() };
    let relay = Relay::start_with(dir.path(), timeouts).await;
    let (mut owner, _) = relay.join_with("alpha", invite_with(ALPHA_TOKEN, "owner-token")).await;
    let code = pairing_code(0x11);
    let path = format!("/pair/{}", code.rendezvous());
    let (_, msg) = Exchange::answer(&code, [2; 32]);

    // Out of shape: not a meeting point's name, no message, too long a message.
    assert_eq!(http_post(relay.addr, "/pair/k7qx", &msg).await.0, 400);
    assert_eq!(http_post(relay.addr, &path, &[]).await.0, 400);
    assert_eq!(http_post(relay.addr, &path, &[1; 65]).await.0, 400);
    // No code open there.
    let (status, body) = http_post(relay.addr, &path, &msg).await;
    assert_eq!((status, String::from_utf8_lossy(&body).into_owned()), (404, "no pairing code is open there".into()));

    // A guess reaches the owner's device; when it is not answered, the guesser learns that,
    // and the code is used up for everyone.
    offer_code(&mut owner, &code).await;
    let addr = relay.addr;
    let guess = tokio::spawn({
        let path = path.clone();
        let msg = msg.clone();
        async move { http_post(addr, &path, &msg).await }
    });
    assert!(matches!(recv_reply(&mut owner).await, ServerMsg::PairAnswer { .. }));
    assert_eq!(guess.await.expect("guess task").0, 504);
    assert_eq!(http_post(relay.addr, &path, &msg).await.0, 410, "one try per code");
    // A seal for a meeting point that is not this socket's, or not answered, is ignored.
    send(&mut owner, &ClientMsg::PairSeal { rendezvous: "ZZZZ".into(), sealed: vec![1; 40] }).await;

    // The owner's device goes offline: its codes close with its socket.
    let other = pairing_code(0x12);
    offer_code(&mut owner, &other).await;
    drop(owner);
    tokio::time::sleep(QUIET).await;
    assert_eq!(http_post(relay.addr, &format!("/pair/{}", other.rendezvous()), &msg).await.0, 404);

    // A beautician's device may not offer codes; nor may a socket that has not said hello.
    let invite = relay.invite("alpha", Role::Beautician).await;
    let (mut tablet, _) = relay.join_with("alpha", invite_with(&invite, "tablet-token")).await;
    send(&mut tablet, &ClientMsg::PairOffer { rendezvous: "K7QX".into(), msg: vec![1; 33] }).await;
    expect_refused(&mut tablet, ErrorCode::Forbidden).await;
    let mut stranger = relay.connect().await;
    send(&mut stranger, &ClientMsg::PairOffer { rendezvous: "K7QX".into(), msg: vec![1; 33] }).await;
    expect_refused(&mut stranger, ErrorCode::NotAuthenticated).await;
    relay.stop().await;
}

#[tokio::test]
async fn a_device_shows_one_pairing_code_at_a_time_and_a_salon_holds_at_most_eight() {
    use domain::pairing::Exchange;
    let dir = tempfile::tempdir().expect("temp dir");
    let relay = Relay::start(dir.path()).await;
    let (mut owner, _) = relay.join_with("alpha", invite_with(ALPHA_TOKEN, "owner-token")).await;
    let (first, second) = (pairing_code(0x31), pairing_code(0x32));
    offer_code(&mut owner, &first).await;
    offer_code(&mut owner, &second).await;
    let (_, msg) = Exchange::answer(&first, [2; 32]);
    let status = http_post(relay.addr, &format!("/pair/{}", first.rendezvous()), &msg).await.0;
    assert_eq!(status, 404, "a new code closes the device's earlier one");
    // Offering the same code again keeps it open.
    offer_code(&mut owner, &second).await;

    // Seven managers' devices show a code each: with the owner's, the salon's eight.
    let mut managers = Vec::new();
    for i in 0..7u8 {
        let invite = relay.invite("alpha", Role::Manager).await;
        let (mut manager, _) = relay.join_with("alpha", invite_with(&invite, &format!("manager-{i}"))).await;
        offer_code(&mut manager, &pairing_code(0x40 + i)).await;
        managers.push(manager);
    }
    let invite = relay.invite("alpha", Role::Manager).await;
    let (mut ninth, _) = relay.join_with("alpha", invite_with(&invite, "manager-9")).await;
    let code = pairing_code(0x50);
    let (_, msg) = Exchange::offer(&code, [1; 32]);
    send(&mut ninth, &ClientMsg::PairOffer { rendezvous: code.rendezvous().to_owned(), msg }).await;
    assert_eq!(recv_reply(&mut ninth).await, ServerMsg::PairTaken { rendezvous: code.rendezvous().to_owned() });
    // Another salon is not held back by this one's eight.
    let (mut beta, _) = relay.join_with("beta", invite_with(BETA_TOKEN, "beta-owner")).await;
    offer_code(&mut beta, &pairing_code(0x51)).await;
    // A device that goes away frees its place.
    drop(managers.pop());
    tokio::time::sleep(QUIET).await;
    offer_code(&mut ninth, &code).await;
    drop((owner, managers, ninth, beta));
    relay.stop().await;
}

#[tokio::test]
async fn an_address_that_keeps_guessing_pairing_codes_is_turned_away_for_a_while() {
    let dir = tempfile::tempdir().expect("temp dir");
    let limits =
        Limits { failed_logins_per_address: 3, failed_login_window: Duration::from_millis(800), ..Limits::default() };
    let relay = Relay::start_limited(dir.path(), Timeouts::default(), limits).await;
    let (mut owner, _) = relay.join_with("alpha", invite_with(ALPHA_TOKEN, "owner-token")).await;
    let code = pairing_code(0x21);
    offer_code(&mut owner, &code).await;
    for guess in ["AAAA", "AAAB", "AAAC"] {
        assert_eq!(http_post(relay.addr, &format!("/pair/{guess}"), &[1; 33]).await.0, 404);
    }
    let path = format!("/pair/{}", code.rendezvous());
    assert_eq!(http_post(relay.addr, &path, &[1; 33]).await.0, 429, "even the open code is not tried");
    expect_silence(&mut owner).await;
    tokio::time::sleep(Duration::from_millis(900)).await;
    let addr = relay.addr;
    let later = tokio::spawn(async move { http_post(addr, &path, &[1; 33]).await });
    assert!(matches!(recv_reply(&mut owner).await, ServerMsg::PairAnswer { .. }), "heard once the window passed");
    drop(owner);
    assert_ne!(later.await.expect("task").0, 200);
    relay.stop().await;
}
