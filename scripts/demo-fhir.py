#!/usr/bin/env python3
"""Writes the demo health records (demo/fhir/*.json), FHIR R4 collection bundles with real
codes: SNOMED CT problems, RxNorm medications, CVX vaccines, LOINC vitals and labs, UCUM units.
The server seeds them through its own FHIR import. Run it again after editing; the dates are
fixed (historical), so nothing here depends on the day the demo starts."""
import json, pathlib

SCT, RX, CVX, LOINC = ("http://snomed.info/sct", "http://www.nlm.nih.gov/research/umls/rxnorm",
                       "http://hl7.org/fhir/sid/cvx", "http://loinc.org")
UCUM = "http://unitsofmeasure.org"
OBS_CAT = "http://terminology.hl7.org/CodeSystem/observation-category"
V2_0074 = "http://terminology.hl7.org/CodeSystem/v2-0074"
INTERP = "http://terminology.hl7.org/CodeSystem/v3-ObservationInterpretation"


def cc(system, code, display):
    return {"coding": [{"system": system, "code": code, "display": display}], "text": display}


class Bundle:
    def __init__(self, key, given, family, birth, gender, mrn_system, mrn):
        self.key, self.entries, self.n = key, [], 0
        self.patient_ref = f"Patient/{key}"
        self.add({"resourceType": "Patient", "id": key,
                  "identifier": [{"system": mrn_system, "value": mrn}],
                  "name": [{"use": "official", "family": family, "given": [given]}],
                  "gender": gender, "birthDate": birth})

    def add(self, r):
        self.entries.append({"fullUrl": f"https://ehr.example/fhir/{r['resourceType']}/{r['id']}",
                             "resource": r})
        return r

    def nid(self, prefix):
        self.n += 1
        return f"{self.key}-{prefix}-{self.n}"

    def subj(self):
        return {"reference": self.patient_ref}

    def condition(self, code, display, onset, status="active", abatement=None):
        r = {"resourceType": "Condition", "id": self.nid("cond"),
             "clinicalStatus": cc("http://terminology.hl7.org/CodeSystem/condition-clinical", status, status.title()),
             "verificationStatus": cc("http://terminology.hl7.org/CodeSystem/condition-ver-status", "confirmed", "Confirmed"),
             "category": [cc("http://terminology.hl7.org/CodeSystem/condition-category", "problem-list-item", "Problem List Item")],
             "code": cc(SCT, code, display), "subject": self.subj(), "onsetDateTime": onset,
             "recordedDate": onset}
        if abatement:
            r["abatementDateTime"] = abatement
        self.add(r)

    def medication(self, code, display, authored, dosage, status="active"):
        self.add({"resourceType": "MedicationRequest", "id": self.nid("med"), "status": status,
                  "intent": "order", "medicationCodeableConcept": cc(RX, code, display),
                  "subject": self.subj(), "authoredOn": authored,
                  "requester": {"reference": "Practitioner/prac-1"},
                  "dosageInstruction": [{"text": dosage}]})

    def allergy(self, code, display, recorded, reaction, severity, criticality="low"):
        self.add({"resourceType": "AllergyIntolerance", "id": self.nid("allergy"),
                  "clinicalStatus": cc("http://terminology.hl7.org/CodeSystem/allergyintolerance-clinical", "active", "Active"),
                  "verificationStatus": cc("http://terminology.hl7.org/CodeSystem/allergyintolerance-verification", "confirmed", "Confirmed"),
                  "code": cc(SCT, code, display), "patient": self.subj(), "recordedDate": recorded,
                  "criticality": criticality,
                  "reaction": [{"manifestation": [cc(SCT, reaction[0], reaction[1])], "severity": severity}]})

    def immunization(self, code, display, date):
        self.add({"resourceType": "Immunization", "id": self.nid("imm"), "status": "completed",
                  "vaccineCode": cc(CVX, code, display), "patient": self.subj(),
                  "occurrenceDateTime": date, "primarySource": True})

    def procedure(self, code, display, date):
        self.add({"resourceType": "Procedure", "id": self.nid("proc"), "status": "completed",
                  "code": cc(SCT, code, display), "subject": self.subj(), "performedDateTime": date})

    def care_plan(self, title, description, start):
        self.add({"resourceType": "CarePlan", "id": self.nid("plan"), "status": "active",
                  "intent": "plan", "title": title, "description": description,
                  "category": [cc(SCT, "734163000", "Care plan")],
                  "subject": self.subj(), "period": {"start": start}})

    def qty(self, value, unit, code=None):
        return {"value": value, "unit": unit, "system": UCUM, "code": code or unit}

    def vital(self, code, display, date, value, unit, ucum=None):
        self.add({"resourceType": "Observation", "id": self.nid("vital"), "status": "final",
                  "category": [cc(OBS_CAT, "vital-signs", "Vital Signs")],
                  "code": cc(LOINC, code, display), "subject": self.subj(),
                  "effectiveDateTime": date, "valueQuantity": self.qty(value, unit, ucum)})

    def blood_pressure(self, date, sys, dia):
        self.add({"resourceType": "Observation", "id": self.nid("bp"), "status": "final",
                  "category": [cc(OBS_CAT, "vital-signs", "Vital Signs")],
                  "code": cc(LOINC, "85354-9", "Blood pressure panel with all children optional"),
                  "subject": self.subj(), "effectiveDateTime": date,
                  "component": [
                      {"code": cc(LOINC, "8480-6", "Systolic blood pressure"), "valueQuantity": self.qty(sys, "mm[Hg]")},
                      {"code": cc(LOINC, "8462-4", "Diastolic blood pressure"), "valueQuantity": self.qty(dia, "mm[Hg]")}]})

    def lab(self, code, display, date, value, unit, low, high, status="final", interp=None, ucum=None):
        r = {"resourceType": "Observation", "id": self.nid("lab"), "status": status,
             "category": [cc(OBS_CAT, "laboratory", "Laboratory")],
             "code": cc(LOINC, code, display), "subject": self.subj(),
             "effectiveDateTime": date, "issued": date + "T16:00:00Z",
             "valueQuantity": self.qty(value, unit, ucum),
             "specimen": {"reference": "Specimen/spec-blood", "display": "Blood"},
             "referenceRange": [{k: self.qty(v, unit, ucum) for k, v in (("low", low), ("high", high)) if v is not None}]}
        if interp:
            r["interpretation"] = [cc(INTERP, interp[0], interp[1])]
        return self.add(r)

    def report(self, code, display, date, results, category=("LAB", "Laboratory"), conclusion=None, status="final"):
        r = {"resourceType": "DiagnosticReport", "id": self.nid("report"), "status": status,
             "category": [cc(V2_0074, *category)], "code": cc(LOINC, code, display),
             "subject": self.subj(), "effectiveDateTime": date, "issued": date + "T17:00:00Z",
             "performer": [{"reference": "Organization/lab-1"}],
             "result": [{"reference": f"Observation/{o['id']}"} for o in results]}
        if conclusion:
            r["conclusion"] = conclusion
        self.add(r)
        return r

    def note(self, date, text):
        import base64
        self.add({"resourceType": "DocumentReference", "id": self.nid("note"), "status": "current",
                  "type": cc(LOINC, "11506-3", "Progress note"), "subject": self.subj(), "date": date,
                  "content": [{"attachment": {"contentType": "text/plain",
                                              "data": base64.b64encode(text.encode()).decode()}}]})

    def support(self, clinician, lab):
        self.add({"resourceType": "Practitioner", "id": "prac-1", "name": [{"family": clinician[1], "given": [clinician[0]], "prefix": ["Dr."]}]})
        self.add({"resourceType": "Organization", "id": "lab-1", "name": lab})
        self.add({"resourceType": "Specimen", "id": "spec-blood", "type": cc(SCT, "119297000", "Blood specimen")})

    def write(self, path):
        doc = {"resourceType": "Bundle", "type": "collection", "entry": self.entries}
        pathlib.Path(path).write_text(json.dumps(doc, indent=1) + "\n")


