#![allow(clippy::unwrap_used, clippy::expect_used)]
//! Fidelity test: the built-in catalog against the vendor documents it is
//! encoded from.
//!
//! The port tables of the five documents in `catalog/sources/` are parsed here
//! directly from the text (one small parser per document layout), without
//! looking at the catalog YAML. Then, for every product:
//!
//! 1. each table's `rows` in the YAML equals the number of data rows parsed;
//! 2. every parsed row is cited by at least one flow, and every citation points
//!    at a parsed row;
//! 3. the flows citing a row, evaluated at default settings, together cover
//!    the row's ports on the row's protocols, and no citing flow opens a port
//!    or protocol the row does not give;
//! 4. every flow cites at least one row.
//!
//! Every mismatch is collected and reported at the end, with the document,
//! table, row number, the row's text and what was expected and found.
//!
//! The few cells that cannot be read mechanically are in [`overrides`], each
//! with the document's words.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use portmap_core::Catalog;
use portmap_core::catalog::values::eval_ports;
use portmap_core::catalog::{Flow, Product, Protocol, SOURCE_DOCUMENTS, Settings};
use portmap_core::ports::{PortRange, PortSet};

// ---------------------------------------------------------------------------
// What a row requires
// ---------------------------------------------------------------------------

/// Ports per protocol.
type Ports = BTreeMap<Protocol, PortSet>;

/// What the flows citing a row must open (`required`, together) and may open
/// (`allowed`, each), at default settings.
#[derive(Debug, Clone, Default)]
struct Expect {
    required: Ports,
    allowed: Ports,
}

impl Expect {
    /// The row's ports are exactly these.
    fn exact(ports: Ports) -> Expect {
        Expect {
            required: ports.clone(),
            allowed: ports,
        }
    }

    /// Also allows (without requiring) `set` on `proto`.
    fn also_allow(&mut self, proto: Protocol, set: &PortSet) {
        self.allowed.entry(proto).or_default().extend(set);
    }
}

/// `ports(&[(Tcp, "4001"), (Udp, "1024-65535")])`.
fn ports(entries: &[(Protocol, &str)]) -> Ports {
    let mut out = Ports::new();
    for (proto, text) in entries {
        let set = PortSet::parse(text).expect("a valid port list in the test");
        out.entry(*proto).or_default().extend(&set);
    }
    out
}

fn one(proto: Protocol, set: PortSet) -> Ports {
    let mut out = Ports::new();
    out.insert(proto, set);
    out
}

fn show(p: &Ports) -> String {
    let parts: Vec<String> = p
        .iter()
        .filter(|(_, s)| !s.is_empty())
        .map(|(proto, s)| format!("{proto} {s}"))
        .collect();
    if parts.is_empty() {
        "(no port)".to_string()
    } else {
        parts.join("; ")
    }
}

/// The ports of `a` not in `b`.
fn minus(a: &PortSet, b: &PortSet) -> PortSet {
    let mut out = PortSet::new();
    for r in a.ranges() {
        let mut from = u32::from(r.from);
        let to = u32::from(r.to);
        for s in b.ranges() {
            let (sf, st) = (u32::from(s.from), u32::from(s.to));
            if st < from || sf > to {
                continue;
            }
            if sf > from {
                out.insert(PortRange::new(from as u16, (sf - 1) as u16));
            }
            from = st + 1;
            if from > to {
                break;
            }
        }
        if from <= to {
            out.insert(PortRange::new(from as u16, to as u16));
        }
    }
    out
}

// ---------------------------------------------------------------------------
// Parsed documents
// ---------------------------------------------------------------------------

#[derive(Debug)]
struct Row {
    /// The row's text, for messages.
    text: String,
    /// The row's whole text with the notes under it (the default rule looks
    /// for the document's conditions here).
    words: String,
    /// The port cell as written.
    cell: String,
    /// What the cell says, when it can be read mechanically.
    expect: Option<Expect>,
    /// 1E documents: the "Configurable" cell, which sometimes adds a port.
    remarks: String,
}

#[derive(Debug)]
struct Table {
    /// The YAML table id this heading maps to.
    id: &'static str,
    /// The heading or introducing sentence found in the document.
    heading: String,
    rows: Vec<Row>,
}

fn short(text: &str, max: usize) -> String {
    let t: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if t.chars().count() <= max {
        t
    } else {
        format!("{}…", t.chars().take(max).collect::<String>())
    }
}

