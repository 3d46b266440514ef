//! # framewise-e2e — the demo app, end to end, in headless Chromium
//!
//! Helpers for tests that load a trunk build of `www/` in a real browser:
//! a small static file server on 127.0.0.1 ([`StaticServer`]), headless
//! Chromium that returns the page's DOM once it settled ([`dump_dom`]), and
//! the `data-*` attributes the page writes on `<body>` ([`body_data`]),
//! and a small WebDriver client for the camera tests, which need real time
//! and clicks ([`webdriver::Browser`]).
//!
//! The tests in `tests/` are `#[ignore]`d because they need that build and
//! Chromium; `cargo xtask test` builds the app exactly as `cargo xtask
//! demo` serves it and runs them with `--ignored`, pointing
//! `FRAMEWISE_E2E_DIST` at the build.

pub mod audio;
pub mod bench_audio;
pub mod bench_local;
pub mod bench_modes;
pub mod bench_remote;
pub mod camera;
pub mod server;
pub mod speech;
pub mod webdriver;

use std::collections::BTreeMap;
use std::io::{self, BufRead, BufReader, Read, Write};
use std::net::{Ipv4Addr, SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// The directory holding the trunk build: `$FRAMEWISE_E2E_DIST`, else
/// `www/dist` (where `trunk build` puts it). It must hold an index.html.
pub fn dist_dir() -> io::Result<PathBuf> {
    build_dir(
        "FRAMEWISE_E2E_DIST",
        "../www/dist",
        "",
        "the demo",
        "`trunk build --release` and set FRAMEWISE_E2E_DIST",
    )
}

/// The trunk build of `examples/NAME`: `$FRAMEWISE_E2E_EXAMPLES/NAME`,
/// else `target/e2e-examples/NAME` (where `cargo xtask test` puts it).
pub fn example_dist(name: &str) -> io::Result<PathBuf> {
    build_dir(
        "FRAMEWISE_E2E_EXAMPLES",
        "../target/e2e-examples",
        name,
        &format!("examples/{name}"),
        &format!(
            "`trunk build --release --offline examples/{name}/index.html --dist DIR/{name}` \
             and set FRAMEWISE_E2E_EXAMPLES=DIR"
        ),
    )
}

/// `$VAR` (else `default` under this crate) joined with `name`, if it
/// holds an index.html; else an error saying how to make the build of
/// `what`.
fn build_dir(var: &str, default: &str, name: &str, what: &str, how: &str) -> io::Result<PathBuf> {
    let root = std::env::var_os(var)
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join(default));
    let dir = root.join(name);
    if dir.join("index.html").is_file() {
        Ok(dir)
    } else {
        Err(io::Error::new(
            io::ErrorKind::NotFound,
            format!(
                "no build of {what} at {} (run `cargo xtask test`, or {how})",
                dir.display()
            ),
        ))
    }
}

/// A benchmark driver's `[--seconds N]` (`default` without it), or what
/// is wrong with the arguments.
pub fn seconds_arg(args: &[String], default: u64) -> Result<u64, String> {
    match args {
        [] => Ok(default),
        [flag, n] if flag == "--seconds" => match n.parse::<u64>() {
            Ok(n) if n > 0 => Ok(n),
            _ => Err(format!("--seconds wants a whole number above 0, not {n}")),
        },
        _ => Err(format!("unexpected arguments {args:?}")),
    }
}

