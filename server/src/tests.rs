//! Unit tests: the SQLite store against real files, the connection loop over plain channels,
//! salon tokens and configuration parsing.

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use domain::blob::BlobHash;
use domain::ids::{DocId, SalonId};
use domain::wire::{ClientMsg, Credential, ErrorCode, ServerMsg, WireChange};
use futures::StreamExt;
use futures::channel::mpsc;
use rusqlite::Connection;

use crate::socket::{Inbound, Outbound, run_connection};
use crate::{
    AppError, AppState, ChangeStore, Salons, SqliteStore, load_or_create_salons_file, parse_salon_entry,
    parse_salon_list,
};

fn salon(raw: &str) -> SalonId {
    SalonId::parse(raw).expect("test salon id is valid")
}

/// A change of the sealed shape under its honest hash, as devices send them.
fn change(doc: &str, n: u8, len: usize) -> WireChange {
    let bytes = [&domain::crypto::MAGIC[..], &vec![n; len.max(domain::crypto::OVERHEAD_BYTES)]].concat();
    WireChange { doc: DocId::parse(doc).expect("test doc id is valid"), hash: *BlobHash::of(&bytes).as_bytes(), bytes }
}

fn open_store(dir: &Path) -> SqliteStore {
    SqliteStore::open(&dir.join("relay.sqlite3")).expect("store opens")
}

fn count_rows(dir: &Path) -> i64 {
    let connection = Connection::open(dir.join("relay.sqlite3")).expect("database opens");
    connection.query_row("SELECT COUNT(*) FROM changes", [], |row| row.get(0)).expect("rows counted")
}

#[tokio::test]
async fn a_change_pushed_twice_is_stored_once_with_one_seq() {
    let dir = tempfile::tempdir().expect("temp dir");
    let store = open_store(dir.path());
    let a = change("c-a", 1, 10);
    let b = change("c-a", 2, 10);

    let first = store.push(salon("alpha"), vec![a.clone(), a.clone(), b.clone()], 1).await.expect("push");
    assert_eq!(first.inserted, 2);
    assert_eq!(first.seqs[0], first.seqs[1], "a duplicate within one batch gets the first seq");
    assert!(first.seqs[2] > first.seqs[0]);
    assert_eq!(first.head, first.seqs[2]);

    let again = store.push(salon("alpha"), vec![b, a], 2).await.expect("push again");
    assert_eq!(again.inserted, 0);
    assert_eq!(again.seqs, vec![first.seqs[2], first.seqs[0]], "a retried push gets the earlier seqs back");
    assert_eq!(again.head, first.head);
    assert_eq!(count_rows(dir.path()), 2);
}

#[tokio::test]
async fn the_same_hash_in_another_document_or_salon_is_a_different_change() {
    let dir = tempfile::tempdir().expect("temp dir");
    let store = open_store(dir.path());
    let outcome = store.push(salon("alpha"), vec![change("c-a", 1, 4), change("c-b", 1, 4)], 1).await.expect("push");
    assert_eq!(outcome.inserted, 2);
    let other_salon = store.push(salon("beta"), vec![change("c-a", 1, 4)], 1).await.expect("push");
    assert_eq!(other_salon.inserted, 1);
    assert_eq!(count_rows(dir.path()), 3);
}

#[tokio::test]
async fn pull_pages_by_seq_limit_and_bytes() {
    let dir = tempfile::tempdir().expect("temp dir");
    let store = open_store(dir.path());
    let changes: Vec<WireChange> = (1..=7).map(|n| change("c-a", n, 100)).collect();
    let pushed = store.push(salon("alpha"), changes.clone(), 1).await.expect("push");
    let head = pushed.head;

    let (page, page_head) = store.pull(salon("alpha"), 0, 3, usize::MAX).await.expect("pull");
    assert_eq!(page_head, head);
    assert_eq!(page.iter().map(|c| c.seq).collect::<Vec<_>>(), pushed.seqs[..3]);
    assert_eq!(page[0].bytes, changes[0].bytes);
    assert_eq!(page[0].hash, changes[0].hash);
    assert_eq!(page[0].doc, changes[0].doc);

    let (page, _) = store.pull(salon("alpha"), pushed.seqs[2], 3, usize::MAX).await.expect("pull");
    assert_eq!(page.iter().map(|c| c.seq).collect::<Vec<_>>(), pushed.seqs[3..6]);

    // 250 bytes allow two changes of 100 bytes, not three.
    let (page, _) = store.pull(salon("alpha"), 0, 100, 250).await.expect("pull");
    assert_eq!(page.len(), 2);

    // A change larger than the cap still comes back alone, or the device would be stuck.
    let (page, _) = store.pull(salon("alpha"), 0, 100, 10).await.expect("pull");
    assert_eq!(page.len(), 1);

    let (page, page_head) = store.pull(salon("alpha"), head, 100, usize::MAX).await.expect("pull");
    assert!(page.is_empty());
    assert_eq!(page_head, head);

    let (page, _) = store.pull(salon("alpha"), u64::MAX, 100, usize::MAX).await.expect("pull");
    assert!(page.is_empty());
}

