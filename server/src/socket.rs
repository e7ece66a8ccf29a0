//! The sync endpoint: one WebSocket per device, authenticated by its first message, then
//! pushes, pulls and announcements for its salon. The relay never looks inside a change.

use std::net::{IpAddr, SocketAddr};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use axum::body::Bytes;
use axum::extract::connect_info::Connected;
use axum::extract::ws::{CloseFrame, Message, WebSocket, WebSocketUpgrade, close_code};
use axum::extract::{ConnectInfo, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::response::Response;
use axum::serve::IncomingStream;
use domain::ids::SalonId;
use domain::wire::{ClientMsg, Credential, DeviceInfo, ErrorCode, Position, Receipt, ServerMsg, limits};
use futures::{Sink, SinkExt, Stream, StreamExt, future};
use sha2::{Digest, Sha256};
use tokio::sync::broadcast::error::RecvError;
use tokio::sync::mpsc;
use tracing::Instrument;

use crate::AppError;
use crate::pairing::{Answer, CODE_VALID, Offerer, Opened};
use crate::state::{AppState, SalonEvent, Slot};
use crate::store::{BlobPut, INVITE_VALID_MS, NewInvite, Pass, Revoked};

/// How long to wait for the device to answer our close frame before dropping the socket.
const CLOSE_GRACE: Duration = Duration::from_secs(1);

/// What arrives from a device, already sorted into what the protocol cares about.
#[derive(Debug)]
pub(crate) enum Inbound {
    Binary(Bytes),
    Text,
    /// A frame over [`limits::MAX_FRAME_BYTES`]; the socket cannot be read any further.
    TooLarge,
    /// Pings and pongs, which the WebSocket layer answers by itself.
    Control,
    /// The device closed the socket, or the connection broke; nothing more will arrive.
    Gone,
}

/// What the relay sends to a device.
#[derive(Debug)]
pub(crate) enum Outbound {
    Message(ServerMsg),
    Ping,
    Close { code: u16, reason: &'static str },
}

impl Inbound {
    fn from_axum(item: Result<Message, axum::Error>) -> Inbound {
        match item {
            Ok(Message::Binary(frame)) => Inbound::Binary(frame),
            Ok(Message::Text(_)) => Inbound::Text,
            Ok(Message::Ping(_) | Message::Pong(_)) => Inbound::Control,
            Ok(Message::Close(_)) => Inbound::Gone,
            Err(error) => {
                // The socket ends after any read error; these two are the device's fault and
                // worth telling it about, the rest are broken connections.
                match error.into_inner().downcast_ref::<tungstenite::Error>() {
                    Some(tungstenite::Error::Capacity(_)) => Inbound::TooLarge,
                    Some(tungstenite::Error::Utf8(_)) => Inbound::Text,
                    _ => Inbound::Gone,
                }
            }
        }
    }
}

impl Outbound {
    fn into_axum(self) -> Message {
        match self {
            Outbound::Message(msg) => Message::Binary(Bytes::from(msg.encode())),
            Outbound::Ping => Message::Ping(Bytes::new()),
            Outbound::Close { code, reason } => Message::Close(Some(CloseFrame { code, reason: reason.into() })),
        }
    }
}

/// The address a connection comes from, over plain TCP or TLS alike.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Peer(pub(crate) SocketAddr);

impl Connected<IncomingStream<'_, crate::PlainListener>> for Peer {
    fn connect_info(stream: IncomingStream<'_, crate::PlainListener>) -> Self {
        Peer(*stream.remote_addr())
    }
}

impl Connected<IncomingStream<'_, crate::tls::TlsListener>> for Peer {
    fn connect_info(stream: IncomingStream<'_, crate::tls::TlsListener>) -> Self {
        Peer(*stream.remote_addr())
    }
}

/// `GET /v1/sync`: upgrades to a WebSocket that accepts frames up to the protocol's limit,
/// unless the address has its fill of sockets or failed to log in too often lately (429).
pub(crate) async fn sync_endpoint(
    State(state): State<AppState>,
    ConnectInfo(Peer(peer)): ConnectInfo<Peer>,
    upgrade: WebSocketUpgrade,
) -> Response {
    let Some(slot) = state.address_slot(peer.ip()) else {
        tracing::warn!("too many sockets or failed logins from one address: refused");
        return (StatusCode::TOO_MANY_REQUESTS, "Too many connections from this address; try again later.")
            .into_response();
    };
    upgrade
        .max_message_size(limits::MAX_FRAME_BYTES)
        .max_frame_size(limits::MAX_FRAME_BYTES)
        .on_upgrade(move |socket| serve_socket(state, socket, peer.ip(), slot))
}