fn heading_id(
    heading: &str,
    map: &[(&str, &'static str)],
    exact: bool,
    problems: &mut Vec<String>,
    doc: &str,
) -> &'static str {
    let h = heading.trim();
    for (needle, id) in map {
        if (exact && h == *needle) || (!exact && h.contains(needle)) {
            return id;
        }
    }
    problems.push(format!(
        "{doc}: table heading not recognised: \"{}\"",
        short(h, 120)
    ));
    "?"
}

// --- 1E documents: port cells such as "TCP 443", "TC P 4000", "TCP 2382/3",
// "TCP 135 and 445 (initially)".

fn parse_1e_cell(cell: &str) -> Option<Ports> {
    // The Tachyon clients table writes "TC P 4000": a typo for TCP.
    let norm = cell.trim().replacen("TC P ", "TCP ", 1);
    let (proto, rest) = norm.split_once(' ')?;
    let proto = match proto {
        "TCP" => Protocol::Tcp,
        "UDP" => Protocol::Udp,
        _ => return None,
    };
    // Drop remarks in parentheses: "(initially)".
    let mut text = String::new();
    let mut depth = 0;
    for c in rest.chars() {
        match c {
            '(' => depth += 1,
            ')' => depth -= 1,
            _ if depth == 0 => text.push(c),
            _ => {}
        }
    }
    let mut set = PortSet::new();
    for part in text.split(" and ").flat_map(|s| s.split(',')) {
        let part = part.trim();
        if part.is_empty() {
            continue;
        }
        let (num, suffix) = match part.split_once('/') {
            Some((a, b)) => (a, Some(b)),
            None => (part, None),
        };
        if num.is_empty() || !num.bytes().all(|b| b.is_ascii_digit()) {
            return None; // "400n"
        }
        set.insert(PortRange::single(num.parse().ok()?));
        if let Some(s) = suffix {
            // "2382/3": the same number with its last digit(s) replaced.
            if s.is_empty() || s.len() >= num.len() || !s.bytes().all(|b| b.is_ascii_digit()) {
                return None;
            }
            let other = format!("{}{s}", &num[..num.len() - s.len()]);
            set.insert(PortRange::single(other.parse().ok()?));
        }
    }
    if set.is_empty() {
        return None;
    }
    Some(one(proto, set))
}

/// A "UDP port N" named in a remark ("You will need to open UDP port 1434 used
/// by the SQL Browser").
fn udp_port_in(remark: &str) -> Option<u16> {
    let i = remark.find("UDP port ")?;
    let digits: String = remark[i + 9..]
        .chars()
        .take_while(char::is_ascii_digit)
        .collect();
    digits.parse().ok()
}

/// The SQL rows of the 1E documents say in their Configurable cell that a named
/// instance needs "UDP port 1434" (SQL Browser) and a port of its own, or refer
/// to "the comments above". Flows citing such a row may open that UDP port too
/// (and the named instance's port list, empty by default). Not required: the
/// port cell is what is required.
fn add_1e_remarks(tables: &mut [Table]) {
    let mut with_udp: Vec<(String, u16)> = Vec::new(); // (port cell, udp port)
    for t in tables.iter_mut() {
        for r in &mut t.rows {
            let udp = match udp_port_in(&r.remarks) {
                Some(p) => {
                    with_udp.push((r.cell.clone(), p));
                    Some(p)
                }
                None if r.remarks.contains("See the comments above") => with_udp
                    .iter()
                    .rev()
                    .find(|(cell, _)| *cell == r.cell)
                    .map(|(_, p)| *p),
                None => None,
            };
            if let (Some(p), Some(e)) = (udp, r.expect.as_mut()) {
                e.also_allow(Protocol::Udp, &PortSet::from_ranges([PortRange::single(p)]));
            }
        }
    }
}

/// 000: Tachyon 5.0. Tab-separated rows under three headings; the Servers and
/// Remote Catalog tables have a "Device\tPort\t..." header row, the clients
/// table none; the last line of dashes is a rule.
fn parse_000(text: &str, problems: &mut Vec<String>) -> Vec<Table> {
    const HEADINGS: &[(&str, &str)] = &[
        ("Tachyon Servers", "servers"),
        ("Tachyon clients", "clients"),
        (
            "Firewall requirements for a remote Catalog Web Server",
            "remote-catalog",
        ),
    ];
    let mut tables: Vec<Table> = Vec::new();
    for line in text.lines() {
        let trimmed = line.trim();
        if let Some((h, id)) = HEADINGS.iter().find(|(h, _)| *h == trimmed) {
            tables.push(Table {
                id,
                heading: (*h).to_string(),
                rows: Vec::new(),
            });
            continue;
        }
        if !line.contains('\t') {
            continue;
        }
        let cells: Vec<&str> = line.split('\t').map(str::trim).collect();
        if cells[0] == "Device" || cells.iter().all(|c| c.chars().all(|ch| ch == '-')) {
            continue; // header row, or the closing rule
        }
        let Some(table) = tables.last_mut() else {
            problems.push(format!(
                "000: a table row before any table heading: {}",
                short(line, 80)
            ));
            continue;
        };
        if cells.len() != 6 {
            problems.push(format!(
                "000: a row with {} cells, not 6: {}",
                cells.len(),
                short(line, 80)
            ));
            continue;
        }
        let text = format!("{} | {} | {} | {}", cells[0], cells[1], cells[2], cells[3]);
        table.rows.push(Row {
            words: text.clone(),
            text,
            cell: cells[1].to_string(),
            expect: parse_1e_cell(cells[1]).map(Expect::exact),
            remarks: cells[5].to_string(),
        });
    }
    add_1e_remarks(&mut tables);
    tables
}

/// 001: 1E platform. Every row and header starts with a line "|", then one
/// line per cell ending in " |"; a header ends with "|---|...". Prose after the
/// last cell of a table's last row is the next table's heading.
fn parse_001(text: &str, problems: &mut Vec<String>) -> Vec<Table> {
    const HEADINGS: &[(&str, &str)] = &[
        ("1E Servers", "servers"),
        ("1E Clients", "clients"),
        (
            "Catalog Web Server is on a different server than the 1E Server",
            "remote-catalog",
        ),
        (
            "1E Response Stack that is remote from the 1E Master Stack",
            "remote-response-stack",
        ),
        (
            "1E Switch and Background Channel components on a DMZ Server",
            "dmz",
        ),
        ("list of ports used within the 1E Platform", "internal"),
    ];
    let mut blocks: Vec<Vec<&str>> = vec![Vec::new()];
    for line in text.lines() {
        let t = line.trim();
        if t == "|" {
            blocks.push(Vec::new());
        } else if !t.is_empty() {
            blocks.last_mut().unwrap().push(t);
        }
    }
    let cell = |l: &str| l.trim().trim_end_matches('|').trim().to_string();
    let mut tables: Vec<Table> = Vec::new();
    let mut prose: Vec<&str> = Vec::new();
    let mut cols: Vec<String> = Vec::new();
    for block in blocks {
        if block.iter().any(|l| l.starts_with("|---")) {
            cols = block
                .iter()
                .take_while(|l| !l.starts_with("|---"))
                .map(|l| cell(l))
                .collect();
            // The heading: a short title line ("1E Clients") or the sentence
            // that introduces the table ("The following table lists ...").
            let heading = match prose.last() {
                Some(l) if l.len() < 40 && !l.ends_with('.') => (*l).to_string(),
                _ => prose
                    .iter()
                    .find(|l| l.starts_with("The following"))
                    .map(|l| (*l).to_string())
                    .unwrap_or_default(),
            };
            let id = heading_id(&heading, HEADINGS, false, problems, "001");
            tables.push(Table {
                id,
                heading,
                rows: Vec::new(),
            });
            prose.clear();
            continue;
        }
        let Some(table) = tables.last_mut() else {
            prose.extend(block);
            continue;
        };
        let n = cols.len();
        let cells: Vec<String> = block.iter().take(n).map(|l| cell(l)).collect();
        prose.extend(block.iter().skip(n));
        if cells.is_empty() {
            continue; // an empty "|" line pair
        }
        let at = |name: &str| {
            cols.iter()
                .position(|c| c == name)
                .and_then(|i| cells.get(i))
                .cloned()
                .unwrap_or_default()
        };
        let port = at("Port");
        if !(port.starts_with("TCP") || port.starts_with("UDP")) {
            problems.push(format!(
                "001: table {}: a block that is not a port row: {}",
                table.id,
                short(&cells.join(" | "), 100)
            ));
            continue;
        }
        let mut shown = vec![
            at("Device"),
            port.clone(),
            at("Protocol"),
            at("Direction"),
            short(&at("Usage"), 70),
        ];
        shown.retain(|s| !s.is_empty());
        table.rows.push(Row {
            text: shown.join(" | "),
            words: shown.join(" | "),
            expect: parse_1e_cell(&port).map(Expect::exact),
            cell: port,
            remarks: at("Configurable"),
        });
    }
    add_1e_remarks(&mut tables);
    tables
}

/// 002: Spotfire. Free text; a row starts on the line that begins with a port's
/// name (the "Name of port" / "Type of port" column) followed by the start of
/// its Function text, and runs to the next row. The Default column is the
/// numbers in that text.
fn parse_002(text: &str, problems: &mut Vec<String>) -> Vec<Table> {
    const SECTIONS: &[(&str, &str)] = &[
        ("Internal ports", "internal"),
        ("Outbound ports on the server", "outbound"),
    ];
    // The first column of each table, in document order.
    const NAMES: &[(&str, &[&str])] = &[
        (
            "internal",
            &[
                "Public HTTP port",
                "HTTPS connector port",
                "Server back-end registration port",
                "Server back-end communication port",
                "Node manager registration port",
                "Node manager communication port",
                "Service communication port",
                "TERR service communication port",
                "Spotfire Service for Python communication port",
                "TERR service engine ports",
                "Spotfire Service for Python engine ports",
                "Clustering port",
                "Second clustering port",
                "Third clustering port",
                "JMX RMI port",
            ],
        ),
        (
            "outbound",
            &[
                "Database communication port",
                "LDAP port",
                "Global Catalog LDAP port",
                "TIBCO Enterprise Message Service ( EMS )",
                "Data connectors",
                "Kerberos/GSSAPI",
                "Microsoft Net Logon, SMB, and CIFS",
                "Open ID Connect providers",
                "SMTP port",
                "Databases and other services used by Information Services",
                "JMX RMI port",
            ],
        ),
    ];
    // A line starts row `name` when it is the name alone, or the name followed
    // by a capitalised word (its Function text): "Data connectors listen to
    // these ports." does not start a row.
    fn starts_row(line: &str, name: &str) -> bool {
        match line.strip_prefix(name) {
            Some("") => true,
            Some(rest) => {
                rest.starts_with(' ') && rest[1..].starts_with(|c: char| c.is_uppercase())
            }
            None => false,
        }
    }
    // A line that reads like "<Name of a> port(s) <Capitalised...>": the
    // parser must have recognised it as a row (guards the name list).
    fn looks_like_port_name(line: &str) -> bool {
        let words: Vec<&str> = line.split_whitespace().collect();
        let Some(k) = words.iter().position(|w| *w == "port" || *w == "ports") else {
            return false;
        };
        k > 0
            && k <= 6
            && line.starts_with(|c: char| c.is_uppercase())
            && !words[..k].iter().any(|w| w.contains([':', ',', '.']))
            && words
                .get(k + 1)
                .is_none_or(|w| w.starts_with(|c: char| c.is_uppercase()))
    }

    let mut tables: Vec<Table> = Vec::new();
    // (table index, name, lines)
    let mut current: Option<(usize, &str, Vec<&str>)> = None;
    let finish = |current: &mut Option<(usize, &str, Vec<&str>)>, tables: &mut Vec<Table>| {
        if let Some((ti, name, lines)) = current.take() {
            let body = lines.join("\n");
            let row_text = body[name.len()..].to_string();
            tables[ti].rows.push(Row {
                text: short(&body, 110),
                words: body.clone(),
                cell: short(&row_text, 200),
                expect: spotfire_default(&row_text),
                remarks: String::new(),
            });
        }
    };
    for line in text.lines() {
        let t = line.trim();
        if let Some((h, id)) = SECTIONS.iter().find(|(h, _)| *h == t) {
            finish(&mut current, &mut tables);
            tables.push(Table {
                id,
                heading: (*h).to_string(),
                rows: Vec::new(),
            });
            continue;
        }
        let Some(ti) = tables.len().checked_sub(1) else {
            continue;
        };
        if t.contains(" of port Function Default") {
            continue; // the header row
        }
        let names = NAMES
            .iter()
            .find(|(id, _)| *id == tables[ti].id)
            .map(|(_, n)| *n)
            .unwrap_or(&[]);
        if let Some(name) = names.iter().find(|n| starts_row(t, n)) {
            finish(&mut current, &mut tables);
            current = Some((ti, name, vec![t]));
            continue;
        }
        if looks_like_port_name(t) {
            problems.push(format!(
                "002: table {}: a line that looks like a port row is not in the parser's name list: {t}",
                tables[ti].id
            ));
        }
        if let Some((_, _, lines)) = current.as_mut()
            && !t.is_empty()
        {
            lines.push(t);
        }
    }
    finish(&mut current, &mut tables);
    // Each name is found once, in order.
    for table in &tables {
        let names = NAMES
            .iter()
            .find(|(id, _)| *id == table.id)
            .map(|(_, n)| *n)
            .unwrap_or(&[]);
        let found: Vec<&str> = table.rows.iter().map(|r| r.text.as_str()).collect();
        for (i, name) in names.iter().enumerate() {
            if !found.get(i).is_some_and(|f| f.starts_with(name)) {
                problems.push(format!(
                    "002: table {}: port name {} \"{name}\" not found in order",
                    table.id,
                    i + 1
                ));
            }
        }
    }
    tables
}

/// The Default column of a Spotfire row: every number (or range "a-b") in its
/// text. "25, 2525, or 587" lists alternatives: the first is the default, the
/// others are allowed. No number ("Varies") cannot be read mechanically.
/// The document gives no transport; its ports are TCP ("the TCP port that the
/// LDAP service is listening on").
fn spotfire_default(text: &str) -> Option<Expect> {
    let mut found: Vec<PortRange> = Vec::new();
    for word in text.split_whitespace() {
        let w = word.trim_matches(|c: char| matches!(c, '.' | ',' | ';' | ':' | '(' | ')'));
        let (a, b) = w.split_once('-').unwrap_or((w, w));
        let num = |s: &str| {
            (!s.is_empty() && s.bytes().all(|c| c.is_ascii_digit()))
                .then(|| s.parse::<u16>().ok())
                .flatten()
        };
        if let (Some(a), Some(b)) = (num(a), num(b)) {
            found.push(PortRange::new(a, b));
        }
    }
    let first = *found.first()?;
    let all = PortSet::from_ranges(found);
    if text.contains(", or ") {
        let mut e = Expect::exact(one(Protocol::Tcp, PortSet::from_ranges([first])));
        e.also_allow(Protocol::Tcp, &all);
        Some(e)
    } else {
        Some(Expect::exact(one(Protocol::Tcp, all)))
    }
}

/// The port cell of a Tarantella row: "80/tcp", "1024/udp to 65535/udp",
/// "6010/tcp and above", "4000/tcp, 4002/tcp ..." (one port per array member;
/// at the default of one member, the first). Returns the cell and its ports.
fn parse_003_cell(line: &str) -> Option<(String, Ports)> {
    fn spec(s: &str) -> Option<(u16, Protocol, &str)> {
        let n = s.find(|c: char| !c.is_ascii_digit())?;
        let port: u16 = s[..n].parse().ok()?;
        let rest = &s[n..];
        if let Some(r) = rest.strip_prefix("/tcp") {
            Some((port, Protocol::Tcp, r))
        } else if let Some(r) = rest.strip_prefix("/udp") {
            Some((port, Protocol::Udp, r))
        } else {
            None
        }
    }
    // The cell starts at the first run of digits followed by /tcp or /udp (the
    // Destination cell before it is run together with it: "server3144/tcp").
    let bytes = line.as_bytes();
    let start = (0..bytes.len()).find(|&i| {
        bytes[i].is_ascii_digit()
            && (i == 0 || !bytes[i - 1].is_ascii_digit())
            && spec(&line[i..]).is_some()
    })?;
    let mut rest = &line[start..];
    let mut out = Ports::new();
    let mut series = false;
    loop {
        let (p, proto, r) = spec(rest)?;
        let t = r.trim_start();
        if let Some(r2) = t.strip_prefix("to ") {
            let (q, proto2, r3) = spec(r2)?;
            if proto2 != proto {
                return None;
            }
            out.entry(proto).or_default().insert(PortRange::new(p, q));
            rest = r3;
        } else if let Some(r2) = t.strip_prefix("and above") {
            out.entry(proto)
                .or_default()
                .insert(PortRange::new(p, u16::MAX));
            rest = r2;
        } else {
            if !series {
                out.entry(proto).or_default().insert(PortRange::single(p));
            }
            rest = r;
        }
        let t = rest.trim_start();
        if let Some(r2) = t.strip_prefix(',') {
            // "4000/tcp, 4002/tcp ...": a list; if it ends in "..." it is a
            // series with one port per array member.
            let tail = r2.trim_start();
            let after = spec(tail).map(|(_, _, r)| r.trim_start());
            if after.is_some_and(|a| a.starts_with("...")) {
                series = true;
            }
            rest = tail;
            continue;
        }
        if let Some(r2) = t.strip_prefix("...") {
            rest = r2;
        }
        break;
    }
    let cell = line[start..line.len() - rest.len()].trim().to_string();
    Some((cell, out))
}

/// 003: Tarantella. Headings "Ports used for ..."; a row is a line holding a
/// port cell run together with its neighbours ("ClientTarantella
/// server3144/tcpStandard, ..."); the Source/Destination cells may start on the
/// lines before it.
fn parse_003(text: &str, problems: &mut Vec<String>) -> Vec<Table> {
    const HEADINGS: &[(&str, &str)] = &[
        (
            "Ports used for connections between client devices and Tarantella servers",
            "client",
        ),
        (
            "Ports used for connections between Tarantella servers and application servers",
            "application",
        ),
        (
            "Ports used for connections between Tarantella servers",
            "array",
        ),
        (
            "Ports used for Netlet connections to a Tarantella server",
            "netlet",
        ),
    ];
    let mut tables: Vec<Table> = Vec::new();
    let mut before: Vec<&str> = Vec::new();
    for line in text.lines() {
        let t = line.trim();
        if t.starts_with("Ports used for ") {
            let id = heading_id(t, HEADINGS, true, problems, "003");
            tables.push(Table {
                id,
                heading: t.to_string(),
                rows: Vec::new(),
            });
            before.clear();
            continue;
        }
        let Some(table) = tables.last_mut() else {
            continue;
        };
        if t.is_empty() || t.starts_with("SourceDestination") || t == "Notes" {
            before.clear();
            continue;
        }
        match parse_003_cell(t) {
            Some((cell, p)) => {
                before.push(t);
                table.rows.push(Row {
                    text: short(&before.join(" "), 140),
                    words: before.join(" "),
                    cell,
                    expect: Some(Expect::exact(p)),
                    remarks: String::new(),
                });
                before.clear();
            }
            // A sentence is a note on the row above ("The server binds to this
            // port ..."); anything else starts the next row's cells.
            None if t.ends_with('.') => {
                if let Some(row) = table.rows.last_mut() {
                    row.words.push(' ');
                    row.words.push_str(t);
                }
            }
            None => before.push(t),
        }
    }
    tables
}

/// 004: PLOSSYS. Markdown-like tables "Port | Service | Transfer Protocol |
/// Application Protocol | Comment |" under the headings "Single Server
/// Installation¶" and "Cluster Installation¶".
fn parse_004(text: &str, problems: &mut Vec<String>) -> Vec<Table> {
    const HEADINGS: &[(&str, &str)] = &[
        ("Single Server Installation", "single-server"),
        ("Cluster Installation", "cluster"),
    ];
    let mut tables: Vec<Table> = Vec::new();
    for line in text.lines() {
        let t = line.trim().trim_end_matches('¶').trim();
        if !t.contains('|') {
            if HEADINGS.iter().any(|(h, _)| *h == t) {
                let id = heading_id(t, HEADINGS, true, problems, "004");
                tables.push(Table {
                    id,
                    heading: t.to_string(),
                    rows: Vec::new(),
                });
            }
            continue;
        }
        let cells: Vec<&str> = t.split('|').map(str::trim).collect();
        if cells[0] == "Port" || cells[0].starts_with("---") {
            continue;
        }
        let Some(table) = tables.last_mut() else {
            problems.push(format!("004: a table row before any heading: {t}"));
            continue;
        };
        let mut protos = Vec::new();
        for p in cells.get(2).copied().unwrap_or("").split('/') {
            match p.trim() {
                "tcp" => protos.push(Protocol::Tcp),
                "udp" => protos.push(Protocol::Udp),
                _ => protos.clear(),
            }
        }
        let port: Option<u16> = cells[0].parse().ok();
        let expect = match (port, protos.is_empty()) {
            (Some(p), false) => {
                let mut e = Ports::new();
                for proto in protos {
                    e.insert(proto, PortSet::from_ranges([PortRange::single(p)]));
                }
                Some(Expect::exact(e))
            }
            _ => None,
        };
        table.rows.push(Row {
            text: t.to_string(),
            words: t.to_string(),
            cell: format!("{} | {}", cells[0], cells.get(2).copied().unwrap_or("")),
            expect,
            remarks: String::new(),
        });
    }
    tables
}

// ---------------------------------------------------------------------------
// Overrides: cells that cannot be read mechanically
// ---------------------------------------------------------------------------

struct Override {
    /// Document file name prefix ("001").
    doc: &'static str,
    table: &'static str,
    row: u32,
    expect: Expect,
}

fn overrides() -> Vec<Override> {
    use Protocol::{Tcp, Udp};
    vec![
        // 001 DMZ: DMZ Server "TCP 400n": "Each Switch (from 1 to n) listens for prompts
        // (pokes) ... if a Switch client port is 4000 then Switch poke port is 4001." One
        // DMZ Switch by default.
        Override {
            doc: "001",
            table: "dmz",
            row: 4,
            expect: Expect::exact(ports(&[(Tcp, "4001")])),
        },
        // 001 DMZ: 1E Server (Response Stack) "TCP | TCP | Outgoing": "The Core on the
        // Response Stack prompts each Switch on the DMZ Server" (the same poke port, 4001).
        Override {
            doc: "001",
            table: "dmz",
            row: 9,
            expect: Expect::exact(ports(&[(Tcp, "4001")])),
        },
        // 001 internal: "TCP | TCP | A prompt (poke) from the Core forwarding workflow
        // commands to each Switch (from 1 to n)": the Switch client port + 1, one Switch.
        Override {
            doc: "001",
            table: "internal",
            row: 3,
            expect: Expect::exact(ports(&[(Tcp, "4001")])),
        },
        // 002 outbound: "Data connectors listen to these ports. Varies": no port by
        // default (the catalog's data_connector_ports is empty).
        Override {
            doc: "002",
            table: "outbound",
            row: 5,
            expect: Expect::exact(Ports::new()),
        },
        // 002 outbound: Kerberos/GSSAPI "Fixed port 88 on the Active Directory domain
        // controllers" names no transport; Kerberos is served on both TCP and UDP 88.
        Override {
            doc: "002",
            table: "outbound",
            row: 6,
            expect: Expect {
                required: ports(&[(Tcp, "88")]),
                allowed: ports(&[(Tcp, "88"), (Udp, "88")]),
            },
        },
    ]
}

// ---------------------------------------------------------------------------
// The check
// ---------------------------------------------------------------------------

/// Rows the parsers must find (counted by hand from the documents): a check on
/// the parsers themselves, independent of the YAML.
const HAND_COUNTS: &[(&str, &[(&str, usize)])] = &[
    (
        "000",
        &[("servers", 15), ("clients", 4), ("remote-catalog", 6)],
    ),
    (
        "001",
        &[
            ("servers", 13),
            ("clients", 5),
            ("remote-catalog", 6),
            ("remote-response-stack", 5),
            ("dmz", 12),
            ("internal", 7),
        ],
    ),
    ("002", &[("internal", 15), ("outbound", 11)]),
    (
        "003",
        &[
            ("client", 4),
            ("application", 19),
            ("array", 1),
            ("netlet", 6),
        ],
    ),
    ("004", &[("single-server", 12), ("cluster", 48)]),
];

fn parse_document(file: &str, text: &str, problems: &mut Vec<String>) -> Vec<Table> {
    match &file[..3] {
        "000" => parse_000(text, problems),
        "001" => parse_001(text, problems),
        "002" => parse_002(text, problems),
        "003" => parse_003(text, problems),
        "004" => parse_004(text, problems),
        _ => {
            problems.push(format!("{file}: no parser for this document"));
            Vec::new()
        }
    }
}

fn check_product(
    file: &str,
    product: &Product,
    tables: &[Table],
    overrides: &[Override],
    out: &mut Vec<String>,
) {
    let doc = &file[..3];
    let settings = Settings::defaults(product);
    let at = |t: &str, n: u32| format!("{file} [{}] table {t} row {n}", product.id);

    // 1. Tables and row counts.
    let parsed_ids: Vec<&str> = tables.iter().map(|t| t.id).collect();
    let yaml_ids: Vec<&str> = product
        .source
        .tables
        .iter()
        .map(|t| t.id.as_str())
        .collect();
    if parsed_ids != yaml_ids {
        out.push(format!(
            "{file} [{}]: tables in the document {parsed_ids:?}, in the YAML {yaml_ids:?}",
            product.id
        ));
    }
    for t in tables {
        match product.table(t.id) {
            Some(yt) if yt.rows as usize != t.rows.len() => out.push(format!(
                "{file} [{}] table {} (\"{}\"): the document has {} data rows, the YAML says rows: {}",
                product.id,
                t.id,
                short(&t.heading, 60),
                t.rows.len(),
                yt.rows
            )),
            Some(_) => {}
            None => out.push(format!("{file} [{}]: no YAML table for document table {}", product.id, t.id)),
        }
    }

    // 2. Citations.
    let mut citing: BTreeMap<(&str, u32), Vec<&Flow>> = BTreeMap::new();
    for f in &product.flows {
        if f.citations.is_empty() {
            out.push(format!(
                "{file} [{}] flow {}: cites no row",
                product.id, f.id
            ));
        }
        for c in &f.citations {
            match tables.iter().find(|t| t.id == c.table) {
                Some(t) if c.row >= 1 && (c.row as usize) <= t.rows.len() => {
                    citing.entry((t.id, c.row)).or_default().push(f);
                }
                Some(t) => out.push(format!(
                    "{file} [{}] flow {}: cites table {} row {}, but the document's table has {} rows",
                    product.id,
                    f.id,
                    c.table,
                    c.row,
                    t.rows.len()
                )),
                None => out.push(format!("{file} [{}] flow {}: cites unknown table {}", product.id, f.id, c.table)),
            }
        }
    }

    // 3. Each row: cited, and its ports agree with the citing flows.
    for t in tables {
        for (i, row) in t.rows.iter().enumerate() {
            let n = (i + 1) as u32;
            let here = at(t.id, n);
            let Some(flows) = citing.get(&(t.id, n)) else {
                out.push(format!(
                    "{here}: not cited by any flow\n    row: {}",
                    row.text
                ));
                continue;
            };
            let ov = overrides
                .iter()
                .find(|o| o.doc == doc && o.table == t.id && o.row == n);
            let Some(expect) = ov.map(|o| o.expect.clone()).or_else(|| row.expect.clone()) else {
                out.push(format!(
                    "{here}: port cell \"{}\" cannot be read and has no override\n    row: {}",
                    row.cell, row.text
                ));
                continue;
            };
            let mut union = Ports::new();
            for f in flows {
                let set = match eval_ports(&f.ports, &settings) {
                    Ok(s) => s,
                    Err(e) => {
                        out.push(format!(
                            "{here}: flow {} ports do not evaluate at defaults: {e}",
                            f.id
                        ));
                        continue;
                    }
                };
                for proto in f.protocol.list() {
                    union.entry(proto).or_default().extend(&set);
                    let allowed = expect.allowed.get(&proto).cloned().unwrap_or_default();
                    let extra = minus(&set, &allowed);
                    if !extra.is_empty() {
                        out.push(format!(
                            "{here}: flow {} opens {proto} {extra}, which the row does not give\n    row: {}\n    cell: {}\n    row allows: {}\n    flow opens: {proto} {set}",
                            f.id,
                            row.text,
                            row.cell,
                            show(&expect.allowed),
                        ));
                    }
                }
            }
            for (proto, need) in &expect.required {
                let have = union.get(proto).cloned().unwrap_or_default();
                let missing = minus(need, &have);
                if !missing.is_empty() {
                    let ids: Vec<&str> = flows.iter().map(|f| f.id.as_str()).collect();
                    out.push(format!(
                        "{here}: {proto} {missing} of the row is opened by no citing flow\n    row: {}\n    cell: {}\n    expected: {}\n    found: {} (flows {})",
                        row.text,
                        row.cell,
                        show(&expect.required),
                        show(&union),
                        ids.join(", ")
                    ));
                }
            }
        }
    }

    // 5. Defaults: a row the document lists without a condition is needed by
    // default.
    let text = SOURCE_DOCUMENTS
        .iter()
        .find(|(f, _)| *f == file)
        .map_or("", |(_, t)| *t);
    check_defaults(file, text, product, tables, &citing, out);
}

/// Words compared without case and with white space folded.
fn folded(text: &str) -> String {
    text.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

/// Step 5: every cited row is on at default settings (some citing flow has
/// no condition, or its condition holds with the default-on features and
/// the automatic ones, which switch on exactly when the topology places the
/// row's parties), unless each feature that gates it carries
/// `optional_because`: the document's words, found in the row, that make the
/// row conditional (or, for a choice the document states once for several
/// rows, in the notes of the row's table: its text up to the next table). A
/// feature that is on by default needs no such words and must not have them.
fn check_defaults(
    file: &str,
    document: &str,
    product: &Product,
    tables: &[Table],
    citing: &BTreeMap<(&str, u32), Vec<&Flow>>,
    out: &mut Vec<String>,
) {
    let on_at_defaults = |id: &str| {
        product
            .features
            .iter()
            .any(|f| f.id == id && (f.default || f.auto.is_some()))
    };
    for f in &product.features {
        if f.default && f.optional_because.is_some() {
            out.push(format!(
                "{file} [{}] feature {}: on by default, yet it says why it is optional",
                product.id, f.id
            ));
        }
    }
    let starts: Vec<Option<usize>> = tables.iter().map(|t| document.find(&t.heading)).collect();
    for (ti, t) in tables.iter().enumerate() {
        let section = match starts[ti] {
            Some(start) => {
                let end = starts[ti + 1..]
                    .iter()
                    .flatten()
                    .copied()
                    .find(|&e| e > start)
                    .unwrap_or(document.len());
                folded(&document[start..end])
            }
            None => String::new(),
        };
        for (i, row) in t.rows.iter().enumerate() {
            let n = (i + 1) as u32;
            let Some(flows) = citing.get(&(t.id, n)) else {
                continue;
            };
            let on = flows.iter().any(|f| match &f.condition {
                None => true,
                Some(c) => c.holds(&on_at_defaults),
            });
            if on {
                continue;
            }
            let text = folded(&row.words);
            let mut gating: Vec<&str> = flows
                .iter()
                .filter_map(|f| f.condition.as_ref())
                .flat_map(|c| c.features())
                .filter(|id| !on_at_defaults(id))
                .collect();
            gating.sort_unstable();
            gating.dedup();
            for id in gating {
                let because = product
                    .features
                    .iter()
                    .find(|f| f.id == id)
                    .and_then(|f| f.optional_because.as_deref());
                match because {
                    Some(words) if text.contains(&folded(words)) || section.contains(&folded(words)) => {}
                    Some(words) => out.push(format!(
                        "{file} [{}] table {} row {n}: off by default behind feature {id}, whose reason \"{words}\" is neither in the row nor in its table's notes\n    row: {}",
                        product.id, t.id, row.text
                    )),
                    None => out.push(format!(
                        "{file} [{}] table {} row {n}: the document lists it without a condition, but feature {id} keeps it off by default (make the feature default, or quote the document's condition in optional_because)\n    row: {}",
                        product.id, t.id, row.text
                    )),
                }
            }
        }
    }
}

#[test]
fn catalog_matches_the_vendor_documents_row_by_row() {
    let catalog = match Catalog::builtin() {
        Ok(c) => c,
        Err(errs) => {
            panic!(
                "built-in catalog is broken:\n{}",
                errs.iter()
                    .map(|e| e.to_string())
                    .collect::<Vec<_>>()
                    .join("\n")
            )
        }
    };
    let overrides = overrides();
    let mut problems: Vec<String> = Vec::new();
    let mut summary = String::new();
    assert_eq!(SOURCE_DOCUMENTS.len(), 5, "five vendor documents");
    for (file, text) in SOURCE_DOCUMENTS {
        let tables = parse_document(file, text, &mut problems);
        let counts: Vec<(&str, usize)> = tables.iter().map(|t| (t.id, t.rows.len())).collect();
        let _ = writeln!(summary, "  {file}: {counts:?}");
        if let Some((_, hand)) = HAND_COUNTS.iter().find(|(d, _)| file.starts_with(d))
            && counts != hand.to_vec()
        {
            problems.push(format!(
                "{file}: the parser found {counts:?}, counted by hand {hand:?} (parser bug)"
            ));
        }
        let Some(product) = catalog
            .products()
            .iter()
            .find(|p| p.source.document == *file)
        else {
            problems.push(format!(
                "{file}: no catalog product is encoded from this document"
            ));
            continue;
        };
        check_product(file, product, &tables, &overrides, &mut problems);
    }
    // No override is stale.
    for o in &overrides {
        let file = SOURCE_DOCUMENTS
            .iter()
            .find(|(f, _)| f.starts_with(o.doc))
            .map(|(f, _)| *f)
            .unwrap_or("?");
        let text = SOURCE_DOCUMENTS
            .iter()
            .find(|(f, _)| f.starts_with(o.doc))
            .map(|(_, t)| *t)
            .unwrap_or("");
        let tables = parse_document(file, text, &mut Vec::new());
        if !tables
            .iter()
            .any(|t| t.id == o.table && (1..=t.rows.len()).contains(&(o.row as usize)))
        {
            problems.push(format!(
                "override {} table {} row {} matches no parsed row",
                o.doc, o.table, o.row
            ));
        }
    }
    assert!(
        problems.is_empty(),
        "{} mismatch(es) between the catalog and the vendor documents:\n\n{}\n\nrows parsed per table:\n{summary}",
        problems.len(),
        problems.join("\n\n")
    );
}

#[test]
fn the_cell_parsers_read_the_documents_forms() {
    use Protocol::{Tcp, Udp};
    let p = |e: &[(Protocol, &str)]| show(&ports(e));
    assert_eq!(
        parse_1e_cell("TCP 443").map(|x| show(&x)),
        Some(p(&[(Tcp, "443")]))
    );
    assert_eq!(
        parse_1e_cell("TC P 4000").map(|x| show(&x)),
        Some(p(&[(Tcp, "4000")]))
    );
    assert_eq!(
        parse_1e_cell("TCP 2382/3").map(|x| show(&x)),
        Some(p(&[(Tcp, "2382-2383")]))
    );
    assert_eq!(
        parse_1e_cell("TCP 135 and 445 (initially)").map(|x| show(&x)),
        Some(p(&[(Tcp, "135, 445")]))
    );
    assert!(parse_1e_cell("TCP 400n").is_none());
    assert!(parse_1e_cell("TCP").is_none());
    let c = |l: &str| parse_003_cell(l).map(|(cell, x)| (cell, show(&x)));
    assert_eq!(
        c("on the Tarantella host80/tcpStandard, unencrypted"),
        Some(("80/tcp".into(), p(&[(Tcp, "80")])))
    );
    assert_eq!(
        c("Tarantella serverRSA SecurID/ACE Server®1024/udp to 65535/udpUsed to"),
        Some(("1024/udp to 65535/udp".into(), p(&[(Udp, "1024-65535")])))
    );
    assert_eq!(
        c("Application serverTarantella server6010/tcp and aboveUsed"),
        Some(("6010/tcp and above".into(), p(&[(Tcp, "6010-65535")])))
    );
    assert_eq!(
        c("ClientNetlet applet4000/tcp, 4002/tcp ...Used for login"),
        Some(("4000/tcp, 4002/tcp ...".into(), p(&[(Tcp, "4000")])))
    );
    assert_eq!(
        c("ClientNetlet applet4001/tcp, 4003/tcp ... Used for"),
        Some(("4001/tcp, 4003/tcp ...".into(), p(&[(Tcp, "4001")])))
    );
    assert_eq!(c("The server binds to this port at start-up."), None);
    let s = |t: &str| spotfire_default(t).map(|e| (show(&e.required), show(&e.allowed)));
    assert_eq!(
        s(" Used by Automation Services. 25, 2525, or 587\nSecure SMTP: 465, 25, or 587"),
        Some((p(&[(Tcp, "25")]), p(&[(Tcp, "25, 465, 587, 2525")])))
    );
    assert_eq!(
        s(
            " The Spotfire database server listens to this port. Oracle database: 1521\nSQL Server: 1433\nPostgreSQL: 5432"
        ),
        Some((
            p(&[(Tcp, "1433, 1521, 5432")]),
            p(&[(Tcp, "1433, 1521, 5432")])
        ))
    );
    assert_eq!(
        s(" Used by TERR engines running under the TERR service. 61000-62000 No firewall"),
        Some((p(&[(Tcp, "61000-62000")]), p(&[(Tcp, "61000-62000")])))
    );
    assert_eq!(
        s(" Used by the NTLM v2 authentication method. Fixed port 445 on"),
        Some((p(&[(Tcp, "445")]), p(&[(Tcp, "445")])))
    );
    assert_eq!(s("\nData connectors listen to these ports. Varies"), None);
    let m = minus(
        &PortSet::parse("1-100, 200").unwrap(),
        &PortSet::parse("5-10, 100-300").unwrap(),
    );
    assert_eq!(m.to_string(), "1-4, 11-99");
}

/// The check itself must catch mistakes: seed some into copies of the built-in
/// products and make sure each is reported.
#[test]
fn seeded_mistakes_are_caught() {
    use portmap_core::catalog::{PortBase, PortExpr, Protocols, SettingDefault};
    let catalog = Catalog::builtin().unwrap();
    let overrides = overrides();
    let run = |product: &Product| {
        let (file, text) = SOURCE_DOCUMENTS
            .iter()
            .find(|(f, _)| *f == product.source.document)
            .unwrap();
        let mut out = Vec::new();
        let tables = parse_document(file, text, &mut out);
        check_product(file, product, &tables, &overrides, &mut out);
        out
    };
    let get = |id: &str| catalog.product(id).unwrap().clone();
    let flow =
        |p: &Product, id: &str| -> usize { p.flows.iter().position(|f| f.id == id).unwrap() };
    let expect_caught = |what: &str, p: &Product, needles: &[&str]| {
        let out = run(p);
        for n in needles {
            assert!(
                out.iter().any(|m| m.contains(n)),
                "seeded mistake \"{what}\" not reported as \"{n}\"; got:\n{}",
                out.join("\n")
            );
        }
    };

    // A wrong rows count.
    let mut p = get("tachyon-5");
    p.source.tables[0].rows = 14;
    expect_caught(
        "rows 15 -> 14",
        &p,
        &[
            "table servers (\"Tachyon Servers\"): the document has 15 data rows, the YAML says rows: 14",
        ],
    );

    // A row no flow cites.
    let mut p = get("tachyon-5");
    let i = flow(&p, "master-smtp");
    p.flows[i].citations.clear();
    expect_caught(
        "uncited row",
        &p,
        &[
            "table servers row 7: not cited",
            "flow master-smtp: cites no row",
        ],
    );

    // A wrong port.
    let mut p = get("tarantella");
    let i = flow(&p, "ssh");
    p.flows[i].ports = vec![PortExpr::Base(PortBase::Fixed(2222))];
    expect_caught(
        "port 22 -> 2222",
        &p,
        &[
            "table application row 1: flow ssh opens tcp 2222",
            "table application row 1: tcp 22 of the row is opened by no citing flow",
        ],
    );

    // A citation pointing at the wrong row.
    let mut p = get("plossys");
    let i = flow(&p, "cluster-9200-elasticsearch");
    p.flows[i].citations[0].row = 46;
    expect_caught(
        "row 45 -> 46",
        &p,
        &[
            "table cluster row 45: not cited",
            "table cluster row 46: flow cluster-9200-elasticsearch opens tcp 9200",
        ],
    );

    // A citation beyond the table.
    let mut p = get("plossys");
    let i = flow(&p, "cluster-32769-keycloak");
    p.flows[i].citations[0].row = 49;
    expect_caught(
        "row 49",
        &p,
        &["cites table cluster row 49, but the document's table has 48 rows"],
    );

    // A missing protocol.
    let mut p = get("plossys");
    let i = flow(&p, "cluster-53-consul");
    p.flows[i].protocol = Protocols::One(Protocol::Tcp);
    expect_caught(
        "tcp/udp -> tcp",
        &p,
        &["table cluster row 1: udp 53 of the row is opened by no citing flow"],
    );

    // A wrong default setting.
    let mut p = get("spotfire");
    let i = p.settings.iter().position(|s| s.id == "smtp_port").unwrap();
    p.settings[i].default = SettingDefault::Number(587);
    expect_caught(
        "smtp default 25 -> 587",
        &p,
        &["table outbound row 9: tcp 25 of the row is opened by no citing flow"],
    );
    let mut p = get("spotfire");
    let i = p
        .settings
        .iter()
        .position(|s| s.id == "cluster_port")
        .unwrap();
    p.settings[i].default = SettingDefault::Number(5801);
    expect_caught(
        "cluster port 5701 -> 5801",
        &p,
        &["table internal row 13: flow cluster-second opens tcp 5802"],
    );

    // One DMZ Switch by default, not two.
    let mut p = get("1e-platform");
    let i = p
        .settings
        .iter()
        .position(|s| s.id == "dmz_switch_count")
        .unwrap();
    p.settings[i].default = SettingDefault::Number(2);
    expect_caught(
        "two DMZ switches",
        &p,
        &["table dmz row 4: flow core-dmz-poke opens tcp 4002"],
    );

    // A row the document lists without a condition, off by default.
    let mut p = get("tarantella");
    let i = p.features.iter().position(|f| f.id == "printing").unwrap();
    p.features[i].default = false;
    expect_caught(
        "printing off by default",
        &p,
        &[
            "table application row 11: the document lists it without a condition, but feature printing keeps it off by default",
        ],
    );

    // A reason the document does not give.
    let mut p = get("tarantella");
    let i = p.features.iter().position(|f| f.id == "telnet").unwrap();
    p.features[i].optional_because = Some("only when telnet is licensed".into());
    expect_caught(
        "invented condition",
        &p,
        &[
            "table application row 2: off by default behind feature telnet, whose reason \"only when telnet is licensed\" is neither in the row nor in its table's notes",
        ],
    );

    // A default-on feature that says why it is optional.
    let mut p = get("tarantella");
    let i = p.features.iter().position(|f| f.id == "ssh").unwrap();
    p.features[i].optional_because = Some("using Secure SHell".into());
    expect_caught(
        "reason on a default feature",
        &p,
        &["feature ssh: on by default, yet it says why it is optional"],
    );

    // A UDP port on a row that gives none.
    let mut p = get("1e-platform");
    let i = flow(&p, "master-sql-browser");
    p.flows[i].citations[0].row = 9;
    expect_caught(
        "udp 1434 on the inventory row",
        &p,
        &["table servers row 9: flow master-sql-browser opens udp 1434"],
    );
}
