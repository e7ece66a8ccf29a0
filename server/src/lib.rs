//! Meike's blind relay: stores opaque change blobs per salon, forwards them to the salon's
//! other devices over WebSockets, and serves the built web app.
//!
//! The relay never parses a change's bytes (they will be encrypted later); it only knows
//! which salon and document a change belongs to and the hash its author gave it.

use std::future::Future;

use axum::Router;
use axum::http::StatusCode;
use axum::middleware;
use axum::routing::{get, post};
use tokio::net::TcpListener;
use tower::ServiceBuilder;
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::services::{ServeDir, ServeFile};
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::TraceLayer;

mod auth;
mod config;
mod error;
mod http;
mod pairing;
mod socket;
mod sqlite;
mod state;
mod store;
pub mod tls;

pub use auth::Salons;
pub use config::{Config, add_salon, load_or_create_salons_file, parse_salon_entry, parse_salon_list, random_secret};
pub use error::AppError;
pub use pairing::PairRefusal;
pub use socket::now_ms;
pub use sqlite::SqliteStore;
pub use state::{AppState, Limits, Timeouts};
pub use store::{BlobPut, ChangeStore, INVITE_VALID_MS, KnownDevice, NewInvite, Pass, PushOutcome, Revoked};

/// No HTTP route takes a body of any size; this bounds what a client can make us buffer.
const MAX_REQUEST_BODY_BYTES: usize = 64 << 10;

/// All routes: `/healthz`, the sync WebSocket at `/v1/sync`, a new device's pairing request
/// at `POST /pair/{rendezvous}`, and the web app for everything
/// else (unknown paths get index.html, so client-side routes work on reload).
pub fn router(state: AppState) -> Router {
    let dist = state.dist_dir().to_path_buf();
    let app_files = Router::new()
        .fallback_service(ServeDir::new(&dist).fallback(ServeFile::new(dist.join("index.html"))))
        .layer(middleware::from_fn(http::cache_policy))
        .layer(middleware::from_fn_with_state(state.clone(), http::require_built_app));
    // The timeout covers a request until its response starts. For `/v1/sync` that is the
    // upgrade response; the socket itself then runs in its own task, outside this limit.
    let http_limits = ServiceBuilder::new()
        .layer(TraceLayer::new_for_http())
        .layer(TimeoutLayer::with_status_code(StatusCode::REQUEST_TIMEOUT, state.timeouts().http_request))
        .layer(RequestBodyLimitLayer::new(MAX_REQUEST_BODY_BYTES));
    Router::new()
        .route("/healthz", get(http::healthz))
        .route("/v1/sync", get(socket::sync_endpoint))
        .route("/pair/{rendezvous}", post(pairing::pair_endpoint))
        .fallback_service(app_files)
        .layer(http_limits)
        .with_state(state)
}

/// Serves plain HTTP until `shutdown` resolves, then stops accepting, tells open sockets to
/// close and waits (boundedly) for them, so the store is idle when this returns.
pub async fn serve(
    listener: TcpListener,
    state: AppState,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> Result<(), AppError> {
    serve_on(PlainListener(listener), state, shutdown).await
}

/// Plain TCP with Nagle's algorithm off: sync messages are small and answered at once, and
/// Nagle would hold each back until the previous one is acknowledged.
pub(crate) struct PlainListener(TcpListener);

impl axum::serve::Listener for PlainListener {
    type Io = tokio::net::TcpStream;
    type Addr = std::net::SocketAddr;

    async fn accept(&mut self) -> (Self::Io, Self::Addr) {
        let (stream, peer) = axum::serve::Listener::accept(&mut self.0).await;
        if let Err(error) = stream.set_nodelay(true) {
            tracing::debug!(%error, "cannot disable Nagle's algorithm");
        }
        (stream, peer)
    }

    fn local_addr(&self) -> std::io::Result<Self::Addr> {
        self.0.local_addr()
    }
}

/// Serves HTTPS with `tls` (see [`tls::server_config`]), like [`serve`].
pub async fn serve_tls(
    listener: TcpListener,
    tls: std::sync::Arc<rustls::ServerConfig>,
    state: AppState,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> Result<(), AppError> {
    let listener = tls::TlsListener::new(listener, tls)?;
    serve_on(listener, state, shutdown).await
}

async fn serve_on<L>(
    listener: L,
    state: AppState,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> Result<(), AppError>
where
    L: axum::serve::Listener<Addr = std::net::SocketAddr>,
    socket::Peer: for<'a> axum::extract::connect_info::Connected<axum::serve::IncomingStream<'a, L>>,
{
    let signal_state = state.clone();
    let signal = async move {
        shutdown.await;
        tracing::info!("shutting down");
        // axum's graceful shutdown does not wait for upgraded connections, so the sockets
        // are told separately.
        signal_state.shut_down();
    };
    // Sockets are counted per address, so the router learns each connection's peer.
    let app = router(state.clone()).into_make_service_with_connect_info::<socket::Peer>();
    let served = axum::serve(listener, app).with_graceful_shutdown(signal).await;
    state.shut_down();
    let drain = state.timeouts().socket_drain;
    if !state.sockets_closed(drain).await {
        tracing::warn!(seconds = drain.as_secs_f32(), "some sockets were still open after the drain limit");
    }
    served.map_err(AppError::from)
}

#[cfg(test)]
mod tests;
