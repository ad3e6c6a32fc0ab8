//! An iCalendar (.ics) file for one appointment, in the practice's zone. The file carries its
//! own VTIMEZONE with that year's clock changes, so calendars show the visit at the
//! practice's wall-clock time whatever the device's zone.

use chrono::{DateTime, Datelike, Duration, NaiveDateTime, Offset, TimeZone, Utc};
use chrono_tz::Tz;

pub struct Event<'a> {
    pub uid: &'a str,
    pub start: i64,
    pub end: i64,
    pub summary: &'a str,
    pub location: &'a str,
    pub description: &'a str,
}

/// Text escaped for an iCalendar property value.
fn text(s: &str) -> String {
    s.replace('\\', "\\\\")
        .replace(';', "\\;")
        .replace(',', "\\,")
        .replace("\r\n", "\\n")
        .replace('\n', "\\n")
}

fn utc(ts: i64) -> DateTime<Utc> {
    DateTime::<Utc>::from_timestamp(ts, 0).unwrap_or_default()
}

fn offset_secs(zone: Tz, ts: i64) -> i32 {
    zone.offset_from_utc_datetime(&utc(ts).naive_utc())
        .fix()
        .local_minus_utc()
}

fn hhmm(secs: i32) -> String {
    let sign = if secs < 0 { '-' } else { '+' };
    let m = secs.abs() / 60;
    format!("{sign}{:02}{:02}", m / 60, m % 60)
}

/// The instants in `year` where the zone's offset changes, found day by day and then to the
/// second.
fn transitions(zone: Tz, year: i32) -> Vec<i64> {
    let Some(start) = Utc.with_ymd_and_hms(year, 1, 1, 0, 0, 0).single() else {
        return Vec::new();
    };
    let mut out = Vec::new();
    let mut day = start.timestamp();
    let end = start.timestamp() + 366 * 86_400;
    while day < end {
        let next = day + 86_400;
        if offset_secs(zone, day) != offset_secs(zone, next) {
            let (mut lo, mut hi) = (day, next);
            while hi - lo > 1 {
                let mid = lo + (hi - lo) / 2;
                if offset_secs(zone, mid) == offset_secs(zone, day) {
                    lo = mid;
                } else {
                    hi = mid;
                }
            }
            out.push(hi);
        }
        day = next;
    }
    out
}

fn local(ts: i64, zone: Tz) -> NaiveDateTime {
    utc(ts).with_timezone(&zone).naive_local()
}

fn stamp(t: NaiveDateTime) -> String {
    t.format("%Y%m%dT%H%M%S").to_string()
}

fn vtimezone(zone: Tz, year: i32) -> Vec<String> {
    let mut lines = vec![
        "BEGIN:VTIMEZONE".to_string(),
        format!("TZID:{}", zone.name()),
    ];
    let changes = transitions(zone, year);
    let jan = Utc
        .with_ymd_and_hms(year, 1, 1, 0, 0, 0)
        .single()
        .map_or(0, |t| t.timestamp());
    if changes.is_empty() {
        let off = offset_secs(zone, jan);
        let name = utc(jan).with_timezone(&zone).format("%Z").to_string();
        lines.extend([
            "BEGIN:STANDARD".into(),
            format!("DTSTART:{}0101T000000", year),
            format!("TZOFFSETFROM:{}", hhmm(off)),
            format!("TZOFFSETTO:{}", hhmm(off)),
            format!("TZNAME:{name}"),
            "END:STANDARD".into(),
        ]);
    }
    for at in changes {
        let (from, to) = (offset_secs(zone, at - 1), offset_secs(zone, at));
        let kind = if to > from { "DAYLIGHT" } else { "STANDARD" };
        let name = utc(at).with_timezone(&zone).format("%Z").to_string();
        // DTSTART is the wall time, in the offset in force before the change.
        let wall = utc(at).naive_utc() + Duration::seconds(i64::from(from));
        lines.extend([
            format!("BEGIN:{kind}"),
            format!("DTSTART:{}", stamp(wall)),
            format!("TZOFFSETFROM:{}", hhmm(from)),
            format!("TZOFFSETTO:{}", hhmm(to)),
            format!("TZNAME:{name}"),
            format!("END:{kind}"),
        ]);
    }
    lines.push("END:VTIMEZONE".into());
    lines
}

