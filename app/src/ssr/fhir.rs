//! FHIR R4 in and out: the clinic's EHR sends Bundles; Portico keeps each resource
//! beside the columns its pages need.

pub mod export;
pub mod extract;
pub mod import;
pub mod read;