#[tokio::test]
async fn salons_see_only_their_own_changes_and_heads() {
    let dir = tempfile::tempdir().expect("temp dir");
    let store = open_store(dir.path());
    assert_eq!(store.head(salon("alpha")).await.expect("head"), 0);
    let alpha = store.push(salon("alpha"), vec![change("c-a", 1, 4), change("c-a", 2, 4)], 1).await.expect("push");
    let beta_change = change("c-b", 3, 4);
    let beta = store.push(salon("beta"), vec![beta_change.clone()], 1).await.expect("push");

    assert!(beta.head > alpha.head, "sequence numbers are shared by all salons");
    assert_eq!(store.head(salon("alpha")).await.expect("head"), alpha.head);
    assert_eq!(store.head(salon("beta")).await.expect("head"), beta.head);
    assert_eq!(store.head(salon("gamma")).await.expect("head"), 0);

    let (page, head) = store.pull(salon("beta"), 0, 100, usize::MAX).await.expect("pull");
    assert_eq!(head, beta.head);
    assert_eq!(page.len(), 1);
    assert_eq!(page[0].hash, beta_change.hash);
    let (page, head) = store.pull(salon("alpha"), 0, 100, usize::MAX).await.expect("pull");
    assert_eq!(head, alpha.head);
    assert!(page.iter().all(|c| c.hash != beta_change.hash));
    assert_eq!(page.len(), 2);
}

#[tokio::test]
async fn an_empty_push_changes_nothing() {
    let dir = tempfile::tempdir().expect("temp dir");
    let store = open_store(dir.path());
    let outcome = store.push(salon("alpha"), Vec::new(), 1).await.expect("push");
    assert_eq!((outcome.seqs.len(), outcome.inserted, outcome.head), (0, 0, 0));
}

#[tokio::test]
async fn changes_survive_reopening_and_the_schema_is_versioned() {
    let dir = tempfile::tempdir().expect("temp dir");
    let pushed = {
        let store = open_store(dir.path());
        store.push(salon("alpha"), vec![change("c-a", 1, 4)], 1).await.expect("push")
    };
    let store = open_store(dir.path());
    let (page, head) = store.pull(salon("alpha"), 0, 10, usize::MAX).await.expect("pull");
    assert_eq!(head, pushed.head);
    assert_eq!(page.len(), 1);

    let connection = Connection::open(dir.path().join("relay.sqlite3")).expect("database opens");
    let version: i64 = connection.query_row("PRAGMA user_version", [], |row| row.get(0)).expect("version");
    assert_eq!(version, 6);
    let mode: String = connection.query_row("PRAGMA journal_mode", [], |row| row.get(0)).expect("mode");
    assert_eq!(mode, "wal");
}

#[tokio::test]
async fn a_database_of_the_relay_before_erasure_gains_its_tables_and_keeps_its_changes() {
    let dir = tempfile::tempdir().expect("temp dir");
    let pushed = open_store(dir.path()).push(salon("alpha"), vec![change("c-a", 1, 4)], 1).await.expect("push");
    let connection = Connection::open(dir.path().join("relay.sqlite3")).expect("database opens");
    connection.execute_batch("DROP TABLE erased_docs; DROP TABLE erased_blobs; PRAGMA user_version = 5;").expect("v5");
    drop(connection);
    let store = open_store(dir.path());
    let head = store.erase(salon("alpha"), DocId::parse("c-b").expect("doc"), vec![[1; 32]], 2).await.expect("erase");
    assert!(head > pushed.head, "the erasure is one more change");
    let (page, _) = store.pull(salon("alpha"), 0, 10, usize::MAX).await.expect("pull");
    assert_eq!(page[0].bytes, change("c-a", 1, 4).bytes, "the other document keeps its bytes");
}

