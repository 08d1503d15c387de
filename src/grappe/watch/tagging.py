"""Tag items with topics: keyword rules first, then each topic's classifier learned from staff marks.

A rule match gives the rule's weight as score (origin "rule"). A topic's classifier (TF-IDF of folded
words and word pairs + logistic regression, trained offline from the items staff marked relevant or
not for that topic) suggests the topic when its probability reaches the topic's threshold and no rule
matched (origin "classifier"). Staff marks are never overwritten.
"""

import io
import pickle
from dataclasses import dataclass

from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from grappe.core.text import fold
from grappe.watch.cleaning import fast_fold, plain_text
from grappe.watch.rules import Document, Node, RuleSyntaxError, parse_rule

MIN_EXAMPLES_PER_CLASS = 3


def tagging_text(title: str, plain_summary: str, plain_content: str) -> str:
    """What rules and classifiers read: title, summary and the start of the content, as plain text."""
    if len(plain_content) > 5000:
        plain_content = plain_content[:4999].rstrip() + "…"
    return f"{title}\n{plain_summary}\n{plain_content}"


def item_text(item) -> str:
    return tagging_text(item.title, plain_text(item.summary), plain_text(item.content))


@dataclass
class CompiledRule:
    topic_id: int
    language: str
    node: Node
    weight: float


class Tagger:
    """Rules and classifiers loaded once, applied to many items (a poll, a backfill, the benchmark)."""

    def __init__(self) -> None:
        from grappe.watch.models import TopicProfile, TopicRule

        self.rules: list[CompiledRule] = []
        for rule in TopicRule.objects.filter(is_active=True):
            try:
                self.rules.append(CompiledRule(rule.topic_id, rule.language, parse_rule(rule.expression), rule.weight))
            except RuleSyntaxError:
                continue  # forms refuse such rules; an old broken one must not stop polling
        self.classifiers: list[tuple[int, float, object]] = []
        for profile in TopicProfile.objects.filter(classifier__isnull=False).only(
            "topic_id", "suggestion_threshold", "classifier"
        ):
            model = load_model(profile.classifier)
            if model is not None:
                self.classifiers.append((profile.topic_id, profile.suggestion_threshold, model))

    def scores(
        self, items: list, *, texts: list[str] | None = None, folded: list[str] | None = None
    ) -> list[dict[int, tuple[float, str]]]:
        """For each item, ``{topic_id: (score, origin)}``; ``texts``: their ``item_text`` if already known,
        or ``folded``: the same, already folded (``fast_fold``)."""
        results: list[dict[int, tuple[float, str]]] = []
        if folded is None:
            texts = texts if texts is not None else [item_text(item) for item in items]
            folded = [fast_fold(text) for text in texts]
        for item, text in zip(items, folded, strict=True):
            doc = Document(text, folded=True)
            found: dict[int, tuple[float, str]] = {}
            for rule in self.rules:
                if rule.language and item.language and rule.language != item.language:
                    continue
                if rule.node.matches(doc) and rule.weight > found.get(rule.topic_id, (0.0, ""))[0]:
                    found[rule.topic_id] = (rule.weight, "rule")
            results.append(found)
        if self.classifiers and items:
            for topic_id, threshold, model in self.classifiers:
                probabilities = model.predict_proba(folded)[:, 1]
                for found, probability in zip(results, probabilities, strict=True):
                    if topic_id not in found and probability >= threshold:
                        found[topic_id] = (round(float(probability), 4), "classifier")
        return results

    def tag(
        self, items: list, *, texts: list[str] | None = None, found: list[dict[int, tuple[float, str]]] | None = None
    ) -> int:
        """Create the ``ItemTopic`` rows of freshly stored items; return how many were created.

        ``found``: their ``scores`` if already computed (outside the write transaction)."""
        from grappe.watch.models import ItemTopic

        found = found if found is not None else self.scores(items, texts=texts)
        rows = [
            (item.pk, topic_id, score, origin)
            for item, topics in zip(items, found, strict=True)
            for topic_id, (score, origin) in topics.items()
        ]
        if not rows:
            return 0
        # Plain executemany: a few rows per item, the ORM's bulk_create costs more than the insert itself.
        qn = connection.ops.quote_name
        columns = ", ".join(qn(c) for c in ("item_id", "topic_id", "score", "origin"))
        with connection.cursor() as cursor:
            cursor.executemany(
                f"INSERT INTO {qn(ItemTopic._meta.db_table)} ({columns}) VALUES (%s, %s, %s, %s) "
                f"ON CONFLICT ({qn('item_id')}, {qn('topic_id')}) DO NOTHING",
                rows,
            )
        return len(rows)


def load_model(raw: bytes | memoryview | None):
    """Unpickle a classifier written by ``train_topic_classifier`` (our own bytes, from our database)."""
    if not raw:
        return None
    try:
        # Only bytes written by train_topic_classifier into our own database are ever unpickled here.
        return pickle.loads(bytes(raw))
    except Exception:  # a model pickled by an incompatible scikit-learn release: retrain rather than crash
        return None


def train_topic_classifier(topic_id: int) -> dict:
    """Learn the topic's classifier from staff marks; store it (or why it could not be learned) on its profile."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline

    from grappe.watch.models import ItemTopic, TopicProfile

    marks = list(
        ItemTopic.objects.filter(topic_id=topic_id, relevant__isnull=False).select_related("item").order_by("item_id")
    )
    texts = [fold(item_text(mark.item)) for mark in marks]
    labels = [1 if mark.relevant else 0 for mark in marks]
    positives, negatives = sum(labels), len(labels) - sum(labels)
    with transaction.atomic():
        profile, _created = TopicProfile.objects.select_for_update().get_or_create(topic_id=topic_id)
        if positives < MIN_EXAMPLES_PER_CLASS or negatives < MIN_EXAMPLES_PER_CLASS:
            profile.classifier = None
            profile.classifier_examples = len(labels)
            profile.classifier_error = _(
                "Il faut au moins %(n)d éléments marqués pertinents et %(n)d non pertinents "
                "(actuellement %(pos)d et %(neg)d)."
            ) % {"n": MIN_EXAMPLES_PER_CLASS, "pos": positives, "neg": negatives}
            profile.save(update_fields=["classifier", "classifier_examples", "classifier_error"])
            return {"trained": False, "examples": len(labels)}
        model = make_pipeline(
            TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True, min_df=1, max_features=50_000),
            LogisticRegression(class_weight="balanced", max_iter=1000, C=4.0),
        )
        model.fit(texts, labels)
        buffer = io.BytesIO()
        pickle.dump(model, buffer, protocol=pickle.HIGHEST_PROTOCOL)
        profile.classifier = buffer.getvalue()
        profile.classifier_trained_at = timezone.now()
        profile.classifier_examples = len(labels)
        profile.classifier_error = ""
        profile.save()
    return {"trained": True, "examples": len(labels)}
