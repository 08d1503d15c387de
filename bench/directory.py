"""HTTP benchmark of the public directory search (issue 8), on SQLite or PostgreSQL (DATABASE_URL).

    .venv/bin/python bench/directory.py [--orgs 100000] [--clients 4] [--requests 400] [--naive 40] [--runs 3]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/grappe_dirbench .venv/bin/python bench/directory.py

Needs gunicorn (the ``bench`` extra). Builds once (kept in ``--work``, default /tmp/dirbench/<vendor>,
or in the PostgreSQL database) ``--orgs`` public members with generated names, descriptions in
French, English and Dutch, competences, value chains, a site and export markets, and indexes them.

Each run then starts a production-like server: ``gunicorn`` with ``--workers`` (2) sync workers,
DEBUG off, the default settings (database cache, sessions, every middleware), serving this module's
``application`` — the project's WSGI application plus one extra URL, ``/bench/naive/``, the same
directory page answered by a naive ``icontains`` search (count + first page of 20 over name, acronym,
descriptions and competence names, with the same facets as filters, no facet counts: the baseline
does *less* work than the real page). ``--clients`` threads, each with its own keep-alive HTTP
client (``http.client``), send their requests back to back:

1. warm-up: facet-only directory pages until each worker has answered some (loads the facet
   bitmaps and compiles the templates; no text search is cached by it);
2. ``search``: ``--requests`` directory searches ``/fr/directory/?q=<term>&<facet>&<facet>`` — a term
   from the descriptions, the first word of a name, or either with a typo, plus two facets (value
   chain or kind, and province). New terms each run; a worker caches a term's text matches, so a
   common word costs its full-text query once per worker and index change;
3. ``naive``: the first ``--naive`` of the same searches on ``/bench/naive/``;
4. ``floor``: a public page without search (``/fr/embed/``), the framework's floor.

Prints per phase the p50/p95 latency seen by the clients (queueing included), requests per second
over the phase's wall time, the ratios naive ÷ search, the load average, and, over ``--runs``
runs (a fresh server each), the medians. Targets: search p95 < 50 ms and naive ÷ search >= 10x.
"""

from __future__ import annotations

import argparse
import http.client
import os
import random
import re
import shutil
import socket
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
NAIVE_PATH = "/bench/naive/"

FR_WORDS = [
    "béton",
    "bois",
    "charpente",
    "isolation",
    "toiture",
    "façade",
    "rénovation",
    "énergie",
    "chantier",
    "menuiserie",
    "vitrage",
    "acier",
    "pierre",
    "chaux",
    "démolition",
    "réemploi",
    "recyclage",
    "conception",
    "maquette",
    "numérique",
    "chauffage",
    "ventilation",
    "géothermie",
    "photovoltaïque",
    "étanchéité",
    "terrassement",
    "ingénierie",
    "architecture",
    "urbanisme",
    "carrelage",
    "plafonnage",
    "peinture",
]
EN_WORDS = [
    "concrete",
    "timber",
    "insulation",
    "roofing",
    "renovation",
    "energy",
    "recycled",
    "design",
    "digital",
    "heating",
    "ventilation",
    "glazing",
    "steel",
    "stone",
    "engineering",
    "modular",
    "prefabricated",
]
NL_WORDS = [
    "beton",
    "hout",
    "isolatie",
    "dakwerken",
    "renovatie",
    "energie",
    "hergebruik",
    "ontwerp",
    "verwarming",
    "staal",
    "steen",
    "bouwkunde",
    "duurzaam",
    "circulair",
    "gevel",
    "schrijnwerk",
]
SYLLABLES = ["sol", "vay", "lux", "tra", "bel", "mon", "ar", "dex", "ka", "ri", "no", "vo", "ter", "za", "pel", "ix"]
SUFFIXES = ["SA", "SRL", "Group", "Engineering", "Construct", "& Fils", "Solutions", "Bouw", "Technics", ""]


def typo(word: str, rng: random.Random) -> str:
    i = rng.randrange(1, len(word) - 1)
    return word[:i] + rng.choice("aeiou") + word[i + 1 :] if word[i] not in "aeiou" else word[:i] + word[i + 1 :]


