//! Meike's build driver. `cargo xtask run` builds the app and starts the relay serving it;
//! `cargo xtask test` runs every test. Both install what a fresh machine lacks first (pinned
//! versions, skipped when already present), so the README needs no other set-up step.

use std::env;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitStatus};
use std::time::Instant;

use anyhow::{Context, Result, bail};

/// Pinned tool versions. wasm-bindgen-cli must equal the `wasm-bindgen` crate in Cargo.lock.
const TRUNK_VERSION: &str = "0.22.1";
const BINARYEN_VERSION: &str = "132.0.0";
const WASM_TARGET: &str = "wasm32-unknown-unknown";
const RELAY_BIN: &str = "meike-relay";

fn main() -> Result<()> {
    let args: Vec<String> = env::args().skip(1).collect();
    let root = workspace_root();
    env::set_current_dir(&root)?;
    match args.first().map(String::as_str) {
        Some("run") => run(&root, &args[1..]),
        Some("test") => test(&root),
        Some("build") => {
            ensure_app_tools(&root)?;
            build_app(&root)
        }
        Some("size") => {
            ensure_app_tools(&root)?;
            build_app(&root)?;
            print_download_size(&root)
        }
        Some("bench") => bench(&root, &args[1..]),
        Some("install") => {
            ensure_app_tools(&root)?;
            ensure_browser()
        }
        _ => {
            eprintln!(
                "usage: cargo xtask <run [--port N] | test | build | size | bench [N [visits%]] [--native] | install>"
            );
            eprintln!("  run      build the app and start the relay serving it (embedded SQLite store)");
            eprintln!("  test     run every test: domain, relay, and end-to-end in headless Chromium");
            eprintln!("  build    build the app into dist/");
            eprintln!("  size     build the app and print its download size (raw and gzip -9)");
            eprintln!(
                "  bench    N generated customers (default 5000, visits scaled by visits%, default 283: ~20 each) through the relay into headless Chromium: print timings"
            );
            eprintln!("  install  install the pinned tools only");
            bail!("unknown command")
        }
    }
}

fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().map(Path::to_path_buf).unwrap_or_else(|| PathBuf::from("."))
}

fn step(message: &str) {
    println!("\n==> {message}");
}

fn status(cmd: &mut Command) -> Result<ExitStatus> {
    cmd.status().with_context(|| format!("could not start {cmd:?}"))
}

fn must(cmd: &mut Command) -> Result<()> {
    let shown = format!("{cmd:?}");
    let status = status(cmd)?;
    if !status.success() {
        bail!("failed ({status}): {shown}");
    }
    Ok(())
}

/// The first line a command prints, or `None` when it cannot run.
fn version_of(program: &str, arg: &str) -> Option<String> {
    let output = Command::new(program).arg(arg).output().ok()?;
    output.status.success().then(|| String::from_utf8_lossy(&output.stdout).lines().next().unwrap_or("").to_owned())
}

fn cargo_bin_dir() -> PathBuf {
    env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .or_else(|| env::var_os("HOME").map(|home| PathBuf::from(home).join(".cargo")))
        .unwrap_or_else(|| PathBuf::from(".cargo"))
        .join("bin")
}

fn binaryen_bin(root: &Path) -> PathBuf {
    root.join(".tools/binaryen/node_modules/.bin")
}

/// PATH with the tool directories first, so Trunk finds the pinned binaries.
fn tool_path(root: &Path) -> Result<std::ffi::OsString> {
    let mut paths = vec![binaryen_bin(root), cargo_bin_dir()];
    paths.extend(env::split_paths(&env::var_os("PATH").unwrap_or_default()));
    Ok(env::join_paths(paths)?)
}

