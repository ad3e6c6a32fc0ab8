//! The request body limit: small everywhere (sign-in forms are tiny; this blocks
//! memory-exhaustion posts), larger only for the one route that takes a FHIR bundle.

use axum::{
    body::Body,
    extract::Request,
    http::{header, StatusCode},
    middleware::Next,
    response::{IntoResponse, Response},
};
use http_body_util::Limited;

use crate::BODY_LIMIT_BYTES;

/// A clinic's FHIR bundle for one patient (a 5,000-resource bundle is about 5 MB).
pub const IMPORT_LIMIT_BYTES: usize = 32 * 1024 * 1024;

pub fn limit_for(path: &str) -> usize {
    if path.starts_with("/staff/patients/") && path.ends_with("/import") {
        IMPORT_LIMIT_BYTES
    } else {
        BODY_LIMIT_BYTES
    }
}

pub async fn body_limit(req: Request, next: Next) -> Response {
    let limit = limit_for(req.uri().path());
    let declared = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok());
    if declared.is_some_and(|n| n > limit) {
        return (StatusCode::PAYLOAD_TOO_LARGE, "The request is too large.").into_response();
    }
    next.run(req.map(|b| Body::new(Limited::new(b, limit))))
        .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_import_takes_large_bodies() {
        assert_eq!(limit_for("/staff/patients/4/import"), IMPORT_LIMIT_BYTES);
        assert_eq!(limit_for("/api/auth/login"), BODY_LIMIT_BYTES);
        assert_eq!(limit_for("/staff/patients/4"), BODY_LIMIT_BYTES);
    }
}
