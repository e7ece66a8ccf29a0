//! The meeting points of pairing by a typed code (`domain::pairing`). The relay only forwards
//! two SPAKE2 messages and one sealed invite between a device of the salon (connected by its
//! socket) and a new device (which has no token yet, so it asks over plain HTTP); it never
//! learns the code's password, and it can't open what it forwards.
//!
//! A meeting point lives in memory: for ten minutes, until its offering socket closes, or until
//! its one answer was forwarded. A second device typing the same code, or a guesser, gets
//! nothing: each code takes one answer, whoever sends it.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant};

use axum::body::Bytes;
use axum::extract::{ConnectInfo, Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use domain::ids::SalonId;
use domain::pairing::PairingCode;
use domain::wire::{PairReply, limits};
use tokio::sync::{mpsc, oneshot};

use crate::socket::Peer;
use crate::state::AppState;

/// How long a pairing code is good for.
pub(crate) const CODE_VALID: Duration = Duration::from_secs(10 * 60);
/// Meeting points one salon may hold at once (a code per device being paired).
const MEETINGS_PER_SALON: usize = 8;
/// Meeting points the relay holds at once, all salons together.
const MEETINGS_IN_ALL: usize = 10_000;

/// A new device's message, forwarded to the socket of the device showing the code.
#[derive(Debug)]
pub(crate) struct Answer {
    pub(crate) rendezvous: String,
    pub(crate) msg: Vec<u8>,
}

/// One connection's way to hear of answers to its codes, and its identity in the table.
pub(crate) struct Offerer {
    pub(crate) connection: u64,
    pub(crate) salon: SalonId,
    pub(crate) answers: mpsc::Sender<Answer>,
}

enum Stage {
    /// Waiting for a new device.
    Open,
    /// A new device answered: waiting for the offering device's sealed invite.
    Answered(oneshot::Sender<Vec<u8>>),
}

struct Meeting {
    connection: u64,
    salon: SalonId,
    offer: Vec<u8>,
    expires: Instant,
    answers: mpsc::Sender<Answer>,
    stage: Stage,
}

/// What came of opening a meeting point.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Opened {
    Open {
        expires_in: Duration,
    },
    /// Another connection holds it (unexpired), or the salon or the relay has its fill.
    Taken,
}

/// Why a new device's answer gets no invite. Each says what the person can do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum PairRefusal {
    /// No such code open (never made, mistyped in its first four characters, past its ten
    /// minutes, or its device went offline).
    #[error("no pairing code is open there")]
    Unknown,
    /// Someone already typed this code: a code takes one try.
    #[error("the pairing code was used already")]
    Used,
    /// The device showing the code did not answer in time.
    #[error("the device showing the code did not answer")]
    NoAnswer,
    /// Not a SPAKE2 message, or not a meeting point's name.
    #[error("the pairing request is malformed")]
    Malformed,
    /// Too many failed tries from this address lately.
    #[error("too many tries from this address")]
    TooMany,
}

impl IntoResponse for PairRefusal {
    fn into_response(self) -> Response {
        let status = match self {
            PairRefusal::Unknown => StatusCode::NOT_FOUND,
            PairRefusal::Used => StatusCode::GONE,
            PairRefusal::NoAnswer => StatusCode::GATEWAY_TIMEOUT,
            PairRefusal::Malformed => StatusCode::BAD_REQUEST,
            PairRefusal::TooMany => StatusCode::TOO_MANY_REQUESTS,
        };
        (status, self.to_string()).into_response()
    }
}

/// Every open meeting point, by its four characters.
#[derive(Default)]
pub(crate) struct Meetings {
    table: Mutex<HashMap<String, Meeting>>,
}

impl Meetings {
    fn table(&self) -> std::sync::MutexGuard<'_, HashMap<String, Meeting>> {
        // Every change to the table is a single insert or remove: valid after any panic.
        self.table.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Opens `rendezvous` for `offerer`'s SPAKE2 message `offer`. A device shows one code at
    /// a time: a new one from the same connection closes its earlier one.
    pub(crate) fn open(&self, offerer: &Offerer, rendezvous: &str, offer: Vec<u8>, valid: Duration) -> Opened {
        let now = Instant::now();
        let mut table = self.table();
        table.retain(|_, m| m.expires > now && !m.answers.is_closed());
        if table.get(rendezvous).is_some_and(|held| held.connection != offerer.connection) {
            return Opened::Taken;
        }
        table.retain(|_, m| m.connection != offerer.connection);
        let of_salon = table.values().filter(|m| m.salon == offerer.salon).count();
        if of_salon >= MEETINGS_PER_SALON || table.len() >= MEETINGS_IN_ALL {
            return Opened::Taken;
        }
        let meeting = Meeting {
            connection: offerer.connection,
            salon: offerer.salon.clone(),
            offer,
            expires: now + valid,
            answers: offerer.answers.clone(),
            stage: Stage::Open,
        };
        table.insert(rendezvous.to_owned(), meeting);
        Opened::Open { expires_in: valid }
    }

