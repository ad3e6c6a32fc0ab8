//! The rules for a newly chosen password (SPEC §6), including the common-password list, which
//! stays on the server so the browser bundle does not carry it.

use crate::{error::AppError, validate::password_problem};

/// Passwords that meet the character rules yet are among the first any attacker tries.
const COMMON: &[&str] = &[
    "password1",
    "password1!",
    "password123",
    "password12",
    "passw0rd",
    "passw0rd!",
    "p@ssw0rd",
    "p@ssword1",
    "welcome1",
    "welcome1!",
    "welcome123",
    "welcome2024",
    "welcome2025",
    "welcome2026",
    "qwerty123",
    "qwerty123!",
    "qwerty1!",
    "letmein1",
    "letmein1!",
    "iloveyou1",
    "sunshine1",
    "princess1",
    "football1",
    "baseball1",
    "monkey123",
    "dragon123",
    "abc12345",
    "abcd1234",
    "abcdefg1",
    "trustno1",
    "admin123",
    "administrator1",
    "changeme1",
    "changeme!",
    "summer2024",
    "summer2025",
    "summer2026",
    "winter2024",
    "winter2025",
    "winter2026",
    "spring2025",
    "spring2026",
    "autumn2025",
    "fall2025",
    "january2026",
    "december2025",
    "november2026",
    "october2026",
    "portico1",
    "portico123",
    "patient1",
    "doctor123",
    "health123",
    "hospital1",
    "clinic123",
    "123password",
    "1q2w3e4r",
    "1qaz2wsx",
    "zaq12wsx",
    "master123",
    "shadow123",
    "superman1",
    "batman123",
    "michael1",
    "jennifer1",
    "jordan23",
    "charlie1",
    "starwars1",
    "whatever1",
    "freedom1",
    "computer1",
    "internet1",
    "secret123",
];

/// Why `password` may not be chosen by `username`, as a message for the password field.
pub fn problem(password: &str, username: &str) -> Option<&'static str> {
    if let Some(m) = password_problem(password) {
        return Some(m);
    }
    let lower = password.to_lowercase();
    if COMMON.contains(&lower.as_str()) {
        return Some("That password is too common. Choose one that is harder to guess.");
    }
    if !username.is_empty() && lower.contains(&username.to_lowercase()) {
        return Some("Your password may not contain your username.");
    }
    None
}

pub fn check(password: &str, username: &str) -> Result<(), AppError> {
    match problem(password, username) {
        Some(m) => Err(AppError::field("password", m)),
        None => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_rules_apply() {
        assert!(problem("Short1!", "").is_some());
        assert!(problem("alllowercase1", "").is_some());
        assert!(problem("NoDigitsOrSymbols", "").is_some());
        assert!(problem("Password1", "").is_some(), "common");
        assert!(problem("Welcome2026", "").is_some(), "common");
        assert!(
            problem("Emma.Carter9", "emma.carter").is_some(),
            "holds the username"
        );
        assert!(problem("Blue-Harbor-42", "emma").is_none());
        assert!(problem(&"Aa1".repeat(43), "").is_some(), "too long");
    }
}
