//! The duration a browser's WebM recording lacks. MediaRecorder writes a
//! live stream: a Segment and Clusters of unknown size and an Info with no
//! Duration, so a player shows no length and cannot seek well. This reads
//! the block timestamps and writes a Duration into Info. Plain bytes in,
//! bytes out: no browser here.

/// EBML element ids this reads.
mod id {
    pub const SEGMENT: u32 = 0x1853_8067;
    pub const SEEK_HEAD: u32 = 0x114D_9B74;
    pub const INFO: u32 = 0x1549_A966;
    pub const TIMECODE_SCALE: u32 = 0x2A_D7B1;
    pub const DURATION: u32 = 0x4489;
    pub const CLUSTER: u32 = 0x1F43_B675;
    pub const CUES: u32 = 0x1C53_BB6B;
    pub const TIMECODE: u32 = 0xE7;
    pub const SIMPLE_BLOCK: u32 = 0xA3;
    pub const BLOCK_GROUP: u32 = 0xA0;
    pub const BLOCK: u32 = 0xA1;
    pub const BLOCK_DURATION: u32 = 0x9B;
    /// What a Cluster holds besides blocks.
    pub const CLUSTER_OTHERS: [u32; 3] = [0xA7, 0xAB, 0xBF];
}

/// Why a recording's duration could not be written.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WebmError {
    /// The bytes are not WebM/Matroska as a browser writes it.
    #[error("the recording is not a WebM file: {0}")]
    Malformed(&'static str),
    /// Positions recorded in the file would move (a SeekHead or Cues).
    #[error("the recording has an index (SeekHead or Cues) that would need rewriting")]
    Indexed,
    /// No block carries a timestamp.
    #[error("the recording holds no frames")]
    Empty,
}

/// `recording` with its Duration written into Info, and that duration in
/// milliseconds: the last block's end (its time plus its track's mean
/// frame gap).
pub fn with_duration(recording: &[u8]) -> Result<(Vec<u8>, f64), WebmError> {
    let layout = Layout::read(recording)?;
    let duration_ticks = layout.blocks.end().ok_or(WebmError::Empty)?;
    let info = &recording[layout.info.data.clone()];
    let mut body = Vec::with_capacity(info.len() + 11);
    for child in Children::new(info, 0) {
        let child = child?;
        if child.id != id::DURATION {
            body.extend_from_slice(&info[child.whole.clone()]);
        }
    }
    put_id(&mut body, id::DURATION);
    put_size(&mut body, 8);
    body.extend_from_slice(&(duration_ticks as f64).to_be_bytes());

    let mut info_element = Vec::with_capacity(body.len() + 12);
    put_id(&mut info_element, id::INFO);
    put_size(&mut info_element, body.len() as u64);
    info_element.extend_from_slice(&body);

    let mut out = Vec::with_capacity(recording.len() + 16);
    out.extend_from_slice(&recording[..layout.segment.header.start]);
    put_id(&mut out, id::SEGMENT);
    match layout.segment.size {
        Some(size) => {
            let grown = size as i64 + info_element.len() as i64 - layout.info.whole.len() as i64;
            put_size(&mut out, grown.max(0) as u64);
        }
        None => out.extend_from_slice(UNKNOWN_SIZE),
    }
    out.extend_from_slice(&recording[layout.segment.data.start..layout.info.whole.start]);
    out.extend_from_slice(&info_element);
    out.extend_from_slice(&recording[layout.info.whole.end..]);
    let millis = duration_ticks as f64 * layout.timecode_scale as f64 / 1e6;
    Ok((out, millis))
}

/// The 8-byte "unknown size" a live writer puts on the Segment.
const UNKNOWN_SIZE: &[u8] = &[0x01, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF];

/// Where a recording's parts are.
struct Layout {
    segment: Element,
    info: Element,
    /// Nanoseconds per timestamp tick.
    timecode_scale: u64,
    blocks: Blocks,
}