#[test]
fn a_database_from_a_newer_relay_is_refused() {
    let dir = tempfile::tempdir().expect("temp dir");
    drop(open_store(dir.path()));
    let connection = Connection::open(dir.path().join("relay.sqlite3")).expect("database opens");
    connection.pragma_update(None, "user_version", 7).expect("version set");
    drop(connection);
    let opened = SqliteStore::open(&dir.path().join("relay.sqlite3"));
    assert!(matches!(opened, Err(AppError::Storage(_))));
}

#[tokio::test]
async fn a_first_release_database_gains_the_blob_and_key_tables_and_keeps_its_changes() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("relay.sqlite3");
    {
        let connection = Connection::open(&path).expect("database opens");
        connection
            .execute_batch(
                "CREATE TABLE changes (seq INTEGER PRIMARY KEY AUTOINCREMENT, salon TEXT NOT NULL, doc_id TEXT NOT NULL,
                     change_hash BLOB NOT NULL, bytes BLOB NOT NULL, received_at INTEGER NOT NULL,
                     UNIQUE (salon, doc_id, change_hash));
                 CREATE INDEX changes_by_salon_seq ON changes (salon, seq);
                 INSERT INTO changes (salon, doc_id, change_hash, bytes, received_at) VALUES ('alpha', 'c-a', zeroblob(32), x'0102', 1);
                 PRAGMA user_version = 1;",
            )
            .expect("a version 1 file");
    }
    let store = SqliteStore::open(&path).expect("opens and migrates");
    let (page, _) = store.pull(salon("alpha"), 0, 10, usize::MAX).await.expect("pull");
    assert_eq!(page.len(), 1, "the old change is still there");
    store.put_blob(salon("alpha"), [9; 32], vec![1, 2, 3], 5, u64::MAX).await.expect("blobs work");
    assert_eq!(store.get_blob(salon("alpha"), [9; 32]).await.expect("get"), Some(vec![1, 2, 3]));
    assert_eq!(store.salon_key(salon("alpha")).await.expect("key"), None);
    assert_eq!(store.claim_key(salon("alpha"), [4; 16], 6).await.expect("claim"), [4; 16]);
    assert_eq!(store.claim_key(salon("alpha"), [5; 16], 7).await.expect("claim"), [4; 16], "the first claim stays");
    assert_eq!(store.salon_key(salon("beta")).await.expect("key"), None, "salons have their own keys");
}

#[test]
fn salons_accept_only_their_own_token() {
    let salons = Salons::new([(salon("alpha"), "secret-a".to_owned()), (salon("beta"), "secret-b".to_owned())]);
    assert!(salons.verify(&salon("alpha"), "secret-a"));
    assert!(!salons.verify(&salon("alpha"), "secret-b"));
    assert!(!salons.verify(&salon("alpha"), "secret-a "));
    assert!(!salons.verify(&salon("alpha"), ""));
    assert!(!salons.verify(&salon("gamma"), "secret-a"));
    let shown = format!("{salons:?}");
    assert!(!shown.contains("secret"), "debug output must not show tokens: {shown}");
}

#[test]
fn salon_entries_are_parsed_and_checked() {
    let (id, token) = parse_salon_entry(" alpha=tok=en ").expect("valid entry");
    assert_eq!((id.as_str(), token.as_str()), ("alpha", "tok=en"));
    assert!(parse_salon_entry("alpha").is_err());
    assert!(parse_salon_entry("Alpha=token").is_err());
    assert!(parse_salon_entry("alpha=").is_err());
    assert!(parse_salon_entry("alpha=two words").is_err());
    assert!(parse_salon_entry(&format!("alpha={}", "x".repeat(257))).is_err());
    match parse_salon_entry("alpha=not valid") {
        Err(error) => assert!(!error.to_string().contains("not valid"), "errors must not echo tokens"),
        Ok(_) => panic!("a token with a space must be refused"),
    }

    let list = parse_salon_list("a=1, b=2,").expect("valid list");
    assert_eq!(list.iter().map(|(id, _)| id.as_str()).collect::<Vec<_>>(), ["a", "b"]);
}

