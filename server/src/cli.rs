//! The command line. `portico` with no arguments serves; the commands below run instead of the
//! server and exit. See `USAGE`.

use std::{path::PathBuf, process::ExitCode};

use app::ssr::{
    audit::Actor,
    backup,
    clock::Clock,
    config::Config,
    db::Db,
    fhir::import::{import, ImportError, Target},
};

pub const USAGE: &str = "\
usage: portico [COMMAND]

With no command, serve the portal (configured by the environment; see the README).

commands:
  migrate                     apply the database migrations and exit
  backup --to FILE            copy the SQLite database to FILE while the portal serves
  restore FILE                put a backup back in place (the server must be stopped)
  seed --scale N              add N patients with appointments, messages and records
  import-fhir (--practice ID | --chart ID) FILE
                              import a FHIR R4 Bundle into a chart
  --help                      show this text
  --version                   show the version";

#[derive(Debug, PartialEq, Eq)]
pub enum Command {
    Serve,
    Help,
    Version,
    Migrate,
    Backup(PathBuf),
    Restore(PathBuf),
    Seed(u32),
    ImportFhir(Target, PathBuf),
}

/// The command `args` (without the program name) ask for, or why they cannot be read.
pub fn parse(args: &[String]) -> Result<Command, String> {
    let a: Vec<&str> = args.iter().map(String::as_str).collect();
    match a.as_slice() {
        [] => Ok(Command::Serve),
        ["--help" | "-h" | "help"] => Ok(Command::Help),
        ["--version" | "-V"] => Ok(Command::Version),
        ["migrate"] => Ok(Command::Migrate),
        ["backup", "--to", file] => Ok(Command::Backup(file.into())),
        ["restore", file] if !file.starts_with('-') => Ok(Command::Restore(file.into())),
        ["seed", "--scale", n] => n
            .parse::<u32>()
            .ok()
            .filter(|n| (1..=1_000_000).contains(n))
            .map(Command::Seed)
            .ok_or_else(|| {
                format!(
                    "portico: --scale takes a number of patients from 1 to 1,000,000, not {n:?}"
                )
            }),
        ["import-fhir", rest @ ..] => {
            let (target, file) = target(rest)?;
            Ok(Command::ImportFhir(target, file.into()))
        }
        [first, ..] => Err(format!("portico: cannot understand {first:?}")),
    }
}

/// Run a command that needs the configuration: anything but `Serve`, `Help` and `Version`,
/// which `main` answers itself.
pub async fn run(command: Command, config: &Config) -> ExitCode {
    report(match command {
        Command::Migrate => migrate(config).await,
        Command::Backup(to) => backup_to(config, &to).await,
        Command::Restore(from) => restore(config, &from).await,
        Command::Seed(n) => seed(config, n).await,
        Command::ImportFhir(target, file) => import_fhir(target, &file, config).await,
        Command::Serve | Command::Help | Command::Version => Ok(USAGE.into()),
    })
}

/// `--help` and `--version`, which need no configuration; `None` for the other commands.
pub fn answer_without_config(command: &Command) -> Option<ExitCode> {
    match command {
        Command::Help => Some(report(Ok(USAGE.into()))),
        Command::Version => Some(report(Ok(format!("portico {}", env!("CARGO_PKG_VERSION"))))),
        _ => None,
    }
}

async fn open(config: &Config) -> Result<Db, String> {
    crate::startup::open_database(&config.database_url).await
}

async fn migrate(config: &Config) -> Result<String, String> {
    let db = open(config).await?;
    db.close().await;
    Ok("the database is up to date".into())
}

async fn backup_to(config: &Config, to: &std::path::Path) -> Result<String, String> {
    let db = open(config).await?;
    let made = backup::backup(&db, to).await;
    db.close().await;
    made.map(|m| format!("backed up to {} ({} bytes, checked)", to.display(), m.bytes))
}

async fn restore(config: &Config, from: &std::path::Path) -> Result<String, String> {
    let r = backup::restore(&config.database_url, from).await?;
    Ok(format!(
        "restored {} ({} bytes); the database it replaced is kept beside it as .before-restore",
        from.display(),
        r.bytes
    ))
}

async fn seed(config: &Config, patients: u32) -> Result<String, String> {
    let db = open(config).await?;
    let clock = config
        .clock_start
        .map_or_else(Clock::default, Clock::starting_at);
    let started = std::time::Instant::now();
    // With PORTICO_DEMO_DATA=1 a fresh database gets the demo practice first, as the server
    // would give it, so one command makes a clinic-sized database.
    if config.demo_data {
        let hasher = app::ssr::password::Hasher::new().map_err(|e| e.to_string())?;
        crate::startup::seed_demo(&db, &hasher, config, clock.now()).await?;
    }
    let made = app::ssr::scale_seed::seed(&db, clock.now(), patients).await;
    db.close().await;
    made.map(|m| format!("{m} in {:.1} s", started.elapsed().as_secs_f64()))
        .map_err(|e| format!("seeding failed: {e}"))
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

fn target<'a>(args: &[&'a str]) -> Result<(Target, &'a str), String> {
    const IMPORT_USAGE: &str = "portico: import-fhir takes (--practice ID | --chart ID) FILE";
    let id = |v: &str| v.parse::<i64>().map_err(|_| IMPORT_USAGE.to_string());
    match args {
        ["--practice", v, file] => Ok((Target::Practice(id(v)?), file)),
        ["--chart", v, file] => Ok((Target::Chart(id(v)?), file)),
        _ => Err(IMPORT_USAGE.into()),
    }
}

async fn import_fhir(
    target: Target,
    file: &std::path::Path,
    config: &Config,
) -> Result<String, String> {
    let json = std::fs::read_to_string(file)
        .map_err(|e| format!("cannot read {}: {e}", file.display()))?;
    let db = open(config).await?;
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

    fn args(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn commands_are_read_and_anything_else_is_refused() {
        let p = |v: &[&str]| parse(&args(v));
        assert_eq!(p(&[]), Ok(Command::Serve));
        assert_eq!(p(&["--help"]), Ok(Command::Help));
        assert_eq!(p(&["--version"]), Ok(Command::Version));
        assert_eq!(p(&["migrate"]), Ok(Command::Migrate));
        assert_eq!(
            p(&["backup", "--to", "b.db"]),
            Ok(Command::Backup("b.db".into()))
        );
        assert_eq!(p(&["restore", "b.db"]), Ok(Command::Restore("b.db".into())));
        assert_eq!(p(&["seed", "--scale", "10000"]), Ok(Command::Seed(10_000)));
        assert_eq!(
            p(&["import-fhir", "--practice", "2", "b.json"]),
            Ok(Command::ImportFhir(Target::Practice(2), "b.json".into()))
        );
        assert_eq!(
            p(&["import-fhir", "--chart", "7", "b.json"]),
            Ok(Command::ImportFhir(Target::Chart(7), "b.json".into()))
        );
        for refused in [
            &["backup", "--to"][..],
            &["backup", "b.db"],
            &["restore"],
            &["restore", "--force"],
            &["seed", "--scale", "0"],
            &["seed", "--scale", "many"],
            &["import-fhir", "--chart", "x", "b.json"],
            &["import-fhir", "b.json"],
            &["--port", "80"],
            &["serve", "now"],
            &["migrate", "extra"],
        ] {
            assert!(p(refused).is_err(), "{refused:?}");
        }
    }
}
