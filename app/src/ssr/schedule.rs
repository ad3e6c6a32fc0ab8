//! Time in the practice's zone: free-slot generation from weekly hours, and how instants are
//! shown. Everything is stored in UTC and converted with the practice's IANA zone, never the
//! server's or the browser's, so daylight-saving changes cannot shift an appointment.

use chrono::{
    DateTime, Datelike, Duration, LocalResult, NaiveDate, NaiveDateTime, NaiveTime, TimeZone, Utc,
    Weekday,
};
use chrono_tz::Tz;

/// Opening hours on one weekday, as wall-clock times in the practice's zone.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Hours {
    pub weekday: Weekday,
    pub start: NaiveTime,
    pub end: NaiveTime,
}

/// A provider's bookable week.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Template {
    pub zone: Tz,
    pub slot_minutes: i64,
    pub hours: Vec<Hours>,
    /// Unbookable stretches inside the hours (lunch), by weekday.
    pub breaks: Vec<Hours>,
    /// Whole days off, as local dates.
    pub days_off: Vec<NaiveDate>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Slot {
    pub start: i64,
    pub end: i64,
    /// The practice-local date the slot belongs to (the column of a week view).
    pub date: NaiveDate,
}

/// The local wall time as an instant. A time skipped by a spring-forward change does not
/// exist and yields `None`; a time repeated by a fall-back change means its first occurrence,
/// so no slot is produced twice.
fn instant(zone: Tz, local: NaiveDateTime) -> Option<i64> {
    match zone.from_local_datetime(&local) {
        LocalResult::Single(t) => Some(t.timestamp()),
        LocalResult::Ambiguous(first, _) => Some(first.timestamp()),
        LocalResult::None => None,
    }
}

/// Every slot the template offers on the `days` local dates from `from`, in order. Days are
/// calendar days in the practice's zone, so a week view always has seven of them, whatever
/// their length in hours.
pub fn slots(t: &Template, from: NaiveDate, days: u32) -> Vec<Slot> {
    let step = Duration::minutes(t.slot_minutes.max(1));
    let mut out = Vec::new();
    for date in from.iter_days().take(days as usize) {
        if t.days_off.contains(&date) {
            continue;
        }
        for h in t.hours.iter().filter(|h| h.weekday == date.weekday()) {
            let mut at = date.and_time(h.start);
            let close = date.and_time(h.end);
            while at + step <= close {
                let slot_end = at + step;
                let in_break = t.breaks.iter().any(|b| {
                    b.weekday == date.weekday()
                        && at < date.and_time(b.end)
                        && slot_end > date.and_time(b.start)
                });
                if !in_break {
                    if let (Some(start), Some(end)) =
                        (instant(t.zone, at), instant(t.zone, slot_end))
                    {
                        // A slot straddling a clock change would not last its length.
                        if end - start == step.num_seconds()
                            && out.last().is_none_or(|s: &Slot| s.start < start)
                        {
                            out.push(Slot { start, end, date });
                        }
                    }
                }
                at = slot_end;
            }
        }
    }
    out
}

/// "Tue, Mar 10, 2026, 9:00 AM EDT": an instant in the practice's zone, with its abbreviation.
pub fn format_instant(ts: i64, zone: Tz) -> String {
    match DateTime::<Utc>::from_timestamp(ts, 0) {
        Some(t) => t
            .with_timezone(&zone)
            .format("%a, %b %-d, %Y, %-I:%M %p %Z")
            .to_string(),
        None => String::new(),
    }
}

/// The first instant of a practice-local date (midnight, or the first hour that exists where
/// a clock change skips midnight).
pub fn local_midnight(date: NaiveDate, zone: Tz) -> Option<i64> {
    (0..3).find_map(|h| instant(zone, date.and_hms_opt(h, 0, 0)?))
}

