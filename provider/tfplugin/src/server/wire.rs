//! Conversions between this crate's types and the wire types that protocols
//! 5 and 6 share field for field (values, diagnostics, attribute paths,
//! functions, blocks, nested blocks, capabilities). The generated `tfplugin5`
//! and `tfplugin6` messages are distinct Rust types, so [`shared_conversions`]
//! expands the same code inside each version's module, with `pb` naming that
//! version's generated module. What differs between the versions (the gRPC
//! service, attributes: nested attributes exist only in protocol 6) is
//! written in `v5.rs` and `v6.rs`.

/// Expands, in the calling module, the conversions both protocol versions
/// share. The module must import its generated types as `pb` and define
/// `fn attribute_pb(&Attribute) -> pb::schema::Attribute`.
macro_rules! shared_conversions {
    () => {
        use $crate::diag::{AttributePath, Diagnostic, Diagnostics, PathStep, Severity};
        use $crate::schema::{
            Block, BlockNesting, Function, NestedBlock, Parameter, ProviderSchema, Schema,
            StringKind,
        };
        use $crate::server::core::WireValue;

        fn wire(v: Option<pb::DynamicValue>) -> Option<WireValue> {
            v.map(|v| WireValue {
                msgpack: v.msgpack,
                json: v.json,
            })
        }

        fn wire_all(values: Vec<pb::DynamicValue>) -> Vec<WireValue> {
            values
                .into_iter()
                .map(|v| WireValue {
                    msgpack: v.msgpack,
                    json: v.json,
                })
                .collect()
        }

        fn dynamic(msgpack: Vec<u8>) -> pb::DynamicValue {
            pb::DynamicValue {
                msgpack,
                json: Vec::new(),
            }
        }

        fn capabilities() -> pb::ServerCapabilities {
            pb::ServerCapabilities {
                // The schema never changes within a process: Terraform may
                // cache it and skip GetProviderSchema in the provider's later
                // processes.
                get_provider_schema_optional: true,
                ..Default::default()
            }
        }

        /// The `GetMetadata` answer.
        fn metadata_response(
            schema: Result<std::sync::Arc<ProviderSchema>, Diagnostics>,
        ) -> pb::get_metadata::Response {
            let mut resp = pb::get_metadata::Response {
                server_capabilities: Some(capabilities()),
                ..Default::default()
            };
            match schema {
                Ok(schema) => {
                    resp.data_sources = schema
                        .data_sources
                        .keys()
                        .map(|name| pb::get_metadata::DataSourceMetadata {
                            type_name: name.clone(),
                        })
                        .collect();
                    resp.resources = schema
                        .resources
                        .keys()
                        .map(|name| pb::get_metadata::ResourceMetadata {
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
            resp
        }

        /// The `GetProviderSchema` (protocol 6) / `GetSchema` (protocol 5)
        /// answer.
        fn schema_response(
            schema: Result<std::sync::Arc<ProviderSchema>, Diagnostics>,
        ) -> pb::get_provider_schema::Response {
            let mut resp = pb::get_provider_schema::Response {
                server_capabilities: Some(capabilities()),
                ..Default::default()
            };
            match schema {
                Ok(schema) => {
                    resp.provider = Some(schema_pb(&schema.provider));
                    resp.resource_schemas = schema
                        .resources
                        .iter()
                        .map(|(name, s)| (name.clone(), schema_pb(s)))
                        .collect();
                    resp.data_source_schemas = schema
                        .data_sources
                        .iter()
                        .map(|(name, s)| (name.clone(), schema_pb(s)))
                        .collect();
                    resp.functions = functions(&schema);
                }
                Err(d) => resp.diagnostics = diagnostics(d),
            }
            resp
        }

        /// The `GetFunctions` answer.
        fn functions_response(
            schema: Result<std::sync::Arc<ProviderSchema>, Diagnostics>,
        ) -> pb::get_functions::Response {
            let mut resp = pb::get_functions::Response::default();
            match schema {
                Ok(schema) => resp.functions = functions(&schema),
                Err(d) => resp.diagnostics = diagnostics(d),
            }
            resp
        }

        /// The `CallFunction` answer.
        fn call_function_response(
            result: Result<Vec<u8>, $crate::server::FunctionError>,
        ) -> pb::call_function::Response {
            match result {
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
            }
        }

        /// `UpgradeResourceState`, whose messages both versions share.
        async fn upgrade_resource_state<P: $crate::server::Provider>(
            core: &$crate::server::core::Core<P>,
            req: pb::upgrade_resource_state::Request,
        ) -> pb::upgrade_resource_state::Response {
            let (json, has_flatmap) = match req.raw_state {
                Some(raw) => (raw.json, !raw.flatmap.is_empty()),
                None => (Vec::new(), false),
            };
            let (state, diags) = core
                .upgrade_resource_state(req.type_name, req.version, json, has_flatmap)
                .await;
            pb::upgrade_resource_state::Response {
                upgraded_state: state.map(dynamic),
                diagnostics: diagnostics(diags),
            }
        }

        /// `ReadResource`; the private data comes back unchanged.
        async fn read_resource<P: $crate::server::Provider>(
            core: &$crate::server::core::Core<P>,
            req: pb::read_resource::Request,
        ) -> pb::read_resource::Response {
            let (state, diags) = core
                .read_resource(req.type_name, wire(req.current_state))
                .await;
            pb::read_resource::Response {
                new_state: state.map(dynamic),
                diagnostics: diagnostics(diags),
                private: req.private,
                ..Default::default()
            }
        }

        /// `PlanResourceChange`; the private data is carried forward.
        async fn plan_resource_change<P: $crate::server::Provider>(
            core: &$crate::server::core::Core<P>,
            req: pb::plan_resource_change::Request,
        ) -> pb::plan_resource_change::Response {
            let (state, requires_replace, diags) = core
                .plan_resource_change(
                    req.type_name,
                    wire(req.prior_state),
                    wire(req.proposed_new_state),
                    wire(req.config),
                )
                .await;
            pb::plan_resource_change::Response {
                planned_state: state.map(dynamic),
                requires_replace: requires_replace.into_iter().map(path_pb).collect(),
                planned_private: req.prior_private,
                diagnostics: diagnostics(diags),
                ..Default::default()
            }
        }

        /// `ApplyResourceChange`; the planned private data is kept.
        async fn apply_resource_change<P: $crate::server::Provider>(
            core: &$crate::server::core::Core<P>,
            req: pb::apply_resource_change::Request,
        ) -> pb::apply_resource_change::Response {
            let (state, diags) = core
                .apply_resource_change(
                    req.type_name,
                    wire(req.prior_state),
                    wire(req.planned_state),
                    wire(req.config),
                )
                .await;
            pb::apply_resource_change::Response {
                new_state: state.map(dynamic),
                private: req.planned_private,
                diagnostics: diagnostics(diags),
                ..Default::default()
            }
        }

        /// `ImportResourceState`: one imported object of the requested type.
        async fn import_resource_state<P: $crate::server::Provider>(
            core: &$crate::server::core::Core<P>,
            req: pb::import_resource_state::Request,
        ) -> pb::import_resource_state::Response {
            let type_name = req.type_name.clone();
            let (state, diags) = core.import_resource_state(req.type_name, req.id).await;
            pb::import_resource_state::Response {
                imported_resources: state
                    .map(|state| pb::import_resource_state::ImportedResource {
                        type_name,
                        state: Some(dynamic(state)),
                        ..Default::default()
                    })
                    .into_iter()
                    .collect(),
                diagnostics: diagnostics(diags),
                ..Default::default()
            }
        }

        /// The error text of a `StopProvider` (protocol 6) / `Stop`
        /// (protocol 5) answer: empty on success.
        fn stop_error(result: Result<(), String>) -> String {
            match result {
                Ok(()) => String::new(),
                Err(panic) => format!("the provider panicked while stopping: {panic}"),
            }
        }

        fn functions(schema: &ProviderSchema) -> std::collections::HashMap<String, pb::Function> {
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

        fn nested_block_pb(b: &NestedBlock) -> pb::schema::NestedBlock {
            use pb::schema::nested_block::NestingMode;
            let nesting = match b.nesting {
                BlockNesting::Single => NestingMode::Single,
                BlockNesting::Group => NestingMode::Group,
                BlockNesting::List => NestingMode::List,
                BlockNesting::Set => NestingMode::Set,
                BlockNesting::Map => NestingMode::Map,
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
    };
}

pub(crate) use shared_conversions;
