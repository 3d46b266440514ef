//! A bounded window of recent samples: nearest-rank percentiles and event
//! rates from timestamps. Plain code, no clock: times come in as numbers.
//! The browser worker and the server both keep their per-frame statistics
//! in one.

use std::collections::VecDeque;

/// The last `capacity` samples (older ones fall out): a ring buffer.
#[derive(Debug, Clone, PartialEq)]
pub struct Window {
    samples: VecDeque<f64>,
    capacity: usize,
}

impl Window {
    /// An empty window keeping at most `capacity` samples (at least 1).
    pub fn new(capacity: usize) -> Self {
        let capacity = capacity.max(1);
        Self {
            samples: VecDeque::with_capacity(capacity),
            capacity,
        }
    }

    /// Adds a sample, dropping the oldest one if the window is full.
    /// Non-finite samples (NaN, ±∞) are ignored.
    pub fn push(&mut self, sample: f64) {
        if !sample.is_finite() {
            return;
        }
        if self.samples.len() == self.capacity {
            self.samples.pop_front();
        }
        self.samples.push_back(sample);
    }

    /// How many samples the window holds.
    pub fn len(&self) -> usize {
        self.samples.len()
    }

    /// Whether the window holds no sample.
    pub fn is_empty(&self) -> bool {
        self.samples.is_empty()
    }

    /// The `p`-th percentile (`p` in 0..=100, clamped) by the
    /// nearest-rank method: the smallest sample with at least `p`% of the
    /// samples at or below it. `None` when empty.
    pub fn percentile(&self, p: f64) -> Option<f64> {
        if self.samples.is_empty() {
            return None;
        }
        let mut sorted: Vec<f64> = self.samples.iter().copied().collect();
        sorted.sort_unstable_by(f64::total_cmp);
        let p = if p.is_nan() { 0.0 } else { p.clamp(0.0, 100.0) };
        let rank = (p / 100.0 * sorted.len() as f64).ceil() as usize;
        sorted.get(rank.saturating_sub(1)).copied()
    }

    /// Events per second if the samples are the events' times in
    /// `units_per_second` units (ms: 1000, µs: 1 000 000): (n − 1) over the
    /// span from the oldest to the newest. 0 with fewer than two samples or
    /// no time between them.
    pub fn rate(&self, units_per_second: f64) -> f64 {
        match (self.samples.front(), self.samples.back()) {
            (Some(first), Some(last)) if self.samples.len() > 1 && last > first => {
                (self.samples.len() - 1) as f64 * units_per_second / (last - first)
            }
            _ => 0.0,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_cover_only_the_last_samples() {
        let mut window = Window::new(100);
        assert_eq!(window.percentile(50.0), None);
        for v in 1..=100 {
            window.push(f64::from(v));
        }
        assert_eq!(window.percentile(50.0), Some(50.0));
        assert_eq!(window.percentile(95.0), Some(95.0));
        assert_eq!(window.percentile(0.0), Some(1.0));
        assert_eq!(window.percentile(100.0), Some(100.0));
        assert_eq!(window.percentile(250.0), Some(100.0));
        // 100 more samples of 1000 push every earlier one out.
        for _ in 0..100 {
            window.push(1000.0);
        }
        assert_eq!(window.len(), 100);
        assert_eq!(window.percentile(50.0), Some(1000.0));
        // Order of arrival does not matter; NaN is ignored.
        let mut window = Window::new(5);
        for v in [5.0, f64::NAN, 1.0, 4.0, 2.0, 3.0] {
            window.push(v);
        }
        assert_eq!(window.len(), 5);
        assert_eq!(window.percentile(50.0), Some(3.0));
        assert_eq!(window.percentile(95.0), Some(5.0));
    }

    #[test]
    fn one_sample_window_keeps_the_newest() {
        let mut window = Window::new(0);
        window.push(1.0);
        window.push(2.0);
        assert_eq!((window.len(), window.percentile(50.0)), (1, Some(2.0)));
    }

    #[test]
    fn rate_from_timestamps() {
        let mut window = Window::new(120);
        assert_eq!(window.rate(1e6), 0.0);
        // 30 fps in µs timestamps, 200 frames: the window keeps 120.
        for i in 0..200 {
            window.push(f64::from(i) * 1e6 / 30.0);
        }
        assert!((window.rate(1e6) - 30.0).abs() < 1e-9);
        // 20 fps in ms.
        let mut window = Window::new(10);
        for i in 0..10 {
            window.push(1000.0 + f64::from(i) * 50.0);
        }
        assert!((window.rate(1000.0) - 20.0).abs() < 1e-9);
        // All at the same time: no rate.
        let mut window = Window::new(3);
        window.push(5.0);
        window.push(5.0);
        assert_eq!(window.rate(1000.0), 0.0);
    }
}
