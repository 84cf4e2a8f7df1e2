//! The catalog file format: one product per file, as written by hand in
//! `provider/portmap-core/catalog/*.yaml` or supplied by users.
//!
//! These types are the serde/schemars description of the format; the JSON
//! Schema in `docs/catalog.schema.json` is generated from them. Cross-reference
//! rules (every component exists, every setting has a valid default, ...) are
//! checked by [`super::check`], not by the type system.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// One product: its components (roles), settings, features and flows, encoded
/// from one vendor document.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Product {
    /// Product id, lower-case kebab case (`tachyon-5`). Component ids are
    /// written `<product>/<component>` outside the product file.
    pub id: String,
    /// Human name of the product.
    pub name: String,
    /// Vendor of the product.
    pub vendor: String,
    /// Product version the source document describes.
    pub version: String,
    /// One or two sentences on what the product is.
    pub description: String,
    /// The vendor document this product is encoded from.
    pub source: Source,
    /// Roles that take part in the product's connections, including outside
    /// parties (databases, directories, internet services, browsers, ...).
    #[serde(default)]
    pub components: Vec<Component>,
    /// Configurable values (ports, counts) with the vendor's defaults.
    #[serde(default)]
    pub settings: Vec<Setting>,
    /// Named conditions that switch flows on or off.
    #[serde(default)]
    pub features: Vec<Feature>,
    /// Groups of related features (choices such as the database type).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub groups: Vec<FeatureGroup>,
    /// Every connection the document describes.
    #[serde(default)]
    pub flows: Vec<Flow>,
    /// Remarks about the document as a whole (what it does not cover, ...).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
}

/// The vendor document a product is encoded from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Source {
    /// File name of the document (for the built-in catalog: a file in
    /// `provider/portmap-core/catalog/sources/`).
    pub document: String,
    /// Title of the document.
    pub title: String,
    /// The port tables of the document, in document order.
    pub tables: Vec<SourceTable>,
}

/// One port table of a vendor document.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SourceTable {
    /// Short id used by citations (`servers`, `dmz`, ...).
    pub id: String,
    /// The table's heading or the sentence that introduces it in the document.
    pub title: String,
    /// Number of data rows in the table (header rows not counted).
    pub rows: u32,
}

/// What kind of party a component is. Used for grouping in docs and diagrams
/// and by risk checks.
#[derive(
    Debug,
    Clone,
    Copy,
    Default,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Serialize,
    Deserialize,
    JsonSchema,
)]
#[serde(rename_all = "kebab-case")]
pub enum Role {
    /// A server of the product itself.
    #[default]
    Server,
    /// An end-user device or program (clients, browsers).
    Client,
    /// A database server.
    Database,
    /// A directory, identity or authentication service (LDAP, AD, OIDC, RSA).
    Directory,
    /// Another service the product uses (mail relay, message bus, monitoring).
    Service,
    /// A service on the internet.
    Internet,
}

/// A role that takes part in connections.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Component {
    /// Component id within the product (`master-stack`).
    pub id: String,
    /// Human name, as the vendor document calls it.
    pub name: String,
    /// What the component is and where it runs.
    pub description: String,
    /// What kind of party this is.
    #[serde(default)]
    pub role: Role,
    /// A bundle: placing this component places these components of the same
    /// product instead (e.g. a single server holding both stacks). Flows never
    /// name a bundle.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub includes: Vec<String>,
    /// An optional party: when it is not placed, flows to or from it are left
    /// out silently instead of being reported as unresolved.
    #[serde(default, skip_serializing_if = "is_false")]
    pub optional: bool,
    /// A narrower party that stands for one audience of a broader component
    /// of the same product (the users of one of its interfaces): it takes
    /// part only in those flows, and while it is placed, the broader
    /// component's flows are not reported as unresolved (the topology chose
    /// the narrower party on purpose).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub part_of: Option<String>,
    /// One installation of the product has exactly one of these (its Master
    /// Stack, its database): placing it on two nodes of one installation, or
    /// on a group node, is a warning that suggests declaring installations.
    #[serde(default, skip_serializing_if = "is_false")]
    pub once_per_installation: bool,
}

fn is_false(b: &bool) -> bool {
    !*b
}

fn is_true(b: &bool) -> bool {
    *b
}

fn default_true() -> bool {
    true
}

/// The kind of value a setting holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum SettingKind {
    /// One TCP/UDP port, 1-65535.
    Port,
    /// A count of instances (switches, array members), at least 1.
    Count,
    /// A list of ports and ranges written `"1521, 5000-5010"`; may be empty.
    Ports,
}

/// A setting default: a number for `port` and `count`, a string for `ports`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(untagged)]
pub enum SettingDefault {
    /// A port or a count, as the setting's `kind` says.
    Number(u32),
    /// A port list.
    Text(String),
}

