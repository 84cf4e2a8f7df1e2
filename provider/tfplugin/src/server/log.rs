//! Logging to stderr in hclog's JSON line format, which go-plugin (inside
//! Terraform) parses and re-logs at the right level under the provider's
//! name. The level comes from `TF_LOG_PROVIDER`, else `TF_LOG`.

use std::fmt;

use serde_json::{Map, Value as Json};
use tracing::field::{Field, Visit};
use tracing::level_filters::LevelFilter;
use tracing::{Event, Subscriber};
use tracing_subscriber::filter::Targets;
use tracing_subscriber::fmt::format::Writer;
use tracing_subscriber::fmt::{FmtContext, FormatEvent, FormatFields};
use tracing_subscriber::layer::SubscriberExt as _;
use tracing_subscriber::registry::LookupSpan;
use tracing_subscriber::util::SubscriberInitExt as _;

/// The level for a `TF_LOG`-style setting: unset means warnings and errors;
/// `JSON` (Terraform's JSON trace log) and unrecognised values mean trace,
/// as in Terraform.
pub(crate) fn level(setting: Option<&str>) -> LevelFilter {
    match setting.map(|s| s.trim().to_ascii_uppercase()) {
        None => LevelFilter::WARN,
        Some(s) => match s.as_str() {
            "" => LevelFilter::WARN,
            "OFF" => LevelFilter::OFF,
            "ERROR" => LevelFilter::ERROR,
            "WARN" => LevelFilter::WARN,
            "INFO" => LevelFilter::INFO,
            "DEBUG" => LevelFilter::DEBUG,
            _ => LevelFilter::TRACE,
        },
    }
}

/// Installs the stderr logger (once per process; later calls do nothing).
pub(crate) fn init(env: &dyn Fn(&str) -> Option<String>) {
    let setting = env("TF_LOG_PROVIDER")
        .filter(|s| !s.trim().is_empty())
        .or_else(|| env("TF_LOG"));
    let level = level(setting.as_deref());
    // The HTTP/2 stack is very chatty below INFO.
    let quiet = level.min(LevelFilter::INFO);
    let targets = Targets::new()
        .with_default(level)
        .with_target("h2", quiet)
        .with_target("hyper", quiet)
        .with_target("hyper_util", quiet)
        .with_target("tower", quiet)
        .with_target("rustls", quiet);
    let layer = tracing_subscriber::fmt::layer()
        .with_writer(std::io::stderr)
        .event_format(HclogJson);
    let _ = tracing_subscriber::registry()
        .with(layer)
        .with(targets)
        .try_init();
}

struct HclogJson;

impl<S, N> FormatEvent<S, N> for HclogJson
where
    S: Subscriber + for<'a> LookupSpan<'a>,
    N: for<'a> FormatFields<'a> + 'static,
{
    fn format_event(
        &self,
        _ctx: &FmtContext<'_, S, N>,
        mut writer: Writer<'_>,
        event: &Event<'_>,
    ) -> fmt::Result {
        let meta = event.metadata();
        let mut fields = Fields(Map::new());
        event.record(&mut fields);
        let mut line = Map::new();
        line.insert(
            "@level".into(),
            Json::from(meta.level().as_str().to_ascii_lowercase()),
        );
        line.insert(
            "@message".into(),
            fields.0.remove("message").unwrap_or_else(|| Json::from("")),
        );
        line.insert("@module".into(), Json::from(meta.target()));
        line.extend(fields.0);
        writeln!(writer, "{}", Json::Object(line))
    }
}

struct Fields(Map<String, Json>);

impl Visit for Fields {
    fn record_debug(&mut self, field: &Field, value: &dyn fmt::Debug) {
        self.0
            .insert(field.name().to_owned(), Json::from(format!("{value:?}")));
    }
    fn record_str(&mut self, field: &Field, value: &str) {
        self.0.insert(field.name().to_owned(), Json::from(value));
    }
    fn record_i64(&mut self, field: &Field, value: i64) {
        self.0.insert(field.name().to_owned(), Json::from(value));
    }
    fn record_u64(&mut self, field: &Field, value: u64) {
        self.0.insert(field.name().to_owned(), Json::from(value));
    }
    fn record_bool(&mut self, field: &Field, value: bool) {
        self.0.insert(field.name().to_owned(), Json::from(value));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn levels() {
        assert_eq!(level(None), LevelFilter::WARN);
        assert_eq!(level(Some("")), LevelFilter::WARN);
        assert_eq!(level(Some("debug")), LevelFilter::DEBUG);
        assert_eq!(level(Some("ERROR")), LevelFilter::ERROR);
        assert_eq!(level(Some("JSON")), LevelFilter::TRACE);
        assert_eq!(level(Some("TRACE")), LevelFilter::TRACE);
    }
}
