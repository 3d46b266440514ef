//! A minimal WebDriver client over `std::net`, driving headless Chromium
//! through ChromeDriver: enough to load a page, click, run scripts and wait
//! for a condition, in real time (camera tests can't use `--dump-dom`'s
//! virtual time, and need clicks).

use std::io::{self, BufRead, BufReader, Read, Write};
use std::net::{Ipv4Addr, TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, Instant};

use serde_json::{json, Value};

use crate::CHROMIUM_FLAGS;

/// The key WebDriver uses for element references.
const ELEMENT: &str = "element-6066-11e4-a52e-4f735466cecf";

/// ChromeDriver: `$CHROMEDRIVER`, else `chromedriver` on PATH.
pub fn chromedriver() -> PathBuf {
    std::env::var_os("CHROMEDRIVER")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("chromedriver"))
}

/// One ChromeDriver process with one headless Chromium session; both end
/// when it is dropped.
pub struct Browser {
    driver: Child,
    port: u16,
    session: String,
    profile: PathBuf,
}

impl Browser {
    /// Starts ChromeDriver on a free 127.0.0.1 port and a headless Chromium
    /// session with [`CHROMIUM_FLAGS`], a fresh profile and `extra_args`.
    pub fn start(extra_args: &[&str]) -> io::Result<Self> {
        Self::launch(CHROMIUM_FLAGS, extra_args)
    }

