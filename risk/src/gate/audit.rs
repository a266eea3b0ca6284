//! The audit trail of the gate: every decision, forwarded or denied.
//!
//! SEC Rule 15c3-5 asks a broker-dealer with market access to keep its pre-trade controls
//! under its direct and exclusive control (paragraph (d)) and to review their
//! effectiveness regularly (paragraph (e)); the gate hands every decision to an
//! [`AuditLog`] so that there is a record to review.

use super::deny::Deny;
use crate::error::{Error, Result};
use shortfall_core::{OrderRequest, Ts};

/// What the gate did with a request.
#[derive(Clone, Debug, PartialEq)]
pub enum Outcome {
    /// Passed every check and was accepted by the inner sink.
    Forwarded,
    /// Refused, with the reason.
    Denied(Deny),
}

/// One decision of the gate.
#[derive(Clone, Debug, PartialEq)]
pub struct AuditRecord {
    /// When the request was submitted.
    pub ts: Ts,
    /// The request, as submitted.
    pub request: OrderRequest,
    /// What the gate did with it.
    pub outcome: Outcome,
}

/// Where the gate writes its decisions.
///
/// # Design
/// `record` is called on the hot path of every submit, so it takes references and
/// implementations should not allocate: [`RingAuditLog`] writes into storage preallocated
/// at construction, and [`NoAuditLog`] drops everything (for backtests that only need the
/// counters). A persistent log (a file, a database) belongs behind this trait in the
/// operator's process, draining a ring rather than blocking the gate.
pub trait AuditLog {
    /// Records one decision.
    fn record(&mut self, ts: Ts, request: &OrderRequest, outcome: &Outcome);
}

/// An audit log that keeps nothing.
#[derive(Copy, Clone, Debug, Default, PartialEq, Eq)]
pub struct NoAuditLog;

impl AuditLog for NoAuditLog {
    #[inline]
    fn record(&mut self, _ts: Ts, _request: &OrderRequest, _outcome: &Outcome) {}
}

/// An in-memory audit log keeping the most recent `capacity` decisions in a ring buffer,
/// and counting the older ones it overwrote.
///
/// The storage is allocated once, at construction; recording never allocates (except to
/// copy the text of a [`Deny::Venue`] refusal).
#[derive(Clone, Debug)]
pub struct RingAuditLog {
    records: Vec<AuditRecord>,
    capacity: usize,
    /// Index of the oldest record once the ring is full.
    head: usize,
    dropped: u64,
}

impl RingAuditLog {
    /// An empty ring holding up to `capacity` records.
    ///
    /// # Errors
    /// [`Error::InvalidConfig`] when `capacity` is zero (use [`NoAuditLog`] to keep nothing).
    pub fn with_capacity(capacity: usize) -> Result<Self> {
        if capacity == 0 {
            return Err(Error::InvalidConfig {
                field: "audit_capacity",
                value: "0".into(),
                reason: "must be at least 1 (use NoAuditLog to keep nothing)",
            });
        }
        Ok(Self {
            records: Vec::with_capacity(capacity),
            capacity,
            head: 0,
            dropped: 0,
        })
    }

    /// The most records the ring keeps.
    pub fn capacity(&self) -> usize {
        self.capacity
    }

    /// Records kept now.
    pub fn len(&self) -> usize {
        self.records.len()
    }

    /// True when nothing was recorded.
    pub fn is_empty(&self) -> bool {
        self.records.is_empty()
    }

    /// Records overwritten because the ring was full.
    pub fn dropped(&self) -> u64 {
        self.dropped
    }

    /// The kept records, oldest first.
    pub fn iter(&self) -> impl Iterator<Item = &AuditRecord> + '_ {
        let (newer, older) = self.records.split_at(self.head);
        older.iter().chain(newer)
    }

    /// Forgets every record (keeps the storage and the dropped count).
    pub fn clear(&mut self) {
        self.records.clear();
        self.head = 0;
    }
}

impl AuditLog for RingAuditLog {
    #[inline]
    fn record(&mut self, ts: Ts, request: &OrderRequest, outcome: &Outcome) {
        let record = AuditRecord {
            ts,
            request: *request,
            outcome: outcome.clone(),
        };
        if self.records.len() < self.capacity {
            self.records.push(record);
        } else {
            self.records[self.head] = record;
            self.head += 1;
            if self.head == self.capacity {
                self.head = 0;
            }
            self.dropped += 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use shortfall_core::{OrderId, TraderId};

    fn cancel(id: u64) -> OrderRequest {
        OrderRequest::Cancel {
            id: OrderId(id),
            owner: TraderId(1),
        }
    }

    #[test]
    fn the_ring_keeps_the_newest_records_oldest_first() {
        let mut log = RingAuditLog::with_capacity(3).unwrap();
        for i in 0..5 {
            log.record(Ts(i), &cancel(i as u64), &Outcome::Forwarded);
        }
        let ts: Vec<i64> = log.iter().map(|r| r.ts.0).collect();
        assert_eq!(ts, [2, 3, 4]);
        assert_eq!(log.dropped(), 2);
        assert_eq!(log.records.capacity(), 3, "no reallocation");
        log.clear();
        assert!(log.is_empty());
        assert!(RingAuditLog::with_capacity(0).is_err());
    }
}
