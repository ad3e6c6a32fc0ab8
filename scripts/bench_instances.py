#!/usr/bin/env python3
"""`make bench`, messaging: delivery latency across two server processes on one PostgreSQL.

Usage: bench_instances.py BASE_A BASE_B. A patient's live stream is open on instance B; the
practice sends 1,000 replies through instance A, one after another; each latency runs from the
start of the send to the stream on B saying that something changed.
"""

import http.client
import json
import secrets
import socket
import sys
import time

from staff_session import staff_session
import urllib.parse

A, B = sys.argv[1], sys.argv[2]
SENDS = 1000


def conn(base):
    u = urllib.parse.urlparse(base)
    return http.client.HTTPConnection(u.hostname, u.port, timeout=30)


def post(c, base, path, body, cookie=None):
    headers = {"Content-Type": "application/x-www-form-urlencoded", "Origin": base,
               "Sec-Fetch-Site": "same-origin", "Accept": "application/json"}
    if cookie:
        headers["Cookie"] = cookie
    c.request("POST", path, body=body, headers=headers)
    res = c.getresponse()
    return res, res.read()


def sign_in(base, path, user, password):
    res, body = post(conn(base), base, path, f"username={user}&password={password}")
    assert res.status == 200, body
    return res.getheader("Set-Cookie").split(";")[0]


def main():
    patient = sign_in(A, "/api/auth/login", "demo", "Portico-demo1")
    admin = staff_session(A, "admin", "Portico-admin1")
    a = conn(A)
    res, body = post(a, A, "/api/staff/messages/inbox", "filter=all", admin)
    conv = json.loads(body)["rows"][0]["id"]

    u = urllib.parse.urlparse(B)
    s = socket.create_connection((u.hostname, u.port))
    s.sendall((f"GET /api/live/stream HTTP/1.1\r\nHost: {u.hostname}:{u.port}\r\n"
               f"Cookie: {patient}\r\nAccept: text/event-stream\r\n\r\n").encode())
    buf = b""
    while b"event: ready" not in buf:
        buf += s.recv(4096)
    buf = b""
    # Let instance B's listener settle (it sends a resync when it connects).
    time.sleep(1)
    s.settimeout(0.2)
    try:
        while s.recv(65536):
            pass
    except socket.timeout:
        pass
    s.settimeout(10)
    times = []
    for n in range(SENDS):
        t0 = time.monotonic()
        res, body = post(a, A, "/api/staff/messages/reply",
                         f"id={conv}&body=Bench+{n}&key={secrets.token_hex(16)}", admin)
        assert res.status == 200, body
        while b"event: changed" not in buf:
            buf += s.recv(65536)
        times.append(time.monotonic() - t0)
        buf = buf[buf.index(b"event: changed") + 14:]
    times.sort()
    p = lambda q: times[int(q * (len(times) - 1))] * 1000
    print(f"| delivery, send on instance A to a stream on instance B (two processes, PostgreSQL, "
          f"{SENDS} messages) | p50 {p(0.5):.1f} ms | p99 {p(0.99):.1f} ms | |")


if __name__ == "__main__":
    main()
