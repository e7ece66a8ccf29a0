//! End-to-end harness: starts the real relay binary on a real socket with a real SQLite file,
//! one chromedriver, and headless Chromium sessions with separate profiles (separate
//! IndexedDBs: separate "tablets") driving the real built app.

use std::net::{SocketAddr, TcpListener};
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use fantoccini::elements::Element;
use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::json;
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};

pub const SALON: &str = "demo";

/// The salon key the tests' invites carry.
pub fn test_salon_key() -> domain::crypto::SalonKey {
    domain::crypto::SalonKey::new([0x5a; 32])
}
pub const TOKEN: &str = "e2e-token-7f3a9c";
/// How long a test waits for something to appear before failing. Generous: CI has 2 cores,
/// and a reconnect after the relay returns may wait out the client's backoff.
pub const PATIENCE: Duration = Duration::from_secs(45);
pub const TABLET: (u32, u32) = (1024, 768);
pub const PHONE: (u32, u32) = (390, 844);

fn free_port() -> Result<u16> {
    Ok(TcpListener::bind("127.0.0.1:0")?.local_addr()?.port())
}

fn env_path(var: &str, fallback: &str) -> PathBuf {
    std::env::var_os(var).map(PathBuf::from).unwrap_or_else(|| {
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .parent()
            .map(|root| root.join(fallback))
            .unwrap_or_else(|| fallback.into())
    })
}

/// The relay, run as its own process from the built binary.
pub struct Relay {
    child: Option<Child>,
    addr: SocketAddr,
    data_dir: PathBuf,
    dist: PathBuf,
    /// Served over HTTPS with a certificate made for the test.
    tls: Option<TestCertificate>,
    /// More command-line options, kept for restarts.
    options: Vec<String>,
}

/// A self-signed certificate for a hostname, made for one test: its PEM files and what a
/// browser needs to trust it.
#[derive(Clone)]
pub struct TestCertificate {
    pub host: String,
    cert: PathBuf,
    key: PathBuf,
    /// Base64 of the SHA-256 of the certificate's public key (Chromium's SPKI pin).
    spki: String,
}

impl TestCertificate {
    /// Makes the certificate for `host`, writing its files into `dir`.
    pub fn make(dir: &Path, host: &str) -> Result<TestCertificate> {
        use base64::Engine as _;
        let made = rcgen::generate_simple_self_signed(vec![host.to_owned()])?;
        let (cert, key) = (dir.join("chain.pem"), dir.join("key.pem"));
        std::fs::write(&cert, made.cert.pem())?;
        std::fs::write(&key, made.signing_key.serialize_pem())?;
        let spki = domain::blob::BlobHash::of(&rcgen::PublicKeyData::subject_public_key_info(&made.signing_key));
        let spki = base64::engine::general_purpose::STANDARD.encode(spki.as_bytes());
        Ok(TestCertificate { host: host.to_owned(), cert, key, spki })
    }

    /// Chromium flags that resolve the host to this machine and trust the certificate as a
    /// real one (so the page is a secure context, as behind a certificate from a real CA).
    pub fn browser_args(&self) -> Vec<String> {
        vec![
            format!("--host-resolver-rules=MAP {} 127.0.0.1", self.host),
            format!("--ignore-certificate-errors-spki-list={}", self.spki),
        ]
    }
}

/// The app the build produced (`MEIKE_DIST`, default `dist/`).
pub fn built_app() -> PathBuf {
    env_path("MEIKE_DIST", "dist")
}

/// A copy of the built app posing as a new release: every hashed file gets a new name
/// (`app-<hash>.js` becomes `app-<hash>-<tag>.js`) and index.html links the new names. The
/// contents, and so the integrity hashes, stay valid.
pub fn release_copy(tag: &str, into: &Path) -> Result<PathBuf> {
    let from = built_app();
    let dist = into.join(format!("dist-{tag}"));
    std::fs::create_dir_all(dist.join("icons"))?;
    let mut index = std::fs::read_to_string(from.join("index.html"))?;
    for entry in std::fs::read_dir(&from)? {
        let path = entry?.path();
        let name = path.file_name().context("file name")?.to_string_lossy().into_owned();
        if path.is_dir() {
            for icon in std::fs::read_dir(&path)? {
                let icon = icon?.path();
                std::fs::copy(&icon, dist.join("icons").join(icon.file_name().context("icon name")?))?;
            }
            continue;
        }
        let hashed = (name.starts_with("app-") || name.starts_with("main-")) && !name.ends_with(".html");
        let renamed = match (hashed, name.split_once('.')) {
            (true, Some((stem, ext))) => format!("{stem}-{tag}.{ext}"),
            _ => name.clone(),
        };
        if renamed != name {
            index = index.replace(&format!("/{name}"), &format!("/{renamed}"));
        }
        std::fs::copy(&path, dist.join(&renamed))?;
    }
    std::fs::write(dist.join("index.html"), index)?;
    Ok(dist)
}

