//! Port ranges and normalized port sets.

use std::fmt;

/// An inclusive range of ports, `from <= to`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct PortRange {
    /// First port.
    pub from: u16,
    /// Last port (inclusive).
    pub to: u16,
}

impl PortRange {
    /// A range; the bounds are swapped if given in reverse.
    pub fn new(a: u16, b: u16) -> Self {
        if a <= b {
            PortRange { from: a, to: b }
        } else {
            PortRange { from: b, to: a }
        }
    }

    /// A single port.
    pub fn single(p: u16) -> Self {
        PortRange { from: p, to: p }
    }

    /// Number of ports in the range.
    pub fn len(&self) -> u32 {
        u32::from(self.to) - u32::from(self.from) + 1
    }

    /// Always false: a range holds at least one port.
    pub fn is_empty(&self) -> bool {
        false
    }

    /// Whether `p` is in the range.
    pub fn contains(&self, p: u16) -> bool {
        self.from <= p && p <= self.to
    }

    /// Whether the two ranges share a port.
    pub fn overlaps(&self, other: &PortRange) -> bool {
        self.from <= other.to && other.from <= self.to
    }

    /// Whether `other` lies entirely within this range.
    pub fn covers(&self, other: &PortRange) -> bool {
        self.from <= other.from && other.to <= self.to
    }

    /// Appends the range as it displays (`443` or `5701-5703`) without the
    /// formatting machinery: every flow and rule key ends with one.
    pub fn push_to(&self, out: &mut String) {
        push_decimal(out, self.from);
        if self.to != self.from {
            out.push('-');
            push_decimal(out, self.to);
        }
    }
}

/// Appends a number in decimal (a port, an address octet, a prefix
/// length) without the formatting machinery.
pub(crate) fn push_decimal(out: &mut String, port: u16) {
    let mut digits = [0u8; 5];
    let mut i = digits.len();
    let mut n = port;
    loop {
        i -= 1;
        digits[i] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    out.extend(digits[i..].iter().map(|&d| char::from(d)));
}

impl fmt::Display for PortRange {
    /// `443` or `5701-5703`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.from == self.to {
            write!(f, "{}", self.from)
        } else {
            write!(f, "{}-{}", self.from, self.to)
        }
    }
}

/// A set of ports kept as sorted, disjoint, non-adjacent ranges, so two sets
/// holding the same ports are equal and print the same.
#[derive(Debug, Clone, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct PortSet {
    ranges: Vec<PortRange>,
}

impl PortSet {
    /// The empty set.
    pub fn new() -> Self {
        PortSet::default()
    }

    /// A set of the given ranges.
    pub fn from_ranges(ranges: impl IntoIterator<Item = PortRange>) -> Self {
        // Sorted, then each range merged into the one before when they
        // overlap or touch: one allocation however many ranges.
        let mut ranges: Vec<PortRange> = ranges
            .into_iter()
            .map(|r| PortRange::new(r.from, r.to))
            .collect();
        ranges.sort_unstable();
        ranges.dedup_by(|r, kept| {
            let joins = u32::from(r.from) <= u32::from(kept.to) + 1;
            if joins {
                kept.to = kept.to.max(r.to);
            }
            joins
        });
        PortSet { ranges }
    }

    /// Adds a range, merging it with overlapping and adjacent ranges.
    pub fn insert(&mut self, r: PortRange) {
        let mut merged = r;
        let mut out = Vec::with_capacity(self.ranges.len() + 1);
        let mut placed = false;
        for &cur in &self.ranges {
            if u32::from(cur.to) + 1 < u32::from(merged.from) {
                out.push(cur);
            } else if u32::from(merged.to) + 1 < u32::from(cur.from) {
                if !placed {
                    out.push(merged);
                    placed = true;
                }
                out.push(cur);
            } else {
                merged = PortRange {
                    from: merged.from.min(cur.from),
                    to: merged.to.max(cur.to),
                };
            }
        }
        if !placed {
            out.push(merged);
        }
        self.ranges = out;
    }

    /// Adds every range of `other`.
    pub fn extend(&mut self, other: &PortSet) {
        for r in &other.ranges {
            self.insert(*r);
        }
    }

    /// The maximal ranges, ascending.
    pub fn ranges(&self) -> &[PortRange] {
        &self.ranges
    }

    /// Whether the set holds no port.
    pub fn is_empty(&self) -> bool {
        self.ranges.is_empty()
    }

    /// Number of ports.
    pub fn count(&self) -> u32 {
        self.ranges.iter().map(PortRange::len).sum()
    }

    /// Whether `p` is in the set.
    pub fn contains(&self, p: u16) -> bool {
        self.ranges.iter().any(|r| r.contains(p))
    }

