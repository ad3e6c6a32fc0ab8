"""`make drill`: the bad day, rehearsed against the release server. Each drill is bounded in
time and prints one table row; "lost" must be 0 everywhere.

  kill      kill -9 under mixed writes (sign-ins, bookings, messages, record imports), then
            restart and look for every acknowledged write; integrity_check / amcheck after
  outage    PostgreSQL cut off for a while under load (through a proxy this script holds):
            how fast the 503s are, whether an acknowledged write is lost, time to recover
  mail      the mail server away (10 minutes by default) while notifications queue: each is
            delivered once after it returns
  sigterm   SIGTERM under load with live messaging streams open: in-flight requests finish,
            the streams end, the process exits within 10 s

usage: drill.py [--sqlite-cycles N] [--pg-cycles N] [--outage-secs N] [drill ...]
"""

import argparse
import http.client
import json
import os
import secrets
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
import urllib.parse

sys.path.insert(0, os.path.dirname(__file__))
from staff_session import staff_session  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BINARY = os.path.join(ROOT, "target/release/portico")
PG_ADMIN = os.environ.get("PORTICO_TEST_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/postgres")
PORT = 3300


class Server:
    def __init__(self, url, port=PORT, env=None):
        self.url, self.port, self.env, self.proc = url, port, env or {}, None
        self.base = f"http://127.0.0.1:{port}"

    def start(self):
        env = dict(os.environ, DATABASE_URL=self.url, PORTICO_DEMO_DATA="1",
                   LEPTOS_SITE_ADDR=f"127.0.0.1:{self.port}", RUST_LOG="error",
                   PORTICO_MESSAGES_PER_MINUTE="1000", LEPTOS_SITE_ROOT="target/site", **self.env)
        self.proc = subprocess.Popen([BINARY], cwd=ROOT, env=env,
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if request(self.base, "GET", "/readyz", timeout=2)[0] == 200:
                    return
            except OSError:
                pass
            if self.proc.poll() is not None:
                raise SystemExit(f"the server exited with {self.proc.returncode}")
            time.sleep(0.05)
        raise SystemExit("the server did not become ready")

    def kill(self):
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait()


def request(base, method, path, body=None, cookie=None, timeout=10, content_type=None):
    u = urllib.parse.urlparse(base)
    c = http.client.HTTPConnection(u.hostname, u.port, timeout=timeout)
    headers = {"Origin": base, "Sec-Fetch-Site": "same-origin", "Accept": "application/json"}
    if body is not None:
        headers["Content-Type"] = content_type or "application/x-www-form-urlencoded"
    if cookie:
        headers["Cookie"] = cookie
    try:
        c.request(method, path, body=body, headers=headers)
        res = c.getresponse()
        return res.status, res.read(), res.getheaders()
    finally:
        c.close()


def session_cookie(headers):
    for k, v in headers:
        if k.lower() == "set-cookie" and v.startswith("portico_session="):
            return v.split(";")[0]
    return None


class Db:
    """Reads the drill's database directly, to check what the server acknowledged."""

    def __init__(self, url):
        self.url = url

    def rows(self, sql):
        if self.url.startswith("sqlite:"):
            con = sqlite3.connect(self.url[len("sqlite:"):])
            try:
                return con.execute(sql).fetchall()
            finally:
                con.close()
        out = subprocess.run(["psql", self.url, "-qtAF", "\t", "-c", sql], capture_output=True,
                             text=True, check=True).stdout
        return [tuple(line.split("\t")) for line in out.splitlines() if line]

    def integrity(self):
        if self.url.startswith("sqlite:"):
            return self.rows("PRAGMA integrity_check")[0][0]
        subprocess.run(["psql", self.url, "-qc", "CREATE EXTENSION IF NOT EXISTS amcheck"],
                       capture_output=True, check=True)
        bad = subprocess.run(
            ["psql", self.url, "-qtA", "-c",
             "SELECT bt_index_check(c.oid, true) FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid "
             "JOIN pg_am a ON a.oid = c.relam WHERE a.amname = 'btree' AND c.relpersistence <> 't'"],
            capture_output=True, text=True)
        return "ok" if bad.returncode == 0 else bad.stderr.strip()[:200]


def fresh_database(kind, name):
    if kind == "sqlite":
        path = os.path.join(ROOT, f"target/drill-{name}.db")
        for suffix in ("", "-wal", "-shm", ".lock"):
            try:
                os.remove(path + suffix)
            except FileNotFoundError:
                pass
        return f"sqlite:{path}"
    db = f"portico_drill_{name}_{os.getpid()}"
    subprocess.run(["psql", PG_ADMIN, "-qc", f"DROP DATABASE IF EXISTS {db} WITH (FORCE)"], check=True,
                   capture_output=True)
    subprocess.run(["psql", PG_ADMIN, "-qc", f"CREATE DATABASE {db}"], check=True, capture_output=True)
    return PG_ADMIN.rsplit("/", 1)[0] + "/" + db


class Load:
    """Writes from several threads; each remembers only what the server acknowledged."""

    def __init__(self, base, db):
        self.base, self.db = base, db
        self.stop = threading.Event()
        self.sessions, self.messages, self.bookings, self.imports = [], [], [], []
        self.refused = 0
        self.lock = threading.Lock()
        self.chart = int(db.rows("SELECT c.id FROM patient_charts c JOIN account_charts a ON a.chart_id = c.id "
                                 "JOIN portal_accounts p ON p.id = a.account_id WHERE p.username = 'demo' "
                                 "AND a.relationship = 'self' ORDER BY c.id LIMIT 1")[0][0])
        self.conversation = int(db.rows(f"SELECT id FROM conversations WHERE chart_id = {self.chart} "
                                        "AND status = 'open' ORDER BY id LIMIT 1")[0][0])
        self.providers = [int(r[0]) for r in db.rows(
            f"SELECT id FROM providers WHERE practice_id = (SELECT practice_id FROM patient_charts "
            f"WHERE id = {self.chart}) ORDER BY id")]
        self.patient = None
        self.admin = None
        self.week = 0

    def sign_in(self):
        status, _, headers = request(self.base, "POST", "/api/auth/login",
                                     "username=demo&password=Portico-demo1")
        return session_cookie(headers) if status == 200 else None

    def prepare(self):
        self.patient = self.patient or self.sign_in()
        self.admin = self.admin or staff_session(self.base, "admin", "Portico-admin1")

    def run(self, seconds):
        self.stop.clear()
        workers = [threading.Thread(target=f, daemon=True) for f in
                   (self.sign_ins, self.sends, self.staff_sends, self.books, self.books, self.uploads)]
        for w in workers:
            w.start()
        time.sleep(seconds)
        self.stop.set()

    def guarded(self, f):
        while not self.stop.is_set():
            try:
                f()
            except OSError:
                with self.lock:
                    self.refused += 1
                time.sleep(0.01)

    def sign_ins(self):
        def one():
            c = self.sign_in()
            if c:
                with self.lock:
                    self.sessions.append(c)
        self.guarded(one)

    def sends(self):
        self.guarded(lambda: self.send("/api/messages/reply", self.patient))

    # A patient may send 100 messages a day; the office's replies keep messages coming after that.
    def staff_sends(self):
        self.guarded(lambda: self.send("/api/staff/messages/reply", self.admin))

    def send(self, path, cookie):
        key = secrets.token_hex(16)
        status, _, _ = request(self.base, "POST", path,
                               f"id={self.conversation}&body=Drill+{key}&key={key}", cookie)
        if status in (200, 303):
            with self.lock:
                self.messages.append(key)

    def books(self):
        def one():
            with self.lock:
                self.week += 1
                week = self.week
            provider = self.providers[week % len(self.providers)]
            monday = time.strftime("%Y-%m-%d", time.gmtime(time.time() + (60 + 7 * (week % 150)) * 86400))
            status, body, _ = request(self.base, "POST", "/api/appointments/week",
                                      f"provider_id={provider}&week={monday}", self.patient)
            if status != 200:
                return
            slots = [s["start"] for d in json.loads(body)["days"] for s in d["slots"]]
            for start in slots[:3]:
                if self.stop.is_set():
                    return
                status, body, _ = request(self.base, "POST", "/api/appointments/book",
                                          f"provider_id={provider}&start={start}&record_id={self.chart}"
                                          "&reason=Drill", self.patient)
                if status == 200:
                    with self.lock:
                        self.bookings.append(int(json.loads(body)))
        self.guarded(one)

    def uploads(self):
        given, family, birth = self.db.rows(
            f"SELECT given_name, family_name, date_of_birth FROM patient_charts WHERE id = {self.chart}")[0]

        def one():
            obs = f"drill-{secrets.token_hex(8)}"
            bundle = json.dumps({"resourceType": "Bundle", "type": "collection", "entry": [
                {"resource": {"resourceType": "Patient", "id": "p", "name": [{"family": family, "given": [given]}],
                              "birthDate": birth,
                              "identifier": [{"system": "urn:portico:chart", "value": str(self.chart)}]}},
                {"resource": {"resourceType": "Observation", "id": obs, "status": "final",
                              "subject": {"reference": "Patient/p"},
                              "category": [{"coding": [{"code": "vital-signs"}]}],
                              "code": {"coding": [{"system": "http://loinc.org", "code": "29463-7",
                                                   "display": "Body weight"}], "text": "Body weight"},
                              "effectiveDateTime": "2024-01-02", "valueQuantity": {"value": 70, "unit": "kg"}}}]})
            boundary = "drill" + secrets.token_hex(8)
            body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"bundle\"; filename=\"b.json\"\r\n"
                    f"Content-Type: application/json\r\n\r\n{bundle}\r\n--{boundary}--\r\n")
            status, _, _ = request(self.base, "POST", f"/staff/patients/{self.chart}/import", body, self.admin,
                                   content_type=f"multipart/form-data; boundary={boundary}")
            if status in (200, 303):
                with self.lock:
                    self.imports.append(obs)
        self.guarded(one)

    def lost(self):
        """Acknowledged writes the database does not hold."""
        keys = {r[0] for r in self.db.rows("SELECT idempotency_key FROM messages")}
        ids = {int(r[0]) for r in self.db.rows("SELECT id FROM appointments")}
        obs = {r[0] for r in self.db.rows("SELECT fhir_id FROM health_entries")}
        lost = sum(k not in keys for k in self.messages) + sum(i not in ids for i in self.bookings)
        lost += sum(o not in obs for o in self.imports)
        return lost

    def sessions_lost(self):
        lost = 0
        for c in self.sessions[-20:]:
            status, _, _ = request(self.base, "GET", "/account", cookie=c)
            lost += status != 200
        return lost

    def double_held(self):
        return int(self.db.rows(
            "SELECT COUNT(*) FROM appointments a JOIN appointments b ON a.provider_id = b.provider_id "
            "AND a.id < b.id AND a.starts_at < b.ends_at AND b.starts_at < a.ends_at "
            "WHERE a.state IN ('requested','confirmed','cancellation_requested','reschedule_requested','proposed') "
            "AND b.state IN ('requested','confirmed','cancellation_requested','reschedule_requested','proposed')")[0][0])

    def writes(self):
        return len(self.sessions) + len(self.messages) + len(self.bookings) + len(self.imports)


