"""``grappe watch``: add sources, poll, list items, send digests, retrain classifiers.

grappe watch add-source URL [--category regulation] [--language fr] [--interval 360] [--kind webpage]
grappe watch poll [--now] [--source ID]     without --now: enqueue one task per due source
grappe watch items [--json] [--status new] [--limit 100]
grappe watch digests [--now]                without --now: enqueue the digest task
grappe watch retrain [--topic SLUG]
"""

import json

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from grappe.watch.models import Item, Source


class Command(BaseCommand):
    help = "Veille : ajouter des sources, relever, lister les éléments, envoyer les bulletins."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        add = sub.add_parser("add-source", help="Suivre une nouvelle source.")
        add.add_argument("url")
        add.add_argument("--category", default=Source.Category.TECHNOLOGY, choices=Source.Category.values)
        add.add_argument("--language", default="", choices=["", "fr", "nl", "de", "en"])
        add.add_argument("--interval", type=int, default=360, help="minutes entre deux relevés (5 au moins)")
        add.add_argument("--kind", default="", choices=["", *Source.Kind.values])
        add.add_argument("--title", default="")
        poll = sub.add_parser("poll", help="Relever les sources dues.")
        poll.add_argument("--now", action="store_true", help="relever ici et maintenant au lieu de mettre en file")
        poll.add_argument("--source", type=int, help="une seule source (relevée même si elle n'est pas due)")
        items = sub.add_parser("items", help="Lister les éléments.")
        items.add_argument("--json", action="store_true")
        items.add_argument("--status", choices=Item.Status.values)
        items.add_argument("--limit", type=int, default=100)
        digests = sub.add_parser("digests", help="Envoyer les bulletins dus.")
        digests.add_argument("--now", action="store_true")
        retrain = sub.add_parser("retrain", help="Réapprendre les classifieurs des thématiques.")
        retrain.add_argument("--topic", help="identifiant (slug) d'une thématique")

    def handle(self, *args, **options) -> None:
        getattr(self, "handle_" + options["action"].replace("-", "_"))(options)

    def handle_add_source(self, options: dict) -> None:
        from grappe.watch import services

        try:
            source = services.source_create(
                actor=None,
                url=options["url"],
                category=options["category"],
                language=options["language"],
                poll_interval_minutes=options["interval"],
                kind=options["kind"],
                title=options["title"],
            )
        except ValidationError as exc:
            raise CommandError("; ".join(f"{k}: {' '.join(v)}" for k, v in exc.message_dict.items())) from exc
        self.stdout.write(f"{source.pk}\t{source.url}")

    def handle_poll(self, options: dict) -> None:
        from grappe.watch import polling, tasks

        if options["source"]:
            if not Source.objects.filter(pk=options["source"]).exists():
                raise CommandError(f"source {options['source']}: not found")
            if options["now"]:
                outcomes = [polling.poll_source(options["source"], force=True)]
            else:
                with transaction.atomic():
                    transaction.on_commit(lambda: tasks.poll_source.enqueue(options["source"], True))
                self.stdout.write("1 task enqueued")
                return
        elif options["now"]:
            outcomes = polling.poll_due_sources(limit=100_000)
        else:
            ids = list(polling.due_sources().values_list("pk", flat=True))
            with transaction.atomic():
                for source_id in ids:
                    transaction.on_commit(lambda source_id=source_id: tasks.poll_source.enqueue(source_id))
            self.stdout.write(f"{len(ids)} task(s) enqueued")
            return
        for outcome in outcomes:
            self.stdout.write(
                f"{outcome.source_id}\t{outcome.outcome}\tseen={outcome.items_seen}\tnew={outcome.items_new}"
                + (f"\t{outcome.message}" if outcome.message else "")
            )

    def handle_items(self, options: dict) -> None:
        from grappe.watch.selectors import item_rows

        rows = item_rows(status=options["status"], limit=options["limit"])
        if options["json"]:
            self.stdout.write(json.dumps(rows, ensure_ascii=False, indent=2))
            return
        for row in rows:
            topics = ", ".join(f"{t['slug']}:{t['score']:.2f}" for t in row["topics"])
            self.stdout.write(f"{row['id']}\t{row['published']}\t{row['language']}\t{row['title']}\t{topics}")

    def handle_digests(self, options: dict) -> None:
        from grappe.watch import digests, tasks

        if options["now"]:
            self.stdout.write(json.dumps(digests.send_due_digests()))
            return
        with transaction.atomic():
            transaction.on_commit(lambda: tasks.send_due_digests.enqueue())
        self.stdout.write("1 task enqueued")

    def handle_retrain(self, options: dict) -> None:
        from grappe.ecosystem.models import Topic
        from grappe.watch.tagging import train_topic_classifier

        topics = Topic.objects.all()
        if options["topic"]:
            topics = topics.filter(slug=options["topic"])
            if not topics:
                raise CommandError(f"topic {options['topic']}: not found")
        for topic in topics:
            result = train_topic_classifier(topic.pk)
            self.stdout.write(f"{topic.slug}\ttrained={result['trained']}\texamples={result['examples']}")