impl Layout {
    fn read(bytes: &[u8]) -> Result<Self, WebmError> {
        let header = Element::read(bytes, 0)?.ok_or(WebmError::Malformed("it is empty"))?;
        if header.id != 0x1A45_DFA3 {
            return Err(WebmError::Malformed("no EBML header"));
        }
        let segment = Element::read(bytes, header.whole.end)?
            .filter(|e| e.id == id::SEGMENT)
            .ok_or(WebmError::Malformed("no Segment after the header"))?;
        let end = segment.data.end.min(bytes.len());
        let (mut info, mut blocks) = (None, Blocks::default());
        let mut at = segment.data.start;
        while let Some(element) = Element::read(&bytes[..end], at)? {
            match element.id {
                id::SEEK_HEAD | id::CUES => return Err(WebmError::Indexed),
                id::INFO => info = Some(element.clone()),
                id::CLUSTER => {
                    at = read_cluster(&bytes[..end], &element, &mut blocks)?;
                    continue;
                }
                _ if element.size.is_none() => {
                    return Err(WebmError::Malformed("an element of unknown size"))
                }
                _ => {}
            }
            at = element.whole.end;
        }
        let info = info.ok_or(WebmError::Malformed("no Info"))?;
        let mut timecode_scale = 1_000_000;
        for child in Children::new(&bytes[info.data.clone()], 0) {
            let child = child?;
            if child.id == id::TIMECODE_SCALE {
                timecode_scale = uint(&bytes[info.data.start..][child.data.clone()])?;
            }
        }
        Ok(Self {
            segment,
            info,
            timecode_scale,
            blocks,
        })
    }
}

/// Reads a Cluster's blocks into `blocks`; returns where the next
/// Segment child starts (for a Cluster of unknown size: at the first
/// element that is not a Cluster's).
fn read_cluster(bytes: &[u8], cluster: &Element, blocks: &mut Blocks) -> Result<usize, WebmError> {
    let end = cluster.data.end.min(bytes.len());
    let mut cluster_time = 0i64;
    let mut at = cluster.data.start;
    while let Some(child) = Element::read(&bytes[..end], at)? {
        let data = &bytes[child.data.clone()];
        match child.id {
            id::TIMECODE => cluster_time = uint(data)? as i64,
            id::SIMPLE_BLOCK => blocks.add(block(data, cluster_time)?, None),
            id::BLOCK_GROUP => {
                let (mut found, mut duration) = (None, None);
                for part in Children::new(data, 0) {
                    let part = part?;
                    match part.id {
                        id::BLOCK => found = Some(block(&data[part.data.clone()], cluster_time)?),
                        id::BLOCK_DURATION => duration = Some(uint(&data[part.data.clone()])?),
                        _ => {}
                    }
                }
                if let Some(found) = found {
                    blocks.add(found, duration);
                }
            }
            other if id::CLUSTER_OTHERS.contains(&other) => {}
            // The next Cluster (or Cues, Tags…) ends one of unknown size.
            _ if cluster.size.is_none() => return Ok(at),
            _ => {}
        }
        at = child.whole.end;
    }
    Ok(end)
}

/// A block's track and absolute time in ticks.
fn block(data: &[u8], cluster_time: i64) -> Result<(u64, i64), WebmError> {
    let (track, width) = vint(data, 0)?.ok_or(WebmError::Malformed("a block without a track"))?;
    let relative = data
        .get(width..width + 2)
        .ok_or(WebmError::Malformed("a block without a timestamp"))?;
    let relative = i16::from_be_bytes([relative[0], relative[1]]);
    Ok((
        track.ok_or(WebmError::Malformed("a block's track"))?,
        cluster_time + i64::from(relative),
    ))
}

/// The timestamps seen, per track.
#[derive(Default)]
struct Blocks {
    tracks: Vec<TrackTimes>,
}