/// The `wasm-bindgen` version Cargo.lock resolved: the CLI must match it exactly.
fn locked_wasm_bindgen(root: &Path) -> Result<String> {
    let lock = std::fs::read_to_string(root.join("Cargo.lock")).context("reading Cargo.lock")?;
    let mut lines = lock.lines();
    while let Some(line) = lines.next() {
        if line == "name = \"wasm-bindgen\""
            && let Some(version) = lines.next().and_then(|l| l.strip_prefix("version = \""))
        {
            return Ok(version.trim_end_matches('"').to_owned());
        }
    }
    bail!("wasm-bindgen is not in Cargo.lock")
}

fn ensure_app_tools(root: &Path) -> Result<()> {
    let started = Instant::now();
    std::fs::create_dir_all(root.join(".tools"))?;
    let installed = Command::new("rustup").args(["target", "list", "--installed"]).output();
    let has_target = installed.map(|o| String::from_utf8_lossy(&o.stdout).contains(WASM_TARGET)).unwrap_or(false);
    if !has_target {
        step(&format!("installing the Rust target {WASM_TARGET}"));
        must(Command::new("rustup").args(["target", "add", WASM_TARGET]))?;
    }

    for (tool, component) in [("fmt", "rustfmt"), ("clippy", "clippy")] {
        let present = Command::new("cargo").args([tool, "--version"]).output().is_ok_and(|o| o.status.success());
        if !present {
            step(&format!("installing the Rust component {component}"));
            must(Command::new("rustup").args(["component", "add", component]))?;
        }
    }

    if version_of("trunk", "--version").as_deref() != Some(&format!("trunk {TRUNK_VERSION}")) {
        step(&format!("installing trunk {TRUNK_VERSION} (about 12 minutes on 2 cores, once)"));
        // 0.22.1 declares a newer rustc than this machine's but builds and works on it.
        must(Command::new("cargo").args([
            "install",
            "trunk",
            "--version",
            TRUNK_VERSION,
            "--locked",
            "--ignore-rust-version",
        ]))?;
    }

    let bindgen = locked_wasm_bindgen(root)?;
    if version_of("wasm-bindgen", "--version").as_deref() != Some(&format!("wasm-bindgen {bindgen}")) {
        step(&format!("installing wasm-bindgen-cli {bindgen} (about 3 minutes, once)"));
        // No --locked: the CLI's lockfile names a crate version the registry mirror lacks.
        must(Command::new("cargo").args(["install", "wasm-bindgen-cli", "--version", &bindgen, "--force"]))?;
    }

    let wasm_opt = binaryen_bin(root).join("wasm-opt");
    let wasm_opt_ok = version_of(&wasm_opt.to_string_lossy(), "--version").is_some_and(|v| v.contains("version 132"));
    if !wasm_opt_ok {
        // Debian's binaryen (108) produces modules that crash in the browser; npm's 132 works.
        step(&format!("installing wasm-opt (npm binaryen@{BINARYEN_VERSION})"));
        std::fs::create_dir_all(root.join(".tools/binaryen"))?;
        must(Command::new("npm").args([
            "install",
            "--no-audit",
            "--no-fund",
            "--prefix",
            ".tools/binaryen",
            &format!("binaryen@{BINARYEN_VERSION}"),
        ]))?;
    }
    println!("tools ready ({:.0?})", started.elapsed());
    Ok(())
}

fn ensure_browser() -> Result<()> {
    let have = |p: &str| Command::new(p).arg("--version").output().map(|o| o.status.success()).unwrap_or(false);
    // pkill and pgrep (procps): the fault tests kill a browser outright.
    if have("chromium") && have("chromedriver") && have("pkill") {
        return Ok(());
    }
    step("installing Chromium and ChromeDriver from Debian's packages");
    let root_user = Command::new("id").arg("-u").output().map(|o| o.stdout.starts_with(b"0")).unwrap_or(false);
    let apt = |args: &[&str]| -> Result<()> {
        let mut cmd = if root_user {
            Command::new("apt-get")
        } else {
            let mut c = Command::new("sudo");
            c.arg("apt-get");
            c
        };
        cmd.args(args).env("DEBIAN_FRONTEND", "noninteractive");
        must(&mut cmd)
    };
    apt(&["update"])?;
    // A CJK font so screenshots taken by the tests show Chinese text, not boxes.
    apt(&["install", "-y", "--no-install-recommends", "chromium", "chromium-driver", "fonts-wqy-microhei", "procps"])?;
    Ok(())
}

