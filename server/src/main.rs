//! `meike-relay`: reads the configuration, sets up logging, binds the listener and runs the
//! relay until SIGTERM or Ctrl-C.

use std::io::{IsTerminal, Write};
use std::net::SocketAddr;
use std::path::PathBuf;

use anyhow::{Context, bail};
use server::{AppState, Config};
use sha2::Digest;
use tracing_subscriber::EnvFilter;

const USAGE: &str = "\
usage: meike-relay [--addr <ip:port>] [--data-dir <path>] [--dist <path>] [--salon <id>=<secret>]...
                   [--tls-cert <chain.pem> --tls-key <key.pem>]
                   [--max-sockets-per-address N] [--max-sockets-per-salon N] [--max-mb-per-salon N]
       meike-relay invite <salon> [--role <role>] [--name <name>] [--data-dir <path>]
       meike-relay salon add <salon> [--data-dir <path>]

  --addr      address to listen on (default 127.0.0.1:8787; port 0 picks a free port)
  --data-dir  where relay.sqlite3 and salons.txt live (default data)
  --dist      the built web app (default dist)
  --salon     a salon and its setup secret; repeatable
  --tls-cert  serve HTTPS with this certificate chain (PEM), e.g. from Let's Encrypt
  --tls-key   and this private key (PEM); tablets need HTTPS to install the app
  --max-sockets-per-address  open sync sockets one IP address may hold (default 64)
  --max-sockets-per-salon    open sync sockets one salon may hold (default 64)
  --max-mb-per-salon         megabytes one salon's sealed changes and photos may take (default 10240);
                             a device over it keeps its changes and is told the salon's storage is full
An address with 20 refused logins in a minute is turned away until the minute has passed.

Salons may also come from MEIKE_SALONS=\"id=secret,id2=secret2\". With none configured, the relay
reads <data-dir>/salons.txt, creating it with a random demo salon on first start; `salon add`
adds a salon there under a fresh setup secret (a running relay picks it up at once).
A salon's setup link (printed until it is used) pairs its first device as the owner's; that
device invites the others from 设置 → 邀请设备. `invite` makes a single-use invite valid for ten
minutes (role owner, manager, consultant, beautician or front_desk; default owner), for when no
device of the salon is at hand: the device it pairs has no salon key until a device invites it.
Logging goes to stderr; RUST_LOG filters it (default info).";

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal())
        .with_env_filter(EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info")))
        .init();

    let mut args = std::env::args().skip(1).peekable();
    if args.peek().map(String::as_str) == Some("invite") {
        args.next();
        return invite(args).await;
    }
    if args.peek().map(String::as_str) == Some("salon") {
        args.next();
        return add_salon(args);
    }
    let Some((config, limits)) = config_from_args(args)? else {
        println!("{USAGE}");
        return Ok(());
    };
    let tls = match &config.tls {
        Some((cert, key)) => Some(server::tls::server_config(cert, key)?),
        None => None,
    };
    let scheme = if tls.is_some() { "https" } else { "http" };
    let state = AppState::open(&config).context("opening the relay's data")?.with_limits(limits);
    let listener =
        tokio::net::TcpListener::bind(config.addr).await.with_context(|| format!("binding {}", config.addr))?;
    let bound = listener.local_addr()?;

    // Scripts and tests read these lines to find the port and the setup links, so they go to
    // stdout, flushed at once. A setup link is shown only until the salon's first device has
    // used it (it is good for that device only); its secret sits in the fragment, which
    // browsers never send.
    let mut lines = vec![format!("listening on {scheme}://{bound}")];
    for (salon, secret) in &config.salons {
        let devices = state.store().devices(salon.clone()).await.context("reading the salon's devices")?;
        if devices.is_empty() {
            lines.push(format!(
                "set up {salon}: open {scheme}://{bound}/#join={salon}:{secret} on the salon's first device"
            ));
        } else {
            lines.push(format!("{salon}: {} devices; invite more from a device's 设置 → 邀请设备", devices.len()));
        }
    }
    let mut stdout = std::io::stdout().lock();
    for line in lines {
        writeln!(stdout, "{line}")?;
    }
    stdout.flush()?;
    drop(stdout);
    tracing::info!(%bound, salons = config.salons.len(), dist = %config.dist_dir.display(), "relay started");

    match tls {
        Some(tls) => server::serve_tls(listener, tls, state, shutdown_requested()).await?,
        None => server::serve(listener, state, shutdown_requested()).await?,
    }
    tracing::info!("relay stopped");
    Ok(())
}

