#!/usr/bin/python3
"""Checks a JSON document against a JSON schema of one file (draft 7 or
2020-12, as its $schema says), offline.

usage: validate_json_schema.py SCHEMA.json DOCUMENT.json
Prints "valid", or one line per error (JSON path: message).
Exit status: 0 valid, 1 invalid, 2 could not check (usage, unreadable file).
Needs Debian's python3-jsonschema.
"""
import json
import sys

import jsonschema


def main(argv):
    if len(argv) != 3:
        print(__doc__.strip().splitlines()[2], file=sys.stderr)
        return 2
    try:
        with open(argv[1], encoding="utf-8") as f:
            schema = json.load(f)
        with open(argv[2], encoding="utf-8") as f:
            document = json.load(f)
    except (OSError, ValueError) as e:
        print(f"cannot read: {e}", file=sys.stderr)
        return 2
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    errors = sorted(cls(schema, format_checker=jsonschema.FormatChecker()).iter_errors(document), key=lambda e: list(e.path))
    if not errors:
        print("valid")
        return 0
    for e in errors:
        print("$" + "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in e.path) + ": " + e.message)
    return 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
