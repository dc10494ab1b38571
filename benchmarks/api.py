"""The HTTP API and the diary over HTTP (issue 12): real ``musclewise serve`` processes on
loopback, loaded by ``wrk`` (Debian's package, C and Lua, so the load generator takes little of
the server's CPU), each measure bounded in time.

- ``POST /api/v1/assess``: requests a second, p50 and p99 with 32 concurrent clients, errors;
  on one worker (Uvicorn) and on two (Gunicorn with Uvicorn workers). Target: at least 1,500 a
  second on one worker, p99 under 50 ms, no errors. The bodies are varied findings; a sample of
  the answers is first checked to equal the library's (``assess_valid``).
- A mixed diary workload from 100 concurrent clients (log an episode, list the diary, save a
  day's context, view insights) on a diary of 1,000 episodes on PostgreSQL (SQLite when the
  server cannot be reached), p50 and p99, on one and two workers.

The workload is the table :data:`OPERATIONS` (name, weight, method, path, form): the web app's
routes today. Without accounts the clients share one person's diary; when the diary API and
accounts land, swap in their paths (and a session cookie or token per client) there.

Run alone: ``python benchmarks/api.py`` (``MUSCLEWISE_BENCH_QUICK=1`` for 5-second measures).
"""

from __future__ import annotations

import json
import os
import random
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

QUICK = os.environ.get("MUSCLEWISE_BENCH_QUICK", "") not in ("", "0")
SECONDS = 5 if QUICK else 15
WARM_UP_S = 2
ASSESS_CLIENTS = 32
PEOPLE = 100
EPISODES = 1_000
BODIES = 200
BIN = Path(sys.executable).parent


@dataclass(frozen=True)
class Operation:
    """One kind of request of the mixed workload. In ``form``, ``{minutes}`` becomes a random
    number of minutes (0 to 10,000) and ``{date}`` a random day of the last 100."""

    name: str
    weight: int
    method: str
    path: str
    form: dict[str, str] | None = None


OPERATIONS = (
    Operation("log", 3, "POST", "/log/quick",
              {"site": "calf", "pain": "6", "minutes_ago": "{minutes}", "duration_min": "2"}),
    Operation("list", 4, "GET", "/diary"),
    Operation("day", 2, "POST", "/day",
              {"date": "{date}", "caffeine_cups": "2", "sleep_hours": "6.5", "stress": "4"}),
    Operation("insights", 1, "GET", "/insights"),
)  # fmt: skip
WITHOUT_INSIGHTS = tuple(op for op in OPERATIONS if op.name != "insights")


# ---------------------------------------------------------------------- servers


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def _cores() -> list[int]:
    return sorted(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else []


def _pinned(cores: list[int]) -> list[str]:
    """``taskset -c CORES`` when it can be used (nothing else)."""
    if not cores or shutil.which("taskset") is None:
        return []
    return ["taskset", "-c", ",".join(map(str, cores))]


@contextmanager
def server(
    url: str, workers: int, cores: list[int], *, accounts: bool = False
) -> Iterator[tuple[str, int]]:
    """``musclewise serve`` on a free loopback port, pinned to ``cores``, stopped afterwards."""
    port = _free_port()
    exe = str(BIN / "musclewise")
    command = [*_pinned(cores), exe, "serve", "--port", str(port), "--database-url", url,
               "--workers", str(workers), *(["--accounts"] if accounts else [])]  # fmt: skip
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(base + "/healthz", timeout=1) as answer:
                    if answer.status == 200:
                        break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    err = process.stderr.read().decode() if process.stderr else ""
                    raise SystemExit(f"musclewise serve did not start: {err[-2000:]}") from None
                time.sleep(0.2)
        yield base, process.pid
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()


# ---------------------------------------------------------------------- wrk


def _lua_string(value: str) -> str:
    return json.dumps(value)  # a JSON string is a valid Lua string for this text


def cpu_seconds(pid: int) -> float:
    """The CPU time (user and system) of a process and all its descendants, from /proc."""
    ticks = os.sysconf("SC_CLK_TCK")
    parents: dict[int, int] = {}
    times: dict[int, float] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        child = int(stat.parent.name)
        parents[child] = int(fields[1])
        times[child] = (int(fields[11]) + int(fields[12])) / ticks
    family, grew = {pid}, True
    while grew:
        more = {c for c, p in parents.items() if p in family} - family
        family |= more
        grew = bool(more)
    return sum(times.get(p, 0.0) for p in family)


def _wrk(
    base: str, path: str, script: str, clients: int, seconds: int, cores: list[int], pid: int
) -> dict[str, Any]:
    """One wrk run (after a warm-up), parsed: requests a second, p50/p99 (ms), errors, and
    requests per CPU-second of the server (what it would do with its cores to itself), with
    the machine's load average."""
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as handle:
        handle.write(script)
    try:

        def run(duration: int) -> str:
            command = [*_pinned(cores), "wrk", "-t1", f"-c{clients}", f"-d{duration}s",
                       "--timeout", "30s", "--latency", "-s", handle.name, base + path]  # fmt: skip
            done = subprocess.run(command, capture_output=True, text=True, check=True)
            return done.stdout

        run(WARM_UP_S)
        before = cpu_seconds(pid)
        parsed = _parse(run(seconds))
        used = cpu_seconds(pid) - before
        parsed["per_cpu_second"] = parsed["requests"] / used if used > 0 else 0.0
        parsed["load"] = os.getloadavg()[0]
        return parsed
    finally:
        os.unlink(handle.name)


UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0}


