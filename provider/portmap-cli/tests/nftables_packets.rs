//! Real packets through the host firewalls (`portmap rules --format
//! nftables`): every example topology is built in Linux network namespaces,
//! one per host node and two per group node (two addresses of its CIDR, so
//! flows inside a group cross the network), each with one address, all
//! joined by a bridge in a namespace of its own. Each namespace loads its
//! node's script with `nft -f`, listens on every probed port (TCP and UDP:
//! the ports of every flow range, its neighbours port − 1 and port + 1, and
//! a sample of other ports) and connects to every other namespace on every
//! probed port. A connection must succeed exactly when the flows require
//! it: when a flow from the source's node on that protocol and port goes to
//! a node whose CIDRs hold the destination's address, and a flow to the
//! destination's node comes from a node whose CIDRs hold the source's
//! address (with distinct addresses, exactly the flows between the two
//! nodes; catch-all peers such as `0.0.0.0/0` allow more, as they say).
//! The expectation comes from the flows and the topology's addresses, not
//! from the rules under test. TCP proves the handshake, UDP a request and
//! its echo; both prove that return traffic passes with no rule of its own.
//!
//! Addresses: a CIDR's first host (the address itself for a /32), the
//! first two for a group; a catch-all CIDR (`/0`) takes addresses from the
//! benchmarking range 198.18.0.0/15 (IPv6 2001:db8:ffff::/48). The IPv6
//! variant of a topology maps each IPv4 CIDR `a.b.c.d/n` into the
//! documentation range as `2001:db8:4::a.b.c.d/(96 + n)` (`0.0.0.0/0`
//! becomes `::/0`).
//!
//! The namespaces have no route out (their only link is the bridge, whose
//! namespace has no other interface), so no packet leaves them. They are
//! named `pmnft-<pid>-…`, removed by a guard even when the test fails, and
//! left-overs of earlier runs whose process is gone are removed first.
//! Needs root, `ip` and `nft`; skipped with a message otherwise.
//!
//! The namespaces' processes are this test binary itself, run again with
//! `PMNFT_ROLE` set (the ignored test `netns_helper`): a listener or a
//! prober, talking to the test over stdin and stdout.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::print_stderr)]

use std::collections::BTreeSet;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr, TcpListener, TcpStream, UdpSocket};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const PREFIX: &str = "pmnft-";
/// How long a probe waits for a handshake or an echo before it counts the
/// port as blocked (packets between namespaces take microseconds).
const TIMEOUT: Duration = Duration::from_millis(800);
/// The same with the output chains open, where most probes wait for it.
const OPEN_TIMEOUT: Duration = Duration::from_millis(400);
/// Ports probed on every destination besides those of the flows.
const SAMPLE: [u16; 5] = [7, 22, 3306, 8443, 65535];
/// Probes run at once per source namespace.
const PARALLEL: usize = 48;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Proto {
    Tcp,
    Udp,
}

impl Proto {
    fn parse(s: &str) -> Proto {
        match s {
            "tcp" => Proto::Tcp,
            "udp" => Proto::Udp,
            other => panic!("protocol {other}"),
        }
    }
    fn as_str(self) -> &'static str {
        match self {
            Proto::Tcp => "tcp",
            Proto::Udp => "udp",
        }
    }
}

/// A CIDR block.
#[derive(Clone, Copy, Debug)]
struct Net {
    addr: IpAddr,
    prefix: u32,
}

impl Net {
    fn parse(s: &str) -> Net {
        let (a, p) = s.split_once('/').unwrap_or((s, ""));
        let addr: IpAddr = a.parse().unwrap();
        let width = if addr.is_ipv4() { 32 } else { 128 };
        let prefix = if p.is_empty() {
            width
        } else {
            p.parse().unwrap()
        };
        Net { addr, prefix }
    }
    fn width(&self) -> u32 {
        if self.addr.is_ipv4() { 32 } else { 128 }
    }
    fn bits(a: IpAddr) -> u128 {
        match a {
            IpAddr::V4(v) => u128::from(u32::from(v)),
            IpAddr::V6(v) => u128::from(v),
        }
    }
    fn contains(&self, a: IpAddr) -> bool {
        if a.is_ipv4() != self.addr.is_ipv4() {
            return false;
        }
        let host = self.width() - self.prefix;
        let mask = if host >= 128 { 0 } else { u128::MAX << host };
        Net::bits(a) & mask == Net::bits(self.addr) & mask
    }
    /// The `n`th address of the block.
    fn host(&self, n: u128) -> IpAddr {
        let v = Net::bits(self.addr) + n;
        match self.addr {
            IpAddr::V4(_) => IpAddr::V4(Ipv4Addr::from(u32::try_from(v).unwrap())),
            IpAddr::V6(_) => IpAddr::V6(Ipv6Addr::from(v)),
        }
    }
}