/// Chromium's test flags ([`CHROMIUM_FLAGS`]) with `flag` left out and,
/// if given, `instead` in its place (e.g. a fake-device count).
pub fn flags_replacing(flag: &str, instead: Option<&'static str>) -> Vec<&'static str> {
    CHROMIUM_FLAGS
        .iter()
        .copied()
        .filter(|f| *f != flag)
        .chain(instead)
        .collect()
}

/// Serves the files of one directory over HTTP/1.1 on 127.0.0.1 (a free
/// port) until dropped. GET only; `/` is `index.html`; the query string
/// is ignored; paths may not leave the directory.
pub struct StaticServer {
    address: SocketAddr,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl StaticServer {
    /// Starts serving `dir`.
    pub fn start(dir: &Path) -> io::Result<Self> {
        let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0))?;
        let address = listener.local_addr()?;
        let stop = Arc::new(AtomicBool::new(false));
        let (dir, stopped) = (dir.to_path_buf(), stop.clone());
        let thread = std::thread::spawn(move || {
            for stream in listener.incoming() {
                if stopped.load(Ordering::SeqCst) {
                    break;
                }
                if let Ok(stream) = stream {
                    let dir = dir.clone();
                    std::thread::spawn(move || {
                        // A browser closing a connection early is not our failure.
                        let _ = serve(stream, &dir);
                    });
                }
            }
        });
        Ok(Self {
            address,
            stop,
            thread: Some(thread),
        })
    }

    /// `http://127.0.0.1:PORT` + `path_and_query`.
    pub fn url(&self, path_and_query: &str) -> String {
        format!("http://{}{path_and_query}", self.address)
    }
}

impl Drop for StaticServer {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        // Wake the accept loop so it sees the flag.
        let _ = TcpStream::connect(self.address);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

fn content_type(path: &Path) -> &'static str {
    match path.extension().and_then(|e| e.to_str()) {
        Some("html") => "text/html; charset=utf-8",
        Some("js") => "text/javascript",
        Some("wasm") => "application/wasm",
        Some("css") => "text/css",
        Some("json") => "application/json",
        Some("png") => "image/png",
        Some("svg") => "image/svg+xml",
        _ => "application/octet-stream",
    }
}

/// Answers one request (the connection is closed after it).
fn serve(stream: TcpStream, dir: &Path) -> io::Result<()> {
    stream.set_read_timeout(Some(Duration::from_secs(10)))?;
    let mut reader = BufReader::new(stream.try_clone()?);
    let mut request_line = String::new();
    reader.read_line(&mut request_line)?;
    loop {
        let mut header = String::new();
        if reader.read_line(&mut header)? == 0 || header.trim().is_empty() {
            break;
        }
    }
    let mut parts = request_line.split_whitespace();
    let (method, target) = (parts.next().unwrap_or(""), parts.next().unwrap_or("/"));
    let path = target.split(['?', '#']).next().unwrap_or("/");
    let relative = path.trim_start_matches('/');
    let relative = if relative.is_empty() {
        "index.html"
    } else {
        relative
    };
    let safe = !relative.split('/').any(|p| p == ".." || p.is_empty());
    let file = dir.join(relative);
    let mut stream = stream;
    let (status, body, kind) = match std::fs::read(&file) {
        Ok(body) if safe && method == "GET" => ("200 OK", body, content_type(&file)),
        _ if method != "GET" => ("405 Method Not Allowed", Vec::new(), "text/plain"),
        _ => ("404 Not Found", b"not found".to_vec(), "text/plain"),
    };
    write!(
        stream,
        "HTTP/1.1 {status}\r\nContent-Type: {kind}\r\nContent-Length: {}\r\n\
         Cache-Control: no-store\r\nConnection: close\r\n\r\n",
        body.len()
    )?;
    stream.write_all(&body)?;
    stream.flush()
}

/// Chromium: `$CHROMIUM`, else `chromium` on PATH.
pub fn chromium() -> PathBuf {
    std::env::var_os("CHROMIUM")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("chromium"))
}

/// Chromium resolves no host name but `localhost` (no DNS query leaves
/// the machine; its background services look some up even with
/// `--disable-background-networking`).
pub const NO_DNS: &str =
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE localhost, EXCLUDE 127.0.0.1";

