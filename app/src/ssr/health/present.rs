//! Writing record values the way the page shows them: dates, statuses, numbers with units,
//! ranges and the vitals chart. Pure functions, so the page and every download agree.

use chrono::NaiveDate;

use crate::model::health::DateFilter;

/// "2024-03-05" as "Mar 5, 2024"; anything else as written.
pub fn date(iso: &str) -> String {
    NaiveDate::parse_from_str(iso, "%Y-%m-%d")
        .map(|d| d.format("%b %-d, %Y").to_string())
        .unwrap_or_else(|_| iso.to_string())
}

/// A FHIR status code in words: "on-hold" is "On hold".
pub fn status(code: &str) -> String {
    let words = code.replace('-', " ");
    let mut chars = words.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// A number as a person writes it: no trailing zeros, no float noise (0.1 + 0.2 is "0.3").
pub fn number(x: f64) -> String {
    let rounded = (x * 10_000.0).round() / 10_000.0;
    let s = format!("{rounded}");
    if s == "-0" {
        "0".into()
    } else {
        s
    }
}

pub fn with_unit(x: f64, unit: &str) -> String {
    if unit.is_empty() {
        number(x)
    } else if unit == "%" {
        format!("{}%", number(x))
    } else {
        format!("{} {unit}", number(x))
    }
}

/// "70–99 mg/dL", "< 200 mg/dL", "> 40 mg/dL", or the lab's own words.
pub fn range(low: Option<f64>, high: Option<f64>, text: &str, unit: &str) -> String {
    let u = if unit.is_empty() || unit == "%" {
        unit.to_string()
    } else {
        format!(" {unit}")
    };
    match (low, high) {
        (Some(l), Some(h)) => format!("{}–{}{u}", number(l), number(h)),
        (None, Some(h)) => format!("< {}{u}", number(h)),
        (Some(l), None) => format!("> {}{u}", number(l)),
        (None, None) => text.to_string(),
    }
}

/// The checked filter: one day (`from` alone), a range, or everything. Dates are ISO days.
pub fn filter(from: &str, to: &str) -> Result<(Option<String>, Option<String>), &'static str> {
    let parse = |s: &str| -> Result<Option<NaiveDate>, &'static str> {
        let s = s.trim();
        if s.is_empty() {
            return Ok(None);
        }
        NaiveDate::parse_from_str(s, "%Y-%m-%d")
            .map(Some)
            .map_err(|_| "Enter dates as year-month-day, for example 2024-03-05.")
    };
    let (f, t) = (parse(from)?, parse(to)?);
    match (f, t) {
        (Some(f), Some(t)) if f > t => Err("The start date is after the end date."),
        (Some(f), None) => Ok((Some(f.to_string()), Some(f.to_string()))),
        (f, t) => Ok((f.map(|d| d.to_string()), t.map(|d| d.to_string()))),
    }
}

/// The filter in words for the page and every download.
pub fn filter_label(f: &DateFilter) -> String {
    match (f.from.as_str(), f.to.as_str()) {
        ("", "") => String::new(),
        (a, b) if a == b => format!("On {}", date(a)),
        ("", b) => format!("Up to {}", date(b)),
        (a, "") => format!("From {}", date(a)),
        (a, b) => format!("From {} to {}", date(a), date(b)),
    }
}

/// An SVG polyline for `points` (day, value), oldest first, in a 300 × 100 box with a margin,
/// spaced by time so that a gap of years looks like one.
pub fn polyline(points: &[(NaiveDate, f64)]) -> String {
    let (Some(first), Some(last)) = (points.first(), points.last()) else {
        return String::new();
    };
    let span_days = (last.0 - first.0).num_days().max(1) as f64;
    let lo = points.iter().map(|p| p.1).fold(f64::INFINITY, f64::min);
    let hi = points.iter().map(|p| p.1).fold(f64::NEG_INFINITY, f64::max);
    let spread = if hi > lo { hi - lo } else { 1.0 };
    points
        .iter()
        .map(|(d, v)| {
            let x = if points.len() == 1 {
                150.0
            } else {
                10.0 + 280.0 * (*d - first.0).num_days() as f64 / span_days
            };
            let y = if hi > lo {
                90.0 - 80.0 * (v - lo) / spread
            } else {
                50.0
            };
            format!("{x:.1},{y:.1}")
        })
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_statuses_and_numbers_read_as_words() {
        assert_eq!(date("2024-03-05"), "Mar 5, 2024");
        assert_eq!(status("on-hold"), "On hold");
        assert_eq!(status(""), "");
        assert_eq!(number(128.0), "128");
        assert_eq!(number(0.1 + 0.2), "0.3");
        assert_eq!(with_unit(5.9, "%"), "5.9%");
        assert_eq!(with_unit(98.0, "mg/dL"), "98 mg/dL");
        assert_eq!(range(Some(70.0), Some(99.0), "", "mg/dL"), "70–99 mg/dL");
        assert_eq!(range(None, Some(200.0), "", "mg/dL"), "< 200 mg/dL");
        assert_eq!(range(None, None, "Negative", ""), "Negative");
    }

    #[test]
    fn a_filter_is_a_day_a_range_or_everything() {
        assert_eq!(filter("", ""), Ok((None, None)));
        let day = Some("2024-03-05".to_string());
        assert_eq!(filter("2024-03-05", ""), Ok((day.clone(), day.clone())));
        assert_eq!(filter("", "2024-03-05"), Ok((None, day)));
        assert!(filter("2024-03-06", "2024-03-05").is_err());
        assert!(filter("03/05/2024", "").is_err());
        let f = DateFilter {
            from: "2024-01-01".into(),
            to: "2024-12-31".into(),
        };
        assert_eq!(filter_label(&f), "From Jan 1, 2024 to Dec 31, 2024");
    }

    #[test]
    fn the_chart_spans_its_box_by_time_and_value() {
        let d = |s| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap_or_default();
        let line = polyline(&[
            (d("2020-01-01"), 100.0),
            (d("2020-01-03"), 150.0),
            (d("2020-01-05"), 120.0),
        ]);
        assert_eq!(line, "10.0,90.0 150.0,10.0 290.0,58.0");
        assert_eq!(polyline(&[(d("2020-01-01"), 7.0)]), "150.0,50.0");
        assert_eq!(polyline(&[]), "");
    }
}
