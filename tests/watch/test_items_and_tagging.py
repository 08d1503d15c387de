"""Items: canonical URLs, near-duplicates across sources, language, search; topics: rules and classifier."""

import datetime as dt

import pytest
from django.utils import timezone

from grappe.ecosystem.models import Topic
from grappe.watch import services
from grappe.watch.canonical import canonical_url, url_key
from grappe.watch.cleaning import clean_html, detect_language
from grappe.watch.ingest import ingest_entries
from grappe.watch.models import Item, ItemTopic, Source, TopicProfile, TopicRule
from grappe.watch.parsing import ParsedEntry
from grappe.watch.rules import RuleSyntaxError, parse_rule, rule_matches
from grappe.watch.selectors import item_list
from grappe.watch.tagging import Tagger, train_topic_classifier


@pytest.mark.parametrize(
    ("url", "canonical"),
    [
        ("HTTPS://WWW.Wallonie.Example:443/Actu/?utm_source=rss&utm_medium=x&id=7#comments",
         "https://www.wallonie.example/Actu?id=7"),
        ("http://example.org:80", "http://example.org/"),
        ("https://example.org/a/?b=2&a=1&fbclid=xyz&gclid=1", "https://example.org/a?a=1&b=2"),
        ("https://example.org:8443/a", "https://example.org:8443/a"),
        ("javascript:alert(1)", ""),
        ("", ""),
    ],
)  # fmt: skip
def test_canonical_url_strips_tracking_and_normalises(url, canonical):
    assert canonical_url(url) == canonical


def test_http_https_and_www_variants_share_one_key():
    assert url_key(canonical_url("http://www.example.org/a/")) == url_key(canonical_url("https://example.org/a"))


def entry(title: str, link: str, summary: str = "", published: dt.datetime | None = None) -> ParsedEntry:
    return ParsedEntry(title=title, link=link, summary=summary, published=published or timezone.now())


@pytest.fixture
def sources(db):
    return [Source.objects.create(url=f"https://source{i}.example/feed", title=f"S{i}") for i in range(3)]


def test_the_same_story_url_from_two_sources_is_stored_once(sources):
    now = timezone.now()
    first = ingest_entries(sources[0], [entry("A", "https://news.example/a?utm_campaign=x")], now)
    second = ingest_entries(sources[1], [entry("A bis", "https://news.example/a/#top")], now)
    assert (first.new, second.new) == (1, 0)
    assert Item.objects.count() == 1


def test_near_duplicates_across_sources_share_a_group_and_different_stories_do_not(sources):
    now = timezone.now()
    story = "La Wallonie renforce l'obligation de tri des déchets de construction sur les chantiers dès juillet"
    ingest_entries(sources[0], [entry(story, "https://a.example/1", "Le gouvernement wallon a adopté l'arrêté.")], now)
    ingest_entries(
        sources[1],
        [
            entry(story + ".", "https://b.example/x", "Le gouvernement wallon a adopté l'arrêté hier."),
            entry("Appel à projets hydrogène vert pour les PME", "https://b.example/y", "Budget de 10 millions."),
        ],
        now,
    )
    ingest_entries(
        sources[2], [entry(story.upper(), "https://c.example/z", "le gouvernement wallon a adopte l'arrete")], now
    )
    items = {i.canonical_url: i for i in Item.objects.all()}
    group = items["https://a.example/1"].duplicate_group
    assert group == items["https://a.example/1"].pk
    assert items["https://b.example/x"].duplicate_group == group
    assert items["https://c.example/z"].duplicate_group == group
    assert items["https://b.example/y"].duplicate_group is None


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("Le gouvernement wallon adopte un nouvel arrêté sur les déchets de construction et de démolition.", "fr"),
        ("De Vlaamse regering keurt een nieuw besluit goed over bouw- en sloopafval op werven.", "nl"),
        ("Die wallonische Regierung verabschiedet eine neue Verordnung über Bau- und Abbruchabfälle.", "de"),
        ("The Walloon government adopts a new decree on construction and demolition waste on sites.", "en"),
        ("O governo da Valônia adota um novo decreto sobre resíduos de construção e demolição nas obras.", ""),
    ],
)
def test_language_is_detected_among_fr_nl_de_en_or_left_blank(text, language):
    assert detect_language(text) == language


