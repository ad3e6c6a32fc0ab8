//! Reading FHIR R4 JSON: small accessors over `serde_json::Value`, so that one resource type's
//! extraction reads as the fields it needs. FHIR is wide and mostly optional; these never panic
//! and treat a field of the wrong shape as absent.

use serde_json::Value;

/// A field by path, e.g. `get(r, &["code", "text"])`; array steps take the first element.
pub fn get<'a>(v: &'a Value, path: &[&str]) -> Option<&'a Value> {
    let mut cur = v;
    for key in path {
        cur = match cur {
            Value::Array(items) => items.first()?.get(key)?,
            other => other.get(key)?,
        };
    }
    match cur {
        Value::Array(items) => items.first(),
        other => Some(other),
    }
}

pub fn text<'a>(v: &'a Value, path: &[&str]) -> Option<&'a str> {
    get(v, path)?
        .as_str()
        .map(str::trim)
        .filter(|s| !s.is_empty())
}

pub fn number(v: &Value, path: &[&str]) -> Option<f64> {
    get(v, path)?.as_f64()
}

pub fn array<'a>(v: &'a Value, key: &str) -> &'a [Value] {
    v.get(key)
        .and_then(Value::as_array)
        .map_or(&[], Vec::as_slice)
}

/// The words for a CodeableConcept: a coding's display, else its text.
pub fn concept_words(c: &Value) -> Option<String> {
    array(c, "coding")
        .iter()
        .find_map(|coding| text(coding, &["display"]))
        .or_else(|| text(c, &["text"]))
        .map(str::to_string)
}

/// The first coding's (system, code), for matching a test's history and for export.
pub fn concept_code(c: &Value) -> (String, String) {
    array(c, "coding")
        .iter()
        .find_map(|coding| {
            Some((
                text(coding, &["system"]).unwrap_or_default().to_string(),
                text(coding, &["code"])?.to_string(),
            ))
        })
        .unwrap_or_default()
}

/// The name of a code system, for an entry whose code came without words.
pub fn system_name(system: &str) -> &str {
    match system {
        "http://snomed.info/sct" => "SNOMED CT",
        "http://www.nlm.nih.gov/research/umls/rxnorm" => "RxNorm",
        "http://hl7.org/fhir/sid/cvx" => "CVX",
        "http://loinc.org" => "LOINC",
        "http://hl7.org/fhir/sid/icd-10-cm" => "ICD-10-CM",
        "" => "no code system",
        other => other,
    }
}

/// Whether any coding of any of the concepts at `key` has one of `codes`.
pub fn has_code(v: &Value, key: &str, codes: &[&str]) -> bool {
    let concepts: Vec<&Value> = match v.get(key) {
        Some(Value::Array(items)) => items.iter().collect(),
        Some(one) => vec![one],
        None => vec![],
    };
    concepts.iter().any(|c| {
        array(c, "coding")
            .iter()
            .any(|coding| text(coding, &["code"]).is_some_and(|code| codes.contains(&code)))
    })
}

/// The day a FHIR date or dateTime falls on as written (`2024-03-05T10:00:00-05:00` is the 5th):
/// the clinic's own date for the event, which is what a patient filters by. A year or a month
/// alone is taken as its first day.
pub fn day_of(s: &str) -> Option<String> {
    let s = s.trim();
    let valid = |y: &str, m: &str, d: &str| {
        y.len() == 4
            && y.bytes().all(|b| b.is_ascii_digit())
            && m.parse::<u32>().is_ok_and(|m| (1..=12).contains(&m))
            && m.len() == 2
            && d.len() == 2
            && d.parse::<u32>().is_ok_and(|d| (1..=31).contains(&d))
    };
    let (y, m, d) = match s.len() {
        4 => (s, "01", "01"),
        7 => (s.get(..4)?, s.get(5..7)?, "01"),
        n if n >= 10 => (s.get(..4)?, s.get(5..7)?, s.get(8..10)?),
        _ => return None,
    };
    valid(y, m, d).then(|| format!("{y}-{m}-{d}"))
}

/// The first of several date fields that is present and valid, as a day.
pub fn first_day(v: &Value, paths: &[&[&str]]) -> Option<String> {
    paths.iter().find_map(|p| text(v, p).and_then(day_of))
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn paths_step_into_first_array_elements() {
        let v = json!({"code": {"coding": [{"system": "s", "code": "1", "display": "One"}]}});
        assert_eq!(text(&v, &["code", "coding", "display"]), Some("One"));
        assert_eq!(concept_words(&v["code"]).as_deref(), Some("One"));
        assert_eq!(concept_code(&v["code"]), ("s".into(), "1".into()));
        assert_eq!(text(&v, &["code", "missing"]), None);
    }

    #[test]
    fn words_fall_back_to_text_and_blank_is_absent() {
        let v = json!({"coding": [{"code": "1", "display": "  "}], "text": "Typed words"});
        assert_eq!(concept_words(&v).as_deref(), Some("Typed words"));
        assert_eq!(concept_words(&json!({"coding": [{"code": "1"}]})), None);
    }

    #[test]
    fn days_are_the_written_date() {
        assert_eq!(
            day_of("2024-03-05T23:30:00-05:00").as_deref(),
            Some("2024-03-05")
        );
        assert_eq!(day_of("2024-03").as_deref(), Some("2024-03-01"));
        assert_eq!(day_of("2024").as_deref(), Some("2024-01-01"));
        assert_eq!(day_of("2024-13-01"), None);
        assert_eq!(day_of("24-03-05"), None);
        assert_eq!(day_of("yesterday"), None);
    }

    #[test]
    fn codes_are_found_in_lists_and_single_concepts() {
        let v = json!({"category": [{"coding": [{"code": "vital-signs"}]}]});
        assert!(has_code(&v, "category", &["vital-signs"]));
        assert!(!has_code(&v, "category", &["laboratory"]));
        assert!(has_code(
            &json!({"c": {"coding": [{"code": "x"}]}}),
            "c",
            &["x"]
        ));
    }
}
