//! Operator configuration, read from the environment (and `.env`, loaded by the binary).

use std::fmt;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Environment {
    Development,
    Production,
}

#[derive(Clone)]
pub struct Config {
    pub environment: Environment,
    pub database_url: String,
    /// The public origin, used for links in emails; never taken from a request's Host header.
    pub base_url: String,
    /// Seed demo data into a new, empty database.
    pub demo_data: bool,
    /// Key for keyed hashes (client addresses now, security codes later).
    pub secret_key: Vec<u8>,
    /// Take the client address from the last `X-Forwarded-For` hop (behind a reverse proxy).
    pub trust_proxy: bool,
    /// Sign out after this long without activity (default 15 minutes).
    pub idle_timeout_secs: i64,
    /// Send email through this SMTP server (`smtp://`, `smtps://`); unset in development keeps
    /// messages in the outbox, shown at `/dev/outbox`.
    pub smtp_url: Option<String>,
    /// The From address of outgoing email.
    pub mail_from: String,
    /// Digits in a security code: 6, or 5 where a provider's texts need it.
    pub code_digits: u32,
    /// Seconds before "Request the code again" is offered.
    pub code_resend_secs: i64,
    /// The HTTP SMS/voice provider's endpoint; unset keeps texts in the development outbox.
    pub sms_url: Option<String>,
    /// Bearer token for the SMS/voice provider.
    pub sms_token: Option<String>,
    /// New conversations a patient record may start in a day (`PORTICO_NEW_CONVERSATIONS_PER_DAY`).
    pub new_conversations_per_day: i64,
    /// Messages one account may send in a minute (`PORTICO_MESSAGES_PER_MINUTE`).
    pub messages_per_minute: i64,
    /// Development only: the server's clock starts at this instant (`PORTICO_CLOCK_START`), so
    /// that browser journeys see the same calendar whatever day they run on.
    pub clock_start: Option<i64>,
    /// Bearer token that lets a caller other than this machine read `/metrics`
    /// (`PORTICO_METRICS_TOKEN`); without it only loopback callers may.
    pub metrics_token: Option<String>,
}

impl fmt::Debug for Config {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Config")
            .field("environment", &self.environment)
            .field("database", &redact_url(&self.database_url))
            .field("base_url", &self.base_url)
            .field("demo_data", &self.demo_data)
            .field("secret_key", &"<redacted>")
            .field("trust_proxy", &self.trust_proxy)
            .field("idle_timeout_secs", &self.idle_timeout_secs)
            .field("smtp", &self.smtp_url.as_deref().map(redact_url))
            .field("mail_from", &self.mail_from)
            .field("code_digits", &self.code_digits)
            .field("code_resend_secs", &self.code_resend_secs)
            .field("new_conversations_per_day", &self.new_conversations_per_day)
            .field("messages_per_minute", &self.messages_per_minute)
            .field("sms", &self.sms_url.as_deref().map(redact_url))
            .field("sms_token", &self.sms_token.as_ref().map(|_| "<redacted>"))
            .field(
                "metrics_token",
                &self.metrics_token.as_ref().map(|_| "<redacted>"),
            )
            .finish()
    }
}

pub const DEFAULT_DATABASE_URL: &str = "sqlite:portico.db";
const DEV_SECRET: &str = "portico-development-secret-do-not-use-in-production";

impl Config {
    pub fn from_env() -> Result<Self, String> {
        Self::from_lookup(|k| std::env::var(k).ok().filter(|v| !v.is_empty()))
    }

