//! Practice policies (SPEC §2.2): whether an action is offered now, whether it needs the
//! office's approval, and whether a fee applies. Times are UTC seconds; notice is counted in
//! real elapsed hours, so "24 hours' notice" across a daylight-saving change is still 24 hours.

use serde::{Deserialize, Serialize};

/// When a patient's cancellation or reschedule needs the office to approve it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Approval {
    Always,
    /// Instant, whenever it is offered.
    Never,
    /// Instant outside the notice window, a request inside it.
    InsideNoticeWindow,
}

impl Approval {
    pub const ALL: [Approval; 3] = [
        Approval::Always,
        Approval::Never,
        Approval::InsideNoticeWindow,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Approval::Always => "always",
            Approval::Never => "never",
            Approval::InsideNoticeWindow => "inside_window",
        }
    }

    pub fn parse(s: &str) -> Option<Approval> {
        Approval::ALL.into_iter().find(|a| a.as_str() == s)
    }

    /// How staff see the choice in Settings.
    pub fn label(self) -> &'static str {
        match self {
            Approval::Always => "Always needs the office's approval",
            Approval::Never => "Instant (no approval)",
            Approval::InsideNoticeWindow => "Instant outside the notice window, approval inside it",
        }
    }
}

/// The policy in force for one appointment (a practice's, or a provider's override), stored on
/// each booking when it is made.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Policy {
    pub online_booking: bool,
    pub online_cancellation: bool,
    pub online_rescheduling: bool,
    /// A slot must start at least this many hours ahead to be booked online.
    pub booking_notice_hours: i64,
    /// The cancellation window: this many hours before the start.
    pub cancellation_notice_hours: i64,
    /// The reschedule window: this many hours before the start.
    pub reschedule_notice_hours: i64,
    pub cancellation_approval: Approval,
    pub reschedule_approval: Approval,
    /// Shown as "Charges may apply" for a cancellation inside the window.
    pub late_cancellation_fee_cents: i64,
    pub no_show_fee_cents: i64,
}

/// Why an action is not offered; each reads as a sentence for the patient.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum NotOffered {
    OnlineBookingOff,
    OnlineCancellationOff,
    OnlineReschedulingOff,
    InThePast,
    /// Too close to the start to book online.
    InsideBookingNotice {
        hours: i64,
    },
}

impl NotOffered {
    pub fn message(self) -> String {
        match self {
            NotOffered::OnlineBookingOff => {
                "This office does not take bookings online. Please call the office to book.".into()
            }
            NotOffered::OnlineCancellationOff => {
                "This office does not take cancellations online. Please call the office.".into()
            }
            NotOffered::OnlineReschedulingOff => {
                "This office does not take reschedules online. Please call the office.".into()
            }
            NotOffered::InThePast => "This time has already passed.".into(),
            NotOffered::InsideBookingNotice { hours } => format!(
                "Online bookings need at least {hours} hours' notice. Please choose a later time or call the office."
            ),
        }
    }
}

/// What the patient is offered for a change to a confirmed appointment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Terms {
    pub needs_approval: bool,
    /// A fee that may be charged, in cents.
    pub fee_cents: Option<i64>,
}

const HOUR: i64 = 3600;

/// Whether `now` falls within `hours` before `start`. Exactly `hours` ahead is outside: the
/// patient gave the notice asked for.
pub fn inside_window(start: i64, now: i64, hours: i64) -> bool {
    start - now < hours * HOUR
}

fn needs_approval(approval: Approval, inside: bool) -> bool {
    match approval {
        Approval::Always => true,
        Approval::Never => false,
        Approval::InsideNoticeWindow => inside,
    }
}

/// May a slot starting at `start` be booked online now?
pub fn booking(policy: &Policy, start: i64, now: i64) -> Result<(), NotOffered> {
    if !policy.online_booking {
        return Err(NotOffered::OnlineBookingOff);
    }
    if start <= now {
        return Err(NotOffered::InThePast);
    }
    if inside_window(start, now, policy.booking_notice_hours) {
        return Err(NotOffered::InsideBookingNotice {
            hours: policy.booking_notice_hours,
        });
    }
    Ok(())
}

/// The terms for cancelling a confirmed appointment starting at `start`.
pub fn cancellation(policy: &Policy, start: i64, now: i64) -> Result<Terms, NotOffered> {
    if !policy.online_cancellation {
        return Err(NotOffered::OnlineCancellationOff);
    }
    if start <= now {
        return Err(NotOffered::InThePast);
    }
    let inside = inside_window(start, now, policy.cancellation_notice_hours);
    Ok(Terms {
        needs_approval: needs_approval(policy.cancellation_approval, inside),
        fee_cents: (inside && policy.late_cancellation_fee_cents > 0)
            .then_some(policy.late_cancellation_fee_cents),
    })
}

/// The terms for rescheduling a confirmed appointment starting at `start`.
pub fn reschedule(policy: &Policy, start: i64, now: i64) -> Result<Terms, NotOffered> {
    if !policy.online_rescheduling {
        return Err(NotOffered::OnlineReschedulingOff);
    }
    if start <= now {
        return Err(NotOffered::InThePast);
    }
    let inside = inside_window(start, now, policy.reschedule_notice_hours);
    Ok(Terms {
        needs_approval: needs_approval(policy.reschedule_approval, inside),
        fee_cents: None,
    })
}

