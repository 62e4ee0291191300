//! The API's description, generated from the core's serde types (their utoipa `ToSchema` derives, core
//! feature `openapi`): the OpenAPI 3.1 document `lagom serve` answers at `GET /api/v1/openapi.json`, and
//! the JSON Schema of the scenario document `lagom schema scenario` prints. Both come from one set of
//! schemas, so they cannot disagree with each other or with what the core reads.

use lagom_core::eval::{aggregation, charge, period};
use lagom_core::simulate::{Problem, Scenario};
use serde_json::{Map, Value, json};
use utoipa::ToSchema;
use utoipa::openapi::path::{HttpMethod, OperationBuilder, PathItem, PathsBuilder};
use utoipa::openapi::request_body::RequestBodyBuilder;
use utoipa::openapi::schema::{ArrayBuilder, ObjectBuilder, Schema, Type};
use utoipa::openapi::{
    ComponentsBuilder, ContentBuilder, InfoBuilder, OpenApiBuilder, Ref, RefOr, ResponseBuilder,
};

/// The JSON Schemas `lagom schema` can print, by name.
pub const SCHEMAS: &[&str] = &["scenario"];

/// Named schemas collected while describing the API, each once.
#[derive(Default)]
struct Components {
    schemas: Vec<(String, RefOr<Schema>)>,
    /// Names given to two different schemas (two types of the same name in different modules need
    /// `#[schema(as = …)]`); a test keeps this empty.
    clashes: Vec<String>,
}

impl Components {
    /// Adds `T` and every schema it refers to; returns a reference to `T`.
    fn add<T: ToSchema>(&mut self) -> RefOr<Schema> {
        let name = T::name().into_owned();
        let mut found = vec![(name.clone(), T::schema())];
        T::schemas(&mut found);
        for (name, schema) in found {
            self.insert(name, schema);
        }
        Ref::from_schema_name(name).into()
    }

    fn insert(&mut self, name: String, schema: RefOr<Schema>) {
        match self.schemas.iter().find(|(known, _)| *known == name) {
            Some((_, known)) if *known != schema => self.clashes.push(name),
            Some(_) => {}
            None => self.schemas.push((name, schema)),
        }
    }
}

/// The OpenAPI document of `lagom serve`: every route, its request body's schema, its answers.
pub fn document() -> Value {
    let mut document =
        serde_json::to_value(openapi(&mut Components::default())).unwrap_or(Value::Null);
    let_empty_bodies_be_left_out(&mut document);
    document
}

fn openapi(components: &mut Components) -> utoipa::openapi::OpenApi {
    let error = error_schema(components);
    let problem = components.add::<Problem>();
    let scenario = components.add::<Scenario>();
    let post = |summary: &str, body: RefOr<Schema>, answer: &str, ok: RefOr<Schema>| {
        let operation = OperationBuilder::new()
            .summary(Some(summary))
            .request_body(Some(
                RequestBodyBuilder::new()
                    .required(Some(utoipa::openapi::Required::True))
                    .content(
                        "application/json",
                        ContentBuilder::new().schema(Some(body)).build(),
                    )
                    .build(),
            ))
            .response("200", json_response(answer, ok));
        let operation = [
            ("400", "The body is not JSON (or not UTF-8 text)."),
            ("413", "The body is larger than --max-body-bytes."),
            (
                "422",
                "The core rejects the document: `path` names the field.",
            ),
            ("503", "The request ran past --request-timeout-secs."),
        ]
        .into_iter()
        .fold(operation, |operation, (status, why)| {
            operation.response(status, json_response(why, error.clone()))
        });
        PathItem::new(HttpMethod::Post, operation.build())
    };
    let get = |summary: &str, answer: &str, ok: RefOr<Schema>| {
        let operation = OperationBuilder::new()
            .summary(Some(summary))
            .response("200", json_response(answer, ok));
        PathItem::new(HttpMethod::Get, operation.build())
    };
    let any_object = || -> RefOr<Schema> { ObjectBuilder::new().schema_type(Type::Object).into() };
    let paths = PathsBuilder::new()
        .path(
            "/health",
            get("Liveness and version", "`{\"status\": \"ok\", \"version\"}`", any_object()),
        )
        .path(
            "/api/v1/eval/charge",
            post(
                "Price units with one charge model",
                components.add::<charge::Input>(),
                "`{amount, unit_amount, amount_details, projected_units?, projected_amount?}`, decimals as strings",
                any_object(),
            ),
        )
        .path(
            "/api/v1/eval/aggregation",
            post(
                "Aggregate events with a billable metric",
                components.add::<aggregation::Input>(),
                "`{aggregation, count, full_units_number?, total_aggregated_units?, grouped?}`",
                any_object(),
            ),
        )
        .path(
            "/api/v1/eval/period",
            post(
                "Compute a billing period",
                components.add::<period::Input>(),
                "`{from_datetime, to_datetime, charges_from_datetime, charges_to_datetime, charges_duration, …}`",
                any_object(),
            ),
        )
        .path(
            "/api/v1/simulate",
            post(
                "Replay a scenario on a virtual clock",
                scenario.clone(),
                "The simulator's output, the JSON of `lagom simulate`: invoices, credit notes, wallets, subscriptions, usage answers, warnings",
                any_object(),
            ),
        )
        .path(
            "/api/v1/validate",
            post(
                "Every problem of a scenario document (any text is read: a syntax error is a problem too)",
                scenario,
                "`{\"problems\": [...]}`, empty when `simulate` would accept the document",
                ObjectBuilder::new()
                    .property("problems", ArrayBuilder::new().items(problem))
                    .required("problems")
                    .into(),
            ),
        )
        .path(
            "/api/v1/plugins",
            get(
                "The plugins loaded with --plugins",
                "`{\"plugins\": [{name, exports, abi_version, size_bytes, limits}]}`",
                any_object(),
            ),
        )
        .path(
            "/api/v1/openapi.json",
            get("This document", "The OpenAPI 3.1 document", any_object()),
        );
    OpenApiBuilder::new()
        .info(
            InfoBuilder::new()
                .title("Lagom")
                .version(env!("CARGO_PKG_VERSION"))
                .description(Some(
                    "Lago's billing core over HTTP: the eval contracts, the scenario simulator and \
                     custom-pricing plugins. Decimals are strings, instants `YYYY-MM-DDTHH:MM:SSZ`.",
                )),
        )
        .paths(paths)
        .components(Some(
            ComponentsBuilder::new()
                .schemas_from_iter(components.schemas.clone())
                .build(),
        ))
        .build()
}