    /// Parse from any key lookup, so the rules can be tested without touching the process env.
    pub fn from_lookup(get: impl Fn(&str) -> Option<String>) -> Result<Self, String> {
        let environment = match get("PORTICO_ENV").as_deref() {
            None | Some("development") => Environment::Development,
            Some("production") => Environment::Production,
            Some(other) => {
                return Err(format!(
                    "PORTICO_ENV must be `development` or `production`, not `{other}`"
                ))
            }
        };
        let prod = environment == Environment::Production;

        let database_url = match get("DATABASE_URL") {
            Some(url) => url,
            None if prod => return Err("DATABASE_URL is required in production".into()),
            None => DEFAULT_DATABASE_URL.into(),
        };
        if !(database_url.starts_with("sqlite:")
            || database_url.starts_with("postgres:")
            || database_url.starts_with("postgresql:"))
        {
            return Err("DATABASE_URL must be a sqlite: or postgres: URL".into());
        }

        let base_url = match get("PORTICO_BASE_URL") {
            Some(url) => url.trim_end_matches('/').to_string(),
            None if prod => return Err("PORTICO_BASE_URL is required in production".into()),
            None => "http://127.0.0.1:3000".into(),
        };
        if !(base_url.starts_with("http://") || base_url.starts_with("https://")) {
            return Err("PORTICO_BASE_URL must start with http:// or https://".into());
        }
        if prod && !base_url.starts_with("https://") {
            return Err("PORTICO_BASE_URL must use https in production".into());
        }

        let secret_key = match get("PORTICO_SECRET_KEY") {
            Some(k) if k.len() >= 32 => k.into_bytes(),
            Some(_) => return Err("PORTICO_SECRET_KEY must be at least 32 characters".into()),
            None if prod => return Err("PORTICO_SECRET_KEY is required in production".into()),
            None => DEV_SECRET.as_bytes().to_vec(),
        };

        let idle_timeout_secs =
            match get("PORTICO_IDLE_TIMEOUT_SECS") {
                None => super::session::IDLE_TIMEOUT_SECS,
                Some(v) => match v.parse::<i64>() {
                    // The warning comes a minute before; anything shorter leaves no time to answer.
                    Ok(n) if (61..=super::session::ABSOLUTE_TIMEOUT_SECS).contains(&n) => n,
                    _ => return Err(
                        "PORTICO_IDLE_TIMEOUT_SECS must be a number of seconds from 61 to 43200"
                            .into(),
                    ),
                },
            };

        let smtp_url = get("SMTP_URL");
        if let Some(url) = &smtp_url {
            if !(url.starts_with("smtp://") || url.starts_with("smtps://")) {
                return Err("SMTP_URL must be an smtp:// or smtps:// URL".into());
            }
        } else if prod {
            return Err("SMTP_URL is required in production".into());
        }
        let mail_from =
            get("PORTICO_MAIL_FROM").unwrap_or_else(|| "Portico <no-reply@localhost>".into());

        let code_digits = match get("PORTICO_CODE_DIGITS").as_deref() {
            None | Some("6") => 6,
            Some("5") => 5,
            Some(_) => return Err("PORTICO_CODE_DIGITS must be 5 or 6".into()),
        };
        let code_resend_secs = match get("PORTICO_CODE_RESEND_SECS") {
            None => 120,
            Some(v) => match v.parse::<i64>() {
                Ok(n) if (1..=600).contains(&n) => n,
                _ => {
                    return Err(
                        "PORTICO_CODE_RESEND_SECS must be a number of seconds from 1 to 600".into(),
                    )
                }
            },
        };
        let new_conversations_per_day = match get("PORTICO_NEW_CONVERSATIONS_PER_DAY") {
            None => 5,
            Some(v) => match v.parse::<i64>() {
                Ok(n) if (1..=1000).contains(&n) => n,
                _ => {
                    return Err(
                        "PORTICO_NEW_CONVERSATIONS_PER_DAY must be a number from 1 to 1000".into(),
                    )
                }
            },
        };
        let messages_per_minute = match get("PORTICO_MESSAGES_PER_MINUTE") {
            None => 10,
            Some(v) => match v.parse::<i64>() {
                Ok(n) if (1..=1000).contains(&n) => n,
                _ => {
                    return Err(
                        "PORTICO_MESSAGES_PER_MINUTE must be a number from 1 to 1000".into(),
                    )
                }
            },
        };
        let sms_url = get("PORTICO_SMS_URL");
        if let Some(url) = &sms_url {
            if !(url.starts_with("https://") || (!prod && url.starts_with("http://"))) {
                return Err("PORTICO_SMS_URL must be an https:// URL".into());
            }
        }
        let sms_token = get("PORTICO_SMS_TOKEN");
        let metrics_token = match get("PORTICO_METRICS_TOKEN") {
            Some(t) if t.len() < 32 => {
                return Err("PORTICO_METRICS_TOKEN must be at least 32 characters".into())
            }
            t => t,
        };
        let clock_start =
            match get("PORTICO_CLOCK_START") {
                None => None,
                Some(_) if prod => return Err("PORTICO_CLOCK_START is for development only".into()),
                Some(v) => match chrono::DateTime::parse_from_rfc3339(&v) {
                    Ok(t) => Some(t.timestamp()),
                    Err(_) => return Err(
                        "PORTICO_CLOCK_START must be an RFC 3339 time, like 2031-04-08T14:00:00Z"
                            .into(),
                    ),
                },
            };

        let flag = |k: &str| matches!(get(k).as_deref(), Some("1" | "true" | "yes"));
        Ok(Config {
            environment,
            database_url,
            base_url,
            demo_data: flag("PORTICO_DEMO_DATA"),
            secret_key,
            trust_proxy: flag("PORTICO_TRUST_PROXY"),
            idle_timeout_secs,
            smtp_url,
            mail_from,
            code_digits,
            code_resend_secs,
            new_conversations_per_day,
            messages_per_minute,
            sms_url,
            sms_token,
            clock_start,
            metrics_token,
        })
    }

