//! `provider::portmap::rule_key(node, direction, peer, protocol, from_port,
//! to_port)`: the key `portmap_flows` gives the rule with these properties.

use portmap_core::Catalog;
use portmap_core::topology::check_node_name;
use tfplugin::schema::{Function as FunctionSchema, Parameter};
use tfplugin::server::FunctionError;
use tfplugin::value::{Type, Value};

use super::{Function, arg_port, arg_str};

/// `provider::portmap::rule_key` as a [`Function`]; the module documentation says what it returns.
pub struct RuleKey;

impl Function for RuleKey {
    fn name(&self) -> &'static str {
        "rule_key"
    }

    fn definition(&self) -> FunctionSchema {
        FunctionSchema::new(Type::String, "The key portmap_flows gives a rule.")
            .description(
                "Builds the stable key under which `portmap_flows` (and its `rules` map) lists the rule of `node` in `direction` with `peer`, on `protocol` and ports `from_port`-`to_port`, e.g. `app:ingress:clients:tcp:4100`. Use it to look a rule up or to assert in a `check` block that a rule exists, without writing the key format by hand.",
            )
            .parameter(Parameter::new("node", Type::String, "The node the rule belongs to."))
            .parameter(Parameter::new("direction", Type::String, "`ingress` or `egress`."))
            .parameter(Parameter::new("peer", Type::String, "The node at the other end."))
            .parameter(Parameter::new("protocol", Type::String, "`tcp` or `udp`."))
            .parameter(Parameter::new("from_port", Type::Number, "First port, 1-65535."))
            .parameter(Parameter::new("to_port", Type::Number, "Last port, from `from_port` to 65535."))
    }

    fn call(&self, _catalog: &Catalog, args: &[Value]) -> Result<Value, FunctionError> {
        let node = arg_str(args, 0, "node")?;
        let direction = arg_str(args, 1, "direction")?;
        let peer = arg_str(args, 2, "peer")?;
        let protocol = arg_str(args, 3, "protocol")?;
        let from = arg_port(args, 4, "from_port")?;
        let to = arg_port(args, 5, "to_port")?;
        for (i, name, value) in [(0, "node", node), (2, "peer", peer)] {
            check_node_name(value).map_err(|e| FunctionError {
                text: format!("{name}: {e}."),
                argument: Some(i),
            })?;
        }
        if !matches!(direction, "ingress" | "egress") {
            return Err(FunctionError {
                text: format!("direction: \"{direction}\" is neither \"ingress\" nor \"egress\"."),
                argument: Some(1),
            });
        }
        if !matches!(protocol, "tcp" | "udp") {
            return Err(FunctionError {
                text: format!("protocol: \"{protocol}\" is neither \"tcp\" nor \"udp\"."),
                argument: Some(3),
            });
        }
        if to < from {
            return Err(FunctionError {
                text: format!("to_port: {to} is below from_port {from}."),
                argument: Some(5),
            });
        }
        let ports = portmap_core::ports::PortRange::new(from, to);
        Ok(Value::from(format!(
            "{node}:{direction}:{peer}:{protocol}:{ports}"
        )))
    }
}
