"""A hostile OpenID provider for cairn's refusal tests: it speaks the
protocol (discovery, JWKS, an authorization endpoint that signs in at
once, a token endpoint) and sends the ID token its mode asks for:

  good         a correct token
  nonce        another nonce
  issuer       another issuer
  audience     another audience
  expired      expired an hour ago
  none         "alg": "none", no signature
  hs256        an algorithm the discovery document does not offer
  unknown-key  signed by a key that is not in the JWKS
  unverified   a correct token whose email is not verified

PUT /mode/NAME sets the mode. Usage: python rogue_provider.py PORT
(needs joserfc, which oidc-provider-mock brings).
"""

import base64
import hashlib
import hmac
import json
import sys
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from joserfc import jwt
from joserfc.jwk import RSAKey

PORT = int(sys.argv[1])
ISSUER = f"http://127.0.0.1:{PORT}"
KEY = RSAKey.generate_key(2048, parameters={"kid": "published"})
STRANGER = RSAKey.generate_key(2048, parameters={"kid": "stranger"})
STATE = {"mode": "good", "codes": {}}


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def id_token(nonce: str, client_id: str) -> str:
    mode = STATE["mode"]
    now = int(time.time())
    claims = {
        "iss": ISSUER,
        "sub": "rogue-sub",
        "aud": client_id,
        "iat": now,
        "exp": now + 300,
        "nonce": nonce,
        "email": "rogue@acme.test",
        "email_verified": mode != "unverified",
        "name": "Rogue",
    }
    if mode == "nonce":
        claims["nonce"] = "not-the-nonce"
    if mode == "issuer":
        claims["iss"] = "http://evil.example"
    if mode == "audience":
        claims["aud"] = "someone-else"
    if mode == "expired":
        claims["iat"] = now - 7200
        claims["exp"] = now - 3600
    payload = b64(json.dumps(claims).encode())
    if mode == "none":
        return b64(json.dumps({"alg": "none", "typ": "JWT"}).encode()) + "." + payload + "."
    if mode == "hs256":
        header = b64(json.dumps({"alg": "HS256", "typ": "JWT"}).encode())
        sig = hmac.new(b"s3cret", f"{header}.{payload}".encode(), hashlib.sha256).digest()
        return f"{header}.{payload}.{b64(sig)}"
    key = STRANGER if mode == "unknown-key" else KEY
    return jwt.encode({"alg": "RS256", "kid": key.kid}, claims, key)


class Handler(BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def send(self, status, body=b"", headers=()):
        self.send_response(status)
        for k, v in headers:
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def json(self, value):
        self.send(200, json.dumps(value).encode(), [("Content-Type", "application/json")])

    def do_GET(self):
        url = urllib.parse.urlsplit(self.path)
        query = dict(urllib.parse.parse_qsl(url.query))
        if url.path == "/.well-known/openid-configuration":
            self.json({
                "issuer": ISSUER,
                "authorization_endpoint": f"{ISSUER}/authorize",
                "token_endpoint": f"{ISSUER}/token",
                "jwks_uri": f"{ISSUER}/jwks",
                "response_types_supported": ["code"],
                "subject_types_supported": ["public"],
                "id_token_signing_alg_values_supported": ["RS256"],
            })
        elif url.path == "/jwks":
            self.json({"keys": [KEY.as_dict(private=False)]})
        elif url.path == "/authorize":
            code = b64(hashlib.sha256(query.get("state", "").encode()).digest())[:20]
            STATE["codes"][code] = (query.get("nonce", ""), query.get("client_id", ""))
            back = query["redirect_uri"] + "?" + urllib.parse.urlencode({"code": code, "state": query.get("state", "")})
            self.send(302, b"", [("Location", back)])
        else:
            self.send(404)

    def do_PUT(self):
        if self.path.startswith("/mode/"):
            STATE["mode"] = self.path[len("/mode/"):]
            self.send(204)
        else:
            self.send(404)

    def do_POST(self):
        length = int(self.headers.get("Content-Length", "0"))
        form = dict(urllib.parse.parse_qsl(self.rfile.read(length).decode()))
        if self.path != "/token":
            return self.send(404)
        found = STATE["codes"].pop(form.get("code", ""), None)
        if found is None:
            return self.send(400, b'{"error":"invalid_grant"}', [("Content-Type", "application/json")])
        nonce, client_id = found
        self.json({
            "access_token": "opaque",
            "token_type": "Bearer",
            "expires_in": 300,
            "id_token": id_token(nonce, client_id),
        })


ThreadingHTTPServer(("127.0.0.1", PORT), Handler).serve_forever()
