"""The OpenAPI schema at /api/v1/openapi.json describes the JSON each operation really sends:
every component name belongs to one model, and every error answer is documented in one shape."""

from __future__ import annotations

import typing

import pydantic
import pytest
from ninja.openapi.schema import REF_TEMPLATE
from ninja.schema import NinjaGenerateJsonSchema

from mashang.api.openapi import ERROR_SCHEMA, error_statuses
from mashang.api.router import api as ninja_api


@pytest.fixture
def schema(db, client) -> dict:
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    return response.json()


def operations():
    """Every operation of the API with its schema path and method."""
    for router in ninja_api._get_bound_routers():
        for path_view in router.path_operations.values():
            for operation in path_view.operations:
                if operation.include_in_schema:
                    yield operation


def documented(schema: dict) -> dict[str, tuple[str, str, dict]]:
    found = {}
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            found[operation["operationId"]] = (path, method, operation)
    return found


def model_schema(model, *, mode: str, by_alias: bool = True) -> dict:
    return model.model_json_schema(
        ref_template=REF_TEMPLATE,
        by_alias=by_alias,
        schema_generator=NinjaGenerateJsonSchema,
        mode=mode,
    )


def assert_components_hold(generated: dict, components: dict, where: str) -> None:
    for name, definition in generated.get("$defs", {}).items():
        assert components.get(name) == definition, (
            f"{where}: the component {name!r} of the schema is not the model this operation uses"
        )


def test_each_operation_s_responses_are_the_models_it_sends(schema):
    components = schema["components"]["schemas"]
    by_id = documented(schema)
    checked = 0
    for operation in operations():
        op_id = operation.operation_id or ninja_api.get_openapi_operation_id(operation)
        path, method, described = by_id[op_id]
        for status, model in operation.response_models.items():
            if model is None or not isinstance(model, type):
                continue
            generated = model_schema(model, mode="serialization", by_alias=operation.by_alias)
            where = f"{method.upper()} {path} → {status}"
            assert_components_hold(generated, components, where)
            sent = generated["properties"]["response"]
            content = described["responses"][str(status)]["content"]["application/json"]
            assert content["schema"] == sent, where
            checked += 1
        for model in operation.models:
            if model.__ninja_param_source__ == "body":
                where = f"{method.upper()} {path} body"
                assert_components_hold(model_schema(model, mode="validation"), components, where)
    assert checked > 50


def _models(annotation):
    if isinstance(annotation, type) and issubclass(annotation, pydantic.BaseModel):
        yield annotation
        for field in annotation.model_fields.values():
            yield from _models(field.annotation)
    for arg in typing.get_args(annotation):
        yield from _models(arg)


def test_no_two_models_of_the_api_share_a_schema_name():
    """Two models with one name would share one component, and one of them would lose."""
    names: dict[str, set[str]] = {}
    for operation in operations():
        roots = [m for m in operation.response_models.values() if isinstance(m, type)]
        for root in [*roots, *operation.models]:
            for model in _models(root):
                if model.__name__ in {"Response", *(m.__name__ for m in operation.models)}:
                    continue  # django-ninja's per-operation wrappers, not components
                names.setdefault(model.__name__, set()).add(f"{model.__module__}.{model.__qualname__}")
    shared = {name: places for name, places in names.items() if len(places) > 1}
    assert shared == {}


def test_demand_events_are_documented_as_demand_events(schema):
    """The finding: the projects' EventOut replaced the demands' one (from_stage required)."""
    components = schema["components"]["schemas"]
    demand = schema["paths"]["/api/v1/demands/{demand_id}"]["get"]["responses"]["200"]
    ref = demand["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[1]
    events = components[ref]["properties"]["events"]["items"]["$ref"].rsplit("/", 1)[1]
    assert "from_status" in components[events]["properties"]
    assert "from_stage" not in components[events]["properties"]


def test_every_error_answer_is_documented_in_the_one_error_shape(schema):
    error = schema["components"]["schemas"][ERROR_SCHEMA]
    assert set(error["properties"]) == {"message", "fields"} and set(error["required"]) == {
        "message",
        "fields",
    }
    components = schema["components"]["schemas"]
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            statuses = error_statuses(method, operation)
            assert 401 in statuses
            for status in statuses:
                answer = operation["responses"][str(status)]
                ref = answer["content"]["application/json"]["schema"]["$ref"]
                shape = components[ref.rsplit("/", 1)[1]]
                assert set(shape["required"]) >= {"message", "fields"}, (path, method, status)
            if "requestBody" in operation:
                assert {"400", "413", "422"} <= set(operation["responses"]), (path, method)
                assert "MB" in operation["responses"]["413"]["description"]
            if method != "get":
                assert "409" in operation["responses"], (path, method)
            if any(p["in"] == "path" for p in operation.get("parameters", [])):
                assert "404" in operation["responses"], (path, method)
    token = schema["paths"]["/api/v1/auth/token"]["post"]["responses"]
    assert {"401", "429"} <= set(token)
    # A throttled client is told when to come back (the header the answer carries).
    assert token["429"]["headers"]["Retry-After"]["schema"]["type"] == "integer"
