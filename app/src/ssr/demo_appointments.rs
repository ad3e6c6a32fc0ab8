//! Demo schedules, policies and appointments: every state, at both practices, for the demo
//! patient and her daughter, including two just inside and just outside Harbor's 24-hour
//! cancellation window. Times are relative to the moment of seeding.

use chrono::{DateTime, Datelike, Duration, NaiveTime, Utc};
use chrono_tz::Tz;
use sqlx::AnyConnection;

use super::appointments::{
    store,
    transition::{self, By, EventRow},
};
use crate::{
    domain::{
        appointment::State,
        policy::{Approval, Policy},
    },
    model::StaffRole,
};

pub struct Ids {
    pub riverside: i64,
    pub harbor: i64,
    pub patel: i64,
    pub okafor: i64,
    pub alvarez: i64,
    pub kim: i64,
    pub emma_riverside: i64,
    pub emma_harbor: i64,
    pub lily_harbor: i64,
    pub account: i64,
}

/// Riverside asks for approval of everything.
pub const RIVERSIDE_POLICY: Policy = Policy {
    online_booking: true,
    online_cancellation: true,
    online_rescheduling: true,
    booking_notice_hours: 24,
    cancellation_notice_hours: 24,
    reschedule_notice_hours: 24,
    cancellation_approval: Approval::Always,
    reschedule_approval: Approval::Always,
    late_cancellation_fee_cents: 0,
    no_show_fee_cents: 0,
};

/// Harbor is instant outside 24 hours and charges $50 for a late cancellation.
pub const HARBOR_POLICY: Policy = Policy {
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

async fn hours(
    c: &mut AnyConnection,
    provider: i64,
    weekdays: std::ops::Range<i64>,
    open: (i64, i64),
    lunch: Option<(i64, i64)>,
    now: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query("INSERT INTO provider_schedules (provider_id, slot_minutes, updated_at) VALUES ($1, 30, $2)")
        .bind(provider)
        .bind(now)
        .execute(&mut *c)
        .await?;
    for wd in weekdays {
        let mut rows = vec![("hours", open)];
        rows.extend(lunch.map(|l| ("break", l)));
        for (kind, (s, e)) in rows {
            sqlx::query("INSERT INTO provider_hours (provider_id, kind, weekday, start_minute, end_minute) VALUES ($1, $2, $3, $4, $5)")
                .bind(provider)
                .bind(kind)
                .bind(wd)
                .bind(s * 60)
                .bind(e * 60)
                .execute(&mut *c)
                .await?;
        }
    }
    Ok(())
}

/// Every demo appointment starts within this many days of the seeding instant: tests that need
/// an empty calendar look beyond it, so the demo data can change without breaking them.
pub const HORIZON_DAYS: i64 = 28;

/// `days` from now (moved on to the next weekday Monday to Friday, when all demo providers
/// work) at `hour`:00 practice-local time.
fn at(now: i64, zone: Tz, days: i64, hour: u32) -> i64 {
    let mut local = DateTime::<Utc>::from_timestamp(now, 0)
        .unwrap_or_default()
        .with_timezone(&zone)
        .date_naive()
        + Duration::days(days);
    while local.weekday().num_days_from_monday() >= 5 {
        local += Duration::days(1);
    }
    let t = local.and_time(NaiveTime::from_hms_opt(hour, 0, 0).unwrap_or(NaiveTime::MIN));
    t.and_local_timezone(zone)
        .earliest()
        .map_or(now + days * 86_400, |t| t.timestamp())
}

/// Round down to the half hour.
fn half_hour(ts: i64) -> i64 {
    ts - ts.rem_euclid(1800)
}

struct Demo<'a> {
    chart: i64,
    provider: i64,
    practice: i64,
    start: i64,
    state: State,
    reason: &'a str,
    policy: Policy,
    pending: Option<i64>,
    /// The history after booking: (who, action code, state reached, reason, note).
    steps: Vec<(&'a By, &'a str, State, &'a str, &'a str)>,
}