def test_html_is_sanitised_keeping_structure_and_safe_links():
    html = (
        '<p style="x" onclick="y">Bonjour <a href="https://a.example" target="_blank">lien</a>'
        '<iframe src="z"></iframe></p>'
    )
    assert clean_html(html) == '<p>Bonjour <a href="https://a.example" rel="noopener noreferrer nofollow">lien</a></p>'


def test_search_ignores_accents_and_case_and_needs_every_word(sources):
    now = timezone.now()
    ingest_entries(
        sources[0],
        [
            entry("Économie circulaire : le réemploi des matériaux", "https://a.example/1"),
            entry("Economie du béton", "https://a.example/2"),
        ],
        now,
    )
    assert [i.canonical_url for i in item_list(text="ECONOMIE reemploi")] == ["https://a.example/1"]
    assert item_list(text="économie").count() == 2
    assert item_list(text="hydrogène").count() == 0


def test_search_ranks_a_title_match_above_body_only_matches(sources):
    """Title words weigh more: bm25 column weights on SQLite, ts_rank with setweight A/B on PostgreSQL."""
    now = timezone.now()
    ingest_entries(
        sources[0],
        [
            entry(
                "Rénovation des écoles : le calendrier des chantiers",
                "https://a.example/body",
                "<p>Le désamiantage précède la rénovation : l'amiante des toitures, l'amiante des faux plafonds "
                "et l'amiante des colles de carrelage sont retirés avant les travaux.</p>",
            ),
            entry(
                "Amiante : nouvelle obligation d'inventaire",
                "https://a.example/title",
                "<p>Les propriétaires de bâtiments publics devront tenir un inventaire à jour.</p>",
            ),
            entry("Isolation des toitures plates", "https://a.example/none", "<p>Rien à voir.</p>"),
        ],
        now,
    )
    ranked = list(item_list(text="AMIANTE").order_by("-search_rank", "-pk"))
    assert [item.canonical_url for item in ranked] == ["https://a.example/title", "https://a.example/body"]
    assert ranked[0].search_rank > ranked[1].search_rank > 0
    # Prefixes and accents: the folded title words carry the weight too.
    ranked = list(item_list(text="oblig").order_by("-search_rank", "-pk"))
    assert [item.canonical_url for item in ranked] == ["https://a.example/title"]


# --- rules ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("expression", "text", "matches"),
    [
        ('"économie circulaire"', "L'ECONOMIE CIRCULAIRE en Wallonie", True),
        ('"économie circulaire"', "économie très circulaire", False),
        ("amiante OR asbest", "Verwijdering van asbest in scholen", True),
        ("amiante AND NOT désamiantage", "Le désamiantage des écoles et l'amiante", False),
        ("recycl* ET béton", "Le béton recyclé", True),
        ("(bois OR hout OR holz) UND (construction OR bouw OR bau)", "Holz im Bau", True),
        ("(bois OR hout OR holz) UND (construction OR bouw OR bau)", "Holz im Garten", False),
        ("isolation -acoustique", "isolation thermique", True),
        ("isolation -acoustique", "isolation acoustique", False),
        ("PEB énergie", "Certificat PEB et performance énergétique", False),
    ],
)
def test_rules_match_words_phrases_and_boolean_operators(expression, text, matches):
    assert rule_matches(expression, text) is matches


@pytest.mark.parametrize("expression", ["", "(amiante", '"amiante', "AND amiante", "amiante OR", "()"])
def test_malformed_rules_are_refused_with_a_message(expression):
    with pytest.raises(RuleSyntaxError):
        parse_rule(expression)


@pytest.fixture
def topics(db):
    return {
        "dechets": Topic.objects.create(name="Déchets de construction", slug="dechets"),
        "energie": Topic.objects.create(name="Performance énergétique", slug="energie"),
    }