async fn serve_socket(state: AppState, socket: WebSocket, peer: IpAddr, _slot: Slot) {
    // The guard lets `serve` wait for this socket to finish before it returns.
    let _open = state.socket_opened();
    let (sink, stream) = socket.split();
    let inbound = stream.map(Inbound::from_axum);
    let outbound = sink.with(|out: Outbound| future::ready(Ok::<_, axum::Error>(out.into_axum())));
    let span = tracing::info_span!("sync", salon = tracing::field::Empty);
    run_connection(&state, peer, inbound, outbound).instrument(span).await;
}

/// Why a connection ends.
#[derive(Debug)]
enum End {
    /// The device broke the protocol, could not be authenticated, or storage failed.
    Refused(ErrorCode),
    ShuttingDown,
    /// The device closed the socket or it broke; nothing more can be sent.
    DeviceGone,
    /// The salon's key was rotated: the device reconnects to get the new one.
    Rekeyed,
}

/// Runs one device's connection to its end. Generic over the socket halves so the protocol
/// does not depend on axum.
pub(crate) async fn run_connection<I, O>(state: &AppState, peer: IpAddr, mut inbound: I, mut outbound: O)
where
    I: Stream<Item = Inbound> + Unpin,
    O: Sink<Outbound> + Unpin,
{
    let end = match authenticate(state, &mut inbound).await {
        Ok(device) => {
            tracing::Span::current().record("salon", device.salon.as_str());
            tracing::debug!(device = device.info.id, "device authenticated");
            match state.salon_slot(&device.salon) {
                Some(_slot) => match relay(state, &device, &mut inbound, &mut outbound).await {
                    Ok(end) | Err(end) => end,
                },
                None => {
                    tracing::warn!("the salon has as many sockets as it may: refused");
                    End::Refused(ErrorCode::Busy)
                }
            }
        }
        Err(end) => {
            if let End::Refused(ErrorCode::Unauthorized | ErrorCode::InviteInvalid | ErrorCode::Revoked) = end {
                state.login_failed(peer);
            }
            end
        }
    };
    tracing::debug!(?end, "connection ends");
    let goodbye = match end {
        End::DeviceGone => None,
        End::Refused(code) => {
            Some((Some(ServerMsg::Error { code }), Outbound::Close { code: close_code_for(code), reason: "refused" }))
        }
        End::ShuttingDown => Some((None, Outbound::Close { code: close_code::AWAY, reason: "relay shutting down" })),
        End::Rekeyed => Some((None, Outbound::Close { code: close_code::AGAIN, reason: "new salon key" })),
    };
    if let Some((last_message, close)) = goodbye {
        // Queued, then flushed with the close frame, so both leave in one write.
        let queued = match last_message {
            Some(msg) => outbound.feed(Outbound::Message(msg)).await.is_ok(),
            None => true,
        };
        if !queued || outbound.send(close).await.is_err() {
            return;
        }
    }
    // Reading on until the stream ends completes the closing handshake: the WebSocket layer
    // answers the device's close frame, or receives its answer to ours. It also keeps an
    // error frame from being lost to a connection reset caused by unread data.
    let _ = tokio::time::timeout(CLOSE_GRACE, async { while inbound.next().await.is_some() {} }).await;
}

fn close_code_for(code: ErrorCode) -> u16 {
    match code {
        ErrorCode::TooLarge => close_code::SIZE,
        ErrorCode::Malformed | ErrorCode::UnsupportedVersion | ErrorCode::HashMismatch | ErrorCode::NotSealed => {
            close_code::PROTOCOL
        }
        ErrorCode::Unauthorized
        | ErrorCode::NotAuthenticated
        | ErrorCode::InviteInvalid
        | ErrorCode::Revoked
        | ErrorCode::Forbidden => close_code::POLICY,
        ErrorCode::Busy | ErrorCode::QuotaExceeded => close_code::AGAIN,
        ErrorCode::Internal => close_code::ERROR,
    }
}