fn build_app(root: &Path) -> Result<()> {
    step("building the app (trunk, release)");
    let started = Instant::now();
    must(
        Command::new("trunk")
            .args(["build", "index.html", "--release"])
            .env("PATH", tool_path(root)?)
            .env("TRUNK_SKIP_VERSION_CHECK", "true"),
    )?;
    println!("app built into dist/ ({:.0?})", started.elapsed());
    Ok(())
}

/// What a device downloads on its first visit: the wasm, JS glue and CSS, raw and gzipped.
fn print_download_size(root: &Path) -> Result<()> {
    let mut total_raw = 0;
    let mut total_gzip = 0;
    let mut files: Vec<PathBuf> = std::fs::read_dir(root.join("dist"))?
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .filter(|path| path.extension().is_some_and(|ext| ext == "wasm" || ext == "js" || ext == "css"))
        .filter(|path| path.file_name().is_some_and(|name| name != "sw.js"))
        .collect();
    files.sort();
    println!("{:<40} {:>10} {:>10}", "file", "raw", "gzip -9");
    for file in files {
        let raw = std::fs::metadata(&file)?.len();
        let output = Command::new("gzip").arg("-9c").arg(&file).output().context("running gzip")?;
        let gzip = output.stdout.len() as u64;
        total_raw += raw;
        total_gzip += gzip;
        println!("{:<40} {raw:>10} {gzip:>10}", file.file_name().unwrap_or_default().to_string_lossy());
    }
    println!("{:<40} {total_raw:>10} {total_gzip:>10}", "total (wasm + js + css)");
    Ok(())
}

fn run(root: &Path, args: &[String]) -> Result<()> {
    let mut port = "8787".to_owned();
    let mut rest = args.iter();
    while let Some(arg) = rest.next() {
        match arg.as_str() {
            "--port" => port = rest.next().context("--port needs a number")?.clone(),
            other => bail!("unknown option {other}"),
        }
    }
    ensure_app_tools(root)?;
    build_app(root)?;
    step("starting the relay (Ctrl-C stops it)");
    must(Command::new("cargo").args([
        "run",
        "--release",
        "--package",
        "server",
        "--bin",
        RELAY_BIN,
        "--",
        "--addr",
        &format!("127.0.0.1:{port}"),
        "--data-dir",
        "data",
        "--dist",
        "dist",
    ]))
}

fn test(root: &Path) -> Result<()> {
    let started = Instant::now();
    ensure_app_tools(root)?;
    ensure_browser()?;

    step("formatting (cargo fmt --check) and lints (clippy, warnings are errors)");
    must(Command::new("cargo").args(["fmt", "--all", "--check"]))?;
    must(Command::new("cargo").args(["clippy", "--workspace", "--all-targets", "--", "-D", "warnings"]))?;
    // The app is built for the browser: lint it as it is built, too.
    must(Command::new("cargo").args(["clippy", "--package", "app", "--target", WASM_TARGET, "--", "-D", "warnings"]))?;

    step("native tests: domain rules, relay, build driver");
    must(Command::new("cargo").args(["test", "--package", "domain", "--package", "server", "--package", "xtask"]))?;

    build_app(root)?;
    step("building the relay binary for the end-to-end tests");
    must(Command::new("cargo").args(["build", "--package", "server", "--bin", RELAY_BIN]))?;

    step("end-to-end tests: the real relay process and the built app in headless Chromium");
    let e2e_started = Instant::now();
    must(
        Command::new("cargo")
            .args(["test", "--package", "e2e", "--", "--test-threads=1"])
            .env("MEIKE_RELAY_BIN", root.join("target/debug").join(RELAY_BIN))
            .env("MEIKE_DIST", root.join("dist")),
    )?;
    println!("\nend-to-end tests took {:.1?}", e2e_started.elapsed());
    // Every test closes its browsers and their whole process trees, also when it fails:
    // leftovers would take CPU and memory from every later test and measurement.
    let left = Command::new("pgrep").args(["-f", "/usr/lib/chromium/chromium"]).output()?;
    let left = String::from_utf8_lossy(&left.stdout).lines().count();
    if left > 0 {
        bail!("{left} Chromium processes were still running after the end-to-end tests");
    }
    println!("all tests passed in {:.1?}", started.elapsed());
    Ok(())
}

