//! Protocol 5: the `tfplugin5.Provider` gRPC service, served when the host
//! does not offer protocol 6. It shares the handshake, TLS, the value codec,
//! the dispatch to the [`Provider`] and its panic handling with protocol 6;
//! only the wire types and the schema of nested attributes differ.
//!
//! Protocol 5 has no nested attributes (`Schema.Attribute.nested_type`). A
//! nested attribute becomes a plain attribute whose type is the implied
//! object type (in a list, set or map for those nestings), and when the user
//! may set it, the nested attributes they may leave out (optional ones, and
//! computed ones) are *optional attributes* of that object type
//! (`["object",{...},["cidrs",...]]`). Terraform decodes configuration with
//! such a type constraint the way it decodes protocol 6 nested attributes:
//! omitted optional attributes become null, missing required ones are
//! errors, and the values the provider receives and returns have every
//! attribute (Terraform strips the markers from the value type). What
//! protocol 5 cannot say: per-attribute descriptions, deprecation and
//! sensitivity inside the object (a nested sensitive attribute makes the
//! whole attribute sensitive), and that a nested computed attribute is
//! read-only (the user may set it; the provider overwrites it).
//!
//! Everything not listed here answers `Unimplemented` (the generated default
//! stubs).

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use tonic::{Request, Response, Status};

use super::Provider;
use super::core::Core;
use crate::proto::tfplugin5 as pb;
use crate::schema::{Attribute, AttributeKind, ObjectNesting};
use crate::value::Type;

super::wire::shared_conversions!();

pub(crate) struct ProviderV5<P> {
    core: Arc<Core<P>>,
}

impl<P> ProviderV5<P> {
    pub(crate) fn new(core: Arc<Core<P>>) -> Self {
        Self { core }
    }
}

#[tonic::async_trait]
impl<P: Provider> pb::provider_server::Provider for ProviderV5<P> {
    async fn get_metadata(
        &self,
        _request: Request<pb::get_metadata::Request>,
    ) -> Result<Response<pb::get_metadata::Response>, Status> {
        Ok(Response::new(metadata_response(self.core.schema().await)))
    }

