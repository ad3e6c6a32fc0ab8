//! What Portico keeps of each FHIR resource: the columns the pages show and filter by, beside
//! the resource itself. One function per resource type; a resource that cannot be read is
//! refused with a reason a clinic's staff can act on.

use std::collections::HashMap;

use serde_json::Value;

use super::read::{
    array, concept_code, concept_words, first_day, get, has_code, number, system_name, text,
};
use crate::model::health::{Flag, Section};

/// Resources of a bundle by every name a reference may use: `Type/id` and the entry's fullUrl.
pub struct Refs<'a> {
    by_ref: HashMap<String, &'a Value>,
}

impl<'a> Refs<'a> {
    pub fn new() -> Self {
        Refs {
            by_ref: HashMap::new(),
        }
    }

    pub fn add(&mut self, full_url: Option<&str>, resource: &'a Value) {
        if let (Some(t), Some(id)) = (text(resource, &["resourceType"]), text(resource, &["id"])) {
            self.by_ref.insert(format!("{t}/{id}"), resource);
        }
        if let Some(u) = full_url {
            self.by_ref.insert(u.to_string(), resource);
        }
    }

    pub fn resolve(&self, reference: &Value) -> Option<&'a Value> {
        let r = text(reference, &["reference"])?;
        // An absolute URL of a server ending in Type/id names the same resource.
        self.by_ref.get(r).copied().or_else(|| {
            let tail: Vec<&str> = r.rsplitn(3, '/').take(2).collect();
            match tail.as_slice() {
                [id, t] => self.by_ref.get(&format!("{t}/{id}")).copied(),
                _ => None,
            }
        })
    }

    /// A referenced organisation's or person's name, or the reference's own display.
    pub fn name_of(&self, reference: &Value) -> Option<String> {
        if let Some(r) = self.resolve(reference) {
            if let Some(n) = text(r, &["name"]) {
                return Some(n.to_string());
            }
            if let Some(n) = array(r, "name").first() {
                if let Some(t) = text(n, &["text"]) {
                    return Some(t.to_string());
                }
                let given: Vec<&str> = array(n, "given").iter().filter_map(Value::as_str).collect();
                let family = text(n, &["family"]).unwrap_or_default();
                let full = format!("{} {family}", given.join(" ")).trim().to_string();
                if !full.is_empty() {
                    return Some(full);
                }
            }
        }
        text(reference, &["display"]).map(str::to_string)
    }
}

impl Default for Refs<'_> {
    fn default() -> Self {
        Self::new()
    }
}

/// One measured value, or one component of a measurement.
#[derive(Debug, Clone, PartialEq)]
pub struct ValueRow {
    pub code: String,
    pub title: String,
    pub value_num: Option<f64>,
    pub value_text: String,
    pub unit: String,
    pub ref_low: Option<f64>,
    pub ref_high: Option<f64>,
    pub ref_text: String,
    pub flag: Flag,
}

/// A structured entry the patient may see (lab and imaging results once shared).
#[derive(Debug, Clone, PartialEq)]
pub struct EntryRow {
    pub section: Section,
    pub code_system: String,
    pub code: String,
    pub title: String,
    pub status: String,
    pub recorded_on: Option<String>,
    pub detail: String,
    pub performer: String,
    pub specimen: String,
    pub report: Option<String>,
    pub values: Vec<ValueRow>,
    /// A report's results, as `Observation/id`: they take the report's date, lab and sharing.
    pub results: Vec<String>,
}

impl EntryRow {
    pub fn needs_sharing(&self) -> bool {
        matches!(self.section, Section::Labs | Section::Imaging)
    }
}