def kill_drill(kind, cycles):
    url = fresh_database(kind, "kill")
    server, db = Server(url), Db(url)
    server.start()
    load = Load(server.base, db)
    load.prepare()
    started = time.monotonic()
    lost = 0
    sessions_lost = 0
    for _ in range(cycles):
        load.run(0.6)
        server.kill()
        server.start()
        lost = load.lost()
        sessions_lost += load.sessions_lost()
        load.sessions = load.sessions[-20:]
        load.patient, load.admin = load.patient, load.admin
    server.kill()
    row = (f"| kill -9 under mixed writes, {kind}, {cycles} cycles | {load.writes()} acknowledged "
           f"({len(load.bookings)} bookings, {len(load.messages)} messages, {len(load.imports)} imports, "
           f"{len(load.sessions)} recent sign-ins kept) | lost {lost + sessions_lost} | slots held twice "
           f"{load.double_held()} | {db.integrity()} | {time.monotonic() - started:.0f} s |")
    print(row, flush=True)


class Proxy:
    """A TCP proxy to PostgreSQL that the drill can cut (every connection dropped, new ones
    refused) and restore."""

    def __init__(self, target_port=5432):
        self.target = target_port
        self.listener = socket.socket()
        self.listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen(64)
        self.port = self.listener.getsockname()[1]
        self.up = True
        self.conns = []
        threading.Thread(target=self.accept, daemon=True).start()

    def accept(self):
        while True:
            client, _ = self.listener.accept()
            if not self.up:
                client.close()
                continue
            upstream = socket.create_connection(("127.0.0.1", self.target))
            self.conns += [client, upstream]
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=self.pipe, args=(a, b), daemon=True).start()

    @staticmethod
    def pipe(a, b):
        try:
            while data := a.recv(65536):
                b.sendall(data)
        except OSError:
            pass
        for s in (a, b):
            try:
                s.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    def cut(self):
        self.up = False
        for s in self.conns:
            try:
                s.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
        self.conns = []

    def restore(self):
        self.up = True


