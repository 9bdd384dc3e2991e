//! [`HumanDuration`]: a duration as a person reads it, in the drawings and
//! in [`RetryPolicy`](crate::RetryPolicy)'s `Display`.

use std::fmt;
use std::time::Duration;

/// A duration for a person, to three significant digits in the largest unit
/// that keeps it at 1 or more: `250 ms`, `12.4 ms`, `1.5 s`, `850 µs`; from
/// a minute on, in minutes and seconds: `2 min 5 s`.
#[doc(hidden)]
pub struct HumanDuration(pub Duration);

impl fmt::Display for HumanDuration {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.0.is_zero() {
            return f.write_str("0 s");
        }
        let seconds = self.0.as_secs_f64();
        if seconds >= 59.5 {
            let seconds = seconds.round() as u64;
            return write!(f, "{} min {} s", seconds / 60, seconds % 60);
        }
        // The largest unit in which the value rounds to 1 or more.
        let (value, unit) = [(1.0, "s"), (1e-3, "ms"), (1e-6, "µs"), (1e-9, "ns")]
            .into_iter()
            .map(|(scale, unit)| (seconds / scale, unit))
            .find(|(value, unit)| *value >= 0.9995 || *unit == "ns")
            .expect("nanoseconds are the last unit");
        let decimals = match value {
            v if v >= 99.95 => 0,
            v if v >= 9.995 => 1,
            _ => 2,
        };
        let text = format!("{value:.decimals$}");
        let text = match decimals {
            0 => &text,
            _ => text.trim_end_matches('0').trim_end_matches('.'),
        };
        write!(f, "{text} {unit}")
    }
}
#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::HumanDuration;

    #[test]
    fn durations_read_in_the_largest_unit_to_three_digits() {
        let cases = [
            (Duration::ZERO, "0 s"),
            (Duration::from_nanos(42), "42 ns"),
            (Duration::from_nanos(850_000), "850 µs"),
            (Duration::from_micros(12_400), "12.4 ms"),
            (Duration::from_micros(1_234), "1.23 ms"),
            (Duration::from_millis(250), "250 ms"),
            (Duration::from_millis(999_999), "16 min 40 s"),
            (Duration::from_secs(75), "1 min 15 s"),
            (Duration::from_millis(59_400), "59.4 s"),
            (Duration::from_millis(1_500), "1.5 s"),
            (Duration::from_secs(30), "30 s"),
            (Duration::from_micros(999_999), "1 s"),
            (Duration::from_nanos(99_960), "100 µs"),
        ];
        for (duration, text) in cases {
            assert_eq!(HumanDuration(duration).to_string(), text, "{duration:?}");
        }
    }
}
