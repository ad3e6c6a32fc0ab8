//! Free slots: a provider's weekly template minus the slots appointments hold.

use chrono::{Datelike, Duration, NaiveDate, NaiveTime, Weekday};
use chrono_tz::Tz;
use sqlx::{AnyConnection, Row};

use super::store;
use crate::ssr::schedule::{self, Hours, Slot, Template};

fn weekday(n: i64) -> Weekday {
    match n {
        0 => Weekday::Mon,
        1 => Weekday::Tue,
        2 => Weekday::Wed,
        3 => Weekday::Thu,
        4 => Weekday::Fri,
        5 => Weekday::Sat,
        _ => Weekday::Sun,
    }
}

fn time(minute: i64) -> NaiveTime {
    // 1440 (midnight at the end of the day) is the last representable instant of the day.
    let m = minute.clamp(0, 1439) as u32;
    let t = NaiveTime::from_hms_opt(m / 60, m % 60, 0).unwrap_or(NaiveTime::MIN);
    if minute >= 1440 {
        NaiveTime::from_hms_opt(23, 59, 59).unwrap_or(t)
    } else {
        t
    }
}

/// A provider's practice and its zone.
pub async fn provider_zone(
    conn: &mut AnyConnection,
    provider_id: i64,
) -> Result<Option<(i64, Tz)>, sqlx::Error> {
    let row = sqlx::query(
        "SELECT p.id, p.time_zone FROM providers v JOIN practices p ON p.id = v.practice_id WHERE v.id = $1",
    )
    .bind(provider_id)
    .fetch_optional(conn)
    .await?;
    row.map(|r| {
        let z: String = r.try_get(1)?;
        Ok((r.try_get(0)?, store::zone(&z)))
    })
    .transpose()
}

/// The provider's bookable week, or `None` when the provider has no schedule.
pub async fn template(
    conn: &mut AnyConnection,
    provider_id: i64,
) -> Result<Option<Template>, sqlx::Error> {
    let found: Option<(String, i64)> = sqlx::query_as(
        "SELECT p.time_zone, s.slot_minutes FROM provider_schedules s \
         JOIN providers v ON v.id = s.provider_id JOIN practices p ON p.id = v.practice_id \
         WHERE s.provider_id = $1",
    )
    .bind(provider_id)
    .fetch_optional(&mut *conn)
    .await?;
    let Some((zone, slot_minutes)) = found else {
        return Ok(None);
    };
    let zone = store::zone(&zone);
    // Hours, breaks and days off in one round trip.
    let rows = sqlx::query(
        "SELECT kind, weekday, start_minute, end_minute, '' FROM provider_hours WHERE provider_id = $1 \
         UNION ALL \
         SELECT 'off', CAST(0 AS BIGINT), CAST(0 AS BIGINT), CAST(0 AS BIGINT), day FROM provider_days_off WHERE provider_id = $1",
    )
    .bind(provider_id)
    .fetch_all(&mut *conn)
    .await?;
    let mut hours = Vec::new();
    let mut breaks = Vec::new();
    let mut days_off = Vec::new();
    for r in rows {
        let kind: String = r.try_get(0)?;
        if kind == "off" {
            let day: String = r.try_get(4)?;
            days_off.extend(day.parse::<NaiveDate>().ok());
            continue;
        }
        let h = Hours {
            weekday: weekday(r.try_get(1)?),
            start: time(r.try_get(2)?),
            end: time(r.try_get(3)?),
        };
        if kind == "break" {
            breaks.push(h);
        } else {
            hours.push(h);
        }
    }
    // Slot generation walks the hours of a day in order.
    hours.sort_by_key(|h| (h.weekday.num_days_from_monday(), h.start));
    breaks.sort_by_key(|h| (h.weekday.num_days_from_monday(), h.start));
    Ok(Some(Template {
        zone,
        slot_minutes,
        hours,
        breaks,
        days_off,
    }))
}

/// The times appointments hold between two instants: booked times, and times waiting for an
/// answer.
async fn held(
    conn: &mut AnyConnection,
    provider_id: i64,
    from: i64,
    to: i64,
) -> Result<Vec<(i64, i64)>, sqlx::Error> {
    sqlx::query_as(
        "SELECT starts_at, ends_at FROM appointments WHERE provider_id = $1 \
         AND state IN ('requested', 'confirmed', 'cancellation_requested', 'reschedule_requested', 'proposed') \
         AND starts_at > $2 - 86400 AND starts_at < $3 AND ends_at > $2 \
         UNION ALL \
         SELECT pending_starts_at, pending_ends_at FROM appointments WHERE provider_id = $1 \
         AND pending_starts_at > $2 - 86400 AND pending_starts_at < $3 AND pending_ends_at > $2",
    )
    .bind(provider_id)
    .bind(from)
    .bind(to)
    .fetch_all(conn)
    .await
}

/// The Monday of the practice-local week containing `date`.
pub fn monday(date: NaiveDate) -> NaiveDate {
    date - Duration::days(i64::from(date.weekday().num_days_from_monday()))
}

/// The free slots of `days` local days from `from` that start after `not_before`.
pub async fn free_slots(
    conn: &mut AnyConnection,
    provider_id: i64,
    t: &Template,
    from: NaiveDate,
    days: u32,
    not_before: i64,
) -> Result<Vec<Slot>, sqlx::Error> {
    let all = schedule::slots(t, from, days);
    let (Some(first), Some(last)) = (all.first(), all.last()) else {
        return Ok(all);
    };
    let taken = held(conn, provider_id, first.start, last.end).await?;
    Ok(all
        .into_iter()
        .filter(|s| s.start >= not_before && !taken.iter().any(|t| s.start < t.1 && s.end > t.0))
        .collect())
}

/// The template's slot starting exactly at `start`, if there is one (taken or not).
pub fn slot_at(t: &Template, start: i64) -> Option<Slot> {
    let date = schedule::local_date(start, t.zone)?;
    // A slot belongs to the local date it starts on; look at that day only.
    schedule::slots(t, date, 1)
        .into_iter()
        .find(|s| s.start == start)
}
