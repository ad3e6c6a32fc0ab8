//! Staff writing the record in Portico, for a clinic without an EHR: each entry is written as
//! the FHIR resource an EHR would send and goes through the same import (the same checks, the
//! same columns, the same export). A mistake is corrected by marking the entry "entered in
//! error" (the patient no longer sees it; the chart keeps it) and entering it again.

use serde_json::{json, Value};

use super::{present, staff::own_chart};
use crate::{
    error::{AppError, AppResult},
    model::{health::EntryKind, StaffRole},
    ssr::{
        appointments::staff::{context, StaffCtx},
        audit::Actor,
        fhir::import::{import_as, ImportError, Target, PORTICO_CHART},
        token,
    },
};

/// What a staff member typed.
#[derive(Debug, Clone, Default)]
pub struct Typed {
    pub name: String,
    pub code: String,
    pub date: String,
    pub detail: String,
    pub value: String,
    pub unit: String,
    pub low: String,
    pub high: String,
}

fn may_write(ctx: &StaffCtx) -> AppResult<()> {
    match ctx.role {
        StaffRole::Admin | StaffRole::Provider => Ok(()),
        StaffRole::FrontDesk => Err(AppError::Forbidden),
    }
}

fn number(field: &str, s: &str, required: bool) -> AppResult<Option<f64>> {
    let s = s.trim();
    if s.is_empty() {
        return if required {
            Err(AppError::field(field, "Enter a number."))
        } else {
            Ok(None)
        };
    }
    s.parse::<f64>()
        .ok()
        .filter(|x| x.is_finite())
        .map(Some)
        .ok_or_else(|| AppError::field(field, "Enter a number, like 5.9."))
}

fn concept(system: &str, code: &str, name: &str) -> Value {
    if code.trim().is_empty() {
        json!({ "text": name })
    } else {
        json!({"coding": [{"system": system, "code": code.trim(), "display": name}], "text": name})
    }
}

/// The vital signs staff enter, with their LOINC codes and UCUM units.
pub const VITALS: [(&str, &str, &str); 6] = [
    ("8480-6", "Systolic blood pressure", "mm[Hg]"),
    ("8462-4", "Diastolic blood pressure", "mm[Hg]"),
    ("29463-7", "Body weight", "kg"),
    ("8302-2", "Body height", "cm"),
    ("8867-4", "Heart rate", "/min"),
    ("8310-5", "Body temperature", "Cel"),
];

