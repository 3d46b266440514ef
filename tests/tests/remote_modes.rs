//! Stream modes with remote placement: send-only offers the camera
//! `sendonly`, and `framewise-server` answers `recvonly`, adds no video
//! track and encodes nothing; the results still reach the page.

use std::time::Duration;

use framewise_e2e::camera::{camera_browser, settled_state, wait_for_stats};
use framewise_e2e::dist_dir;
use framewise_e2e::server::ServerProcess;
use serde_json::json;

/// Chromium gathers loopback candidates only with this flag.
const LOOPBACK: &str = "--allow-loopback-in-peer-connection";

/// Keeps the SDP offer the page sends and the answer it gets
/// (`window.__fwOffer`, `window.__fwAnswer`).
const SDP_SPY: &str = r#"
(() => {
  const proto = window.RTCPeerConnection && window.RTCPeerConnection.prototype;
  if (!proto) return;
  const setLocal = proto.setLocalDescription;
  proto.setLocalDescription = function (description) {
    if (description && description.sdp) window.__fwOffer = description.sdp;
    return setLocal.apply(this, arguments);
  };
  const setRemote = proto.setRemoteDescription;
  proto.setRemoteDescription = function (description) {
    window.__fwAnswer = description.sdp;
    window.__fwPeer = this;
    return setRemote.apply(this, arguments);
  };
})();
"#;

/// The direction attribute of the video section of `sdp`.
fn video_direction(sdp: &str) -> Option<&str> {
    let video = sdp.split("m=").find(|m| m.starts_with("video"))?;
    ["sendrecv", "sendonly", "recvonly", "inactive"]
        .into_iter()
        .find(|d| video.lines().any(|l| l.trim() == format!("a={d}")))
}

#[test]
#[ignore = "needs builds of www/ and framewise-server, Chromium and ChromeDriver; `cargo xtask test` runs it"]
fn send_only_on_the_server_gives_results_and_no_video_back() {
    let server =
        ServerProcess::start(&dist_dir().expect("no demo build"), &[]).expect("framewise-server");
    let browser = camera_browser(&[SDP_SPY], &[LOOPBACK]);
    browser
        .goto(&server.url("/?processor=frame-stats&stream=sendonly&placement=remote&autostart=1"))
        .expect("loading the page");
    assert_eq!(settled_state(&browser), "playing");
    browser
        .wait_for(
            "const r = document.querySelector('pre.results'); \
             return r && r.textContent.includes('mean') ? true : null",
            Duration::from_secs(20),
        )
        .expect("no results from the server reached the page");
    let stats = wait_for_stats(&browser, 30);
    println!("stats: {stats}");
    assert_eq!(stats["runs_at"], "remote", "{stats}");
    assert_eq!(server.sessions().expect("the server's sessions"), 1);

    let sdp = browser
        .execute(
            "const v = document.querySelector('video.fw-output'); \
             const s = v && v.srcObject; \
             return {offer: window.__fwOffer, answer: window.__fwAnswer, \
                     received: window.__fwPeer.getReceivers() \
                       .filter(r => r.track && r.track.kind === 'video' && r.track.readyState === 'live' \
                                    && !r.track.muted).length, \
                     shown: s ? s.getVideoTracks().length : 0}",
            &[],
        )
        .expect("reading the SDP");
    let (offer, answer) = (
        sdp["offer"].as_str().unwrap_or_default(),
        sdp["answer"].as_str().unwrap_or_default(),
    );
    assert_eq!(
        video_direction(offer),
        Some("sendonly"),
        "the offer: {offer}"
    );
    assert_eq!(
        video_direction(answer),
        Some("recvonly"),
        "the answer: {answer}"
    );
    assert_eq!(
        json!([sdp["received"], sdp["shown"]]),
        json!([0, 0]),
        "video came back"
    );
}