async fn appointment(
    c: &mut AnyConnection,
    d: Demo<'_>,
    booker: &By,
    account: i64,
    now: i64,
) -> Result<(), sqlx::Error> {
    let policy = serde_json::to_string(&d.policy).unwrap_or_default();
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO appointments (chart_id, practice_id, provider_id, starts_at, ends_at, pending_starts_at, pending_ends_at, state, visit_reason, policy, booked_by, version, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, 1, $12, $12) RETURNING id",
    )
    .bind(d.chart)
    .bind(d.practice)
    .bind(d.provider)
    .bind(d.start)
    .bind(d.start + 1800)
    .bind(d.pending)
    .bind(d.pending.map(|p| p + 1800))
    .bind(d.state.as_str())
    .bind(d.reason)
    .bind(policy)
    .bind(account)
    .bind(now - 3 * 86_400)
    .fetch_one(&mut *c)
    .await?;
    if d.state.holds_slot() {
        transition::hold(c, d.provider, (d.start, d.start + 1800), id).await?;
        if let Some(p) = d.pending {
            transition::hold(c, d.provider, (p, p + 1800), id).await?;
        }
    }
    let mut from = None;
    let mut to = State::Requested;
    let mut at = now - 3 * 86_400;
    let mut steps = vec![(booker, "book", State::Requested, "", "")];
    steps.extend(d.steps);
    for (by, action, reached, reason, note) in steps {
        transition::event(
            c,
            EventRow {
                appointment_id: id,
                now: at,
                by,
                action,
                from,
                to: reached,
                starts_at: if action == "propose_time" || action == "request_reschedule" {
                    d.pending.unwrap_or(d.start)
                } else {
                    d.start
                },
                reason,
                note,
            },
        )
        .await?;
        from = Some(reached);
        to = reached;
        at += 3600;
    }
    debug_assert_eq!(to, d.state);
    Ok(())
}

