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
        line.insert(
            "@timestamp".into(),
            Json::from(timestamp(std::time::SystemTime::now())),
        );
        line.extend(fields.0);
        writeln!(writer, "{}", Json::Object(line))
    }
}

/// hclog's timestamp layout, `2006-01-02T15:04:05.000000Z07:00`, in UTC
/// (go-plugin parses it; without it Terraform logs a zero time).
fn timestamp(t: std::time::SystemTime) -> String {
    let since = t.duration_since(std::time::UNIX_EPOCH).unwrap_or_default();
    let secs = since.as_secs();
    let (days, rem) = (secs / 86_400, secs % 86_400);
    // Civil date from days since 1970-01-01 (Howard Hinnant's algorithm).
    let z = days as i64 + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}.{:06}Z",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60,
        since.subsec_micros()
    )
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

    #[test]
    fn timestamps_in_hclog_layout() {
        use std::time::{Duration, UNIX_EPOCH};
        assert_eq!(timestamp(UNIX_EPOCH), "1970-01-01T00:00:00.000000Z");
        let t = UNIX_EPOCH + Duration::from_micros(1_795_316_857_003_042);
        assert_eq!(timestamp(t), "2026-11-22T03:07:37.003042Z");
        let leap = UNIX_EPOCH + Duration::from_secs(951_782_400); // 2000-02-29
        assert_eq!(timestamp(leap), "2000-02-29T00:00:00.000000Z");
    }
}
