//! The patient's record as a FHIR R4 `collection` Bundle: what the patient may see (shared
//! results, nothing entered in error, never a chart note), filtered by date, with every
//! reference resolving inside the file.

use std::collections::HashMap;

use serde_json::{json, Map, Value};
use sha2::{Digest, Sha256};
use sqlx::{AnyConnection, Row};

use super::read::text;
use crate::error::AppResult;

/// A stable `urn:uuid:` for a resource, so that the same record exports to the same file.
fn urn(chart: i64, kind: &str, id: &str) -> String {
    let h = Sha256::digest(format!("{chart}:{kind}:{id}").as_bytes());
    let hex: String = h.iter().take(16).map(|b| format!("{b:02x}")).collect();
    format!(
        "urn:uuid:{}-{}-4{}-8{}-{}",
        &hex[0..8],
        &hex[8..12],
        &hex[13..16],
        &hex[17..20],
        &hex[20..32]
    )
}

struct Row2 {
    resource_type: String,
    fhir_id: String,
    /// Names the import resolved from resources this file does not hold.
    performer: String,
    specimen: String,
    code: (String, String, String),
    resource: Value,
}

/// The Bundle for `chart` between `from` and `to` (ISO days, inclusive; `None` is open).
pub async fn bundle(
    conn: &mut AnyConnection,
    chart: i64,
    from: Option<&str>,
    to: Option<&str>,
    generated_at: &str,
) -> AppResult<Value> {
    let head = sqlx::query(
        "SELECT c.given_name, c.family_name, c.date_of_birth, c.email, c.phone, p.id, p.name, \
         p.phone, p.address FROM patient_charts c JOIN practices p ON p.id = c.practice_id WHERE c.id = $1",
    )
    .bind(chart)
    .fetch_one(&mut *conn)
    .await?;
    let identifiers: Vec<(String, String)> = sqlx::query_as(
        "SELECT system, value FROM chart_identifiers WHERE chart_id = $1 ORDER BY system, value",
    )
    .bind(chart)
    .fetch_all(&mut *conn)
    .await?;
    // Lab results are visible once they or their report are shared (as on the page).
    let rows = sqlx::query(
        "SELECT e.resource_type, e.fhir_id, e.performer, e.resource, e.specimen, e.code_system, \
         e.code, e.title FROM health_entries e \
         LEFT JOIN health_entries r ON r.chart_id = e.chart_id AND r.resource_type = 'DiagnosticReport' \
              AND r.fhir_id = e.report_fhir_id \
         WHERE e.chart_id = $1 AND e.status <> 'entered-in-error' \
         AND (e.needs_sharing = 0 OR e.shared_at IS NOT NULL OR r.shared_at IS NOT NULL) \
         AND ($2 IS NULL OR e.recorded_on >= $2) AND ($3 IS NULL OR e.recorded_on <= $3) \
         ORDER BY e.section, e.recorded_on, e.id",
    )
    .bind(chart)
    .bind(from)
    .bind(to)
    .fetch_all(&mut *conn)
    .await?;
    let rows: Vec<Row2> = rows
        .iter()
        .map(|r| {
            let json: String = r.try_get(3)?;
            Ok(Row2 {
                resource_type: r.try_get(0)?,
                fhir_id: r.try_get(1)?,
                performer: r.try_get(2)?,
                specimen: r.try_get(4)?,
                code: (r.try_get(5)?, r.try_get(6)?, r.try_get(7)?),
                resource: serde_json::from_str(&json).unwrap_or(Value::Null),
            })
        })
        .collect::<Result<_, sqlx::Error>>()?;

    let patient_urn = urn(chart, "Patient", "patient");
    let practice_urn = urn(chart, "Organization", "practice");
    let mut names: HashMap<String, String> = HashMap::new();
    for r in &rows {
        let u = urn(chart, &r.resource_type, &r.fhir_id);
        names.insert(format!("{}/{}", r.resource_type, r.fhir_id), u.clone());
        // A resource imported from an earlier export already points at these names.
        names.insert(u.clone(), u);
    }
    names.insert(patient_urn.clone(), patient_urn.clone());

    let given: String = head.try_get(0)?;
    let family: String = head.try_get(1)?;
    let mut patient = json!({
        "resourceType": "Patient",
        "id": "patient",
        "identifier": if identifiers.is_empty() {
            json!([{"system": super::import::PORTICO_CHART, "value": chart.to_string()}])
        } else {
            Value::Array(identifiers.iter().map(|(s, v)| json!({"system": s, "value": v})).collect())
        },
        "name": [{"use": "official", "family": family, "given": [given]}],
        "gender": "unknown",
        "birthDate": head.try_get::<String, _>(2)?,
        "managingOrganization": {"reference": practice_urn},
    });
    let telecom: Vec<Value> = [
        ("email", head.try_get::<String, _>(3)?),
        ("phone", head.try_get::<String, _>(4)?),
    ]
    .into_iter()
    .filter(|(_, v)| !v.is_empty())
    .map(|(system, value)| json!({"system": system, "value": value}))
    .collect();
    if !telecom.is_empty() {
        patient["telecom"] = Value::Array(telecom);
    }
    let mut practice = json!({
        "resourceType": "Organization",
        "id": "practice",
        "active": true,
        "name": head.try_get::<String, _>(6)?,
        "telecom": [{"system": "phone", "value": head.try_get::<String, _>(7)?}],
    });
    let address: String = head.try_get(8)?;
    if !address.is_empty() {
        practice["address"] = json!([{"text": address}]);
    }

    let mut entry = vec![
        json!({"fullUrl": patient_urn, "resource": patient}),
        json!({"fullUrl": practice_urn, "resource": practice}),
    ];
    for r in rows {
        let mut resource = r.resource;
        rewrite(
            &mut resource,
            &names,
            &patient_urn,
            &[
                ("performer", &r.performer),
                ("requester", &r.performer),
                ("specimen", &r.specimen),
            ],
        );
        complete(&mut resource, &r.code);
        entry.push(json!({"fullUrl": names[&format!("{}/{}", r.resource_type, r.fhir_id)], "resource": resource}));
    }
    Ok(json!({
        "resourceType": "Bundle",
        "type": "collection",
        "timestamp": generated_at,
        "entry": entry,
    }))
}

