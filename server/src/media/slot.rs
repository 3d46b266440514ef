//! The one-frame mailbox between decoding and processing: latest frame
//! wins. Decoding keeps up with every packet; processing takes the newest
//! decoded frame, and a frame replaced before it was taken is counted as
//! dropped.

/// Holds at most one item; a new one replaces (and drops) the old.
#[derive(Debug)]
pub struct LatestSlot<T> {
    item: Option<T>,
    put: u64,
    dropped: u64,
}

impl<T> Default for LatestSlot<T> {
    fn default() -> Self {
        Self {
            item: None,
            put: 0,
            dropped: 0,
        }
    }
}

impl<T> LatestSlot<T> {
    /// An empty slot.
    pub fn new() -> Self {
        Self::default()
    }

    /// Puts `item` in, dropping the one not taken yet (counted).
    pub fn put(&mut self, item: T) {
        self.put += 1;
        if self.item.replace(item).is_some() {
            self.dropped += 1;
        }
    }

    /// Takes the newest item, if any.
    pub fn take(&mut self) -> Option<T> {
        self.item.take()
    }

    /// Items put in so far.
    pub fn put_count(&self) -> u64 {
        self.put
    }

    /// Items replaced before they were taken.
    pub fn dropped(&self) -> u64 {
        self.dropped
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_latest_item_wins_and_drops_are_counted() {
        let mut slot = LatestSlot::new();
        assert_eq!(slot.take(), None::<u32>);
        slot.put(1);
        slot.put(2);
        slot.put(3);
        assert_eq!(slot.take(), Some(3));
        assert_eq!(slot.take(), None);
        slot.put(4);
        assert_eq!(slot.take(), Some(4));
        assert_eq!((slot.put_count(), slot.dropped()), (4, 2));
    }
}