pub async fn seed(c: &mut AnyConnection, ids: Ids, now: i64) -> Result<(), sqlx::Error> {
    for (practice, policy) in [
        (ids.riverside, RIVERSIDE_POLICY),
        (ids.harbor, HARBOR_POLICY),
    ] {
        store::save_policy(c, practice, None, &policy, now).await?;
    }
    for p in [ids.patel, ids.okafor] {
        hours(c, p, 0..5, (9, 17), Some((12, 13)), now).await?;
    }
    // Harbor sees patients six days a week, without a lunch break.
    for p in [ids.alvarez, ids.kim] {
        hours(c, p, 0..6, (8, 18), None, now).await?;
    }

    let ny: Tz = store::zone("America/New_York");
    let la: Tz = store::zone("America/Los_Angeles");
    let emma = By::Patient {
        account_id: ids.account,
        name: "Emma Carter".into(),
        representative: false,
    };
    let emma_for_lily = By::Patient {
        account_id: ids.account,
        name: "Emma Carter".into(),
        representative: true,
    };
    let staff_id = |username: &'static str| {
        sqlx::query_scalar::<_, i64>("SELECT id FROM staff_accounts WHERE username = $1")
            .bind(username)
    };
    let office = By::Staff {
        staff_id: staff_id(super::demo::ADMIN_USERNAME)
            .fetch_one(&mut *c)
            .await?,
        name: "Priya Shah".into(),
        role: StaffRole::Admin,
    };
    let harbor_office = By::Staff {
        staff_id: staff_id(super::demo::HARBOR_ADMIN_USERNAME)
            .fetch_one(&mut *c)
            .await?,
        name: "Noah Brooks".into(),
        role: StaffRole::Admin,
    };
    use State as S;
    let riverside = |chart, provider, start, state, reason| Demo {
        chart,
        provider,
        practice: ids.riverside,
        start,
        state,
        reason,
        policy: RIVERSIDE_POLICY,
        pending: None,
        steps: vec![],
    };
    let harbor = |chart, provider, start, state, reason| Demo {
        chart,
        provider,
        practice: ids.harbor,
        start,
        state,
        reason,
        policy: HARBOR_POLICY,
        pending: None,
        steps: vec![],
    };
    let (er, eh, lh) = (ids.emma_riverside, ids.emma_harbor, ids.lily_harbor);
    let confirm = (&office, "confirm", S::Confirmed, "", "");
    let h_confirm = (&harbor_office, "confirm", S::Confirmed, "", "");
    let demos = vec![
        Demo {
            steps: vec![confirm],
            ..riverside(
                er,
                ids.patel,
                at(now, ny, 10, 9),
                S::Confirmed,
                "Annual physical",
            )
        },
        riverside(
            er,
            ids.okafor,
            at(now, ny, 12, 11),
            S::Requested,
            "Follow-up on blood pressure",
        ),
        Demo {
            steps: vec![
                confirm,
                (
                    &emma,
                    "request_cancellation",
                    S::CancellationRequested,
                    "Schedule conflict",
                    "",
                ),
            ],
            ..riverside(
                er,
                ids.patel,
                at(now, ny, 15, 14),
                S::CancellationRequested,
                "Flu shot",
            )
        },
        Demo {
            pending: Some(at(now, ny, 17, 15)),
            steps: vec![
                confirm,
                (&emma, "request_reschedule", S::RescheduleRequested, "", ""),
            ],
            ..riverside(
                er,
                ids.okafor,
                at(now, ny, 16, 10),
                S::RescheduleRequested,
                "Heart check",
            )
        },
        Demo {
            pending: Some(at(now, ny, 20, 16)),
            steps: vec![
                confirm,
                (
                    &office,
                    "propose_time",
                    S::Proposed,
                    "Provider unavailable",
                    "Dr. Patel is away that morning; could you come in the afternoon instead?",
                ),
            ],
            ..riverside(er, ids.patel, at(now, ny, 19, 9), S::Proposed, "Skin check")
        },
        Demo {
            steps: vec![
                confirm,
                (
                    &emma,
                    "request_cancellation",
                    S::CancellationRequested,
                    "Feeling better",
                    "",
                ),
                (&office, "approve_cancellation", S::Cancelled, "", ""),
            ],
            ..riverside(er, ids.okafor, at(now, ny, 8, 13), S::Cancelled, "Cough")
        },
        Demo {
            steps: vec![(
                &office,
                "decline",
                S::Declined,
                "Dr. Okafor is not taking new cardiology patients this month.",
                "",
            )],
            ..riverside(
                er,
                ids.okafor,
                at(now, ny, 9, 15),
                S::Declined,
                "Palpitations",
            )
        },
        Demo {
            steps: vec![confirm, (&office, "complete", S::Completed, "", "")],
            ..riverside(
                er,
                ids.patel,
                at(now, ny, -14, 10),
                S::Completed,
                "Sinus infection",
            )
        },
        Demo {
            steps: vec![confirm, (&office, "no_show", S::NoShow, "", "")],
            ..riverside(er, ids.okafor, at(now, ny, -30, 9), S::NoShow, "Lab review")
        },
        // Harbor: one inside the 24-hour window (a request, "Charges may apply $50.00") and
        // one outside it (cancelled at once).
        Demo {
            steps: vec![h_confirm],
            ..harbor(
                eh,
                ids.kim,
                half_hour(now + 20 * 3600),
                S::Confirmed,
                "Rash",
            )
        },
        Demo {
            steps: vec![h_confirm],
            ..harbor(
                eh,
                ids.kim,
                half_hour(now + 30 * 3600),
                S::Confirmed,
                "Mole check",
            )
        },
        Demo {
            steps: vec![h_confirm],
            ..harbor(
                eh,
                ids.kim,
                at(now, la, 6, 10),
                S::Confirmed,
                "Allergy follow-up",
            )
        },
        Demo {
            steps: vec![h_confirm],
            ..harbor(
                lh,
                ids.alvarez,
                at(now, la, 5, 15),
                S::Confirmed,
                "School check-up",
            )
        },
        harbor(
            lh,
            ids.alvarez,
            at(now, la, 11, 8),
            S::Requested,
            "Vaccinations",
        ),
        Demo {
            steps: vec![
                h_confirm,
                (&harbor_office, "complete", S::Completed, "", ""),
            ],
            ..harbor(
                lh,
                ids.alvarez,
                at(now, la, -21, 9),
                S::Completed,
                "Ear ache",
            )
        },
    ];
    for d in demos {
        let booker = if d.chart == lh { &emma_for_lily } else { &emma };
        appointment(c, d, booker, ids.account, now).await?;
    }
    Ok(())
}