impl Relay {
    /// Starts a relay on a free port, storing into `data_dir`.
    pub async fn start(data_dir: &Path) -> Result<Relay> {
        Self::start_on(data_dir, "127.0.0.1:0".parse()?).await
    }

    async fn start_on(data_dir: &Path, addr: SocketAddr) -> Result<Relay> {
        Self::start_serving(data_dir, addr, &built_app(), None, Vec::new()).await
    }

    /// Starts a relay with more command-line options (`--max-mb-per-salon 1`), kept when it
    /// is restarted.
    pub async fn start_with(data_dir: &Path, options: &[&str]) -> Result<Relay> {
        let options = options.iter().map(|o| (*o).to_owned()).collect();
        Self::start_serving(data_dir, "127.0.0.1:0".parse()?, &built_app(), None, options).await
    }

    /// Starts a relay serving HTTPS with `certificate` (reached at its host name).
    pub async fn start_https(data_dir: &Path, certificate: &TestCertificate) -> Result<Relay> {
        Self::start_serving(data_dir, "127.0.0.1:0".parse()?, &built_app(), Some(certificate.clone()), Vec::new()).await
    }

    async fn start_serving(
        data_dir: &Path,
        addr: SocketAddr,
        dist: &Path,
        tls: Option<TestCertificate>,
        options: Vec<String>,
    ) -> Result<Relay> {
        let bin = env_path("MEIKE_RELAY_BIN", "target/debug/meike-relay");
        if !dist.join("index.html").exists() {
            bail!("{} has no index.html: build the app first (cargo xtask test does)", dist.display());
        }
        let mut command = Command::new(&bin);
        command
            .args(["--addr", &addr.to_string(), "--data-dir"])
            .arg(data_dir)
            .arg("--dist")
            .arg(dist)
            .args(["--salon", &format!("{SALON}={TOKEN}")])
            .args(&options);
        if let Some(tls) = &tls {
            command.arg("--tls-cert").arg(&tls.cert).arg("--tls-key").arg(&tls.key);
        }
        let mut child = command
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .kill_on_drop(true)
            .spawn()
            .with_context(|| format!("starting {}", bin.display()))?;
        let stdout = child.stdout.take().context("relay stdout")?;
        let mut lines = BufReader::new(stdout).lines();
        let bound = tokio::time::timeout(Duration::from_secs(30), async {
            while let Some(line) = lines.next_line().await? {
                let url =
                    line.strip_prefix("listening on http://").or_else(|| line.strip_prefix("listening on https://"));
                if let Some(url) = url {
                    return Ok::<_, anyhow::Error>(url.trim().parse::<SocketAddr>()?);
                }
            }
            bail!("the relay exited before listening")
        })
        .await
        .context("the relay did not report its address within 30 s")??;
        // Keep draining stdout so the relay never blocks on a full pipe.
        tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });
        Ok(Relay {
            child: Some(child),
            addr: bound,
            data_dir: data_dir.to_owned(),
            dist: dist.to_owned(),
            tls,
            options,
        })
    }

    pub fn url(&self) -> String {
        match &self.tls {
            Some(tls) => format!("https://{}:{}", tls.host, self.addr.port()),
            None => format!("http://{}", self.addr),
        }
    }

    /// A fresh single-use invite to the salon for a front desk device (its home is the
    /// customer list, as on a device nobody set up), as a device of the salon gives it: made
    /// with `meike-relay invite` (valid ten minutes) and carrying the salon key (the tests'
    /// fixed one; the first device to use it claims it for the salon).
    pub async fn join_url(&self) -> Result<String> {
        self.join_url_as("front_desk").await
    }

    /// The same for a device of `role` (`owner`, `manager`, `beautician` ...).
    pub async fn join_url_as(&self, role: &str) -> Result<String> {
        Ok(format!("{};key={}", self.operator_invite(role).await?, test_salon_key().to_text()))
    }

    /// An invite the operator makes with `meike-relay invite --role <role>`: no salon key (the
    /// relay never has it), so the device it pairs must still be invited by a device of the
    /// salon to read anything.
    pub async fn operator_invite(&self, role: &str) -> Result<String> {
        let bin = env_path("MEIKE_RELAY_BIN", "target/debug/meike-relay");
        let output = Command::new(&bin)
            .args(["invite", SALON, "--role", role, "--data-dir"])
            .arg(&self.data_dir)
            .output()
            .await
            .with_context(|| format!("running {} invite", bin.display()))?;
        if !output.status.success() {
            bail!("meike-relay invite failed: {}", String::from_utf8_lossy(&output.stderr));
        }
        let stdout = String::from_utf8(output.stdout)?;
        let code = stdout
            .lines()
            .find_map(|line| line.strip_prefix(&format!("invite {SALON}: ")))
            .context("meike-relay invite printed no join code")?;
        Ok(format!("{}/{}", self.url(), code.trim()))
    }

    /// The setup link the relay prints for a salon until its first device has used it: no key
    /// (the relay never has one). The salon's first device that opens it becomes the owner's
    /// and makes the key; nobody else can use it.
    pub fn relay_link(&self) -> String {
        format!("{}/#join={SALON}:{TOKEN}", self.url())
    }

    /// Stops the relay as an operator would (SIGTERM) and waits for it to exit.
    pub async fn stop(&mut self) -> Result<()> {
        let Some(mut child) = self.child.take() else { return Ok(()) };
        if let Some(pid) = child.id() {
            let _ = Command::new("kill").args(["-TERM", &pid.to_string()]).status().await;
        }
        match tokio::time::timeout(Duration::from_secs(10), child.wait()).await {
            Ok(status) => {
                status?;
            }
            Err(_) => {
                child.kill().await?;
                bail!("the relay did not shut down within 10 s of SIGTERM");
            }
        }
        Ok(())
    }

    /// Kills the relay outright (SIGKILL), as a power cut or a crash would: no shutdown, no
    /// flush, whatever it was doing cut off. `restart` starts it again on the same files.
    pub async fn kill(&mut self) -> Result<()> {
        let Some(mut child) = self.child.take() else { return Ok(()) };
        child.kill().await?;
        Ok(())
    }

    /// Freezes the relay process (SIGSTOP): its sockets stay open but nothing answers, as when
    /// the machine it runs on hangs or drops off the network while the tablet keeps Wi-Fi.
    pub async fn pause(&self) -> Result<()> {
        self.signal("-STOP").await
    }

    /// Lets a paused relay run again (SIGCONT).
    pub async fn resume(&self) -> Result<()> {
        self.signal("-CONT").await
    }

    async fn signal(&self, signal: &str) -> Result<()> {
        let pid = self.child.as_ref().and_then(|c| c.id()).context("the relay is not running")?;
        let status = Command::new("kill").args([signal, &pid.to_string()]).status().await?;
        if !status.success() {
            bail!("kill {signal} {pid} failed");
        }
        Ok(())
    }

    /// Starts the relay again on the same address and data directory.
    pub async fn restart(&mut self) -> Result<()> {
        let dist = self.dist.clone();
        self.restart_serving(&dist).await
    }

    /// Restarts the relay serving another build of the app (a new release).
    pub async fn restart_serving(&mut self, dist: &Path) -> Result<()> {
        self.stop().await?;
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            match Self::start_serving(&self.data_dir, self.addr, dist, self.tls.clone(), self.options.clone()).await {
                Ok(relay) => {
                    *self = relay;
                    return Ok(());
                }
                Err(error) if Instant::now() > deadline => return Err(error),
                Err(_) => tokio::time::sleep(Duration::from_millis(200)).await,
            }
        }
    }
}

