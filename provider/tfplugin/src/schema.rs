//! Schemas: what the provider's configuration, its data sources and its
//! functions look like. Descriptions are Markdown.
//!
//! ```
//! use tfplugin::schema::{Attribute, Block, ObjectNesting, Schema};
//! use tfplugin::value::Type;
//!
//! let node = vec![
//!     Attribute::required("cidrs", Type::list(Type::String), "Networks the node is in."),
//!     Attribute::optional("public", Type::Bool, "Whether the node faces the internet."),
//! ];
//! let schema = Schema::new(
//!     Block::new("A host's open ports.")
//!         .attribute(Attribute::nested("nodes", ObjectNesting::Map, node, "The nodes, by name.").make_required())
//!         .attribute(Attribute::computed("json", Type::String, "The result as JSON.")),
//! );
//! assert_eq!(
//!     String::from_utf8(schema.block.value_type().to_json_bytes()).unwrap(),
//!     r#"["object",{"json":"string","nodes":["map",["object",{"cidrs":["list","string"],"public":"bool"}]]}]"#
//! );
//! ```

use std::collections::BTreeMap;

use crate::value::Type;

/// The provider's schemas, as returned by [`crate::server::Provider::schema`].
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ProviderSchema {
    /// The `provider "..." {}` configuration block.
    pub provider: Schema,
    /// Managed resources by full type name (`<provider>_<name>`). Their
    /// schema version is the state version that `UpgradeResourceState`
    /// upgrades older states to.
    pub resources: BTreeMap<String, Schema>,
    /// Data sources by full type name (`<provider>_<name>`).
    pub data_sources: BTreeMap<String, Schema>,
    /// Provider-defined functions by name (called as `provider::<p>::<name>`).
    pub functions: BTreeMap<String, Function>,
}

/// A versioned configuration block.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Schema {
    pub version: i64,
    pub block: Block,
}

impl Schema {
    /// Version 0 of `block`.
    pub fn new(block: Block) -> Self {
        Self { version: 0, block }
    }

    /// The same schema with another version.
    #[must_use]
    pub fn with_version(mut self, version: i64) -> Self {
        self.version = version;
        self
    }
}

/// How a description is formatted.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub enum StringKind {
    Plain,
    #[default]
    Markdown,
}

/// A configuration block: attributes and nested blocks.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Block {
    pub attributes: Vec<Attribute>,
    pub block_types: Vec<NestedBlock>,
    pub description: String,
    pub description_kind: StringKind,
    pub deprecated: bool,
}

impl Block {
    /// An empty block with a Markdown description.
    pub fn new(description: impl Into<String>) -> Self {
        Self {
            description: description.into(),
            ..Self::default()
        }
    }

    /// Adds an attribute.
    #[must_use]
    pub fn attribute(mut self, attribute: Attribute) -> Self {
        self.attributes.push(attribute);
        self
    }

    /// Adds attributes.
    #[must_use]
    pub fn attributes(mut self, attributes: impl IntoIterator<Item = Attribute>) -> Self {
        self.attributes.extend(attributes);
        self
    }

    /// Adds a nested block type.
    #[must_use]
    pub fn block_type(mut self, block: NestedBlock) -> Self {
        self.block_types.push(block);
        self
    }

    /// Marks the block deprecated.
    #[must_use]
    pub fn deprecated(mut self) -> Self {
        self.deprecated = true;
        self
    }

    /// The attribute called `name`.
    pub fn find_attribute(&self, name: &str) -> Option<&Attribute> {
        self.attributes.iter().find(|a| a.name == name)
    }

    /// The object type of this block's values (what configuration and state
    /// values are decoded and encoded with).
    pub fn value_type(&self) -> Type {
        let mut attrs: BTreeMap<String, Type> = self
            .attributes
            .iter()
            .map(|a| (a.name.clone(), a.value_type()))
            .collect();
        for b in &self.block_types {
            let obj = b.block.value_type();
            let t = match b.nesting {
                BlockNesting::Single | BlockNesting::Group => obj,
                BlockNesting::List => Type::list(obj),
                BlockNesting::Set => Type::set(obj),
                BlockNesting::Map => Type::map(obj),
            };
            attrs.insert(b.type_name.clone(), t);
        }
        Type::Object {
            attrs,
            optional: Default::default(),
        }
    }
}

