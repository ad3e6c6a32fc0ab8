//! The one application error type, shared by server functions and pages.
//!
//! Every variant's `Display` is a message a user can read. Internal failures carry only
//! an opaque reference id; their real text goes to the server log.

use serde::{Deserialize, Serialize};
use server_fn::{
    codec::JsonEncoding,
    error::{FromServerFnError, ServerFnErrorErr},
};

/// A message tied to one form field, shown beside that field.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldError {
    pub field: String,
    pub message: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum AppError {
    #[error("Please sign in to continue.")]
    Unauthorized,
    #[error("You do not have access to this page or action.")]
    Forbidden,
    #[error("{0}")]
    NotFound(String),
    #[error("{message}")]
    Validation {
        message: String,
        fields: Vec<FieldError>,
    },
    #[error("{0}")]
    Conflict(String),
    #[error("{0}")]
    TooManyRequests(String),
    #[error("The request could not be understood. Reload the page and try again.")]
    BadRequest,
    #[error("We could not reach Portico. Check your connection and try again.")]
    Network,
    /// The database is away or its disk refuses the write; nothing was changed.
    #[error("Portico is temporarily unavailable, so nothing was changed. Please try again in a few minutes. (Reference {0})")]
    Unavailable(String),
    #[error("Something went wrong on our side. If it keeps happening, contact your clinic and quote reference {0}.")]
    Internal(String),
}

impl AppError {
    /// A form-level validation failure with no field attribution.
    pub fn invalid(message: impl Into<String>) -> Self {
        AppError::Validation {
            message: message.into(),
            fields: Vec::new(),
        }
    }

    /// A validation failure pinned to one field.
    pub fn field(field: &str, message: impl Into<String>) -> Self {
        let message = message.into();
        AppError::Validation {
            message: "Please correct the highlighted field.".into(),
            fields: vec![FieldError {
                field: field.into(),
                message,
            }],
        }
    }

    /// Combine several field errors; `None` when there are none.
    pub fn fields(errors: Vec<FieldError>) -> Option<Self> {
        if errors.is_empty() {
            return None;
        }
        let message = if errors.len() == 1 {
            "Please correct the highlighted field.".to_string()
        } else {
            "Please correct the highlighted fields.".to_string()
        };
        Some(AppError::Validation {
            message,
            fields: errors,
        })
    }

    /// The message for one field, if this error names it.
    pub fn field_message(&self, name: &str) -> Option<String> {
        match self {
            AppError::Validation { fields, .. } => fields
                .iter()
                .find(|f| f.field == name)
                .map(|f| f.message.clone()),
            _ => None,
        }
    }

    /// Log an unexpected failure with a fresh reference id and return the opaque error.
    #[cfg(feature = "ssr")]
    pub fn internal(err: impl std::fmt::Display) -> Self {
        let id = crate::ssr::token::reference_id();
        tracing::error!(error.id = %id, error = %err, "internal error");
        AppError::Internal(id)
    }

    /// The HTTP status this error maps to.
    pub fn status(&self) -> u16 {
        match self {
            AppError::Unauthorized => 401,
            AppError::Forbidden => 403,
            AppError::NotFound(_) => 404,
            AppError::Validation { .. } => 422,
            AppError::Conflict(_) => 409,
            AppError::TooManyRequests(_) => 429,
            AppError::BadRequest => 400,
            AppError::Network | AppError::Unavailable(_) => 503,
            AppError::Internal(_) => 500,
        }
    }
}

impl FromServerFnError for AppError {
    type Encoder = JsonEncoding;

    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        match value {
            ServerFnErrorErr::Request(_) => AppError::Network,
            ServerFnErrorErr::Args(_)
            | ServerFnErrorErr::MissingArg(_)
            | ServerFnErrorErr::Deserialization(_)
            | ServerFnErrorErr::Serialization(_)
            | ServerFnErrorErr::UnsupportedRequestMethod(_) => AppError::BadRequest,
            other => {
                #[cfg(feature = "ssr")]
                {
                    AppError::internal(other)
                }
                #[cfg(not(feature = "ssr"))]
                {
                    let _ = other;
                    AppError::Internal("client".into())
                }
            }
        }
    }
}

#[cfg(feature = "ssr")]
impl From<sqlx::Error> for AppError {
    fn from(err: sqlx::Error) -> Self {
        use crate::ssr::breaker::{is_storage_failure, is_unreachable};
        // The server is stopping: tasks of requests whose clients had gone (a page's resources
        // run on their own) find the pool closed. Nothing is wrong with the database.
        if matches!(err, sqlx::Error::PoolClosed) {
            let id = crate::ssr::token::reference_id();
            tracing::debug!(error.id = %id, "a query after the pool closed for shutdown");
            return AppError::Unavailable(id);
        }
        if is_unreachable(&err) || is_storage_failure(&err) {
            let id = crate::ssr::token::reference_id();
            tracing::error!(error.id = %id, error = %err, "database unavailable");
            return AppError::Unavailable(id);
        }
        AppError::internal(format!("database: {err}"))
    }
}

pub type AppResult<T> = Result<T, AppError>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn internal_error_shows_only_the_reference() {
        let err = AppError::Internal("abc123".into());
        let text = err.to_string();
        assert!(text.contains("abc123"));
        assert!(!text.to_lowercase().contains("database"));
    }

    #[test]
    fn field_errors_are_found_by_name() {
        let err = AppError::field("username", "Enter your username");
        assert_eq!(
            err.field_message("username").as_deref(),
            Some("Enter your username")
        );
        assert_eq!(err.field_message("password"), None);
        assert_eq!(err.status(), 422);
    }

    #[test]
    fn no_field_errors_means_no_error() {
        assert!(AppError::fields(vec![]).is_none());
    }

    #[cfg(feature = "ssr")]
    #[test]
    fn a_closed_pool_is_the_unavailable_page() {
        assert!(matches!(
            AppError::from(sqlx::Error::PoolClosed),
            AppError::Unavailable(_)
        ));
    }

    #[test]
    fn argument_errors_do_not_leak_their_text() {
        let err = AppError::from_server_fn_error(ServerFnErrorErr::Args(
            "missing field `secret_internal`".into(),
        ));
        assert_eq!(err, AppError::BadRequest);
        assert!(!err.to_string().contains("secret_internal"));
    }
}