/// `meike-relay salon add <salon>`: adds a salon to `<data-dir>/salons.txt` under a fresh
/// setup secret and prints its setup link (a running relay picks the salon up at once).
fn add_salon(mut args: impl Iterator<Item = String>) -> anyhow::Result<()> {
    if args.next().as_deref() != Some("add") {
        bail!("usage: meike-relay salon add <salon> [--data-dir <path>]");
    }
    let salon = args.next().context("salon add needs a salon id (lower-case letters, digits, - and _)")?;
    let salon = domain::ids::SalonId::parse(&salon)
        .map_err(|_| anyhow::anyhow!("{salon:?} is not a salon id: lower-case letters, digits, - and _"))?;
    let mut data_dir = PathBuf::from("data");
    while let Some(flag) = args.next() {
        match flag.as_str() {
            "--data-dir" => data_dir = PathBuf::from(args.next().context("--data-dir needs a value")?),
            other => bail!("unknown argument {other:?}\n\n{USAGE}"),
        }
    }
    std::fs::create_dir_all(&data_dir).with_context(|| format!("creating {}", data_dir.display()))?;
    let path = data_dir.join("salons.txt");
    let secret = server::add_salon(&path, &salon).with_context(|| format!("adding to {}", path.display()))?;
    println!("salon {salon} added to {}", path.display());
    println!("set up {salon}: open <the relay's address>/#join={salon}:{secret} on the salon's first device");
    println!("(it pairs that one device, as the owner's; the relay picks the salon up without a restart)");
    Ok(())
}

/// `meike-relay invite <salon>`: records a single-use invite in the relay's database (the relay
/// may be running) and prints its join code.
async fn invite(mut args: impl Iterator<Item = String>) -> anyhow::Result<()> {
    let salon = args.next().context("invite needs a salon id")?;
    let salon = domain::ids::SalonId::parse(&salon).map_err(|_| anyhow::anyhow!("{salon:?} is not a salon id"))?;
    let mut role = domain::staff::Role::Owner;
    let mut name = String::new();
    let mut data_dir = PathBuf::from("data");
    while let Some(flag) = args.next() {
        let mut value = || args.next().with_context(|| format!("{flag} needs a value"));
        match flag.as_str() {
            "--role" => {
                let raw = value()?;
                role = domain::staff::Role::parse(&raw);
                if role == domain::staff::Role::Unset {
                    bail!("unknown role {raw:?}: owner, manager, consultant, beautician or front_desk");
                }
            }
            "--name" => name = value()?,
            "--data-dir" => data_dir = PathBuf::from(value()?),
            other => bail!("unknown argument {other:?}\n\n{USAGE}"),
        }
    }
    if name.len() > domain::wire::limits::MAX_DEVICE_NAME_BYTES {
        bail!("the name is longer than {} bytes", domain::wire::limits::MAX_DEVICE_NAME_BYTES);
    }
    let path = data_dir.join("relay.sqlite3");
    if !path.exists() {
        bail!("{} does not exist: start the relay once with --data-dir {}", path.display(), data_dir.display());
    }
    let store = server::SqliteStore::open(&path).with_context(|| format!("opening {}", path.display()))?;
    let secret = server::random_secret()?;
    let hash = sha2::Sha256::digest(secret.as_bytes()).into();
    let expires_at_ms = server::now_ms() + server::INVITE_VALID_MS;
    let record = server::NewInvite { hash, role, name, made_by: None, expires_at_ms };
    server::ChangeStore::create_invite(&store, salon.clone(), record).await?;
    println!("invite {salon}: #join={salon}:{secret}");
    println!("open it (after the relay's address) on the new device within ten minutes; it works once");
    Ok(())
}