/// A clinician's note: stored, never shown to the patient.
#[derive(Debug, Clone, PartialEq)]
pub struct NoteRow {
    pub title: String,
    pub written_on: Option<String>,
    pub body: String,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Extracted {
    Entry(EntryRow),
    Note(NoteRow),
    /// A resource type the record does not hold (e.g. Encounter): reported, not imported.
    Skipped(&'static str),
}

/// Why a resource was refused; the import names the resource beside it.
pub type Refusal = String;

fn coded(r: &Value, key: &str, what: &str) -> Result<(String, String, String), Refusal> {
    let concept = r
        .get(key)
        .ok_or_else(|| format!("it has no {key} (the {what})"))?;
    let (system, code) = concept_code(concept);
    let title = concept_words(concept).unwrap_or_else(|| {
        if code.is_empty() {
            format!("Unnamed {what}")
        } else {
            format!("{what} {code} ({})", system_name(&system))
        }
    });
    Ok((system, code, title))
}

/// A problem's or allergy's status: its clinical status, unless it was entered in error.
fn clinical_status(r: &Value) -> String {
    if status_of(r, "verificationStatus") == "entered-in-error" {
        "entered-in-error".into()
    } else {
        status_of(r, "clinicalStatus")
    }
}

fn status_of(r: &Value, key: &str) -> String {
    match r.get(key) {
        Some(Value::String(s)) => s.trim().to_string(),
        Some(c @ Value::Object(_)) => concept_code(c).1,
        _ => String::new(),
    }
}

fn entry(section: Section, (code_system, code, title): (String, String, String)) -> EntryRow {
    EntryRow {
        section,
        code_system,
        code,
        title,
        status: String::new(),
        recorded_on: None,
        detail: String::new(),
        performer: String::new(),
        specimen: String::new(),
        report: None,
        values: Vec::new(),
        results: Vec::new(),
    }
}

/// What to keep of `r`, a resource of the bundle that `refs` indexes.
pub fn extract(r: &Value, refs: &Refs) -> Result<Extracted, Refusal> {
    let t = text(r, &["resourceType"]).unwrap_or_default();
    let row = match t {
        "Condition" => condition(r)?,
        "MedicationRequest" => medication(r, refs)?,
        "AllergyIntolerance" => allergy(r)?,
        "Immunization" => immunization(r)?,
        "Procedure" => procedure(r)?,
        "CarePlan" => care_plan(r)?,
        "Observation" => match observation(r, refs)? {
            Some(row) => row,
            None => {
                return Ok(Extracted::Skipped(
                    "an observation that is neither a vital sign nor a laboratory result",
                ))
            }
        },
        "DiagnosticReport" => report(r, refs)?,
        "DocumentReference" => return note(r).map(Extracted::Note),
        // Looked up by the resources that name them; nothing of their own to keep.
        "Organization" | "Practitioner" | "PractitionerRole" | "Specimen" | "Medication"
        | "Location" => return Ok(Extracted::Skipped("referenced by other entries")),
        _ => {
            return Ok(Extracted::Skipped(
                "not part of the health record Portico shows",
            ))
        }
    };
    Ok(Extracted::Entry(row))
}

fn condition(r: &Value) -> Result<EntryRow, Refusal> {
    let mut e = entry(Section::Problems, coded(r, "code", "problem")?);
    e.status = clinical_status(r);
    e.recorded_on = first_day(
        r,
        &[
            &["onsetDateTime"],
            &["onsetPeriod", "start"],
            &["recordedDate"],
        ],
    );
    if let Some(d) = first_day(r, &[&["abatementDateTime"], &["abatementPeriod", "start"]]) {
        e.detail = format!("Resolved {d}");
    }
    Ok(e)
}

fn medication(r: &Value, refs: &Refs) -> Result<EntryRow, Refusal> {
    let concept = match r.get("medicationReference") {
        Some(reference) => refs
            .resolve(reference)
            .and_then(|m| m.get("code"))
            .ok_or("its medicationReference names no Medication in the bundle")?,
        None => r
            .get("medicationCodeableConcept")
            .ok_or("it names no medication (medicationCodeableConcept)")?,
    };
    let wrapper = serde_json::json!({ "code": concept });
    let mut e = entry(Section::Medications, coded(&wrapper, "code", "medication")?);
    e.status = status_of(r, "status");
    e.recorded_on = first_day(r, &[&["authoredOn"]]);
    e.detail = text(r, &["dosageInstruction", "text"])
        .unwrap_or_default()
        .to_string();
    e.performer = get(r, &["requester"])
        .and_then(|p| refs.name_of(p))
        .unwrap_or_default();
    Ok(e)
}

fn allergy(r: &Value) -> Result<EntryRow, Refusal> {
    let mut e = entry(Section::Allergies, coded(r, "code", "allergy")?);
    e.status = clinical_status(r);
    e.recorded_on = first_day(r, &[&["onsetDateTime"], &["recordedDate"]]);
    let reaction = get(r, &["reaction", "manifestation"]).and_then(concept_words);
    let severity = text(r, &["reaction", "severity"]);
    e.detail = match (reaction, severity) {
        (Some(m), Some(s)) => format!("{m} ({s})"),
        (Some(m), None) => m,
        (None, Some(s)) => format!("Reaction: {s}"),
        (None, None) => String::new(),
    };
    if text(r, &["criticality"]) == Some("high") {
        e.detail = format!("{} High criticality.", e.detail).trim().to_string();
    }
    Ok(e)
}

fn immunization(r: &Value) -> Result<EntryRow, Refusal> {
    let mut e = entry(Section::Immunizations, coded(r, "vaccineCode", "vaccine")?);
    e.status = status_of(r, "status");
    e.recorded_on = first_day(r, &[&["occurrenceDateTime"], &["recorded"]]);
    Ok(e)
}

fn procedure(r: &Value) -> Result<EntryRow, Refusal> {
    let mut e = entry(Section::Procedures, coded(r, "code", "procedure")?);
    e.status = status_of(r, "status");
    e.recorded_on = first_day(r, &[&["performedDateTime"], &["performedPeriod", "start"]]);
    Ok(e)
}

fn care_plan(r: &Value) -> Result<EntryRow, Refusal> {
    let title = text(r, &["title"])
        .map(str::to_string)
        .or_else(|| get(r, &["category"]).and_then(concept_words))
        .ok_or("it has neither a title nor a category")?;
    let (system, code) = get(r, &["category"]).map(concept_code).unwrap_or_default();
    let mut e = entry(Section::CarePlans, (system, code, title));
    e.status = status_of(r, "status");
    e.recorded_on = first_day(r, &[&["period", "start"], &["created"]]);
    e.detail = text(r, &["description"]).unwrap_or_default().to_string();
    Ok(e)
}

/// A vital sign or a laboratory result; `None` for other kinds of observation.
fn observation(r: &Value, refs: &Refs) -> Result<Option<EntryRow>, Refusal> {
    let section = if has_code(r, "category", &["vital-signs"]) {
        Section::Vitals
    } else if has_code(r, "category", &["laboratory"]) {
        Section::Labs
    } else {
        return Ok(None);
    };
    let head = coded(r, "code", "test")?;
    let mut e = entry(section, head);
    e.status = status_of(r, "status");
    e.recorded_on = first_day(
        r,
        &[
            &["effectiveDateTime"],
            &["effectivePeriod", "start"],
            &["issued"],
        ],
    );
    e.performer = get(r, &["performer"])
        .and_then(|p| refs.name_of(p))
        .unwrap_or_default();
    e.specimen = get(r, &["specimen"])
        .and_then(|s| {
            refs.resolve(s)
                .and_then(|sp| get(sp, &["type"]).and_then(concept_words))
                .or_else(|| text(s, &["display"]).map(str::to_string))
        })
        .unwrap_or_default();
    let components = array(r, "component");
    if components.is_empty() {
        e.values.push(value_row(r, &e.code, &e.title)?);
    } else {
        for c in components {
            let (_, code, title) = coded(c, "code", "component")?;
            e.values.push(value_row(c, &code, &title)?);
        }
    }
    if e.recorded_on.is_none() {
        return Err("it has no effectiveDateTime or issued date".into());
    }
    Ok(Some(e))
}

fn value_row(v: &Value, code: &str, title: &str) -> Result<ValueRow, Refusal> {
    let mut row = ValueRow {
        code: code.to_string(),
        title: title.to_string(),
        value_num: None,
        value_text: String::new(),
        unit: String::new(),
        ref_low: number(v, &["referenceRange", "low", "value"]),
        ref_high: number(v, &["referenceRange", "high", "value"]),
        ref_text: text(v, &["referenceRange", "text"])
            .unwrap_or_default()
            .to_string(),
        flag: Flag::None,
    };
    if let Some(q) = v.get("valueQuantity") {
        row.value_num = Some(number(q, &["value"]).ok_or("its valueQuantity has no number")?);
        row.unit = text(q, &["unit"])
            .or_else(|| text(q, &["code"]))
            .unwrap_or_default()
            .to_string();
    } else if let Some(s) = text(v, &["valueString"]) {
        row.value_text = s.to_string();
    } else if let Some(c) = v.get("valueCodeableConcept") {
        row.value_text = concept_words(c).unwrap_or_default();
    } else if get(v, &["dataAbsentReason"]).is_some() {
        row.value_text = "Not available".into();
    } else {
        return Err(format!("{title} has no value"));
    }
    row.flag = flag_of(v, &row);
    Ok(row)
}

/// The EHR's interpretation where it gives one; otherwise the value against its range.
fn flag_of(v: &Value, row: &ValueRow) -> Flag {
    let given = array(v, "interpretation")
        .iter()
        .flat_map(|c| array(c, "coding"))
        .find_map(|c| text(c, &["code"]));
    match given {
        Some("HH" | "LL" | "AA" | "H>" | "L<") => Flag::Critical,
        Some("H" | "HU") => Flag::High,
        Some("L" | "LU") => Flag::Low,
        Some("A") => Flag::Abnormal,
        Some(_) => Flag::None,
        None => match row.value_num {
            Some(x) if row.ref_high.is_some_and(|h| x > h) => Flag::High,
            Some(x) if row.ref_low.is_some_and(|l| x < l) => Flag::Low,
            _ => Flag::None,
        },
    }
}

fn report(r: &Value, refs: &Refs) -> Result<EntryRow, Refusal> {
    let section = if has_code(r, "category", &["LAB"]) {
        Section::Labs
    } else if has_code(
        r,
        "category",
        &["RAD", "IMG", "CT", "MR", "US", "XR", "NMR", "LP29684-5"],
    ) {
        Section::Imaging
    } else {
        return Err("its category is neither laboratory (LAB) nor imaging (RAD)".into());
    };
    let mut e = entry(section, coded(r, "code", "report")?);
    e.status = status_of(r, "status");
    e.recorded_on = first_day(
        r,
        &[
            &["issued"],
            &["effectiveDateTime"],
            &["effectivePeriod", "start"],
        ],
    );
    if e.recorded_on.is_none() {
        return Err("it has no issued or effective date".into());
    }
    e.detail = text(r, &["conclusion"]).unwrap_or_default().to_string();
    e.performer = get(r, &["performer"])
        .and_then(|p| refs.name_of(p))
        .unwrap_or_default();
    for result in array(r, "result") {
        let target = refs
            .resolve(result)
            .ok_or("a result it lists is not in the bundle")?;
        let id = text(target, &["id"]).ok_or("a result it lists has no id")?;
        e.results.push(id.to_string());
    }
    Ok(e)
}

fn note(r: &Value) -> Result<NoteRow, Refusal> {
    use base64::Engine;
    let title = get(r, &["type"])
        .and_then(concept_words)
        .or_else(|| text(r, &["description"]).map(str::to_string))
        .unwrap_or_else(|| "Clinical note".into());
    let attachment = get(r, &["content", "attachment"]).ok_or("it has no content")?;
    let body = match text(attachment, &["data"]) {
        Some(data) => {
            let bytes = base64::engine::general_purpose::STANDARD
                .decode(data)
                .map_err(|_| "its attachment data is not base64")?;
            String::from_utf8(bytes).map_err(|_| "its attachment is not text")?
        }
        None => text(attachment, &["title"]).unwrap_or_default().to_string(),
    };
    Ok(NoteRow {
        title,
        written_on: first_day(r, &[&["date"]]),
        body,
    })
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn entry_of(r: &Value) -> EntryRow {
        match extract(r, &Refs::new()) {
            Ok(Extracted::Entry(e)) => e,
            other => panic!("not an entry: {other:?}"),
        }
    }

    #[test]
    fn a_problem_keeps_its_words_status_and_onset() {
        let e = entry_of(&json!({
            "resourceType": "Condition", "id": "c1",
            "clinicalStatus": {"coding": [{"code": "active"}]},
            "code": {"coding": [{"system": "http://snomed.info/sct", "code": "38341003", "display": "Hypertension"}]},
            "onsetDateTime": "2019-04-02"
        }));
        assert_eq!(
            (e.section, e.title.as_str(), e.status.as_str()),
            (Section::Problems, "Hypertension", "active")
        );
        assert_eq!(
            (e.code_system.as_str(), e.code.as_str()),
            ("http://snomed.info/sct", "38341003")
        );
        assert_eq!(e.recorded_on.as_deref(), Some("2019-04-02"));
    }

    #[test]
    fn a_code_without_words_is_named_by_its_system() {
        let e = entry_of(&json!({
            "resourceType": "Immunization", "id": "i1", "status": "completed",
            "vaccineCode": {"coding": [{"system": "http://hl7.org/fhir/sid/cvx", "code": "140"}]},
            "occurrenceDateTime": "2024-10-01"
        }));
        assert_eq!(e.title, "vaccine 140 (CVX)");
    }

    #[test]
    fn blood_pressure_keeps_both_components() {
        let e = entry_of(&json!({
            "resourceType": "Observation", "id": "bp", "status": "final",
            "category": [{"coding": [{"code": "vital-signs"}]}],
            "code": {"coding": [{"system": "http://loinc.org", "code": "85354-9", "display": "Blood pressure"}]},
            "effectiveDateTime": "2025-01-02T09:00:00-05:00",
            "component": [
                {"code": {"coding": [{"code": "8480-6", "display": "Systolic"}]}, "valueQuantity": {"value": 128, "unit": "mm[Hg]"}},
                {"code": {"coding": [{"code": "8462-4", "display": "Diastolic"}]}, "valueQuantity": {"value": 82, "unit": "mm[Hg]"}}
            ]
        }));
        assert_eq!(e.section, Section::Vitals);
        assert_eq!(e.values.len(), 2);
        assert_eq!(
            (e.values[1].code.as_str(), e.values[1].value_num),
            ("8462-4", Some(82.0))
        );
    }

    #[test]
    fn a_lab_flag_comes_from_the_interpretation_or_else_the_range() {
        let lab = |interp: Value, value: f64| {
            entry_of(&json!({
                "resourceType": "Observation", "id": "l", "status": "final",
                "category": [{"coding": [{"code": "laboratory"}]}],
                "code": {"coding": [{"code": "2345-7", "display": "Glucose"}]},
                "effectiveDateTime": "2025-01-02",
                "valueQuantity": {"value": value, "unit": "mg/dL"},
                "referenceRange": [{"low": {"value": 70}, "high": {"value": 99}}],
                "interpretation": interp
            }))
            .values[0]
                .flag
        };
        assert_eq!(
            lab(json!([{"coding": [{"code": "HH"}]}]), 400.0),
            Flag::Critical
        );
        assert_eq!(lab(json!([]), 120.0), Flag::High);
        assert_eq!(lab(json!([]), 60.0), Flag::Low);
        assert_eq!(lab(json!([]), 80.0), Flag::None);
        assert_eq!(lab(json!([{"coding": [{"code": "N"}]}]), 120.0), Flag::None);
    }

    #[test]
    fn unreadable_resources_are_refused_with_a_reason() {
        let no_value = json!({
            "resourceType": "Observation", "id": "x", "category": [{"coding": [{"code": "laboratory"}]}],
            "code": {"text": "Glucose"}, "effectiveDateTime": "2025-01-02"
        });
        assert_eq!(
            extract(&no_value, &Refs::new()),
            Err("Glucose has no value".into())
        );
        let no_code = json!({"resourceType": "Condition", "id": "c"});
        assert!(extract(&no_code, &Refs::new())
            .unwrap_err()
            .contains("no code"));
        let odd_report = json!({"resourceType": "DiagnosticReport", "id": "r", "code": {"text": "X"}, "issued": "2025-01-01"});
        assert!(extract(&odd_report, &Refs::new())
            .unwrap_err()
            .contains("neither laboratory"));
    }

    #[test]
    fn other_resources_are_skipped_not_refused() {
        let enc = json!({"resourceType": "Encounter", "id": "e"});
        assert!(matches!(
            extract(&enc, &Refs::new()),
            Ok(Extracted::Skipped(_))
        ));
        let survey = json!({"resourceType": "Observation", "id": "s", "category": [{"coding": [{"code": "survey"}]}]});
        assert!(matches!(
            extract(&survey, &Refs::new()),
            Ok(Extracted::Skipped(_))
        ));
    }

    #[test]
    fn a_report_lists_its_results_and_names_its_lab() {
        let lab = json!({"resourceType": "Organization", "id": "lab", "name": "Quest Diagnostics"});
        let obs = json!({"resourceType": "Observation", "id": "o1"});
        let mut refs = Refs::new();
        refs.add(None, &lab);
        refs.add(Some("urn:uuid:1234"), &obs);
        let r = json!({
            "resourceType": "DiagnosticReport", "id": "r1", "status": "final",
            "category": [{"coding": [{"system": "http://terminology.hl7.org/CodeSystem/v2-0074", "code": "LAB"}]}],
            "code": {"text": "Lipid panel"}, "issued": "2025-02-03T10:00:00Z",
            "performer": [{"reference": "Organization/lab"}],
            "result": [{"reference": "urn:uuid:1234"}]
        });
        let Ok(Extracted::Entry(e)) = extract(&r, &refs) else {
            panic!()
        };
        assert_eq!(
            (e.performer.as_str(), e.results.clone()),
            ("Quest Diagnostics", vec!["o1".to_string()])
        );
        assert!(e.needs_sharing());
    }

    #[test]
    fn a_note_is_decoded_and_kept_apart() {
        let r = json!({
            "resourceType": "DocumentReference", "id": "n1", "date": "2025-03-01T12:00:00Z",
            "type": {"text": "Progress note"},
            "content": [{"attachment": {"contentType": "text/plain", "data": "UGF0aWVudCBkb2luZyB3ZWxsLg=="}}]
        });
        assert_eq!(
            extract(&r, &Refs::new()),
            Ok(Extracted::Note(NoteRow {
                title: "Progress note".into(),
                written_on: Some("2025-03-01".into()),
                body: "Patient doing well.".into()
            }))
        );
    }
}
