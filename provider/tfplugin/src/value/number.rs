//! cty numbers.
//!
//! cty numbers are arbitrary-precision decimals. On the wire (msgpack) they
//! arrive as integers when integral and within `i64`, as float64 when exactly
//! representable, and otherwise as their decimal text. [`Number`] keeps each
//! form exactly: integers as `i64`, floats as `f64`, everything else as the
//! validated decimal text (so it goes back to Terraform unchanged).

use std::fmt;

/// A cty number. Canonical: an integral value within `i64` is always held as
/// an integer, a value exactly representable as `f64` as a float, and only
/// other values as decimal text, so equal numbers compare equal.
#[derive(Clone, PartialEq)]
pub struct Number(Repr);

#[derive(Clone, PartialEq)]
enum Repr {
    Int(i64),
    /// Finite and not integral-within-i64, or ±infinity. Never NaN.
    Float(f64),
    /// Validated decimal text that is neither an i64 nor exactly an f64.
    Big(String),
}

/// Longest decimal text accepted for a number (cty's own precision is 512
/// bits, about 155 decimal digits; this leaves ample room).
const MAX_TEXT_LEN: usize = 4096;

impl Number {
    /// The number as `i64`, if it is an integer within `i64`'s range.
    pub fn as_i64(&self) -> Option<i64> {
        match self.0 {
            Repr::Int(i) => Some(i),
            _ => None,
        }
    }

    /// The number as `f64` (rounded to the nearest `f64` when it is not
    /// exactly representable; integers beyond 2^53 lose precision).
    pub fn as_f64(&self) -> f64 {
        match &self.0 {
            Repr::Int(i) => *i as f64,
            Repr::Float(f) => *f,
            Repr::Big(s) => s.parse::<f64>().unwrap_or(f64::NAN),
        }
    }

    /// Whether the number is an integer (of any size).
    pub fn is_integer(&self) -> bool {
        match &self.0 {
            Repr::Int(_) => true,
            Repr::Float(f) => f.is_finite() && f.fract() == 0.0,
            Repr::Big(s) => Decimal::parse(s).is_some_and(|d| d.is_integer()),
        }
    }

    /// A number from an `f64`; `None` for NaN, which cty does not allow.
    pub fn from_f64(f: f64) -> Option<Self> {
        if f.is_nan() {
            return None;
        }
        // -2^63 ..= 2^63 (exclusive) are exactly the f64 values that fit i64.
        if f.is_finite()
            && f.fract() == 0.0
            && (-9.223_372_036_854_776e18..9.223_372_036_854_776e18).contains(&f)
        {
            return Some(Self(Repr::Int(f as i64)));
        }
        Some(Self(Repr::Float(f)))
    }

    /// Parses cty's decimal text form: an optional sign, digits with an
    /// optional fraction, an optional exponent, or `inf`/`infinity`.
    pub fn parse(text: &str) -> Option<Self> {
        if text.len() > MAX_TEXT_LEN {
            return None;
        }
        let lower = text.to_ascii_lowercase();
        let unsigned = lower.trim_start_matches(['+', '-']);
        if lower.len() - unsigned.len() <= 1 && (unsigned == "inf" || unsigned == "infinity") {
            let f = if lower.starts_with('-') {
                f64::NEG_INFINITY
            } else {
                f64::INFINITY
            };
            return Some(Self(Repr::Float(f)));
        }
        let dec = Decimal::parse(text)?;
        if let Some(i) = dec.to_i64() {
            return Some(Self(Repr::Int(i)));
        }
        if let Ok(f) = text.parse::<f64>()
            && f.is_finite()
            && Decimal::of_f64(f).is_some_and(|exact| exact == dec)
        {
            return Some(Self(Repr::Float(f)));
        }
        Some(Self(Repr::Big(text.to_owned())))
    }

    pub(crate) fn from_u64(u: u64) -> Self {
        if let Ok(i) = i64::try_from(u) {
            return Self(Repr::Int(i));
        }
        let f = u as f64;
        // 2^64 is the first f64 that no longer fits u64.
        if f < 1.844_674_407_370_955_2e19 && f as u64 == u {
            Self(Repr::Float(f))
        } else {
            Self(Repr::Big(u.to_string()))
        }
    }

    /// How the number goes onto the wire.
    pub(crate) fn wire(&self) -> WireNumber<'_> {
        match &self.0 {
            Repr::Int(i) => WireNumber::Int(*i),
            Repr::Float(f) => WireNumber::Float(*f),
            Repr::Big(s) => WireNumber::Text(s),
        }
    }
}

pub(crate) enum WireNumber<'a> {
    Int(i64),
    Float(f64),
    Text(&'a str),
}

impl fmt::Debug for Number {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Number({self})")
    }
}

impl fmt::Display for Number {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.0 {
            Repr::Int(i) => write!(f, "{i}"),
            Repr::Float(x) if x.is_infinite() => {
                f.write_str(if *x > 0.0 { "+Inf" } else { "-Inf" })
            }
            Repr::Float(x) => write!(f, "{x}"),
            Repr::Big(s) => f.write_str(s),
        }
    }
}

macro_rules! number_from_int {
    ($($t:ty),*) => {$(
        impl From<$t> for Number {
            fn from(v: $t) -> Self {
                Self(Repr::Int(i64::from(v)))
            }
        }
    )*};
}
number_from_int!(i8, i16, i32, i64, u8, u16, u32);

impl From<u64> for Number {
    fn from(v: u64) -> Self {
        Self::from_u64(v)
    }
}

impl From<usize> for Number {
    fn from(v: usize) -> Self {
        Self::from_u64(v as u64)
    }
}