    pub fn is_production(&self) -> bool {
        self.environment == Environment::Production
    }

    /// `__Host-` binds the cookie to this exact origin over HTTPS; browsers reject it without
    /// `Secure`, so development uses a plain name.
    pub fn cookie_name(&self) -> &'static str {
        if self.is_production() {
            "__Host-portico_session"
        } else {
            "portico_session"
        }
    }

    /// The origin (`scheme://host[:port]`) of the base URL.
    pub fn origin(&self) -> &str {
        let after_scheme = self.base_url.find("://").map(|i| i + 3).unwrap_or(0);
        match self.base_url[after_scheme..].find('/') {
            Some(i) => &self.base_url[..after_scheme + i],
            None => &self.base_url,
        }
    }

    /// A configuration for tests: development, with the given database.
    pub fn for_tests(database_url: &str) -> Self {
        Config {
            environment: Environment::Development,
            database_url: database_url.into(),
            base_url: "http://127.0.0.1:3000".into(),
            demo_data: false,
            secret_key: DEV_SECRET.as_bytes().to_vec(),
            trust_proxy: false,
            idle_timeout_secs: super::session::IDLE_TIMEOUT_SECS,
            smtp_url: None,
            mail_from: "Portico <no-reply@localhost>".into(),
            code_digits: 6,
            code_resend_secs: 120,
            new_conversations_per_day: 5,
            messages_per_minute: 10,
            sms_url: None,
            sms_token: None,
            clock_start: None,
            metrics_token: None,
        }
    }
}

