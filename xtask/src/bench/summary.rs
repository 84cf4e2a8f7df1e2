//! Summaries of repeated measurements and how a number is judged against
//! its target: the small arithmetic every stage of the benchmark shares.

use serde::Serialize;

/// The median, minimum and maximum of a series of measurements, and how
/// many there were (the JSON form is `{"median", "min", "max", "runs"}`).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Summary {
    /// The middle value; the mean of the two middle values for an even count.
    pub median: f64,
    /// The smallest value.
    pub min: f64,
    /// The largest value.
    pub max: f64,
    /// How many values were summarized.
    pub runs: usize,
}

impl Summary {
    /// Summarizes `samples`; `None` when there are none (or one is NaN).
    pub fn of_samples(samples: &[f64]) -> Option<Summary> {
        let sorted = sorted_samples(samples)?;
        Some(Summary {
            median: median_of_sorted(&sorted),
            min: sorted[0],
            max: sorted[sorted.len() - 1],
            runs: sorted.len(),
        })
    }
}

/// The median of `samples`, as Python's `statistics.median` computes it
/// (the mean of the two middle values for an even count); `None` when
/// there are none.
pub fn median_of_samples(samples: &[f64]) -> Option<f64> {
    sorted_samples(samples).map(|sorted| median_of_sorted(&sorted))
}

fn sorted_samples(samples: &[f64]) -> Option<Vec<f64>> {
    if samples.is_empty() || samples.iter().any(|s| s.is_nan()) {
        return None;
    }
    let mut sorted = samples.to_vec();
    sorted.sort_by(f64::total_cmp);
    Some(sorted)
}

fn median_of_sorted(sorted: &[f64]) -> f64 {
    let middle = sorted.len() / 2;
    if sorted.len() % 2 == 1 {
        sorted[middle]
    } else {
        (sorted[middle - 1] + sorted[middle]) / 2.0
    }
}

/// `"met"` when `value` is at most `limit`, else `"MISSED"` (capitals, so a
/// miss stands out in a long report). Targets are reported, not enforced.
pub fn verdict_against_limit(value: f64, limit: f64) -> &'static str {
    if value <= limit { "met" } else { "MISSED" }
}

/// One report line for a ratio against its target, e.g.
/// `portmap_flows: 1,234 / 1,100 ms = x1.122 (target <= x1.1), MISSED`.
pub fn ratio_line_against_target(
    label: &str,
    measured_ms: f64,
    floor_ms: f64,
    target: f64,
) -> String {
    let ratio = measured_ms / floor_ms;
    format!(
        "{label}: {} / {} ms = x{ratio:.3} (target <= x{target}), {}",
        thousands(measured_ms),
        thousands(floor_ms),
        verdict_against_limit(ratio, target)
    )
}

/// A number of milliseconds rounded to a whole number and written with
/// thousands separators, as the docs write them (`3,821`).
pub fn thousands(value: f64) -> String {
    let rounded = value.round();
    let digits = format!("{}", rounded.abs() as u64);
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    if rounded < 0.0 {
        out.insert(0, '-');
    }
    out
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    #[test]
    fn odd_count_summary_takes_the_middle_value() {
        let s = Summary::of_samples(&[30.0, 10.0, 20.0]).unwrap();
        assert_eq!(
            s,
            Summary {
                median: 20.0,
                min: 10.0,
                max: 30.0,
                runs: 3
            }
        );
    }

    #[test]
    fn even_count_median_is_the_mean_of_the_two_middle_values() {
        assert_eq!(median_of_samples(&[4.0, 1.0, 3.0, 2.0]), Some(2.5));
        let s = Summary::of_samples(&[5.0, 7.0]).unwrap();
        assert_eq!((s.median, s.min, s.max, s.runs), (6.0, 5.0, 7.0, 2));
    }

    #[test]
    fn one_sample_is_its_own_summary() {
        let s = Summary::of_samples(&[42.5]).unwrap();
        assert_eq!((s.median, s.min, s.max, s.runs), (42.5, 42.5, 42.5, 1));
    }

    #[test]
    fn no_samples_or_nan_give_no_summary() {
        assert_eq!(Summary::of_samples(&[]), None);
        assert_eq!(median_of_samples(&[]), None);
        assert_eq!(Summary::of_samples(&[1.0, f64::NAN]), None);
    }

    #[test]
    fn summary_serializes_with_the_python_keys() {
        let s = Summary::of_samples(&[1.0, 3.0]).unwrap();
        assert_eq!(
            serde_json::to_string(&s).unwrap(),
            r#"{"median":2.0,"min":1.0,"max":3.0,"runs":2}"#
        );
    }

    #[test]
    fn verdict_is_met_up_to_and_including_the_limit() {
        assert_eq!(verdict_against_limit(1.1, 1.1), "met");
        assert_eq!(verdict_against_limit(0.5, 1.1), "met");
        assert_eq!(verdict_against_limit(1.1001, 1.1), "MISSED");
    }

    #[test]
    fn ratio_lines_show_both_times_the_ratio_and_the_verdict() {
        assert_eq!(
            ratio_line_against_target("portmap_flows", 1234.4, 1100.0, 1.1),
            "portmap_flows: 1,234 / 1,100 ms = x1.122 (target <= x1.1), MISSED"
        );
        assert_eq!(
            ratio_line_against_target("portmap_gcp_firewall_rules", 990.0, 1000.0, 1.1),
            "portmap_gcp_firewall_rules: 990 / 1,000 ms = x0.990 (target <= x1.1), met"
        );
    }

    #[test]
    fn thousands_separators_every_three_digits() {
        assert_eq!(thousands(0.4), "0");
        assert_eq!(thousands(999.0), "999");
        assert_eq!(thousands(3821.2), "3,821");
        assert_eq!(thousands(1_234_567.0), "1,234,567");
        assert_eq!(thousands(-1500.0), "-1,500");
    }
}
