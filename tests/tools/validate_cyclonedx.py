#!/usr/bin/python3
"""Checks a CycloneDX 1.6 JSON SBOM against the official schema carried in
third_party/cyclonedx/, offline: every $ref resolves to a file there.

usage: validate_cyclonedx.py SBOM.json
Prints "valid", or one line per error (JSON path: message).
Exit status: 0 valid, 1 invalid, 2 could not check (usage, unreadable file).
Needs Debian's python3-jsonschema (4.10 in Debian 12, or later).
"""
import json
import pathlib
import sys

import jsonschema

SCHEMAS = pathlib.Path(__file__).resolve().parents[2] / "third_party" / "cyclonedx"


def load(name):
    return json.loads((SCHEMAS / name).read_text(encoding="utf-8"))


def validator():
    root = load("bom-1.6.schema.json")
    store = {}
    for f in SCHEMAS.glob("*.schema.json"):
        s = load(f.name)
        store[s.get("$id", f.name)] = s
        store[f.name] = s
    checker = jsonschema.FormatChecker()
    if hasattr(jsonschema, "RefResolver"):
        resolver = jsonschema.RefResolver(base_uri=root["$id"], referrer=root, store=store)
        return jsonschema.Draft7Validator(root, resolver=resolver, format_checker=checker)
    from referencing import Registry, Resource  # jsonschema >= 4.18
    registry = Registry().with_resources((uri, Resource.from_contents(s)) for uri, s in store.items())
    return jsonschema.Draft7Validator(root, registry=registry, format_checker=checker)


def main(argv):
    if len(argv) != 2:
        print(__doc__.strip().splitlines()[3], file=sys.stderr)
        return 2
    try:
        bom = json.loads(pathlib.Path(argv[1]).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as e:
        print(f"{argv[1]}: cannot read: {e}", file=sys.stderr)
        return 2
    if not isinstance(bom, dict) or bom.get("specVersion") != "1.6":
        print(f"{argv[1]}: not a CycloneDX 1.6 document (specVersion {bom.get('specVersion') if isinstance(bom, dict) else None!r})")
        return 1
    errors = sorted(validator().iter_errors(bom), key=lambda e: list(e.absolute_path))
    for e in errors:
        path = "$" + "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in e.absolute_path)
        print(f"{path}: {e.message}")
    if errors:
        return 1
    print("valid")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
