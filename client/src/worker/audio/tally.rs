//! The audio loop's bookkeeping, without browser calls: which blocks were
//! late or lost, and when results and counters are due to the page.

use crate::protocol::AudioCounts;

/// How often, at most, results go to the page (per second of audio).
pub const RESULT_POSTS_PER_SECOND: u32 = crate::worklet::RESULT_POSTS_PER_SECOND;

/// One block as the loop saw it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Block {
    /// The block's timestamp, µs.
    pub timestamp_us: f64,
    /// Samples per channel.
    pub frames: u32,
    /// Samples per second.
    pub sample_rate: u32,
    /// Wall time from reading the block to having written its output, ms.
    pub busy_ms: f64,
}

impl Block {
    fn duration_us(&self) -> f64 {
        f64::from(self.frames) * 1e6 / f64::from(self.sample_rate.max(1))
    }
}

/// What is due after a block.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Due {
    /// Post the results collected since the last post.
    pub results: bool,
    /// Post the counters.
    pub counts: bool,
}

/// Counts blocks, spots late and lost ones, and spaces the posts out by
/// audio time (a second of audio holds at most
/// [`RESULT_POSTS_PER_SECOND`] result posts and one counter post).
#[derive(Debug, Default)]
pub struct Tally {
    /// The counters so far.
    pub counts: AudioCounts,
    /// Where the next block should start, µs.
    next_us: Option<f64>,
    /// Audio since the last result post, µs.
    since_results_us: f64,
    /// Audio since the last counter post, µs.
    since_counts_us: f64,
}

impl Tally {
    /// Counts `block` and says what is due.
    pub fn block(&mut self, block: Block) -> Due {
        let duration = block.duration_us();
        self.counts.blocks += 1;
        if let Some(expected) = self.next_us {
            let gap = block.timestamp_us - expected;
            if gap > duration / 2.0 {
                self.counts.lost += (gap / duration).round().max(1.0) as u64;
            }
        }
        self.next_us = Some(block.timestamp_us + duration);
        if block.busy_ms * 1000.0 > duration {
            self.counts.late += 1;
        }
        self.since_results_us += duration;
        self.since_counts_us += duration;
        let mut due = Due::default();
        if self.since_results_us >= 1e6 / f64::from(RESULT_POSTS_PER_SECOND) {
            self.since_results_us = 0.0;
            due.results = true;
        }
        if self.since_counts_us >= 1e6 {
            self.since_counts_us = 0.0;
            due.counts = true;
        }
        due
    }

    /// Another microphone: its blocks start a new timeline.
    pub fn new_source(&mut self) {
        self.next_us = None;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn block(timestamp_ms: f64, busy_ms: f64) -> Block {
        Block {
            timestamp_us: timestamp_ms * 1000.0,
            frames: 480,
            sample_rate: 48_000,
            busy_ms,
        }
    }

    #[test]
    fn blocks_in_time_and_in_order_are_neither_late_nor_lost() {
        let mut tally = Tally::default();
        for i in 0..200 {
            tally.block(block(f64::from(i) * 10.0, 0.5));
        }
        assert_eq!(
            tally.counts,
            AudioCounts {
                blocks: 200,
                late: 0,
                lost: 0
            }
        );
    }

    #[test]
    fn a_gap_counts_the_blocks_missing_and_slow_blocks_are_late() {
        let mut tally = Tally::default();
        tally.block(block(0.0, 0.5));
        tally.block(block(10.0, 12.0));
        // 20 and 30 never came.
        tally.block(block(40.0, 0.5));
        // A little jitter in the timestamps is no loss.
        tally.block(block(50.4, 0.5));
        assert_eq!(tally.counts.late, 1);
        assert_eq!(tally.counts.lost, 2);
        assert_eq!(tally.counts.underruns(), 3);
        tally.new_source();
        tally.block(block(9_000.0, 0.5));
        assert_eq!(tally.counts.lost, 2, "a new microphone starts afresh");
    }

    #[test]
    fn posts_are_spaced_by_audio_time() {
        let mut tally = Tally::default();
        let dues: Vec<Due> = (0..100)
            .map(|i| tally.block(block(f64::from(i) * 10.0, 0.5)))
            .collect();
        let results = dues.iter().filter(|d| d.results).count();
        assert!(
            (20..=RESULT_POSTS_PER_SECOND as usize).contains(&results),
            "{results} result posts in a second"
        );
        assert_eq!(dues.iter().filter(|d| d.counts).count(), 1);
        assert!(dues[99].counts, "the counters go out after a second");
    }
}
