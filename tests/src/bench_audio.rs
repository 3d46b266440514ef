//! The browser side of `cargo xtask bench audio`: the release demo runs
//! one built-in audio processor on a fake microphone that plays a click a
//! second ([`framewise::synth::clicks`]), in headless Chromium through
//! ChromeDriver, locally (the page from a static server) or on the server
//! (the page and `/api` from a release `framewise-server`,
//! `placement=remote`: the microphone as Opus and back over loopback).
//!
//! - `latency_ms`: the median, over a few seconds of clicks, of how much
//!   later a click reaches the page in the output `<video>`'s audio than
//!   in the raw microphone track, both read in the page by track
//!   processors of the test's own, each sample timed by its block's
//!   arrival ([`Arrivals::click_lags_ms`]; an AudioContext recorder would
//!   add 0 or 10 ms of its own to one track and not the other, by where
//!   its render clock met each track's first block). The same figure with no processor
//!   (the demo passing the microphone through) is the baseline that
//!   `cargo xtask bench audio` subtracts.
//! - `path`: which local audio path ran (`worker` where Chromium has
//!   audio track processors, `worklet` elsewhere), `remote` on the server.
//! - `underruns`, `underrun_ms`: locally in the audio worker, the blocks
//!   it reports late or lost (`data-audio-underruns`: processed and
//!   written after more time than they hold, or dropped by the browser
//!   before it read them) over `seconds` of running (`underrun_ms` is
//!   then null: a late block is not a known length of silence); in the
//!   worklet, what the processor's `AudioContext` reports in
//!   `playbackStats` (`underrunEvents`, `underrunDuration`): render
//!   quanta the audio thread did not deliver in time. Remotely there is
//!   no worklet:
//!   the figures are the received audio's `concealmentEvents` and
//!   concealed time (`concealedSamples` at its rate) from the page's
//!   `getStats()`, audio the jitter buffer had to make up.

use std::io;
use std::path::Path;
use std::time::Duration;

use serde_json::{json, Value};

use crate::audio::{Arrivals, CONTEXT_SPY};
use crate::camera::{wait_playing, SPY};
use crate::server::ServerProcess;
use crate::webdriver::Browser;
use crate::{fake_camera_flag, microphone_flag, StaticServer};

/// Seconds each processor runs for the underrun count, by default.
pub const DEFAULT_SECONDS: u64 = 60;

/// How long the clicks are recorded for the latency, in ms.
const RECORD_MS: u32 = 5_200;

/// The page's own AudioContexts' playback stats, summed:
/// `{events, ms, total_ms}` (null where Chromium has none).
const PLAYBACK: &str = r#"
const contexts = window.__fwContexts.filter((c) => !c.fwTest && c.state === 'running');
if (contexts.length === 0) return null;
if (!('playbackStats' in contexts[0])) return { missing: true };
let events = 0, ms = 0, total = 0;
for (const c of contexts) {
  const s = c.playbackStats;
  events += s.underrunEvents; ms += s.underrunDuration * 1000; total += s.totalDuration * 1000;
}
return { events, ms, total_ms: total };
"#;

/// The audio worker's late and lost blocks so far: `{events}`.
const WORKER_UNDERRUNS: &str = r#"
const root = document.querySelector('.fw-streamer');
return { events: Number(root.dataset.audioUnderruns || 0) };
"#;

/// Which local audio path runs (`data-audio-path`).
const AUDIO_PATH: &str = "return document.querySelector('.fw-streamer').dataset.audioPath || null";

/// Keeps the page's peer connections in `window.__fwPeers`.
const PEER_KEEPER: &str = r#"
(() => {
  window.__fwPeers = [];
  const Original = window.RTCPeerConnection;
  if (!Original) return;
  window.RTCPeerConnection = function (...args) {
    const pc = new Original(...args);
    window.__fwPeers.push(pc);
    return pc;
  };
  window.RTCPeerConnection.prototype = Original.prototype;
})();
"#;

/// The received audio's concealment, summed over the page's peer
/// connections: `{events, ms}`.
const CONCEALMENT: &str = r#"
let events = 0, ms = 0;
for (const pc of window.__fwPeers) {
  const report = await pc.getStats();
  report.forEach((s) => {
    if (s.type === 'inbound-rtp' && s.kind === 'audio') {
      events += s.concealmentEvents || 0;
      ms += 1000 * (s.concealedSamples || 0) / (s.clockRate || 48000);
    }
  });
}
return { events, ms };
"#;

