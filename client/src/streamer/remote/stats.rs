//! A remote session's figures: the server's counters as the Streamer's
//! stats, with the output rate the page itself decoded (`getStats()`).
//! The conversions are plain code, tested natively.

use framewise::wire::RemoteStats;
use wasm_bindgen::JsValue;

use crate::js;
use crate::protocol::WorkerStats;

/// The browser's own count of the processed video's frames (its
/// `inbound-rtp` stats), turned into a rate as samples come.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct ShownFrames {
    /// `(page time, frames decoded)` at the start of the current rate.
    last: Option<(f64, u64)>,
    /// Frames per second decoded on the page, once known.
    pub fps: Option<f64>,
    /// Frames the browser lost or dropped before showing them.
    pub dropped: u64,
}

impl ShownFrames {
    /// The shortest span a rate is measured over, ms.
    const MIN_SPAN_MS: f64 = 500.0;

    /// Takes the browser's totals at `now_ms`.
    pub fn sample(&mut self, now_ms: f64, decoded: u64, dropped: u64) {
        match self.last {
            Some((at, before)) if now_ms - at >= Self::MIN_SPAN_MS => {
                self.fps = Some(decoded.saturating_sub(before) as f64 * 1e3 / (now_ms - at));
                self.last = Some((now_ms, decoded));
            }
            Some(_) => {}
            None => self.last = Some((now_ms, decoded)),
        }
        self.dropped = dropped;
    }
}

/// The rates between the server's stats messages.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct ServerRates {
    /// `(page time, sent, decoded)` of the last stats.
    last: Option<(f64, u64, u64)>,
    /// Frames per second the server decoded.
    pub decoded_fps: f64,
    /// Frames per second the server sent.
    pub sent_fps: f64,
}

impl ServerRates {
    /// Takes the server's counters, arrived at `now_ms`.
    pub fn sample(&mut self, stats: &RemoteStats, now_ms: f64) {
        if let Some((at, sent, decoded)) = self.last {
            let seconds = (now_ms - at) / 1e3;
            if seconds > 0.0 {
                self.decoded_fps = stats.decoded.saturating_sub(decoded) as f64 / seconds;
                self.sent_fps = stats.sent.saturating_sub(sent) as f64 / seconds;
            }
        }
        self.last = Some((now_ms, stats.sent, stats.decoded));
    }
}

/// The server's counters as the Streamer's stats fields, with the rates
/// measured on the page: `input_fps` from the server's decoded count,
/// `output_fps` from the frames the page itself decoded (the server's sent
/// rate until that is known); the page's own drops count as dropped.
pub fn worker_stats(remote: &RemoteStats, rates: &ServerRates, shown: &ShownFrames) -> WorkerStats {
    WorkerStats {
        frames: remote.sent,
        received: remote.decoded,
        dropped: remote.dropped + shown.dropped,
        input_fps: rates.decoded_fps,
        output_fps: shown.fps.unwrap_or(rates.sent_fps),
        process_ms_p50: remote.process_ms_p50,
        process_ms_p95: remote.process_ms_p95,
        total_ms_p50: remote.decode_ms_p50 + remote.process_ms_p50 + remote.encode_ms_p50,
        total_ms_p95: remote.decode_ms_p50 + remote.process_ms_p95 + remote.encode_ms_p50,
        width: remote.width,
        height: remote.height,
        format: "VP8".into(),
        conversion: "WebRTC (server decodes, processes, encodes)".into(),
        ..WorkerStats::default()
    }
}

/// `(framesDecoded, framesDropped)` of the peer connection's incoming
/// video, from `getStats()`.
pub async fn inbound_video_frames(pc: &JsValue) -> Option<(u64, u64)> {
    let report = js::call_async(pc, "getStats", &[]).await.ok()?;
    let entries = js::call(&report, "values", &[]).ok()?;
    js_sys::Array::from(&entries).iter().find_map(|entry| {
        let text = |name| js::get_string(&entry, name);
        let video_in = text("type").as_deref() == Some("inbound-rtp")
            && text("kind").as_deref() == Some("video");
        let count = |name| js::get_f64(&entry, name).map_or(0, |v| v.max(0.0) as u64);
        video_in.then(|| (count("framesDecoded"), count("framesDropped")))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn remote_counters_become_stream_stats() {
        let remote = RemoteStats {
            decoded: 10,
            sent: 9,
            dropped: 1,
            decode_ms_p50: 1.0,
            process_ms_p50: 2.0,
            process_ms_p95: 3.0,
            encode_ms_p50: 4.0,
            width: 640,
            height: 480,
            ..RemoteStats::default()
        };
        let mut rates = ServerRates::default();
        rates.sample(&remote, 0.0);
        let later = RemoteStats {
            decoded: 40,
            sent: 38,
            ..remote.clone()
        };
        rates.sample(&later, 1_000.0);
        assert_eq!((rates.decoded_fps, rates.sent_fps), (30.0, 29.0));

        let mut shown = ShownFrames::default();
        let stats = worker_stats(&remote, &rates, &shown);
        assert_eq!((stats.frames, stats.received, stats.dropped), (9, 10, 1));
        assert_eq!((stats.total_ms_p50, stats.total_ms_p95), (7.0, 8.0));
        assert_eq!((stats.input_fps, stats.output_fps), (30.0, 29.0));

        // Once the page counts its own frames, those win.
        shown.sample(1000.0, 100, 2);
        shown.sample(1200.0, 106, 2);
        assert_eq!(shown.fps, None, "under half a second is no rate");
        shown.sample(2000.0, 124, 5);
        let stats = worker_stats(&remote, &rates, &shown);
        assert_eq!(stats.output_fps, 24.0);
        assert_eq!(stats.dropped, 1 + 5);
    }
}