    async fn get_schema(
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

    /// Protocol 5's `ValidateProviderConfig`. The configuration comes back
    /// unchanged as the "prepared" one (this crate has no defaults to fill
    /// in).
    async fn prepare_provider_config(
        &self,
        request: Request<pb::prepare_provider_config::Request>,
    ) -> Result<Response<pb::prepare_provider_config::Response>, Status> {
        let req = request.into_inner();
        let prepared = req.config.clone();
        let diags = self.core.validate_provider_config(wire(req.config)).await;
        Ok(Response::new(pb::prepare_provider_config::Response {
            prepared_config: prepared,
            diagnostics: diagnostics(diags),
        }))
    }

    async fn configure(
        &self,
        request: Request<pb::configure::Request>,
    ) -> Result<Response<pb::configure::Response>, Status> {
        let req = request.into_inner();
        let diags = self
            .core
            .configure_provider(req.terraform_version, wire(req.config))
            .await;
        Ok(Response::new(pb::configure::Response {
            diagnostics: diagnostics(diags),
        }))
    }

    async fn validate_data_source_config(
        &self,
        request: Request<pb::validate_data_source_config::Request>,
    ) -> Result<Response<pb::validate_data_source_config::Response>, Status> {
        let req = request.into_inner();
        let diags = self
            .core
            .validate_data_source_config(req.type_name, wire(req.config))
            .await;
        Ok(Response::new(pb::validate_data_source_config::Response {
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

    async fn validate_resource_type_config(
        &self,
        request: Request<pb::validate_resource_type_config::Request>,
    ) -> Result<Response<pb::validate_resource_type_config::Response>, Status> {
        let req = request.into_inner();
        let diags = self
            .core
            .validate_resource_config(req.type_name, wire(req.config))
            .await;
        Ok(Response::new(pb::validate_resource_type_config::Response {
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

    async fn stop(
        &self,
        _request: Request<pb::stop::Request>,
    ) -> Result<Response<pb::stop::Response>, Status> {
        let error = stop_error(self.core.stop().await);
        Ok(Response::new(pb::stop::Response { error }))
    }
}

fn attribute_pb(a: &Attribute) -> pb::schema::Attribute {
    let (ty, sensitive) = lowered_type(a, a.required || a.optional);
    pb::schema::Attribute {
        name: a.name.clone(),
        r#type: ty.to_json_bytes(),
        description: a.description.clone(),
        required: a.required,
        optional: a.optional,
        computed: a.computed,
        sensitive,
        description_kind: string_kind(StringKind::Markdown),
        deprecated: a.deprecated,
        write_only: false,
        deprecation_message: String::new(),
    }
}

/// The protocol 5 type of an attribute, and whether it or anything nested in
/// it is sensitive. `settable`: the user may set the (outermost) attribute,
/// so the nested attributes they may leave out are optional attributes of
/// the object type; in read-only attributes the type carries no markers.
pub(crate) fn lowered_type(a: &Attribute, settable: bool) -> (Type, bool) {
    match &a.kind {
        AttributeKind::Type(t) => (t.clone(), a.sensitive),
        AttributeKind::Nested {
            nesting,
            attributes,
        } => {
            let mut attrs = BTreeMap::new();
            let mut optional = BTreeSet::new();
            let mut sensitive = a.sensitive;
            for inner in attributes {
                let (t, s) = lowered_type(inner, settable);
                sensitive |= s;
                if settable && !inner.required {
                    optional.insert(inner.name.clone());
                }
                attrs.insert(inner.name.clone(), t);
            }
            let object = Type::Object { attrs, optional };
            let ty = match nesting {
                ObjectNesting::Single => object,
                ObjectNesting::List => Type::list(object),
                ObjectNesting::Set => Type::set(object),
                ObjectNesting::Map => Type::map(object),
            };
            (ty, sensitive)
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    fn node_attributes() -> Vec<Attribute> {
        vec![
            Attribute::required("components", Type::set(Type::String), "C."),
            Attribute::optional("cidrs", Type::list(Type::String), "Networks."),
            Attribute::computed("id", Type::String, "Computed."),
        ]
    }

    #[test]
    fn settable_nested_attributes_become_object_types_with_optional_attributes() {
        let a = Attribute::nested("nodes", ObjectNesting::Map, node_attributes(), "Nodes.")
            .make_required();
        let pb = attribute_pb(&a);
        assert!(pb.required && !pb.optional && !pb.computed);
        assert!(!pb.sensitive);
        assert_eq!(
            String::from_utf8(pb.r#type).unwrap(),
            r#"["map",["object",{"cidrs":["list","string"],"components":["set","string"],"id":"string"},["cidrs","id"]]]"#
        );
    }

    #[test]
    fn every_nesting_is_lowered() {
        let inner = vec![Attribute::optional("x", Type::Number, "X.")];
        let ty = |nesting| {
            let a = Attribute::nested("a", nesting, inner.clone(), "A.");
            String::from_utf8(attribute_pb(&a).r#type).unwrap()
        };
        assert_eq!(
            ty(ObjectNesting::Single),
            r#"["object",{"x":"number"},["x"]]"#
        );
        assert_eq!(
            ty(ObjectNesting::List),
            r#"["list",["object",{"x":"number"},["x"]]]"#
        );
        assert_eq!(
            ty(ObjectNesting::Set),
            r#"["set",["object",{"x":"number"},["x"]]]"#
        );
        assert_eq!(
            ty(ObjectNesting::Map),
            r#"["map",["object",{"x":"number"},["x"]]]"#
        );
    }

    #[test]
    fn computed_nested_attributes_have_plain_object_types() {
        let a = Attribute::nested("rules", ObjectNesting::Map, node_attributes(), "Rules.")
            .make_computed();
        let pb = attribute_pb(&a);
        assert!(pb.computed && !pb.optional && !pb.required);
        assert_eq!(
            String::from_utf8(pb.r#type).unwrap(),
            r#"["map",["object",{"cidrs":["list","string"],"components":["set","string"],"id":"string"}]]"#
        );
    }

    #[test]
    fn deeper_nesting_and_sensitivity() {
        let inner = Attribute::nested(
            "ports",
            ObjectNesting::List,
            vec![
                Attribute::required("from", Type::Number, "F."),
                Attribute::optional("secret", Type::String, "S.").sensitive(),
            ],
            "P.",
        );
        let a = Attribute::nested("svc", ObjectNesting::Single, vec![inner], "Svc.");
        let pb = attribute_pb(&a);
        assert!(
            pb.sensitive,
            "a sensitive nested attribute makes it all sensitive"
        );
        assert_eq!(
            String::from_utf8(pb.r#type).unwrap(),
            r#"["object",{"ports":["list",["object",{"from":"number","secret":"string"},["secret"]]]},["ports"]]"#
        );
        // The lowered type parses back and its value type is the same one
        // protocol 6 decodes with.
        let parsed = Type::from_json_bytes(&attribute_pb(&a).r#type).unwrap();
        assert_eq!(without_optional(parsed), a.value_type());
    }

    /// What Terraform decodes and encodes values with (cty's
    /// `WithoutOptionalAttributesDeep`).
    fn without_optional(t: Type) -> Type {
        match t {
            Type::List(t) => Type::list(without_optional(*t)),
            Type::Set(t) => Type::set(without_optional(*t)),
            Type::Map(t) => Type::map(without_optional(*t)),
            Type::Tuple(ts) => Type::Tuple(ts.into_iter().map(without_optional).collect()),
            Type::Object { attrs, .. } => {
                Type::object(attrs.into_iter().map(|(k, t)| (k, without_optional(t))))
            }
            t => t,
        }
    }

    #[test]
    fn plain_attributes_are_unchanged() {
        let a = Attribute::optional("names", Type::list(Type::String), "N.").sensitive();
        let pb = attribute_pb(&a);
        assert_eq!(pb.r#type, br#"["list","string"]"#.to_vec());
        assert!(pb.optional && pb.sensitive);
        assert_eq!(pb.description, "N.");
    }
}