def emma_riverside():
    b = Bundle("emma-rfm", "Emma", "Carter", "1986-04-12", "female", "https://riverside.example/mrn", "RFM-10021")
    b.support(("Maya", "Patel"), "Riverside Regional Laboratory")
    b.condition("59621000", "Essential hypertension", "2021-03-15")
    b.condition("714628002", "Prediabetes", "2024-05-20")
    b.condition("367498001", "Seasonal allergic rhinitis", "2015-04-01", "resolved", "2023-06-01")
    b.medication("314076", "lisinopril 10 MG Oral Tablet", "2021-03-15", "Take 1 tablet by mouth once a day.")
    b.medication("311372", "loratadine 10 MG Oral Tablet", "2022-04-02", "Take 1 tablet by mouth daily as needed for allergies.", "stopped")
    b.allergy("764146007", "Penicillin", "2010-08-10", ("247472004", "Hives"), "moderate", "high")
    for y in range(2021, 2026):
        b.immunization("140", "Influenza, seasonal, injectable, preservative free", f"{y}-10-0{(y % 5) + 1}")
    b.immunization("115", "Tdap", "2019-06-11")
    b.immunization("208", "COVID-19, mRNA, LNP-S, PF, 30 mcg/0.3 mL dose", "2021-04-20")
    b.procedure("29303009", "Electrocardiographic procedure", "2021-03-15")
    b.care_plan("Blood pressure plan", "Home blood pressure twice a week; less salt; 30 minutes of walking five days a week.", "2021-03-15")
    visits = ["2021-03-15", "2021-09-20", "2022-03-14", "2022-09-19", "2023-03-13", "2023-09-18",
              "2024-03-11", "2024-09-16", "2025-03-10", "2025-09-15", "2026-03-09"]
    for i, d in enumerate(visits):
        b.blood_pressure(d, [148, 142, 136, 134, 131, 128, 126, 129, 124, 122, 121][i], [94, 91, 88, 86, 84, 82, 80, 83, 79, 78, 78][i])
        b.vital("29463-7", "Body weight", d, [82.4, 81.9, 80.7, 79.8, 79.1, 78.6, 78.9, 78.2, 77.5, 77.0, 76.4][i], "kg")
        b.vital("8867-4", "Heart rate", d, [78, 76, 74, 75, 72, 71, 70, 72, 69, 68, 68][i], "/min")
    a1c = [b.lab("4548-4", "Hemoglobin A1c/Hemoglobin.total in Blood", d, v, "%", 4.0, 5.6,
                 interp=("H", "High") if v > 5.6 else None)
           for d, v in (("2023-03-13", 5.4), ("2024-03-11", 5.8), ("2025-03-10", 6.1))]
    for o in a1c:
        b.report("4548-4", "Hemoglobin A1c panel", o["effectiveDateTime"], [o])
    ldl = b.lab("13457-7", "Cholesterol in LDL [Mass/volume] in Serum or Plasma by calculation", "2025-03-10", 162, "mg/dL", None, 130, interp=("H", "High"))
    hdl = b.lab("2085-9", "Cholesterol in HDL [Mass/volume] in Serum or Plasma", "2025-03-10", 52, "mg/dL", 40, None)
    b.report("57698-3", "Lipid panel with direct LDL - Serum or Plasma", "2025-03-10", [ldl, hdl])
    k = b.lab("2823-3", "Potassium [Moles/volume] in Serum or Plasma", "2025-03-10", 4.1, "mmol/L", 3.5, 5.1, status="corrected", ucum="mmol/L")
    b.report("24323-8", "Comprehensive metabolic panel", "2025-03-10", [k], status="corrected",
             conclusion="Corrected: the first potassium result (6.2 mmol/L) came from a hemolysed sample.")
    tsh = b.lab("3016-3", "Thyrotropin [Units/volume] in Serum or Plasma", "2026-03-09", 3.9, "m[IU]/L", 0.4, 4.0)
    b.report("3016-3", "Thyroid stimulating hormone panel", "2026-03-09", [tsh])
    vit_d = b.lab("62292-8", "25-Hydroxyvitamin D2+D3 [Mass/volume] in Serum or Plasma", "2026-03-09", 24, "ng/mL", 30, 100, interp=("L", "Low"))
    b.report("62292-8", "Vitamin D panel", "2026-03-09", [vit_d])
    b.report("36643-5", "XR Chest 2 Views", "2024-09-16", [], category=("RAD", "Radiology"),
             conclusion="No acute cardiopulmonary abnormality.")
    b.note("2025-03-10T15:30:00Z", "Confidential chart note: discussed family stress; revisit in 3 months.")
    return b


