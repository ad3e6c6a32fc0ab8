"""A staff session for the benchmarks: the password, then (for the demo admins) the
authenticator code, computed from the demo secret and the server's own clock (/dev/clock)."""

import base64
import hashlib
import hmac
import http.client
import struct
import urllib.parse

DEMO_TOTP_SECRET = "JBSWY3DPEHPK3PXP"


def totp(secret_b32, step):
    mac = hmac.new(base64.b32decode(secret_b32), struct.pack(">Q", step), hashlib.sha1).digest()
    offset = mac[-1] & 0x0F
    return "%06d" % ((struct.unpack(">I", mac[offset:offset + 4])[0] & 0x7FFFFFFF) % 1_000_000)


def _post(base, path, body, cookie=None):
    u = urllib.parse.urlparse(base)
    c = http.client.HTTPConnection(u.hostname, u.port)
    headers = {"Content-Type": "application/x-www-form-urlencoded", "Origin": base,
               "Sec-Fetch-Site": "same-origin", "Accept": "application/json"}
    if cookie:
        headers["Cookie"] = cookie
    c.request("POST", path, body=body, headers=headers)
    res = c.getresponse()
    return res, res.read()


def _cookie(res, name):
    for k, v in res.getheaders():
        if k.lower() == "set-cookie" and v.startswith(name + "="):
            return v.split(";")[0]
    return None


def staff_session(base, username, password):
    """The `portico_session=…` cookie of a new staff session."""
    body = urllib.parse.urlencode({"username": username, "password": password})
    res, text = _post(base, "/api/auth/staff_login", body)
    assert res.status == 200, text
    session = _cookie(res, "portico_session")
    if session:
        return session
    step_cookie = _cookie(res, "portico_2fa")
    u = urllib.parse.urlparse(base)
    c = http.client.HTTPConnection(u.hostname, u.port)
    c.request("GET", "/dev/clock")
    step = int(c.getresponse().read()) // 30
    # A code is accepted once: if this step's was used (an earlier run), the next one's.
    for s in (step, step + 1):
        res, text = _post(base, "/api/auth/staff_code", "code=" + totp(DEMO_TOTP_SECRET, s), step_cookie)
        session = _cookie(res, "portico_session")
        if session:
            return session
    raise SystemExit(f"two-factor sign-in as {username} failed: {text!r}")