/// A database URL with any password removed, for logs.
pub fn redact_url(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(s), Some(at)) if at > s => {
            let creds = &url[s + 3..at];
            let user = creds.split(':').next().unwrap_or("");
            format!("{}{}:***{}", &url[..s + 3], user, &url[at..])
        }
        _ => url.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn parse(pairs: &[(&str, &str)]) -> Result<Config, String> {
        let map: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        Config::from_lookup(|k| map.get(k).cloned())
    }

    #[test]
    fn development_has_defaults() {
        let c = parse(&[]).unwrap();
        assert_eq!(c.environment, Environment::Development);
        assert_eq!(c.database_url, DEFAULT_DATABASE_URL);
        assert_eq!(c.cookie_name(), "portico_session");
        assert!(!c.demo_data);
    }

    #[test]
    fn production_refuses_to_start_without_its_secrets() {
        let full = [
            ("PORTICO_ENV", "production"),
            ("DATABASE_URL", "postgres://p@db/portico"),
            ("PORTICO_BASE_URL", "https://portal.example.org"),
            ("PORTICO_SECRET_KEY", "0123456789abcdef0123456789abcdef"),
            ("SMTP_URL", "smtps://user:pw@mail.example.org"),
        ];
        let c = parse(&full).unwrap();
        assert!(c.is_production());
        assert_eq!(c.cookie_name(), "__Host-portico_session");
        for missing in [
            "DATABASE_URL",
            "PORTICO_BASE_URL",
            "PORTICO_SECRET_KEY",
            "SMTP_URL",
        ] {
            let without: Vec<_> = full
                .iter()
                .copied()
                .filter(|(k, _)| *k != missing)
                .collect();
            let err = parse(&without).unwrap_err();
            assert!(err.contains(missing), "{err}");
        }
    }

    #[test]
    fn production_needs_https_and_a_long_secret() {
        let base = [
            ("PORTICO_ENV", "production"),
            ("DATABASE_URL", "sqlite:/var/lib/portico.db"),
        ];
        let mut v = base.to_vec();
        v.push(("PORTICO_BASE_URL", "http://portal.example.org"));
        v.push(("PORTICO_SECRET_KEY", "0123456789abcdef0123456789abcdef"));
        assert!(parse(&v).unwrap_err().contains("https"));
        let mut v = base.to_vec();
        v.push(("PORTICO_BASE_URL", "https://portal.example.org"));
        v.push(("PORTICO_SECRET_KEY", "short"));
        assert!(parse(&v).unwrap_err().contains("32"));
    }

    #[test]
    fn bad_values_are_refused() {
        assert!(parse(&[("PORTICO_ENV", "staging")]).is_err());
        assert!(parse(&[("DATABASE_URL", "mysql://x")]).is_err());
        assert!(parse(&[("PORTICO_BASE_URL", "portal.example.org")]).is_err());
        assert!(parse(&[("SMTP_URL", "mail.example.org:25")]).is_err());
    }

    #[test]
    fn the_smtp_password_never_reaches_debug_output() {
        let c = parse(&[("SMTP_URL", "smtp://user:hunter2@127.0.0.1:2525")]).unwrap();
        assert!(!format!("{c:?}").contains("hunter2"));
    }

    #[test]
    fn idle_timeout_is_configurable_within_bounds() {
        assert_eq!(parse(&[]).unwrap().idle_timeout_secs, 900);
        assert_eq!(
            parse(&[("PORTICO_IDLE_TIMEOUT_SECS", "300")])
                .unwrap()
                .idle_timeout_secs,
            300
        );
        assert!(parse(&[("PORTICO_IDLE_TIMEOUT_SECS", "60")]).is_err());
        assert!(parse(&[("PORTICO_IDLE_TIMEOUT_SECS", "soon")]).is_err());
    }

    #[test]
    fn origin_drops_the_path() {
        let c = parse(&[("PORTICO_BASE_URL", "https://example.org:8443/portal/")]).unwrap();
        assert_eq!(c.origin(), "https://example.org:8443");
        let c = parse(&[]).unwrap();
        assert_eq!(c.origin(), "http://127.0.0.1:3000");
    }

    #[test]
    fn urls_are_redacted_for_logs() {
        assert_eq!(
            redact_url("postgres://app:hunter2@db:5432/portico"),
            "postgres://app:***@db:5432/portico"
        );
        assert_eq!(redact_url("sqlite:portico.db"), "sqlite:portico.db");
    }

    #[test]
    fn the_clock_start_is_for_development_only() {
        let c = parse(&[("PORTICO_CLOCK_START", "2031-04-08T14:00:00Z")]).unwrap();
        assert_eq!(c.clock_start, Some(1_933_423_200));
        assert!(parse(&[("PORTICO_CLOCK_START", "next tuesday")]).is_err());
        let prod = parse(&[
            ("PORTICO_ENV", "production"),
            ("DATABASE_URL", "postgres://p@db/portico"),
            ("PORTICO_BASE_URL", "https://portal.example.org"),
            ("PORTICO_SECRET_KEY", "0123456789abcdef0123456789abcdef"),
            ("SMTP_URL", "smtps://user:pw@mail.example.org"),
            ("PORTICO_CLOCK_START", "2031-04-08T14:00:00Z"),
        ]);
        assert!(prod.unwrap_err().contains("PORTICO_CLOCK_START"));
    }

    #[test]
    fn security_code_settings() {
        let c = parse(&[]).unwrap();
        assert_eq!((c.code_digits, c.code_resend_secs), (6, 120));
        assert!(c.sms_url.is_none());
        assert_eq!(
            parse(&[("PORTICO_CODE_DIGITS", "5")]).unwrap().code_digits,
            5
        );
        assert!(parse(&[("PORTICO_CODE_DIGITS", "4")]).is_err());
        assert!(parse(&[("PORTICO_CODE_RESEND_SECS", "0")]).is_err());
        assert_eq!(
            parse(&[("PORTICO_CODE_RESEND_SECS", "3")])
                .unwrap()
                .code_resend_secs,
            3
        );
        assert!(parse(&[("PORTICO_SMS_URL", "ftp://x")]).is_err());
        let with_sms = parse(&[
            ("PORTICO_SMS_URL", "http://127.0.0.1:9/send"),
            ("PORTICO_SMS_TOKEN", "t0ken"),
        ])
        .unwrap();
        assert!(!format!("{with_sms:?}").contains("t0ken"));
    }

    #[test]
    fn message_limits_default_and_bounds() {
        let c = parse(&[]).unwrap();
        assert_eq!(
            (c.new_conversations_per_day, c.messages_per_minute),
            (5, 10)
        );
        let c = parse(&[
            ("PORTICO_NEW_CONVERSATIONS_PER_DAY", "50"),
            ("PORTICO_MESSAGES_PER_MINUTE", "30"),
        ])
        .unwrap();
        assert_eq!(
            (c.new_conversations_per_day, c.messages_per_minute),
            (50, 30)
        );
        for bad in ["0", "1001", "many"] {
            assert!(parse(&[("PORTICO_NEW_CONVERSATIONS_PER_DAY", bad)]).is_err());
            assert!(parse(&[("PORTICO_MESSAGES_PER_MINUTE", bad)]).is_err());
        }
    }
}
