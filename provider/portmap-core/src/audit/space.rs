//! Exact sets of (protocol, port, address) triples, the arithmetic the audit
//! does on rules: union, intersection and difference by port intervals and
//! address intervals, and address sets written back as minimal CIDR lists.

use std::collections::{BTreeMap, BTreeSet};
use std::net::{Ipv4Addr, Ipv6Addr};

use ipnet::IpNet;

use crate::ports::PortRange;

/// Sorted, disjoint, non-adjacent inclusive intervals of `u128` (IPv4
/// addresses use the low 32 bits), so equal sets are equal values.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Intervals(Vec<(u128, u128)>);

impl Intervals {
    /// The union of the given intervals (each `lo <= hi`).
    pub fn new(items: impl IntoIterator<Item = (u128, u128)>) -> Self {
        let mut v: Vec<(u128, u128)> = items.into_iter().filter(|(a, b)| a <= b).collect();
        v.sort_unstable();
        let mut out: Vec<(u128, u128)> = Vec::with_capacity(v.len());
        for (lo, hi) in v {
            match out.last_mut() {
                Some(last) if last.1 == u128::MAX || lo <= last.1 + 1 => last.1 = last.1.max(hi),
                _ => out.push((lo, hi)),
            }
        }
        Intervals(out)
    }

    /// The intervals, ascending.
    pub fn as_slice(&self) -> &[(u128, u128)] {
        &self.0
    }

    /// Whether the set is empty.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Whether `x` is in the set.
    pub fn contains(&self, x: u128) -> bool {
        self.0.iter().any(|&(lo, hi)| lo <= x && x <= hi)
    }

    /// How many values the set holds (as a float: IPv6 sets overflow).
    pub fn count(&self) -> f64 {
        self.0.iter().map(|&(lo, hi)| (hi - lo) as f64 + 1.0).sum()
    }

    /// Both sets' values.
    pub fn union(&self, o: &Intervals) -> Intervals {
        Intervals::new(self.0.iter().chain(&o.0).copied())
    }

    /// The values in both sets.
    pub fn intersect(&self, o: &Intervals) -> Intervals {
        let (mut i, mut j) = (0, 0);
        let mut out = Vec::new();
        while i < self.0.len() && j < o.0.len() {
            let (a, b) = (self.0[i], o.0[j]);
            let (lo, hi) = (a.0.max(b.0), a.1.min(b.1));
            if lo <= hi {
                out.push((lo, hi));
            }
            if a.1 < b.1 { i += 1 } else { j += 1 }
        }
        Intervals(out)
    }

    /// The values of this set not in `o`.
    pub fn minus(&self, o: &Intervals) -> Intervals {
        let mut out = Vec::new();
        for &(lo, hi) in &self.0 {
            let mut cur = Some(lo);
            for &(blo, bhi) in o.0.iter().filter(|b| b.0 <= hi && lo <= b.1) {
                let Some(c) = cur else { break };
                if blo > c {
                    out.push((c, blo - 1));
                }
                cur = if bhi >= hi { None } else { Some(bhi + 1) };
            }
            if let Some(c) = cur {
                out.push((c, hi));
            }
        }
        Intervals(out)
    }
}

/// The minimal list of CIDR blocks covering exactly `[lo, hi]` in a space of
/// `bits` bits: (network, prefix length), ascending.
pub fn interval_cidrs(mut lo: u128, hi: u128, bits: u32) -> Vec<(u128, u8)> {
    let mask = |k: u32| {
        if k >= 128 {
            u128::MAX
        } else {
            (1u128 << k) - 1
        }
    };
    let mut out = Vec::new();
    while lo <= hi {
        let span = hi - lo;
        let mut k = if lo == 0 {
            bits
        } else {
            lo.trailing_zeros().min(bits)
        };
        while mask(k) > span {
            k -= 1;
        }
        out.push((lo, (bits - k) as u8));
        if span == mask(k) {
            break;
        }
        lo += mask(k) + 1;
    }
    out
}

