//! HTTPS: the relay served over TLS on a real socket, with a certificate made for the test.

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use rustls::pki_types::ServerName;
use server::{AppState, Config};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

const PATIENCE: Duration = Duration::from_secs(5);

/// A self-signed certificate for `localhost`, written as PEM files; returns its DER too.
fn certificate(dir: &Path) -> (std::path::PathBuf, std::path::PathBuf, Vec<u8>) {
    let made = rcgen::generate_simple_self_signed(vec!["localhost".to_owned()]).expect("certificate");
    let (cert, key) = (dir.join("chain.pem"), dir.join("key.pem"));
    std::fs::write(&cert, made.cert.pem()).expect("cert written");
    std::fs::write(&key, made.signing_key.serialize_pem()).expect("key written");
    (cert, key, made.cert.der().to_vec())
}

async fn https_get(addr: std::net::SocketAddr, der: &[u8], path: &str) -> String {
    let mut roots = rustls::RootCertStore::empty();
    roots.add(der.to_vec().into()).expect("root added");
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .expect("versions")
        .with_root_certificates(roots)
        .with_no_client_auth();
    let connector = tokio_rustls::TlsConnector::from(Arc::new(config));
    let tcp = TcpStream::connect(addr).await.expect("connects");
    let name = ServerName::try_from("localhost").expect("name");
    let mut tls =
        tokio::time::timeout(PATIENCE, connector.connect(name, tcp)).await.expect("in time").expect("handshake");
    let request = format!("GET {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n");
    tls.write_all(request.as_bytes()).await.expect("request sent");
    let mut response = Vec::new();
    let _ = tokio::time::timeout(PATIENCE, tls.read_to_end(&mut response)).await.expect("answered in time");
    String::from_utf8_lossy(&response).into_owned()
}

#[tokio::test]
async fn the_relay_serves_https_and_a_stalled_or_plain_client_holds_nobody_up() {
    let dir = tempfile::tempdir().expect("temp dir");
    let (cert, key, der) = certificate(dir.path());
    let config = Config {
        addr: "127.0.0.1:0".parse().expect("address"),
        data_dir: dir.path().join("data"),
        dist_dir: dir.path().join("dist"),
        salons: vec![(domain::ids::SalonId::parse("alpha").expect("salon"), "alpha-secret".to_owned())],
        salons_file: None,
        tls: Some((cert.clone(), key.clone())),
    };
    let tls = server::tls::server_config(&cert, &key).expect("TLS configuration");
    let state = AppState::open(&config).expect("state");
    let listener = tokio::net::TcpListener::bind(config.addr).await.expect("binds");
    let addr = listener.local_addr().expect("address");
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let served = tokio::spawn(server::serve_tls(listener, tls, state, async move {
        let _ = stopped.await;
    }));

    // A client that opens a connection and says nothing, and one that speaks plain HTTP.
    let _stalled = TcpStream::connect(addr).await.expect("connects");
    let mut plain = TcpStream::connect(addr).await.expect("connects");
    plain.write_all(b"GET /healthz HTTP/1.1\r\nHost: localhost\r\n\r\n").await.expect("sent");
    let mut answer = Vec::new();
    let _ = tokio::time::timeout(PATIENCE, plain.read_to_end(&mut answer)).await.expect("closed in time");
    assert!(!String::from_utf8_lossy(&answer).contains("200 OK"), "plain HTTP is not served on the HTTPS port");

    let response = https_get(addr, &der, "/healthz").await;
    assert!(response.starts_with("HTTP/1.1 200"), "{response}");

    let _ = stop.send(());
    tokio::time::timeout(PATIENCE, served).await.expect("stops").expect("no panic").expect("no error");
}

#[test]
fn a_missing_or_mismatched_certificate_is_a_clear_error() {
    let dir = tempfile::tempdir().expect("temp dir");
    let (cert, key, _) = certificate(dir.path());
    let missing = dir.path().join("nowhere.pem");
    let error = server::tls::server_config(&missing, &key).expect_err("no certificate");
    assert!(error.to_string().contains("nowhere.pem"), "{error}");
    let other = tempfile::tempdir().expect("temp dir");
    let (_, other_key, _) = certificate(other.path());
    let error = server::tls::server_config(&cert, &other_key).expect_err("another certificate's key");
    assert!(error.to_string().contains("do not fit"), "{error}");
}