/// Flags for headless Chromium on this kind of machine (root, no GPU, no
/// network beyond 127.0.0.1).
pub const CHROMIUM_FLAGS: &[&str] = &[
    NO_DNS,
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--use-fake-device-for-media-stream",
    "--use-fake-ui-for-media-stream",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
];

/// The fake camera's video: width, height, frames per second, frames
/// (640×480 at 30 fps, 3 s, looped by Chromium).
pub const FAKE_CAMERA: (u32, u32, u32, u32) = (640, 480, 30, 90);

/// Writes [`FAKE_CAMERA`]'s video (moving shapes with the frame index in a
/// strip on top) to the temp directory once and returns its path; see
/// [`camera_video_file`].
pub fn fake_camera_file() -> io::Result<PathBuf> {
    let (width, height, fps, frames) = FAKE_CAMERA;
    camera_video_file(width, height, fps, frames)
}

/// Writes `framewise::synth::y4m(width, height, fps, frames)` to the temp
/// directory and returns its path. The file is shared by every test
/// process of a run (written to a unique name, then renamed into place, so
/// a reader never sees half a file) and reused while it has the expected
/// length.
pub fn camera_video_file(width: u32, height: u32, fps: u32, frames: u32) -> io::Result<PathBuf> {
    let path = std::env::temp_dir().join(format!(
        "framewise-camera-{width}x{height}-{fps}fps-{frames}.y4m"
    ));
    write_once(path, &framewise::synth::y4m(width, height, fps, frames))
}

/// Writes `bytes` to `path` unless it already holds that many: to a unique
/// name, then renamed into place, so a concurrent reader never sees half a
/// file.
fn write_once(path: PathBuf, bytes: &[u8]) -> io::Result<PathBuf> {
    if std::fs::metadata(&path).is_ok_and(|m| m.len() == bytes.len() as u64) {
        return Ok(path);
    }
    // Unique per writer: tests on other threads may write the same file.
    static WRITERS: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let writer = WRITERS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let partial = path.with_extension(format!("{}-{writer}.partial", std::process::id()));
    std::fs::write(&partial, bytes)?;
    std::fs::rename(&partial, &path)?;
    Ok(path)
}

/// The fake microphone's tone: sample rate, frequency (Hz), seconds
/// (looped by Chromium).
pub const FAKE_MICROPHONE: (u32, f64, f64) = (48_000, 440.0, 2.0);

/// The Chromium flag that plays [`FAKE_MICROPHONE`]'s tone
/// (`framewise::synth::wav`, mono, amplitude 0.5) as every fake
/// microphone.
pub fn fake_microphone_flag() -> io::Result<String> {
    let (rate, hz, seconds) = FAKE_MICROPHONE;
    microphone_flag(
        &format!("{rate}-{hz}"),
        &framewise::synth::wav(rate, 1, seconds, hz),
    )
}

/// The Chromium flag that plays `wav` (a whole WAV file, looped) as every
/// fake microphone; `name` names its file in the temp directory, shared by
/// the tests of a run like [`camera_video_file`]'s.
pub fn microphone_flag(name: &str, wav: &[u8]) -> io::Result<String> {
    let path = std::env::temp_dir().join(format!("framewise-microphone-{name}.wav"));
    let path = write_once(path, wav)?;
    Ok(format!(
        "--use-file-for-fake-audio-capture={}",
        path.display()
    ))
}

/// The Chromium flag that plays [`fake_camera_file`] as the camera.
pub fn fake_camera_flag() -> io::Result<String> {
    Ok(format!(
        "--use-file-for-fake-video-capture={}",
        fake_camera_file()?.display()
    ))
}