def build(orgs: int, rng: random.Random) -> None:
    from django.db import transaction
    from django.utils import timezone
    from django.utils.text import slugify

    from grappe.ecosystem.models import Competence, Membership, Organisation, Segment, Site, ValueChain
    from grappe.referential.models import PostalCode

    if Organisation.objects.count() >= orgs:
        return
    started = time.perf_counter()
    with transaction.atomic():
        chains = []
        for c in range(5):
            chain = ValueChain.objects.create(name=f"Chaîne {c}", name_en=f"Chain {c}", slug=f"chaine-{c}", order=c)
            chains.append(
                [Segment.objects.create(value_chain=chain, name=f"Segment {c}.{s}", slug=f"s{c}-{s}") for s in range(4)]
            )
        competences = [
            Competence.objects.create(
                name=f"{w.capitalize()} avancé", name_en=f"Advanced {e}", name_nl=f"Geavanceerd {n}", slug=f"comp-{i}"
            )
            for i, (w, e, n) in enumerate(zip(FR_WORDS, EN_WORDS * 2, NL_WORDS * 2, strict=False))
        ]
        postal = list(PostalCode.objects.values_list("pk", "municipality_id"))
        kinds = [k for k, _l in Organisation.Kind.choices]
        markets = ["FR", "DE", "NL", "LU", "GB", "US", "CA", "JP", "CN", "ES", "IT", "MA"]
        batch = 5000
        now = timezone.now()
        for start in range(0, orgs, batch):
            rows = []
            for n in range(start, min(start + batch, orgs)):
                word = "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 3))).capitalize()
                name = f"{word} {rng.choice(SUFFIXES)}".strip()
                rows.append(
                    Organisation(
                        name=name,
                        slug=f"{slugify(name)}-{n}",
                        kind=rng.choice(kinds),
                        description_fr=" ".join(rng.sample(FR_WORDS, 8)).capitalize() + ".",
                        description_en=" ".join(rng.sample(EN_WORDS, 6)).capitalize() + ".",
                        description_nl=" ".join(rng.sample(NL_WORDS, 6)).capitalize() + ".",
                        export_markets=rng.sample(markets, rng.randint(0, 3)),
                        public_profile_consent=True,
                        public_profile_consent_at=now,
                    )
                )
            created = Organisation.objects.bulk_create(rows)
            ids = [o.pk for o in created]
            Membership.objects.bulk_create(
                Membership(organisation_id=pk, start_date="2020-01-01", status="member") for pk in ids
            )
            sites = []
            for pk in ids:
                code, municipality = rng.choice(postal)
                sites.append(Site(organisation_id=pk, postal_code_id=code, municipality_id=municipality))
            Site.objects.bulk_create(sites)
            Organisation.segments.through.objects.bulk_create(
                Organisation.segments.through(organisation_id=pk, segment_id=s.pk)
                for pk in ids
                for s in rng.sample([seg for segs in chains for seg in segs], rng.randint(1, 2))
            )
            Organisation.competences.through.objects.bulk_create(
                Organisation.competences.through(organisation_id=pk, competence_id=c.pk)
                for pk in ids
                for c in rng.sample(competences, rng.randint(1, 3))
            )
    print(f"  generated {orgs:,} public members in {time.perf_counter() - started:.1f} s")


# --- The server side: this module is also gunicorn's WSGI application -----------------------------


def naive_view(request):
    """The directory page answered by ``showcase.search.naive_search`` (no index, no facet counts)."""
    from django.core.paginator import Paginator
    from django.shortcuts import render

    from grappe.core.text import fold
    from grappe.showcase import search, selectors, views

    terms = fold(str(request.GET.get("q") or ""))[: selectors.MAX_QUERY_LENGTH].split()[: selectors.MAX_TERMS]
    chosen = {f: str(request.GET[f]) for f in selectors.FACETS if request.GET.get(f)}
    ids, total = search.naive_search(terms, chosen, limit=selectors.PAGE_SIZE)
    page = Paginator(selectors._Window(total, 0, ids), selectors.PAGE_SIZE).get_page(1)
    organisations = selectors.public_page(ids)
    page.object_list = [organisations[pk] for pk in ids if pk in organisations]
    result = selectors.DirectoryResult(" ".join(terms), chosen, page, {f: [] for f in selectors.FACETS}, [], total)
    context = {
        "result": result,
        "cards": [(org, selectors.translated_description(org)) for org in page.object_list],
        "query_without_page": "",
        "facet_groups": [(f, views.FACET_NAMES[f], "") for f in selectors.FACETS],
        "sorts": list(views.SORT_NAMES.items()),
    }
    return render(request, "showcase/directory.html", context)


