//! Percent-encoding for a path carried in a query parameter.

pub fn encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b'/' => {
                out.push(b as char)
            }
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn encodes_query_characters() {
        assert_eq!(super::encode("/a?b=c&d"), "/a%3Fb%3Dc%26d");
        assert_eq!(super::encode("/staff/requests"), "/staff/requests");
    }
}
