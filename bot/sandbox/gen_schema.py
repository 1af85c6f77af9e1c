"""Build `bot/sandbox/schema.json`, the compact Bot API schema the sandbox validates against.

Usage: `python -m bot.sandbox.gen_schema [path/to/api-10.0.json]`. The default input is the
scraped spec in the shared folder next to the checkout (`../shared/telegram-bot-api/`).

The output keeps only what validation needs: per method its parameters (types, required)
and return types; per type its fields and, for unions, the member types. Descriptions are
dropped, except that a union member's discriminator ("always \"chat\"", "must be photo") is
kept as `const`, so a value can be matched to the right member. Keys are sorted and the
JSON is compact, so regenerating from the same input gives the same bytes.
"""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

PACKAGE_DIR = Path(__file__).resolve().parent
REPO_ROOT = PACKAGE_DIR.parents[1]
DEFAULT_SOURCE = REPO_ROOT.parent / "shared" / "telegram-bot-api" / "api-10.0.json"
OUTPUT = PACKAGE_DIR / "schema.json"

# Field names that carry a union member's tag, and how the docs word the fixed value.
DISCRIMINATOR_FIELDS = ("type", "source", "status")
CONST_PATTERN = re.compile(r'(?:always|must be) "?([a-z0-9_]+)"?')


def compact_field(field: Mapping[str, Any], *, const: str | None = None) -> dict[str, Any]:
    spec: dict[str, Any] = {"types": list(field["types"]), "required": bool(field["required"])}
    if const is not None:
        spec["const"] = const
    return spec


def discriminator_value(field: Mapping[str, Any]) -> str | None:
    if field["name"] not in DISCRIMINATOR_FIELDS:
        return None
    match = CONST_PATTERN.search(field.get("description", ""))
    return match.group(1) if match else None


def compact_type(type_spec: Mapping[str, Any]) -> dict[str, Any]:
    is_union_member = bool(type_spec.get("subtype_of"))
    fields: dict[str, Any] = {}
    for field in type_spec.get("fields", []):
        const = discriminator_value(field) if is_union_member else None
        fields[field["name"]] = compact_field(field, const=const)
    result: dict[str, Any] = {"fields": fields}
    if type_spec.get("subtypes"):
        result["subtypes"] = list(type_spec["subtypes"])
    return result


def compact_method(method: Mapping[str, Any]) -> dict[str, Any]:
    params = {field["name"]: compact_field(field) for field in method.get("fields", [])}
    return {"params": params, "returns": list(method["returns"])}


def build_schema(api: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "version": api.get("version", ""),
        "methods": {name: compact_method(spec) for name, spec in api["methods"].items()},
        "types": {name: compact_type(spec) for name, spec in api["types"].items()},
    }


def render(schema: Mapping[str, Any]) -> str:
    return json.dumps(schema, sort_keys=True, separators=(",", ":"), ensure_ascii=False) + "\n"


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    source = Path(args[0]) if args else DEFAULT_SOURCE
    api = json.loads(source.read_text(encoding="utf-8"))
    OUTPUT.write_text(render(build_schema(api)), encoding="utf-8")
    print(f"wrote {OUTPUT} ({len(api['methods'])} methods, {len(api['types'])} types)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