def __getattr__(name: str):
    if name == "urlpatterns":
        from django.urls import path

        from grappe.urls import urlpatterns

        return [path(NAIVE_PATH.strip("/") + "/", naive_view), *urlpatterns]
    raise AttributeError(name)


_wsgi = None


def application(environ, start_response):
    """gunicorn's entry point: the project's WSGI application with this module as URLconf."""
    global _wsgi
    if _wsgi is None:
        from django.conf import settings
        from django.core.wsgi import get_wsgi_application

        _wsgi = get_wsgi_application()
        settings.ROOT_URLCONF = __name__  # the project's URLs plus the naive page
    pid = str(os.getpid())

    def tagged(status, headers, exc_info=None):
        return start_response(status, [*headers, ("X-Bench-Worker", pid)], exc_info)

    return _wsgi(environ, tagged)


# --- The client side ----------------------------------------------------------------------------


def percentile(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(env: dict, workers: int, worker_class: str) -> tuple[subprocess.Popen, int]:
    port = free_port()
    gunicorn = shutil.which("gunicorn", path=str(Path(sys.executable).parent)) or "gunicorn"
    command = [
        gunicorn,
        "directory:application",
        "--workers",
        str(workers),
        "--worker-class",
        worker_class,
        "--bind",
        f"127.0.0.1:{port}",
        "--backlog",
        "256",
        "--log-level",
        "warning",
        "--timeout",
        "300",
    ]
    proc = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            connection.request("GET", "/healthz?check=web")
            if connection.getresponse().status == 200:
                return proc, port
        except OSError:
            pass
        if proc.poll() is not None:
            raise SystemExit(f"gunicorn exited: {proc.stderr.read()[-3000:]}")
        time.sleep(0.3)
    proc.terminate()
    raise SystemExit("gunicorn did not answer /healthz in 120 s")


_TOTAL = re.compile(r"<p>([\d\s\u00a0\u202f.,]+) membres? trouvés?</p>")


class Phase:
    def __init__(self, name: str) -> None:
        self.name = name
        self.latencies: list[float] = []
        self.statuses: dict[int, int] = {}
        self.workers: dict[str, int] = {}
        self.hits: list[int] = []
        self.wall = 0.0

    @property
    def errors(self) -> int:
        return sum(n for status, n in self.statuses.items() if status != 200)

    @property
    def p50(self) -> float:
        return 1000 * statistics.median(self.latencies)

    @property
    def p95(self) -> float:
        return 1000 * percentile(self.latencies, 95)

    @property
    def rps(self) -> float:
        return len(self.latencies) / self.wall if self.wall else float("nan")

    def line(self) -> str:
        hits = f"  median {statistics.median(self.hits):,.0f} hits" if self.hits else ""
        return (
            f"  {self.name:7} n={len(self.latencies):4d}  p50 {self.p50:8.1f} ms  p95 {self.p95:8.1f} ms"
            f"  {self.rps:7.1f} req/s  errors {self.errors}  workers {sorted(self.workers.values())}{hits}"
        )


def load(port: int, name: str, paths: list[str], clients: int) -> Phase:
    """``clients`` threads, each with a keep-alive connection, take the paths in turn until none is left."""
    phase = Phase(name)
    pending = iter(paths)
    lock = threading.Lock()
    ready = threading.Barrier(clients + 1)

    def client() -> None:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=600)
        headers = {"Accept-Language": "fr", "Connection": "keep-alive", "User-Agent": "grappe-bench"}
        mine = []
        ready.wait()
        while True:
            with lock:
                path = next(pending, None)
            if path is None:
                break
            began = time.perf_counter()
            try:
                connection.request("GET", path, headers=headers)
                response = connection.getresponse()
                body = response.read()
                status, worker = response.status, response.getheader("X-Bench-Worker", "?")
            except (OSError, http.client.HTTPException):
                connection.close()
                status, worker, body = -1, "?", b""
            elapsed = time.perf_counter() - began
            match = _TOTAL.search(body.decode("utf-8", "replace")) if status == 200 else None
            mine.append((elapsed, status, worker, int(re.sub(r"\D", "", match.group(1))) if match else None))
        connection.close()
        with lock:
            for elapsed, status, worker, hits in mine:
                phase.latencies.append(elapsed)
                phase.statuses[status] = phase.statuses.get(status, 0) + 1
                phase.workers[worker] = phase.workers.get(worker, 0) + 1
                if hits is not None:
                    phase.hits.append(hits)

    threads = [threading.Thread(target=client) for _ in range(clients)]
    for thread in threads:
        thread.start()
    ready.wait()
    began = time.perf_counter()
    for thread in threads:
        thread.join()
    phase.wall = time.perf_counter() - began
    return phase