/// How the objects of a nested attribute are collected.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ObjectNesting {
    /// One object: `attr = { ... }`.
    Single,
    /// A list of objects: `attr = [{ ... }]`.
    List,
    /// A set of objects.
    Set,
    /// A map of objects: `attr = { key = { ... } }`.
    Map,
}

/// What an attribute holds.
#[derive(Debug, Clone, PartialEq)]
pub enum AttributeKind {
    /// A value of a cty type.
    Type(Type),
    /// Objects with their own attributes (protocol 6 nested attributes):
    /// each nested attribute has its own required/optional/computed flags,
    /// so users get typed optional fields inside, e.g., maps of objects.
    Nested {
        nesting: ObjectNesting,
        attributes: Vec<Attribute>,
    },
}

/// An attribute of a block.
#[derive(Debug, Clone, PartialEq)]
pub struct Attribute {
    pub name: String,
    pub kind: AttributeKind,
    /// Markdown.
    pub description: String,
    pub required: bool,
    pub optional: bool,
    pub computed: bool,
    pub sensitive: bool,
    pub deprecated: bool,
}

impl Attribute {
    fn new(name: impl Into<String>, kind: AttributeKind, description: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            kind,
            description: description.into(),
            required: false,
            optional: false,
            computed: false,
            sensitive: false,
            deprecated: false,
        }
    }

    /// An attribute the user must set.
    pub fn required(name: impl Into<String>, ty: Type, description: impl Into<String>) -> Self {
        Self::new(name, AttributeKind::Type(ty), description).required_flag()
    }

    /// An attribute the user may set.
    pub fn optional(name: impl Into<String>, ty: Type, description: impl Into<String>) -> Self {
        Self::new(name, AttributeKind::Type(ty), description).optional_flag()
    }

    /// An attribute the provider sets (read-only for the user). Chain
    /// `.make_optional_computed()` for one the user may also set.
    pub fn computed(name: impl Into<String>, ty: Type, description: impl Into<String>) -> Self {
        Self::new(name, AttributeKind::Type(ty), description).computed_flag()
    }

    /// A nested attribute; optional unless `.make_required()`,
    /// `.make_computed()` or `.make_optional_computed()` is chained.
    pub fn nested(
        name: impl Into<String>,
        nesting: ObjectNesting,
        attributes: Vec<Attribute>,
        description: impl Into<String>,
    ) -> Self {
        Self::new(
            name,
            AttributeKind::Nested {
                nesting,
                attributes,
            },
            description,
        )
        .optional_flag()
    }

    fn required_flag(mut self) -> Self {
        (self.required, self.optional, self.computed) = (true, false, false);
        self
    }

    fn optional_flag(mut self) -> Self {
        (self.required, self.optional, self.computed) = (false, true, false);
        self
    }

    fn computed_flag(mut self) -> Self {
        (self.required, self.optional, self.computed) = (false, false, true);
        self
    }

    /// Makes the attribute required: the user must set it. (The constructors
    /// own the names `required`/`optional`/`computed`, hence `make_*`.)
    #[must_use]
    pub fn make_required(self) -> Self {
        self.required_flag()
    }

    /// Makes the attribute optional: the user may set it.
    #[must_use]
    pub fn make_optional(self) -> Self {
        self.optional_flag()
    }

    /// Makes the attribute computed: only the provider sets it.
    #[must_use]
    pub fn make_computed(self) -> Self {
        self.computed_flag()
    }

    /// Makes the attribute optional and computed: the user may set it, else
    /// the provider does.
    #[must_use]
    pub fn make_optional_computed(mut self) -> Self {
        (self.required, self.optional, self.computed) = (false, true, true);
        self
    }

    /// Marks the value sensitive (hidden in plan output).
    #[must_use]
    pub fn sensitive(mut self) -> Self {
        self.sensitive = true;
        self
    }

    /// Marks the attribute deprecated.
    #[must_use]
    pub fn deprecated(mut self) -> Self {
        self.deprecated = true;
        self
    }

    /// The type of this attribute's values.
    pub fn value_type(&self) -> Type {
        match &self.kind {
            AttributeKind::Type(t) => t.clone(),
            AttributeKind::Nested {
                nesting,
                attributes,
            } => {
                let obj = Type::Object {
                    attrs: attributes
                        .iter()
                        .map(|a| (a.name.clone(), a.value_type()))
                        .collect(),
                    optional: Default::default(),
                };
                match nesting {
                    ObjectNesting::Single => obj,
                    ObjectNesting::List => Type::list(obj),
                    ObjectNesting::Set => Type::set(obj),
                    ObjectNesting::Map => Type::map(obj),
                }
            }
        }
    }
}