/// Decodes what the device sent. `Ok(None)` means there is nothing to act on.
fn decode(item: Option<Inbound>) -> Result<Option<ClientMsg>, End> {
    match item {
        None | Some(Inbound::Gone) => Err(End::DeviceGone),
        Some(Inbound::Control) => Ok(None),
        Some(Inbound::Text) => Err(End::Refused(ErrorCode::Malformed)),
        Some(Inbound::TooLarge) => Err(End::Refused(ErrorCode::TooLarge)),
        Some(Inbound::Binary(frame)) => {
            ClientMsg::decode(&frame).map(Some).map_err(|problem| End::Refused(problem.code()))
        }
    }
}

/// A device that said who it is, and what it last read and pushed.
struct Authenticated {
    salon: SalonId,
    info: DeviceInfo,
    token_hash: [u8; 32],
    at: Option<Position>,
    pushed: Option<Receipt>,
}

fn sha256(bytes: &[u8]) -> [u8; 32] {
    Sha256::digest(bytes).into()
}

/// Checks a `Hello`'s credential: a paired device's own token, or a new device's invite (the
/// setup secret for a salon's first device), which pairs it.
async fn identify(state: &AppState, salon: &SalonId, credential: Credential) -> Result<(DeviceInfo, [u8; 32]), End> {
    if !state.knows_salon(salon) {
        return Err(End::Refused(ErrorCode::Unauthorized));
    }
    match credential {
        Credential::Device { token } => {
            let token_hash = sha256(token.as_bytes());
            match state.store().device(salon.clone(), token_hash, now_ms()).await.map_err(storage_failed)? {
                Some(device) if device.revoked => Err(End::Refused(ErrorCode::Revoked)),
                Some(device) => Ok((device.info, token_hash)),
                None => Err(End::Refused(ErrorCode::Unauthorized)),
            }
        }
        Credential::Invite { invite, token, public } => {
            let token_hash = sha256(token.as_bytes());
            let pass = if state.salons().verify(salon, &invite) {
                Pass::Setup
            } else {
                Pass::Invite(sha256(invite.as_bytes()))
            };
            match state.store().pair(salon.clone(), pass, token_hash, public, now_ms()).await.map_err(storage_failed)? {
                Some(info) => {
                    tracing::info!(device = info.id, role = info.role.key(), "device paired");
                    Ok((info, token_hash))
                }
                None => Err(End::Refused(ErrorCode::InviteInvalid)),
            }
        }
    }
}

/// Waits for a valid `Hello` within the hello timeout.
async fn authenticate<I>(state: &AppState, inbound: &mut I) -> Result<Authenticated, End>
where
    I: Stream<Item = Inbound> + Unpin,
{
    let mut shutdown = state.shutdown_signal();
    let deadline = tokio::time::sleep(state.timeouts().hello);
    tokio::pin!(deadline);
    loop {
        let item = tokio::select! {
            biased;
            () = shutdown.stopped() => return Err(End::ShuttingDown),
            () = &mut deadline => return Err(End::Refused(ErrorCode::NotAuthenticated)),
            item = inbound.next() => item,
        };
        match decode(item)? {
            None => continue,
            Some(ClientMsg::Hello { salon, credential, at, pushed }) => {
                let (info, token_hash) = identify(state, &salon, credential).await?;
                return Ok(Authenticated { salon, info, token_hash, at, pushed });
            }
            Some(
                ClientMsg::Push { .. }
                | ClientMsg::Pull { .. }
                | ClientMsg::PutBlob { .. }
                | ClientMsg::GetBlob { .. }
                | ClientMsg::ClaimKey { .. }
                | ClientMsg::Invite { .. }
                | ClientMsg::ListDevices
                | ClientMsg::Revoke { .. }
                | ClientMsg::Erase { .. }
                | ClientMsg::PairOffer { .. }
                | ClientMsg::PairSeal { .. },
            ) => {
                return Err(End::Refused(ErrorCode::NotAuthenticated));
            }
        }
    }
}