/// A set of addresses: IPv4 and IPv6 intervals, and nodes known only by
/// their `ref` (a security group, an application security group, a tag),
/// named by node.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Addrs {
    /// IPv4 addresses.
    pub v4: Intervals,
    /// IPv6 addresses.
    pub v6: Intervals,
    /// Nodes addressed by reference.
    pub refs: BTreeSet<String>,
}

impl Addrs {
    /// The addresses of CIDR blocks.
    pub fn of_nets<'a>(nets: impl IntoIterator<Item = &'a IpNet>) -> Addrs {
        let (mut v4, mut v6) = (Vec::new(), Vec::new());
        for n in nets {
            match n {
                IpNet::V4(n) => v4.push((
                    u128::from(u32::from(n.network())),
                    u128::from(u32::from(n.broadcast())),
                )),
                IpNet::V6(n) => v6.push((u128::from(n.network()), u128::from(n.broadcast()))),
            }
        }
        Addrs {
            v4: Intervals::new(v4),
            v6: Intervals::new(v6),
            refs: BTreeSet::new(),
        }
    }

    /// A node known by reference.
    pub fn of_ref(node: &str) -> Addrs {
        Addrs {
            refs: BTreeSet::from([node.to_string()]),
            ..Addrs::default()
        }
    }

    /// Whether the set is empty.
    pub fn is_empty(&self) -> bool {
        self.v4.is_empty() && self.v6.is_empty() && self.refs.is_empty()
    }

    /// Both sets.
    pub fn union(&self, o: &Addrs) -> Addrs {
        Addrs {
            v4: self.v4.union(&o.v4),
            v6: self.v6.union(&o.v6),
            refs: self.refs.union(&o.refs).cloned().collect(),
        }
    }

    /// What both hold.
    pub fn intersect(&self, o: &Addrs) -> Addrs {
        Addrs {
            v4: self.v4.intersect(&o.v4),
            v6: self.v6.intersect(&o.v6),
            refs: self.refs.intersection(&o.refs).cloned().collect(),
        }
    }

    /// What this set holds and `o` does not.
    pub fn minus(&self, o: &Addrs) -> Addrs {
        Addrs {
            v4: self.v4.minus(&o.v4),
            v6: self.v6.minus(&o.v6),
            refs: self.refs.difference(&o.refs).cloned().collect(),
        }
    }

    /// The addresses as a minimal list of CIDR blocks, IPv4 first, each
    /// family ascending.
    pub fn cidrs(&self) -> Vec<String> {
        let mut out = Vec::new();
        for &(lo, hi) in self.v4.as_slice() {
            for (net, len) in interval_cidrs(lo, hi, 32) {
                out.push(format!("{}/{len}", Ipv4Addr::from(net as u32)));
            }
        }
        for &(lo, hi) in self.v6.as_slice() {
            for (net, len) in interval_cidrs(lo, hi, 128) {
                out.push(format!("{}/{len}", Ipv6Addr::from(net)));
            }
        }
        out
    }

    /// Whether the set holds a whole address family (`0.0.0.0/0`, `::/0`).
    pub fn holds_everything(&self) -> bool {
        self.v4.as_slice() == [(0, u128::from(u32::MAX))] || self.v6.as_slice() == [(0, u128::MAX)]
    }
}

/// A protocol as the audit sees rules: TCP and UDP with ports, ICMP and
/// every other IP protocol without.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Proto {
    /// TCP (IP protocol 6).
    Tcp,
    /// UDP (IP protocol 17).
    Udp,
    /// ICMP (and ICMPv6), all types.
    Icmp,
    /// Every IP protocol other than TCP, UDP and ICMP (what `all` adds).
    Other,
}

impl Proto {
    /// Every protocol, what `all` allows.
    pub const ALL: [Proto; 4] = [Proto::Tcp, Proto::Udp, Proto::Icmp, Proto::Other];

