//! Where frames are processed: in this browser's worker (local) or on a
//! `framewise-server` (remote, [`remote`](super::remote)), and, for
//! [`Placement::Auto`], when to move between the two.
//!
//! [`AutoPolicy`] is the decision, plain code tested natively: start
//! remote for a processor whose cost hint is heavy (when a server is
//! allowed), else local; move a running local stream to the server when
//! the local p95 processing time has exceeded the frame budget
//! (1 / input fps) for [`OVERLOAD_MS`]; move back when the server is lost;
//! never move twice within [`MIN_STAY_MS`]. The session drives the moves
//! (`session/moves.rs`: the camera keeps running).

use framewise::Cost;
use yew::AttrValue;

/// How long local processing must miss its frame budget before Auto moves
/// it to the server, ms.
pub const OVERLOAD_MS: f64 = 3_000.0;

/// The least time between two moves, ms (no flapping).
pub const MIN_STAY_MS: f64 = 10_000.0;

/// Where a [`Streamer`](super::Streamer) processes frames.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Placement {
    /// In this browser, in a worker: no frame leaves the device.
    #[default]
    Local,
    /// On the `framewise-server` at `server` (its base URL; `""` for this
    /// page's origin, e.g. behind the trunk proxy): the camera is streamed
    /// to it over WebRTC.
    Remote {
        /// Base URL of the server.
        server: AttrValue,
    },
    /// Local first; on the server when the processor is heavy or local
    /// processing cannot keep up, and back when the server is lost. With
    /// `server: None`, remote is not allowed: it stays local and no media
    /// leaves the device.
    Auto {
        /// Base URL of the server, if media may be sent to it.
        server: Option<AttrValue>,
    },
}

impl Placement {
    /// The server media may go to, if any.
    pub fn server(&self) -> Option<&str> {
        match self {
            Placement::Local | Placement::Auto { server: None } => None,
            Placement::Remote { server }
            | Placement::Auto {
                server: Some(server),
            } => Some(server.as_str()),
        }
    }

    /// Where to start, and why: `(remote, reason)`.
    pub fn start(&self, cost: Option<Cost>) -> (bool, String) {
        match self {
            Placement::Local => (false, "local placement".into()),
            Placement::Remote { .. } => (true, "remote placement".into()),
            Placement::Auto { server: None } => {
                (false, "auto: remote not allowed, stays local".into())
            }
            Placement::Auto { server: Some(_) } if cost == Some(Cost::Heavy) => {
                (true, "auto: the processor is heavy".into())
            }
            Placement::Auto { server: Some(_) } => (false, "auto: local first".into()),
        }
    }
}

/// When Auto moves a local stream to the server; see the [module
/// docs](self).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct AutoPolicy {
    /// Since when the local p95 has been over budget (page clock, ms).
    overloaded_since: Option<f64>,
    /// When the last move happened.
    last_move: Option<f64>,
}

impl AutoPolicy {
    /// Takes local stats at `now_ms`: the reason to move to the server, if
    /// it is time.
    pub fn on_local_stats(&mut self, now_ms: f64, p95_ms: f64, input_fps: f64) -> Option<String> {
        if input_fps <= 0.0 {
            return None;
        }
        let budget = 1000.0 / input_fps;
        if p95_ms <= budget {
            self.overloaded_since = None;
            return None;
        }
        let since = *self.overloaded_since.get_or_insert(now_ms);
        let overloaded = now_ms - since >= OVERLOAD_MS;
        (overloaded && self.may_move(now_ms)).then(|| {
            format!(
                "auto: local p95 {p95_ms:.0} ms > {budget:.0} ms budget for {:.0} s",
                OVERLOAD_MS / 1000.0
            )
        })
    }

    /// Whether a move is allowed at `now_ms` ([`MIN_STAY_MS`] since the
    /// last).
    pub fn may_move(&self, now_ms: f64) -> bool {
        self.last_move.is_none_or(|at| now_ms - at >= MIN_STAY_MS)
    }

    /// A move (or a failed attempt) happened at `now_ms`.
    pub fn moved(&mut self, now_ms: f64) {
        self.last_move = Some(now_ms);
        self.overloaded_since = None;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn where_to_start() {
        let server = || Some(AttrValue::from("http://s"));
        assert!(!Placement::Local.start(Some(Cost::Heavy)).0);
        assert!(Placement::Remote { server: "".into() }.start(None).0);
        let auto = Placement::Auto { server: server() };
        assert!(auto.start(Some(Cost::Heavy)).0);
        assert!(!auto.start(Some(Cost::Light)).0);
        assert!(!auto.start(None).0);
        let private = Placement::Auto { server: None };
        assert!(!private.start(Some(Cost::Heavy)).0);
        assert_eq!(private.server(), None);
        assert_eq!(auto.server(), Some("http://s"));
    }

    #[test]
    fn auto_moves_after_three_seconds_over_budget_and_not_twice_in_ten() {
        let mut policy = AutoPolicy::default();
        // 30 fps: a 33 ms budget.
        assert_eq!(policy.on_local_stats(0.0, 20.0, 30.0), None);
        assert_eq!(policy.on_local_stats(1_000.0, 50.0, 30.0), None);
        assert_eq!(policy.on_local_stats(3_000.0, 50.0, 30.0), None);
        let reason = policy
            .on_local_stats(4_000.0, 50.0, 30.0)
            .expect("time to move");
        assert!(reason.contains("50 ms > 33 ms"), "{reason}");
        policy.moved(4_000.0);
        // Back within 10 s: no new move however loaded.
        assert_eq!(policy.on_local_stats(5_000.0, 90.0, 30.0), None);
        assert_eq!(policy.on_local_stats(12_000.0, 90.0, 30.0), None);
        assert!(policy.on_local_stats(14_500.0, 90.0, 30.0).is_some());
        // A frame under budget resets the 3 s.
        let mut policy = AutoPolicy::default();
        policy.on_local_stats(0.0, 50.0, 30.0);
        policy.on_local_stats(2_000.0, 10.0, 30.0);
        assert_eq!(policy.on_local_stats(3_500.0, 50.0, 30.0), None);
        // No input rate yet: no decision.
        assert_eq!(policy.on_local_stats(9_000.0, 50.0, 0.0), None);
    }
}
