//! Password hashing: argon2id at OWASP's parameters, off the async runtime, at most one hash
//! per core at a time so a burst of sign-ins cannot starve the server.

use std::sync::Arc;

use argon2::{
    password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString},
    Algorithm, Argon2, Params, Version,
};
use tokio::sync::Semaphore;

use crate::error::AppError;

#[derive(Clone)]
pub struct Hasher {
    permits: Arc<Semaphore>,
    /// Verified against when a username is unknown, so that costs what a wrong password costs.
    dummy_hash: Arc<str>,
}

/// OWASP Password Storage Cheat Sheet: argon2id, 19 MiB, 2 iterations, 1 lane.
fn argon2() -> Argon2<'static> {
    #[allow(clippy::expect_used)]
    let params = Params::new(19 * 1024, 2, 1, None).expect("constant argon2 parameters are valid");
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

fn hash_now(password: &str) -> Result<String, AppError> {
    let salt_bytes = super::token::random_hex(16);
    let salt = SaltString::encode_b64(salt_bytes.as_bytes()).map_err(AppError::internal)?;
    argon2()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(AppError::internal)
}

impl Hasher {
    pub fn new() -> Result<Self, AppError> {
        let cores = std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(1);
        let dummy = hash_now(&super::token::random_hex(16))?;
        Ok(Hasher {
            permits: Arc::new(Semaphore::new(cores)),
            dummy_hash: dummy.into(),
        })
    }

    pub async fn hash(&self, password: String) -> Result<String, AppError> {
        let _permit = self.permits.acquire().await.map_err(AppError::internal)?;
        tokio::task::spawn_blocking(move || hash_now(&password))
            .await
            .map_err(AppError::internal)?
    }

    /// Verify `password` against `stored`; with no stored hash (unknown user) do the same work
    /// against a dummy hash and answer `false`.
    pub async fn verify(&self, password: String, stored: Option<String>) -> Result<bool, AppError> {
        let _permit = self.permits.acquire().await.map_err(AppError::internal)?;
        let known = stored.is_some();
        let hash = stored.unwrap_or_else(|| self.dummy_hash.to_string());
        let matched = tokio::task::spawn_blocking(move || {
            let parsed = PasswordHash::new(&hash).map_err(AppError::internal)?;
            Ok::<bool, AppError>(
                argon2()
                    .verify_password(password.as_bytes(), &parsed)
                    .is_ok(),
            )
        })
        .await
        .map_err(AppError::internal)??;
        Ok(known && matched)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn hashes_verify_and_differ() {
        let h = Hasher::new().unwrap();
        let a = h.hash("Portico-demo1".into()).await.unwrap();
        let b = h.hash("Portico-demo1".into()).await.unwrap();
        assert_ne!(a, b, "salted");
        assert!(a.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"));
        assert!(h
            .verify("Portico-demo1".into(), Some(a.clone()))
            .await
            .unwrap());
        assert!(!h.verify("portico-demo1".into(), Some(a)).await.unwrap());
    }

    #[tokio::test]
    async fn unknown_user_never_matches() {
        let h = Hasher::new().unwrap();
        assert!(!h.verify("anything".into(), None).await.unwrap());
    }
}
