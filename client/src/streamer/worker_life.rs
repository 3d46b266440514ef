//! The processing worker's life as plain decisions, tested natively: it
//! is made, says Ready, reports its first stats; when it fails, is that a
//! configuration problem a restart won't fix, a crash worth a restart, or
//! one failure too many?

/// How long a new worker may take to load and say Ready, in ms.
pub const WORKER_START_MS: i32 = 10_000;

/// A worker that fails this many times within [`FAILURE_WINDOW_MS`] is not
/// restarted again: the Streamer stops with a message.
pub const MAX_FAILURES: usize = 3;

/// The span over which worker failures are counted, ms.
pub const FAILURE_WINDOW_MS: f64 = 10_000.0;

/// How a worker failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Failure {
    /// Its global scope threw (a wasm trap: a panicking processor), or,
    /// before Ready, its script did not load.
    Crashed,
    /// It reported a fatal error (processing stopped).
    Fatal,
}

/// What to do about a failure.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// Stop now: it failed before it could work (a wrong script URL, an
    /// unknown processor); a restart would fail the same way.
    Fail,
    /// Start a new worker: this is failure `count` within the window.
    Restart {
        /// Failures within [`FAILURE_WINDOW_MS`], this one included.
        count: usize,
    },
    /// Stop: `count` ([`MAX_FAILURES`] or more) failures within the window.
    GiveUp {
        /// Failures within [`FAILURE_WINDOW_MS`], this one included.
        count: usize,
    },
}

/// Where the current worker is, and the recent failures of the workers
/// of this run.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct WorkerLife {
    /// It said Ready (its wasm runs).
    ready: bool,
    /// It reported stats (it processed a frame).
    alive: bool,
    /// When workers of this run failed (page clock, ms).
    failures: Vec<f64>,
}

impl WorkerLife {
    /// A new worker was made: not ready, not alive; earlier failures
    /// still count.
    pub fn spawned(&mut self) {
        self.ready = false;
        self.alive = false;
    }

    /// It said Ready; `true` the first time (then the page connects it).
    pub fn on_ready(&mut self) -> bool {
        !std::mem::replace(&mut self.ready, true)
    }

    /// It reported stats: it works.
    pub fn on_stats(&mut self) {
        self.alive = true;
    }

    /// Whether it said Ready.
    pub fn is_ready(&self) -> bool {
        self.ready
    }

    /// It failed at `now_ms`: what to do.
    pub fn on_failure(&mut self, now_ms: f64, failure: Failure) -> Verdict {
        let before_work = match failure {
            Failure::Crashed => !self.ready,
            Failure::Fatal => !self.alive,
        };
        if before_work {
            return Verdict::Fail;
        }
        let count = record_failure(&mut self.failures, now_ms);
        self.spawned();
        if count >= MAX_FAILURES {
            Verdict::GiveUp { count }
        } else {
            Verdict::Restart { count }
        }
    }

    /// A new run (START) or its end: everything forgotten.
    pub fn reset(&mut self) {
        *self = Self::default();
    }
}

/// Records a worker failure at `now_ms` in `failures` (the earlier ones'
/// times), forgets those older than [`FAILURE_WINDOW_MS`], and returns how
/// many remain, this one included.
pub fn record_failure(failures: &mut Vec<f64>, now_ms: f64) -> usize {
    failures.retain(|&at| now_ms - at < FAILURE_WINDOW_MS);
    failures.push(now_ms);
    failures.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn failures_count_within_the_window() {
        let mut failures = Vec::new();
        assert_eq!(record_failure(&mut failures, 0.0), 1);
        assert_eq!(record_failure(&mut failures, 4_000.0), 2);
        assert_eq!(record_failure(&mut failures, 9_999.0), 3);
        // The first one is 10 s old now.
        assert_eq!(record_failure(&mut failures, 10_000.0), 3);
        assert_eq!(record_failure(&mut failures, 30_000.0), 1);
    }

    #[test]
    fn a_failure_before_the_worker_works_stops_at_once() {
        // A script that does not load: an error event before Ready.
        let mut life = WorkerLife::default();
        life.spawned();
        assert_eq!(life.on_failure(0.0, Failure::Crashed), Verdict::Fail);
        // An unknown processor: a fatal error after Ready, before stats.
        let mut life = WorkerLife::default();
        assert!(life.on_ready());
        assert_eq!(life.on_failure(0.0, Failure::Fatal), Verdict::Fail);
    }

    #[test]
    fn crashes_restart_until_the_third_within_ten_seconds() {
        let mut life = WorkerLife::default();
        assert!(life.on_ready(), "the first Ready connects");
        assert!(!life.on_ready(), "a second Ready does not");
        assert_eq!(
            life.on_failure(0.0, Failure::Crashed),
            Verdict::Restart { count: 1 }
        );
        // The restarted worker is not ready until it says so.
        assert!(!life.is_ready());
        assert_eq!(
            life.on_failure(1.0, Failure::Crashed),
            Verdict::Fail,
            "a crash before the new worker's Ready is its script failing"
        );
        life.on_ready();
        assert_eq!(
            life.on_failure(1_000.0, Failure::Crashed),
            Verdict::Restart { count: 2 }
        );
        life.on_ready();
        life.on_stats();
        assert_eq!(
            life.on_failure(2_000.0, Failure::Fatal),
            Verdict::GiveUp { count: 3 }
        );
        // Failures spread over more than the window restart again.
        let mut life = WorkerLife::default();
        for at in [0.0, 6_000.0, 12_000.0, 18_000.0] {
            life.on_ready();
            assert!(matches!(
                life.on_failure(at, Failure::Crashed),
                Verdict::Restart { count: 1 | 2 }
            ));
        }
        // A new START forgets them.
        life.reset();
        assert_eq!(life, WorkerLife::default());
    }
}
