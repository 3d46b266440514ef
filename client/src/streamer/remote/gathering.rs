//! When the offer is complete enough to send: the server speaks ICE over
//! UDP only, so without STUN/TURN servers the UDP host candidates are all
//! it needs. The decision is plain code, tested natively.

use wasm_bindgen::JsValue;

use crate::js;

/// The longest wait for ICE candidates before the offer is sent.
pub const GATHER_TIMEOUT_MS: i32 = 1000;

/// How long after the first UDP host candidate the offer waits for the
/// others (every interface's arrive together), without STUN/TURN servers.
pub const HOST_CANDIDATES_SETTLE_MS: f64 = 20.0;

/// Whether `sdp` has a UDP host candidate (`a=candidate:… udp … typ host`).
pub fn has_udp_host_candidate(sdp: &str) -> bool {
    sdp.lines().any(|line| {
        // a=candidate:FOUNDATION COMPONENT TRANSPORT PRIORITY ADDRESS PORT typ TYPE …
        let fields: Vec<&str> = line.split_whitespace().collect();
        fields
            .first()
            .is_some_and(|f| f.starts_with("a=candidate:"))
            && fields.get(2).is_some_and(|t| t.eq_ignore_ascii_case("udp"))
            && fields.get(6) == Some(&"typ")
            && fields.get(7) == Some(&"host")
    })
}

/// Whether the offer has every candidate the server can use. With
/// STUN/TURN servers configured the offer waits for gathering to complete
/// (their candidates come last), without them for the UDP host candidates
/// alone, [`HOST_CANDIDATES_SETTLE_MS`] after the first
/// (`udp_host_for_ms`), not for the TCP ones Chromium gathers ~100 ms
/// later.
pub fn offer_is_ready(
    complete: bool,
    uses_ice_servers: bool,
    udp_host_for_ms: Option<f64>,
) -> bool {
    complete
        || (!uses_ice_servers && udp_host_for_ms.is_some_and(|ms| ms >= HOST_CANDIDATES_SETTLE_MS))
}

/// Waits until the offer has the candidates the server can use
/// ([`offer_is_ready`]), at most [`GATHER_TIMEOUT_MS`].
pub async fn wait_for_gathering(pc: &JsValue, uses_ice_servers: bool) {
    let complete =
        || js::get_string(pc, "iceGatheringState").is_some_and(|state| state == "complete");
    let has_udp_host = || {
        js::get(pc, "localDescription")
            .ok()
            .and_then(|d| js::get_string(&d, "sdp"))
            .is_some_and(|sdp| has_udp_host_candidate(&sdp))
    };
    let started = js::now_ms();
    let mut udp_host_since = None;
    loop {
        let now = js::now_ms();
        if udp_host_since.is_none() && has_udp_host() {
            udp_host_since = Some(now);
        }
        let udp_host_for = udp_host_since.map(|since| now - since);
        if offer_is_ready(complete(), uses_ice_servers, udp_host_for)
            || now - started >= f64::from(GATHER_TIMEOUT_MS)
        {
            return;
        }
        js::sleep_ms(10).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_offer_goes_once_the_server_usable_candidates_are_in() {
        let sdp = "v=0\r\na=candidate:1 1 udp 2122260223 127.0.0.1 50000 typ host generation 0\r\n";
        assert!(has_udp_host_candidate(sdp));
        let tcp = "a=candidate:2 1 tcp 1518280447 127.0.0.1 9 typ host tcptype active";
        assert!(!has_udp_host_candidate(tcp));
        let srflx = "a=candidate:3 1 udp 1686052607 203.0.113.5 50000 typ srflx raddr 0.0.0.0";
        assert!(!has_udp_host_candidate(srflx));
        assert!(!has_udp_host_candidate("v=0\r\ns=-\r\n"));

        // Without STUN/TURN: the UDP host candidates, once settled.
        assert!(!offer_is_ready(false, false, None));
        assert!(!offer_is_ready(false, false, Some(5.0)));
        assert!(offer_is_ready(
            false,
            false,
            Some(HOST_CANDIDATES_SETTLE_MS)
        ));
        // With them: only a complete gathering (bounded by the caller).
        assert!(!offer_is_ready(false, true, Some(500.0)));
        assert!(offer_is_ready(true, true, None));
    }
}