def test_rules_tag_new_items_with_scores_and_respect_rule_language(sources, topics):
    services.topic_rule_create(actor=None, topic=topics["dechets"], expression='"déchets de construction" OR bouwafval')
    services.topic_rule_create(actor=None, topic=topics["energie"], expression="PEB", language="fr", weight=0.8)
    now = timezone.now()
    ingest_entries(
        sources[0],
        [
            entry("Nouvelles règles pour les déchets de construction en Wallonie cette année", "https://a.example/1"),
            entry("Nieuwe regels voor bouwafval en EPB in Vlaanderen vanaf volgend jaar", "https://a.example/2"),
            entry("Le certificat PEB des bâtiments publics sera obligatoire en 2026", "https://a.example/3"),
            entry("The PEB certificate becomes mandatory for public buildings next year", "https://a.example/4"),
        ],
        now,
    )
    tags = {(t.item.canonical_url[-1], t.topic.slug): (t.score, t.origin) for t in ItemTopic.objects.all()}
    assert tags == {
        ("1", "dechets"): (1.0, "rule"),
        ("2", "dechets"): (1.0, "rule"),
        ("3", "energie"): (0.8, "rule"),
    }


def test_a_rule_with_bad_syntax_is_refused_by_the_service(topics):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as error:
        services.topic_rule_create(actor=None, topic=topics["dechets"], expression='"déchets')
    assert "expression" in error.value.message_dict
    assert not TopicRule.objects.exists()


def _marked(source, topic, texts: list[str], relevant: bool, start: int) -> None:
    now = timezone.now()
    ingest_entries(source, [entry(t, f"https://m.example/{start + i}") for i, t in enumerate(texts)], now)
    for item in Item.objects.filter(canonical_url__in=[f"https://m.example/{start + i}" for i in range(len(texts))]):
        services.item_mark_topic(actor=None, item=item, topic=topic, relevant=relevant)


def test_classifier_learns_from_staff_marks_and_suggests_the_topic(sources, topics, django_capture_on_commit_callbacks):
    topic = topics["energie"]
    relevant = [
        "Isolation thermique des façades et primes énergie",
        "Pompe à chaleur et audit énergétique des bâtiments",
        "Rénovation énergétique : isolation de toiture subventionnée",
        "Certificat de performance énergétique et isolation",
        "Primes à la rénovation énergétique des logements",
    ]
    irrelevant = [
        "Salon de l'agriculture biologique à Libramont",
        "Résultats du championnat de football provincial",
        "Nouvelle ligne de bus entre Namur et Dinant",
        "Festival de musique classique à Stavelot",
        "Ouverture d'une boulangerie artisanale à Mons",
    ]
    with django_capture_on_commit_callbacks() as callbacks:
        _marked(sources[0], topic, relevant, True, 0)
        _marked(sources[0], topic, irrelevant, False, 100)
    assert len(callbacks) == 10  # each mark enqueues a retraining task
    assert train_topic_classifier(topic.pk) == {"trained": True, "examples": 10}
    profile = TopicProfile.objects.get(topic=topic)
    profile.suggestion_threshold = 0.55
    profile.save()
    tagger = Tagger()
    new = [
        Item(title="Isolation énergétique des bâtiments scolaires : primes", language="fr"),
        Item(title="Concert de musique à Namur ce week-end", language="fr"),
    ]
    scores = tagger.scores(new)
    assert scores[0][topic.pk][1] == "classifier"
    assert scores[0][topic.pk][0] >= 0.55
    assert topic.pk not in scores[1]


def test_classifier_needs_examples_of_both_kinds(sources, topics):
    _marked(sources[0], topics["energie"], ["Isolation thermique", "Audit énergétique"], True, 0)
    assert train_topic_classifier(topics["energie"].pk)["trained"] is False
    profile = TopicProfile.objects.get(topic=topics["energie"])
    assert profile.classifier is None and "au moins" in profile.classifier_error