fn bench(root: &Path, args: &[String]) -> Result<()> {
    // `--native` measures the rules alone: no app, relay or browser needed.
    let native = args.iter().any(|a| a == "--native");
    if native {
        step("benchmark: the generated salon's rules, natively");
        return must(
            Command::new("cargo").args(["run", "--release", "--package", "e2e", "--bin", "bench", "--"]).args(args),
        );
    }
    ensure_app_tools(root)?;
    ensure_browser()?;
    build_app(root)?;
    step("building the relay and the benchmark (release)");
    must(Command::new("cargo").args(["build", "--release", "--package", "server", "--bin", RELAY_BIN]))?;
    step("benchmark: generated salon → relay → headless Chromium");
    must(
        Command::new("cargo")
            .args(["run", "--release", "--package", "e2e", "--bin", "bench", "--"])
            .args(args)
            .env("MEIKE_RELAY_BIN", root.join("target/release").join(RELAY_BIN))
            .env("MEIKE_DIST", root.join("dist")),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_locked_wasm_bindgen_matches_the_pinned_crate_and_trunk_config() {
        let root = workspace_root();
        let locked = locked_wasm_bindgen(&root).expect("wasm-bindgen in Cargo.lock");
        let manifest = std::fs::read_to_string(root.join("Cargo.toml")).expect("Cargo.toml");
        assert!(manifest.contains(&format!("wasm-bindgen = \"={locked}\"")), "Cargo.toml pins wasm-bindgen {locked}");
        let trunk = std::fs::read_to_string(root.join("Trunk.toml")).expect("Trunk.toml");
        assert!(trunk.contains(&format!("wasm_bindgen = \"{locked}\"")), "Trunk.toml pins wasm-bindgen {locked}");
    }

    /// Every Rust source file says what it is for in its first line (`//!`).
    #[test]
    fn every_source_file_starts_with_a_module_doc() {
        let mut missing = Vec::new();
        for dir in ["app/src", "domain/src", "server/src", "server/tests", "tests/src", "tests/tests", "xtask/src"] {
            visit(&workspace_root().join(dir), &mut missing);
        }
        assert!(missing.is_empty(), "files without a leading //! line: {missing:?}");
    }

    /// No test is switched off.
    #[test]
    fn no_ignored_or_should_panic_tests() {
        let mut offenders = Vec::new();
        for dir in ["app/src", "domain/src", "server/src", "server/tests", "tests/src", "tests/tests"] {
            let mut files = Vec::new();
            collect(&workspace_root().join(dir), &mut files);
            for file in files {
                let text = std::fs::read_to_string(&file).unwrap_or_default();
                if text.contains("#[ignore") || text.contains("#[should_panic") {
                    offenders.push(file);
                }
            }
        }
        assert!(offenders.is_empty(), "{offenders:?}");
    }

    fn collect(dir: &Path, files: &mut Vec<PathBuf>) {
        // A renamed or missing folder must fail the checks, not make them pass on nothing.
        let entries = std::fs::read_dir(dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                collect(&path, files);
            } else if path.extension().is_some_and(|e| e == "rs") {
                files.push(path);
            }
        }
    }

    fn visit(dir: &Path, missing: &mut Vec<PathBuf>) {
        let mut files = Vec::new();
        collect(dir, &mut files);
        for file in files {
            let text = std::fs::read_to_string(&file).unwrap_or_default();
            if !text.trim_start().starts_with("//!") {
                missing.push(file);
            }
        }
    }
}
