"""A token service for distribution's token auth, for tests/cli/manifest.rs (Python's standard library and
the openssl command only).

    token_server.py PORT_FILE KEY CERT ISSUER SERVICE

Listens on 127.0.0.1 (a free port, written to PORT_FILE) and answers GET /token?service=..&scope=.. with
a JWT signed RS256 by KEY, carrying CERT in its x5c header, granting the scope's actions: what
docker-registry, configured with `auth.token` and CERT as its root bundle, accepts. Anonymous requests get
a token; a request with an Authorization header gets one only for user mab, password secret. Each request
is logged on stderr as `token: <query> <auth>`.
"""

import base64
import http.server
import json
import os
import subprocess
import sys
import time
import urllib.parse
import uuid

PORT_FILE, KEY, CERT, ISSUER, SERVICE = sys.argv[1:6]
GOOD_AUTH = "Basic " + base64.b64encode(b"mab:secret").decode()


def b64url(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def cert_der():
    pem = open(CERT).read()
    body = pem.split("-----BEGIN CERTIFICATE-----")[1].split("-----END CERTIFICATE-----")[0]
    return "".join(body.split())


def token(scope):
    access = []
    if scope:
        kind, name, actions = scope.split(":", 2)
        access.append({"type": kind, "name": name, "actions": actions.split(",")})
    now = int(time.time())
    header = {"typ": "JWT", "alg": "RS256", "x5c": [cert_der()]}
    claims = {"iss": ISSUER, "sub": "", "aud": SERVICE, "exp": now + 300, "nbf": now - 10,
              "iat": now, "jti": uuid.uuid4().hex, "access": access}
    signing_input = b64url(json.dumps(header).encode()) + "." + b64url(json.dumps(claims).encode())
    signature = subprocess.run(["openssl", "dgst", "-sha256", "-sign", KEY], input=signing_input.encode(),
                               capture_output=True, check=True).stdout
    return signing_input + "." + b64url(signature)


class Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        url = urllib.parse.urlparse(self.path)
        query = urllib.parse.parse_qs(url.query)
        auth = self.headers.get("Authorization")
        sys.stderr.write(f"token: {url.query} {auth or 'anonymous'}\n")
        sys.stderr.flush()
        if url.path != "/token" or query.get("service") != [SERVICE]:
            return self.answer(404, {"details": "not a token request for " + SERVICE})
        if auth is not None and auth != GOOD_AUTH:
            return self.answer(401, {"errors": [{"code": "UNAUTHORIZED", "message": "wrong password"}]})
        jwt = token(query.get("scope", [""])[0])
        self.answer(200, {"token": jwt, "access_token": jwt, "expires_in": 300})

    def answer(self, status, body):
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args):
        pass


server = http.server.HTTPServer(("127.0.0.1", 0), Handler)
with open(PORT_FILE + ".tmp", "w") as f:
    f.write(str(server.server_address[1]))
# Renamed last, so the test never reads a half-written file.
os.rename(PORT_FILE + ".tmp", PORT_FILE)
server.serve_forever()