    /// As [`Browser::start`], with `flags` instead of [`CHROMIUM_FLAGS`]
    /// (e.g. without `--use-fake-ui-for-media-stream`, to see a permission
    /// denied).
    pub fn launch(flags: &[&str], extra_args: &[&str]) -> io::Result<Self> {
        static RUN: AtomicU32 = AtomicU32::new(0);
        let port = TcpListener::bind((Ipv4Addr::LOCALHOST, 0))?
            .local_addr()?
            .port();
        let driver = Command::new(chromedriver())
            .arg(format!("--port={port}"))
            .arg("--allowed-ips=127.0.0.1")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|e| {
                io::Error::new(
                    e.kind(),
                    format!("could not start {}: {e}", chromedriver().display()),
                )
            })?;
        let profile = std::env::temp_dir().join(format!(
            "framewise-e2e-wd-{}-{}",
            std::process::id(),
            RUN.fetch_add(1, Ordering::SeqCst)
        ));
        let mut browser = Self {
            driver,
            port,
            session: String::new(),
            profile,
        };
        let started = Instant::now();
        while http(port, "GET", "/status", None).is_err() {
            if started.elapsed() > Duration::from_secs(20) {
                return Err(io::Error::new(
                    io::ErrorKind::TimedOut,
                    "chromedriver did not answer within 20 s",
                ));
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        let mut args: Vec<String> = flags.iter().map(|s| s.to_string()).collect();
        args.push(format!("--user-data-dir={}", browser.profile.display()));
        args.extend(extra_args.iter().map(|s| s.to_string()));
        let mut options = json!({ "args": args });
        let logging = json!({"browser": "ALL"});
        if let Some(binary) = std::env::var_os("CHROMIUM_BINARY") {
            options["binary"] = json!(binary.to_string_lossy());
        }
        let created = browser.command(
            "POST",
            "/session",
            Some(&json!({"capabilities": {"alwaysMatch": {"goog:chromeOptions": options, "goog:loggingPrefs": logging}}})),
        )?;
        browser.session = created["sessionId"]
            .as_str()
            .ok_or_else(|| io::Error::other(format!("no session id in {created}")))?
            .to_owned();
        Ok(browser)
    }

    /// Sends a WebDriver command; returns its `value`, or the error it
    /// reported as an `io::Error`.
    fn command(&self, method: &str, path: &str, body: Option<&Value>) -> io::Result<Value> {
        let answer = http(self.port, method, path, body)?;
        let value = answer.get("value").cloned().unwrap_or(Value::Null);
        if let Some(error) = value.get("error").and_then(Value::as_str) {
            let message = value.get("message").and_then(Value::as_str).unwrap_or("");
            return Err(io::Error::other(format!(
                "webdriver {method} {path}: {error}: {message}"
            )));
        }
        Ok(value)
    }

    fn session_path(&self, rest: &str) -> String {
        format!("/session/{}{rest}", self.session)
    }

    /// Runs `source` in every new document before its own scripts
    /// (Chrome DevTools `Page.addScriptToEvaluateOnNewDocument`).
    pub fn add_init_script(&self, source: &str) -> io::Result<()> {
        self.command(
            "POST",
            &self.session_path("/goog/cdp/execute"),
            Some(&json!({"cmd": "Page.addScriptToEvaluateOnNewDocument", "params": {"source": source}})),
        )
        .map(|_| ())
    }

    /// Loads `url` (returns when the document has loaded).
    pub fn goto(&self, url: &str) -> io::Result<()> {
        self.command(
            "POST",
            &self.session_path("/url"),
            Some(&json!({ "url": url })),
        )
        .map(|_| ())
    }

    /// Runs `script` (a function body; `arguments` holds `args`) and
    /// returns what it returns (awaited if it is a promise).
    pub fn execute(&self, script: &str, args: &[Value]) -> io::Result<Value> {
        self.command(
            "POST",
            &self.session_path("/execute/sync"),
            Some(&json!({ "script": script, "args": args })),
        )
    }

    /// The browser console's messages since the last call, one a line.
    pub fn console(&self) -> io::Result<String> {
        let entries = self.command(
            "POST",
            &self.session_path("/se/log"),
            Some(&json!({"type": "browser"})),
        )?;
        Ok(entries
            .as_array()
            .map(|list| {
                list.iter()
                    .filter_map(|e| e["message"].as_str())
                    .collect::<Vec<_>>()
                    .join("\n")
            })
            .unwrap_or_default())
    }

    /// Clicks the first element matching the CSS `selector`.
    pub fn click(&self, selector: &str) -> io::Result<()> {
        let found = self.command(
            "POST",
            &self.session_path("/element"),
            Some(&json!({"using": "css selector", "value": selector})),
        )?;
        let id = found[ELEMENT]
            .as_str()
            .ok_or_else(|| io::Error::other(format!("no element {selector}")))?
            .to_owned();
        self.command(
            "POST",
            &self.session_path(&format!("/element/{id}/click")),
            Some(&json!({})),
        )
        .map(|_| ())
    }

    /// Runs `script` until it returns something other than `null`/`false`
    /// (returned), or fails after `timeout` with the last value.
    pub fn wait_for(&self, script: &str, timeout: Duration) -> io::Result<Value> {
        let started = Instant::now();
        loop {
            let value = self.execute(script, &[])?;
            if !(value.is_null() || value == Value::Bool(false)) {
                return Ok(value);
            }
            if started.elapsed() > timeout {
                return Err(io::Error::new(
                    io::ErrorKind::TimedOut,
                    format!("waited {timeout:?} for: {script}"),
                ));
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        if !self.session.is_empty() {
            let _ = self.command("DELETE", &self.session_path(""), None);
        }
        let _ = self.driver.kill();
        let _ = self.driver.wait();
        let _ = std::fs::remove_dir_all(&self.profile);
    }
}

/// One HTTP/1.1 request to ChromeDriver; the answer's JSON body.
fn http(port: u16, method: &str, path: &str, body: Option<&Value>) -> io::Result<Value> {
    let mut stream = TcpStream::connect((Ipv4Addr::LOCALHOST, port))?;
    stream.set_read_timeout(Some(Duration::from_secs(60)))?;
    let body = body.map(Value::to_string).unwrap_or_default();
    write!(
        stream,
        "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Type: application/json\r\n\
         Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )?;
    stream.flush()?;
    let mut reader = BufReader::new(stream);
    let mut length = None;
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line)? == 0 || line.trim().is_empty() {
            break;
        }
        if let Some((name, value)) = line.split_once(':') {
            if name.eq_ignore_ascii_case("content-length") {
                length = value.trim().parse::<usize>().ok();
            }
        }
    }
    let mut text = Vec::new();
    match length {
        Some(n) => {
            text.resize(n, 0);
            reader.read_exact(&mut text)?;
        }
        None => {
            reader.read_to_end(&mut text)?;
        }
    }
    serde_json::from_slice(&text).map_err(|e| {
        io::Error::other(format!(
            "chromedriver answered {method} {path} with non-JSON ({e}): {}",
            String::from_utf8_lossy(&text)
        ))
    })
}
