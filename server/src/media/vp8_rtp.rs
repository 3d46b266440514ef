//! VP8 over RTP (RFC 7741), receiving side: strips each packet's payload
//! descriptor and joins the packets of one frame (same timestamp, from the
//! start-of-partition packet to the marker bit). A lost or reordered
//! packet drops the frame, and delta frames are skipped until the next
//! keyframe, which [`FrameAssembler::wants_keyframe`] asks the sender for.
//! Sans-IO: packets in, frames out.

/// The largest frame assembled; a bigger one is dropped (a 1080p keyframe
/// at a high bitrate is well under this).
pub const MAX_FRAME_BYTES: usize = 4 << 20;

/// One complete VP8 frame.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Vp8Frame {
    /// The compressed frame, ready for the decoder.
    pub data: Vec<u8>,
    /// The RTP timestamp (90 kHz) of its packets.
    pub rtp_timestamp: u32,
    /// Whether it is a keyframe.
    pub keyframe: bool,
}

/// A packet that is not VP8 over RTP.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("malformed VP8 RTP payload: {0}")]
pub struct RtpError(&'static str);

/// Where the payload descriptor ends and whether this packet starts a
/// frame (start of partition 0).
fn descriptor(payload: &[u8]) -> Result<(usize, bool), RtpError> {
    let first = *payload.first().ok_or(RtpError("empty payload"))?;
    let extended = first & 0x80 != 0;
    let start = first & 0x10 != 0 && first & 0x07 == 0;
    let mut at = 1;
    if extended {
        let flags = *payload.get(at).ok_or(RtpError("truncated extension"))?;
        at += 1;
        if flags & 0x80 != 0 {
            // PictureID: one byte, or two when its M bit is set.
            let id = *payload.get(at).ok_or(RtpError("truncated picture id"))?;
            at += if id & 0x80 != 0 { 2 } else { 1 };
        }
        if flags & 0x40 != 0 {
            at += 1; // TL0PICIDX
        }
        if flags & 0x30 != 0 {
            at += 1; // TID / Y / KEYIDX
        }
    }
    if at >= payload.len() {
        return Err(RtpError("no VP8 data after the descriptor"));
    }
    Ok((at, start))
}

/// Joins RTP packets into VP8 frames; see the [module docs](self).
#[derive(Debug)]
pub struct FrameAssembler {
    buffer: Vec<u8>,
    timestamp: u32,
    /// A frame is being collected and nothing of it was lost so far.
    collecting: bool,
    next_sequence: Option<u16>,
    /// Delta frames are skipped until a keyframe arrives.
    waiting_for_keyframe: bool,
    keyframe_request: bool,
    lost_frames: u64,
}

impl Default for FrameAssembler {
    fn default() -> Self {
        Self {
            buffer: Vec::new(),
            timestamp: 0,
            collecting: false,
            next_sequence: None,
            waiting_for_keyframe: true,
            keyframe_request: true,
            lost_frames: 0,
        }
    }
}

impl FrameAssembler {
    /// A fresh assembler: it waits for a keyframe (and asks for one).
    pub fn new() -> Self {
        Self::default()
    }

    /// Takes one RTP packet (its sequence number, timestamp, marker bit and
    /// payload); returns the frame it completes, if any.
    pub fn push(
        &mut self,
        sequence: u16,
        timestamp: u32,
        marker: bool,
        payload: &[u8],
    ) -> Result<Option<Vp8Frame>, RtpError> {
        let in_order = self.next_sequence.is_none_or(|next| next == sequence);
        self.next_sequence = Some(sequence.wrapping_add(1));
        if payload.is_empty() {
            // Padding (browsers send it to probe bandwidth): it only takes
            // a sequence number, between frames.
            return Ok(None);
        }
        let (at, start) = match descriptor(payload) {
            Ok(found) => found,
            Err(error) => {
                self.lose();
                return Err(error);
            }
        };
        if start {
            if self.collecting {
                // The previous frame never saw its marker.
                self.lose();
            }
            self.buffer.clear();
            self.timestamp = timestamp;
            self.collecting = true;
        } else if !self.collecting || !in_order || timestamp != self.timestamp {
            if self.collecting {
                self.lose();
            }
            return Ok(None);
        }
        if self.buffer.len() + payload.len() - at > MAX_FRAME_BYTES {
            self.lose();
            return Ok(None);
        }
        self.buffer.extend_from_slice(&payload[at..]);
        if !marker {
            return Ok(None);
        }
        self.collecting = false;
        let data = std::mem::take(&mut self.buffer);
        // The frame tag's lowest bit is 0 for a keyframe.
        let keyframe = data.first().is_some_and(|tag| tag & 0x01 == 0);
        if self.waiting_for_keyframe && !keyframe {
            return Ok(None);
        }
        self.waiting_for_keyframe = false;
        Ok(Some(Vp8Frame {
            data,
            rtp_timestamp: timestamp,
            keyframe,
        }))
    }

    /// Whether the sender should be asked for a keyframe (a frame was lost
    /// or none came yet); asking again is up to the caller's pacing. Reading
    /// clears the request.
    pub fn wants_keyframe(&mut self) -> bool {
        std::mem::take(&mut self.keyframe_request)
    }

    /// Frames dropped because packets were lost, malformed or too many.
    pub fn lost_frames(&self) -> u64 {
        self.lost_frames
    }

    fn lose(&mut self) {
        self.collecting = false;
        self.buffer.clear();
        self.lost_frames += 1;
        self.waiting_for_keyframe = true;
        self.keyframe_request = true;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A minimal descriptor (S bit as asked) followed by `data`.
    fn packet(start: bool, data: &[u8]) -> Vec<u8> {
        let mut out = vec![if start { 0x10 } else { 0x00 }];
        out.extend_from_slice(data);
        out
    }

    const KEY: u8 = 0x00;
    const DELTA: u8 = 0x01;

    #[test]
    fn packets_of_a_frame_are_joined_until_the_marker() {
        let mut a = FrameAssembler::new();
        assert!(a.wants_keyframe());
        assert_eq!(a.push(10, 900, false, &packet(true, &[KEY, 1])), Ok(None));
        let frame = a.push(11, 900, true, &packet(false, &[2, 3])).unwrap();
        assert_eq!(
            frame,
            Some(Vp8Frame {
                data: vec![KEY, 1, 2, 3],
                rtp_timestamp: 900,
                keyframe: true
            })
        );
        let next = a.push(12, 3900, true, &packet(true, &[DELTA, 9])).unwrap();
        assert_eq!(
            next.map(|f| (f.keyframe, f.data)),
            Some((false, vec![DELTA, 9]))
        );
        assert!(!a.wants_keyframe());
    }

    #[test]
    fn a_lost_packet_drops_the_frame_and_waits_for_a_keyframe() {
        let mut a = FrameAssembler::new();
        a.wants_keyframe();
        assert!(a.push(1, 0, true, &packet(true, &[KEY])).unwrap().is_some());
        assert_eq!(a.push(2, 3000, false, &packet(true, &[DELTA, 1])), Ok(None));
        // Sequence 3 is lost.
        assert_eq!(a.push(4, 3000, true, &packet(false, &[2])), Ok(None));
        assert_eq!(a.lost_frames(), 1);
        assert!(a.wants_keyframe());
        // A whole delta frame is still skipped: it needs the lost one.
        assert_eq!(a.push(5, 6000, true, &packet(true, &[DELTA])), Ok(None));
        let key = a.push(6, 9000, true, &packet(true, &[KEY, 7])).unwrap();
        assert_eq!(key.map(|f| f.keyframe), Some(true));
    }

    #[test]
    fn descriptors_with_extensions_are_skipped() {
        // X=1, S=1; I, L, T set; 2-byte picture id; TL0PICIDX; TID byte.
        let payload = [0x90, 0xE0, 0x80 | 0x12, 0x34, 0x05, 0x40, KEY, 0xAA];
        let mut a = FrameAssembler::new();
        let frame = a.push(1, 0, true, &payload).unwrap();
        assert_eq!(frame.map(|f| f.data), Some(vec![KEY, 0xAA]));
        // One-byte picture id, no other fields.
        let payload = [0x90, 0x80, 0x12, KEY, 0xBB];
        let frame = a.push(2, 10, true, &payload).unwrap();
        assert_eq!(frame.map(|f| f.data), Some(vec![KEY, 0xBB]));
    }

    #[test]
    fn padding_between_frames_loses_nothing() {
        let mut a = FrameAssembler::new();
        assert!(a.push(1, 0, true, &packet(true, &[KEY])).unwrap().is_some());
        assert_eq!(a.push(2, 0, false, &[]), Ok(None));
        assert_eq!(a.push(3, 0, false, &[]), Ok(None));
        let next = a.push(4, 3000, true, &packet(true, &[DELTA])).unwrap();
        assert!(next.is_some());
        assert_eq!(a.lost_frames(), 0);
    }

    #[test]
    fn malformed_payloads_are_errors() {
        let mut a = FrameAssembler::new();
        assert!(a.push(2, 0, true, &[0x90]).is_err());
        assert!(a.push(3, 0, true, &[0x10]).is_err());
        assert!(a.push(4, 0, true, &[0x90, 0x80, 0x92]).is_err());
        // And the next good keyframe still comes through.
        assert!(a.push(5, 0, true, &packet(true, &[KEY])).unwrap().is_some());
    }
}
