//! Time-based one-time passwords (RFC 6238 over RFC 4226's HOTP): what authenticator apps show.

use hmac::{digest::KeyInit, Hmac, Mac};

/// Seconds per step.
pub const STEP_SECS: i64 = 30;
/// Digits of a code.
pub const DIGITS: u32 = 6;
/// Steps of clock drift accepted either way: a phone a little fast or slow still works.
pub const DRIFT: i64 = 1;
/// Bytes of a new secret: 160 bits, as RFC 4226 recommends for HMAC-SHA1.
pub const SECRET_BYTES: usize = 20;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Algorithm {
    Sha1,
    Sha256,
    Sha512,
}

fn mac<M: Mac + KeyInit>(key: &[u8], message: &[u8]) -> Vec<u8> {
    // HMAC takes keys of any length.
    #[allow(clippy::expect_used)]
    let mut m = <M as Mac>::new_from_slice(key).expect("HMAC accepts any key length");
    m.update(message);
    m.finalize().into_bytes().to_vec()
}

/// The HOTP value for `counter`, as `digits` decimal digits (RFC 4226 §5.3).
pub fn hotp(alg: Algorithm, key: &[u8], counter: u64, digits: u32) -> String {
    let msg = counter.to_be_bytes();
    let hash = match alg {
        Algorithm::Sha1 => mac::<Hmac<sha1::Sha1>>(key, &msg),
        Algorithm::Sha256 => mac::<Hmac<sha2::Sha256>>(key, &msg),
        Algorithm::Sha512 => mac::<Hmac<sha2::Sha512>>(key, &msg),
    };
    // Dynamic truncation: the low nibble of the last byte picks four bytes.
    let offset = usize::from(hash[hash.len() - 1] & 0x0f);
    let bin = u32::from_be_bytes([
        hash[offset] & 0x7f,
        hash[offset + 1],
        hash[offset + 2],
        hash[offset + 3],
    ]);
    let value = u64::from(bin) % 10u64.pow(digits);
    format!("{value:0width$}", width = digits as usize)
}

/// The step a Unix time falls in.
pub fn step_at(unix: i64) -> i64 {
    unix.div_euclid(STEP_SECS)
}

/// The code an app shows at `unix` for a secret (SHA-1, six digits: what every app supports).
pub fn code_at(key: &[u8], unix: i64) -> String {
    hotp(Algorithm::Sha1, key, step_at(unix).max(0) as u64, DIGITS)
}

/// Why a code was not accepted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// Not six digits, or not the code of any step near now.
    Wrong,
    /// The code of a step at or before the last one accepted: already used.
    Reused,
}

/// The step a typed code belongs to, if it is the code of a step within the drift window and
/// later than `last_step` (the latest step accepted before).
pub fn verify(key: &[u8], typed: &str, unix: i64, last_step: i64) -> Result<i64, Refusal> {
    let typed: String = typed.chars().filter(|c| !c.is_whitespace()).collect();
    if typed.len() != DIGITS as usize || !typed.bytes().all(|b| b.is_ascii_digit()) {
        return Err(Refusal::Wrong);
    }
    let now = step_at(unix);
    let mut reused = false;
    for step in (now - DRIFT..=now + DRIFT).filter(|s| *s >= 0) {
        let expected = hotp(Algorithm::Sha1, key, step as u64, DIGITS);
        if crate::ssr::codes::constant_time_eq(&expected, &typed) {
            if step > last_step {
                return Ok(step);
            }
            reused = true;
        }
    }
    Err(if reused {
        Refusal::Reused
    } else {
        Refusal::Wrong
    })
}

/// A secret as people type it and apps read it: RFC 4648 base32 without padding.
pub fn to_base32(key: &[u8]) -> String {
    data_encoding::BASE32_NOPAD.encode(key)
}

pub fn from_base32(text: &str) -> Option<Vec<u8>> {
    let clean: String = text
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '-')
        .map(|c| c.to_ascii_uppercase())
        .collect();
    data_encoding::BASE32_NOPAD.decode(clean.as_bytes()).ok()
}

/// The `otpauth://` address a QR code carries (the de facto format every app reads).
pub fn otpauth_uri(issuer: &str, account: &str, key: &[u8]) -> String {
    let issuer = percent(issuer);
    format!(
        "otpauth://totp/{issuer}:{}?secret={}&issuer={issuer}&algorithm=SHA1&digits={DIGITS}&period={STEP_SECS}",
        percent(account),
        to_base32(key)
    )
}

