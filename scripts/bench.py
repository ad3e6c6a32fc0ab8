#!/usr/bin/env python3
"""`make bench`: one table, every figure measured in one run against one release server.

The server (started by scripts/bench.sh on a fresh SQLite database with demo data) is loaded
with wrk from this machine's loopback. Throughput is reported beside /healthz's, measured in
the same run, because the absolute numbers on a small shared machine move from run to run.
"""

import datetime
import json
import os
import re
import subprocess
import sys
import urllib.parse
import urllib.request

from staff_session import staff_session

BASE = sys.argv[1]
PID = int(sys.argv[2])
SECONDS = int(os.environ.get("BENCH_SECONDS", "8"))
# Set by scripts/bench_scale.sh: only the page rows, also written as JSON to this file.
PAGES_JSON = os.environ.get("BENCH_PAGES_JSON")
MAIN_THREAD_RUNS = int(os.environ.get("BENCH_MAIN_THREAD_RUNS", "5"))
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def rss_mib():
    with open(f"/proc/{PID}/status") as f:
        for line in f:
            if line.startswith("VmRSS"):
                return int(line.split()[1]) / 1024
    return 0.0


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


opener = urllib.request.build_opener(NoRedirect)


def call(path, body="", cookie=None):
    """A server function, as the app's own JavaScript calls it."""
    req = urllib.request.Request(BASE + path, data=body.encode(), method="POST")
    req.add_header("Origin", BASE)
    req.add_header("Content-Type", "application/x-www-form-urlencoded")
    req.add_header("Accept", "application/json")
    if cookie:
        req.add_header("Cookie", cookie)
    with opener.open(req) as res:
        return res.read().decode(), res.headers.get_all("Set-Cookie") or []


def get(path, cookie=None):
    req = urllib.request.Request(BASE + path)
    if cookie:
        req.add_header("Cookie", cookie)
    with opener.open(req) as res:
        return res.read().decode()


def sign_in(endpoint, username, password):
    _, cookies = call(endpoint, urllib.parse.urlencode({"username": username, "password": password}))
    for c in cookies:
        if c.startswith("portico_session="):
            return c.split(";")[0]
    sys.exit(f"sign-in as {username} failed")


def seed_fifty_appointments(cookie, record):
    """Book with Dr. Patel until the Upcoming list holds 50 appointments."""
    search = get("/appointments/book?q=patel", cookie)
    provider = re.search(r'href="/appointments/book/(\d+)', search).group(1)
    listed = lambda: get("/appointments", cookie).count('data-testid="appointment"')
    missing = 50 - listed()
    week = 5
    while missing > 0:
        day = datetime.date.today() + datetime.timedelta(weeks=week)
        body, _ = call("/api/appointments/week", f"provider_id={provider}&week={day}", cookie)
        for slot in [s for d in json.loads(body)["days"] for s in d["slots"]][:missing]:
            call(
                "/api/appointments/book",
                f"provider_id={provider}&start={slot['start']}&record_id={record}&reason=Bench",
                cookie,
            )
        missing = 50 - listed()
        week += 1
        if week > 30:
            sys.exit("could not seed 50 appointments")


def ms(text):
    value, unit = re.match(r"([\d.]+)(us|ms|s)", text).groups()
    return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]


def wrk(path, cookie=None, connections=32, rate=None):
    args = ["wrk", "-t2", f"-c{connections}", f"-d{SECONDS}s", "--latency"]
    if cookie:
        args += ["-H", f"Cookie: {cookie}"]
    if "pkg/" in path:
        args += ["-H", "Accept-Encoding: br, gzip"]
    if rate:
        # A fixed rate: each connection waits so that together they send `rate` a second.
        script = os.path.join(ROOT, "target", "bench-rate.lua")
        with open(script, "w") as f:
            f.write(f"function delay() return {1000 * connections // rate} end\n")
        args = ["wrk", "-t1", f"-c{connections}", f"-d{SECONDS}s", "--latency", "-s", script] + args[5:]
    out = subprocess.run(args + [BASE + path], capture_output=True, text=True, check=True).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    p50 = ms(re.search(r"^\s+50%\s+(\S+)$", out, re.M).group(1))
    p99 = ms(re.search(r"^\s+99%\s+(\S+)$", out, re.M).group(1))
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    if errors:
        sys.exit(f"{path}: {errors.group(1)} error responses under load")
    return rps, p50, p99


