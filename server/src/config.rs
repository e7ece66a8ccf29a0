//! The relay's settings, and reading salon entries (`id=token`) from arguments, the
//! environment or the salons file.

use std::fmt;
use std::io::{Read, Write};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use domain::ids::SalonId;
use domain::wire::limits;

use crate::AppError;

/// Everything the relay needs to start. `main` fills it from arguments and the environment.
pub struct Config {
    pub addr: SocketAddr,
    pub data_dir: PathBuf,
    pub dist_dir: PathBuf,
    /// Salon ids with their setup secrets in clear text, as configured.
    pub salons: Vec<(SalonId, String)>,
    /// The salons file they were read from, if any: read again when a device names a salon
    /// the relay does not know yet (`meike-relay salon add` appends to it while it runs).
    pub salons_file: Option<PathBuf>,
    /// The certificate chain and private key (PEM files) to serve HTTPS with; plain HTTP
    /// without them.
    pub tls: Option<(PathBuf, PathBuf)>,
}

impl Config {
    pub fn database_path(&self) -> PathBuf {
        self.data_dir.join("relay.sqlite3")
    }
}

impl fmt::Debug for Config {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Tokens are secrets: only the salon ids are shown.
        let salons: Vec<&str> = self.salons.iter().map(|(salon, _)| salon.as_str()).collect();
        f.debug_struct("Config")
            .field("addr", &self.addr)
            .field("data_dir", &self.data_dir)
            .field("dist_dir", &self.dist_dir)
            .field("salons", &salons)
            .field("tls", &self.tls)
            .finish()
    }
}

/// Parses one `id=token` entry. The token must be something a join code can carry: printable
/// ASCII without spaces, at most [`limits::MAX_TOKEN_LEN`] bytes. Errors never echo the token.
pub fn parse_salon_entry(raw: &str) -> Result<(SalonId, String), AppError> {
    let (salon, token) = raw
        .trim()
        .split_once('=')
        .ok_or_else(|| AppError::Config("a salon entry must look like id=token".to_owned()))?;
    let salon = SalonId::parse(salon.trim()).map_err(|_| {
        AppError::Config(format!("salon id {:?} must be 1 to 32 characters of a-z, 0-9 and -", salon.trim()))
    })?;
    let token = token.trim();
    let token_ok =
        !token.is_empty() && token.len() <= limits::MAX_TOKEN_LEN && token.bytes().all(|b| b.is_ascii_graphic());
    if !token_ok {
        return Err(AppError::Config(format!(
            "the token of salon {salon} must be 1 to {} printable ASCII characters without spaces",
            limits::MAX_TOKEN_LEN
        )));
    }
    Ok((salon, token.to_owned()))
}

/// Parses a comma-separated list of entries, as in `MEIKE_SALONS="a=token1,b=token2"`.
pub fn parse_salon_list(raw: &str) -> Result<Vec<(SalonId, String)>, AppError> {
    raw.split(',').filter(|entry| !entry.trim().is_empty()).map(parse_salon_entry).collect()
}

/// Reads the salons file (one `id=token` a line; blank lines and `#` comments are skipped).
/// When the file does not exist it is created with one `demo` salon and a fresh random token,
/// so a first start works without any setup.
pub fn load_or_create_salons_file(path: &Path) -> Result<Vec<(SalonId, String)>, AppError> {
    match std::fs::read_to_string(path) {
        Ok(text) => text
            .lines()
            .filter(|line| !line.trim().is_empty() && !line.trim_start().starts_with('#'))
            .map(parse_salon_entry)
            .collect(),
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => {
            let token = random_secret()?;
            write_new_secret_file(path, &format!("demo={token}\n"))?;
            Ok(vec![(SalonId::parse("demo").map_err(|_| AppError::Config("bad demo id".to_owned()))?, token)])
        }
        Err(error) => Err(error.into()),
    }
}

/// Adds a salon to the salons file at `path` (created if missing, readable by the relay's
/// user only) under a fresh setup secret, which it returns. A salon already there is refused.
pub fn add_salon(path: &Path, salon: &SalonId) -> Result<String, AppError> {
    let existing = match std::fs::read_to_string(path) {
        Ok(text) => text,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => String::new(),
        Err(error) => return Err(error.into()),
    };
    let known = existing
        .lines()
        .filter(|line| !line.trim().is_empty() && !line.trim_start().starts_with('#'))
        .map(parse_salon_entry)
        .collect::<Result<Vec<_>, _>>()?;
    if known.iter().any(|(id, _)| id == salon) {
        return Err(AppError::Config(format!("salon {salon} already exists")));
    }
    let secret = random_secret()?;
    let line = format!("{salon}={secret}\n");
    if existing.is_empty() {
        write_new_secret_file(path, &line)?;
    } else {
        let separator = if existing.ends_with('\n') { "" } else { "\n" };
        let mut file = std::fs::OpenOptions::new().append(true).open(path)?;
        file.write_all(format!("{separator}{line}").as_bytes())?;
    }
    Ok(secret)
}

/// 128 bits from the operating system's generator, as 32 hex digits: setup secrets and the
/// operator's invites.
pub fn random_secret() -> Result<String, AppError> {
    let mut bytes = [0u8; 16];
    std::fs::File::open("/dev/urandom")?.read_exact(&mut bytes)?;
    Ok(bytes.iter().map(|b| format!("{b:02x}")).collect())
}

fn write_new_secret_file(path: &Path, contents: &str) -> Result<(), AppError> {
    let mut options = std::fs::OpenOptions::new();
    // `create_new` refuses to overwrite a file another process created meanwhile.
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        // The file holds tokens: only the relay's user may read it.
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options.open(path)?;
    file.write_all(contents.as_bytes())?;
    file.sync_all()?;
    Ok(())
}