def outage_drill(seconds):
    direct = fresh_database("postgres", "outage")
    proxy = Proxy()
    via = direct.replace("127.0.0.1:5432", f"127.0.0.1:{proxy.port}")
    server, db = Server(via), Db(direct)
    server.start()
    load = Load(server.base, db)
    load.prepare()
    load.run(2)
    proxy.cut()
    time.sleep(2)  # the probe's second
    times = []
    t_end = time.monotonic() + seconds - 2
    stop = threading.Event()
    threading.Thread(target=load.run, args=(seconds - 2,), daemon=True).start()
    while time.monotonic() < t_end:
        for path in ("/appointments", "/readyz"):
            t = time.monotonic()
            status, _, _ = request(server.base, "GET", path, cookie=load.patient)
            times.append(((time.monotonic() - t) * 1000, status, path))
        login = request(server.base, "GET", "/login")[0]
        time.sleep(0.2)
    stop.set()
    proxy.restore()
    back = time.monotonic()
    while request(server.base, "GET", "/appointments", cookie=load.patient)[0] != 200:
        time.sleep(0.05)
    recovered = time.monotonic() - back
    time.sleep(1)
    lost = load.lost()
    server.kill()
    pages = sorted(t for t, s, p in times if p == "/appointments")
    ready = sorted(t for t, s, p in times if p == "/readyz")
    statuses = sorted({s for _, s, _ in times})
    p = lambda v, q: v[min(len(v) - 1, int(q * (len(v) - 1)))] if v else float("nan")
    print(f"| PostgreSQL away {seconds} s under load | page 503 p50 {p(pages, .5):.0f} ms, "
          f"p99 {p(pages, .99):.0f} ms; /readyz p99 {p(ready, .99):.0f} ms; /login {login}; statuses {statuses} | "
          f"lost {lost} of {load.writes()} acknowledged | recovered {recovered:.1f} s after it returned |",
          flush=True)