/// Decodes standard base64 (with or without `=` padding; no whitespace).
/// `None` for anything else.
pub fn base64_decode(text: &str) -> Option<Vec<u8>> {
    fn value(c: u8) -> Option<u32> {
        Some(match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' => 62,
            b'/' => 63,
            _ => return None,
        } as u32)
    }
    let text = text.trim_end_matches('=').as_bytes();
    if text.len() % 4 == 1 {
        return None;
    }
    let mut out = Vec::with_capacity(text.len() * 3 / 4);
    for chunk in text.chunks(4) {
        let mut bits = 0u32;
        for (i, &c) in chunk.iter().enumerate() {
            bits |= value(c)? << (18 - 6 * i);
        }
        let bytes = bits.to_be_bytes();
        out.extend_from_slice(&bytes[1..chunk.len()]);
    }
    Some(out)
}

/// Longest a Chromium run may take before it is killed.
const CHROMIUM_TIMEOUT: Duration = Duration::from_secs(90);

/// Loads `url` in headless Chromium with a fresh profile, lets the page
/// run for `budget_ms` of virtual time (network and wasm start-up don't
/// use it up), and returns the DOM as HTML.
pub fn dump_dom(url: &str, budget_ms: u32) -> io::Result<String> {
    static RUN: AtomicU32 = AtomicU32::new(0);
    let profile = std::env::temp_dir().join(format!(
        "framewise-e2e-{}-{}",
        std::process::id(),
        RUN.fetch_add(1, Ordering::SeqCst)
    ));
    let mut child = Command::new(chromium())
        .args(CHROMIUM_FLAGS)
        .arg(format!("--user-data-dir={}", profile.display()))
        .arg(format!("--virtual-time-budget={budget_ms}"))
        .arg("--dump-dom")
        .arg(url)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| {
            io::Error::new(
                e.kind(),
                format!("could not start {}: {e}", chromium().display()),
            )
        })?;
    let drain = |mut pipe: Box<dyn Read + Send>| {
        std::thread::spawn(move || {
            let mut text = String::new();
            let _ = pipe.read_to_string(&mut text);
            text
        })
    };
    let stdout = child.stdout.take().map(|p| drain(Box::new(p)));
    let stderr = child.stderr.take().map(|p| drain(Box::new(p)));
    let started = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait()? {
            break status;
        }
        if started.elapsed() > CHROMIUM_TIMEOUT {
            let _ = child.kill();
            let _ = child.wait();
            return Err(io::Error::new(
                io::ErrorKind::TimedOut,
                format!("chromium took over {CHROMIUM_TIMEOUT:?} on {url}"),
            ));
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    let _ = std::fs::remove_dir_all(&profile);
    let dom = stdout.and_then(|t| t.join().ok()).unwrap_or_default();
    let errors = stderr.and_then(|t| t.join().ok()).unwrap_or_default();
    if !status.success() || dom.is_empty() {
        return Err(io::Error::other(format!(
            "chromium failed on {url} ({status}): {errors}"
        )));
    }
    Ok(dom)
}

/// The `data-*` attributes of the first `<body>` tag in `html`, by their
/// `dataset` names (`data-output-checksum` → `outputChecksum`), unescaped.
pub fn body_data(html: &str) -> BTreeMap<String, String> {
    let mut data = BTreeMap::new();
    let Some(start) = html.find("<body") else {
        return data;
    };
    let Some(end) = html[start..].find('>') else {
        return data;
    };
    let mut rest = &html[start + "<body".len()..start + end];
    while let Some(at) = rest.find("data-") {
        rest = &rest[at + "data-".len()..];
        let Some(eq) = rest.find("=\"") else { break };
        let name = &rest[..eq];
        rest = &rest[eq + 2..];
        let Some(close) = rest.find('"') else { break };
        data.insert(camel_case(name), unescape(&rest[..close]));
        rest = &rest[close + 1..];
    }
    data
}

fn camel_case(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    let mut upper = false;
    for c in name.chars() {
        if c == '-' {
            upper = true;
        } else if upper {
            out.extend(c.to_uppercase());
            upper = false;
        } else {
            out.push(c);
        }
    }
    out
}

fn unescape(text: &str) -> String {
    text.replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&nbsp;", "\u{a0}")
        .replace("&amp;", "&")
}

