//! Wall-clock time in UTC seconds, with an offset that tests can set and move forward.

use std::sync::{
    atomic::{AtomicI64, Ordering},
    Arc,
};

#[derive(Clone, Default, Debug)]
pub struct Clock {
    offset: Arc<AtomicI64>,
}

impl Clock {
    /// A clock that reads `start` now and runs on at the real rate from there: tests and
    /// journeys get the same calendar whatever day they run on, and timeouts still pass.
    pub fn starting_at(start: i64) -> Clock {
        let clock = Clock::default();
        clock.advance(start - clock.now());
        clock
    }

    /// Seconds since the Unix epoch, UTC.
    pub fn now(&self) -> i64 {
        chrono::Utc::now().timestamp() + self.offset.load(Ordering::Relaxed)
    }

    /// Move this clock (and every clone of it) forward; for tests of timeouts.
    pub fn advance(&self, seconds: i64) {
        self.offset.fetch_add(seconds, Ordering::Relaxed);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_started_clock_reads_its_start_and_advances_with_its_clones() {
        let start = 1_900_000_000;
        let clock = Clock::starting_at(start);
        assert!((clock.now() - start).abs() <= 1);
        let clone = clock.clone();
        clone.advance(3_600);
        assert!((clock.now() - start - 3_600).abs() <= 1);
    }
}
