//! The `framewise-server` binary as it is deployed: a session over real
//! HTTP and WebRTC on 127.0.0.1, then SIGTERM ends the session and the
//! process cleanly.

#![cfg(unix)]
#![allow(clippy::unwrap_used)]

mod common;

use std::io::{Read, Write};
use std::net::{Ipv4Addr, SocketAddr, TcpListener, TcpStream};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use framewise::wire::SessionAnswer;

use common::{peer, send_frames};

/// One HTTP/1.1 request on a fresh connection; returns the status and the
/// body.
fn http(
    address: SocketAddr,
    method: &str,
    path: &str,
    body: &str,
) -> std::io::Result<(u16, String)> {
    let mut stream = TcpStream::connect(address)?;
    stream.set_read_timeout(Some(Duration::from_secs(10)))?;
    write!(
        stream,
        "{method} {path} HTTP/1.1\r\nHost: {address}\r\nContent-Type: application/json\r\n\
         Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )?;
    let mut response = String::new();
    stream.read_to_string(&mut response)?;
    let status = response
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    let body = response
        .split_once("\r\n\r\n")
        .map(|(_, body)| body.to_owned())
        .unwrap_or_default();
    Ok((status, body))
}

/// The binary on a free 127.0.0.1 port, once `/healthz` answers.
fn start_server() -> (Child, SocketAddr) {
    let address = TcpListener::bind((Ipv4Addr::LOCALHOST, 0))
        .unwrap()
        .local_addr()
        .unwrap();
    let child = Command::new(env!("CARGO_BIN_EXE_framewise-server"))
        .args(["--listen", &address.to_string()])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let started = Instant::now();
    while !matches!(http(address, "GET", "/healthz", ""), Ok((200, _))) {
        assert!(
            started.elapsed() < Duration::from_secs(15),
            "framewise-server did not answer /healthz"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    (child, address)
}

/// Waits for `child` to exit, up to `limit`.
fn wait_exit(child: &mut Child, limit: Duration) -> Option<std::process::ExitStatus> {
    let started = Instant::now();
    while started.elapsed() < limit {
        if let Ok(Some(status)) = child.try_wait() {
            return Some(status);
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    None
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_ends_the_running_sessions_then_the_server() {
    let (mut child, address) = start_server();
    let mut peer = peer().await;
    let offer = peer.offer().await.unwrap();
    let request = serde_json::json!({"sdp": offer, "processor": "invert", "params": {}});
    let (status, body) = http(address, "POST", "/api/sessions", &request.to_string()).unwrap();
    assert_eq!(status, 201, "{body}");
    let answer: SessionAnswer = serde_json::from_str(&body).unwrap();
    peer.accept(answer.sdp).await.unwrap();
    send_frames(&peer, 0, 30).await;
    assert!(!peer.frames().is_empty(), "no processed video came back");
    let (_, health) = http(address, "GET", "/healthz", "").unwrap();
    assert!(health.contains("\"sessions\":1"), "{health}");

    let killed = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    let exit = wait_exit(&mut child, Duration::from_secs(5));
    if exit.is_none() {
        let _ = child.kill();
    }
    let mut log = String::new();
    if let Some(mut stdout) = child.stdout.take() {
        let _ = stdout.read_to_string(&mut log);
    }
    println!("{log}");
    let exit = exit.expect("the server was still running 5 s after SIGTERM");
    assert!(exit.success(), "the server exited with {exit}");
    let shutdown = log
        .find("ending every session")
        .expect("no shutdown in the log");
    assert!(
        log[shutdown..].contains("session ended"),
        "the session did not end before the server exited: {log}"
    );
    assert!(
        http(address, "GET", "/healthz", "").is_err(),
        "the port still answers"
    );
    peer.close().await;
}