    /// Parses a port list such as `"1521, 5000-5010"`; the empty string is the
    /// empty set. Port 0 is refused.
    pub fn parse(text: &str) -> Result<PortSet, String> {
        let mut set = PortSet::new();
        for part in text.split(',') {
            let part = part.trim();
            if part.is_empty() {
                continue;
            }
            let (a, b) = match part.split_once('-') {
                Some((a, b)) => (a.trim(), b.trim()),
                None => (part, part),
            };
            let a = parse_port(a)?;
            let b = parse_port(b)?;
            if a > b {
                return Err(format!("range \"{part}\" ends before it starts"));
            }
            set.insert(PortRange::new(a, b));
        }
        Ok(set)
    }
}

/// Parses one port number, 1-65535.
pub fn parse_port(text: &str) -> Result<u16, String> {
    match text.parse::<u32>() {
        Ok(n) if (1..=65535).contains(&n) => Ok(n as u16),
        Ok(n) => Err(format!("{n} is not a port number (1-65535)")),
        Err(_) => Err(format!("\"{text}\" is not a port number")),
    }
}

impl fmt::Display for PortSet {
    /// `80, 443, 5701-5703`; empty prints nothing.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, r) in self.ranges.iter().enumerate() {
            if i > 0 {
                f.write_str(", ")?;
            }
            write!(f, "{r}")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn set(rs: &[(u16, u16)]) -> PortSet {
        PortSet::from_ranges(rs.iter().map(|&(a, b)| PortRange::new(a, b)))
    }

    #[test]
    fn adjacent_ports_merge_and_gaps_stay() {
        let s = set(&[(5703, 5703), (5701, 5701), (5702, 5702), (9000, 9000)]);
        assert_eq!(
            s.ranges(),
            &[PortRange::new(5701, 5703), PortRange::single(9000)]
        );
        assert_eq!(s.to_string(), "5701-5703, 9000");
    }

    #[test]
    fn overlapping_ranges_merge() {
        let s = set(&[(61000, 62000), (62000, 63000), (1, 1)]);
        assert_eq!(
            s.ranges(),
            &[PortRange::single(1), PortRange::new(61000, 63000)]
        );
        assert_eq!(s.count(), 1 + 2001);
    }

    #[test]
    fn a_series_with_gaps_does_not_merge() {
        let s = set(&[(4000, 4000), (4002, 4002), (4004, 4004)]);
        assert_eq!(s.ranges().len(), 3);
        assert!(!s.contains(4001));
    }

    #[test]
    fn insert_between_existing_ranges_keeps_order() {
        let mut s = set(&[(10, 10), (30, 30)]);
        s.insert(PortRange::single(20));
        assert_eq!(s.to_string(), "10, 20, 30");
        s.insert(PortRange::new(11, 19));
        assert_eq!(s.to_string(), "10-20, 30");
        s.insert(PortRange::new(65535, 65535));
        s.insert(PortRange::new(21, 29));
        assert_eq!(s.to_string(), "10-30, 65535");
    }

    #[test]
    fn push_to_writes_what_display_prints() {
        for p in (0..=u16::MAX)
            .step_by(7)
            .chain([0, 1, 9, 10, 99, 100, 65534, 65535])
        {
            for r in [
                PortRange::single(p),
                PortRange::new(p, u16::MAX),
                PortRange::new(0, p),
            ] {
                let mut s = String::from("key:");
                r.push_to(&mut s);
                assert_eq!(s, format!("key:{r}"));
            }
        }
    }

    #[test]
    fn from_ranges_is_inserting_one_by_one() {
        // Every list of up to four ranges over ports 1-9, in every order
        // the generator gives: the same set as inserting them one by one.
        let ranges: Vec<PortRange> = (1..=9u16)
            .flat_map(|a| (a..=9).map(move |b| PortRange::new(a, b)))
            .collect();
        let mut state = 12345u32;
        for len in 0..=4 {
            for _ in 0..500 {
                let list: Vec<PortRange> = (0..len)
                    .map(|_| {
                        state = state.wrapping_mul(1_103_515_245).wrapping_add(12345);
                        ranges[(state >> 8) as usize % ranges.len()]
                    })
                    .collect();
                let mut one_by_one = PortSet::new();
                for r in &list {
                    one_by_one.insert(*r);
                }
                assert_eq!(
                    PortSet::from_ranges(list.iter().copied()),
                    one_by_one,
                    "{list:?}"
                );
            }
        }
    }

    #[test]
    fn parse_lists() {
        assert_eq!(
            PortSet::parse("1521, 5000-5010,80").map(|s| s.to_string()),
            Ok("80, 1521, 5000-5010".into())
        );
        assert!(PortSet::parse("").map(|s| s.is_empty()).unwrap_or(false));
        assert!(PortSet::parse("0").is_err());
        assert!(PortSet::parse("70000").is_err());
        assert!(PortSet::parse("10-5").is_err());
        assert!(PortSet::parse("http").is_err());
    }
}
