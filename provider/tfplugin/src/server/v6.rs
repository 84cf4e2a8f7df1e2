//! Protocol 6: the `tfplugin6.Provider` gRPC service and the conversions
//! between this crate's types and the `tfplugin6` wire types. Everything not
//! listed here answers `Unimplemented` (the generated default stubs).

use std::collections::HashMap;
use std::sync::Arc;

use tonic::{Request, Response, Status};

use super::Provider;
use super::core::{Core, WireValue};
use crate::diag::{AttributePath, Diagnostic, Diagnostics, PathStep, Severity};
use crate::proto::tfplugin6 as pb;
use crate::schema::{
    Attribute, AttributeKind, Block, BlockNesting, Function, NestedBlock, ObjectNesting, Parameter,
    ProviderSchema, Schema, StringKind,
};

pub(crate) struct ProviderV6<P> {
    core: Arc<Core<P>>,
}

impl<P> ProviderV6<P> {
    pub(crate) fn new(core: Arc<Core<P>>) -> Self {
        Self { core }
    }
}

fn wire(v: Option<pb::DynamicValue>) -> Option<WireValue> {
    v.map(|v| WireValue {
        msgpack: v.msgpack,
        json: v.json,
    })
}

fn dynamic(msgpack: Vec<u8>) -> pb::DynamicValue {
    pb::DynamicValue {
        msgpack,
        json: Vec::new(),
    }
}

#[tonic::async_trait]
impl<P: Provider> pb::provider_server::Provider for ProviderV6<P> {
    async fn get_metadata(
        &self,
        _request: Request<pb::get_metadata::Request>,
    ) -> Result<Response<pb::get_metadata::Response>, Status> {
        let mut resp = pb::get_metadata::Response {
            server_capabilities: Some(capabilities()),
            ..Default::default()
        };
        match self.core.schema().await {
            Ok(schema) => {
                resp.data_sources = schema
                    .data_sources
                    .keys()
                    .map(|name| pb::get_metadata::DataSourceMetadata {
                        type_name: name.clone(),
                    })
                    .collect();
                resp.functions = schema
                    .functions
                    .keys()
                    .map(|name| pb::get_metadata::FunctionMetadata { name: name.clone() })
                    .collect();
            }
            Err(d) => resp.diagnostics = diagnostics(d),
        }
        Ok(Response::new(resp))
    }

    async fn get_provider_schema(
        &self,
        _request: Request<pb::get_provider_schema::Request>,
    ) -> Result<Response<pb::get_provider_schema::Response>, Status> {
        let mut resp = pb::get_provider_schema::Response {
            server_capabilities: Some(capabilities()),
            ..Default::default()
        };
        match self.core.schema().await {
            Ok(schema) => provider_schema(&schema, &mut resp),
            Err(d) => resp.diagnostics = diagnostics(d),
        }
        Ok(Response::new(resp))
    }

    async fn validate_provider_config(
        &self,
        request: Request<pb::validate_provider_config::Request>,
    ) -> Result<Response<pb::validate_provider_config::Response>, Status> {
        let req = request.into_inner();
        let diags = self.core.validate_provider_config(wire(req.config)).await;
        Ok(Response::new(pb::validate_provider_config::Response {
            diagnostics: diagnostics(diags),
        }))
    }

    async fn configure_provider(
        &self,
        request: Request<pb::configure_provider::Request>,
    ) -> Result<Response<pb::configure_provider::Response>, Status> {
        let req = request.into_inner();
        let diags = self
            .core
            .configure_provider(req.terraform_version, wire(req.config))
            .await;
        Ok(Response::new(pb::configure_provider::Response {
            diagnostics: diagnostics(diags),
        }))
    }

    async fn validate_data_resource_config(
        &self,
        request: Request<pb::validate_data_resource_config::Request>,
    ) -> Result<Response<pb::validate_data_resource_config::Response>, Status> {
        let req = request.into_inner();
        let diags = self
            .core
            .validate_data_source_config(req.type_name, wire(req.config))
            .await;
        Ok(Response::new(pb::validate_data_resource_config::Response {
            diagnostics: diagnostics(diags),
        }))
    }

    async fn read_data_source(
        &self,
        request: Request<pb::read_data_source::Request>,
    ) -> Result<Response<pb::read_data_source::Response>, Status> {
        let req = request.into_inner();
        let (state, diags) = self
            .core
            .read_data_source(req.type_name, wire(req.config))
            .await;
        Ok(Response::new(pb::read_data_source::Response {
            state: state.map(dynamic),
            diagnostics: diagnostics(diags),
            deferred: None,
        }))
    }

