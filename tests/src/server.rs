//! `framewise-server` as a child process for the remote-placement tests:
//! on a free 127.0.0.1 port, serving the demo build as its static files
//! (so the page and `/api` share one origin), killed when dropped.

use std::io::{self, Read, Write};
use std::net::{Ipv4Addr, SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

/// The server binary: `$FRAMEWISE_SERVER_BIN` (`cargo xtask test` builds
/// it and sets this).
pub fn server_bin() -> io::Result<PathBuf> {
    std::env::var_os("FRAMEWISE_SERVER_BIN")
        .map(PathBuf::from)
        .filter(|p| p.is_file())
        .ok_or_else(|| {
            io::Error::new(
                io::ErrorKind::NotFound,
                "no framewise-server binary: run `cargo xtask test`, or `cargo build -p \
                 framewise-server` and set FRAMEWISE_SERVER_BIN",
            )
        })
}

/// A running `framewise-server`.
pub struct ServerProcess {
    child: Child,
    address: SocketAddr,
}

impl ServerProcess {
    /// Starts the server on a free port with `static_dir` and `args`, and
    /// waits until `/healthz` answers.
    pub fn start(static_dir: &Path, args: &[&str]) -> io::Result<Self> {
        let address = TcpListener::bind((Ipv4Addr::LOCALHOST, 0))?.local_addr()?;
        let child = Command::new(server_bin()?)
            .arg("--listen")
            .arg(address.to_string())
            .arg("--static-dir")
            .arg(static_dir)
            .args(["--log", "warn"])
            .args(args)
            .stdin(Stdio::null())
            .spawn()?;
        let server = Self { child, address };
        let started = Instant::now();
        while server.health().is_err() {
            if started.elapsed() > Duration::from_secs(15) {
                return Err(io::Error::other("framewise-server did not answer /healthz"));
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        Ok(server)
    }

    /// `http://127.0.0.1:PORT` + `path_and_query`.
    pub fn url(&self, path_and_query: &str) -> String {
        format!("http://{}{path_and_query}", self.address)
    }

    /// `/healthz` as JSON (`{"status", "sessions", "max_sessions"}`).
    pub fn health(&self) -> io::Result<Value> {
        let (status, body) = http_get(self.address, "/healthz")?;
        if status != 200 {
            return Err(io::Error::other(format!("/healthz answered {status}")));
        }
        serde_json::from_str(&body).map_err(io::Error::other)
    }

    /// The server's address.
    pub fn address(&self) -> SocketAddr {
        self.address
    }

    /// The server's process id.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Live sessions, from `/healthz`.
    pub fn sessions(&self) -> io::Result<u64> {
        Ok(self.health()?["sessions"].as_u64().unwrap_or(0))
    }

    /// Waits up to 5 s for the server to hold no session; how many it
    /// holds then.
    pub fn wait_no_sessions(&self) -> io::Result<u64> {
        let mut sessions = self.sessions()?;
        for _ in 0..50 {
            if sessions == 0 {
                break;
            }
            std::thread::sleep(Duration::from_millis(100));
            sessions = self.sessions()?;
        }
        Ok(sessions)
    }

    /// Stops the server now (as if it crashed or was unplugged).
    pub fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for ServerProcess {
    fn drop(&mut self) {
        self.kill();
    }
}

/// A GET over HTTP/1.1: status and body.
fn http_get(address: SocketAddr, path: &str) -> io::Result<(u16, String)> {
    http(address, "GET", path, None).map(|r| (r.status, r.body))
}

/// A response: status, `Location` header, body.
#[derive(Debug, Clone)]
pub struct HttpResponse {
    /// The status code.
    pub status: u16,
    /// The `Location` header, if any.
    pub location: Option<String>,
    /// The body (the server answers with `Content-Length`).
    pub body: String,
}

/// One HTTP/1.1 request with `Connection: close` and an optional JSON
/// body.
pub fn http(
    address: SocketAddr,
    method: &str,
    path: &str,
    json: Option<&str>,
) -> io::Result<HttpResponse> {
    let mut stream = TcpStream::connect_timeout(&address, Duration::from_secs(2))?;
    stream.set_read_timeout(Some(Duration::from_secs(10)))?;
    let body = json.unwrap_or("");
    write!(
        stream,
        "{method} {path} HTTP/1.1\r\nHost: {address}\r\nConnection: close\r\n\
         Content-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    )?;
    let mut response = String::new();
    stream.read_to_string(&mut response)?;
    let status = response
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| io::Error::other("not an HTTP response"))?;
    let (head, body) = response.split_once("\r\n\r\n").unwrap_or((&response, ""));
    let location = head.lines().find_map(|line| {
        let (name, value) = line.split_once(':')?;
        name.eq_ignore_ascii_case("location")
            .then(|| value.trim().to_owned())
    });
    Ok(HttpResponse {
        status,
        location,
        body: body.to_owned(),
    })
}
