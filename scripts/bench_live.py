#!/usr/bin/env python3
"""`make bench`, messaging: 2,000 idle live connections (real sockets) on one release server.

Usage: bench_live.py BASE_URL SERVER_PID SQLITE_PATH. Adds 400 demo accounts that represent
Emma's Riverside record, each with five sessions (the most live connections an account may
hold), opens one stream per session, and reports the server's memory per idle connection and
the delivery time of one practice message to every stream.
"""

import hashlib
import http.client
import json
import os
import secrets
import selectors
import socket
import sqlite3
import sys
import time
import urllib.parse

from staff_session import staff_session

BASE = sys.argv[1]
PID = int(sys.argv[2])
DB = sys.argv[3]
STREAMS = int(os.environ.get("BENCH_STREAMS", "2000"))
PER_ACCOUNT = 5
HOST, PORT = urllib.parse.urlparse(BASE).hostname, urllib.parse.urlparse(BASE).port


def rss_kib():
    with open(f"/proc/{PID}/status") as f:
        for line in f:
            if line.startswith("VmRSS"):
                return int(line.split()[1])
    return 0


def sessions():
    db = sqlite3.connect(DB, timeout=30)
    chart, = db.execute(
        "SELECT c.id FROM patient_charts c JOIN practices p ON p.id = c.practice_id "
        "WHERE c.given_name = 'Emma' AND p.time_zone = 'America/New_York'").fetchone()
    conv, = db.execute("SELECT id FROM conversations WHERE chart_id = ? ORDER BY id LIMIT 1", (chart,)).fetchone()
    now = int(time.time())
    tokens = []
    for a in range(STREAMS // PER_ACCOUNT):
        cur = db.execute(
            "INSERT INTO portal_accounts (username, password_hash, display_name, created_at) "
            "VALUES (?, 'x', 'Bench', ?)", (f"livebench{a}", now))
        account = cur.lastrowid
        db.execute("INSERT INTO account_charts (account_id, chart_id, relationship, created_at) "
                   "VALUES (?, ?, 'representative', ?)", (account, chart, now))
        for _ in range(PER_ACCOUNT):
            token = secrets.token_hex(32)
            db.execute("INSERT INTO sessions (id_hash, patient_account_id, created_at, last_seen_at) "
                       "VALUES (?, ?, ?, ?)", (hashlib.sha256(token.encode()).hexdigest(), account, now, now))
            tokens.append(token)
    db.commit()
    return conv, tokens


def open_stream(token):
    s = socket.create_connection((HOST, PORT))
    s.sendall((f"GET /api/live/stream HTTP/1.1\r\nHost: {HOST}:{PORT}\r\n"
               f"Cookie: portico_session={token}\r\nAccept: text/event-stream\r\n\r\n").encode())
    buf = b""
    while b"event: ready" not in buf:
        chunk = s.recv(4096)
        if not chunk:
            raise RuntimeError(f"stream refused: {buf[:200]!r}")
        buf += chunk
    s.setblocking(False)
    return s


def post(conn, path, body, cookie=None):
    headers = {"Content-Type": "application/x-www-form-urlencoded", "Origin": BASE,
               "Sec-Fetch-Site": "same-origin", "Accept": "application/json"}
    if cookie:
        headers["Cookie"] = cookie
    conn.request("POST", path, body=body, headers=headers)
    res = conn.getresponse()
    return res, res.read()


def main():
    conv, tokens = sessions()
    before = rss_kib()
    streams = [open_stream(t) for t in tokens]
    time.sleep(1)
    after = rss_kib()
    per = (after - before) / len(streams)

    conn = http_conn()
    cookie = staff_session(BASE, "admin", "Portico-admin1")
    sel = selectors.DefaultSelector()
    for s in streams:
        sel.register(s, selectors.EVENT_READ, data=[b"", None])
    started = time.monotonic()
    res, body = post(conn, "/api/staff/messages/reply",
                     f"id={conv}&body=Bench+message&key={secrets.token_hex(16)}", cookie)
    assert res.status == 200, body
    times = []
    deadline = started + 30
    while len(times) < len(streams) and time.monotonic() < deadline:
        for key, _ in sel.select(timeout=1):
            state = key.data
            try:
                chunk = key.fileobj.recv(65536)
            except BlockingIOError:
                continue
            state[0] += chunk
            if b"event: changed" in state[0] and state[1] is None:
                state[1] = time.monotonic() - started
                times.append(state[1])
                sel.unregister(key.fileobj)
    times.sort()
    for s in streams:
        s.close()
    missed = len(streams) - len(times)
    p = lambda q: times[min(len(times) - 1, int(q * (len(times) - 1)))] * 1000 if times else float("nan")
    print(f"| {len(streams)} idle live connections (real sockets, SQLite) | "
          f"server RSS +{(after - before) / 1024:.1f} MiB, {per:.1f} KiB each | "
          f"one message to all: p50 {p(0.5):.0f} ms, p99 {p(0.99):.0f} ms | {missed} missed |")


def http_conn():
    return http.client.HTTPConnection(HOST, PORT, timeout=30)


if __name__ == "__main__":
    main()
