//! Request middleware, outermost first in `router`: request ids and tracing, security headers,
//! body limit, CSRF, client address, the database breaker, session and page guard.

pub mod api_status;
pub mod body_limit;
pub mod breaker;
pub mod client_ip;
pub mod csrf;
pub mod request_id;
pub mod security_headers;
pub mod session;

/// Static files that need neither a session nor `no-store`.
pub fn is_asset(path: &str) -> bool {
    path.starts_with("/pkg/")
        || path.starts_with("/assets/")
        || matches!(path, "/favicon.svg" | "/favicon.ico" | "/robots.txt")
}

/// How long browsers and proxies may keep a static file. A file whose name holds the build's
/// content hash never changes under that name; anything else is checked again each time.
pub fn asset_cache_policy(path: &str) -> &'static str {
    let name = path.rsplit('/').next().unwrap_or_default();
    let hashed = name.split('.').any(|part| {
        part.len() == 22
            && part
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    });
    if hashed {
        "public, max-age=31536000, immutable"
    } else {
        "public, no-cache"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashed_files_are_immutable_and_others_revalidate() {
        let year = "public, max-age=31536000, immutable";
        assert_eq!(
            asset_cache_policy("/pkg/portico.AbCdEfGhIjKlMnOpQrSt_-.wasm"),
            year
        );
        assert_eq!(
            asset_cache_policy("/pkg/__wasm_split.AbCdEfGhIjKlMnOpQrSt_-.js"),
            year
        );
        assert_eq!(asset_cache_policy("/pkg/portico.wasm"), "public, no-cache");
        assert_eq!(asset_cache_policy("/favicon.svg"), "public, no-cache");
        // A 22-character directory name does not make the file hashed.
        assert_eq!(
            asset_cache_policy("/pkg/AbCdEfGhIjKlMnOpQrSt_-/x.js"),
            "public, no-cache"
        );
    }
}
