//! The TOTP secret at rest: sealed (ChaCha20-Poly1305) with a key derived from
//! `PORTICO_SECRET_KEY` by HKDF, and bound to its account, so a copied database alone gives no
//! one a working second factor, and a sealed secret moved to another account does not open.

use base64::Engine;
use ring::{aead, hkdf};

const VERSION: &str = "v1:";
const NONCE_LEN: usize = 12;

fn key(secret_key: &[u8]) -> aead::LessSafeKey {
    let prk = hkdf::Salt::new(hkdf::HKDF_SHA256, b"portico").extract(secret_key);
    // The output length is the AEAD key's own, which HKDF-SHA256 always provides.
    #[allow(clippy::expect_used)]
    let okm = prk
        .expand(&[b"staff two-factor secret"], &aead::CHACHA20_POLY1305)
        .expect("HKDF can produce a 32-byte key");
    aead::LessSafeKey::new(okm.into())
}

fn aad(staff_id: i64) -> String {
    format!("staff:{staff_id}")
}

/// `plain`, sealed for account `staff_id`, as text for the database.
pub fn seal(secret_key: &[u8], staff_id: i64, plain: &[u8]) -> String {
    let mut nonce = [0u8; NONCE_LEN];
    // As in `token::random_hex`: without the OS RNG no secret can be made safely.
    #[allow(clippy::expect_used)]
    getrandom::fill(&mut nonce).expect("operating system random number generator failed");
    let mut buf = plain.to_vec();
    let sealed = key(secret_key).seal_in_place_append_tag(
        aead::Nonce::assume_unique_for_key(nonce),
        aead::Aad::from(aad(staff_id).as_bytes()),
        &mut buf,
    );
    // Sealing fails only for inputs of gigabytes.
    #[allow(clippy::expect_used)]
    sealed.expect("a 20-byte secret can be sealed");
    let mut out = nonce.to_vec();
    out.extend_from_slice(&buf);
    format!(
        "{VERSION}{}",
        base64::engine::general_purpose::STANDARD_NO_PAD.encode(out)
    )
}

/// The secret back, or `None` if the text was not sealed with this key for this account.
pub fn open(secret_key: &[u8], staff_id: i64, sealed: &str) -> Option<Vec<u8>> {
    let body = sealed.strip_prefix(VERSION)?;
    let bytes = base64::engine::general_purpose::STANDARD_NO_PAD
        .decode(body)
        .ok()?;
    if bytes.len() < NONCE_LEN {
        return None;
    }
    let (nonce, ct) = bytes.split_at(NONCE_LEN);
    let nonce = aead::Nonce::try_assume_unique_for_key(nonce).ok()?;
    let mut buf = ct.to_vec();
    let plain = key(secret_key)
        .open_in_place(nonce, aead::Aad::from(aad(staff_id).as_bytes()), &mut buf)
        .ok()?;
    Some(plain.to_vec())
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY: &[u8] = b"a test secret key of reasonable length";

    #[test]
    fn sealed_secrets_open_with_the_same_key_and_account_only() {
        let sealed = seal(KEY, 7, b"12345678901234567890");
        assert!(!sealed.contains("12345678901234567890"));
        assert_eq!(open(KEY, 7, &sealed).unwrap(), b"12345678901234567890");
        assert!(open(b"another key", 7, &sealed).is_none());
        assert!(open(KEY, 8, &sealed).is_none());
    }

    #[test]
    fn each_seal_is_different_and_tampering_is_refused() {
        let a = seal(KEY, 1, b"secret");
        let b = seal(KEY, 1, b"secret");
        assert_ne!(a, b, "a fresh nonce every time");
        let mut tampered = a.clone().into_bytes();
        let last = tampered.len() - 2;
        tampered[last] = if tampered[last] == b'A' { b'B' } else { b'A' };
        assert!(open(KEY, 1, &String::from_utf8(tampered).unwrap()).is_none());
        assert!(open(KEY, 1, "").is_none());
        assert!(open(KEY, 1, "v1:AAAA").is_none());
    }
}