/// IPv4 `a.b.c.d/n` → `2001:db8:4::a.b.c.d/(96 + n)`; `/0` → `::/0`.
fn to_v6(cidr: &str) -> String {
    let net = Net::parse(cidr);
    let IpAddr::V4(v4) = net.addr else {
        return cidr.to_string();
    };
    if net.prefix == 0 {
        return "::/0".into();
    }
    let base = u128::from(Ipv6Addr::new(0x2001, 0xdb8, 4, 0, 0, 0, 0, 0));
    let addr = Ipv6Addr::from(base | u128::from(u32::from(v4)));
    format!("{addr}/{}", 96 + net.prefix)
}

struct Node {
    name: String,
    group: bool,
    cidrs: Vec<Net>,
}

/// A flow that needs rules, read from `portmap flows --format json`.
struct Flow {
    from: String,
    to: String,
    proto: Proto,
    ports: (u16, u16),
}

/// One namespace: a node's host, or one of a group's two.
struct Member {
    node: usize,
    ns: String,
    addr: IpAddr,
}

/// Removes the namespaces it names when dropped, even when the test fails.
struct World {
    namespaces: Vec<String>,
    children: Vec<Child>,
}

impl Drop for World {
    fn drop(&mut self) {
        for c in &mut self.children {
            let _ = c.kill();
            let _ = c.wait();
        }
        for ns in &self.namespaces {
            let _ = Command::new("ip").args(["netns", "del", ns]).status();
        }
    }
}

