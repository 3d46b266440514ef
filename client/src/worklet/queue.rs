//! The results a worklet collects between two posts to the page: bounded,
//! the oldest dropped (and counted) when a processor emits faster than
//! the page is told.

use std::collections::VecDeque;

use serde_json::Value;

use crate::protocol::FromWorker;

/// At most this many results wait for the next post.
pub const MAX_PENDING: usize = 64;

/// Results waiting for the next post.
#[derive(Debug, Default)]
pub struct ResultQueue {
    pending: VecDeque<Value>,
    dropped: u64,
}

impl ResultQueue {
    /// Adds `results`, dropping the oldest beyond [`MAX_PENDING`].
    pub fn extend(&mut self, results: Vec<Value>) {
        for result in results {
            if self.pending.len() == MAX_PENDING {
                self.pending.pop_front();
                self.dropped += 1;
            }
            self.pending.push_back(result);
        }
    }

    /// Everything pending as a [`FromWorker::Results`] message (JSON, as
    /// the worker posts its own); `None` when there is nothing.
    pub fn take_json(&mut self) -> Option<String> {
        if self.pending.is_empty() {
            return None;
        }
        let results = self.pending.drain(..).collect();
        Some(FromWorker::Results { results }.to_json())
    }

    /// How many were dropped since the last call.
    pub fn take_dropped(&mut self) -> u32 {
        u32::try_from(std::mem::take(&mut self.dropped)).unwrap_or(u32::MAX)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn nothing_pending_is_nothing_to_post() {
        assert_eq!(ResultQueue::default().take_json(), None);
    }

    #[test]
    fn the_oldest_results_are_dropped_and_counted() {
        let mut queue = ResultQueue::default();
        queue.extend((0..MAX_PENDING + 3).map(|i| json!(i)).collect());
        let posted = FromWorker::parse(&queue.take_json().unwrap());
        let Some(FromWorker::Results { results }) = posted else {
            panic!("not a results message: {posted:?}");
        };
        assert_eq!(results.len(), MAX_PENDING);
        assert_eq!(results[0], json!(3));
        assert_eq!(queue.take_dropped(), 3);
        assert_eq!(queue.take_dropped(), 0);
        assert_eq!(queue.take_json(), None, "a take empties the queue");
    }
}
