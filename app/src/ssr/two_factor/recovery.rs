//! Recovery codes: ten single-use codes for signing in without the phone, shown once and
//! stored as keyed hashes (50 random bits each, so a fast keyed hash is enough).

use sqlx::AnyConnection;

use crate::ssr::token;

pub const COUNT: usize = 10;
/// No 0/o, 1/l/i: codes are read off paper.
const ALPHABET: &[u8] = b"23456789abcdefghjkmnpqrstuvwxyz";
const HALF: usize = 5;

/// A new set, each as `xxxxx-xxxxx`.
pub fn generate() -> Vec<String> {
    (0..COUNT).map(|_| one()).collect()
}

fn one() -> String {
    let mut bytes = [0u8; 2 * HALF];
    // As in `token::random_hex`.
    #[allow(clippy::expect_used)]
    getrandom::fill(&mut bytes).expect("operating system random number generator failed");
    let mut out = String::with_capacity(2 * HALF + 1);
    for (i, b) in bytes.iter().enumerate() {
        if i == HALF {
            out.push('-');
        }
        // 31 symbols: the tiny bias of `% 31` on a byte costs well under a bit.
        out.push(char::from(ALPHABET[usize::from(*b) % ALPHABET.len()]));
    }
    out
}

fn normalize(code: &str) -> String {
    code.chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .map(|c| c.to_ascii_lowercase())
        .collect()
}

/// Whether typed text is meant as a recovery code rather than an app's six digits.
pub fn looks_like(code: &str) -> bool {
    normalize(code).len() == 2 * HALF
}

pub fn hash(key: &[u8], code: &str) -> String {
    token::keyed_hash(key, &format!("recovery:{}", normalize(code)))
}

/// Replace every recovery code of an account by `codes`.
pub async fn replace(
    conn: &mut AnyConnection,
    key: &[u8],
    staff_id: i64,
    codes: &[String],
) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM staff_recovery_codes WHERE staff_id = $1")
        .bind(staff_id)
        .execute(&mut *conn)
        .await?;
    for code in codes {
        sqlx::query("INSERT INTO staff_recovery_codes (staff_id, code_hash) VALUES ($1, $2)")
            .bind(staff_id)
            .bind(hash(key, code))
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ten_distinct_codes_in_the_readable_alphabet() {
        let codes = generate();
        assert_eq!(codes.len(), 10);
        let mut unique = codes.clone();
        unique.sort();
        unique.dedup();
        assert_eq!(unique.len(), 10);
        for c in &codes {
            assert_eq!(c.len(), 11);
            assert_eq!(&c[5..6], "-");
            assert!(c.bytes().all(|b| b == b'-' || ALPHABET.contains(&b)), "{c}");
            assert!(looks_like(c));
        }
        assert!(!looks_like("123456"));
    }

    #[test]
    fn typing_variations_hash_alike_and_the_key_matters() {
        let key = b"key";
        assert_eq!(hash(key, "abcde-fghjk"), hash(key, " ABCDE FGHJK "));
        assert_ne!(hash(key, "abcde-fghjk"), hash(b"other", "abcde-fghjk"));
        assert_ne!(hash(key, "abcde-fghjk"), hash(key, "abcde-fghjm"));
    }
}