/// One chromedriver process serving every browser of a test.
pub struct Driver {
    _child: Child,
    url: String,
}

impl Driver {
    pub async fn start() -> Result<Driver> {
        let port = free_port()?;
        let child = Command::new("chromedriver")
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .kill_on_drop(true)
            .spawn()
            .context("starting chromedriver (cargo xtask test installs it)")?;
        let deadline = Instant::now() + Duration::from_secs(20);
        while tokio::net::TcpStream::connect(("127.0.0.1", port)).await.is_err() {
            if Instant::now() > deadline {
                bail!("chromedriver did not start listening");
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        Ok(Driver { _child: child, url: format!("http://127.0.0.1:{port}") })
    }
}

/// A headless Chromium with its own profile: its own IndexedDB, cache and service worker.
/// Dropping it (after `close`, or when a test fails) kills every process of its profile:
/// Chromium's processes can outlive chromedriver's session, and leftover browsers take CPU
/// and memory from every later test and measurement.
pub struct Browser {
    pub client: Client,
    /// `None` once [`Browser::crash`] handed the profile on.
    profile: Option<tempfile::TempDir>,
    downloads: PathBuf,
}

/// Kills every process started with this profile and waits (up to 10 s) until none is left.
fn kill_profile(profile: &Path) -> Result<()> {
    let flag = format!("--user-data-dir={}", profile.display());
    std::process::Command::new("pkill").args(["-KILL", "-f", "--", &flag]).status()?;
    let deadline = Instant::now() + Duration::from_secs(10);
    while std::process::Command::new("pgrep").args(["-f", "--", &flag]).stdout(Stdio::null()).status()?.success() {
        if Instant::now() > deadline {
            bail!("Chromium of {flag} still runs 10 s after SIGKILL");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    Ok(())
}

impl Drop for Browser {
    fn drop(&mut self) {
        if let Some(profile) = &self.profile {
            let _ = kill_profile(profile.path());
        }
    }
}

impl Browser {
    pub async fn open(driver: &Driver, size: (u32, u32)) -> Result<Browser> {
        Self::open_with(driver, size, &[]).await
    }

    /// Opens a browser with extra Chromium flags (trusting a test certificate ...).
    pub async fn open_with(driver: &Driver, size: (u32, u32), extra: &[String]) -> Result<Browser> {
        Self::open_profile(driver, size, extra, tempfile::tempdir()?).await
    }

    /// Kills this browser's Chromium outright (SIGKILL to every process of its profile), as a
    /// tablet whose battery dies or whose app is swiped away mid-write: no unload, no flush.
    /// Returns the profile (IndexedDB, service worker) for [`Browser::reopen`].
    pub async fn crash(mut self) -> Result<tempfile::TempDir> {
        let profile = self.profile.take().context("the profile was handed on already")?;
        kill_profile(profile.path())?;
        Ok(profile)
    }

    /// Opens Chromium again on a profile a crashed browser left behind.
    pub async fn reopen(driver: &Driver, size: (u32, u32), profile: tempfile::TempDir) -> Result<Browser> {
        Self::open_profile(driver, size, &[], profile).await
    }

    async fn open_profile(
        driver: &Driver,
        (width, height): (u32, u32),
        extra: &[String],
        profile: tempfile::TempDir,
    ) -> Result<Browser> {
        let downloads = profile.path().join("downloads");
        std::fs::create_dir_all(&downloads)?;
        let mut args: Vec<String> = [
            "--headless=new",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-dev-shm-usage",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--hide-scrollbars",
        ]
        .into_iter()
        .map(String::from)
        .collect();
        args.push(format!("--user-data-dir={}", profile.path().display()));
        args.push(format!("--window-size={width},{height}"));
        args.extend(extra.iter().cloned());
        let mut caps = serde_json::Map::new();
        caps.insert(
            "goog:chromeOptions".into(),
            json!({
                "binary": "/usr/bin/chromium",
                "args": args,
                "prefs": {
                    "download.default_directory": downloads.display().to_string(),
                    "download.prompt_for_download": false,
                }
            }),
        );
        let client = ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
            .capabilities(caps)
            .connect(&driver.url)
            .await
            .context("opening a Chromium session")?;
        let browser = Browser { client, profile: Some(profile), downloads };
        browser.resize((width, height)).await?;
        Ok(browser)
    }

    /// Sets the page's viewport (not the window) to exactly this size.
    pub async fn resize(&self, (width, height): (u32, u32)) -> Result<()> {
        self.client.set_window_size(width, height).await?;
        let inner = self.client.execute("return [window.innerWidth, window.innerHeight]", vec![]).await?;
        let (w, h) = (inner[0].as_u64().unwrap_or(0) as u32, inner[1].as_u64().unwrap_or(0) as u32);
        if (w, h) != (width, height) {
            self.client.set_window_size(width * 2 - w, height * 2 - h).await?;
        }
        Ok(())
    }

    pub async fn goto(&self, url: &str) -> Result<()> {
        self.client.goto(url).await?;
        self.wait_for("header.app-header").await?;
        Ok(())
    }

    /// Follows an in-app link by its path (client-side navigation, as a tap would).
    pub async fn navigate(&self, path: &str) -> Result<()> {
        self.client
            .execute(
                "const a = document.createElement('a'); a.href = arguments[0]; document.body.appendChild(a); a.click(); a.remove();",
                vec![json!(path)],
            )
            .await?;
        Ok(())
    }

    pub async fn reload(&self) -> Result<()> {
        self.client.refresh().await?;
        self.wait_for("header.app-header").await?;
        Ok(())
    }

    /// Waits until an element matching `css` exists.
    pub async fn wait_for(&self, css: &str) -> Result<Element> {
        let deadline = Instant::now() + PATIENCE;
        loop {
            if let Ok(element) = self.client.find(Locator::Css(css)).await {
                return Ok(element);
            }
            if Instant::now() > deadline {
                bail!("no element matches {css:?} after {PATIENCE:?}");
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Waits until some element matching `css` has text containing `expected`.
    pub async fn wait_for_text(&self, css: &str, expected: &str) -> Result<Element> {
        let deadline = Instant::now() + PATIENCE;
        let mut seen = Vec::new();
        loop {
            seen.clear();
            if let Ok(elements) = self.client.find_all(Locator::Css(css)).await {
                for element in elements {
                    let text = element.text().await.unwrap_or_default();
                    if text.contains(expected) {
                        return Ok(element);
                    }
                    seen.push(text);
                }
            }
            if Instant::now() > deadline {
                bail!("no {css:?} contains {expected:?} after {PATIENCE:?}; saw {seen:?}");
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Waits until nothing matches `css`.
    pub async fn wait_gone(&self, css: &str) -> Result<()> {
        let deadline = Instant::now() + PATIENCE;
        while self.client.find(Locator::Css(css)).await.is_ok() {
            if Instant::now() > deadline {
                bail!("{css:?} still matches after {PATIENCE:?}");
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        Ok(())
    }

    /// The browser's local date `days` ago, as a date input takes it.
    pub async fn days_ago(&self, days: i64) -> Result<String> {
        let value = self
            .client
            .execute(
                "const d = new Date(); d.setDate(d.getDate() - arguments[0]);
                 return d.getFullYear() + '-' + String(d.getMonth() + 1).padStart(2, '0') + '-' + String(d.getDate()).padStart(2, '0');",
                vec![json!(days)],
            )
            .await?;
        Ok(value.as_str().unwrap_or_default().to_owned())
    }

    pub async fn text(&self, css: &str) -> Result<String> {
        Ok(self.wait_for(css).await?.text().await?)
    }

    /// Replaces an input's content by typing, as a person would.
    pub async fn fill(&self, css: &str, text: &str) -> Result<()> {
        let element = self.wait_for(css).await?;
        element.clear().await?;
        element.send_keys(text).await?;
        Ok(())
    }

    pub async fn click(&self, css: &str) -> Result<()> {
        self.wait_for(css).await?.click().await?;
        Ok(())
    }

    /// Sets an input's or select's value as a date picker or a pick from a list would, and
    /// tells the app (an `input` and a `change` event).
    pub async fn set_value(&self, css: &str, value: &str) -> Result<()> {
        self.wait_for(css).await?;
        self.client
            .execute(
                "const e = document.querySelector(arguments[0]); e.value = arguments[1];
                 e.dispatchEvent(new Event('input', {bubbles: true})); e.dispatchEvent(new Event('change', {bubbles: true}));",
                vec![json!(css), json!(value)],
            )
            .await?;
        Ok(())
    }

    /// Scrolls `css` to the top of the window (for a screenshot of what is below the fold).
    pub async fn scroll_to(&self, css: &str) -> Result<()> {
        self.wait_for(css).await?;
        self.client
            .execute("document.querySelector(arguments[0]).scrollIntoView({block: 'start'});", vec![json!(css)])
            .await?;
        Ok(())
    }

    /// Scrolls the first element matching `css` to the middle of the screen, clear of the
    /// sticky header and the form's action bar.
    pub async fn center(&self, css: &str) -> Result<()> {
        self.wait_for(css).await?;
        self.client
            .execute("document.querySelector(arguments[0]).scrollIntoView({block: 'center'});", vec![json!(css)])
            .await?;
        Ok(())
    }

    /// Gives a file input a file from disk, as choosing it in the picker would.
    pub async fn upload(&self, css: &str, path: &Path) -> Result<()> {
        self.wait_for(css).await?.send_keys(&path.display().to_string()).await?;
        Ok(())
    }

    /// Waits for a finished download whose name ends with `suffix`, and returns its path.
    pub async fn wait_for_download(&self, suffix: &str) -> Result<PathBuf> {
        let deadline = Instant::now() + PATIENCE;
        loop {
            for entry in std::fs::read_dir(&self.downloads)? {
                let path = entry?.path();
                if path.to_string_lossy().ends_with(suffix) {
                    return Ok(path);
                }
            }
            if Instant::now() > deadline {
                bail!("no download ending in {suffix:?} after {PATIENCE:?}");
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    pub async fn screenshot(&self, name: &str) -> Result<PathBuf> {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/screenshots");
        std::fs::create_dir_all(&dir)?;
        let path = dir.join(format!("{name}.png"));
        std::fs::write(&path, self.client.screenshot().await?)?;
        Ok(path)
    }

    /// Waits until the service worker controls the page and has the app shell cached, so a
    /// reload can start with no network.
    pub async fn wait_until_installed(&self) -> Result<()> {
        let deadline = Instant::now() + PATIENCE;
        let script = "return navigator.serviceWorker.controller !== null && (await caches.has('meike-shell-v1')) \
                      && (await (await caches.open('meike-shell-v1')).match('/index.html')) !== undefined;";
        loop {
            let ready = self.client.execute(&format!("return (async () => {{ {script} }})()"), vec![]).await?;
            if ready.as_bool() == Some(true) {
                return Ok(());
            }
            if Instant::now() > deadline {
                bail!("the service worker never took control with a cached shell");
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
            // A page loaded before its worker activated is controlled only after a reload.
            if self.client.execute("return navigator.serviceWorker.controller === null", vec![]).await?.as_bool()
                == Some(true)
            {
                let registered = self
                    .client
                    .execute(
                        "return (async () => (await navigator.serviceWorker.getRegistration()) ?.active != null)()",
                        vec![],
                    )
                    .await?;
                if registered.as_bool() == Some(true) {
                    self.reload().await?;
                }
            }
        }
    }

    /// The paths the service worker's shell cache holds, sorted.
    pub async fn cached_paths(&self) -> Result<Vec<String>> {
        let script = "return (async () => { const cache = await caches.open('meike-shell-v1'); \
                      return (await cache.keys()).map((r) => new URL(r.url).pathname).sort(); })()";
        let paths = self.client.execute(script, vec![]).await?;
        Ok(paths
            .as_array()
            .map(|a| a.iter().filter_map(|p| p.as_str().map(str::to_owned)).collect())
            .unwrap_or_default())
    }

    /// Waits until the cached shell links files with `tag` in their names.
    pub async fn wait_for_cached_shell(&self, tag: &str) -> Result<()> {
        let deadline = Instant::now() + PATIENCE;
        let script = "return (async () => { const r = await (await caches.open('meike-shell-v1')).match('/index.html'); \
                      return r ? await r.text() : ''; })()";
        loop {
            let html = self.client.execute(script, vec![]).await?;
            if html.as_str().is_some_and(|h| h.contains(tag)) {
                return Ok(());
            }
            if Instant::now() > deadline {
                bail!("the cached shell never became release {tag:?}");
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    }

    /// Sets who uses this device (Settings → 本机使用者) and reloads, as choosing it would.
    pub async fn set_role(&self, role: &str) -> Result<()> {
        self.client.execute("localStorage.setItem('meike.role', arguments[0])", vec![json!(role)]).await?;
        self.reload().await
    }

    /// Cuts this browser off the network (or gives it back) the way losing Wi-Fi does: the
    /// page sees `navigator.onLine` change and an `offline` event, and requests fail.
    pub async fn set_offline(&self, offline: bool) -> Result<()> {
        let params = json!({ "offline": offline, "latency": 0, "downloadThroughput": -1, "uploadThroughput": -1 });
        self.client.issue_cmd(Cdp { cmd: "Network.enable", params: json!({}) }).await?;
        self.client.issue_cmd(Cdp { cmd: "Network.emulateNetworkConditions", params }).await?;
        Ok(())
    }

    /// Runs the page's scripts `rate` times slower (1: full speed), as an old tablet would.
    pub async fn set_cpu_slowdown(&self, rate: u32) -> Result<()> {
        self.client.issue_cmd(Cdp { cmd: "Emulation.setCPUThrottlingRate", params: json!({ "rate": rate }) }).await?;
        Ok(())
    }

    /// Everything the app keeps in IndexedDB, store by store: each record's key and its value
    /// as JSON, with byte arrays written as `bytes:` and their hex.
    pub async fn indexed_db(&self) -> Result<Vec<(String, String, String)>> {
        let script = r#"
            const done = arguments[arguments.length - 1];
            const json = (value) => JSON.stringify(value, (_, v) => {
                if (v instanceof ArrayBuffer) v = new Uint8Array(v);
                if (ArrayBuffer.isView(v)) {
                    const b = new Uint8Array(v.buffer, v.byteOffset, v.byteLength);
                    return 'bytes:' + Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
                }
                return v;
            });
            const open = indexedDB.open('meike');
            open.onerror = () => done({ error: String(open.error) });
            open.onsuccess = () => {
                const db = open.result;
                const names = Array.from(db.objectStoreNames);
                const tx = db.transaction(names);
                const out = [];
                let left = names.length;
                for (const name of names) {
                    const store = tx.objectStore(name);
                    const keys = store.getAllKeys();
                    const values = store.getAll();
                    values.onsuccess = () => {
                        keys.result.forEach((key, i) => out.push([name, String(key), json(values.result[i])]));
                        if (--left === 0) { db.close(); done(out); }
                    };
                }
            };
        "#;
        let dump = self.client.execute_async(script, vec![]).await?;
        if let Some(error) = dump.get("error") {
            bail!("reading IndexedDB failed: {error}");
        }
        Ok(serde_json::from_value(dump)?)
    }

    /// Makes every IndexedDB write on this page fail (or work again) the way a full disk
    /// makes them fail: with a `QuotaExceededError` DOMException.
    pub async fn set_disk_full(&self, full: bool) -> Result<()> {
        self.client
            .execute(
                "const full = arguments[0];
                 if (!window.__meikeWrites) {
                     window.__meikeWrites = { put: IDBObjectStore.prototype.put, add: IDBObjectStore.prototype.add };
                     for (const name of ['put', 'add']) {
                         IDBObjectStore.prototype[name] = function (...args) {
                             if (window.__meikeFull) {
                                 throw new DOMException('The quota has been exceeded.', 'QuotaExceededError');
                             }
                             return window.__meikeWrites[name].apply(this, args);
                         };
                     }
                 }
                 window.__meikeFull = full;",
                vec![json!(full)],
            )
            .await?;
        Ok(())
    }

    /// Ends the session; dropping `self` then kills whatever of its Chromium is left.
    pub async fn close(self) -> Result<()> {
        self.client.clone().close().await?;
        Ok(())
    }
}

/// A Chrome DevTools command, sent through chromedriver's `goog/cdp/execute` endpoint.
#[derive(Debug)]
struct Cdp {
    cmd: &'static str,
    params: serde_json::Value,
}

impl fantoccini::wd::WebDriverCompatibleCommand for Cdp {
    fn endpoint(&self, base_url: &url::Url, session_id: Option<&str>) -> Result<url::Url, url::ParseError> {
        base_url.join(&format!("session/{}/goog/cdp/execute", session_id.unwrap_or_default()))
    }

    fn method_and_body(&self, _request_url: &url::Url) -> (http::Method, Option<String>) {
        (http::Method::POST, Some(json!({ "cmd": self.cmd, "params": self.params }).to_string()))
    }
}

/// Every byte the relay keeps in `data` (its data dir): its SQLite file with its WAL and any
/// other file beside it.
pub fn relay_bytes(data: &Path) -> Result<Vec<u8>> {
    let mut all = Vec::new();
    for entry in std::fs::read_dir(data)? {
        let path = entry?.path();
        if path.is_file() {
            all.extend(std::fs::read(&path)?);
        }
    }
    Ok(all)
}

/// Whether `needle` occurs anywhere in `haystack`.
pub fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

/// Opens a front desk device's invite and waits until the device is connected to the salon.
pub async fn join(browser: &Browser, relay: &Relay) -> Result<()> {
    join_as(browser, relay, "front_desk").await
}

/// Opens an invite for a device of `role` and waits until it is connected to the salon.
pub async fn join_as(browser: &Browser, relay: &Relay, role: &str) -> Result<()> {
    browser.goto(&relay.join_url_as(role).await?).await?;
    browser.wait_for("a.sync-online").await?;
    Ok(())
}

/// Creates a customer through the form; returns the path of her file.
pub async fn create_customer(browser: &Browser, name: &str, phone: &str, allergies: &str) -> Result<String> {
    browser.navigate("/customers/new").await?;
    browser.fill("#field-name", name).await?;
    browser.fill("#field-phone", phone).await?;
    if !allergies.is_empty() {
        browser.fill("#field-allergies", allergies).await?;
        tick_health_consent(browser).await?;
    }
    browser.click("[data-test=save]").await?;
    browser.wait_for_text("[data-test=file-name]", name).await?;
    let url = browser.client.current_url().await?;
    Ok(url.path().to_owned())
}

/// Ticks the customer form's health consent, recorded by the front desk.
pub async fn tick_health_consent(browser: &Browser) -> Result<()> {
    browser.center("[data-test=consent-health-box]").await?;
    browser.click("[data-test=consent-health-box]").await?;
    browser.fill("[data-test=consent-health-by]", "前台小王").await?;
    Ok(())
}

/// Records on the open file that she consents to `purpose` (`health`, `photos`, `marketing`).
pub async fn give_consent(browser: &Browser, purpose: &str) -> Result<()> {
    browser.center("[data-test=consent-panel]").await?;
    browser.fill("[data-test=consent-by]", "前台小王").await?;
    browser.click(&format!("[data-test=consent-{purpose}] [data-test=consent-give]")).await?;
    browser.wait_for_text(&format!("[data-test=consent-{purpose}] [data-test=consent-status]"), "已同意").await?;
    Ok(())
}

/// On the open file of `file` (her path): records her photo consent and takes a 320×240
/// forehead photo from a picture made in `dir`, waiting until it shows.
pub async fn take_photo(browser: &Browser, file: &str, dir: &Path) -> Result<()> {
    let picture = dir.join("face.bmp");
    test_picture(&picture, 320, 240)?;
    give_consent(browser, "photos").await?;
    browser.navigate(&format!("{file}/photos")).await?;
    browser.set_value("[data-test=photo-area]", "forehead").await?;
    browser.upload("[data-test=photo-file]", &picture).await?;
    browser.wait_for("[data-test=photo-card] [data-test=photo-img]").await?;
    Ok(())
}

/// Records yesterday's visit with products bought on the open file: the next-day call is due today.
pub async fn bought_products_yesterday(browser: &Browser) -> Result<()> {
    browser.click("[data-test=record-visit]").await?;
    let day = browser.days_ago(1).await?;
    browser.set_value("#entry-date", &day).await?;
    browser.fill("#entry-products", "玫瑰精华水").await?;
    browser.fill("#entry-amount", "380").await?;
    browser.click("[data-test=save-visit]").await?;
    browser.wait_for("[data-test=customer-file]").await?;
    Ok(())
}

/// The next-day call after [`bought_products_yesterday`], in today's bucket of the worklist.
pub const NEXT_DAY_TASK: &str = "[data-test=bucket-today] [data-test=task][data-task^='product-']";

/// A small picture as a 24-bit BMP (a file any browser decodes): a gradient, so its JPEG
/// re-encoding is not trivially tiny.
pub fn test_picture(path: &Path, width: u32, height: u32) -> Result<()> {
    let row = (width * 3).div_ceil(4) * 4;
    let size = 54 + row * height;
    let mut bytes = Vec::with_capacity(size as usize);
    bytes.extend_from_slice(b"BM");
    bytes.extend_from_slice(&size.to_le_bytes());
    bytes.extend_from_slice(&[0; 4]);
    bytes.extend_from_slice(&54u32.to_le_bytes());
    bytes.extend_from_slice(&40u32.to_le_bytes());
    bytes.extend_from_slice(&(width as i32).to_le_bytes());
    bytes.extend_from_slice(&(height as i32).to_le_bytes());
    bytes.extend_from_slice(&1u16.to_le_bytes());
    bytes.extend_from_slice(&24u16.to_le_bytes());
    bytes.extend_from_slice(&[0; 24]);
    for y in 0..height {
        for x in 0..width {
            bytes.extend_from_slice(&[(x * 255 / width) as u8, (y * 255 / height) as u8, 160]);
        }
        bytes.resize(bytes.len() + (row - width * 3) as usize, 0);
    }
    std::fs::write(path, bytes)?;
    Ok(())
}