/// Builds the configuration from the arguments and the environment; `None` asks for help.
fn config_from_args(mut args: impl Iterator<Item = String>) -> anyhow::Result<Option<(Config, server::Limits)>> {
    let mut addr: SocketAddr = "127.0.0.1:8787".parse()?;
    let mut data_dir = PathBuf::from("data");
    let mut dist_dir = PathBuf::from("dist");
    let mut salons = Vec::new();
    let (mut tls_cert, mut tls_key) = (None, None);
    let mut limits = server::Limits::default();
    while let Some(arg) = args.next() {
        let (flag, inline_value) = match arg.split_once('=') {
            Some((flag, value)) if flag.starts_with("--") => (flag.to_owned(), Some(value.to_owned())),
            _ => (arg, None),
        };
        if flag == "--help" || flag == "-h" {
            return Ok(None);
        }
        let mut value =
            || inline_value.clone().or_else(|| args.next()).with_context(|| format!("{flag} needs a value"));
        match flag.as_str() {
            "--addr" => addr = value()?.parse().context("--addr must look like 127.0.0.1:8787")?,
            "--data-dir" => data_dir = PathBuf::from(value()?),
            "--dist" => dist_dir = PathBuf::from(value()?),
            "--salon" => salons.push(server::parse_salon_entry(&value()?)?),
            "--tls-cert" => tls_cert = Some(PathBuf::from(value()?)),
            "--tls-key" => tls_key = Some(PathBuf::from(value()?)),
            "--max-sockets-per-address" => {
                limits.connections_per_address =
                    value()?.parse().context("--max-sockets-per-address takes a number")?;
            }
            "--max-sockets-per-salon" => {
                limits.connections_per_salon = value()?.parse().context("--max-sockets-per-salon takes a number")?;
            }
            "--max-mb-per-salon" => {
                let mb: u64 = value()?.parse().context("--max-mb-per-salon takes a number of megabytes")?;
                limits.bytes_per_salon = mb.saturating_mul(1 << 20);
            }
            other => bail!("unknown argument {other:?}\n\n{USAGE}"),
        }
    }
    if let Ok(list) = std::env::var("MEIKE_SALONS") {
        salons.extend(server::parse_salon_list(&list)?);
    }
    let mut salons_file = None;
    if salons.is_empty() {
        std::fs::create_dir_all(&data_dir).with_context(|| format!("creating {}", data_dir.display()))?;
        let path = data_dir.join("salons.txt");
        salons = server::load_or_create_salons_file(&path).with_context(|| format!("reading {}", path.display()))?;
        salons_file = Some(path);
    }
    for (i, (salon, _)) in salons.iter().enumerate() {
        if salons[..i].iter().any(|(earlier, _)| earlier == salon) {
            bail!("salon {salon} is configured twice");
        }
    }
    let tls = match (tls_cert, tls_key) {
        (Some(cert), Some(key)) => Some((cert, key)),
        (None, None) => None,
        _ => bail!("--tls-cert and --tls-key go together"),
    };
    Ok(Some((Config { addr, data_dir, dist_dir, salons, salons_file, tls }, limits)))
}

/// Resolves on Ctrl-C or, on Unix, SIGTERM (what service managers and containers send).
async fn shutdown_requested() {
    let ctrl_c = async {
        if let Err(error) = tokio::signal::ctrl_c().await {
            tracing::error!(%error, "cannot listen for Ctrl-C");
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(error) => {
                tracing::error!(%error, "cannot listen for SIGTERM");
                std::future::pending::<()>().await;
            }
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {}
        () = terminate => {}
    }
}
