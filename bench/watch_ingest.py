"""Benchmark of the watch ingest: N sources x M items served by a local HTTP server.

    .venv/bin/python bench/watch_ingest.py [--sources 200] [--items 50] [--repeat 3]

Prints, as medians over ``--repeat`` runs on a fresh SQLite database in a temporary directory:
- end to end: fetch (real HTTP on loopback) + parse + store (dedup, language, MinHash groups) + tag,
  in items/s — the target is at least 500 items/s;
- tagging alone (rules of the 12 demo topics, plus one trained classifier), in items/s;
- baselines measured in the same run, with the ratios: feedparser alone on the same bodies (what the
  ingest used before the fast RSS/Atom path), our own parse (``parse_xml_feed``: fast path, nh3, dates)
  alone, and building the folded rule documents alone (the floor of tagging).
The server runs in another process so it does not share the GIL with the poller. Per-host politeness
is off (every source is on 127.0.0.1); the SSRF guard allows loopback for the run. Times are wall-clock.
"""

import argparse
import multiprocessing
import os
import random
import statistics
import sys
import tempfile
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

WORDS_FR = [
    "bâtiment",
    "chantier",
    "rénovation",
    "isolation",
    "béton",
    "bois",
    "chanvre",
    "paille",
    "réemploi",
    "matériaux",
    "déchets",
    "démolition",
    "performance",
    "énergétique",
    "prime",
    "marché",
    "public",
    "taxonomie",
    "amiante",
    "pompe",
    "à",
    "chaleur",
    "photovoltaïque",
    "BIM",
    "entreprise",
    "région",
    "wallonne",
    "arrêté",
    "décret",
    "obligation",
    "calendrier",
    "filière",
    "innovation",
    "appel",
    "à",
    "projets",
]
WORDS_NL = [
    "bouwafval",
    "sloopafval",
    "hergebruik",
    "renovatiepremie",
    "energieprestatie",
    "asbest",
    "warmtepomp",
    "werf",
]
WORDS_EN = [
    "construction",
    "products",
    "regulation",
    "reuse",
    "funding",
    "call",
    "taxonomy",
    "digital",
    "twin",
    "heat",
    "pump",
]


def pseudo_word(rng: random.Random) -> str:
    return "".join(rng.choice("abcdefghilmnoprstuvé") for _ in range(rng.randint(4, 10)))


def feed_body(source: int, items: int, seed: int) -> bytes:
    rng = random.Random(seed * 100_000 + source)
    parts = [
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>',
        f"<title>Source {source}</title><link>https://s{source}.example/</link><description>bench</description>",
    ]
    for index in range(items):
        vocabulary = rng.choice((WORDS_FR, WORDS_FR, WORDS_NL, WORDS_EN))
        # Domain words mixed with invented ones: real feeds rarely repeat a story, so near-duplicates stay rare.
        title = " ".join(rng.choice(vocabulary) if rng.random() < 0.6 else pseudo_word(rng) for _ in range(9))
        summary = " ".join(rng.choice(vocabulary) if rng.random() < 0.5 else pseudo_word(rng) for _ in range(45))
        parts.append(
            f"<item><title>{title} {source}-{index}</title><link>https://s{source}.example/a/{index}?utm_source=rss</link>"
            f"<guid>s{source}-{index}</guid><pubDate>Tue, 07 Jan 2025 {index % 24:02d}:00:00 +0100</pubDate>"
            f"<description>&lt;p&gt;{summary}&lt;/p&gt;</description></item>"
        )
    parts.append("</channel></rss>")
    return "".join(parts).encode()


def serve(port_queue, sources: int, items: int, seed: int) -> None:
    bodies = {f"/s/{i}.xml": feed_body(i, items, seed) for i in range(sources)}

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args) -> None:
            pass

        def do_GET(self) -> None:
            body = bodies.get(self.path.split("?")[0])
            if body is None:
                self.send_response(404)
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            self.send_response(200)
            self.send_header("Content-Type", "application/rss+xml; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    port_queue.put(server.server_address[1])
    server.serve_forever()


def setup_django(data_dir: str) -> None:
    os.environ["GRAPPE_DATA_DIR"] = data_dir
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "grappe.settings")
    os.environ["WATCH_ALLOW_PRIVATE_ADDRESSES"] = "1"
    os.environ["WATCH_HOST_MIN_DELAY_MS"] = "0"
    os.environ["LOG_LEVEL"] = "WARNING"
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sources", type=int, default=200)
    parser.add_argument("--items", type=int, default=50)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument(
        "--workers", type=int, default=2, help="polling processes, as several db_workers would (default: 2 cores)"
    )
    args = parser.parse_args()
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

    queue = multiprocessing.get_context("fork").Queue()
    server = multiprocessing.get_context("fork").Process(
        target=serve, args=(queue, args.sources, args.items, 1), daemon=True
    )
    server.start()
    port = queue.get(timeout=60)

    with tempfile.TemporaryDirectory(prefix="grappe-bench-watch-") as data_dir:
        started = time.perf_counter()
        setup_django(data_dir)
        print(f"setup (migrate a fresh SQLite database): {time.perf_counter() - started:.1f} s")
        run(port, args)
    server.terminate()


def _worker(limit: int, errors, cpu=None) -> None:
    from django.db import connections

    from grappe.watch.polling import poll_due_sources
    from grappe.watch.tagging import Tagger

    started = time.process_time()
    tagger = Tagger()
    while True:
        outcomes = poll_due_sources(limit=20, tagger=tagger)
        errors.extend([o.message for o in outcomes if o.outcome == "error"])
        if not outcomes:
            break
    if cpu is not None:
        cpu.append(time.process_time() - started)
    connections.close_all()


