//! The end of ICE gathering as a one-shot signal: signaling here is
//! non-trickle, so an offer or answer is sent once gathering completes (or
//! its wait runs out).

use std::sync::Mutex;

use tokio::sync::oneshot;
use webrtc::peer_connection::RTCIceGatheringState;

use crate::lock;

/// Fires its receiver when gathering completes; for a peer connection's
/// event handler.
pub struct GatheringDone(Mutex<Option<oneshot::Sender<()>>>);

impl GatheringDone {
    /// The signal and the receiver to wait on.
    pub fn new() -> (Self, oneshot::Receiver<()>) {
        let (done, wait) = oneshot::channel();
        (Self(Mutex::new(Some(done))), wait)
    }

    /// Takes a gathering state change; fires on `Complete`, once.
    pub fn on_state(&self, state: RTCIceGatheringState) {
        if state == RTCIceGatheringState::Complete {
            if let Some(done) = lock(&self.0).take() {
                let _ = done.send(());
            }
        }
    }
}
