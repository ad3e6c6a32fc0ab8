//! Input rules shared by the browser (to explain them before submission) and the server
//! (to enforce them). Pure functions, no I/O.

/// A normalised sign-in name: trimmed and lower-cased, so "Demo" and "demo " are one account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Username(String);

impl Username {
    pub const MAX_LEN: usize = 64;

    pub fn parse(raw: &str) -> Result<Self, &'static str> {
        let s = raw.trim().to_lowercase();
        if s.is_empty() {
            return Err("Enter your username.");
        }
        if s.chars().count() > Self::MAX_LEN {
            return Err("Usernames are at most 64 characters.");
        }
        let allowed = |c: char| c.is_ascii_alphanumeric() || "._-@+".contains(c);
        if !s.chars().all(allowed) {
            return Err("Usernames use letters, numbers and . _ - @ + only.");
        }
        Ok(Username(s))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// The password rules, written for people (SPEC §6). Shown before a password is chosen.
pub const PASSWORD_RULES: &[&str] = &[
    "At least 8 characters (and at most 128)",
    "At least one uppercase letter",
    "At least one number or symbol",
    "Not a commonly used password",
];

/// The rule a new password breaks first, if any. The breached-password list is checked on
/// the server only, so that the list is not shipped in the browser bundle.
pub fn password_problem(password: &str) -> Option<&'static str> {
    let len = password.chars().count();
    if len < 8 {
        return Some("Use at least 8 characters.");
    }
    if len > 128 {
        return Some("Use at most 128 characters.");
    }
    if !password.chars().any(|c| c.is_uppercase()) {
        return Some("Add at least one uppercase letter.");
    }
    if !password
        .chars()
        .any(|c| c.is_ascii_digit() || !c.is_alphanumeric())
    {
        return Some("Add at least one number or symbol.");
    }
    None
}

/// A place to return to after signing in: only a path on this site. Anything else (another
/// host, a scheme, a protocol-relative `//host`) falls back to `fallback`, so the sign-in page
/// cannot be used as an open redirect.
pub fn safe_next<'a>(next: Option<&'a str>, fallback: &'a str) -> &'a str {
    match next {
        Some(n)
            if n.starts_with('/')
                && !n.starts_with("//")
                && !n.starts_with("/\\")
                && !n.chars().any(|c| c.is_control() || c == '\\') =>
        {
            n
        }
        _ => fallback,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn usernames_are_normalised() {
        assert_eq!(Username::parse("  Demo ").map(|u| u.0), Ok("demo".into()));
        assert_eq!(
            Username::parse("emma.carter@example.com").map(|u| u.0),
            Ok("emma.carter@example.com".into())
        );
    }

    #[test]
    fn bad_usernames_are_refused() {
        assert!(Username::parse("").is_err());
        assert!(Username::parse("   ").is_err());
        assert!(Username::parse("has space").is_err());
        assert!(Username::parse("semi;colon").is_err());
        assert!(Username::parse(&"a".repeat(65)).is_err());
        assert!(Username::parse(&"a".repeat(64)).is_ok());
    }

    #[test]
    fn password_rules() {
        assert_eq!(
            password_problem("Short1"),
            Some("Use at least 8 characters.")
        );
        assert_eq!(
            password_problem("alllowercase1"),
            Some("Add at least one uppercase letter.")
        );
        assert_eq!(
            password_problem("NoDigitsHere"),
            Some("Add at least one number or symbol.")
        );
        assert_eq!(password_problem("Symbol-Only"), None);
        assert_eq!(password_problem("Portico-demo1"), None);
        assert_eq!(
            password_problem(&format!("A1{}", "x".repeat(127))),
            Some("Use at most 128 characters.")
        );
        assert_eq!(password_problem(&format!("A1{}", "x".repeat(126))), None);
    }

    #[test]
    fn next_must_stay_on_this_site() {
        assert_eq!(
            safe_next(Some("/appointments?x=1"), "/"),
            "/appointments?x=1"
        );
        assert_eq!(safe_next(Some("https://evil.example"), "/"), "/");
        assert_eq!(safe_next(Some("//evil.example"), "/"), "/");
        assert_eq!(safe_next(Some("/\\evil.example"), "/"), "/");
        assert_eq!(safe_next(Some("javascript:alert(1)"), "/"), "/");
        assert_eq!(safe_next(Some("/a\nb"), "/"), "/");
        assert_eq!(safe_next(None, "/staff"), "/staff");
    }
}
