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
    /// Providers and admins share results; the front desk sees whether they are shared.
    pub can_share: bool,
    pub results: Vec<ChartResult>,
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