impl TryFrom<f64> for Number {
    type Error = NanError;
    fn try_from(f: f64) -> Result<Self, NanError> {
        Self::from_f64(f).ok_or(NanError)
    }
}

/// Returned when converting NaN, which is not a cty number.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NanError;

impl fmt::Display for NanError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("NaN is not a valid number")
    }
}

impl std::error::Error for NanError {}

/// A finite decimal in normal form: value = ±0.DIGITS × 10^exp, DIGITS without
/// leading or trailing zeros (empty for zero).
#[derive(Debug, PartialEq, Eq)]
struct Decimal {
    negative: bool,
    digits: Vec<u8>,
    exp: i64,
}

impl Decimal {
    /// `[+-]? (d+ (. d*)? | . d+) ([eE] [+-]? d+)?`
    fn parse(text: &str) -> Option<Self> {
        let b = text.as_bytes();
        let mut i = 0;
        let mut negative = false;
        if let Some(&c) = b.first()
            && (c == b'+' || c == b'-')
        {
            negative = c == b'-';
            i = 1;
        }
        let int_start = i;
        while i < b.len() && b[i].is_ascii_digit() {
            i += 1;
        }
        let int_part = &b[int_start..i];
        let mut frac_part: &[u8] = &[];
        if i < b.len() && b[i] == b'.' {
            i += 1;
            let frac_start = i;
            while i < b.len() && b[i].is_ascii_digit() {
                i += 1;
            }
            frac_part = &b[frac_start..i];
        }
        if int_part.is_empty() && frac_part.is_empty() {
            return None;
        }
        let mut exp: i64 = 0;
        if i < b.len() && (b[i] == b'e' || b[i] == b'E') {
            i += 1;
            let mut exp_negative = false;
            if i < b.len() && (b[i] == b'+' || b[i] == b'-') {
                exp_negative = b[i] == b'-';
                i += 1;
            }
            let exp_start = i;
            while i < b.len() && b[i].is_ascii_digit() {
                exp = exp
                    .saturating_mul(10)
                    .saturating_add(i64::from(b[i] - b'0'));
                i += 1;
            }
            if i == exp_start {
                return None;
            }
            // Keep far away from overflow in the arithmetic below.
            exp = exp.min(1 << 40);
            if exp_negative {
                exp = -exp;
            }
        }
        if i != b.len() {
            return None;
        }
        let mut digits: Vec<u8> = int_part.iter().chain(frac_part).map(|d| d - b'0').collect();
        let mut point = int_part.len() as i64;
        let leading = digits.iter().take_while(|&&d| d == 0).count();
        digits.drain(..leading);
        point -= leading as i64;
        while digits.last() == Some(&0) {
            digits.pop();
        }
        if digits.is_empty() {
            return Some(Self {
                negative: false,
                digits,
                exp: 0,
            });
        }
        Some(Self {
            negative,
            digits,
            exp: point.saturating_add(exp),
        })
    }

    /// The exact decimal value of a finite `f64`.
    fn of_f64(f: f64) -> Option<Self> {
        // An f64 has at most 767 significant decimal digits; printing 800
        // digits after the point in scientific form is exact.
        Self::parse(&format!("{f:.800e}"))
    }

    fn is_integer(&self) -> bool {
        self.exp >= self.digits.len() as i64
    }

    fn to_i64(&self) -> Option<i64> {
        if self.digits.is_empty() {
            return Some(0);
        }
        if !self.is_integer() || self.exp > 19 {
            return None;
        }
        let mut v: i128 = 0;
        for k in 0..self.exp {
            let d = self.digits.get(k as usize).copied().unwrap_or(0);
            v = v * 10 + i128::from(d);
        }
        if self.negative {
            v = -v;
        }
        i64::try_from(v).ok()
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn canonical_forms() {
        assert_eq!(Number::parse("42"), Some(Number::from(42)));
        assert_eq!(Number::parse("4.2e1"), Some(Number::from(42)));
        assert_eq!(Number::parse("-0"), Some(Number::from(0)));
        assert_eq!(Number::parse("0.5"), Number::from_f64(0.5));
        assert_eq!(Number::from_f64(3.0), Some(Number::from(3)));
        assert_eq!(Number::from_f64(f64::NAN), None);
        // 0.1 is not exactly an f64: kept as text.
        let tenth = Number::parse("0.1").unwrap();
        assert_ne!(Number::from_f64(0.1), Some(tenth.clone()));
        assert_eq!(tenth.to_string(), "0.1");
        assert!((tenth.as_f64() - 0.1).abs() < 1e-12);
        // Beyond i64: 2^63 is an exact f64, 2^64-1 is not.
        assert_eq!(
            Number::from(1u64 << 63),
            Number::from_f64(2f64.powi(63)).unwrap()
        );
        assert_eq!(Number::from(u64::MAX).to_string(), "18446744073709551615");
        assert_eq!(Number::from(u64::MAX).as_i64(), None);
        assert!(Number::from(u64::MAX).is_integer());
        assert_eq!(
            Number::parse("1e400").map(|n| n.to_string()),
            Some("1e400".to_owned())
        );
        assert_eq!(
            Number::parse("-inf").map(|n| n.as_f64()),
            Some(f64::NEG_INFINITY)
        );
        for bad in [
            "", "-", "+-1", "1e", "e5", ".", "1.2.3", "0x10", "nan", "1 ",
        ] {
            assert_eq!(Number::parse(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn huge_exponents_do_not_overflow() {
        assert!(Number::parse("1e99999999999999999999999").is_some());
        assert!(Number::parse("1e-99999999999999999999999").is_some());
        assert_eq!(
            Number::parse("0e99999999999999999999999"),
            Some(Number::from(0))
        );
    }
}
