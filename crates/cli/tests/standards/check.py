"""Independent checks of what cairn publishes in open standards, written
without cairn's code: only the standards' own schemas and well-known
libraries from PyPI (jsonschema; jwcrypto for the credentials).

    check.py case SCHEMA PACKAGE...
        Validates each CASE 1.1 CFPackage against the 1EdTech JSON schema
        (formats checked too: uri, date-time). Prints "valid FILE" per file;
        exits 1 with the errors otherwise.
"""
import json
import sys

import jsonschema


def validator(schema_path):
    with open(schema_path, encoding="utf-8") as f:
        schema = json.load(f)
    # The binding says draft 2020-12 (under an http:// metaschema address
    # the library does not know).
    cls = jsonschema.Draft202012Validator
    cls.check_schema(schema)
    return cls(schema, format_checker=cls.FORMAT_CHECKER)


def case(schema_path, packages):
    v = validator(schema_path)
    failed = False
    for path in packages:
        with open(path, encoding="utf-8") as f:
            package = json.load(f)
        errors = sorted(v.iter_errors(package), key=lambda e: list(e.absolute_path))
        if errors:
            failed = True
            for e in errors[:20]:
                where = "/".join(str(p) for p in e.absolute_path)
                print(f"invalid {path}: at /{where}: {e.message}")
        else:
            print(f"valid {path}")
    return 1 if failed else 0


def main(argv):
    if len(argv) >= 3 and argv[0] == "case":
        return case(argv[1], argv[2:])
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