/// Serves an authenticated device until it leaves, breaks the protocol or the relay stops.
/// Every way out is an [`End`]; `Err` only lets `?` take the early ones.
async fn relay<I, O>(state: &AppState, device: &Authenticated, inbound: &mut I, outbound: &mut O) -> Result<End, End>
where
    I: Stream<Item = Inbound> + Unpin,
    O: Sink<Outbound> + Unpin,
{
    let salon = &device.salon;
    let me = &device.info;
    let mut shutdown = state.shutdown_signal();
    let timeouts = state.timeouts();
    // Pings keep NAT mappings open and find sockets whose device vanished without a close.
    let mut ping = tokio::time::interval_at(tokio::time::Instant::now() + timeouts.ping, timeouts.ping);
    let mut last_heard = tokio::time::Instant::now();
    // Subscribing before reading the head means no change can slip between the two unseen.
    let mut announcements = state.subscribe(salon);
    let head = state.store().head(salon.clone()).await.map_err(storage_failed)?;
    let key = state.store().salon_key(salon.clone()).await.map_err(storage_failed)?;
    // Does this relay still hold what the device last read? Not when it was restored from an
    // older backup (its head is below the device's cursor, or that number now belongs to
    // another change) or lost its database.
    let read_lost = match device.at {
        Some(at) if head < at.seq => true,
        Some(at) => state.store().position(salon.clone(), at.seq).await.map_err(storage_failed)? != Some(at),
        None => false,
    };
    // The same for the newest change it pushed: a backup taken after the push was
    // acknowledged, but before any device read the change back, lacks it.
    let pushed_lost = match device.pushed {
        Some(pushed) if head < pushed.seq => true,
        Some(pushed) => {
            let there = state.store().position(salon.clone(), pushed.seq).await.map_err(storage_failed)?;
            there.map(|p| p.hash) != Some(pushed.hash)
        }
        None => false,
    };
    let lost = read_lost || pushed_lost;
    if lost {
        tracing::warn!(head, "a device has read changes this relay no longer holds: it uploads everything again");
    }
    // After a rotation, the new key sealed to this device (it has it already, or gets it now).
    let grant = match key {
        Some(_) => state.store().grant(salon.clone(), me.id).await.map_err(storage_failed)?,
        None => None,
    };
    send(state, outbound, ServerMsg::Welcome { head, key, lost, device: me.id, role: me.role, grant }).await?;
    // Answers to the pairing codes this device shows arrive here; its meeting points close
    // with the connection.
    let (answers_to, mut answers) = mpsc::channel(MEETINGS_ANSWERS);
    let offerer = Offerer { connection: state.next_connection(), salon: salon.clone(), answers: answers_to };
    let _meetings = ForgetMeetings(state, offerer.connection);
    loop {
        tokio::select! {
            biased;
            () = shutdown.stopped() => return Ok(End::ShuttingDown),
            _ = ping.tick() => {
                if last_heard.elapsed() > timeouts.silence {
                    tracing::debug!("the device has been silent too long: dropped");
                    return Ok(End::DeviceGone);
                }
                let sent = tokio::time::timeout(timeouts.send, outbound.send(Outbound::Ping)).await;
                if !matches!(sent, Ok(Ok(()))) {
                    return Ok(End::DeviceGone);
                }
            }
            announced = announcements.recv() => {
                let head = match announced {
                    Ok(SalonEvent::Head(head)) => head,
                    Ok(SalonEvent::Revoked(id)) if id == me.id => return Ok(End::Refused(ErrorCode::Revoked)),
                    Ok(SalonEvent::Revoked(_)) => continue,
                    Ok(SalonEvent::Rekeyed(by)) if by != me.id => return Ok(End::Rekeyed),
                    Ok(SalonEvent::Rekeyed(_)) => continue,
                    // Announcements only say "there is more"; after missing some, the current
                    // head says it all, and the store whether this device was removed meanwhile.
                    Err(RecvError::Lagged(_)) => {
                        let now = state.store().device(salon.clone(), device.token_hash, now_ms()).await;
                        if now.map_err(storage_failed)?.is_none_or(|d| d.revoked) {
                            return Ok(End::Refused(ErrorCode::Revoked));
                        }
                        state.store().head(salon.clone()).await.map_err(storage_failed)?
                    }
                    Err(RecvError::Closed) => {
                        tracing::error!("announcement channel closed while the relay runs");
                        return Err(End::Refused(ErrorCode::Internal));
                    }
                };
                send(state, outbound, ServerMsg::Announce { head }).await?;
            }
            Some(Answer { rendezvous, msg }) = answers.recv() => {
                send(state, outbound, ServerMsg::PairAnswer { rendezvous, msg }).await?;
            }
            item = inbound.next() => match heard(&mut last_heard, item)? {
                None => {}
                Some(ClientMsg::Hello { .. }) => return Err(End::Refused(ErrorCode::Malformed)),
                Some(ClientMsg::Push { batch, changes }) => {
                    let count = changes.len();
                    let room = state.room(salon).await.map_err(storage_failed)?;
                    let pushed = state.store().push_within(salon.clone(), changes, now_ms(), room);
                    let Some(outcome) = pushed.await.map_err(storage_failed)? else {
                        tracing::warn!(count, "the salon's storage quota is full: push refused");
                        return Err(End::Refused(ErrorCode::QuotaExceeded));
                    };
                    state.stored(salon, outcome.inserted_bytes);
                    tracing::debug!(batch, count, inserted = outcome.inserted, head = outcome.head, "push stored");
                    send(state, outbound, ServerMsg::Ack { batch, seqs: outcome.seqs }).await?;
                    if outcome.inserted > 0 {
                        state.announce(salon, outcome.head);
                    }
                }
                Some(ClientMsg::Pull { since, limit }) => {
                    let limit = limit.clamp(1, limits::MAX_PULL_LIMIT);
                    let (changes, head) = state
                        .store()
                        .pull(salon.clone(), since, limit, limits::MAX_PAGE_BYTES)
                        .await
                        .map_err(storage_failed)?;
                    send(state, outbound, ServerMsg::Page { changes, head }).await?;
                }
                // The first claim wins; the answer is the key id the salon has now.
                Some(ClientMsg::ClaimKey { id }) => {
                    let id = state.store().claim_key(salon.clone(), id, now_ms()).await.map_err(storage_failed)?;
                    send(state, outbound, ServerMsg::SalonKey { id }).await?;
                }
                // `ClientMsg::decode` already refused a blob that is not sealed.
                Some(ClientMsg::PutBlob { hash, bytes }) => {
                    let size = bytes.len();
                    let room = state.room(salon).await.map_err(storage_failed)?;
                    match state.store().put_blob(salon.clone(), hash, bytes, now_ms(), room).await.map_err(storage_failed)? {
                        BlobPut::Stored => state.stored(salon, size as u64),
                        BlobPut::Kept => {}
                        BlobPut::NoRoom => {
                            tracing::warn!(size, "the salon's storage quota is full: blob refused");
                            return Err(End::Refused(ErrorCode::QuotaExceeded));
                        }
                    }
                    tracing::debug!(size, "blob stored");
                    send(state, outbound, ServerMsg::BlobStored { hash }).await?;
                }
                Some(ClientMsg::GetBlob { hash }) => {
                    let bytes = state.store().get_blob(salon.clone(), hash).await.map_err(storage_failed)?;
                    send(state, outbound, ServerMsg::Blob { hash, bytes }).await?;
                }
                Some(ClientMsg::Invite { hash, role, name }) => {
                    if role == domain::staff::Role::Unset || !me.role.manages(role) {
                        return Err(End::Refused(ErrorCode::Forbidden));
                    }
                    let expires_at_ms = now_ms() + INVITE_VALID_MS;
                    let invite = NewInvite { hash, role, name, made_by: Some(me.id), expires_at_ms };
                    state.store().create_invite(salon.clone(), invite).await.map_err(storage_failed)?;
                    tracing::info!(role = role.key(), "invite made");
                    send(state, outbound, ServerMsg::Invited { hash, expires_at_ms }).await?;
                }
                Some(ClientMsg::PairOffer { rendezvous, msg }) => {
                    if me.role.invites().is_empty() {
                        return Err(End::Refused(ErrorCode::Forbidden));
                    }
                    let reply = match state.meetings().open(&offerer, &rendezvous, msg, CODE_VALID) {
                        Opened::Open { expires_in } => {
                            tracing::info!("pairing code offered");
                            let expires_at_ms = now_ms() + u64::try_from(expires_in.as_millis()).unwrap_or(u64::MAX);
                            ServerMsg::PairOpened { rendezvous, expires_at_ms }
                        }
                        Opened::Taken => ServerMsg::PairTaken { rendezvous },
                    };
                    send(state, outbound, reply).await?;
                }
                Some(ClientMsg::PairSeal { rendezvous, sealed }) => {
                    state.meetings().seal(offerer.connection, &rendezvous, sealed);
                }
                Some(ClientMsg::ListDevices) => {
                    let devices = state.store().devices(salon.clone()).await.map_err(storage_failed)?;
                    send(state, outbound, ServerMsg::Devices { devices }).await?;
                }
                Some(ClientMsg::Erase { doc, blobs }) => {
                    if !me.role.erases() {
                        return Err(End::Refused(ErrorCode::Forbidden));
                    }
                    let named = blobs.len();
                    let head =
                        state.store().erase(salon.clone(), doc.clone(), blobs, now_ms()).await.map_err(storage_failed)?;
                    // Her document id is random, not personal: it is what the operator can
                    // point to when she asks whether it was done.
                    tracing::info!(doc = doc.as_str(), photos = named, "customer erased");
                    state.recount(salon);
                    send(state, outbound, ServerMsg::Erased { doc }).await?;
                    state.announce(salon, head);
                }
                Some(ClientMsg::Revoke { device: target, mut rotation }) => {
                    let devices = state.store().devices(salon.clone()).await.map_err(storage_failed)?;
                    let allowed = devices.iter().find(|d| d.id == target).is_none_or(|d| me.role.manages(d.role));
                    if target == me.id || !allowed {
                        return Err(End::Refused(ErrorCode::Forbidden));
                    }
                    // The removed device never gets the new key, whatever was sent.
                    if let Some(rotation) = rotation.as_mut() {
                        rotation.grants.retain(|grant| grant.device != target);
                    }
                    let rotated = rotation.as_ref().map(|r| r.epoch);
                    match state.store().revoke(salon.clone(), target, rotation, now_ms()).await.map_err(storage_failed)? {
                        Revoked::Done => {
                            tracing::info!(device = target, ?rotated, "device removed");
                            state.revoked(salon, target);
                            if rotated.is_some() {
                                state.rekeyed(salon, me.id);
                            }
                        }
                        Revoked::NoSuchDevice => {}
                        // Another device rotated the key meanwhile: this one reconnects, gets
                        // the new key, and can remove the device again.
                        Revoked::StaleRotation => return Err(End::Refused(ErrorCode::Forbidden)),
                    }
                    let devices = state.store().devices(salon.clone()).await.map_err(storage_failed)?;
                    send(state, outbound, ServerMsg::Devices { devices }).await?;
                }
            },
        }
    }
}