def test_fast_fold_gives_exactly_what_core_fold_gives():
    import random

    from grappe.core.text import fold
    from grappe.watch.cleaning import fast_fold

    samples = ["Liège  Œuvre", "l’ÉTÉ à Namur\t\n", "Straße Bauabfälle", "İstanbul ǅ", "ﬁ", "Ελλάδα", "x\u00a0y\u2009z"]
    rng = random.Random(7)
    alphabet = [chr(c) for c in range(0x20, 0x2200)]
    samples += ["".join(rng.choice(alphabet) for _ in range(rng.randint(0, 15))) for _ in range(5000)]
    for text in samples:
        assert fast_fold(text) == fold(text), repr(text)


# --- batch language identification, signatures, full-text index ----------------------------------


LANGUAGE_SAMPLES = [
    "Le gouvernement wallon adopte un nouveau décret sur la rénovation énergétique des bâtiments publics.",
    "De Vlaamse regering keurt een nieuw besluit goed over asbestverwijdering op bouwwerven.",
    "Die Bundesregierung beschließt neue Vorschriften für den Rückbau von Gebäuden.",
    "The European Commission publishes the new construction products regulation.",
    "O governo português aprovou hoje um novo decreto sobre a renovação energética dos edifícios públicos e privados.",
    "Primes énergie 2025",
    "ÉNORME TITRE EN MAJUSCULES POUR VOIR",
    "court",
    "",
    "日本語のテキストです。これは日本語の文章です。",
]


def _rank_based(text: str) -> str:
    """The previous, one-text-at-a-time implementation on py3langid's own ``rank``."""
    from grappe.watch.cleaning import LANGUAGES, _identifier

    text = text.strip()
    if len(text) < 12:
        return ""
    ranking = _identifier().rank(text)
    if ranking[0][0] in LANGUAGES:
        return ranking[0][0]
    if len(text) >= 80:
        return ""
    return next((language for language, _score in ranking if language in LANGUAGES), "")


def test_batch_language_identification_equals_py3langid_rank():
    from grappe.watch.cleaning import detect_languages

    texts = LANGUAGE_SAMPLES * 8  # more than one chunk of 64
    assert detect_languages(texts) == [_rank_based(t) for t in texts]


def test_vectorised_signatures_match_one_by_one_and_group_near_duplicates():
    from grappe.watch import dedup

    texts = [
        dedup.signature_text("Nouvelle prime à la rénovation en Wallonie", "La Région annonce une prime."),
        dedup.signature_text("Nouvelle prime a la renovation en Wallonie !", "La Région annonce une prime."),
        dedup.signature_text("Résultats du championnat de football", "Le club local gagne."),
        "court",
    ]
    batch = dedup.signatures(texts)
    assert batch[3] is None
    for text, sig in zip(texts[:3], batch[:3], strict=True):
        assert (dedup.signature(text) == sig).all()
    assert dedup.similarity(batch[0], batch[1]) >= dedup.THRESHOLD > dedup.similarity(batch[0], batch[2])
    keys = dedup.band_key_matrix(batch[0][None, :])[0]
    assert len(set(keys.tolist())) == dedup.BANDS and (keys >= 0).all()


def test_the_full_text_index_follows_inserts_updates_and_deletes(sources):
    now = timezone.now()
    ingest_entries(sources[0], [entry("Chantier de démolition à Liège", "https://a.example/d")], now)
    item = Item.objects.get()
    assert [i.pk for i in item_list(text="DEMOLITION liege")] == [item.pk]
    item.title = "Chantier de rénovation à Namur"
    item.search_text = "chantier de renovation a namur"
    item.save()
    assert item_list(text="démolition").count() == 0
    assert item_list(text="rénov").count() == 1  # prefixes match
    item.delete()
    assert item_list(text="renovation").count() == 0


def test_search_query_syntax_cannot_break_out(sources):
    ingest_entries(sources[0], [entry("Économie circulaire", "https://a.example/e")], timezone.now())
    for text in ['"', "NEAR(", "a OR b", "*", 'économie"*) OR ("x', "'; DROP TABLE watch_item; --", "x" * 2000]:
        list(item_list(text=text))  # no error, whatever the query
    assert item_list(text='économie"*) OR ("x').count() == 0