def searches(count: int, rng: random.Random, vocabulary: dict) -> list[str]:
    """Directory URLs: one text term (a word, a name, or either with a typo) plus two facets."""
    from grappe.core.text import fold

    paths = []
    for i in range(count):
        roll = rng.random()
        if roll < 0.4:
            term = rng.choice(FR_WORDS + EN_WORDS + NL_WORDS)
        elif roll < 0.7:
            term = rng.choice(vocabulary["names"])
        else:  # a typo in a name or a word
            term = typo(fold(rng.choice([rng.choice(vocabulary["names"]), rng.choice(FR_WORDS)])), rng)
        if i % 2:
            facets = {"value_chain": rng.choice(vocabulary["value_chain"])}
        else:
            facets = {"kind": rng.choice(vocabulary["kind"])}
        facets["province"] = rng.choice(vocabulary["province"])
        paths.append("/fr/directory/?" + urlencode({"q": term, **facets}))
    return paths


def load_average() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def one_run(env: dict, args: argparse.Namespace, rng: random.Random, vocabulary: dict) -> dict[str, Phase]:
    proc, port = start_server(env, args.workers, args.worker_class)
    try:
        print(f"  server: gunicorn, {args.workers} {args.worker_class} workers, port {port}; load {load_average()}")
        began = time.perf_counter()
        warm = Phase("warm-up")
        for round_ in range(20):  # until every worker has answered a few facet-only pages
            paths = [
                "/fr/directory/?" + urlencode({"kind": k, "province": p, "page": 1 + round_})
                for k in vocabulary["kind"][:2]
                for p in vocabulary["province"][:4]
            ]
            paths += ["/fr/embed/", NAIVE_PATH + "?q=zzzz&kind=" + vocabulary["kind"][0]] * args.clients
            phase = load(port, "warm-up", paths, args.clients)
            for worker, n in phase.workers.items():
                warm.workers[worker] = warm.workers.get(worker, 0) + n
            warm.statuses.update(phase.statuses)
            if len([n for n in warm.workers.values() if n >= 4]) >= args.workers:
                break
        print(f"  warm-up: {sum(warm.workers.values())} requests in {time.perf_counter() - began:.1f} s")
        cases = searches(args.requests, rng, vocabulary)
        phases = {"search": load(port, "search", cases, args.clients)}
        naive = [NAIVE_PATH + case.split("/", 3)[3] for case in cases[: args.naive]]
        phases["naive"] = load(port, "naive", naive, args.clients)
        phases["floor"] = load(port, "floor", ["/fr/embed/"] * args.naive, args.clients)
        for phase in phases.values():
            print(phase.line())
        search, naive = phases["search"], phases["naive"]
        print(
            f"  naive ÷ search: p50 {naive.p50 / search.p50:.1f}x  p95 {naive.p95 / search.p95:.1f}x"
            f"  req/s {search.rps / naive.rps:.1f}x;  load {load_average()}"
        )
        return phases
    finally:
        proc.terminate()
        proc.wait(timeout=60)