/// One track's first and last block time, its block count and the last
/// block's BlockDuration.
struct TrackTimes {
    track: u64,
    first: i64,
    last: i64,
    count: i64,
    last_duration: Option<u64>,
}

impl Blocks {
    fn add(&mut self, (track, time): (u64, i64), duration: Option<u64>) {
        if let Some(t) = self.tracks.iter_mut().find(|t| t.track == track) {
            t.first = t.first.min(time);
            t.last = t.last.max(time);
            t.count += 1;
            t.last_duration = duration;
        } else if self.tracks.len() < 64 {
            // A file has a handful of tracks; a damaged one is not let to
            // grow this.
            self.tracks.push(TrackTimes {
                track,
                first: time,
                last: time,
                count: 1,
                last_duration: duration,
            });
        }
    }

    /// The last block's end over all tracks, in ticks: its time plus its
    /// BlockDuration or else its track's mean gap.
    fn end(&self) -> Option<i64> {
        self.tracks
            .iter()
            .map(|t| {
                let gap = match t.last_duration {
                    Some(d) => d as i64,
                    None if t.count > 1 => (t.last - t.first) / (t.count - 1),
                    None => 0,
                };
                t.last + gap
            })
            .max()
    }
}

/// One element: its id, its size (`None`: unknown) and where its header,
/// data and whole span lie.
#[derive(Debug, Clone)]
struct Element {
    id: u32,
    size: Option<u64>,
    header: std::ops::Range<usize>,
    data: std::ops::Range<usize>,
    whole: std::ops::Range<usize>,
}

impl Element {
    /// The element at `at`, or `None` at the end of `bytes`. An element of
    /// unknown size runs to the end of `bytes` (its reader finds its end).
    /// A truncated last element ends at the end of `bytes`.
    fn read(bytes: &[u8], at: usize) -> Result<Option<Self>, WebmError> {
        if at >= bytes.len() {
            return Ok(None);
        }
        let first = bytes[at];
        let id_width = first.leading_zeros() as usize + 1;
        if id_width > 4 || at + id_width > bytes.len() {
            return Err(WebmError::Malformed("a bad element id"));
        }
        let id = bytes[at..at + id_width]
            .iter()
            .fold(0u32, |v, &b| v << 8 | u32::from(b));
        let (size, size_width) =
            vint(bytes, at + id_width)?.ok_or(WebmError::Malformed("an element without a size"))?;
        let start = at + id_width + size_width;
        let end = match size {
            Some(size) => start
                .saturating_add(usize::try_from(size).unwrap_or(usize::MAX))
                .min(bytes.len()),
            None => bytes.len(),
        };
        Ok(Some(Self {
            id,
            size,
            header: at..start,
            data: start..end,
            whole: at..end,
        }))
    }
}

/// The elements in `bytes` from `at` on.
struct Children<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl<'a> Children<'a> {
    fn new(bytes: &'a [u8], at: usize) -> Self {
        Self { bytes, at }
    }
}

impl Iterator for Children<'_> {
    type Item = Result<Element, WebmError>;

    fn next(&mut self) -> Option<Self::Item> {
        match Element::read(self.bytes, self.at) {
            Ok(Some(element)) => {
                self.at = element.whole.end;
                Some(Ok(element))
            }
            Ok(None) => None,
            Err(error) => {
                self.at = self.bytes.len();
                Some(Err(error))
            }
        }
    }
}

/// A variable-length size at `at`: its value (`None`: all ones, unknown)
/// and its width; `None` at the end of `bytes`.
fn vint(bytes: &[u8], at: usize) -> Result<Option<(Option<u64>, usize)>, WebmError> {
    let Some(&first) = bytes.get(at) else {
        return Ok(None);
    };
    let width = first.leading_zeros() as usize + 1;
    if width > 8 || at + width > bytes.len() {
        return Err(WebmError::Malformed("a bad size"));
    }
    let marker_off = if width == 8 {
        0
    } else {
        first & (0xFF >> width)
    };
    let value = bytes[at + 1..at + width]
        .iter()
        .fold(u64::from(marker_off), |v, &b| v << 8 | u64::from(b));
    let all_ones = (1u64 << (7 * width)) - 1;
    Ok(Some(((value != all_ones).then_some(value), width)))
}