fn sh(args: &[&str]) {
    let out = Command::new(args[0]).args(&args[1..]).output().unwrap();
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Why the test cannot run here, if it cannot.
fn unsupported() -> Option<String> {
    let uid = std::fs::read_to_string("/proc/self/status")
        .ok()?
        .lines()
        .find_map(|l| {
            l.strip_prefix("Uid:")
                .map(|r| r.split_whitespace().next().unwrap_or("").to_string())
        })?;
    if uid != "0" {
        return Some(format!(
            "not root (uid {uid}): network namespaces need root"
        ));
    }
    None
}

/// Removes namespaces of earlier runs whose process is gone.
fn remove_stale() {
    let out = Command::new("ip").args(["netns", "list"]).output().unwrap();
    for line in String::from_utf8_lossy(&out.stdout).lines() {
        let name = line.split_whitespace().next().unwrap_or("");
        let Some(rest) = name.strip_prefix(PREFIX) else {
            continue;
        };
        let pid = rest.split('-').next().unwrap_or("");
        if !Path::new(&format!("/proc/{pid}")).exists() {
            let _ = Command::new("ip").args(["netns", "del", name]).status();
        }
    }
}

fn portmap(args: &[&str]) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_portmap"))
        .args(args)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "portmap {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// Counts of one run.
#[derive(Default, Debug)]
struct Counts {
    tried: usize,
    allowed: usize,
    blocked: usize,
    required_flows: usize,
}

fn run_example(example: &str, v6: bool) -> [Counts; 2] {
    let text = std::fs::read_to_string(repo().join("examples").join(example).join("topology.yaml"))
        .unwrap();
    let mut topo: serde_norway::Value = serde_norway::from_str(&text).unwrap();
    let mut nodes = Vec::new();
    for (name, node) in topo["nodes"].as_mapping_mut().unwrap().iter_mut() {
        let group = node["kind"].as_str() == Some("group");
        let cidrs = node["cidrs"].as_sequence_mut().unwrap();
        for c in cidrs.iter_mut() {
            if v6 {
                *c = serde_norway::Value::String(to_v6(c.as_str().unwrap()));
            }
        }
        nodes.push(Node {
            name: name.as_str().unwrap().to_string(),
            group,
            cidrs: cidrs
                .iter()
                .map(|c| Net::parse(c.as_str().unwrap()))
                .collect(),
        });
    }
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("topology.yaml");
    std::fs::write(&file, serde_norway::to_string(&topo).unwrap()).unwrap();
    let file = file.to_str().unwrap();

    let flows = required_flows(file);
    assert!(!flows.is_empty(), "{example}: no flows");

    // Each probed with both protocols.
    let ports = probed_ports(&flows);

    // Namespaces and addresses.
    let pid = std::process::id();
    let tag = format!(
        "{}{}",
        &example[..example.len().min(6)],
        if v6 { 6 } else { 4 }
    );
    let mut members = Vec::new();
    for (i, n) in nodes.iter().enumerate() {
        let Some(net) = n.cidrs.first() else { continue };
        let count: u128 = if n.group { 2 } else { 1 };
        let host_bits = net.width() - net.prefix;
        let picks: Vec<IpAddr> = if net.prefix == 0 {
            let base = if v6 {
                Net::parse(&format!("2001:db8:ffff:{i:x}::/64"))
            } else {
                Net::parse(&format!("198.18.{i}.0/24"))
            };
            (0..count).map(|m| base.host(10 + m)).collect()
        } else if host_bits == 0 {
            vec![net.addr]
        } else {
            let available = (1u128 << host_bits.min(64)) - 1;
            (0..count.min(available)).map(|m| net.host(1 + m)).collect()
        };
        for (m, addr) in picks.into_iter().enumerate() {
            members.push(Member {
                node: i,
                ns: format!("{PREFIX}{pid}-{tag}-{}-{m}", n.name),
                addr,
            });
        }
    }
    let distinct: BTreeSet<IpAddr> = members.iter().map(|m| m.addr).collect();
    assert_eq!(distinct.len(), members.len(), "addresses picked twice");

    let mut world = World {
        namespaces: Vec::new(),
        children: Vec::new(),
    };
    let bridge = format!("{PREFIX}{pid}-{tag}-br");
    sh(&["ip", "netns", "add", &bridge]);
    world.namespaces.push(bridge.clone());
    sh(&[
        "ip",
        "-n",
        &bridge,
        "link",
        "add",
        "br0",
        "type",
        "bridge",
        "mcast_snooping",
        "0",
    ]);
    sh(&["ip", "-n", &bridge, "link", "set", "br0", "up"]);
    for (j, m) in members.iter().enumerate() {
        let ns = m.ns.as_str();
        sh(&["ip", "netns", "add", ns]);
        world.namespaces.push(ns.to_string());
        sh(&[
            "ip",
            "netns",
            "exec",
            ns,
            "sysctl",
            "-qw",
            "net.ipv6.conf.all.accept_dad=0",
            "net.ipv6.conf.default.accept_dad=0",
        ]);
        let port = format!("p{j}");
        sh(&[
            "ip", "link", "add", &port, "netns", &bridge, "type", "veth", "peer", "name", "eth0",
            "netns", ns,
        ]);
        sh(&[
            "ip", "-n", &bridge, "link", "set", &port, "master", "br0", "up",
        ]);
        let (fam, plen) = if v6 { ("-6", "128") } else { ("-4", "32") };
        let addr = format!("{}/{plen}", m.addr);
        if v6 {
            sh(&[
                "ip", "-n", ns, "-6", "addr", "add", &addr, "dev", "eth0", "nodad",
            ]);
        } else {
            sh(&["ip", "-n", ns, "addr", "add", &addr, "dev", "eth0"]);
        }
        sh(&["ip", "-n", ns, "link", "set", "lo", "up"]);
        sh(&["ip", "-n", ns, "link", "set", "eth0", "up"]);
        sh(&[
            "ip", "-n", ns, fam, "route", "add", "default", "dev", "eth0",
        ]);
        let script = portmap(&[
            "rules",
            file,
            "--format",
            "nftables",
            "--node",
            &nodes[m.node].name,
        ]);
        let path = dir.path().join(format!("{j}.nft"));
        std::fs::write(&path, script).unwrap();
        sh(&[
            "ip",
            "netns",
            "exec",
            ns,
            "nft",
            "-f",
            path.to_str().unwrap(),
        ]);
    }

    // Listeners on every probed port of every namespace.
    start_listeners(&mut world, &members, &ports);

    // Probes: every source to every other namespace, every port, both
    // protocols, all sources at once.
    let expect = |src: &Member, dst: &Member, proto: Proto, port: u16, outputs_open: bool| {
        let holds = |node: &str, a: IpAddr| {
            nodes
                .iter()
                .filter(|n| n.name == node)
                .any(|n| n.cidrs.iter().any(|c| c.contains(a)))
        };
        let fits = |f: &Flow| f.proto == proto && f.ports.0 <= port && port <= f.ports.1;
        let out = flows
            .iter()
            .any(|f| fits(f) && f.from == nodes[src.node].name && holds(&f.to, dst.addr));
        let inn = flows
            .iter()
            .any(|f| fits(f) && f.to == nodes[dst.node].name && holds(&f.from, src.addr));
        (out || outputs_open) && inn
    };
    // First the scripts as written; then with every output chain open
    // (policy accept), so that each destination's input chain alone decides
    // what gets in: it must refuse every probe no flow into its node needs,
    // whatever the source (a sender's output chain blocks most of them in
    // the first pass).
    let mut phases = [Counts::default(), Counts::default()];
    let mut wrong = Vec::new();
    let mut seen_flows: BTreeSet<(usize, usize, Proto, u16)> = BTreeSet::new();
    for outputs_open in [false, true] {
        let timeout = if outputs_open { OPEN_TIMEOUT } else { TIMEOUT };
        if outputs_open {
            for m in &members {
                sh(&[
                    "ip",
                    "netns",
                    "exec",
                    &m.ns,
                    "nft",
                    "add chain inet portmap output { type filter hook output priority filter; policy accept; }",
                ]);
            }
        }
        let mut probers = Vec::new();
        for src in &members {
            let mut tasks = String::new();
            for dst in members.iter().filter(|d| d.ns != src.ns) {
                for proto in [Proto::Tcp, Proto::Udp] {
                    for p in &ports {
                        tasks.push_str(&format!("{} {} {p}\n", proto.as_str(), dst.addr));
                    }
                }
            }
            let mut child = helper(&src.ns, "probe", "", &timeout.as_millis().to_string());
            child
                .stdin
                .take()
                .unwrap()
                .write_all(tasks.as_bytes())
                .unwrap();
            probers.push(child);
        }
        let counts = &mut phases[usize::from(outputs_open)];
        for (src, mut child) in members.iter().zip(probers) {
            let mut text = String::new();
            child
                .stdout
                .take()
                .unwrap()
                .read_to_string(&mut text)
                .unwrap();
            assert!(child.wait().unwrap().success(), "prober in {}", src.ns);
            for line in text.lines().filter_map(|l| l.strip_prefix("RESULT ")) {
                let parts: Vec<&str> = line.split(' ').collect();
                let (proto, addr, port, got) = (
                    Proto::parse(parts[0]),
                    parts[1].parse::<IpAddr>().unwrap(),
                    parts[2].parse::<u16>().unwrap(),
                    parts[3],
                );
                let dst = members.iter().find(|m| m.addr == addr).unwrap();
                let want = expect(src, dst, proto, port, outputs_open);
                counts.tried += 1;
                match got {
                    "allowed" => counts.allowed += 1,
                    "blocked" => counts.blocked += 1,
                    _ => {}
                }
                if want && !outputs_open {
                    seen_flows.insert((src.node, dst.node, proto, port));
                }
                let ok = matches!((want, got), (true, "allowed") | (false, "blocked"));
                if !ok {
                    wrong.push(format!(
                        "{}{} ({}) → {} ({}) {} {port}: expected {}, got {got}",
                        if outputs_open { "[outputs open] " } else { "" },
                        nodes[src.node].name,
                        src.addr,
                        nodes[dst.node].name,
                        dst.addr,
                        proto.as_str(),
                        if want { "allowed" } else { "blocked" }
                    ));
                }
            }
        }
        // Every required flow was tried (each of its probed ports).
        for f in &flows {
            let from = nodes.iter().position(|n| n.name == f.from).unwrap();
            let to = nodes.iter().position(|n| n.name == f.to).unwrap();
            assert!(
                seen_flows.contains(&(from, to, f.proto, f.ports.0)),
                "{example}: flow {} → {} {} {} was not proven",
                f.from,
                f.to,
                f.proto.as_str(),
                f.ports.0
            );
        }
    }
    phases[0].required_flows = flows.len();
    drop(world);
    assert!(
        wrong.is_empty(),
        "{example} (IPv{}): {} of {} probes wrong:\n{}",
        if v6 { 6 } else { 4 },
        wrong.len(),
        phases[0].tried + phases[1].tried,
        wrong
            .iter()
            .take(60)
            .cloned()
            .collect::<Vec<_>>()
            .join("\n")
    );
    phases
}

/// The perimeter firewall (`portmap perimeter --format nftables`) with real
/// packets: one namespace per host node and one per group node, each joined
/// to a router namespace by a link of its own (no bridge, no other link),
/// the router forwarding between them with proxy ARP and loading the
/// perimeter script in its forward chain; the nodes have no firewall of
/// their own. Probes go between nodes of different zones only (traffic
/// inside a zone does not pass the perimeter). A probe must succeed exactly
/// when a flow crossing the zones goes from a node whose CIDRs hold the
/// source's address to a node whose CIDRs hold the destination's, on that
/// protocol and port: expected from the flows, the zones and the addresses,
/// not from the rules under test. Returns (probes, allowed).
fn run_perimeter(example: &str) -> (usize, usize) {
    let text = std::fs::read_to_string(repo().join("examples").join(example).join("topology.yaml"))
        .unwrap();
    let topo: serde_norway::Value = serde_norway::from_str(&text).unwrap();
    let mut nodes = Vec::new();
    let mut zones = Vec::new();
    for (name, node) in topo["nodes"].as_mapping().unwrap() {
        nodes.push(Node {
            name: name.as_str().unwrap().to_string(),
            group: node["kind"].as_str() == Some("group"),
            cidrs: node["cidrs"]
                .as_sequence()
                .unwrap()
                .iter()
                .map(|c| Net::parse(c.as_str().unwrap()))
                .collect(),
        });
        zones.push(node["zone"].as_str().unwrap_or("default").to_string());
    }
    let file = repo().join("examples").join(example).join("topology.yaml");
    let file = file.to_str().unwrap();
    let zone_of = |n: &str| zones[nodes.iter().position(|x| x.name == n).unwrap()].clone();
    let flows: Vec<Flow> = required_flows(file)
        .into_iter()
        .filter(|f| zone_of(&f.from) != zone_of(&f.to))
        .collect();
    assert!(!flows.is_empty(), "{example}: no flow crosses a zone");
    let ports = probed_ports(&flows);
    let pid = std::process::id();
    let tag = format!("pm{}", &example[..example.len().min(6)]);
    let mut members = Vec::new();
    for (i, n) in nodes.iter().enumerate() {
        let Some(net) = n.cidrs.first() else { continue };
        let addr = if net.prefix == 0 {
            Net::parse(&format!("198.18.{i}.0/24")).host(10)
        } else if net.width() == net.prefix {
            net.addr
        } else {
            net.host(1)
        };
        members.push(Member {
            node: i,
            ns: format!("{PREFIX}{pid}-{tag}-{}", n.name),
            addr,
        });
    }
    let mut world = World {
        namespaces: Vec::new(),
        children: Vec::new(),
    };
    let router = format!("{PREFIX}{pid}-{tag}-rt");
    sh(&["ip", "netns", "add", &router]);
    world.namespaces.push(router.clone());
    sh(&["ip", "-n", &router, "link", "set", "lo", "up"]);
    // An address for the router's own ARP requests.
    sh(&[
        "ip",
        "-n",
        &router,
        "addr",
        "add",
        "169.254.0.1/32",
        "dev",
        "lo",
    ]);
    sh(&[
        "ip",
        "netns",
        "exec",
        &router,
        "sysctl",
        "-qw",
        "net.ipv4.ip_forward=1",
        "net.ipv4.conf.all.rp_filter=0",
        "net.ipv4.conf.default.rp_filter=0",
    ]);
    for (j, m) in members.iter().enumerate() {
        let ns = m.ns.as_str();
        sh(&["ip", "netns", "add", ns]);
        world.namespaces.push(ns.to_string());
        let port = format!("r{j}");
        sh(&[
            "ip", "link", "add", &port, "netns", &router, "type", "veth", "peer", "name", "eth0",
            "netns", ns,
        ]);
        sh(&[
            "ip",
            "netns",
            "exec",
            &router,
            "sysctl",
            "-qw",
            &format!("net.ipv4.conf.{port}.proxy_arp=1"),
            &format!("net.ipv4.conf.{port}.rp_filter=0"),
            // Proxy ARP answers at once, not after up to 0.8 s.
            &format!("net.ipv4.neigh.{port}.proxy_delay=0"),
        ]);
        sh(&["ip", "-n", &router, "link", "set", &port, "up"]);
        sh(&[
            "ip",
            "-n",
            &router,
            "route",
            "add",
            &format!("{}/32", m.addr),
            "dev",
            &port,
        ]);
        sh(&[
            "ip",
            "-n",
            ns,
            "addr",
            "add",
            &format!("{}/32", m.addr),
            "dev",
            "eth0",
        ]);
        sh(&["ip", "-n", ns, "link", "set", "lo", "up"]);
        sh(&["ip", "-n", ns, "link", "set", "eth0", "up"]);
        sh(&["ip", "-n", ns, "route", "add", "default", "dev", "eth0"]);
    }
    let dir = tempfile::tempdir().unwrap();
    let script = dir.path().join("perimeter.nft");
    std::fs::write(
        &script,
        portmap(&["perimeter", file, "--format", "nftables"]),
    )
    .unwrap();
    sh(&[
        "ip",
        "netns",
        "exec",
        &router,
        "nft",
        "-f",
        script.to_str().unwrap(),
    ]);

    start_listeners(&mut world, &members, &ports);
    let holds = |node: &str, a: IpAddr| {
        nodes
            .iter()
            .filter(|n| n.name == node)
            .any(|n| n.cidrs.iter().any(|c| c.contains(a)))
    };
    let expect = |src: &Member, dst: &Member, proto: Proto, port: u16| {
        flows.iter().any(|f| {
            f.proto == proto
                && f.ports.0 <= port
                && port <= f.ports.1
                && holds(&f.from, src.addr)
                && holds(&f.to, dst.addr)
        })
    };
    let mut probers = Vec::new();
    for src in &members {
        let mut tasks = String::new();
        for dst in members.iter().filter(|d| zones[d.node] != zones[src.node]) {
            for proto in [Proto::Tcp, Proto::Udp] {
                for p in &ports {
                    tasks.push_str(&format!("{} {} {p}\n", proto.as_str(), dst.addr));
                }
            }
        }
        let mut child = helper(&src.ns, "probe", "", &TIMEOUT.as_millis().to_string());
        child
            .stdin
            .take()
            .unwrap()
            .write_all(tasks.as_bytes())
            .unwrap();
        probers.push(child);
    }
    let (mut tried, mut allowed) = (0, 0);
    let mut wrong = Vec::new();
    let mut proven: BTreeSet<(String, String, u16)> = BTreeSet::new();
    for (src, mut child) in members.iter().zip(probers) {
        let mut text = String::new();
        child
            .stdout
            .take()
            .unwrap()
            .read_to_string(&mut text)
            .unwrap();
        assert!(child.wait().unwrap().success(), "prober in {}", src.ns);
        for line in text.lines().filter_map(|l| l.strip_prefix("RESULT ")) {
            let parts: Vec<&str> = line.split(' ').collect();
            let (proto, addr, port, got) = (
                Proto::parse(parts[0]),
                parts[1].parse::<IpAddr>().unwrap(),
                parts[2].parse::<u16>().unwrap(),
                parts[3],
            );
            let dst = members.iter().find(|m| m.addr == addr).unwrap();
            let want = expect(src, dst, proto, port);
            tried += 1;
            if got == "allowed" {
                allowed += 1;
                proven.insert((
                    nodes[src.node].name.clone(),
                    nodes[dst.node].name.clone(),
                    port,
                ));
            }
            if !matches!((want, got), (true, "allowed") | (false, "blocked")) {
                wrong.push(format!(
                    "{} ({}) → {} ({}) {} {port}: expected {}, got {got}",
                    nodes[src.node].name,
                    src.addr,
                    nodes[dst.node].name,
                    dst.addr,
                    proto.as_str(),
                    if want { "allowed" } else { "blocked" }
                ));
            }
        }
    }
    drop(world);
    assert!(
        wrong.is_empty(),
        "{example} perimeter: {} of {tried} probes wrong:\n{}",
        wrong.len(),
        wrong.join("\n")
    );
    for f in &flows {
        assert!(
            proven.contains(&(f.from.clone(), f.to.clone(), f.ports.0)),
            "{example}: crossing flow {} → {} {} {} was not proven",
            f.from,
            f.to,
            f.proto.as_str(),
            f.ports.0
        );
    }
    (tried, allowed)
}

/// The flows that need rules, from `portmap flows --format json`.
fn required_flows(file: &str) -> Vec<Flow> {
    let out: serde_json::Value =
        serde_json::from_str(&portmap(&["flows", file, "--format", "json"])).unwrap();
    out["flows"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["firewall"] == true && f["internal"] == false)
        .map(|f| Flow {
            from: f["from_node"].as_str().unwrap().to_string(),
            to: f["to_node"].as_str().unwrap().to_string(),
            proto: Proto::parse(f["protocol"].as_str().unwrap()),
            ports: (
                u16::try_from(f["from_port"].as_u64().unwrap()).unwrap(),
                u16::try_from(f["to_port"].as_u64().unwrap()).unwrap(),
            ),
        })
        .collect()
}

/// The probed ports: of every flow range its ends, a port inside, and its
/// neighbours; and the sample.
fn probed_ports(flows: &[Flow]) -> BTreeSet<u16> {
    let mut ports: BTreeSet<u16> = SAMPLE.into_iter().collect();
    for f in flows {
        let (a, b) = f.ports;
        ports.extend([a, b, a + (b - a) / 2]);
        ports.extend(a.checked_sub(1).filter(|p| *p > 0));
        ports.extend(b.checked_add(1));
    }
    ports
}

/// A listener on every probed port in every namespace, each ready before
/// this returns.
fn start_listeners(world: &mut World, members: &[Member], ports: &BTreeSet<u16>) {
    let port_list: Vec<String> = ports.iter().map(u16::to_string).collect();
    for m in members {
        let mut child = helper(&m.ns, "listen", &m.addr.to_string(), &port_list.join(","));
        // The test harness prints its own lines first.
        let mut reader = BufReader::new(child.stdout.as_mut().unwrap());
        let mut line = String::new();
        while line.trim() != "READY" {
            line.clear();
            let n = reader.read_line(&mut line).unwrap();
            assert!(n > 0, "listener in {} ended before it was ready", m.ns);
        }
        world.children.push(child);
    }
}

/// Starts this test binary in a namespace as a listener or a prober.
fn helper(ns: &str, role: &str, addr: &str, ports: &str) -> Child {
    let exe = std::env::current_exe().unwrap();
    Command::new("ip")
        .args(["netns", "exec", ns])
        .arg(exe)
        .args([
            "netns_helper",
            "--exact",
            "--ignored",
            "--nocapture",
            "--quiet",
        ])
        .env("PMNFT_ROLE", role)
        .env("PMNFT_ADDR", addr)
        .env("PMNFT_PORTS", ports)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap()
}

/// The processes inside the namespaces (not a test of its own: the tests
/// below start it with `PMNFT_ROLE`).
#[test]
#[ignore = "run by the real-packet tests inside their namespaces"]
fn netns_helper() {
    match std::env::var("PMNFT_ROLE").as_deref() {
        Ok("listen") => listen(),
        Ok("probe") => probe(),
        // Run by hand (`--ignored`): nothing to do outside a namespace.
        _ => eprintln!("netns_helper only works inside the real-packet tests' namespaces"),
    }
}

fn listen() {
    let addr: IpAddr = std::env::var("PMNFT_ADDR").unwrap().parse().unwrap();
    let ports: Vec<u16> = std::env::var("PMNFT_PORTS")
        .unwrap()
        .split(',')
        .map(|p| p.parse().unwrap())
        .collect();
    let mut keep = Vec::new();
    for &p in &ports {
        keep.push(TcpListener::bind(SocketAddr::new(addr, p)).unwrap());
        let udp = UdpSocket::bind(SocketAddr::new(addr, p)).unwrap();
        std::thread::Builder::new()
            .stack_size(64 * 1024)
            .spawn(move || {
                let mut buf = [0u8; 64];
                while let Ok((n, from)) = udp.recv_from(&mut buf) {
                    let _ = udp.send_to(&buf[..n], from);
                }
            })
            .unwrap();
    }
    let mut out = std::io::stdout().lock();
    writeln!(out, "READY").unwrap();
    out.flush().unwrap();
    // Until the test closes stdin (or kills the process).
    let mut sink = Vec::new();
    let _ = std::io::stdin().read_to_end(&mut sink);
    drop(keep);
}

/// Probes what stdin lists; `PMNFT_PORTS` holds the timeout in ms.
fn probe() {
    let ms: u64 = std::env::var("PMNFT_PORTS").unwrap().parse().unwrap();
    let timeout = Duration::from_millis(ms);
    let mut input = String::new();
    std::io::stdin().read_to_string(&mut input).unwrap();
    let tasks: Vec<(Proto, SocketAddr)> = input
        .lines()
        .map(|l| {
            let p: Vec<&str> = l.split(' ').collect();
            (
                Proto::parse(p[0]),
                SocketAddr::new(p[1].parse().unwrap(), p[2].parse().unwrap()),
            )
        })
        .collect();
    let queue = Arc::new(Mutex::new(tasks.into_iter()));
    let results = Arc::new(Mutex::new(Vec::new()));
    let workers: Vec<_> = (0..PARALLEL)
        .map(|_| {
            let queue = Arc::clone(&queue);
            let results = Arc::clone(&results);
            std::thread::Builder::new()
                .stack_size(128 * 1024)
                .spawn(move || {
                    loop {
                        let Some((proto, to)) = queue.lock().unwrap().next() else {
                            break;
                        };
                        let got = match proto {
                            Proto::Tcp => tcp_probe(to, timeout),
                            Proto::Udp => udp_probe(to, timeout),
                        };
                        results.lock().unwrap().push(format!(
                            "RESULT {} {} {} {got}",
                            proto.as_str(),
                            to.ip(),
                            to.port()
                        ));
                    }
                })
                .unwrap()
        })
        .collect();
    for w in workers {
        w.join().unwrap();
    }
    let mut out = std::io::stdout().lock();
    for line in results.lock().unwrap().iter() {
        writeln!(out, "{line}").unwrap();
    }
}

/// A TCP handshake: `allowed`, `blocked` (dropped: a timeout, or refused
/// by the local output chain) or what else happened.
fn tcp_probe(to: SocketAddr, timeout: Duration) -> String {
    match TcpStream::connect_timeout(&to, timeout) {
        Ok(_) => "allowed".into(),
        Err(e) if blocked(&e) => "blocked".into(),
        Err(e) => format!("error:{:?}", e.kind()),
    }
}

/// A UDP request and its echo.
fn udp_probe(to: SocketAddr, timeout: Duration) -> String {
    let local: SocketAddr = if to.is_ipv4() {
        "0.0.0.0:0".parse().unwrap()
    } else {
        "[::]:0".parse().unwrap()
    };
    let sock = UdpSocket::bind(local).unwrap();
    sock.set_read_timeout(Some(timeout)).unwrap();
    if let Err(e) = sock.connect(to).and_then(|()| sock.send(b"portmap")) {
        return if blocked(&e) {
            "blocked".into()
        } else {
            format!("error:{:?}", e.kind())
        };
    }
    let mut buf = [0u8; 16];
    match sock.recv(&mut buf) {
        Ok(7) if &buf[..7] == b"portmap" => "allowed".into(),
        Ok(n) => format!("error:echo of {n} bytes"),
        Err(e) if blocked(&e) => "blocked".into(),
        Err(e) => format!("error:{:?}", e.kind()),
    }
}

/// A drop: the local output chain refuses (EPERM) or nothing comes back.
fn blocked(e: &std::io::Error) -> bool {
    matches!(
        e.kind(),
        std::io::ErrorKind::TimedOut
            | std::io::ErrorKind::WouldBlock
            | std::io::ErrorKind::PermissionDenied
    ) || e.raw_os_error() == Some(1)
}

fn prove(example: &str) {
    if let Some(why) = unsupported() {
        eprintln!("SKIPPED real-packet test of {example}: {why}");
        return;
    }
    remove_stale();
    for v6 in [false, true] {
        let start = Instant::now();
        let [both, open] = run_example(example, v6);
        eprintln!(
            "{example} IPv{}: {} flows needing rules; {} connections tried, {} allowed, {} blocked; with the output chains open {} tried, {} allowed, {} blocked; all as the flows require ({:.1} s)",
            if v6 { 6 } else { 4 },
            both.required_flows,
            both.tried,
            both.allowed,
            both.blocked,
            open.tried,
            open.allowed,
            open.blocked,
            start.elapsed().as_secs_f64()
        );
    }
}

#[test]
fn real_packets_quickstart() {
    prove("quickstart");
}

#[test]
fn real_packets_1e_platform() {
    prove("1e-platform");
}

#[test]
fn real_packets_plossys() {
    prove("plossys");
}

#[test]
fn real_packets_spotfire() {
    prove("spotfire");
}

#[test]
fn real_packets_spotfire_dmz() {
    prove("spotfire-dmz");
}

#[test]
fn real_packets_1e_platform_dmz() {
    prove("1e-platform-dmz");
}

#[test]
fn real_packets_through_the_perimeter_of_the_1e_platform_dmz() {
    if let Some(why) = unsupported() {
        eprintln!("skipped: {why}");
        return;
    }
    remove_stale();
    let (tried, allowed) = run_perimeter("1e-platform-dmz");
    eprintln!("1e-platform-dmz perimeter: {tried} probes, {allowed} allowed");
    assert!(allowed > 0 && allowed < tried);
}

#[test]
fn real_packets_through_the_perimeter_of_spotfire_dmz() {
    if let Some(why) = unsupported() {
        eprintln!("skipped: {why}");
        return;
    }
    remove_stale();
    let (tried, allowed) = run_perimeter("spotfire-dmz");
    eprintln!("spotfire-dmz perimeter: {tried} probes, {allowed} allowed");
    assert!(allowed > 0 && allowed < tried);
}

#[test]
fn real_packets_tachyon_5() {
    prove("tachyon-5");
}

#[test]
fn real_packets_tarantella() {
    prove("tarantella");
}

#[test]
fn real_packets_audit() {
    prove("audit");
}

#[test]
fn real_packets_installations_landing_zone() {
    prove("installations-landing-zone");
}

#[test]
fn real_packets_installations_tarantella() {
    prove("installations-tarantella");
}

#[test]
fn every_example_topology_has_a_real_packet_test() {
    let mut examples: Vec<String> = std::fs::read_dir(repo().join("examples"))
        .unwrap()
        .filter_map(|e| {
            let e = e.ok()?;
            e.path()
                .join("topology.yaml")
                .exists()
                .then(|| e.file_name().to_string_lossy().into_owned())
        })
        .collect();
    examples.sort();
    assert_eq!(
        examples,
        [
            "1e-platform",
            "1e-platform-dmz",
            "audit",
            "installations-landing-zone",
            "installations-tarantella",
            "plossys",
            "quickstart",
            "spotfire",
            "spotfire-dmz",
            "tachyon-5",
            "tarantella"
        ]
    );
}