    /// `tcp`, `udp`, `icmp` or `other`.
    pub fn as_str(self) -> &'static str {
        match self {
            Proto::Tcp => "tcp",
            Proto::Udp => "udp",
            Proto::Icmp => "icmp",
            Proto::Other => "other",
        }
    }

    /// Whether the protocol has ports.
    pub fn has_ports(self) -> bool {
        matches!(self, Proto::Tcp | Proto::Udp)
    }

    /// The one "port range" of a protocol without ports.
    pub const NO_PORTS: PortRange = PortRange { from: 0, to: 0 };
}

/// A set of (protocol, port, address) triples: per protocol, ascending
/// disjoint port ranges, each with the (non-empty) addresses allowed on
/// every port of it; neighbouring ranges with equal addresses are merged,
/// so equal sets are equal values. Protocols without ports use
/// [`Proto::NO_PORTS`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Space(BTreeMap<Proto, Vec<(PortRange, Addrs)>>);

#[derive(Clone, Copy)]
enum Op {
    Union,
    Intersect,
    Minus,
}

impl Space {
    /// Nothing.
    pub const EMPTY: Space = Space(BTreeMap::new());

    /// One box: a protocol, a port range and addresses.
    pub fn cell(proto: Proto, ports: PortRange, addrs: Addrs) -> Space {
        let ports = if proto.has_ports() {
            ports
        } else {
            Proto::NO_PORTS
        };
        if addrs.is_empty() {
            return Space::default();
        }
        Space(BTreeMap::from([(proto, vec![(ports, addrs)])]))
    }

    /// The parts, per protocol.
    pub fn parts(&self) -> &BTreeMap<Proto, Vec<(PortRange, Addrs)>> {
        &self.0
    }

    /// Whether the set is empty.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Both sets.
    pub fn union(&self, o: &Space) -> Space {
        self.combine(o, Op::Union)
    }

    /// What both hold.
    pub fn intersect(&self, o: &Space) -> Space {
        self.combine(o, Op::Intersect)
    }

    /// What this set holds and `o` does not.
    pub fn minus(&self, o: &Space) -> Space {
        self.combine(o, Op::Minus)
    }

    /// The size of the set, per address family: the number of (port,
    /// address) pairs over TCP and UDP, ICMP and the other protocols
    /// counting as one port each. References are not counted.
    pub fn measure(&self) -> (f64, f64) {
        let mut m = (0.0, 0.0);
        for parts in self.0.values() {
            for (ports, a) in parts {
                let n = f64::from(ports.len());
                m.0 += n * a.v4.count();
                m.1 += n * a.v6.count();
            }
        }
        m
    }