fn percent(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    // RFC 6238 Appendix B: the seeds, and eight-digit codes at each time for each hash.
    const SEED_SHA1: &[u8] = b"12345678901234567890";
    const SEED_SHA256: &[u8] = b"12345678901234567890123456789012";
    const SEED_SHA512: &[u8] = b"1234567890123456789012345678901234567890123456789012345678901234";
    const VECTORS: &[(i64, &str, &str, &str)] = &[
        (59, "94287082", "46119246", "90693936"),
        (1_111_111_109, "07081804", "68084774", "25091201"),
        (1_111_111_111, "14050471", "67062674", "99943326"),
        (1_234_567_890, "89005924", "91819424", "93441116"),
        (2_000_000_000, "69279037", "90698825", "38618901"),
        (20_000_000_000, "65353130", "77737706", "47863826"),
    ];

    #[test]
    fn the_rfc_6238_test_vectors() {
        for (t, sha1, sha256, sha512) in VECTORS {
            let step = step_at(*t) as u64;
            assert_eq!(
                hotp(Algorithm::Sha1, SEED_SHA1, step, 8),
                *sha1,
                "SHA-1 at {t}"
            );
            assert_eq!(
                hotp(Algorithm::Sha256, SEED_SHA256, step, 8),
                *sha256,
                "SHA-256 at {t}"
            );
            assert_eq!(
                hotp(Algorithm::Sha512, SEED_SHA512, step, 8),
                *sha512,
                "SHA-512 at {t}"
            );
        }
    }

    #[test]
    fn six_digit_codes_are_the_low_digits_of_the_rfc_values() {
        // RFC 4226 Appendix D: HOTP of the same seed, six digits, counters 0 and 9.
        assert_eq!(hotp(Algorithm::Sha1, SEED_SHA1, 0, 6), "755224");
        assert_eq!(hotp(Algorithm::Sha1, SEED_SHA1, 9, 6), "520489");
        assert_eq!(code_at(SEED_SHA1, 59), "287082");
    }

    #[test]
    fn one_step_of_drift_either_way_and_no_more() {
        let t = 1_234_567_890;
        let step = step_at(t);
        for (offset, accepted) in [
            (-60, false),
            (-30, true),
            (0, true),
            (30, true),
            (60, false),
        ] {
            let code = code_at(SEED_SHA1, t + offset);
            assert_eq!(
                verify(SEED_SHA1, &code, t, 0).is_ok(),
                accepted,
                "offset {offset}"
            );
        }
        let code = code_at(SEED_SHA1, t);
        assert_eq!(verify(SEED_SHA1, &code, t, 0), Ok(step));
        assert_eq!(
            verify(SEED_SHA1, &format!("{} {}", &code[..3], &code[3..]), t, 0),
            Ok(step)
        );
    }

    #[test]
    fn a_code_is_accepted_once() {
        let t = 1_234_567_890;
        let code = code_at(SEED_SHA1, t);
        let step = verify(SEED_SHA1, &code, t, 0).unwrap();
        assert_eq!(verify(SEED_SHA1, &code, t, step), Err(Refusal::Reused));
        // Nor an earlier step's code once a later one was used.
        let earlier = code_at(SEED_SHA1, t - 30);
        assert_eq!(verify(SEED_SHA1, &earlier, t, step), Err(Refusal::Reused));
        // The next step's code still works.
        let next = code_at(SEED_SHA1, t + 30);
        assert_eq!(verify(SEED_SHA1, &next, t + 30, step), Ok(step + 1));
    }

    #[test]
    fn malformed_codes_are_wrong() {
        for typed in ["", "12345", "1234567", "12a456", "١٢٣٤٥٦"] {
            assert_eq!(
                verify(SEED_SHA1, typed, 59, 0),
                Err(Refusal::Wrong),
                "{typed:?}"
            );
        }
    }

    #[test]
    fn base32_round_trips_and_tolerates_spacing() {
        assert_eq!(to_base32(SEED_SHA1), "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ");
        assert_eq!(
            from_base32("gezd gnbv gy3t qojq gezd gnbv gy3t qojq").unwrap(),
            SEED_SHA1
        );
        assert!(from_base32("not base32!").is_none());
    }

    #[test]
    fn the_otpauth_address_names_the_account_and_issuer() {
        let uri = otpauth_uri("Portico", "priya@example.com", SEED_SHA1);
        assert_eq!(
            uri,
            "otpauth://totp/Portico:priya%40example.com?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=Portico&algorithm=SHA1&digits=6&period=30"
        );
    }
}