/// Points every reference into the file: the patient, another exported resource, or (for
/// what the file does not hold, such as the performing lab) its name alone. `known` names, by
/// the key that holds the reference, what the import resolved it to.
fn rewrite(v: &mut Value, names: &HashMap<String, String>, patient: &str, known: &[(&str, &str)]) {
    rewrite_under(v, "", names, patient, known);
}

fn rewrite_under(
    v: &mut Value,
    key: &str,
    names: &HashMap<String, String>,
    patient: &str,
    known: &[(&str, &str)],
) {
    match v {
        Value::Object(map) => {
            if let Some(Value::String(r)) = map.get("reference").cloned() {
                let tail = tail_of(&r);
                if tail.starts_with("Patient/") {
                    map.insert("reference".into(), Value::String(patient.into()));
                } else if let Some(u) = names.get(&tail) {
                    map.insert("reference".into(), Value::String(u.clone()));
                } else {
                    map.remove("reference");
                    let resolved = known
                        .iter()
                        .find(|(k, name)| *k == key && !name.is_empty())
                        .map(|(_, name)| *name);
                    match resolved {
                        Some(name) => {
                            map.insert("display".into(), Value::String(name.into()));
                        }
                        None if !map.contains_key("display") => {
                            map.insert("display".into(), "Not included in this file".into());
                        }
                        None => {}
                    }
                }
                return;
            }
            for (k, child) in map.iter_mut() {
                rewrite_under(child, k, names, patient, known);
            }
        }
        Value::Array(items) => items
            .iter_mut()
            .for_each(|i| rewrite_under(i, key, names, patient, known)),
        _ => {}
    }
}

/// `Type/id` of a reference, whether relative or absolute.
fn tail_of(r: &str) -> String {
    let parts: Vec<&str> = r.rsplitn(3, '/').collect();
    match parts.as_slice() {
        [id, t, ..] => format!("{t}/{id}"),
        _ => r.to_string(),
    }
}