def lighthouse(path, cookie=None):
    lh = os.path.join(ROOT, "target", "lighthouse", "node_modules", ".bin", "lighthouse")
    args = [
        lh, BASE + path, "--only-categories=performance", "--output=json", "--quiet",
        "--chrome-flags=--headless --no-sandbox --disable-gpu --disable-quic --no-first-run "
        "--disable-background-networking --disable-component-update --disable-sync",
    ]
    if cookie:
        args.append("--extra-headers=" + json.dumps({"Cookie": cookie}))
    env = dict(os.environ, CHROME_PATH="/usr/bin/chromium")
    res = subprocess.run(args, capture_output=True, text=True, env=env)
    if res.returncode != 0:
        return None
    report = json.loads(res.stdout)
    audits = report["audits"]
    return (
        round(report["categories"]["performance"]["score"] * 100),
        audits["total-blocking-time"]["numericValue"],
        audits["interactive"]["numericValue"] / 1000,
    )


def main():
    idle = rss_mib()
    patient = sign_in("/api/auth/login", "demo", "Portico-demo1")
    riverside = re.search(r'<option value="(\d+)"[^>]*>[^<]*Riverside', get("/", patient)).group(1)
    call("/api/records/select", f"record_id={riverside}", patient)
    seed_fifty_appointments(patient, riverside)
    staff = staff_session(BASE, "admin", "Portico-admin1")
    css = re.search(r'href="(/pkg/portico\.[^"]+\.css)"', get("/login")).group(1)

    rows = []
    floor = wrk("/healthz")
    rows.append(("/healthz (the floor)", floor))
    for label, path, cookie in [
        ("static asset (hashed CSS, brotli)", css, None),
        ("/login", "/login", None),
        ("signed-in /", "/", patient),
        ("signed-in /appointments (50 appointments)", "/appointments", patient),
        ("signed-in /staff/requests", "/staff/requests", staff),
        ("signed-in /staff/messages (open)", "/staff/messages?filter=open", staff),
    ]:
        rows.append((label, wrk(path, cookie)))
    loaded = rss_mib()
    if PAGES_JSON:
        with open(PAGES_JSON, "w") as f:
            json.dump(rows, f)
        return
    fixed = wrk("/appointments", patient, connections=4, rate=200)

    print()
    print("| measurement | req/s | p50 ms | p99 ms | ratio to /healthz |")
    print("|---|---:|---:|---:|---:|")
    for label, (rps, p50, p99) in rows:
        print(f"| {label} | {rps:,.0f} | {p50:.2f} | {p99:.2f} | {rps / floor[0]:.1%} |")
    print(f"| signed-in /appointments at a fixed ~200 req/s | {fixed[0]:,.0f} | {fixed[1]:.2f} | {fixed[2]:.2f} | |")
    print()
    print(f"server RSS: {idle:.0f} MiB idle, {loaded:.0f} MiB after the runs above")

    budget = os.path.join(ROOT, "target", "wasm-per-route.json")
    if os.path.exists(budget):
        print()
        print("| route | first-page WASM, brotli (main + route chunks) |")
        print("|---|---:|")
        for r in json.load(open(budget)):
            print(f"| {r['route']} | {r['main'] + r['chunks']:,} B ({r['main']:,} + {r['chunks']:,} in {r['files'] - 1} files) |")

    if os.path.exists(os.path.join(ROOT, "target", "lighthouse", "node_modules", ".bin", "lighthouse")):
        print()
        print("| Lighthouse 12.8.2, mobile | performance | TBT ms | TTI s |")
        print("|---|---:|---:|---:|")
        for label, path, cookie in [
            ("/login", "/login", None),
            ("/", "/", patient),
            ("/appointments", "/appointments", patient),
            ("/staff/requests", "/staff/requests", staff),
        ]:
            r = lighthouse(path, cookie)
            print(f"| {label} | {r[0]} | {r[1]:.0f} | {r[2]:.1f} |" if r else f"| {label} | failed | | |")

    # What the blocking time is made of (see the script): at 4x CPU, as shipped, with V8's lazy
    # compilation of WebAssembly off, and on a return visit.
    print()
    print(f"Blocking time after the first paint, 4x CPU, median of {MAIN_THREAD_RUNS} loads each:")
    print(flush=True)
    subprocess.run(
        ["node", "main_thread.mjs", BASE, str(MAIN_THREAD_RUNS),
         "/login", "-", "/appointments", patient, "/staff/requests", staff],
        cwd=os.path.join(ROOT, "end2end"),
        check=False,
    )


if __name__ == "__main__":
    main()
