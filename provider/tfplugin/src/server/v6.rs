//! Protocol 6: the `tfplugin6.Provider` gRPC service and the conversions
//! between this crate's types and the `tfplugin6` wire types. Everything not
//! listed here answers `Unimplemented` (the generated default stubs).

use std::sync::Arc;

use tonic::{Request, Response, Status};

use super::Provider;
use super::core::Core;
use crate::proto::tfplugin6 as pb;
use crate::schema::{Attribute, AttributeKind, ObjectNesting};

super::wire::shared_conversions!();

pub(crate) struct ProviderV6<P> {
    core: Arc<Core<P>>,
}

impl<P> ProviderV6<P> {
    pub(crate) fn new(core: Arc<Core<P>>) -> Self {
        Self { core }
    }
}

#[tonic::async_trait]
impl<P: Provider> pb::provider_server::Provider for ProviderV6<P> {
    async fn get_metadata(
        &self,
        _request: Request<pb::get_metadata::Request>,
    ) -> Result<Response<pb::get_metadata::Response>, Status> {
        Ok(Response::new(metadata_response(self.core.schema().await)))
    }

    async fn get_provider_schema(
        &self,
        _request: Request<pb::get_provider_schema::Request>,
    ) -> Result<Response<pb::get_provider_schema::Response>, Status> {
        Ok(Response::new(schema_response(self.core.schema().await)))
    }

    /// No resource declares an identity. OpenTofu (1.12) calls this on every
    /// schema load; Terraform calls it too but also accepts Unimplemented.
    async fn get_resource_identity_schemas(
        &self,
        _request: Request<pb::get_resource_identity_schemas::Request>,
    ) -> Result<Response<pb::get_resource_identity_schemas::Response>, Status> {
        Ok(Response::new(pb::get_resource_identity_schemas::Response {
            identity_schemas: Default::default(),
            diagnostics: Vec::new(),
        }))
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

    async fn validate_resource_config(
        &self,
        request: Request<pb::validate_resource_config::Request>,
    ) -> Result<Response<pb::validate_resource_config::Response>, Status> {
        let req = request.into_inner();
        let diags = self
            .core
            .validate_resource_config(req.type_name, wire(req.config))
            .await;
        Ok(Response::new(pb::validate_resource_config::Response {
            diagnostics: diagnostics(diags),
        }))
    }

    async fn upgrade_resource_state(
        &self,
        request: Request<pb::upgrade_resource_state::Request>,
    ) -> Result<Response<pb::upgrade_resource_state::Response>, Status> {
        Ok(Response::new(
            upgrade_resource_state(&self.core, request.into_inner()).await,
        ))
    }

    async fn read_resource(
        &self,
        request: Request<pb::read_resource::Request>,
    ) -> Result<Response<pb::read_resource::Response>, Status> {
        Ok(Response::new(
            read_resource(&self.core, request.into_inner()).await,
        ))
    }

    async fn plan_resource_change(
        &self,
        request: Request<pb::plan_resource_change::Request>,
    ) -> Result<Response<pb::plan_resource_change::Response>, Status> {
        Ok(Response::new(
            plan_resource_change(&self.core, request.into_inner()).await,
        ))
    }

    async fn apply_resource_change(
        &self,
        request: Request<pb::apply_resource_change::Request>,
    ) -> Result<Response<pb::apply_resource_change::Response>, Status> {
        Ok(Response::new(
            apply_resource_change(&self.core, request.into_inner()).await,
        ))
    }

    async fn import_resource_state(
        &self,
        request: Request<pb::import_resource_state::Request>,
    ) -> Result<Response<pb::import_resource_state::Response>, Status> {
        Ok(Response::new(
            import_resource_state(&self.core, request.into_inner()).await,
        ))
    }

    async fn get_functions(
        &self,
        _request: Request<pb::get_functions::Request>,
    ) -> Result<Response<pb::get_functions::Response>, Status> {
        Ok(Response::new(functions_response(self.core.schema().await)))
    }

    async fn call_function(
        &self,
        request: Request<pb::call_function::Request>,
    ) -> Result<Response<pb::call_function::Response>, Status> {
        let req = request.into_inner();
        let result = self
            .core
            .call_function(req.name, wire_all(req.arguments))
            .await;
        Ok(Response::new(call_function_response(result)))
    }

    async fn stop_provider(
        &self,
        _request: Request<pb::stop_provider::Request>,
    ) -> Result<Response<pb::stop_provider::Response>, Status> {
        let error = stop_error(self.core.stop().await);
        Ok(Response::new(pb::stop_provider::Response { error }))
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