def _parse(out: str) -> dict[str, Any]:
    def latency(percent: str) -> float:
        found = re.search(rf"^\s+{percent}%\s+([\d.]+)(us|ms|s)\s*$", out, re.M)
        if not found:
            raise SystemExit(f"wrk gave no {percent}% latency:\n{out}")
        return float(found.group(1)) * UNITS[found.group(2)]

    count = re.search(r"(\d+) requests in ([\d.]+)(us|ms|s|m)", out)
    rate = re.search(r"Requests/sec:\s+([\d.]+)", out)
    if not count or not rate:
        raise SystemExit(f"wrk's output was not understood:\n{out}")
    socket_errors = re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out
    )
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    errors = (sum(map(int, socket_errors.groups())) if socket_errors else 0) + (
        int(bad.group(1)) if bad else 0
    )
    return {
        "per_second": float(rate.group(1)),
        "requests": int(count.group(1)),
        "p50_ms": latency("50"),
        "p99_ms": latency("99"),
        "errors": errors,
    }


def _assess_script(bodies: list[str]) -> str:
    table = ",\n".join(_lua_string(b) for b in bodies)
    return f"""
local bodies = {{
{table}
}}
local n = 0
request = function()
  n = n % #bodies + 1
  return wrk.format("POST", nil, {{["Content-Type"] = "application/json"}}, bodies[n])
end
"""


def _mix_script(token: str, operations: tuple[Operation, ...]) -> str:
    """A mixed workload as a wrk Lua script: each request an operation drawn by weight."""
    rows = []
    for op in operations:
        form = "nil"
        if op.form is not None:
            fields = {"csrf": token, **op.form}
            form = _lua_string("&".join(f"{k}={v}" for k, v in fields.items()))
        rows += [f"{{{_lua_string(op.method)}, {_lua_string(op.path)}, {form}}}"] * op.weight
    today = datetime.now(UTC).date()
    dates = ", ".join(_lua_string((today - timedelta(days=d)).isoformat()) for d in range(100))
    return f"""
local ops = {{ {", ".join(rows)} }}
local dates = {{ {dates} }}
local headers = {{["Cookie"] = "mw_csrf={token}",
                  ["Content-Type"] = "application/x-www-form-urlencoded"}}
math.randomseed(12)
request = function()
  local op = ops[math.random(#ops)]
  local body = op[3]
  if body then
    body = body:gsub("{{minutes}}", tostring(math.random(0, 10000)))
    body = body:gsub("{{date}}", dates[math.random(#dates)])
  end
  return wrk.format(op[1], op[2], headers, body)
end
"""


# ---------------------------------------------------------------------- the measures


def _bodies() -> list[dict[str, Any]]:
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from run import random_findings

    rng = random.Random(12)
    return [random_findings(rng) for _ in range(BODIES)]