/// Answers to pairing codes a socket may have waiting (one per code, and a salon has a few).
const MEETINGS_ANSWERS: usize = 8;

/// Closes a connection's meeting points when it ends, however it ends.
struct ForgetMeetings<'a>(&'a AppState, u64);

impl Drop for ForgetMeetings<'_> {
    fn drop(&mut self) {
        self.0.meetings().forget(self.1);
    }
}

/// Decodes what an authenticated device sent, noting that it was heard from (pongs count).
fn heard(last_heard: &mut tokio::time::Instant, item: Option<Inbound>) -> Result<Option<ClientMsg>, End> {
    *last_heard = tokio::time::Instant::now();
    decode(item)
}

/// Sends one message, giving up on a device that does not take it within the send limit (its
/// network gone, or reading nothing).
async fn send<O>(state: &AppState, outbound: &mut O, msg: ServerMsg) -> Result<(), End>
where
    O: Sink<Outbound> + Unpin,
{
    match tokio::time::timeout(state.timeouts().send, outbound.send(Outbound::Message(msg))).await {
        Ok(Ok(())) => Ok(()),
        Ok(Err(_)) | Err(_) => Err(End::DeviceGone),
    }
}

fn storage_failed(error: AppError) -> End {
    // The error names the failing operation only; change bytes never reach it.
    tracing::error!(%error, "storage failed");
    End::Refused(ErrorCode::Internal)
}

/// Milliseconds since 1970 by the host's clock.
pub fn now_ms() -> u64 {
    // A clock before 1970 is a misconfigured host; the receive time is informational only.
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|elapsed| u64::try_from(elapsed.as_millis()).unwrap_or(u64::MAX))
        .unwrap_or(0)
}
