//! The hub's log lines on stderr: `konsekvens-hub: …` for a person reading a terminal, or
//! one JSON object per line (`--log-format json`) for journald/Loki/Elasticsearch:
//! `{"ts":"2026-12-06T15:20:00.123Z","level":"info","target":"konsekvens-hub","msg":"…"}`.
//!
//! The format is the process's, as stderr is: set once by `hub serve` before it starts.

use std::fmt::Arguments;
use std::sync::atomic::{AtomicBool, Ordering};

static JSON: AtomicBool = AtomicBool::new(false);

/// How log lines are written.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum LogFormat {
    #[default]
    Text,
    Json,
}

impl std::str::FromStr for LogFormat {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "text" => Ok(LogFormat::Text),
            "json" => Ok(LogFormat::Json),
            other => Err(format!("«{other}»: text eller json (text or json)")),
        }
    }
}

impl std::fmt::Display for LogFormat {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            LogFormat::Text => "text",
            LogFormat::Json => "json",
        })
    }
}

/// Sets the format of every later line of this process.
pub fn set_format(format: LogFormat) {
    JSON.store(format == LogFormat::Json, Ordering::Relaxed);
}

#[derive(Debug, Clone, Copy)]
pub enum Level {
    Info,
    Warn,
}

/// Writes one line in the process's format.
pub fn line(level: Level, args: Arguments<'_>) {
    eprintln!("{}", render(JSON.load(Ordering::Relaxed), level, args));
}

fn render(json: bool, level: Level, args: Arguments<'_>) -> String {
    if !json {
        return format!("konsekvens-hub: {args}");
    }
    let ts = time::OffsetDateTime::now_utc()
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default();
    let level = match level {
        Level::Info => "info",
        Level::Warn => "warn",
    };
    // serde_json escapes whatever a client put into a path or a reason: one line stays one line.
    serde_json::json!({ "ts": ts, "level": level, "target": "konsekvens-hub", "msg": args.to_string() }).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_json_line_is_one_object_whatever_the_message_holds() {
        let line = render(true, Level::Warn, format_args!("refused «{}»", "a\"b\nc"));
        assert!(!line.contains('\n'));
        let v: serde_json::Value = serde_json::from_str(&line).unwrap();
        assert_eq!(v["level"], "warn");
        assert_eq!(v["msg"], "refused «a\"b\nc»");
        assert!(time::OffsetDateTime::parse(v["ts"].as_str().unwrap(), &time::format_description::well_known::Rfc3339).is_ok());
        assert_eq!(render(false, Level::Info, format_args!("x")), "konsekvens-hub: x");
    }
}