    /// A new device's `msg` for `rendezvous`: forwarded to the offering socket. On success,
    /// the offering device's message and where its sealed invite will arrive.
    fn answer(&self, rendezvous: &str, msg: Vec<u8>) -> Result<(Vec<u8>, oneshot::Receiver<Vec<u8>>), PairRefusal> {
        let mut table = self.table();
        let Some(meeting) = table.get_mut(rendezvous) else { return Err(PairRefusal::Unknown) };
        if meeting.expires <= Instant::now() || meeting.answers.is_closed() {
            table.remove(rendezvous);
            return Err(PairRefusal::Unknown);
        }
        if matches!(meeting.stage, Stage::Answered(_)) {
            return Err(PairRefusal::Used);
        }
        let (sealed_to, sealed) = oneshot::channel();
        if meeting.answers.try_send(Answer { rendezvous: rendezvous.to_owned(), msg }).is_err() {
            // The offering socket is gone or swamped: this code is of no use any more.
            table.remove(rendezvous);
            return Err(PairRefusal::Unknown);
        }
        meeting.stage = Stage::Answered(sealed_to);
        Ok((meeting.offer.clone(), sealed))
    }

    /// The offering connection's sealed invite for `rendezvous`: handed to the waiting new
    /// device, and the meeting point closed. Anything else (not this connection's, not
    /// answered yet) is ignored.
    pub(crate) fn seal(&self, connection: u64, rendezvous: &str, sealed: Vec<u8>) {
        let mut table = self.table();
        let ours =
            table.get(rendezvous).is_some_and(|m| m.connection == connection && matches!(m.stage, Stage::Answered(_)));
        if !ours {
            return;
        }
        if let Some(Meeting { stage: Stage::Answered(to), .. }) = table.remove(rendezvous) {
            // The new device may have given up waiting; then nobody gets the invite.
            let _ = to.send(sealed);
        }
    }

    /// The connection closed: its meeting points close with it.
    pub(crate) fn forget(&self, connection: u64) {
        self.table().retain(|_, m| m.connection != connection);
    }
}

/// `POST /pair/{rendezvous}` with the new device's SPAKE2 message as the body: answered with a
/// [`PairReply`] once the device showing the code has sealed the invite, or with why not.
/// Every refused try counts against the address like a refused login.
pub(crate) async fn pair_endpoint(
    State(state): State<AppState>,
    ConnectInfo(Peer(peer)): ConnectInfo<Peer>,
    Path(rendezvous): Path<String>,
    body: Bytes,
) -> Result<Vec<u8>, PairRefusal> {
    let outcome = pair(&state, peer.ip(), &rendezvous, body).await;
    if let Err(refusal) = outcome {
        tracing::info!(%refusal, "pairing by code refused");
    }
    outcome
}

async fn pair(state: &AppState, peer: IpAddr, rendezvous: &str, body: Bytes) -> Result<Vec<u8>, PairRefusal> {
    if !state.may_try(peer) {
        return Err(PairRefusal::TooMany);
    }
    if !PairingCode::valid_rendezvous(rendezvous) || body.is_empty() || body.len() > limits::MAX_PAIR_MSG_BYTES {
        state.login_failed(peer);
        return Err(PairRefusal::Malformed);
    }
    let (offer, sealed) =
        state.meetings().answer(rendezvous, body.to_vec()).inspect_err(|_| state.login_failed(peer))?;
    match tokio::time::timeout(state.timeouts().pair_wait, sealed).await {
        Ok(Ok(sealed)) => {
            tracing::info!("pairing code answered: the sealed invite is handed over");
            Ok(PairReply { offer, sealed }.encode())
        }
        // The offering device went away, or is too slow: the code is used up either way.
        Ok(Err(_)) | Err(_) => Err(PairRefusal::NoAnswer),
    }
}
