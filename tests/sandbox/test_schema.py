"""The shipped Bot API schema: complete, compact, deterministic, and looked up like the server."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from bot.sandbox import gen_schema
from bot.sandbox.schema import Schema, get_schema, load_schema_json

SOURCE = gen_schema.DEFAULT_SOURCE


@pytest.fixture(scope="module")
def api() -> dict[str, Any]:
    if not SOURCE.exists():
        pytest.skip(f"scraped spec not available at {SOURCE}")
    data: dict[str, Any] = json.loads(SOURCE.read_text(encoding="utf-8"))
    return data


def test_every_method_of_the_spec_is_in_the_schema(api: dict[str, Any]) -> None:
    schema = get_schema()
    assert set(schema.methods) == set(api["methods"])
    for name, method in api["methods"].items():
        spec = schema.methods[name]
        assert list(spec.returns) == method["returns"]
        expected = {
            f["name"]: (tuple(f["types"]), f["required"]) for f in method.get("fields", [])
        }
        assert {n: (p.types, p.required) for n, p in spec.params.items()} == expected


def test_every_type_of_the_spec_is_in_the_schema(api: dict[str, Any]) -> None:
    schema = get_schema()
    assert set(schema.types) == set(api["types"])
    for name, type_spec in api["types"].items():
        assert tuple(type_spec.get("subtypes", ())) == schema.types[name].subtypes
        assert set(schema.types[name].fields) == {f["name"] for f in type_spec.get("fields", [])}


def test_shipped_schema_is_what_the_generator_produces(api: dict[str, Any]) -> None:
    shipped = (Path(gen_schema.__file__).parent / "schema.json").read_text(encoding="utf-8")
    assert gen_schema.render(gen_schema.build_schema(api)) == shipped


def test_generator_writes_the_schema_file(
    api: dict[str, Any], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    output = tmp_path / "schema.json"
    monkeypatch.setattr(gen_schema, "OUTPUT", output)
    assert gen_schema.main([str(SOURCE)]) == 0
    assert json.loads(output.read_text(encoding="utf-8"))["version"] == api["version"]


def test_schema_json_keeps_only_what_validation_needs() -> None:
    raw = load_schema_json()
    assert set(raw) == {"version", "methods", "types"}
    field_specs = []
    for method in raw["methods"].values():
        assert set(method) == {"params", "returns"}
        field_specs.extend(method["params"].values())
    for type_spec in raw["types"].values():
        assert set(type_spec) <= {"fields", "subtypes"}
        field_specs.extend(type_spec["fields"].values())
    for field_spec in field_specs:
        assert set(field_spec) <= {"types", "required", "const"}
    assert len(json.dumps(raw)) < 300_000


def test_method_lookup_ignores_case() -> None:
    schema = get_schema()
    for name in ("sendMessage", "sendmessage", "SENDMESSAGE", "SendMessage"):
        method = schema.method(name)
        assert method is not None
        assert method.name == "sendMessage"
    assert schema.method("sendMessages") is None
    assert schema.method("") is None


def test_send_message_parameters() -> None:
    method = get_schema().method("sendMessage")
    assert method is not None
    assert method.params["chat_id"].types == ("Integer", "String")
    assert method.params["chat_id"].required
    assert method.params["text"].required
    assert not method.params["parse_mode"].required
    assert method.params["entities"].types == ("Array of MessageEntity",)
    assert method.returns == ("Message",)


def test_union_members_carry_their_tag() -> None:
    schema = get_schema()
    scope = schema.type("BotCommandScope")
    assert scope is not None
    assert scope.is_union
    assert "BotCommandScopeChat" in scope.subtypes
    member = schema.type("BotCommandScopeChat")
    assert member is not None
    assert member.fields["type"].const == "chat"
    origin = schema.type("MessageOriginUser")
    assert origin is not None
    assert origin.fields["type"].const == "user"
    passport = schema.type("PassportElementErrorFile")
    assert passport is not None
    assert passport.fields["source"].const == "file"
    assert passport.fields["type"].const is None


def test_schema_object_from_minimal_data() -> None:
    schema = Schema(
        {
            "methods": {"getMe": {"params": {}, "returns": ["User"]}},
            "types": {"User": {"fields": {"id": {"types": ["Integer"], "required": True}}}},
        }
    )
    assert schema.method("GETME") is not None
    user = schema.type("User")
    assert user is not None
    assert not user.is_union
    assert user.fields["id"].required