/// The elements US Core 6.1 requires that an EHR's resource may lack and whose value is
/// known here (a MedicationRequest is an order; a problem-list entry is a problem). A
/// medication named by reference is written out as its code, since the file holds no
/// Medication resources.
fn complete(r: &mut Value, (system, code, title): &(String, String, String)) {
    let t = text(r, &["resourceType"]).unwrap_or_default().to_string();
    let Some(map) = r.as_object_mut() else {
        return;
    };
    let default = |map: &mut Map<String, Value>, key: &str, v: Value| {
        map.entry(key.to_string()).or_insert(v);
    };
    match t.as_str() {
        "Condition" => default(
            map,
            "category",
            json!([{"coding": [{"system": "http://terminology.hl7.org/CodeSystem/condition-category", "code": "problem-list-item", "display": "Problem List Item"}]}]),
        ),
        "MedicationRequest" => {
            default(map, "intent", json!("order"));
            if map.remove("medicationReference").is_some() {
                map.insert(
                    "medicationCodeableConcept".into(),
                    json!({"coding": [{"system": system, "code": code, "display": title}], "text": title}),
                );
            }
        }
        "CarePlan" => {
            default(map, "intent", json!("plan"));
            let title = map
                .get("title")
                .and_then(Value::as_str)
                .unwrap_or("Care plan")
                .replace('&', "&amp;")
                .replace('<', "&lt;");
            default(
                map,
                "text",
                json!({"status": "generated", "div": format!("<div xmlns=\"http://www.w3.org/1999/xhtml\">{title}</div>")}),
            );
        }
        _ => {}
    }
}

/// The US Core 6.1 elements each exported resource must have, as the project checks them
/// (beside the independent validator in the browser-test packages). Returns what is missing.
pub fn us_core_missing(r: &Value) -> Vec<String> {
    let t = text(r, &["resourceType"]).unwrap_or_default();
    let required: &[&[&str]] = match t {
        "Patient" => &[&["identifier"], &["name"], &["gender"]],
        "Organization" => &[&["name"], &["active"]],
        "Condition" => &[&["category"], &["code"], &["subject"]],
        "MedicationRequest" => &[
            &["status"],
            &["intent"],
            &["medicationCodeableConcept", "medicationReference"],
            &["subject"],
        ],
        "AllergyIntolerance" => &[&["code"], &["patient"]],
        "Immunization" => &[
            &["status"],
            &["vaccineCode"],
            &["patient"],
            &["occurrenceDateTime", "occurrenceString"],
        ],
        "Procedure" => &[&["status"], &["code"], &["subject"]],
        "CarePlan" => &[
            &["text"],
            &["status"],
            &["intent"],
            &["category"],
            &["subject"],
        ],
        "Observation" => &[
            &["status"],
            &["category"],
            &["code"],
            &["subject"],
            &["effectiveDateTime", "effectivePeriod", "effectiveInstant"],
        ],
        "DiagnosticReport" => &[
            &["status"],
            &["category"],
            &["code"],
            &["subject"],
            &["effectiveDateTime", "effectivePeriod"],
            &["issued"],
        ],
        _ => &[],
    };
    required
        .iter()
        .filter(|any_of| {
            !any_of
                .iter()
                .any(|k| r.get(*k).is_some_and(|v| !v.is_null()))
        })
        .map(|any_of| format!("{t}.{}", any_of.join(" or ")))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn references_point_inside_the_file() {
        let mut names = HashMap::new();
        names.insert("Observation/o1".to_string(), "urn:uuid:o".to_string());
        let mut r = json!({
            "subject": {"reference": "Patient/emma"},
            "result": [{"reference": "https://ehr.example/fhir/Observation/o1"}],
            "performer": [{"reference": "Organization/lab-1"}],
        });
        rewrite(&mut r, &names, "urn:uuid:p", &[("performer", "Quest")]);
        assert_eq!(
            r,
            json!({
                "subject": {"reference": "urn:uuid:p"},
                "result": [{"reference": "urn:uuid:o"}],
                "performer": [{"display": "Quest"}],
            })
        );
    }

    #[test]
    fn urns_are_stable_uuids() {
        let a = urn(1, "Condition", "c1");
        assert_eq!(a, urn(1, "Condition", "c1"));
        assert_ne!(a, urn(2, "Condition", "c1"));
        assert_eq!(a.len(), "urn:uuid:".len() + 36);
    }

    #[test]
    fn missing_us_core_elements_are_named_and_completed() {
        let mut plan =
            json!({"resourceType": "CarePlan", "status": "active", "category": [], "subject": {}});
        assert_eq!(
            us_core_missing(&plan),
            vec!["CarePlan.text", "CarePlan.intent"]
        );
        complete(&mut plan, &Default::default());
        assert!(us_core_missing(&plan).is_empty());
    }
}
