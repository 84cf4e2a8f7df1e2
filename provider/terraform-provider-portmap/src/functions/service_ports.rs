//! `provider::portmap::service_ports(product, component)`: the ports a
//! component listens on, at the catalog's default settings.

use portmap_core::Catalog;
use portmap_core::catalog::{Settings, values::eval_ports};
use portmap_core::suggest::did_you_mean;
use tfplugin::schema::{Function as FunctionSchema, Parameter};
use tfplugin::server::FunctionError;
use tfplugin::value::{Type, Value};

use super::{Function, arg_str};

/// `provider::portmap::service_ports` as a [`Function`]; the module documentation says what it returns.
pub struct ServicePorts;

fn element_type() -> Type {
    Type::object([
        ("flow", Type::String),
        ("from_component", Type::String),
        ("protocol", Type::String),
        ("from_port", Type::Number),
        ("to_port", Type::Number),
        ("app_protocol", Type::String),
        ("purpose", Type::String),
        ("condition", Type::String),
        ("firewall", Type::Bool),
        ("citation", Type::String),
    ])
}

impl Function for ServicePorts {
    fn name(&self) -> &'static str {
        "service_ports"
    }

    fn definition(&self) -> FunctionSchema {
        FunctionSchema::new(Type::list(element_type()), "The ports a catalog component listens on.")
            .description(
                "Returns every flow of the built-in catalog that ends at the component, at the catalog's default settings: one object per protocol and port or range, with the flow id, the component that connects, the protocol and ports, the application protocol, the purpose, the condition (null when unconditional), whether the vendor requires a firewall rule, and the vendor citation. Flows whose ports come from an empty port-list setting are left out.\n\nThe function reads only the built-in catalog, never the provider's `extra_catalogs`: Terraform calls functions on a provider it has not configured, OpenTofu on a configured one during plan and apply but not during validate, so this is the one rule that gives the same answer in every host and phase. Read products of `extra_catalogs` with `data.portmap_catalog`.",
            )
            .parameter(Parameter::new("product", Type::String, "A product id of the built-in catalog, such as `spotfire`."))
            .parameter(Parameter::new(
                "component",
                Type::String,
                "A component of that product, as a full id (`spotfire/server`) or by its id within the product (`server`).",
            ))
    }

    fn call(&self, catalog: &Catalog, args: &[Value]) -> Result<Value, FunctionError> {
        let pid = arg_str(args, 0, "product")?;
        let cid = arg_str(args, 1, "component")?;
        let Some(product) = catalog.product(pid) else {
            let ids = catalog.products().iter().map(|p| p.id.as_str());
            return Err(FunctionError {
                text: format!(
                    "product: the built-in catalog has no product \"{pid}\".{} Known products: {}. Functions read only the built-in catalog, never extra_catalogs, so that they give the same answer in Terraform and OpenTofu and in every phase; read a product of extra_catalogs with data.portmap_catalog",
                    did_you_mean(pid, ids.clone()),
                    ids.collect::<Vec<_>>().join(", ")
                ),
                argument: Some(0),
            });
        };
        let short = match cid.split_once('/') {
            Some((p, c)) if p == pid => c,
            Some((p, _)) => {
                return Err(FunctionError {
                    text: format!(
                        "component: \"{cid}\" belongs to product \"{p}\", not \"{pid}\"."
                    ),
                    argument: Some(1),
                });
            }
            None => cid,
        };
        let Some(component) = product.component(short) else {
            return Err(FunctionError {
                text: format!(
                    "component: product {pid} has no component \"{short}\".{} Its components: {}.",
                    did_you_mean(short, product.components.iter().map(|c| c.id.as_str())),
                    product
                        .components
                        .iter()
                        .map(|c| c.id.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
                argument: Some(1),
            });
        };
        let targets = product.expand(&component.id);
        let settings = Settings::defaults(product);
        let mut out = Vec::new();
        for f in product
            .flows
            .iter()
            .filter(|f| targets.contains(&f.to.as_str()))
        {
            let ports = eval_ports(&f.ports, &settings).unwrap_or_default();
            for proto in f.protocol.list() {
                for r in ports.ranges() {
                    out.push(Value::object([
                        ("flow", Value::from(f.id.as_str())),
                        ("from_component", Value::from(format!("{pid}/{}", f.from))),
                        ("protocol", Value::from(proto.as_str())),
                        ("from_port", Value::from(i64::from(r.from))),
                        ("to_port", Value::from(i64::from(r.to))),
                        ("app_protocol", Value::from(f.app_protocol.as_str())),
                        ("purpose", Value::from(f.purpose.as_str())),
                        (
                            "condition",
                            f.condition
                                .as_ref()
                                .map(|c| Value::from(c.to_string()))
                                .unwrap_or(Value::Null),
                        ),
                        ("firewall", Value::from(f.firewall)),
                        ("citation", Value::from(product.citation_text(f))),
                    ]));
                }
            }
        }
        Ok(Value::List(out))
    }
}