/// A big-endian unsigned integer element's value.
fn uint(data: &[u8]) -> Result<u64, WebmError> {
    if data.len() > 8 {
        return Err(WebmError::Malformed("an integer wider than 8 bytes"));
    }
    Ok(data.iter().fold(0u64, |v, &b| v << 8 | u64::from(b)))
}

fn put_id(out: &mut Vec<u8>, id: u32) {
    let bytes = id.to_be_bytes();
    let skip = bytes.iter().take_while(|&&b| b == 0).count();
    out.extend_from_slice(&bytes[skip..]);
}

/// `size` in the shortest width that is not all ones.
fn put_size(out: &mut Vec<u8>, size: u64) {
    let width = (1..=8).find(|&w| size < (1u64 << (7 * w)) - 1).unwrap_or(8);
    let marked = size | 1u64 << (7 * width);
    out.extend_from_slice(&marked.to_be_bytes()[8 - width..]);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn element(id: u32, body: &[u8]) -> Vec<u8> {
        let mut out = Vec::new();
        put_id(&mut out, id);
        put_size(&mut out, body.len() as u64);
        out.extend_from_slice(body);
        out
    }

    fn unknown(id: u32, body: &[u8]) -> Vec<u8> {
        let mut out = Vec::new();
        put_id(&mut out, id);
        out.extend_from_slice(UNKNOWN_SIZE);
        out.extend_from_slice(body);
        out
    }

    fn simple_block(track: u8, relative: i16) -> Vec<u8> {
        let mut body = vec![0x80 | track];
        body.extend_from_slice(&relative.to_be_bytes());
        body.extend_from_slice(&[0x80, 1, 2, 3]);
        element(id::SIMPLE_BLOCK, &body)
    }

    fn cluster(time: u8, blocks: &[(u8, i16)], known_size: bool) -> Vec<u8> {
        let mut body = element(id::TIMECODE, &[time]);
        for &(track, relative) in blocks {
            body.extend(simple_block(track, relative));
        }
        if known_size {
            element(id::CLUSTER, &body)
        } else {
            unknown(id::CLUSTER, &body)
        }
    }

    /// A recording as MediaRecorder lays it out: an unknown-size Segment,
    /// Info without Duration, Tracks, unknown-size Clusters.
    fn recording(known_clusters: bool) -> Vec<u8> {
        let mut file = element(0x1A45_DFA3, &element(0x4282, b"webm"));
        let mut segment = element(
            id::INFO,
            &[
                element(id::TIMECODE_SCALE, &[0x0F, 0x42, 0x40]),
                element(0x4D80, b"Chrome"),
            ]
            .concat(),
        );
        segment.extend(element(0x1654_AE6B, &element(0xAE, &[0xD7, 0x81, 0x01])));
        // Video every 33 ticks (ms) from 0 to 198, audio every 20.
        segment.extend(cluster(
            0,
            &[(1, 0), (2, 0), (1, 33), (2, 20), (1, 66)],
            known_clusters,
        ));
        segment.extend(cluster(
            99,
            &[(1, 0), (1, 33), (2, 1), (1, 66), (1, 99)],
            known_clusters,
        ));
        file.extend(unknown(id::SEGMENT, &segment));
        file
    }

    fn duration_in(file: &[u8]) -> Option<f64> {
        let layout = Layout::read(file).expect("a readable file");
        Children::new(&file[layout.info.data.clone()], 0)
            .map(|c| c.expect("an Info child"))
            .find(|c| c.id == id::DURATION)
            .map(|c| {
                let data = &file[layout.info.data.start..][c.data.clone()];
                f64::from_be_bytes(data.try_into().expect("8 bytes"))
            })
    }

    #[test]
    fn a_live_recording_gets_the_last_frame_end_as_its_duration() {
        for known in [false, true] {
            let original = recording(known);
            assert_eq!(duration_in(&original), None);
            let (fixed, millis) = with_duration(&original).expect("fixed");
            // The last video frame is at 99 + 99 = 198 ms; frames are 33 ms
            // apart; audio ends earlier.
            assert_eq!(millis, 231.0);
            assert_eq!(duration_in(&fixed), Some(231.0));
            // Nothing else moved: the blocks read the same.
            let layout = Layout::read(&fixed).expect("the fixed file reads");
            assert_eq!(layout.blocks.end(), Some(231));
            assert_eq!(fixed.len(), original.len() + 11);
        }
    }

    #[test]
    fn an_existing_duration_is_replaced_and_a_known_segment_size_grows() {
        let info = element(
            id::INFO,
            &[
                element(id::DURATION, &5.0f64.to_be_bytes()),
                element(0x4D80, b"x"),
            ]
            .concat(),
        );
        let body = [info, cluster(0, &[(1, 0), (1, 40), (1, 80)], true)].concat();
        let file = [element(0x1A45_DFA3, &[]), element(id::SEGMENT, &body)].concat();
        let (fixed, millis) = with_duration(&file).expect("fixed");
        assert_eq!(millis, 120.0);
        assert_eq!(duration_in(&fixed), Some(120.0));
        let layout = Layout::read(&fixed).expect("readable");
        assert_eq!(
            layout.segment.data.end,
            fixed.len(),
            "the segment size covers the file"
        );
    }

    #[test]
    fn a_block_duration_ends_its_track() {
        let mut group = element(id::BLOCK, &[0x81, 0, 10, 0x80, 9]);
        group.extend(element(id::BLOCK_DURATION, &[50]));
        let clusters = [
            element(id::TIMECODE, &[0]),
            element(id::BLOCK_GROUP, &group),
        ]
        .concat();
        let body = [element(id::INFO, &[]), element(id::CLUSTER, &clusters)].concat();
        let file = [element(0x1A45_DFA3, &[]), unknown(id::SEGMENT, &body)].concat();
        assert_eq!(with_duration(&file).expect("fixed").1, 60.0);
    }

    #[test]
    fn bad_files_are_refused_not_mangled() {
        assert!(matches!(with_duration(&[]), Err(WebmError::Malformed(_))));
        assert!(matches!(
            with_duration(b"RIFF\x00\x00\x00\x00WAVE"),
            Err(WebmError::Malformed(_))
        ));
        let no_frames = [
            element(0x1A45_DFA3, &[]),
            unknown(id::SEGMENT, &element(id::INFO, &[])),
        ]
        .concat();
        assert_eq!(with_duration(&no_frames), Err(WebmError::Empty));
        let indexed = [
            element(0x1A45_DFA3, &[]),
            unknown(
                id::SEGMENT,
                &[element(id::SEEK_HEAD, &[]), element(id::INFO, &[])].concat(),
            ),
        ]
        .concat();
        assert_eq!(with_duration(&indexed), Err(WebmError::Indexed));
        // Cut anywhere, a recording never panics the reader.
        let whole = recording(false);
        for cut in 0..whole.len() {
            let _ = with_duration(&whole[..cut]);
        }
    }

    #[test]
    fn sizes_round_trip_in_the_shortest_width() {
        for size in [0u64, 1, 126, 127, 128, 16_382, 16_383, 1 << 40] {
            let mut out = Vec::new();
            put_size(&mut out, size);
            assert_eq!(
                vint(&out, 0).expect("readable"),
                Some((Some(size), out.len()))
            );
        }
        assert_eq!(vint(&[0xFF], 0).expect("readable"), Some((None, 1)));
        assert_eq!(vint(UNKNOWN_SIZE, 0).expect("readable"), Some((None, 8)));
    }
}
