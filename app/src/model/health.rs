//! The health record as the browser sees it. Every value arrives as words and strings written
//! by the server (dates, numbers with their units, the vitals charts as SVG path data), so the
//! WASM carries no number formatting and hydration shows exactly what the server rendered.

use serde::{Deserialize, Serialize};

/// A part of the record, in the order the page shows them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Section {
    Problems,
    Medications,
    Allergies,
    Immunizations,
    Procedures,
    CarePlans,
    Vitals,
    Labs,
    Imaging,
}

/// How much of a long history the page lists (the chart and the downloads keep it all).
pub const PAGE_VITAL_ROWS: usize = 12;
pub const PAGE_LAB_RESULTS: usize = 10;

impl Section {
    pub const ALL: [Section; 9] = [
        Section::Problems,
        Section::Medications,
        Section::Allergies,
        Section::Immunizations,
        Section::Procedures,
        Section::CarePlans,
        Section::Vitals,
        Section::Labs,
        Section::Imaging,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Section::Problems => "problems",
            Section::Medications => "medications",
            Section::Allergies => "allergies",
            Section::Immunizations => "immunizations",
            Section::Procedures => "procedures",
            Section::CarePlans => "care_plans",
            Section::Vitals => "vitals",
            Section::Labs => "labs",
            Section::Imaging => "imaging",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Section::ALL.into_iter().find(|x| x.as_str() == s)
    }

    pub fn heading(self) -> &'static str {
        match self {
            Section::Problems => "Problems",
            Section::Medications => "Medications",
            Section::Allergies => "Allergies",
            Section::Immunizations => "Immunizations",
            Section::Procedures => "Procedures",
            Section::CarePlans => "Care plans",
            Section::Vitals => "Vitals",
            Section::Labs => "Lab results",
            Section::Imaging => "Imaging reports",
        }
    }

    /// What the page says when the section is empty.
    pub fn empty(self) -> &'static str {
        match self {
            Section::Problems => "No problems are recorded.",
            Section::Medications => "No medications are recorded.",
            Section::Allergies => "No allergies are recorded.",
            Section::Immunizations => "No immunizations are recorded.",
            Section::Procedures => "No procedures are recorded.",
            Section::CarePlans => "No care plans are recorded.",
            Section::Vitals => "No vitals are recorded.",
            Section::Labs => "No lab results have been shared with you.",
            Section::Imaging => "No imaging reports have been shared with you.",
        }
    }
}

/// How a result compares with its reference range.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Flag {
    None,
    High,
    Low,
    Critical,
    Abnormal,
}

impl Flag {
    pub fn as_str(self) -> &'static str {
        match self {
            Flag::None => "",
            Flag::High => "high",
            Flag::Low => "low",
            Flag::Critical => "critical",
            Flag::Abnormal => "abnormal",
        }
    }

    pub fn parse(s: &str) -> Self {
        match s {
            "high" => Flag::High,
            "low" => Flag::Low,
            "critical" => Flag::Critical,
            "abnormal" => Flag::Abnormal,
            _ => Flag::None,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Flag::None => "",
            Flag::High => "High",
            Flag::Low => "Low",
            Flag::Critical => "Critical",
            Flag::Abnormal => "Abnormal",
        }
    }
}

/// One entry of a list section (problems, medications, allergies, immunizations, procedures,
/// care plans, imaging reports).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecordItem {
    pub title: String,
    /// In words: "Active", "Resolved", "Completed"…
    pub status: String,
    /// e.g. "Mar 5, 2024"; empty when the record gives no date.
    pub date: String,
    pub detail: String,
    pub performer: String,
}

/// One lab result value as reported.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LabValue {
    pub date: String,
    /// The value with its unit, e.g. "5.9 %".
    pub value: String,
    /// e.g. "4.0–5.6 %"; empty when the lab gives none.
    pub range: String,
    pub flag: Flag,
    /// "Final", "Corrected", "Preliminary"…
    pub status: String,
    pub corrected: bool,
    pub specimen: String,
    pub lab: String,
    /// The day the report was issued.
    pub reported: String,
}

/// A lab test with its latest result first and the earlier ones of the same test after it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LabTest {
    pub title: String,
    pub results: Vec<LabValue>,
    /// Earlier results not listed on the page (every download has them all).
    pub more: usize,
}

/// One vital sign's history: the points of its chart and the same data as a table.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VitalSeries {
    pub title: String,
    pub unit: String,
    /// SVG polyline points in a 300 × 100 box, oldest on the left.
    pub points: String,
    /// The lowest and highest values, with the unit, for the chart's axis labels.
    pub low: String,
    pub high: String,
    /// Newest first: (date, value with unit).
    pub rows: Vec<(String, String)>,
    /// Earlier measurements drawn in the chart but not listed in the table.
    pub more: usize,
}

/// The practice behind the record, for "questions about your record".
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecordPractice {
    pub name: String,
    pub phone: String,
    pub address: String,
}