    fn combine(&self, o: &Space, op: Op) -> Space {
        let empty = Vec::new();
        let protos: BTreeSet<Proto> = self.0.keys().chain(o.0.keys()).copied().collect();
        let mut out = BTreeMap::new();
        for p in protos {
            let a = self.0.get(&p).unwrap_or(&empty);
            let b = o.0.get(&p).unwrap_or(&empty);
            let mut cuts: Vec<u32> = a
                .iter()
                .chain(b)
                .flat_map(|(r, _)| [u32::from(r.from), u32::from(r.to) + 1])
                .collect();
            cuts.sort_unstable();
            cuts.dedup();
            let mut parts: Vec<(PortRange, Addrs)> = Vec::new();
            let none = Addrs::default();
            for w in cuts.windows(2) {
                let (lo, hi) = (w[0], w[1] - 1);
                // Ports are below 65536, so both bounds fit.
                let (Ok(lo), Ok(hi)) = (u16::try_from(lo), u16::try_from(hi)) else {
                    continue;
                };
                let at = |list: &'_ Vec<(PortRange, Addrs)>| -> Option<usize> {
                    list.iter().position(|(r, _)| r.contains(lo))
                };
                let x = at(a).map_or(&none, |i| &a[i].1);
                let y = at(b).map_or(&none, |i| &b[i].1);
                let z = match op {
                    Op::Union => x.union(y),
                    Op::Intersect => x.intersect(y),
                    Op::Minus => x.minus(y),
                };
                if z.is_empty() {
                    continue;
                }
                match parts.last_mut() {
                    Some((r, last)) if u32::from(r.to) + 1 == u32::from(lo) && *last == z => {
                        r.to = hi
                    }
                    _ => parts.push((PortRange { from: lo, to: hi }, z)),
                }
            }
            if !parts.is_empty() {
                out.insert(p, parts);
            }
        }
        Space(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn nets(list: &[&str]) -> Addrs {
        let n: Vec<IpNet> = list.iter().map(|s| s.parse().unwrap()).collect();
        Addrs::of_nets(&n)
    }

    /// A /16 minus the /24 at its start leaves /24, /23, /22, ..., /17:
    /// eight blocks, worked out by halving.
    #[test]
    fn a_slash_16_minus_a_slash_24_is_the_minimal_list() {
        let d = nets(&["10.1.0.0/16"]).minus(&nets(&["10.1.0.0/24"]));
        assert_eq!(
            d.cidrs(),
            [
                "10.1.1.0/24",
                "10.1.2.0/23",
                "10.1.4.0/22",
                "10.1.8.0/21",
                "10.1.16.0/20",
                "10.1.32.0/19",
                "10.1.64.0/18",
                "10.1.128.0/17"
            ]
        );
        // A /24 in the middle: the halves around it.
        let d = nets(&["192.168.0.0/22"]).minus(&nets(&["192.168.1.0/24"]));
        assert_eq!(d.cidrs(), ["192.168.0.0/24", "192.168.2.0/23"]);
    }

    #[test]
    fn everything_minus_one_address_and_whole_families() {
        let d = nets(&["0.0.0.0/0"]).minus(&nets(&["255.255.255.255/32"]));
        assert_eq!(d.cidrs().len(), 32);
        assert_eq!(d.cidrs()[0], "0.0.0.0/1");
        assert_eq!(d.cidrs()[31], "255.255.255.254/32");
        assert!(nets(&["0.0.0.0/0"]).holds_everything());
        assert!(nets(&["::/0"]).holds_everything());
        assert_eq!(nets(&["::/0"]).cidrs(), ["::/0"]);
        assert_eq!(nets(&["0.0.0.0/0", "::/0"]).cidrs(), ["0.0.0.0/0", "::/0"]);
        let d = nets(&["::/0"]).minus(&nets(&["::/1"]));
        assert_eq!(d.cidrs(), ["8000::/1"]);
        assert!(
            nets(&["10.0.0.0/8"])
                .minus(&nets(&["0.0.0.0/0"]))
                .is_empty()
        );
    }

    #[test]
    fn spaces_split_ports_and_merge_equal_neighbours() {
        let all = Space::cell(Proto::Tcp, PortRange::new(0, 65535), nets(&["10.0.0.0/16"]));
        let need = Space::cell(Proto::Tcp, PortRange::new(443, 443), nets(&["10.0.1.0/24"]));
        let x = all.minus(&need);
        let tcp = &x.parts()[&Proto::Tcp];
        assert_eq!(tcp.len(), 3);
        assert_eq!(tcp[0].0, PortRange::new(0, 442));
        assert_eq!(tcp[0].1.cidrs(), ["10.0.0.0/16"]);
        assert_eq!(tcp[1].0, PortRange::new(443, 443));
        assert_eq!(tcp[1].1.cidrs().len(), 8);
        assert_eq!(tcp[2].0, PortRange::new(444, 65535));
        // Adding back the difference gives the whole again, merged.
        assert_eq!(x.union(&need), all);
        assert_eq!(x.intersect(&need), Space::default());
        // 65536 ports x 65536 addresses, minus the 256 pairs required.
        assert_eq!(x.measure().0, 65536.0 * 65536.0 - 256.0);
        assert_eq!(
            Space::cell(Proto::Icmp, PortRange::new(5, 9), nets(&["::/127"])).measure(),
            (0.0, 2.0)
        );
    }
}
