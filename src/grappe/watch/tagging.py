"""Tag items with topics: keyword rules first, then each topic's classifier learned from staff marks.

A rule match gives the rule's weight as score (origin "rule"). A topic's classifier (TF-IDF of folded
words and word pairs + logistic regression, trained offline from the items staff marked relevant or
not for that topic) suggests the topic when its probability reaches the topic's threshold and no rule
matched (origin "classifier"). Staff marks are never overwritten.
"""

import io
import pickle
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from grappe.core.text import fold
from grappe.watch.cleaning import fast_fold, plain_text
from grappe.watch.rules import Document, Node, RuleSyntaxError, parse_rule

MIN_EXAMPLES_PER_CLASS = 3


def item_text(item) -> str:
    return f"{item.title}\n{plain_text(item.summary)}\n{plain_text(item.content, limit=5000)}"


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

    def scores(self, items: list) -> list[dict[int, tuple[float, str]]]:
        """For each item, ``{topic_id: (score, origin)}``."""
        results: list[dict[int, tuple[float, str]]] = []
        texts = [item_text(item) for item in items]
        for item, text in zip(items, texts, strict=True):
            doc = Document(text)
            found: dict[int, tuple[float, str]] = {}
            for rule in self.rules:
                if rule.language and item.language and rule.language != item.language:
                    continue
                if rule.node.matches(doc) and rule.weight > found.get(rule.topic_id, (0.0, ""))[0]:
                    found[rule.topic_id] = (rule.weight, "rule")
            results.append(found)
        if self.classifiers and items:
            folded = [fast_fold(text) for text in texts]
            for topic_id, threshold, model in self.classifiers:
                probabilities = model.predict_proba(folded)[:, 1]
                for found, probability in zip(results, probabilities, strict=True):
                    if topic_id not in found and probability >= threshold:
                        found[topic_id] = (round(float(probability), 4), "classifier")
        return results

    def tag(self, items: list) -> int:
        """Create the ``ItemTopic`` rows of freshly stored items; return how many were created."""
        from grappe.watch.models import ItemTopic

        rows = [
            ItemTopic(item_id=item.pk, topic_id=topic_id, score=score, origin=origin)
            for item, found in zip(items, self.scores(items), strict=True)
            for topic_id, (score, origin) in found.items()
        ]
        ItemTopic.objects.bulk_create(rows, ignore_conflicts=True)
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