    async fn get_functions(
        &self,
        _request: Request<pb::get_functions::Request>,
    ) -> Result<Response<pb::get_functions::Response>, Status> {
        let mut resp = pb::get_functions::Response::default();
        match self.core.schema().await {
            Ok(schema) => resp.functions = functions(&schema),
            Err(d) => resp.diagnostics = diagnostics(d),
        }
        Ok(Response::new(resp))
    }

    async fn call_function(
        &self,
        request: Request<pb::call_function::Request>,
    ) -> Result<Response<pb::call_function::Response>, Status> {
        let req = request.into_inner();
        let args = req
            .arguments
            .into_iter()
            .map(|a| WireValue {
                msgpack: a.msgpack,
                json: a.json,
            })
            .collect();
        let resp = match self.core.call_function(req.name, args).await {
            Ok(result) => pb::call_function::Response {
                result: Some(dynamic(result)),
                error: None,
            },
            Err(e) => pb::call_function::Response {
                result: None,
                error: Some(pb::FunctionError {
                    text: e.text,
                    function_argument: e.argument,
                }),
            },
        };
        Ok(Response::new(resp))
    }

    async fn stop_provider(
        &self,
        _request: Request<pb::stop_provider::Request>,
    ) -> Result<Response<pb::stop_provider::Response>, Status> {
        let error = match self.core.stop().await {
            Ok(()) => String::new(),
            Err(panic) => format!("the provider panicked while stopping: {panic}"),
        };
        Ok(Response::new(pb::stop_provider::Response { error }))
    }
}

fn capabilities() -> pb::ServerCapabilities {
    pb::ServerCapabilities {
        // The schema never changes within a process: Terraform may cache it
        // and skip GetProviderSchema in the provider's later processes.
        get_provider_schema_optional: true,
        ..Default::default()
    }
}

fn provider_schema(schema: &ProviderSchema, resp: &mut pb::get_provider_schema::Response) {
    resp.provider = Some(schema_pb(&schema.provider));
    resp.data_source_schemas = schema
        .data_sources
        .iter()
        .map(|(name, s)| (name.clone(), schema_pb(s)))
        .collect();
    resp.functions = functions(schema);
}

fn functions(schema: &ProviderSchema) -> HashMap<String, pb::Function> {
    schema
        .functions
        .iter()
        .map(|(name, f)| (name.clone(), function_pb(f)))
        .collect()
}

fn string_kind(k: StringKind) -> i32 {
    match k {
        StringKind::Plain => pb::StringKind::Plain as i32,
        StringKind::Markdown => pb::StringKind::Markdown as i32,
    }
}

pub(crate) fn schema_pb(s: &Schema) -> pb::Schema {
    pb::Schema {
        version: s.version,
        block: Some(block_pb(&s.block, s.version)),
    }
}

fn block_pb(b: &Block, version: i64) -> pb::schema::Block {
    pb::schema::Block {
        version,
        attributes: b.attributes.iter().map(attribute_pb).collect(),
        block_types: b.block_types.iter().map(nested_block_pb).collect(),
        description: b.description.clone(),
        description_kind: string_kind(b.description_kind),
        deprecated: b.deprecated,
        deprecation_message: String::new(),
    }
}

fn attribute_pb(a: &Attribute) -> pb::schema::Attribute {
    let (ty, nested_type) = match &a.kind {
        AttributeKind::Type(t) => (t.to_json_bytes(), None),
        AttributeKind::Nested {
            nesting,
            attributes,
        } => {
            let nesting = match nesting {
                ObjectNesting::Single => pb::schema::object::NestingMode::Single,
                ObjectNesting::List => pb::schema::object::NestingMode::List,
                ObjectNesting::Set => pb::schema::object::NestingMode::Set,
                ObjectNesting::Map => pb::schema::object::NestingMode::Map,
            };
            #[allow(deprecated)]
            let object = pb::schema::Object {
                attributes: attributes.iter().map(attribute_pb).collect(),
                nesting: nesting as i32,
                min_items: 0,
                max_items: 0,
            };
            (Vec::new(), Some(object))
        }
    };
    pb::schema::Attribute {
        name: a.name.clone(),
        r#type: ty,
        nested_type,
        description: a.description.clone(),
        required: a.required,
        optional: a.optional,
        computed: a.computed,
        sensitive: a.sensitive,
        description_kind: string_kind(StringKind::Markdown),
        deprecated: a.deprecated,
        write_only: false,
        deprecation_message: String::new(),
    }
}

