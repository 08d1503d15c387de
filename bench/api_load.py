"""Load benchmark of the public API and directory (issue 11): N concurrent clients against gunicorn.

    .venv/bin/python bench/api_load.py [--clients 50] [--duration 60] [--orgs 300] [--workers 4] [--work DIR]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/grappe_platform_bench .venv/bin/python bench/api_load.py

Builds (once; kept in --work or the PostgreSQL database) ``--orgs`` public members, a staff user and
a token, starts ``gunicorn grappe.wsgi:application`` (``--workers`` sync workers, DEBUG off, shared
database cache) and runs ``--clients`` threads for ``--duration`` seconds, each cycling through:

- ``public_api``: ``GET /api/v1/ecosystem/public/organisations?page=k`` (anonymous, rate-limited;
  the limit is raised for the throughput run);
- ``public_api_304``: the same with ``If-None-Match`` (conditional read answered 304);
- ``directory``: the public directory page ``/fr/directory/?page=k``;
- ``staff_api``: ``GET /api/v1/ecosystem/organisations?page=k`` with a staff token.

Prints per scenario the requests, errors (anything but 200/304, or a transport error), requests/s,
median and p95 latency, the totals, and the ratios (304 vs 200 median; directory vs API p95). Then a
short run with the production rate limit (``120/m``) checks that excess requests get a clean 429
with ``Retry-After`` and never an error. Needs gunicorn (``pip install gunicorn``, the bench extra).
"""

from __future__ import annotations