/// How a nested block repeats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum BlockNesting {
    Single,
    Group,
    List,
    Set,
    Map,
}

/// A nested block type (`name { ... }` inside a block). Nested attributes
/// ([`AttributeKind::Nested`]) are usually the better choice in protocol 6.
#[derive(Debug, Clone, PartialEq)]
pub struct NestedBlock {
    pub type_name: String,
    pub block: Block,
    pub nesting: BlockNesting,
    pub min_items: i64,
    pub max_items: i64,
}

impl NestedBlock {
    /// A nested block type with no item limits.
    pub fn new(type_name: impl Into<String>, nesting: BlockNesting, block: Block) -> Self {
        Self {
            type_name: type_name.into(),
            block,
            nesting,
            min_items: 0,
            max_items: 0,
        }
    }
}

/// A provider-defined function.
#[derive(Debug, Clone, PartialEq)]
pub struct Function {
    pub parameters: Vec<Parameter>,
    /// Zero or more trailing arguments of one type. The provider receives
    /// them as one list value after the positional arguments.
    pub variadic_parameter: Option<Parameter>,
    pub return_type: Type,
    /// One line.
    pub summary: String,
    /// Markdown.
    pub description: String,
    /// Non-empty when the function is deprecated.
    pub deprecation_message: String,
}

impl Function {
    /// A function returning `return_type`, with no parameters yet.
    pub fn new(return_type: Type, summary: impl Into<String>) -> Self {
        Self {
            parameters: Vec::new(),
            variadic_parameter: None,
            return_type,
            summary: summary.into(),
            description: String::new(),
            deprecation_message: String::new(),
        }
    }

    /// Adds a positional parameter.
    #[must_use]
    pub fn parameter(mut self, p: Parameter) -> Self {
        self.parameters.push(p);
        self
    }

    /// Sets the variadic parameter.
    #[must_use]
    pub fn variadic(mut self, p: Parameter) -> Self {
        self.variadic_parameter = Some(p);
        self
    }

    /// Sets the Markdown description.
    #[must_use]
    pub fn description(mut self, description: impl Into<String>) -> Self {
        self.description = description.into();
        self
    }

    /// Marks the function deprecated.
    #[must_use]
    pub fn deprecated(mut self, message: impl Into<String>) -> Self {
        self.deprecation_message = message.into();
        self
    }
}

/// A function parameter.
#[derive(Debug, Clone, PartialEq)]
pub struct Parameter {
    pub name: String,
    pub ty: Type,
    /// When false, Terraform itself rejects null arguments.
    pub allow_null_value: bool,
    /// When false, Terraform does not call the function while this argument
    /// is unknown (the result is unknown).
    pub allow_unknown_values: bool,
    /// Markdown.
    pub description: String,
}

impl Parameter {
    /// A parameter that accepts neither null nor unknown values.
    pub fn new(name: impl Into<String>, ty: Type, description: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            ty,
            allow_null_value: false,
            allow_unknown_values: false,
            description: description.into(),
        }
    }

    /// Lets the argument be null.
    #[must_use]
    pub fn allow_null(mut self) -> Self {
        self.allow_null_value = true;
        self
    }

    /// Lets the function be called with unknown values in the argument.
    #[must_use]
    pub fn allow_unknown(mut self) -> Self {
        self.allow_unknown_values = true;
        self
    }
}