/// FNV-1a, 64 bits, as hex: the checksum the demo page publishes.
pub fn fnv1a_hex(bytes: &[u8]) -> String {
    let hash = bytes.iter().fold(0xcbf2_9ce4_8422_2325_u64, |hash, &byte| {
        (hash ^ u64::from(byte)).wrapping_mul(0x0100_0000_01b3)
    });
    format!("{hash:016x}")
}

/// What the demo page published after it ran `processor` (loaded as
/// `/?processor=NAME&mode=still`): its `<body>` data attributes.
pub fn run_demo(processor: &str) -> io::Result<BTreeMap<String, String>> {
    let server = StaticServer::start(&dist_dir()?)?;
    let dom = dump_dom(
        &server.url(&format!("/?processor={processor}&mode=still")),
        10_000,
    )?;
    let data = body_data(&dom);
    if data.get("status").is_none_or(|s| s == "loading") {
        return Err(io::Error::other(format!(
            "the page never ran (is the wasm served and loading?); body data: {data:?}"
        )));
    }
    Ok(data)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn body_data_is_read_and_unescaped() {
        let html = r#"<html><body data-status="ok" data-output-checksum="00ff" data-results="[{&quot;a&quot;:1}]" class="x"><div data-no="1"></div></body>"#;
        let data = body_data(html);
        assert_eq!(data["status"], "ok");
        assert_eq!(data["outputChecksum"], "00ff");
        assert_eq!(data["results"], r#"[{"a":1}]"#);
        assert!(!data.contains_key("no"));
    }

    #[test]
    fn base64_decodes_the_rfc_vectors() {
        for (text, plain) in [
            ("", ""),
            ("Zg==", "f"),
            ("Zm8=", "fo"),
            ("Zm9v", "foo"),
            ("Zm9vYg==", "foob"),
            ("Zm9vYmE", "fooba"),
            ("Zm9vYmFy", "foobar"),
        ] {
            assert_eq!(base64_decode(text).as_deref(), Some(plain.as_bytes()));
        }
        assert_eq!(base64_decode("/+A="), Some(vec![0xff, 0xe0]));
        assert_eq!(base64_decode("Z"), None);
        assert_eq!(base64_decode("Zm9v!"), None);
    }

    #[test]
    fn the_fake_camera_file_is_the_generated_video() {
        let path = fake_camera_file().unwrap();
        let bytes = std::fs::read(&path).unwrap();
        assert!(bytes.starts_with(b"YUV4MPEG2 W640 H480 F30:1"));
        // Asking again reuses it.
        assert_eq!(fake_camera_file().unwrap(), path);
        assert!(fake_camera_flag().unwrap().ends_with(".y4m"));
    }

    #[test]
    fn fnv1a_matches_the_reference_values() {
        assert_eq!(fnv1a_hex(b""), "cbf29ce484222325");
        assert_eq!(fnv1a_hex(b"foobar"), "85944171f73967e8");
    }

    #[test]
    fn the_static_server_serves_files_and_refuses_escapes() {
        let dir = std::env::temp_dir().join(format!("framewise-e2e-static-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("index.html"), "<p>hi</p>").unwrap();
        let server = StaticServer::start(&dir).unwrap();
        let get = |path: &str| {
            let mut stream = TcpStream::connect(server.address).unwrap();
            write!(stream, "GET {path} HTTP/1.1\r\nHost: x\r\n\r\n").unwrap();
            let mut answer = String::new();
            stream.read_to_string(&mut answer).unwrap();
            answer
        };
        let index = get("/?processor=invert");
        assert!(index.starts_with("HTTP/1.1 200 OK"), "{index}");
        assert!(index.ends_with("<p>hi</p>"));
        assert!(get("/../Cargo.toml").starts_with("HTTP/1.1 404"));
        assert!(get("/missing.js").starts_with("HTTP/1.1 404"));
        drop(server);
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