/// The FHIR resource for what was typed; `id` is the new resource's id.
pub fn resource(kind: EntryKind, t: &Typed, id: &str, today: &str) -> AppResult<Value> {
    let name = t.name.trim();
    if name.is_empty() && kind != EntryKind::Vital {
        return Err(AppError::field("name", "Enter what to record."));
    }
    if name.chars().count() > 200 || t.detail.chars().count() > 1000 {
        return Err(AppError::field("name", "That is too long."));
    }
    let date = match t.date.trim() {
        "" => today.to_string(),
        d => {
            let (day, _) = present::filter(d, "").map_err(|m| AppError::field("date", m))?;
            let day = day.unwrap_or_default();
            if day.as_str() > today {
                return Err(AppError::field("date", "The date cannot be in the future."));
            }
            day
        }
    };
    let subject = json!({"reference": "Patient/patient"});
    let status = |system: &str, code: &str| json!({"coding": [{"system": system, "code": code}]});
    Ok(match kind {
        EntryKind::Problem => json!({
            "resourceType": "Condition", "id": id, "subject": subject,
            "clinicalStatus": status("http://terminology.hl7.org/CodeSystem/condition-clinical", "active"),
            "category": [{"coding": [{"system": "http://terminology.hl7.org/CodeSystem/condition-category", "code": "problem-list-item"}]}],
            "code": concept("http://snomed.info/sct", &t.code, name),
            "onsetDateTime": date, "recordedDate": today,
        }),
        EntryKind::Medication => json!({
            "resourceType": "MedicationRequest", "id": id, "subject": subject,
            "status": "active", "intent": "order",
            "medicationCodeableConcept": concept("http://www.nlm.nih.gov/research/umls/rxnorm", &t.code, name),
            "authoredOn": date,
            "dosageInstruction": [{"text": t.detail.trim()}],
        }),
        EntryKind::Allergy => {
            let mut r = json!({
                "resourceType": "AllergyIntolerance", "id": id, "patient": subject,
                "clinicalStatus": status("http://terminology.hl7.org/CodeSystem/allergyintolerance-clinical", "active"),
                "code": concept("http://snomed.info/sct", &t.code, name),
                "recordedDate": date,
            });
            if !t.detail.trim().is_empty() {
                r["reaction"] = json!([{"manifestation": [{"text": t.detail.trim()}]}]);
            }
            r
        }
        EntryKind::Immunization => json!({
            "resourceType": "Immunization", "id": id, "patient": subject, "status": "completed",
            "vaccineCode": concept("http://hl7.org/fhir/sid/cvx", &t.code, name),
            "occurrenceDateTime": date, "primarySource": true,
        }),
        EntryKind::Vital => {
            let (code, title, unit) = VITALS
                .iter()
                .find(|(c, ..)| *c == t.code.trim())
                .ok_or_else(|| AppError::field("code", "Choose which vital sign."))?;
            let value = number("value", &t.value, true)?;
            json!({
                "resourceType": "Observation", "id": id, "subject": subject, "status": "final",
                "category": [{"coding": [{"system": "http://terminology.hl7.org/CodeSystem/observation-category", "code": "vital-signs"}]}],
                "code": {"coding": [{"system": "http://loinc.org", "code": code, "display": title}], "text": title},
                "effectiveDateTime": date,
                "valueQuantity": {"value": value, "unit": unit, "system": "http://unitsofmeasure.org", "code": unit},
            })
        }
        EntryKind::Lab => {
            let value = number("value", &t.value, true)?;
            let (low, high) = (
                number("low", &t.low, false)?,
                number("high", &t.high, false)?,
            );
            let unit = t.unit.trim();
            let quantity = |x: f64| json!({"value": x, "unit": unit});
            let mut range = json!({});
            if let Some(l) = low {
                range["low"] = quantity(l);
            }
            if let Some(h) = high {
                range["high"] = quantity(h);
            }
            json!({
                "resourceType": "Observation", "id": id, "subject": subject, "status": "final",
                "category": [{"coding": [{"system": "http://terminology.hl7.org/CodeSystem/observation-category", "code": "laboratory"}]}],
                "code": concept("http://loinc.org", &t.code, name),
                "effectiveDateTime": date, "issued": format!("{date}T00:00:00Z"),
                "valueQuantity": {"value": value, "unit": unit},
                "referenceRange": if low.is_some() || high.is_some() { json!([range]) } else { json!([]) },
            })
        }
    })
}

fn bundle_for(chart: i64, resource: Value) -> String {
    json!({
        "resourceType": "Bundle", "type": "collection",
        "entry": [
            {"resource": {"resourceType": "Patient", "id": "patient",
                          "identifier": [{"system": PORTICO_CHART, "value": chart.to_string()}],
                          // Matched by the identifier; a name is required of every bundle.
                          "name": [{"family": "-", "given": ["-"]}], "birthDate": "-"}},
            {"resource": resource},
        ],
    })
    .to_string()
}

async fn write(ctx: &StaffCtx, chart: i64, resource: Value) -> AppResult<()> {
    let mut tx = ctx.st.db.begin().await?;
    let r = import_as(
        &mut tx,
        ctx.st.clock.now(),
        Target::Chart(chart),
        &bundle_for(chart, resource),
        Actor::Staff(ctx.staff_id),
        "staff",
    )
    .await;
    match r {
        Ok(_) => {
            tx.commit().await?;
            Ok(())
        }
        Err(ImportError::Refused(why)) => Err(AppError::invalid(why.join(" "))),
        Err(ImportError::Db(e)) => Err(e.into()),
    }
}

/// Today at the chart's practice, for a chart of the caller's practice.
async fn today_at(ctx: &StaffCtx, chart: i64) -> AppResult<String> {
    Ok(own_chart(ctx, chart).await?.today(ctx.st.clock.now()))
}

/// Adds an entry of `kind` to `chart`.
pub async fn add(chart: i64, kind: String, typed: Typed) -> AppResult<()> {
    let ctx = context().await?;
    may_write(&ctx)?;
    let today = today_at(&ctx, chart).await?;
    let kind =
        EntryKind::parse(&kind).ok_or_else(|| AppError::field("kind", "Choose what to record."))?;
    let id = format!("portico-{}", token::random_hex(12));
    let r = resource(kind, &typed, &id, &today)?;
    write(&ctx, chart, r).await
}

