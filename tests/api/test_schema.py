"""The schema's promises to client generators that need no generated client to check (the generated one:
``test_generated_client.py``): JSON request bodies except where files are uploaded, and the public
operations exactly the viewsets' ``public_actions``."""

import pytest
from drf_spectacular.generators import SchemaGenerator

# The actions that take photos (``upload_actions``): multipart, the only bodies that are not JSON.
UPLOADS = {
    ("post", "/api/v1/wishes/{code}/fulfil/"),
    ("post", "/api/v1/projects/{code}/statements/"),
    ("post", "/api/v1/inspections/"),
}
PUBLIC = {
    ("post", "/api/v1/auth/token/"),
    ("get", "/api/v1/wishes/"),
    ("post", "/api/v1/wishes/"),
    ("get", "/api/v1/wishes/{code}/"),
    ("post", "/api/v1/wishes/{code}/feedback/"),
    ("post", "/api/v1/wishes/{code}/withdraw/"),
    ("post", "/api/v1/surveys/responses/"),
    ("post", "/api/v1/surveys/suggestions/"),
    ("get", "/api/v1/projects/{code}/milestones/"),
}


@pytest.fixture
def schema(db):
    return SchemaGenerator().get_schema(request=None, public=True)


def operations(schema):
    for path, methods in schema["paths"].items():
        for method, operation in methods.items():
            yield method, path, operation


def test_request_bodies_are_json_and_multipart_only_where_files_are_uploaded(schema):
    kinds = {
        (method, path): set(operation["requestBody"]["content"])
        for method, path, operation in operations(schema)
        if "requestBody" in operation
    }
    assert {key for key, types in kinds.items() if types != {"application/json"}} == UPLOADS
    assert all(kinds[key] == {"multipart/form-data"} for key in UPLOADS)


def test_anonymous_operations_are_the_public_actions_and_take_the_optional_security(schema):
    public = {(method, path) for method, path, operation in operations(schema) if "security" not in operation}
    assert PUBLIC <= public
    assert not {key for key in public if key[0] != "get"} - PUBLIC  # no write is public by accident
    signed_in = [op for _, _, op in operations(schema) if "security" in op]
    assert signed_in and all({} not in op["security"] and op["security"] for op in signed_in)
    assert schema["security"][-1] == {} and len(schema["security"]) == 3
    assert ("get", "/api/v1/me/") not in public
