"""Independent checks of what cairn publishes in open standards, written
without cairn's code: only the standards' own schemas and well-known
libraries from PyPI (jsonschema; jwcrypto for the credentials).

    check.py case SCHEMA PACKAGE...
        Validates each CASE 1.1 CFPackage against the 1EdTech JSON schema
        (formats checked too: uri, date-time). Prints "valid FILE" per file;
        exits 1 with the errors otherwise.

    check.py credential SCHEMA FILE
        Verifies an Open Badges 3.0 credential secured as VC-JOSE (a
        compact JWS, or the JSON of an EnvelopedVerifiableCredential
        holding one): fetches the issuer's JWKS named by the JWS `kid`,
        verifies the EdDSA signature with jwcrypto, validates the payload
        against 1EdTech's AchievementCredential schema, then fetches the
        Bitstring Status List it names, verifies that too, and reads its
        bit. Prints "verified", "revoked" or "invalid: WHY"; exits 0, 3
        or 1.
"""
import base64
import gzip
import json
import sys
import urllib.request

import jsonschema
from jwcrypto import jwk, jws


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


class Invalid(Exception):
    pass


def fetch(url):
    with urllib.request.urlopen(url, timeout=10) as r:
        return r.read().decode("utf-8")


def b64(part):
    return base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))


def verified_payload(compact):
    """The payload of a compact JWS, verified with the key its kid names."""
    parts = compact.strip().split(".")
    if len(parts) != 3:
        raise Invalid("not a compact JWS")
    try:
        header = json.loads(b64(parts[0]))
    except ValueError as e:
        raise Invalid(f"unreadable header: {e}")
    if header.get("alg") != "EdDSA":
        raise Invalid(f"alg is {header.get('alg')!r}, not EdDSA")
    kid = header.get("kid", "")
    jwks_url = kid.split("#")[0]
    if not jwks_url.startswith(("http://", "https://")):
        raise Invalid(f"kid {kid!r} names no key set")
    keys = json.loads(fetch(jwks_url)).get("keys", [])
    matching = [k for k in keys if k.get("kid") == kid]
    if not matching:
        raise Invalid(f"no key {kid} at {jwks_url}")
    key = jwk.JWK(**matching[0])
    token = jws.JWS()
    try:
        token.deserialize(compact.strip())
        token.verify(key, alg="EdDSA")
    except Exception as e:  # jwcrypto raises several kinds
        raise Invalid(f"signature: {e.__class__.__name__}")
    return header, json.loads(token.payload), jwks_url


def credential(schema_path, path):
    with open(path, encoding="utf-8") as f:
        text = f.read().strip()
    if text.startswith("{"):
        envelope = json.loads(text)
        prefix = "data:application/vc+jwt,"
        if envelope.get("type") != "EnvelopedVerifiableCredential" or not envelope.get("id", "").startswith(prefix):
            raise Invalid("not an enveloped VC-JOSE credential")
        text = envelope["id"][len(prefix):]
    header, vc, jwks_url = verified_payload(text)
    if header.get("typ") != "vc+jwt":
        raise Invalid(f"typ is {header.get('typ')!r}")
    with open(schema_path, encoding="utf-8") as f:
        schema = json.load(f)
    v = jsonschema.Draft201909Validator(schema, format_checker=jsonschema.Draft201909Validator.FORMAT_CHECKER)
    errors = list(v.iter_errors(vc))
    if errors:
        raise Invalid("schema: " + "; ".join(e.message for e in errors[:5]))
    if "OpenBadgeCredential" not in vc["type"] or "VerifiableCredential" not in vc["type"]:
        raise Invalid("not an OpenBadgeCredential")
    issuer = vc["issuer"]["id"]
    if not jwks_url.startswith(issuer):
        raise Invalid(f"signed with {jwks_url}, which is not the issuer's ({issuer})")
    status = vc.get("credentialStatus")
    if not status or status.get("type") != "BitstringStatusListEntry":
        raise Invalid("no Bitstring Status List entry")
    _, status_list, status_jwks = verified_payload(fetch(status["statusListCredential"]))
    if status_jwks != jwks_url or status_list.get("issuer") != issuer:
        raise Invalid("the status list is not the issuer's")
    subject = status_list["credentialSubject"]
    if subject.get("statusPurpose") != status.get("statusPurpose"):
        raise Invalid("the status list has another purpose")
    encoded = subject["encodedList"]
    if not encoded.startswith("u"):
        raise Invalid("encodedList is not multibase base64url")
    bits = gzip.decompress(b64(encoded[1:]))
    index = int(status["statusListIndex"])
    if index // 8 >= len(bits):
        raise Invalid("the status index is outside the list")
    return "revoked" if bits[index // 8] & (0x80 >> (index % 8)) else "verified"


def main(argv):
    if len(argv) >= 3 and argv[0] == "case":
        return case(argv[1], argv[2:])
    if len(argv) == 3 and argv[0] == "credential":
        try:
            outcome = credential(argv[1], argv[2])
        except (Invalid, ValueError, KeyError, OSError) as e:
            print(f"invalid: {e}")
            return 1
        print(outcome)
        return 0 if outcome == "verified" else 3
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
