//! The health record on the server: what a patient may see of a chart, and how it is written.

pub mod download;
pub mod entry;
pub mod patient;
pub mod present;
pub mod record;
pub mod share;
pub mod staff;
pub mod summary;
pub mod transmit;
