//! The design system: small accessible building blocks styled by `style/main.css`.

pub mod alert;
pub mod countdown;
pub mod empty;
pub mod form;
pub mod idle;
pub mod live;
pub mod modal;