def poll_in_workers(workers: int, limit: int) -> tuple[list[str], float]:
    """Poll every due source with ``workers`` processes competing for claims (as several db_workers do).
    Returns the errors and the CPU seconds the pollers used (all processes together)."""
    from django.db import connections

    if workers <= 1:
        errors: list[str] = []
        cpu: list[float] = []
        _worker(limit, errors, cpu)
        return errors, sum(cpu)
    connections.close_all()  # never share a database connection across fork()
    context = multiprocessing.get_context("fork")
    with context.Manager() as manager:
        errors = manager.list()
        cpu = manager.list()
        processes = [context.Process(target=_worker, args=(limit, errors, cpu)) for _ in range(workers)]
        for process in processes:
            process.start()
        for process in processes:
            process.join()
        return list(errors), sum(cpu)


def run(port: int, args) -> None:
    import feedparser
    from django.db import connection

    from grappe.ecosystem.models import Topic
    from grappe.watch.demo import RULES
    from grappe.watch.models import Item, ItemBand, ItemTopic, Source, TopicRule
    from grappe.watch.rules import Document
    from grappe.watch.tagging import Tagger, item_text, train_topic_classifier

    for slug, rules in RULES.items():
        topic = Topic.objects.create(name=slug, slug=slug)
        for language, expression in rules:
            TopicRule.objects.create(topic=topic, language=language, expression=expression)
    total = args.sources * args.items
    # A worker process loads the language model once in its life: load it before forking the pollers.
    from grappe.watch.cleaning import detect_languages

    detect_languages(["chargement du modèle de langue"])
    from grappe.watch.parsing import parse_xml_feed

    end_to_end, per_cpu, parse_only, parse_ours, tagging, documents = [], [], [], [], [], []
    for repetition in range(args.repeat):
        ItemTopic.objects.all().delete()
        ItemBand.objects.all().delete()
        Item.objects.all().delete()
        Source.objects.all().delete()
        Source.objects.bulk_create(
            [Source(url=f"http://127.0.0.1:{port}/s/{i}.xml", title=f"S{i}") for i in range(args.sources)]
        )
        started = time.perf_counter()
        errors, cpu_seconds = poll_in_workers(args.workers, args.sources)
        elapsed = time.perf_counter() - started
        stored = Item.objects.count()
        if stored != total or errors:
            raise SystemExit(f"expected {total} items, stored {stored}; errors: {errors[:3]}")
        end_to_end.append(total / elapsed)
        per_cpu.append(total / cpu_seconds)

        import httpx

        bodies = [httpx.get(f"http://127.0.0.1:{port}/s/{i}.xml").content for i in range(args.sources)]
        started = time.perf_counter()
        for body in bodies:
            feedparser.parse(body, response_headers={"content-type": "application/rss+xml; charset=utf-8"})
        parse_only.append(total / (time.perf_counter() - started))
        started = time.perf_counter()
        for body in bodies:
            parse_xml_feed(body, "application/rss+xml; charset=utf-8", "http://127.0.0.1/s.xml")
        parse_ours.append(total / (time.perf_counter() - started))

        if repetition == 0:
            # Teach one topic's classifier so tagging includes a model, as in production.
            topic = Topic.objects.get(slug="amiante")
            ids = list(Item.objects.values_list("pk", flat=True)[:80])
            ItemTopic.objects.bulk_create(
                [ItemTopic(item_id=pk, topic=topic, origin="manual", relevant=i % 2 == 0) for i, pk in enumerate(ids)],
                ignore_conflicts=True,
            )
            ItemTopic.objects.filter(item_id__in=ids, topic=topic).update(relevant=True)
            ItemTopic.objects.filter(item_id__in=ids[::2], topic=topic).update(relevant=False)
            train_topic_classifier(topic.pk)
        items = list(Item.objects.all())
        tagger = Tagger()
        started = time.perf_counter()
        tagger.scores(items)
        tagging.append(len(items) / (time.perf_counter() - started))
        started = time.perf_counter()
        for item in items:
            Document(item_text(item))
        documents.append(len(items) / (time.perf_counter() - started))

    median = statistics.median
    print(f"database: {connection.vendor}; {args.workers} polling process(es); "
          f"{args.sources} sources x {args.items} items = {total} items; "
          f"{args.repeat} run(s); medians")  # fmt: skip
    print(f"end to end (fetch + parse + store + tag): {median(end_to_end):8.0f} items/s   (target >= 500)")
    print(
        f"  per CPU second of the pollers (what other load on the machine cannot take): {median(per_cpu):8.0f} items/s"
    )
    print(f"  baseline, feedparser alone on the same bodies: {median(parse_only):8.0f} items/s")
    print(f"  ratio end to end / feedparser alone: {median(end_to_end) / median(parse_only):.2f}")
    print(
        f"  our parser alone (fast RSS/Atom path, nh3, dates: what the pollers run): {median(parse_ours):8.0f} items/s"
    )
    print(f"tagging alone ({TopicRule.objects.count()} rules, 1 classifier): {median(tagging):8.0f} items/s")
    print(f"  baseline, folding texts into rule documents alone: {median(documents):8.0f} items/s")
    print(f"  ratio tagging / documents alone: {median(tagging) / median(documents):.2f}")
    print(f"runs (end to end, items/s): {', '.join(f'{v:.0f}' for v in end_to_end)}")
    print(f"load average at the end: {', '.join(f'{v:.1f}' for v in os.getloadavg())}")


if __name__ == "__main__":
    main()
