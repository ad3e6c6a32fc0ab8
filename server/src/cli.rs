//! Operator commands on the server binary, run instead of the server:
//!
//! `portico import-fhir (--practice ID | --chart ID) FILE` imports a FHIR R4 Bundle into the
//! chart it matches at the practice (or into the one chart, which it must match).

use std::process::ExitCode;

use app::ssr::{
    audit::Actor,
    clock::Clock,
    config::Config,
    db::Db,
    fhir::import::{import, ImportError, Target},
};

const USAGE: &str = "usage: portico import-fhir (--practice ID | --chart ID) FILE";

/// `Some(exit code)` when `args` name a command; `None` to run the server.
pub async fn run(args: &[String], config: &Config) -> Option<ExitCode> {
    match args.first().map(String::as_str) {
        Some("import-fhir") => Some(report(import_fhir(&args[1..], config).await)),
        Some(other) if !other.starts_with('-') => {
            eprintln!("portico: unknown command {other:?}\n{USAGE}");
            Some(ExitCode::from(2))
        }
        _ => None,
    }
}

// A command's report on standard output is what the operator ran it for.
#[allow(clippy::print_stdout)]
fn report(r: Result<String, String>) -> ExitCode {
    match r {
        Ok(out) => {
            println!("{out}");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("{e}");
            ExitCode::FAILURE
        }
    }
}

fn target(args: &[String]) -> Result<(Target, &str), String> {
    let id = |v: Option<&String>| {
        v.and_then(|s| s.parse::<i64>().ok())
            .ok_or_else(|| USAGE.to_string())
    };
    match args {
        [flag, v, file] if flag == "--practice" => Ok((Target::Practice(id(Some(v))?), file)),
        [flag, v, file] if flag == "--chart" => Ok((Target::Chart(id(Some(v))?), file)),
        _ => Err(USAGE.into()),
    }
}

async fn import_fhir(args: &[String], config: &Config) -> Result<String, String> {
    let (target, file) = target(args)?;
    let json = std::fs::read_to_string(file).map_err(|e| format!("cannot read {file}: {e}"))?;
    let db = Db::connect(&config.database_url)
        .await
        .map_err(|e| format!("cannot open the database: {e}"))?;
    db.migrate()
        .await
        .map_err(|e| format!("database migration failed: {e}"))?;
    let clock = config
        .clock_start
        .map_or_else(Clock::default, Clock::starting_at);
    let result = import(&db, clock.now(), target, &json, Actor::System).await;
    db.close().await;
    match result {
        Ok(r) => {
            let mut out = format!("imported into chart {}: {}", r.chart_id, r.summary());
            for s in &r.skipped {
                out.push_str(&format!("\nskipped {s}"));
            }
            Ok(out)
        }
        Err(ImportError::Refused(why)) => Err(format!(
            "nothing was imported:\n{}",
            why.iter()
                .map(|w| format!("  {w}"))
                .collect::<Vec<_>>()
                .join("\n")
        )),
        Err(ImportError::Db(e)) => Err(format!("nothing was imported: database error: {e}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn targets_are_a_practice_or_a_chart() {
        let a = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert_eq!(
            target(&a(&["--practice", "2", "b.json"])),
            Ok((Target::Practice(2), "b.json"))
        );
        assert_eq!(
            target(&a(&["--chart", "7", "b.json"])),
            Ok((Target::Chart(7), "b.json"))
        );
        assert!(target(&a(&["--chart", "x", "b.json"])).is_err());
        assert!(target(&a(&["b.json"])).is_err());
    }
}