def prepare(args: argparse.Namespace) -> dict:
    """Migrate, generate and index (once), and read the facet values and names the searches use."""
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from grappe.ecosystem.models import Organisation, ValueChain
    from grappe.referential.models import Province
    from grappe.showcase import search

    call_command("migrate", verbosity=0)
    build(args.orgs, random.Random(args.seed))
    if args.reindex or not search.index_state()["entries"]:
        started = time.perf_counter()
        print(f"  index: {search.rebuild_index():,} public organisations in {time.perf_counter() - started:.1f} s")
    if connection.vendor == "postgresql":  # fresh bulk-loaded tables: plan with statistics, as autovacuum would
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    state = search.index_state()
    print(f"  {connection.vendor}: {state['entries']:,} indexed organisations, {state['words']:,} vocabulary keys")
    vocabulary = {
        "value_chain": sorted(ValueChain.objects.values_list("slug", flat=True)),
        "province": sorted(Province.objects.values_list("nis", flat=True)),
        "kind": [k for k, _label in Organisation.Kind.choices],
        "names": [
            name.split()[0]
            for name in Organisation.objects.filter(public_profile_consent=True)
            .order_by("?")
            .values_list("name", flat=True)[:500]
        ],
    }
    vendor = connection.vendor
    connection.close()
    return {"vendor": vendor, **vocabulary}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--orgs", type=int, default=100_000)
    parser.add_argument("--clients", type=int, default=4, help="concurrent HTTP clients (threads)")
    parser.add_argument("--requests", type=int, default=400, help="searches per run")
    parser.add_argument("--naive", type=int, default=40, help="naive searches per run (the first of the same)")
    parser.add_argument("--runs", type=int, default=3, help="runs, each on a fresh server; medians printed")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--worker-class", default="sync", help="gunicorn worker class (sync, gthread)")
    parser.add_argument("--seed", type=int, default=8)
    parser.add_argument("--reindex", action="store_true", help="rebuild the index even if it is filled")
    parser.add_argument("--build-only", action="store_true", help="generate and index, measure nothing")
    parser.add_argument("--work", help="data directory (SQLite database); default /tmp/dirbench/<sqlite|pg>")
    args = parser.parse_args()
    postgres = os.environ.get("DATABASE_URL", "").startswith("postgres")
    work = Path(args.work or f"/tmp/dirbench/{'pg' if postgres else 'sqlite'}")
    work.mkdir(parents=True, exist_ok=True)
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "grappe.settings",
        "GRAPPE_DATA_DIR": str(work),
        "DEBUG": "0",
        "SECRET_KEY": os.environ.get("SECRET_KEY", "bench-directory-" + "x" * 50),
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "LOG_LEVEL": "WARNING",
        "PYTHONPATH": os.pathsep.join([str(ROOT / "bench"), str(ROOT / "src"), os.environ.get("PYTHONPATH", "")]),
    }
    os.environ.update(env)
    vocabulary = prepare(args)
    if args.build_only:
        return
    runs = []
    for run in range(args.runs):
        print(f"run {run + 1}/{args.runs} ({vocabulary['vendor']}, {args.clients} clients):")
        runs.append(one_run(env, args, random.Random(args.seed * 1000 + run), vocabulary))
    if len(runs) > 1:
        print(f"median of {len(runs)} runs ({vocabulary['vendor']}, {args.orgs:,} organisations):")
        for name in ("search", "naive", "floor"):
            p50 = statistics.median(r[name].p50 for r in runs)
            p95 = statistics.median(r[name].p95 for r in runs)
            rps = statistics.median(r[name].rps for r in runs)
            print(f"  {name:7} p50 {p50:8.1f} ms  p95 {p95:8.1f} ms  {rps:7.1f} req/s")
    ratio50 = statistics.median(r["naive"].p50 / r["search"].p50 for r in runs)
    ratio95 = statistics.median(r["naive"].p95 / r["search"].p95 for r in runs)
    p95 = statistics.median(r["search"].p95 for r in runs)
    print(f"  naive ÷ search: p50 {ratio50:.1f}x, p95 {ratio95:.1f}x (target >= 10x)")
    print(f"  target search p95 < 50 ms: {'met' if p95 < 50 else 'NOT met'} ({p95:.1f} ms); load {load_average()}")


if __name__ == "__main__":
    main()