#[test]
fn the_salons_file_is_created_once_with_a_random_demo_token() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("salons.txt");
    let created = load_or_create_salons_file(&path).expect("file created");
    assert_eq!(created.len(), 1);
    assert_eq!(created[0].0.as_str(), "demo");
    let token = &created[0].1;
    assert_eq!(token.len(), 32);
    assert!(token.bytes().all(|b| b.is_ascii_hexdigit()));

    let reread = load_or_create_salons_file(&path).expect("file read");
    assert_eq!(reread, created);

    std::fs::write(&path, "# salons\n\nalpha=one\nbeta=two\n").expect("file written");
    let edited = load_or_create_salons_file(&path).expect("file read");
    assert_eq!(
        edited.iter().map(|(id, token)| (id.as_str(), token.as_str())).collect::<Vec<_>>(),
        [("alpha", "one"), ("beta", "two")]
    );

    let other = tempfile::tempdir().expect("temp dir");
    let second = load_or_create_salons_file(&other.path().join("salons.txt")).expect("file created");
    assert_ne!(second[0].1, *token, "each new file gets its own token");
}

/// A device on the other end of two channels: what the relay says is read with a time limit,
/// so a hang fails the test.
struct ChannelDevice {
    to_relay: mpsc::UnboundedSender<Inbound>,
    from_relay: mpsc::UnboundedReceiver<Outbound>,
}

impl ChannelDevice {
    fn connect(state: &AppState) -> (ChannelDevice, tokio::task::JoinHandle<()>) {
        let (to_relay, inbound) = mpsc::unbounded();
        let (outbound, from_relay) = mpsc::unbounded();
        let state = state.clone();
        let connection = tokio::spawn(async move {
            run_connection(&state, std::net::Ipv4Addr::LOCALHOST.into(), inbound, outbound).await
        });
        (ChannelDevice { to_relay, from_relay }, connection)
    }

    fn send(&self, msg: &ClientMsg) {
        self.to_relay.unbounded_send(Inbound::Binary(msg.encode().into())).expect("relay is listening");
    }

    async fn next(&mut self) -> Outbound {
        tokio::time::timeout(Duration::from_secs(5), self.from_relay.next())
            .await
            .expect("the relay answers in time")
            .expect("the relay keeps the channel open")
    }

    async fn next_message(&mut self) -> ServerMsg {
        match self.next().await {
            Outbound::Message(msg) => msg,
            other => panic!("expected a message, got {other:?}"),
        }
    }
}

#[tokio::test]
async fn the_connection_loop_runs_over_plain_channels_and_stops_on_shutdown() {
    let dir = tempfile::tempdir().expect("temp dir");
    let salons = Salons::new([(salon("alpha"), "secret".to_owned())]);
    let state = AppState::new(Arc::new(open_store(dir.path())), salons, dir.path().join("dist"));

    let (mut refused, connection) = ChannelDevice::connect(&state);
    refused.send(&ClientMsg::Pull { since: 0, limit: 1 });
    assert_eq!(refused.next_message().await, ServerMsg::Error { code: ErrorCode::NotAuthenticated });
    assert!(matches!(refused.next().await, Outbound::Close { code: 1008, .. }));
    drop(refused);
    tokio::time::timeout(Duration::from_secs(5), connection).await.expect("loop ends").expect("no panic");

    let (mut device, connection) = ChannelDevice::connect(&state);
    // The salon's first device pairs with the operator's setup secret, as its owner.
    let credential =
        Credential::Invite { invite: "secret".to_owned(), token: "first-device".to_owned(), public: [1; 32] };
    device.send(&ClientMsg::Hello { salon: salon("alpha"), credential, at: None, pushed: None });
    assert_eq!(
        device.next_message().await,
        ServerMsg::Welcome {
            head: 0,
            key: None,
            lost: false,
            device: 1,
            role: domain::staff::Role::Owner,
            grant: None
        }
    );
    device.send(&ClientMsg::Push { batch: 7, changes: vec![change("c-a", 1, 4)] });
    let seqs = match device.next_message().await {
        ServerMsg::Ack { batch: 7, seqs } => seqs,
        other => panic!("expected Ack, got {other:?}"),
    };
    // The pusher hears its own announcement too; the sync client relies on it for the head.
    assert_eq!(device.next_message().await, ServerMsg::Announce { head: seqs[0] });

    state.shut_down();
    assert!(matches!(device.next().await, Outbound::Close { code: 1001, .. }));
    drop(device);
    tokio::time::timeout(Duration::from_secs(5), connection).await.expect("loop ends").expect("no panic");
}
