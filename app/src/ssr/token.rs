//! Random secrets and their stored forms.

use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};

/// `n` bytes from the operating system's CSPRNG, hex-encoded.
pub fn random_hex(n: usize) -> String {
    let mut buf = vec![0u8; n];
    // The OS RNG failing means the machine cannot make secrets at all; nothing sensible
    // can continue, and silently using weaker randomness would be worse.
    #[allow(clippy::expect_used)]
    getrandom::fill(&mut buf).expect("operating system random number generator failed");
    hex::encode(buf)
}

/// A new session or link token: 256 random bits.
pub fn new_token() -> String {
    random_hex(32)
}

/// How a token is stored: its SHA-256. A token has full entropy, so no salt or key is needed,
/// and a leaked table does not let anyone sign in.
pub fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// A keyed hash, for low-entropy values (client addresses, later security codes) that must not
/// be reversible from the database alone.
pub fn keyed_hash(key: &[u8], value: &str) -> String {
    #[allow(clippy::expect_used)]
    let mut mac = Hmac::<Sha256>::new_from_slice(key).expect("HMAC accepts keys of any length");
    mac.update(value.as_bytes());
    hex::encode(mac.finalize().into_bytes())
}

/// Compare two secrets without a timing difference that depends on where they differ.
pub fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// A short id that ties a user-visible error to its log line.
pub fn reference_id() -> String {
    random_hex(6)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_long_and_distinct() {
        let a = new_token();
        let b = new_token();
        assert_eq!(a.len(), 64);
        assert_ne!(a, b);
    }

    #[test]
    fn token_hash_is_stable_and_not_the_token() {
        let t = new_token();
        assert_eq!(token_hash(&t), token_hash(&t));
        assert_ne!(token_hash(&t), t);
    }

    #[test]
    fn keyed_hash_depends_on_the_key() {
        assert_ne!(
            keyed_hash(b"k1", "127.0.0.1"),
            keyed_hash(b"k2", "127.0.0.1")
        );
        assert_eq!(keyed_hash(b"k1", "x"), keyed_hash(b"k1", "x"));
    }
}