def _same_answers(base: str, bodies: list[dict[str, Any]]) -> int:
    """Post a sample of the bodies and check each answer equals the library's."""
    from musclewise.assessment import assess_valid
    from musclewise.findings import validate_findings

    checked = 0
    for body in bodies[:: max(1, len(bodies) // 20)]:
        request = urllib.request.Request(
            base + "/api/v1/assess", data=json.dumps(body).encode(), method="POST",
            headers={"Content-Type": "application/json"},
        )  # fmt: skip
        with urllib.request.urlopen(request, timeout=10) as answer:
            got = json.loads(answer.read())
        expected = json.loads(json.dumps(assess_valid(validate_findings(body))))
        if got != expected:
            raise SystemExit(f"POST /api/v1/assess answered differently for {body}")
        checked += 1
    return checked


def _token(base: str) -> str:
    with urllib.request.urlopen(base + "/check", timeout=10) as page:
        cookie = page.headers["set-cookie"]
    found = re.match(r"mw_csrf=([^;]+)", cookie)
    if not found:
        raise SystemExit("the web app set no CSRF cookie")
    return found.group(1)


def _fill(url: str) -> None:
    from musclewise.diary import Diary

    rng = random.Random(11)
    start = datetime.now(UTC) - timedelta(days=700)
    sites = ["calf", "calf", "calf", "foot", "thigh_back", "eyelid", "hand"]
    with Diary(url) as diary, diary.transaction():
        diary.set_profile({"timezone": "Europe/London"})
        for i in range(EPISODES):
            diary.add_episode(
                rng.choice(sites), pain=rng.randint(2, 9),
                duration_s=rng.choice([20, 60, 90, 180]),
                started_at=start + timedelta(hours=16 * i + rng.randint(0, 8)),
            )  # fmt: skip


@contextmanager
def _database() -> Iterator[tuple[str, str]]:
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from run import diary_database, postgres_reachable

    why = postgres_reachable()
    backend = "sqlite" if why else "postgresql"
    with tempfile.TemporaryDirectory() as tmp, diary_database(backend, Path(tmp)) as url:
        yield backend, url


ACCOUNT_OPERATIONS = (
    # (name, weight, method, path, JSON body): the diary API with a personal token each
    ("log", 3, "POST", "/api/v1/episodes", '{"site": "calf", "pain": 6, "started_at": "{when}"}'),
    ("list", 4, "GET", "/api/v1/episodes?limit=20", None),
    ("day", 2, "PUT", "/api/v1/days/{date}",
     '{"caffeine_cups": 2, "sleep_hours": 6.5, "stress": 4}'),
    ("insights", 1, "GET", "/api/v1/insights", None),
)  # fmt: skip
ACCOUNT_EPISODES = 40
"""Episodes in each account's diary before the run."""


def _accounts_script(tokens: list[str], insights: bool) -> str:
    """The diary API mix as a wrk Lua script: each request one account's token (drawn at
    random) and an operation drawn by weight."""
    rows = []
    for name, weight, method, path, body in ACCOUNT_OPERATIONS:
        if name == "insights" and not insights:
            continue
        lua_body = "nil" if body is None else _lua_string(body)
        rows += [f"{{{_lua_string(method)}, {_lua_string(path)}, {lua_body}}}"] * weight
    today = datetime.now(UTC).date()
    dates = ", ".join(_lua_string((today - timedelta(days=d)).isoformat()) for d in range(100))
    keys = ", ".join(_lua_string(t) for t in tokens)
    return f"""
local ops = {{ {", ".join(rows)} }}
local dates = {{ {dates} }}
local tokens = {{ {keys} }}
math.randomseed(13)
request = function()
  local op = ops[math.random(#ops)]
  local path = op[2]:gsub("{{date}}", dates[math.random(#dates)])
  local body = op[3]
  if body then
    local when = os.date("!%Y-%m-%dT%H:%M:%SZ", os.time() - math.random(0, 20000000))
    body = body:gsub("{{when}}", when)
  end
  local headers = {{["Authorization"] = "Bearer " .. tokens[math.random(#tokens)],
                    ["Content-Type"] = "application/json"}}
  return wrk.format(op[1], path, headers, body)
end
"""


def _fill_accounts(url: str) -> list[str]:
    """PEOPLE accounts, each with a diary of ACCOUNT_EPISODES episodes and a personal token;
    the tokens. (A fast password hash: the mix logs in by token, never by password.)"""
    from pwdlib import PasswordHash
    from pwdlib.hashers.argon2 import Argon2Hasher

    from musclewise.accounts import Accounts
    from musclewise.diary import Diary

    quick = PasswordHash((Argon2Hasher(time_cost=1, memory_cost=64, parallelism=1),))
    rng = random.Random(14)
    start = datetime.now(UTC) - timedelta(days=400)
    tokens = []
    with Accounts(url, hasher=quick) as accounts:
        for n in range(PEOPLE):
            made = accounts.add(f"person{n}@example.org", "a long pass phrase, benchmark only")
            tokens.append(accounts.create_token(made.id)[1])
            mine = Diary(engine=accounts.engine, account=made.id, person="me")
            with mine as diary, diary.transaction():
                for i in range(ACCOUNT_EPISODES):
                    diary.add_episode(
                        rng.choice(["calf", "foot", "thigh_back"]), pain=rng.randint(2, 9),
                        started_at=start + timedelta(hours=200 * i + rng.randint(0, 100)),
                    )  # fmt: skip
    return tokens


def run() -> dict[str, Any]:
    if shutil.which("wrk") is None:
        return {"skipped": "wrk is not installed (apt-get install wrk)"}
    cores = _cores()
    # one worker: the server on the first core, wrk on the last; two: the server on both
    server_one, load = cores[:1], cores[-1:]
    both = cores[:2]
    bodies = _bodies()
    script = _assess_script([json.dumps(b) for b in bodies])
    result: dict[str, Any] = {"cores": len(cores), "seconds": SECONDS}
    with _database() as (backend, url):
        result["backend"] = backend
        for workers, server_cores in ((1, server_one), (2, both)):
            with server(url, workers, server_cores) as (base, pid):
                result["checked"] = _same_answers(base, bodies)
                result[f"assess_{workers}"] = _wrk(
                    base, "/api/v1/assess", script, ASSESS_CLIENTS, SECONDS, load, pid
                )
                print(f"  assess, {workers} worker(s): {result[f'assess_{workers}']}", flush=True)
        _fill(url)
        for workers, server_cores in ((1, server_one), (2, both)):
            with server(url, workers, server_cores) as (base, pid):
                token = _token(base)
                # without insights first: a run leaves requests queued in the server (insights
                # drawn after wrk stopped), which would count against the next run
                for name, operations in (
                    ("mix_no_insights", WITHOUT_INSIGHTS),
                    ("mix", OPERATIONS),
                ):
                    result[f"{name}_{workers}"] = _wrk(
                        base, "/", _mix_script(token, operations), PEOPLE, SECONDS, load, pid
                    )
                    print(
                        f"  {name}, {workers} worker(s): {result[f'{name}_{workers}']}", flush=True
                    )
        tokens = _fill_accounts(url)
        for workers, server_cores in ((1, server_one), (2, both)):
            with server(url, workers, server_cores, accounts=True) as (base, pid):
                for name, insights in (("accounts_no_insights", False), ("accounts", True)):
                    result[f"{name}_{workers}"] = _wrk(
                        base, "/", _accounts_script(tokens, insights), PEOPLE, SECONDS, load, pid
                    )
                    print(
                        f"  {name}, {workers} worker(s): {result[f'{name}_{workers}']}", flush=True
                    )
    return result


def section(r: dict[str, Any]) -> str:
    title = "\n## The HTTP API and the diary over HTTP (issue 12)\n"
    if "skipped" in r:
        return f"{title}\nNot measured: {r['skipped']}.\n"

    def row(name: str, m: dict[str, Any], target: str = "") -> str:
        return (f"| {name} | {m['per_second']:,.0f} | {m['per_cpu_second']:,.0f} "
                f"| {m['p50_ms']:.1f} ms | {m['p99_ms']:.1f} ms | {m['errors']} "
                f"| {m['load']:.1f} | {target} |")  # fmt: skip

    mix = ", ".join(f"{op.name} ×{op.weight}" for op in OPERATIONS)
    rows = [
        row(f"`POST /api/v1/assess`, 1 worker, {ASSESS_CLIENTS} clients", r["assess_1"],
            "≥ 1,500/s, p99 < 50 ms, no errors"),
        row(f"`POST /api/v1/assess`, 2 workers, {ASSESS_CLIENTS} clients", r["assess_2"]),
        row(f"diary mix, 1 worker, {PEOPLE} clients", r["mix_1"]),
        row(f"diary mix, 2 workers, {PEOPLE} clients", r["mix_2"]),
        row(f"diary mix without insights, 1 worker, {PEOPLE} clients", r["mix_no_insights_1"]),
        row(f"diary mix without insights, 2 workers, {PEOPLE} clients", r["mix_no_insights_2"]),
        row(f"{PEOPLE} accounts over the API, 1 worker", r["accounts_1"]),
        row(f"{PEOPLE} accounts over the API, 2 workers", r["accounts_2"]),
        row(f"{PEOPLE} accounts over the API without insights, 1 worker",
            r["accounts_no_insights_1"]),
        row(f"{PEOPLE} accounts over the API without insights, 2 workers",
            r["accounts_no_insights_2"]),
    ]  # fmt: skip
    accounts_mix = ", ".join(f"{n} ×{w}" for n, w, *_ in ACCOUNT_OPERATIONS)
    table = "\n".join(rows)
    database = "PostgreSQL" if r["backend"] == "postgresql" else "SQLite"
    return f"""{title}
Real `musclewise serve` processes on loopback, loaded by `wrk` (one thread, pinned to the last
core with `taskset`); one worker is plain Uvicorn pinned to the first core, two workers are
Gunicorn with Uvicorn workers on both cores (sharing them with `wrk`). Each figure is a
{r["seconds"]}-second run after a {WARM_UP_S}-second warm-up, on a machine of {r["cores"]} cores.
"per CPU-second" is requests divided by the CPU time the server's processes used during the
run (from `/proc`): what they would serve with their cores to themselves, whatever else runs.
"load" is the machine's one-minute load average at the end of the run. Written by
`benchmarks/api.py`.

| measure | requests a second | per CPU-second | p50 | p99 | errors | load | target |
|---|---|---|---|---|---|---|---|
{table}

The assess bodies are {BODIES} generated findings (as the batch benchmark's), cycled; before
each run {r["checked"]} answers were checked to equal the library's (`assess_valid`). The
diary mix draws each request by weight from {mix} (`OPERATIONS` in `benchmarks/api.py`: the
web app's routes, a form post with its CSRF token for log and day) on a diary of
{EPISODES:,} episodes on {database}, the {PEOPLE} clients sharing one person's diary. The
accounts rows run `musclewise serve --accounts`: {PEOPLE} accounts, each with a diary of
{ACCOUNT_EPISODES} episodes and a personal token; each request is one account's (its token drawn
at random) and draws its operation by weight from {accounts_mix}, through the diary API
(`POST /api/v1/episodes`, `GET /api/v1/episodes`, `PUT /api/v1/days/...`, `GET
/api/v1/insights`), every one checked by its token and scoped to its account. Insights are computed again (charts drawn, about a second) whenever the
diary changed since the last view, which under this mix is nearly every view, and a worker
drawing them holds up the requests behind it: that is the work issue 12 moves to the job
queue; the mix without insights shows the rest. With 100 clients each waiting for its answer
before the next request, p50 is about clients ÷ throughput: the figure to read is the rate. The
CPU per request counts the app's processes only, not PostgreSQL's.

On a shared or loaded machine read the "per CPU-second" column for what one worker can do: the
rate in wall-clock time is what was left to the server by everything else running (see "load";
the one-worker server is pinned to a single core and cannot move off a busy one). The request
path was profiled for this benchmark: the web app's guard (Host and Origin checks, the CSRF
cookie, the security headers) ran as Starlette's `BaseHTTPMiddleware`, which cost more than the
assessment itself; as plain ASGI middleware (`web/security.py`, `Guard`) one `POST
/api/v1/assess` through the whole app takes 0.7 ms in process instead of 2.0 ms (the assessment
about 0.35 ms of it), and Uvicorn now parses HTTP with httptools on uvloop. Answers are
unchanged (checked above, and by the tests).
"""


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
    print(section(run()))