/// Resolves (a problem, an allergy), stops (a medication), or marks an entry entered in error.
pub async fn change(chart: i64, id: i64, action: String) -> AppResult<()> {
    let ctx = context().await?;
    may_write(&ctx)?;
    let today = today_at(&ctx, chart).await?;
    let stored: Option<String> =
        sqlx::query_scalar("SELECT resource FROM health_entries WHERE id = $1 AND chart_id = $2")
            .bind(id)
            .bind(chart)
            .fetch_optional(ctx.st.db.read())
            .await?;
    let stored =
        stored.ok_or_else(|| AppError::NotFound("That entry could not be found.".into()))?;
    let mut r: Value = serde_json::from_str(&stored).map_err(AppError::internal)?;
    let t = r["resourceType"].as_str().unwrap_or_default().to_string();
    match (action.as_str(), t.as_str()) {
        ("error", "Condition" | "AllergyIntolerance") => {
            // FHIR: an entry in error has no clinical status, only that verification.
            if let Some(m) = r.as_object_mut() {
                m.remove("clinicalStatus");
            }
            r["verificationStatus"] = json!({"coding": [{"code": "entered-in-error"}]});
        }
        ("error", _) => r["status"] = json!("entered-in-error"),
        ("resolve", "Condition") => {
            r["clinicalStatus"] = json!({"coding": [{"system": "http://terminology.hl7.org/CodeSystem/condition-clinical", "code": "resolved"}]});
            r["abatementDateTime"] = json!(today);
        }
        ("resolve", "AllergyIntolerance") => {
            r["clinicalStatus"] = json!({"coding": [{"system": "http://terminology.hl7.org/CodeSystem/allergyintolerance-clinical", "code": "inactive"}]});
        }
        ("resolve", "MedicationRequest") => r["status"] = json!("stopped"),
        _ => {
            return Err(AppError::invalid(
                "That change does not apply to this entry.",
            ))
        }
    }
    // The resource keeps its EHR subject; the bundle's patient is this chart.
    for key in ["subject", "patient"] {
        if r.get(key).is_some() {
            r[key] = json!({"reference": "Patient/patient"});
        }
    }
    write(&ctx, chart, r).await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn typed(name: &str) -> Typed {
        Typed {
            name: name.into(),
            ..Typed::default()
        }
    }

    #[test]
    fn entries_become_the_resources_an_ehr_sends() {
        let r = resource(EntryKind::Problem, &typed("Gout"), "x", "2026-12-01").unwrap_or_default();
        assert_eq!(r["code"], json!({"text": "Gout"}));
        assert_eq!(r["onsetDateTime"], "2026-12-01");
        let lab = Typed {
            name: "Glucose".into(),
            code: "2345-7".into(),
            value: "130".into(),
            unit: "mg/dL".into(),
            high: "99".into(),
            ..Typed::default()
        };
        let r = resource(EntryKind::Lab, &lab, "l", "2026-12-01").unwrap_or_default();
        assert_eq!(r["valueQuantity"]["value"], 130.0);
        assert_eq!(r["referenceRange"][0]["high"]["value"], 99.0);
        assert!(r["referenceRange"][0].get("low").is_none());
    }

    #[test]
    fn bad_input_is_refused_by_field() {
        let field = |r: AppResult<Value>| match r {
            Err(AppError::Validation { fields, .. }) => fields[0].field.clone(),
            other => panic!("{other:?}"),
        };
        assert_eq!(
            field(resource(EntryKind::Problem, &typed(""), "x", "2026-12-01")),
            "name"
        );
        let future = Typed {
            date: "2027-01-01".into(),
            ..typed("Gout")
        };
        assert_eq!(
            field(resource(EntryKind::Problem, &future, "x", "2026-12-01")),
            "date"
        );
        let vital = Typed {
            code: "8867-4".into(),
            value: "fast".into(),
            ..Typed::default()
        };
        assert_eq!(
            field(resource(EntryKind::Vital, &vital, "x", "2026-12-01")),
            "value"
        );
        let unknown = Typed {
            code: "1234-5".into(),
            value: "1".into(),
            ..Typed::default()
        };
        assert_eq!(
            field(resource(EntryKind::Vital, &unknown, "x", "2026-12-01")),
            "code"
        );
    }
}