/// A configurable value with the vendor's default.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Setting {
    /// Setting id, snake case (`switch_port`). Users override it by this id.
    pub id: String,
    /// Human name.
    pub name: String,
    /// What it configures.
    pub description: String,
    /// The kind of value.
    pub kind: SettingKind,
    /// The vendor's default value.
    pub default: SettingDefault,
    /// Where the vendor configures it (installer property, file, table...).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vendor_setting: Option<String>,
    /// For `count` settings: largest accepted value.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max: Option<u32>,
    /// For `count` settings: when the user does not set it, use the number of
    /// nodes that run this component (of the same product) instead of the
    /// default.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub count_of: Option<String>,
}

/// A named condition.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Feature {
    /// Feature id, kebab case (`named-sql-instance`).
    pub id: String,
    /// Human name.
    pub name: String,
    /// What enabling it means.
    pub description: String,
    /// Whether it is on unless the user disables it.
    #[serde(default)]
    pub default: bool,
    /// Switched on automatically when the topology matches.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "serde_norway::with::singleton_map"
    )]
    #[schemars(with = "Option<Placement>")]
    pub auto: Option<Placement>,
    /// The group (from the product's `groups`) this feature belongs to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub group: Option<String>,
    /// Why the feature is off by default although it gates rows of the
    /// vendor document: the document's own words that tie those rows to a
    /// condition, a connection method, an option or a product choice
    /// ("needed if monitoring is used", "using telnet"). A row the document
    /// lists without such words is needed by default; the fidelity test
    /// (`tests/seed_rows.rs`) finds these words in every row the feature
    /// alone switches on.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub optional_because: Option<String>,
}

/// A group of related features.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct FeatureGroup {
    /// Group id, kebab case.
    pub id: String,
    /// Human name.
    pub name: String,
    /// What the choice is about.
    pub description: String,
    /// Alternatives: when the user enables a feature of the group, the
    /// group's other features are off unless the user enables them too.
    #[serde(default, skip_serializing_if = "is_false")]
    pub exclusive: bool,
    /// When this component is placed, at least one feature of the group should
    /// be on; otherwise a warning says which to choose.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub required_with: Option<String>,
}

/// A condition on where components are placed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub enum Placement {
    /// The component runs on some node.
    Placed(String),
    /// The component runs on more than one server: on two or more nodes, or
    /// on a group node.
    Multiple(String),
    /// Both components run, and not always together: some node runs one of
    /// them without the other.
    Apart([String; 2]),
}

/// Transport protocol.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum Protocol {
    /// TCP (IP protocol 6).
    Tcp,
    /// UDP (IP protocol 17).
    Udp,
}

impl Protocol {
    /// Lower-case name (`tcp`).
    pub fn as_str(self) -> &'static str {
        match self {
            Protocol::Tcp => "tcp",
            Protocol::Udp => "udp",
        }
    }
}

impl std::fmt::Display for Protocol {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One protocol or several (a row such as "53 tcp/udp").
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(untagged)]
pub enum Protocols {
    /// A single protocol.
    One(Protocol),
    /// Several protocols; the flow exists once per protocol.
    Many(Vec<Protocol>),
}

impl Protocols {
    /// The protocols, sorted, without duplicates.
    pub fn list(&self) -> Vec<Protocol> {
        let mut v = match self {
            Protocols::One(p) => vec![*p],
            Protocols::Many(ps) => ps.clone(),
        };
        v.sort();
        v.dedup();
        v
    }
}

/// Where a port expression starts: a number or a setting (plus an offset).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(untagged)]
pub enum PortBase {
    /// A fixed port.
    Fixed(u16),
    /// A port setting, plus `offset` (a derived port: "Switch port + 1").
    Setting {
        /// Setting id (kind `port`).
        setting: String,
        /// Added to the setting's value.
        #[serde(default, skip_serializing_if = "is_zero")]
        offset: i32,
    },
}

fn is_zero(n: &i32) -> bool {
    *n == 0
}

/// One port per instance: `start`, `start + step`, ... `count` ports.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Series {
    /// The first port.
    pub start: PortBase,
    /// Distance between consecutive ports.
    pub step: u16,
    /// Setting id (kind `count`) giving the number of ports.
    pub count: String,
}

/// A port expression.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(untagged)]
pub enum PortExpr {
    /// A fixed port or a (derived) port setting.
    Base(PortBase),
    /// An inclusive range `[from, to]`.
    Range {
        /// `[first, last]`.
        range: [u16; 2],
    },
    /// An open-ended range: this port and every port above it.
    AndAbove {
        /// First port of the range; the range ends at 65535.
        and_above: u16,
    },
    /// A setting of kind `ports` (a list of ports and ranges).
    List {
        /// Setting id (kind `ports`).
        ports_setting: String,
    },
    /// One port per instance.
    Series {
        /// The first port and how many ports follow it.
        series: Series,
    },
}