/// The JSON Schema (draft 2020-12) of the document `name` (one of [`SCHEMAS`]), or `None`.
pub fn schema(name: &str) -> Option<Value> {
    let mut components = Components::default();
    let root = match name {
        "scenario" => components.add::<Scenario>(),
        _ => return None,
    };
    let RefOr::Ref(root) = root else {
        return None;
    };
    let root_name = root
        .ref_location
        .rsplit('/')
        .next()
        .unwrap_or_default()
        .to_owned();
    let mut defs = Map::new();
    for (name, schema) in components.schemas {
        defs.insert(name, serde_json::to_value(schema).unwrap_or(Value::Null));
    }
    let mut document = json!({
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": format!("Lagom {name} document"),
        "$ref": format!("#/$defs/{root_name}"),
        "$defs": defs,
    });
    point_refs_at_defs(&mut document);
    let_empty_bodies_be_left_out(&mut document);
    Some(document)
}

/// An error answer: `{"error", "code", "path"}`.
fn error_schema(components: &mut Components) -> RefOr<Schema> {
    let error = ObjectBuilder::new()
        .property(
            "error",
            ObjectBuilder::new()
                .schema_type(Type::String)
                .description(Some("What went wrong, for a person")),
        )
        .property(
            "code",
            ObjectBuilder::new()
                .schema_type(Type::String)
                .description(Some("A stable name: malformed_json, body_too_large, invalid, unknown_variant, custom, timeout, …")),
        )
        .property(
            "path",
            ObjectBuilder::new()
                .schema_type(utoipa::openapi::schema::SchemaType::from_iter([Type::String, Type::Null]))
                .description(Some("The JSON path of the offending field, when there is one")),
        )
        .required("error")
        .required("code")
        .required("path");
    components.insert("Error".to_owned(), error.into());
    Ref::from_schema_name("Error").into()
}

fn json_response(description: &str, schema: RefOr<Schema>) -> utoipa::openapi::Response {
    ResponseBuilder::new()
        .description(description)
        .content(
            "application/json",
            ContentBuilder::new().schema(Some(schema)).build(),
        )
        .build()
}

/// A timeline step whose body is `Empty` (`run_billing`) may leave the body out, as the scenario reader
/// allows; utoipa makes every adjacently tagged `body` required, so such bodies are made optional.
fn let_empty_bodies_be_left_out(value: &mut Value) {
    match value {
        Value::Object(fields) => {
            let empty_body = fields
                .get("properties")
                .and_then(|properties| properties["body"]["$ref"].as_str())
                .is_some_and(|target| target.ends_with("/Empty"));
            if empty_body && let Some(Value::Array(required)) = fields.get_mut("required") {
                required.retain(|name| name != "body");
            }
            fields.values_mut().for_each(let_empty_bodies_be_left_out);
        }
        Value::Array(items) => items.iter_mut().for_each(let_empty_bodies_be_left_out),
        _ => {}
    }
}

/// Rewrites OpenAPI's `#/components/schemas/X` references as a standalone schema's `#/$defs/X`.
fn point_refs_at_defs(value: &mut Value) {
    match value {
        Value::Object(fields) => {
            for (key, field) in fields.iter_mut() {
                match field {
                    Value::String(target) if key == "$ref" => {
                        if let Some(name) = target.strip_prefix("#/components/schemas/") {
                            *target = format!("#/$defs/{name}");
                        }
                    }
                    other => point_refs_at_defs(other),
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(point_refs_at_defs),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_two_types_share_a_schema_name() {
        let mut components = Components::default();
        openapi(&mut components);
        assert!(components.clashes.is_empty(), "{:?}", components.clashes);
        assert!(
            components.schemas.len() > 50,
            "{}",
            components.schemas.len()
        );
    }
}