fn nested_block_pb(b: &NestedBlock) -> pb::schema::NestedBlock {
    let nesting = match b.nesting {
        BlockNesting::Single => pb::schema::nested_block::NestingMode::Single,
        BlockNesting::Group => pb::schema::nested_block::NestingMode::Group,
        BlockNesting::List => pb::schema::nested_block::NestingMode::List,
        BlockNesting::Set => pb::schema::nested_block::NestingMode::Set,
        BlockNesting::Map => pb::schema::nested_block::NestingMode::Map,
    };
    pb::schema::NestedBlock {
        type_name: b.type_name.clone(),
        block: Some(block_pb(&b.block, 0)),
        nesting: nesting as i32,
        min_items: b.min_items,
        max_items: b.max_items,
    }
}

fn parameter_pb(p: &Parameter) -> pb::function::Parameter {
    pb::function::Parameter {
        name: p.name.clone(),
        r#type: p.ty.to_json_bytes(),
        allow_null_value: p.allow_null_value,
        allow_unknown_values: p.allow_unknown_values,
        description: p.description.clone(),
        description_kind: string_kind(StringKind::Markdown),
    }
}

pub(crate) fn function_pb(f: &Function) -> pb::Function {
    pb::Function {
        parameters: f.parameters.iter().map(parameter_pb).collect(),
        variadic_parameter: f.variadic_parameter.as_ref().map(parameter_pb),
        r#return: Some(pb::function::Return {
            r#type: f.return_type.to_json_bytes(),
        }),
        summary: f.summary.clone(),
        description: f.description.clone(),
        description_kind: string_kind(StringKind::Markdown),
        deprecation_message: f.deprecation_message.clone(),
    }
}

pub(crate) fn diagnostics(d: Diagnostics) -> Vec<pb::Diagnostic> {
    d.into_iter().map(diagnostic_pb).collect()
}

fn diagnostic_pb(d: Diagnostic) -> pb::Diagnostic {
    let severity = match d.severity {
        Severity::Error => pb::diagnostic::Severity::Error,
        Severity::Warning => pb::diagnostic::Severity::Warning,
    };
    pb::Diagnostic {
        severity: severity as i32,
        summary: d.summary,
        detail: d.detail,
        attribute: d.attribute.filter(|p| !p.is_empty()).map(path_pb),
    }
}

fn path_pb(p: AttributePath) -> pb::AttributePath {
    use pb::attribute_path::step::Selector;
    pb::AttributePath {
        steps: p
            .steps()
            .iter()
            .map(|s| pb::attribute_path::Step {
                selector: Some(match s {
                    PathStep::Attr(n) => Selector::AttributeName(n.clone()),
                    PathStep::Key(k) => Selector::ElementKeyString(k.clone()),
                    PathStep::Index(i) => Selector::ElementKeyInt(*i),
                }),
            })
            .collect(),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;
    use crate::value::Type;

    #[test]
    fn attribute_paths_map_to_steps() {
        use pb::attribute_path::step::Selector;
        let p = path_pb(
            AttributePath::new()
                .attr("nodes")
                .key("app")
                .attr("cidrs")
                .index(0),
        );
        let sel: Vec<_> = p.steps.into_iter().map(|s| s.selector.unwrap()).collect();
        assert_eq!(
            sel,
            vec![
                Selector::AttributeName("nodes".into()),
                Selector::ElementKeyString("app".into()),
                Selector::AttributeName("cidrs".into()),
                Selector::ElementKeyInt(0),
            ]
        );
    }

    #[test]
    fn nested_attributes_convert() {
        let a = Attribute::nested(
            "nodes",
            ObjectNesting::Map,
            vec![Attribute::optional("public", Type::Bool, "x")],
            "Nodes.",
        )
        .make_required();
        let pb = attribute_pb(&a);
        assert!(pb.r#type.is_empty());
        assert!(pb.required && !pb.optional && !pb.computed);
        let obj = pb.nested_type.unwrap();
        assert_eq!(obj.nesting, pb::schema::object::NestingMode::Map as i32);
        assert_eq!(obj.attributes[0].r#type, br#""bool""#.to_vec());
        assert_eq!(pb.description_kind, pb::StringKind::Markdown as i32);
    }

    #[test]
    fn diagnostics_convert() {
        let d = diagnostics(
            vec![
                Diagnostic::error("bad", "worse").at(AttributePath::root("a")),
                Diagnostic::warning("meh", ""),
            ]
            .into(),
        );
        assert_eq!(d[0].severity, pb::diagnostic::Severity::Error as i32);
        assert_eq!(d[0].attribute.as_ref().unwrap().steps.len(), 1);
        assert_eq!(d[1].severity, pb::diagnostic::Severity::Warning as i32);
        assert!(d[1].attribute.is_none());
    }
}