/// The date filter as entered: `from` alone is one day; both are a range (inclusive).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DateFilter {
    pub from: String,
    pub to: String,
}

/// The selected record's health record, filtered by date.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HealthRecord {
    pub patient_name: String,
    pub date_of_birth: String,
    pub practice: RecordPractice,
    pub filter: DateFilter,
    /// The filter in words, e.g. "From Jan 1, 2024 to Dec 31, 2024"; empty for everything.
    pub filter_label: String,
    /// The list sections, in page order, each with its entries (newest first).
    pub lists: Vec<(Section, Vec<RecordItem>)>,
    pub vitals: Vec<VitalSeries>,
    pub labs: Vec<LabTest>,
    /// Appointments with the practice (title: provider; detail: the reason), soonest first.
    pub upcoming: Vec<RecordItem>,
    /// Newest first.
    pub past: Vec<RecordItem>,
}

/// A result on the staff chart page, with whether the patient can see it yet.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChartResult {
    pub id: i64,
    /// "Lab report", "Imaging report" or "Lab result".
    pub kind: String,
    pub title: String,
    pub date: String,
    pub status: String,
    /// "Shared by Priya Shah on Mar 5, 2026"; empty while hidden from the patient.
    pub shared: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChartResults {
    pub patient_name: String,
    pub date_of_birth: String,
    /// Providers and admins share results; the front desk sees whether they are shared.
    pub can_share: bool,
    /// Practice admins import FHIR bundles.
    pub can_import: bool,
    pub last_import: Option<ImportOutcome>,
    pub results: Vec<ChartResult>,
    /// Providers and admins write entries; everything but vitals and results is listed.
    pub can_write: bool,
    pub entries: Vec<ChartEntry>,
}

/// The latest bundle uploaded on this chart's page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportOutcome {
    pub at: String,
    pub by: String,
    pub imported: bool,
    /// "Emma Carter: 3 added, 0 updated, 60 unchanged, 3 skipped", or why nothing was.
    pub summary: String,
    /// Each resource refused and why.
    pub problems: Vec<String>,
}

/// How the record is sent to an email address.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum SendMethod {
    Secure,
    Plain,
}

impl SendMethod {
    pub fn as_str(self) -> &'static str {
        match self {
            SendMethod::Secure => "secure",
            SendMethod::Plain => "plain",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "secure" => Some(SendMethod::Secure),
            "plain" => Some(SendMethod::Plain),
            _ => None,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            SendMethod::Secure => "Secure link",
            SendMethod::Plain => "Plain email",
        }
    }
}

/// The sender's confirmation of a sent record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SentRecord {
    pub method: SendMethod,
    pub recipient: String,
    /// The one-time code to pass on, while the secure link is unused and alive.
    pub code: Option<String>,
    /// When the secure link stops working (practice's zone).
    pub expires: String,
    pub opened: bool,
    pub filter_label: String,
}

/// What staff may write into a chart in Portico.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum EntryKind {
    Problem,
    Medication,
    Allergy,
    Immunization,
    Vital,
    Lab,
}

impl EntryKind {
    pub const ALL: [EntryKind; 6] = [
        EntryKind::Problem,
        EntryKind::Medication,
        EntryKind::Allergy,
        EntryKind::Immunization,
        EntryKind::Vital,
        EntryKind::Lab,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            EntryKind::Problem => "problem",
            EntryKind::Medication => "medication",
            EntryKind::Allergy => "allergy",
            EntryKind::Immunization => "immunization",
            EntryKind::Vital => "vital",
            EntryKind::Lab => "lab",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        EntryKind::ALL.into_iter().find(|k| k.as_str() == s)
    }

    pub fn label(self) -> &'static str {
        match self {
            EntryKind::Problem => "Add a problem",
            EntryKind::Medication => "Add a medication",
            EntryKind::Allergy => "Add an allergy",
            EntryKind::Immunization => "Add an immunization",
            EntryKind::Vital => "Add a vital sign",
            EntryKind::Lab => "Enter a lab result",
        }
    }
}

/// An entry on the staff chart page, with what may be done to it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChartEntry {
    pub id: i64,
    pub section: Section,
    pub title: String,
    pub status: String,
    pub date: String,
    /// "Imported" or "Entered in Portico".
    pub source: String,
    pub can_resolve: bool,
    pub in_error: bool,
}

/// The vital signs staff enter (LOINC code, what the form calls it); the server knows units.
pub const VITAL_CHOICES: [(&str, &str); 6] = [
    ("8480-6", "Systolic blood pressure (mm Hg)"),
    ("8462-4", "Diastolic blood pressure (mm Hg)"),
    ("29463-7", "Body weight (kg)"),
    ("8302-2", "Body height (cm)"),
    ("8867-4", "Heart rate (beats per minute)"),
    ("8310-5", "Body temperature (°C)"),
];
