//! The session table: bounded, each entry a cancellation token for the
//! session's task, and one task tracker over every task of every session
//! so that shutdown (and tests) can wait until all of them are gone.

use std::collections::hash_map::RandomState;
use std::collections::HashMap;
use std::hash::BuildHasher;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};

use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

/// The table is full.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("the server runs its maximum of {max} sessions; try again in a few seconds")]
pub struct Full {
    /// The limit.
    pub max: usize,
}

/// Every live session, bounded by a maximum.
#[derive(Debug)]
pub struct Sessions {
    table: Mutex<HashMap<String, CancellationToken>>,
    max: usize,
    tracker: TaskTracker,
    shutdown: CancellationToken,
    ids: AtomicU64,
    random: RandomState,
}

/// A place in the table, held while a session starts: dropped without
/// [`Reservation::activate`], it frees the place again.
#[derive(Debug)]
pub struct Reservation {
    sessions: Arc<Sessions>,
    id: String,
    token: CancellationToken,
    active: bool,
}

impl Sessions {
    /// An empty table for at most `max` sessions.
    pub fn new(max: usize) -> Arc<Self> {
        Arc::new(Self {
            table: Mutex::new(HashMap::new()),
            max,
            tracker: TaskTracker::new(),
            shutdown: CancellationToken::new(),
            ids: AtomicU64::new(0),
            random: RandomState::new(),
        })
    }

    fn table(&self) -> std::sync::MutexGuard<'_, HashMap<String, CancellationToken>> {
        // The table holds plain data: a panic elsewhere leaves it usable.
        self.table.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Takes a place for a new session, with a fresh unguessable id.
    pub fn reserve(self: &Arc<Self>) -> Result<Reservation, Full> {
        let mut table = self.table();
        if table.len() >= self.max || self.shutdown.is_cancelled() {
            return Err(Full { max: self.max });
        }
        let n = self.ids.fetch_add(1, Ordering::Relaxed);
        let id = format!(
            "{:016x}{:016x}",
            self.random.hash_one(n),
            self.random.hash_one((n, "session"))
        );
        let token = self.shutdown.child_token();
        table.insert(id.clone(), token.clone());
        Ok(Reservation {
            sessions: self.clone(),
            id,
            token,
            active: false,
        })
    }

    /// Ends the session `id` (its task notices and cleans up); false if
    /// there is none.
    pub fn end(&self, id: &str) -> bool {
        match self.table().get(id) {
            Some(token) => {
                token.cancel();
                true
            }
            None => false,
        }
    }

    /// Removes `id` from the table (its task calls this last).
    fn remove(&self, id: &str) {
        self.table().remove(id);
    }

    /// Sessions in the table (starting or running).
    pub fn count(&self) -> usize {
        self.table().len()
    }

    /// The most sessions at once.
    pub fn max(&self) -> usize {
        self.max
    }

    /// Tasks of all sessions that have not finished.
    pub fn running_tasks(&self) -> usize {
        self.tracker.len()
    }

    /// The tracker every session task is spawned on.
    pub fn tracker(&self) -> &TaskTracker {
        &self.tracker
    }

    /// Ends every session and waits until all their tasks are done.
    pub async fn shutdown(&self) {
        self.shutdown.cancel();
        self.tracker.close();
        self.tracker.wait().await;
    }

    /// Waits until every task of every session has finished (the table may
    /// take new sessions afterwards).
    pub async fn idle(&self) {
        self.tracker.close();
        self.tracker.wait().await;
        self.tracker.reopen();
    }
}

impl Reservation {
    /// The session's id.
    pub fn id(&self) -> &str {
        &self.id
    }

    /// Cancelled when the session must end (DELETE or shutdown).
    pub fn token(&self) -> &CancellationToken {
        &self.token
    }

    /// The session is up: from now on its task owns the place and calls
    /// [`SessionGuard`]'s drop to leave the table.
    pub fn activate(mut self) -> SessionGuard {
        self.active = true;
        SessionGuard {
            sessions: self.sessions.clone(),
            id: self.id.clone(),
        }
    }
}

impl Drop for Reservation {
    fn drop(&mut self) {
        if !self.active {
            self.sessions.remove(&self.id);
        }
    }
}

/// Owned by a session's task; dropping it removes the session from the
/// table.
#[derive(Debug)]
pub struct SessionGuard {
    sessions: Arc<Sessions>,
    id: String,
}

impl Drop for SessionGuard {
    fn drop(&mut self) {
        self.sessions.remove(&self.id);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_table_is_bounded_and_a_failed_start_frees_its_place() {
        let sessions = Sessions::new(2);
        let a = sessions.reserve().unwrap();
        let b = sessions.reserve().unwrap();
        assert_ne!(a.id(), b.id());
        assert_eq!(a.id().len(), 32);
        assert_eq!(sessions.reserve().unwrap_err(), Full { max: 2 });
        drop(b);
        assert_eq!(sessions.count(), 1);
        let guard = a.activate();
        assert_eq!(sessions.count(), 1);
        drop(guard);
        assert_eq!(sessions.count(), 0);
    }

    #[test]
    fn ending_a_session_cancels_its_token() {
        let sessions = Sessions::new(1);
        let a = sessions.reserve().unwrap();
        assert!(!a.token().is_cancelled());
        assert!(sessions.end(a.id()));
        assert!(a.token().is_cancelled());
        assert!(!sessions.end("nope"));
    }
}