/// A boolean expression over the product's features.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(untagged)]
pub enum Condition {
    /// The feature is on.
    Feature(String),
    /// Every sub-condition holds.
    All {
        /// Sub-conditions.
        all: Vec<Condition>,
    },
    /// At least one sub-condition holds.
    Any {
        /// Sub-conditions.
        any: Vec<Condition>,
    },
    /// The sub-condition does not hold.
    Not {
        /// Sub-condition.
        not: Box<Condition>,
    },
}

impl Condition {
    /// Evaluates the condition against a set of enabled features.
    pub fn holds(&self, enabled: &dyn Fn(&str) -> bool) -> bool {
        match self {
            Condition::Feature(f) => enabled(f),
            Condition::All { all } => all.iter().all(|c| c.holds(enabled)),
            Condition::Any { any } => any.iter().any(|c| c.holds(enabled)),
            Condition::Not { not } => !not.holds(enabled),
        }
    }

    /// Every feature id the condition mentions.
    pub fn features(&self) -> Vec<&str> {
        let mut out = Vec::new();
        self.collect(&mut out);
        out
    }

    fn collect<'a>(&'a self, out: &mut Vec<&'a str>) {
        match self {
            Condition::Feature(f) => out.push(f),
            Condition::All { all: cs } | Condition::Any { any: cs } => {
                cs.iter().for_each(|c| c.collect(out))
            }
            Condition::Not { not } => not.collect(out),
        }
    }
}

impl std::fmt::Display for Condition {
    /// `a`, `all(a, b)`, `any(a, not(b))`.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        fn list(f: &mut std::fmt::Formatter<'_>, name: &str, cs: &[Condition]) -> std::fmt::Result {
            write!(f, "{name}(")?;
            for (i, c) in cs.iter().enumerate() {
                if i > 0 {
                    f.write_str(", ")?;
                }
                write!(f, "{c}")?;
            }
            f.write_str(")")
        }
        match self {
            Condition::Feature(x) => f.write_str(x),
            Condition::All { all } => list(f, "all", all),
            Condition::Any { any } => list(f, "any", any),
            Condition::Not { not } => write!(f, "not({not})"),
        }
    }
}

/// Whether a flow crosses the network.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema, Default)]
#[serde(rename_all = "kebab-case")]
pub enum Scope {
    /// Between machines: a flow between nodes needs rules.
    #[default]
    Network,
    /// Always on one machine (loopback, a service and its own engines): only
    /// ever internal, never a rule, even inside a group node.
    Host,
}

/// Why a flow's port deserves extra care.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum Sensitivity {
    /// A database port.
    Database,
    /// An administration or management port (GUIs, consoles, JMX, RPC).
    Admin,
}

impl Sensitivity {
    /// Lower-case name.
    pub fn as_str(self) -> &'static str {
        match self {
            Sensitivity::Database => "database",
            Sensitivity::Admin => "admin",
        }
    }
}

/// A pointer to the vendor table row that requires a flow.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Citation {
    /// Table id from the product's `source.tables`.
    pub table: String,
    /// 1-based data row number within the table, in document order.
    pub row: u32,
}

/// One connection the vendor document requires.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Flow {
    /// Flow id, unique within the product (kebab case).
    pub id: String,
    /// Component that opens the connection.
    pub from: String,
    /// Component that listens.
    pub to: String,
    /// Transport protocol(s).
    pub protocol: Protocols,
    /// Destination ports.
    pub ports: Vec<PortExpr>,
    /// Application protocol (`HTTPS`, `TDS`, `WebSocket Secure (wss)`).
    pub app_protocol: String,
    /// Short purpose, used in rule descriptions.
    pub purpose: String,
    /// The flow exists only when this holds; absent = always.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub condition: Option<Condition>,
    /// Whether the vendor says a firewall must allow it. `false` for ports the
    /// document lists as internal or needing no firewall configuration.
    #[serde(default = "default_true", skip_serializing_if = "is_true")]
    pub firewall: bool,
    /// Whether it crosses the network.
    #[serde(default, skip_serializing_if = "is_network")]
    pub scope: Scope,
    /// A database or administration port.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sensitive: Option<Sensitivity>,
    /// The application protocol is not encrypted.
    #[serde(default, skip_serializing_if = "is_false")]
    pub cleartext: bool,
    /// The vendor rows that require this flow (at least one).
    pub citations: Vec<Citation>,
    /// How an ambiguous or erroneous row was read.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

fn is_network(s: &Scope) -> bool {
    *s == Scope::Network
}