/// "$50.00" from 5000 cents.
pub fn money(cents: i64) -> String {
    format!("${}.{:02}", cents / 100, cents % 100)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The demo's second practice: instant outside 24 hours, a request with a $50 fee inside.
    const WINDOWED: Policy = Policy {
        online_booking: true,
        online_cancellation: true,
        online_rescheduling: true,
        booking_notice_hours: 2,
        cancellation_notice_hours: 24,
        reschedule_notice_hours: 24,
        cancellation_approval: Approval::InsideNoticeWindow,
        reschedule_approval: Approval::InsideNoticeWindow,
        late_cancellation_fee_cents: 5000,
        no_show_fee_cents: 7500,
    };

    const START: i64 = 1_000_000_000;
    const MINUTE: i64 = 60;

    #[test]
    fn cancellation_at_the_notice_boundary_and_a_minute_either_side() {
        let at = START - 24 * HOUR;
        let instant = Terms {
            needs_approval: false,
            fee_cents: None,
        };
        let late = Terms {
            needs_approval: true,
            fee_cents: Some(5000),
        };
        assert_eq!(cancellation(&WINDOWED, START, at - MINUTE), Ok(instant));
        assert_eq!(
            cancellation(&WINDOWED, START, at),
            Ok(instant),
            "exactly 24 h is enough notice"
        );
        assert_eq!(cancellation(&WINDOWED, START, at + MINUTE), Ok(late));
    }

    #[test]
    fn reschedule_at_the_notice_boundary_and_a_minute_either_side() {
        let at = START - 24 * HOUR;
        assert_eq!(
            reschedule(&WINDOWED, START, at - MINUTE).map(|t| t.needs_approval),
            Ok(false)
        );
        assert_eq!(
            reschedule(&WINDOWED, START, at).map(|t| t.needs_approval),
            Ok(false)
        );
        assert_eq!(
            reschedule(&WINDOWED, START, at + MINUTE).map(|t| t.needs_approval),
            Ok(true)
        );
        assert_eq!(
            reschedule(&WINDOWED, START, at + MINUTE).map(|t| t.fee_cents),
            Ok(None)
        );
    }

    #[test]
    fn booking_at_the_minimum_notice_and_a_minute_either_side() {
        let at = START - 2 * HOUR;
        assert_eq!(booking(&WINDOWED, START, at - MINUTE), Ok(()));
        assert_eq!(booking(&WINDOWED, START, at), Ok(()));
        assert_eq!(
            booking(&WINDOWED, START, at + MINUTE),
            Err(NotOffered::InsideBookingNotice { hours: 2 })
        );
        assert_eq!(booking(&WINDOWED, START, START), Err(NotOffered::InThePast));
    }

    #[test]
    fn approval_always_and_never() {
        let always = Policy {
            cancellation_approval: Approval::Always,
            ..WINDOWED
        };
        let never = Policy {
            cancellation_approval: Approval::Never,
            ..WINDOWED
        };
        let far = START - 100 * HOUR;
        let near = START - HOUR;
        assert!(cancellation(&always, START, far).unwrap().needs_approval);
        assert!(!cancellation(&never, START, near).unwrap().needs_approval);
        assert_eq!(
            cancellation(&never, START, near).unwrap().fee_cents,
            Some(5000),
            "the fee follows the window, not approval"
        );
    }

    #[test]
    fn switched_off_and_past_actions_are_not_offered() {
        let off = Policy {
            online_booking: false,
            online_cancellation: false,
            online_rescheduling: false,
            ..WINDOWED
        };
        assert_eq!(booking(&off, START, 0), Err(NotOffered::OnlineBookingOff));
        assert_eq!(
            cancellation(&off, START, 0),
            Err(NotOffered::OnlineCancellationOff)
        );
        assert_eq!(
            reschedule(&off, START, 0),
            Err(NotOffered::OnlineReschedulingOff)
        );
        assert_eq!(
            cancellation(&WINDOWED, START, START + 1),
            Err(NotOffered::InThePast)
        );
        assert!(NotOffered::InsideBookingNotice { hours: 2 }
            .message()
            .contains("2 hours"));
    }

    #[test]
    fn no_fee_is_shown_when_there_is_none() {
        let free = Policy {
            late_cancellation_fee_cents: 0,
            ..WINDOWED
        };
        assert_eq!(
            cancellation(&free, START, START - HOUR).unwrap().fee_cents,
            None
        );
        assert_eq!(money(5000), "$50.00");
        assert_eq!(money(1999), "$19.99");
    }

    /// Notice is real elapsed time. At 2 a.m. on 8 March 2026 New York springs forward: from
    /// 9:00 EST on the 7th to 9:00 EDT on the 8th is only 23 hours, inside a 24-hour window.
    /// On 1 November it falls back, and the same clock time a day earlier is 25 hours ahead.
    #[cfg(feature = "ssr")]
    #[test]
    fn notice_across_a_daylight_saving_change() {
        use chrono::TimeZone;
        use chrono_tz::America::New_York;
        let at = |m: u32, d: u32, h: u32| {
            New_York
                .with_ymd_and_hms(2026, m, d, h, 0, 0)
                .unwrap()
                .timestamp()
        };
        let spring = at(3, 8, 9);
        assert_eq!(spring - at(3, 7, 9), 23 * HOUR);
        assert!(
            cancellation(&WINDOWED, spring, at(3, 7, 9))
                .unwrap()
                .needs_approval
        );
        assert!(
            !cancellation(&WINDOWED, spring, at(3, 7, 8))
                .unwrap()
                .needs_approval,
            "24 real hours ahead"
        );
        let fall = at(11, 1, 9);
        assert_eq!(fall - at(10, 31, 9), 25 * HOUR);
        assert!(
            !cancellation(&WINDOWED, fall, at(10, 31, 9))
                .unwrap()
                .needs_approval
        );
        assert!(
            !cancellation(&WINDOWED, fall, at(10, 31, 10))
                .unwrap()
                .needs_approval,
            "exactly 24 h"
        );
        assert!(
            cancellation(&WINDOWED, fall, at(10, 31, 10) + MINUTE)
                .unwrap()
                .needs_approval
        );
    }
}