/// Fold a content line at 75 octets, as RFC 5545 asks.
fn fold(line: &str) -> String {
    let mut out = String::new();
    let mut width = 0;
    for ch in line.chars() {
        let n = ch.len_utf8();
        if width + n > 75 {
            out.push_str("\r\n ");
            width = 1;
        }
        out.push(ch);
        width += n;
    }
    out
}

pub fn render(e: &Event<'_>, zone: Tz, now: i64) -> String {
    let year = local(e.start, zone).year();
    let mut lines = vec![
        "BEGIN:VCALENDAR".to_string(),
        "VERSION:2.0".into(),
        "PRODID:-//Portico//Appointments//EN".into(),
        "CALSCALE:GREGORIAN".into(),
        "METHOD:PUBLISH".into(),
    ];
    lines.extend(vtimezone(zone, year));
    lines.extend([
        "BEGIN:VEVENT".to_string(),
        format!("UID:{}", e.uid),
        format!("DTSTAMP:{}Z", stamp(utc(now).naive_utc())),
        format!(
            "DTSTART;TZID={}:{}",
            zone.name(),
            stamp(local(e.start, zone))
        ),
        format!("DTEND;TZID={}:{}", zone.name(), stamp(local(e.end, zone))),
        format!("SUMMARY:{}", text(e.summary)),
        format!("LOCATION:{}", text(e.location)),
        format!("DESCRIPTION:{}", text(e.description)),
        "END:VEVENT".into(),
        "END:VCALENDAR".into(),
    ]);
    let mut out = String::new();
    for l in lines {
        out.push_str(&fold(&l));
        out.push_str("\r\n");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono_tz::America::New_York;

    fn ts(y: i32, m: u32, d: u32, h: u32, min: u32) -> i64 {
        Utc.with_ymd_and_hms(y, m, d, h, min, 0)
            .unwrap()
            .timestamp()
    }

    #[test]
    fn nine_am_new_york_after_the_spring_change_is_written_as_local_nine() {
        // 2026-03-10 09:00 EDT is 13:00 UTC.
        let start = ts(2026, 3, 10, 13, 0);
        let ics = render(
            &Event {
                uid: "appointment-1@portico",
                start,
                end: start + 1800,
                summary: "Appointment with Dr. Maya Patel",
                location: "Riverside Family Medicine",
                description: "Call, if needed",
            },
            New_York,
            ts(2026, 3, 1, 0, 0),
        );
        assert!(ics.contains("DTSTART;TZID=America/New_York:20260310T090000\r\n"));
        assert!(ics.contains("DTEND;TZID=America/New_York:20260310T093000\r\n"));
        assert!(ics.contains("TZID:America/New_York\r\n"));
        // The two 2026 changes: 2 AM EST on Mar 8 and 2 AM EDT on Nov 1.
        assert!(ics.contains("BEGIN:DAYLIGHT\r\nDTSTART:20260308T020000\r\nTZOFFSETFROM:-0500\r\nTZOFFSETTO:-0400\r\nTZNAME:EDT"));
        assert!(ics.contains("BEGIN:STANDARD\r\nDTSTART:20261101T020000\r\nTZOFFSETFROM:-0400\r\nTZOFFSETTO:-0500\r\nTZNAME:EST"));
        assert!(ics.contains("DESCRIPTION:Call\\, if needed"));
        assert!(ics.ends_with("END:VCALENDAR\r\n"));
    }

    #[test]
    fn long_lines_are_folded() {
        let long = "x".repeat(200);
        let folded = fold(&format!("SUMMARY:{long}"));
        assert!(folded.split("\r\n").all(|l| l.len() <= 75));
        assert_eq!(folded.replace("\r\n ", ""), format!("SUMMARY:{long}"));
    }

    #[test]
    fn a_zone_without_changes_gets_one_standard_observance() {
        let tokyo: Tz = "Asia/Tokyo".parse().unwrap();
        let lines = vtimezone(tokyo, 2026);
        assert!(lines.contains(&"TZOFFSETTO:+0900".to_string()));
        assert_eq!(lines.iter().filter(|l| l.starts_with("BEGIN:")).count(), 2);
    }
}