class SmtpSink:
    """A minimal SMTP server that counts the messages it accepts; `start`/`stop` bring it
    up and down on the same port."""

    def __init__(self):
        probe = socket.socket()
        probe.bind(("127.0.0.1", 0))
        self.port = probe.getsockname()[1]
        probe.close()
        self.received = 0
        self.listener = None

    def start(self):
        self.listener = socket.socket()
        self.listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.listener.bind(("127.0.0.1", self.port))
        self.listener.listen(16)
        threading.Thread(target=self.accept, args=(self.listener,), daemon=True).start()

    def stop(self):
        self.listener.close()

    def accept(self, listener):
        while True:
            try:
                conn, _ = listener.accept()
            except OSError:
                return
            threading.Thread(target=self.session, args=(conn,), daemon=True).start()

    def session(self, conn):
        f = conn.makefile("rb")
        conn.sendall(b"220 drill ESMTP\r\n")
        in_data = False
        for line in f:
            line = line.rstrip(b"\r\n")
            if in_data:
                if line == b".":
                    in_data = False
                    self.received += 1
                    conn.sendall(b"250 queued\r\n")
                continue
            verb = line[:4].upper()
            if verb == b"DATA":
                in_data = True
                conn.sendall(b"354 go ahead\r\n")
            elif verb == b"QUIT":
                conn.sendall(b"221 bye\r\n")
                break
            else:
                conn.sendall(b"250 ok\r\n")
        conn.close()