/// Where a case runs.
pub enum Placement<'a> {
    /// In the page: the demo from a static server on `dist`.
    Local(&'a Path),
    /// On `server`, which serves the demo too.
    Remote(&'a ServerProcess),
}

fn error(message: String) -> io::Error {
    io::Error::other(message)
}

/// Runs `processor` (or, for `None`, the microphone passed through,
/// locally) where `placement` says and returns its row: `{processor,
/// placement, path, latency_ms, underruns, underrun_ms, seconds}`.
pub fn measure(placement: &Placement, processor: Option<&str>, seconds: u64) -> io::Result<Value> {
    let (static_server, remote) = match placement {
        Placement::Local(dist) => (Some(StaticServer::start(dist)?), None),
        Placement::Remote(server) => (None, Some(*server)),
    };
    let camera = fake_camera_flag()?;
    let clicks = framewise::synth::wav_of(&framewise::synth::clicks(48_000, 1.0, 1.0));
    let microphone = microphone_flag("clicks-1s", &clicks)?;
    let autoplay = "--autoplay-policy=no-user-gesture-required";
    let loopback = "--allow-loopback-in-peer-connection";
    let browser = Browser::start(&[&camera, &microphone, autoplay, loopback])?;
    for script in [SPY, CONTEXT_SPY, PEER_KEEPER] {
        browser.add_init_script(script)?;
    }
    let (where_, runs_at) = match remote {
        Some(_) => ("&placement=remote", "remote"),
        None => ("", "local"),
    };
    let query = match processor {
        Some(name) => format!("/?processor={name}&mode=camera&autostart=1{where_}"),
        None => "/?processor=passthrough&mode=camera&autostart=1&audio=1".to_owned(),
    };
    let url = match (&static_server, remote) {
        (Some(server), _) => server.url(&query),
        (None, Some(server)) => server.url(&query),
        (None, None) => unreachable!("a placement has a server"),
    };
    browser.goto(&url)?;
    wait_playing(&browser);
    if processor.is_some() {
        let script = format!(
            "const at = document.querySelector('.fw-streamer').dataset.audioRunsAt; \
             return at === '{runs_at}' ? at : null"
        );
        browser
            .wait_for(&script, Duration::from_secs(30))
            .map_err(|e| {
                error(format!(
                    "the audio processor did not start ({runs_at}): {e}"
                ))
            })?;
    }
    let path = match (remote, processor) {
        (Some(_), _) => Value::from("remote"),
        (None, None) => Value::Null,
        (None, Some(_)) => browser.execute(AUDIO_PATH, &[])?,
    };
    let lags = Arrivals::take(&browser, RECORD_MS).click_lags_ms();
    let latency =
        median(lags.clone()).ok_or_else(|| error("no click came through to the output".into()))?;
    let counter = match (remote, path.as_str()) {
        (Some(_), _) => CONCEALMENT,
        (None, Some("worker")) => WORKER_UNDERRUNS,
        (None, _) => PLAYBACK,
    };
    let (underruns, underrun_ms) = match processor {
        Some(_) => {
            let before = browser.execute(counter, &[])?;
            std::thread::sleep(Duration::from_secs(seconds));
            let after = browser.execute(counter, &[])?;
            if after.get("missing").is_some() || after.is_null() {
                return Err(error(format!(
                    "no playbackStats on the page's AudioContext: {after}"
                )));
            }
            let delta =
                |key: &str| Some(after[key].as_f64()? - before[key].as_f64().unwrap_or(0.0));
            (delta("events"), delta("ms"))
        }
        None => (None, None),
    };
    Ok(json!({
        "processor": processor.unwrap_or("none"),
        "placement": runs_at,
        "path": path,
        "latency_ms": latency,
        "click_lags_ms": lags,
        "underruns": underruns,
        "underrun_ms": underrun_ms,
        "seconds": processor.map(|_| seconds),
    }))
}

/// The median (`None` for no values).
fn median(mut values: Vec<f64>) -> Option<f64> {
    values.sort_by(f64::total_cmp);
    let n = values.len();
    match n {
        0 => None,
        _ if n % 2 == 1 => Some(values[n / 2]),
        _ => Some((values[n / 2 - 1] + values[n / 2]) / 2.0),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_median_of_nothing_is_none() {
        assert_eq!(median(vec![]), None);
        assert_eq!(median(vec![3.0, 1.0, 2.0]), Some(2.0));
        assert_eq!(median(vec![4.0, 1.0, 2.0, 3.0]), Some(2.5));
    }
}