import argparse
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable
SEED = r"""
import datetime as dt, sys
from decimal import Decimal
import django
django.setup()
from grappe.accounts import tokens
from grappe.accounts.models import User
from grappe.ecosystem import services
from grappe.ecosystem.models import Organisation
n = int(sys.argv[1])
have = Organisation.objects.filter(public_profile_consent=True).count()
for i in range(have, n):
    org = services.organisation_create(actor=None, name=f"Bench Construction {i:05d}", kind=Organisation.Kind.COMPANY,
                                       description_fr="Entreprise de construction circulaire, réemploi et rénovation.")
    services.membership_create(actor=None, organisation=org, start_date=dt.date(2024, 1, 1), yearly_fee=Decimal("500"))
    Organisation.objects.filter(pk=org.pk).update(public_profile_consent=True)
user, _ = User.objects.get_or_create(email="bench-staff@cluster.test", defaults={"role": User.Role.STAFF})
_t, plaintext = tokens.token_create(actor=None, user=user, name="bench", scopes=["ecosystem:read"])
print(plaintext)
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    values = sorted(values)
    return values[min(len(values) - 1, round(q * (len(values) - 1)))]


def start_server(env: dict, workers: int, rate: str) -> tuple[subprocess.Popen, str]:
    port = free_port()
    server_env = {**env, "GRAPPE_API_PUBLIC_RATE": rate}
    gunicorn = shutil.which("gunicorn", path=str(Path(PY).parent)) or "gunicorn"
    proc = subprocess.Popen(
        [
            gunicorn,
            "grappe.wsgi:application",
            "--workers",
            str(workers),
            "--bind",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
            "--timeout",
            "60",
        ],
        env=server_env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{base}/healthz?check=web", timeout=2).status_code == 200:
                return proc, base
        except httpx.HTTPError:
            pass
        if proc.poll() is not None:
            raise SystemExit(f"gunicorn exited: {proc.stderr.read()[-2000:]}")
        time.sleep(0.3)
    proc.terminate()
    raise SystemExit("gunicorn did not answer /healthz in 120 s")


def run_load(base: str, token: str, clients: int, duration: float, pages: int, scenarios: list[str]) -> dict:
    results: dict[str, list[tuple[int, float]]] = {s: [] for s in scenarios}
    lock = threading.Lock()
    etags: dict[str, str] = {}
    start = threading.Barrier(clients)
    stop_at = [0.0]

    def request(client: httpx.Client, scenario: str, page: int) -> tuple[int, float]:
        headers = {}
        if scenario in ("public_api", "public_api_304"):
            url = f"{base}/api/v1/ecosystem/public/organisations?page={page}&page_size=20"
            if scenario == "public_api_304" and url in etags:
                headers["If-None-Match"] = etags[url]
        elif scenario == "directory":
            url = f"{base}/fr/directory/?page={page}"
        else:
            url = f"{base}/api/v1/ecosystem/organisations?page={page}&page_size=20"
            headers["Authorization"] = f"Bearer {token}"
        t0 = time.perf_counter()
        try:
            response = client.get(url, headers=headers)
            status = response.status_code
            if scenario == "public_api" and status == 200 and "ETag" in response.headers:
                etags[url] = response.headers["ETag"]
        except httpx.HTTPError:
            status = -1
        return status, time.perf_counter() - t0

    def worker(n: int) -> None:
        mine: list[tuple[str, int, float]] = []
        with httpx.Client(timeout=30, headers={"Accept-Language": "fr"}) as client:
            start.wait()
            if n == 0:
                stop_at[0] = time.monotonic() + duration
            while not stop_at[0]:
                time.sleep(0.001)
            i = n
            while time.monotonic() < stop_at[0]:
                scenario = scenarios[i % len(scenarios)]
                status, elapsed = request(client, scenario, 1 + (i // len(scenarios)) % pages)
                mine.append((scenario, status, elapsed))
                i += 1
        with lock:
            for scenario, status, elapsed in mine:
                results[scenario].append((status, elapsed))

    # Warm the ETag of every page first, so the 304 scenario has tags from the start.
    with httpx.Client(timeout=30) as client:
        for page in range(1, pages + 1):
            request(client, "public_api", page)
    threads = [threading.Thread(target=worker, args=(n,)) for n in range(clients)]
    t0 = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    results["_elapsed"] = time.monotonic() - t0  # type: ignore[assignment]
    return results


def report(results: dict, duration: float) -> dict[str, dict]:
    rows = {}
    print(f"{'scenario':<16}{'requests':>9}{'errors':>8}{'req/s':>9}{'p50 ms':>9}{'p95 ms':>9}  statuses")
    total = errors_total = 0
    for scenario, samples in results.items():
        if scenario.startswith("_"):
            continue
        latencies = [e * 1000 for _s, e in samples]
        statuses: dict[int, int] = {}
        for status, _e in samples:
            statuses[status] = statuses.get(status, 0) + 1
        errors = sum(n for s, n in statuses.items() if s not in (200, 304))
        row = {
            "n": len(samples),
            "errors": errors,
            "rps": len(samples) / duration,
            "p50": statistics.median(latencies) if latencies else float("nan"),
            "p95": percentile(latencies, 0.95),
        }
        rows[scenario] = row
        total += len(samples)
        errors_total += errors
        print(
            f"{scenario:<16}{row['n']:>9}{errors:>8}{row['rps']:>9.1f}{row['p50']:>9.1f}{row['p95']:>9.1f}  "
            + ", ".join(f"{s}:{n}" for s, n in sorted(statuses.items()))
        )
    print(f"{'total':<16}{total:>9}{errors_total:>8}{total / duration:>9.1f}")
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--duration", type=float, default=60)
    parser.add_argument("--orgs", type=int, default=300)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--work", help="directory kept between runs (SQLite database); default: a temporary one")
    args = parser.parse_args()

    work = Path(args.work) if args.work else Path(tempfile.mkdtemp(prefix="grappe-api-load-"))
    work.mkdir(parents=True, exist_ok=True)
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "grappe.settings",
        "GRAPPE_DATA_DIR": str(work),
        "DEBUG": "0",
        "SECRET_KEY": "bench-" + "x" * 50,
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "LOG_LEVEL": "WARNING",
        "PYTHONPATH": str(ROOT / "src"),
    }
    database = env.get("DATABASE_URL", f"sqlite:///{work / 'grappe.sqlite3'}")
    print(f"database: {database.split('@')[-1]}; {args.clients} clients, {args.duration:.0f} s, {args.workers} workers")
    t0 = time.monotonic()
    subprocess.run([PY, "-m", "grappe", "migrate", "--noinput", "-v", "0"], env=env, check=True)
    seeded = subprocess.run([PY, "-c", SEED, str(args.orgs)], env=env, check=True, capture_output=True, text=True)
    token = seeded.stdout.strip().splitlines()[-1]
    print(f"setup (migrate + {args.orgs} public members): {time.monotonic() - t0:.1f} s")
    pages = max(1, args.orgs // 20)
    scenarios = ["public_api", "public_api_304", "directory", "staff_api"]

    proc, base = start_server(env, args.workers, "1000000/m")
    try:
        results = run_load(base, token, args.clients, args.duration, pages, scenarios)
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    elapsed = results.pop("_elapsed")
    print(f"\nthroughput run ({elapsed:.1f} s wall):")
    rows = report(results, args.duration)
    print("\nratios:")
    print(f"  304 vs 200 median (public API):      {rows['public_api_304']['p50'] / rows['public_api']['p50']:.2f}")
    print(f"  directory page vs public API p95:    {rows['directory']['p95'] / rows['public_api']['p95']:.2f}")
    print(f"  staff API vs public API median:      {rows['staff_api']['p50'] / rows['public_api']['p50']:.2f}")

    # With the production limit: excess requests are 429 with Retry-After, never errors. The shared
    # cache still holds the throughput run's request history for this address (thousands of hits in
    # the last minute under a limit of a million): cleared, or every request would be refused.
    subprocess.run(
        [PY, "-c", "import django; django.setup(); from django.core.cache import cache; cache.clear()"],
        env=env,
        check=True,
    )
    proc, base = start_server(env, args.workers, "120/m")
    try:
        statuses: dict[int, int] = {}
        retry_after = True
        with httpx.Client(timeout=30) as client:
            for _ in range(200):
                r = client.get(f"{base}/api/v1/ecosystem/public/organisations")
                statuses[r.status_code] = statuses.get(r.status_code, 0) + 1
                if r.status_code == 429:
                    retry_after = retry_after and "Retry-After" in r.headers and r.json()["reason"] == "rate_limited"
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    print(f"\nrate limit 120/m, 200 requests from one client: {statuses}; 429 carry Retry-After: {retry_after}")
    if not args.work:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