def mail_drill(seconds):
    url = fresh_database("sqlite", "mail")
    sink = SmtpSink()
    server, db = Server(url, env={"SMTP_URL": f"smtp://127.0.0.1:{sink.port}"}), Db(url)
    sink.start()
    server.start()
    load = Load(server.base, db)
    load.prepare()
    sink.stop()
    started = time.monotonic()
    load.run(min(seconds, 30))
    time.sleep(max(0, seconds - (time.monotonic() - started)))
    queued = int(db.rows("SELECT COUNT(*) FROM outbox WHERE status = 'pending'")[0][0])
    sink.start()
    back = time.monotonic()
    while int(db.rows("SELECT COUNT(*) FROM outbox WHERE status = 'pending'")[0][0]) > 0:
        if time.monotonic() - back > 600:
            break
        time.sleep(0.5)
    drained = time.monotonic() - back
    time.sleep(3)
    sent = int(db.rows("SELECT COUNT(*) FROM outbox WHERE status = 'sent'")[0][0])
    pending = int(db.rows("SELECT COUNT(*) FROM outbox WHERE status <> 'sent'")[0][0])
    server.kill()
    print(f"| mail server away {seconds} s under load | {queued} waiting when it returned; all sent "
          f"{drained:.1f} s later | lost {pending} (not sent) | delivered twice {sink.received - sent} "
          f"({sink.received} received, {sent} sent) | |", flush=True)


def sigterm_drill():
    url = fresh_database("sqlite", "sigterm")
    server = Server(url)
    server.start()
    load = Load(server.base, Db(url))
    load.prepare()
    streams = []
    for _ in range(20):
        s = socket.create_connection(("127.0.0.1", server.port))
        s.sendall((f"GET /api/live/stream HTTP/1.1\r\nHost: 127.0.0.1\r\nCookie: {load.patient}\r\n"
                   "Accept: text/event-stream\r\n\r\n").encode())
        streams.append(s)
    time.sleep(0.5)
    failures = []

    def slow_requests():
        while not load.stop.is_set():
            try:
                status, _, _ = request(server.base, "GET", "/appointments", cookie=load.patient)
                if status not in (200, 503):
                    failures.append(status)
            except OSError:
                # Refused after the listener closed: never started, so not in flight.
                return
    load.stop.clear()
    threads = [threading.Thread(target=slow_requests, daemon=True) for _ in range(4)]
    for t in threads:
        t.start()
    time.sleep(1)
    t = time.monotonic()
    server.proc.send_signal(signal.SIGTERM)
    code = server.proc.wait(timeout=30)
    took = time.monotonic() - t
    load.stop.set()
    ended = 0
    for s in streams:
        s.settimeout(2)
        try:
            while s.recv(65536):
                pass
            ended += 1
        except OSError:
            pass
    print(f"| SIGTERM under load with {len(streams)} live streams | exited {code} in {took:.2f} s | "
          f"{ended} of {len(streams)} streams ended | in-flight requests failed: {len(failures)} |", flush=True)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--sqlite-cycles", type=int, default=200)
    ap.add_argument("--pg-cycles", type=int, default=50)
    ap.add_argument("--outage-secs", type=int, default=60)
    ap.add_argument("--mail-outage-secs", type=int, default=600)
    ap.add_argument("drills", nargs="*", default=["kill", "outage", "mail", "sigterm"])
    a = ap.parse_args()
    print("| drill | what happened | lost | | | |\n|---|---|---|---|---|---|", flush=True)
    if "kill" in a.drills:
        kill_drill("sqlite", a.sqlite_cycles)
        kill_drill("postgres", a.pg_cycles)
    if "outage" in a.drills:
        outage_drill(a.outage_secs)
    if "mail" in a.drills:
        mail_drill(a.mail_outage_secs)
    if "sigterm" in a.drills:
        sigterm_drill()


if __name__ == "__main__":
    main()