/// The practice-local date an instant falls on.
pub fn local_date(ts: i64, zone: Tz) -> Option<NaiveDate> {
    DateTime::<Utc>::from_timestamp(ts, 0).map(|t| t.with_timezone(&zone).date_naive())
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono_tz::America::{Los_Angeles, New_York};

    fn hm(h: u32, m: u32) -> NaiveTime {
        NaiveTime::from_hms_opt(h, m, 0).unwrap()
    }

    fn date(m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, m, d).unwrap()
    }

    fn weekdays(zone: Tz, start: NaiveTime, end: NaiveTime) -> Template {
        Template {
            zone,
            slot_minutes: 30,
            hours: [
                Weekday::Mon,
                Weekday::Tue,
                Weekday::Wed,
                Weekday::Thu,
                Weekday::Fri,
            ]
            .into_iter()
            .map(|weekday| Hours {
                weekday,
                start,
                end,
            })
            .collect(),
            breaks: vec![],
            days_off: vec![],
        }
    }

    #[test]
    fn times_show_in_the_practice_zone_with_its_abbreviation() {
        let ts = Utc
            .with_ymd_and_hms(2026, 3, 10, 13, 0, 0)
            .unwrap()
            .timestamp();
        assert_eq!(
            format_instant(ts, New_York),
            "Tue, Mar 10, 2026, 9:00 AM EDT"
        );
        assert_eq!(
            format_instant(ts, Los_Angeles),
            "Tue, Mar 10, 2026, 6:00 AM PDT"
        );
        let winter = Utc
            .with_ymd_and_hms(2026, 1, 6, 14, 30, 0)
            .unwrap()
            .timestamp();
        assert_eq!(
            format_instant(winter, New_York),
            "Tue, Jan 6, 2026, 9:30 AM EST"
        );
        assert_eq!(
            local_date(
                Utc.with_ymd_and_hms(2026, 1, 7, 3, 0, 0)
                    .unwrap()
                    .timestamp(),
                Los_Angeles
            ),
            Some(date(1, 6))
        );
    }

    #[test]
    fn nine_am_stays_nine_am_across_spring_forward() {
        // The week of 2026-03-08, when New York springs forward on Sunday at 2 a.m.
        let t = weekdays(New_York, hm(9, 0), hm(12, 0));
        let week = slots(&t, date(3, 2), 14);
        assert_eq!(
            week.len(),
            10 * 6,
            "six slots a weekday, none missing, none doubled"
        );
        for s in &week {
            assert!(format_instant(s.start, New_York).contains(" AM "));
            assert_eq!(s.end - s.start, 1800);
        }
        let first_of = |d: NaiveDate| week.iter().find(|s| s.date == d).unwrap().start;
        assert_eq!(
            format_instant(first_of(date(3, 6)), New_York),
            "Fri, Mar 6, 2026, 9:00 AM EST"
        );
        assert_eq!(
            format_instant(first_of(date(3, 9)), New_York),
            "Mon, Mar 9, 2026, 9:00 AM EDT"
        );
        // Same wall-clock time, one hour less in UTC terms.
        assert_eq!(
            first_of(date(3, 9)) - first_of(date(3, 6)),
            3 * 86400 - 3600
        );
    }

    #[test]
    fn a_week_view_has_seven_calendar_days_even_with_a_short_or_long_one() {
        let mut t = weekdays(New_York, hm(9, 0), hm(10, 0));
        t.hours.push(Hours {
            weekday: Weekday::Sun,
            start: hm(9, 0),
            end: hm(10, 0),
        });
        for (from, label) in [
            (date(3, 8), "23-hour Sunday"),
            (date(11, 1), "25-hour Sunday"),
        ] {
            let week = slots(&t, from, 7);
            let mut dates: Vec<NaiveDate> = week.iter().map(|s| s.date).collect();
            dates.dedup();
            assert_eq!(
                dates.len(),
                6,
                "{label}: Sunday + five weekdays, Saturday closed"
            );
            assert_eq!(week.len(), 12, "{label}");
        }
    }

    /// Open 1:00–4:00 on a given Sunday, in 30-minute slots.
    fn night(d: NaiveDate) -> Vec<String> {
        let t = Template {
            zone: New_York,
            slot_minutes: 30,
            hours: vec![Hours {
                weekday: Weekday::Sun,
                start: hm(1, 0),
                end: hm(4, 0),
            }],
            breaks: vec![],
            days_off: vec![],
        };
        let out = slots(&t, d, 1);
        assert!(
            out.windows(2).all(|w| w[0].start < w[1].start),
            "in order, no duplicates"
        );
        assert!(
            out.iter().all(|s| s.end - s.start == 1800),
            "each lasts 30 real minutes"
        );
        out.iter()
            .map(|s| format_instant(s.start, New_York))
            .collect()
    }

    #[test]
    fn skipped_and_repeated_wall_times_give_no_bad_slots() {
        // Spring: 2:00–2:59 does not exist, so 1:30, 2:00 and 2:30 cannot be offered.
        assert_eq!(
            night(date(3, 8)),
            [
                "Sun, Mar 8, 2026, 1:00 AM EST",
                "Sun, Mar 8, 2026, 3:00 AM EDT",
                "Sun, Mar 8, 2026, 3:30 AM EDT"
            ]
        );
        // Fall: 1:00–1:59 happens twice. Each wall time is offered once (the first), and the
        // 1:30 slot, which would last 90 real minutes, is not offered.
        assert_eq!(
            night(date(11, 1)),
            [
                "Sun, Nov 1, 2026, 1:00 AM EDT",
                "Sun, Nov 1, 2026, 2:00 AM EST",
                "Sun, Nov 1, 2026, 2:30 AM EST",
                "Sun, Nov 1, 2026, 3:00 AM EST",
                "Sun, Nov 1, 2026, 3:30 AM EST"
            ]
        );
    }

    #[test]
    fn breaks_and_days_off_are_not_bookable() {
        let mut t = weekdays(Los_Angeles, hm(9, 0), hm(17, 0));
        t.breaks = vec![Hours {
            weekday: Weekday::Tue,
            start: hm(12, 0),
            end: hm(13, 0),
        }];
        t.days_off = vec![date(3, 11)];
        let week = slots(&t, date(3, 9), 5);
        let on = |d| week.iter().filter(|s| s.date == d).count();
        assert_eq!(on(date(3, 9)), 16);
        assert_eq!(on(date(3, 10)), 14, "lunch removed");
        assert_eq!(on(date(3, 11)), 0, "day off");
        assert!(week
            .iter()
            .filter(|s| s.date == date(3, 10))
            .all(|s| !format_instant(s.start, Los_Angeles).contains("12:")));
    }
}