def emma_harbor():
    b = Bundle("emma-hpim", "Emma", "Carter", "1986-04-12", "female", "https://harbor.example/patients", "H-55810")
    b.support(("Daniel", "Kim"), "Harbor Clinical Laboratory")
    b.condition("43116000", "Eczema", "2023-11-02")
    b.medication("106258", "hydrocortisone 10 MG/ML Topical Cream", "2023-11-02", "Apply a thin layer to the affected skin twice a day for up to 2 weeks.")
    b.immunization("140", "Influenza, seasonal, injectable, preservative free", "2025-10-14")
    for i, d in enumerate(["2023-11-02", "2024-11-05", "2025-10-14"]):
        b.blood_pressure(d, [124, 123, 120][i], [80, 79, 77][i])
    b.note("2023-11-02T18:00:00Z", "Chart note: patient prefers fragrance-free products.")
    return b


def lily():
    b = Bundle("lily-hpim", "Lily", "Carter", "2017-09-03", "female", "https://harbor.example/patients", "H-55811")
    b.support(("Sofia", "Alvarez"), "Harbor Clinical Laboratory")
    b.condition("195967001", "Asthma", "2021-02-10")
    b.medication("745679", "200 ACTUAT albuterol 0.09 MG/ACTUAT Metered Dose Inhaler", "2021-02-10", "2 puffs every 4 to 6 hours as needed for wheezing.")
    b.allergy("762952008", "Peanut", "2019-05-06", ("39579001", "Anaphylaxis"), "severe", "high")
    for code, display, d in (("20", "DTaP", "2017-11-03"), ("03", "MMR", "2018-09-04"), ("21", "Varicella", "2018-09-04"),
                             ("140", "Influenza, seasonal, injectable, preservative free", "2025-10-01")):
        b.immunization(code, display, d)
    for i, d in enumerate(["2022-09-06", "2023-09-05", "2024-09-04", "2025-09-03"]):
        b.vital("8302-2", "Body height", d, [117.5, 123.0, 128.9, 134.2][i], "cm")
        b.vital("29463-7", "Body weight", d, [21.2, 23.4, 26.1, 28.8][i], "kg")
    hb = b.lab("718-7", "Hemoglobin [Mass/volume] in Blood", "2025-09-03", 10.9, "g/dL", 11.5, 15.5, interp=("L", "Low"))
    b.report("58410-2", "CBC panel - Blood by Automated count", "2025-09-03", [hb])
    b.note("2025-09-03T17:00:00Z", "Chart note: mild anemia; recheck in 3 months.")
    return b


if __name__ == "__main__":
    out = pathlib.Path(__file__).resolve().parent.parent / "demo" / "fhir"
    out.mkdir(parents=True, exist_ok=True)
    emma_riverside().write(out / "emma-riverside.json")
    emma_harbor().write(out / "emma-harbor.json")
    lily().write(out / "lily-harbor.json")
