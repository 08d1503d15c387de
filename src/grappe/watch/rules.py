"""Keyword rules of watch topics: a tiny boolean query language over accent- and case-folded text.

Grammar (operators are written in capitals, in any of the four languages)::

    expression := or_term
    or_term    := and_term ( OR and_term )*
    and_term   := not_term ( [AND] not_term )*          adjacent terms mean AND
    not_term   := NOT not_term | atom
    atom       := "(" expression ")" | "a quoted phrase" | word | prefix*

``AND``: AND ET EN UND · ``OR``: OR OU OF ODER · ``NOT``: NOT SAUF NIET NICHT (and a leading ``-``).
A word matches a whole word of the text; ``recycl*`` matches every word starting with ``recycl``;
a phrase matches consecutive words. ``"économie circulaire"`` matches "Economie  Circulaire".
"""

import re
from bisect import bisect_left
from dataclasses import dataclass
from functools import lru_cache

from django.utils.translation import gettext as _

from grappe.core.text import fold
from grappe.watch.cleaning import fast_fold

AND_WORDS = {"AND", "ET", "EN", "UND", "&&"}
OR_WORDS = {"OR", "OU", "OF", "ODER", "||"}
NOT_WORDS = {"NOT", "SAUF", "NIET", "NICHT"}

_WORD = re.compile(r"\w+")
_TOKEN = re.compile(r'\s*(?:(?P<lpar>\()|(?P<rpar>\))|"(?P<phrase>[^"]*)"?|(?P<minus>-)(?=[\w"(])|(?P<word>[^\s()"]+))')


class RuleSyntaxError(ValueError):
    """An expression that cannot be parsed; the message says where."""


class Document:
    """Folded words of a text, prepared once and matched against many rules."""

    __slots__ = ("_ordered", "joined", "words")

    def __init__(self, text: str, *, folded: bool = False) -> None:
        tokens = _WORD.findall(text if folded else fast_fold(text))
        self.words = frozenset(tokens)
        self.joined = " " + " ".join(tokens) + " "
        self._ordered: list[str] | None = None

    def has_prefix(self, stem: str) -> bool:
        """Whether a word starts with ``stem``: one binary search in the sorted words (sorted once, when a
        prefix rule first asks) instead of a scan of every word for every prefix rule."""
        if self._ordered is None:
            self._ordered = sorted(self.words)
        index = bisect_left(self._ordered, stem)
        return index < len(self._ordered) and self._ordered[index].startswith(stem)


@dataclass(frozen=True)
class Term:
    words: tuple[str, ...]
    prefix: bool = False

    def matches(self, doc: Document) -> bool:
        if self.prefix:
            return doc.has_prefix(self.words[0])
        if len(self.words) == 1:
            return self.words[0] in doc.words
        return (" " + " ".join(self.words) + " ") in doc.joined


@dataclass(frozen=True)
class Not:
    child: "Node"

    def matches(self, doc: Document) -> bool:
        return not self.child.matches(doc)


@dataclass(frozen=True)
class And:
    children: tuple["Node", ...]

    def matches(self, doc: Document) -> bool:
        # A loop, not all(generator): rules run for every item and topic, the generator costs more.
        for child in self.children:  # noqa: SIM110
            if not child.matches(doc):
                return False
        return True


@dataclass(frozen=True)
class Or:
    children: tuple["Node", ...]

    def matches(self, doc: Document) -> bool:
        for child in self.children:  # noqa: SIM110
            if child.matches(doc):
                return True
        return False


Node = Term | Not | And | Or


def _tokenise(expression: str) -> list[tuple[str, str]]:
    tokens: list[tuple[str, str]] = []
    pos = 0
    text = expression.strip()
    while pos < len(text):
        match = _TOKEN.match(text, pos)
        if not match or match.end() == pos:
            raise RuleSyntaxError(_("Caractère inattendu à la position %(pos)d.") % {"pos": pos + 1})
        pos = match.end()
        if match.group("lpar"):
            tokens.append(("(", "("))
        elif match.group("rpar"):
            tokens.append((")", ")"))
        elif match.group("phrase") is not None:
            if not match.group(0).rstrip().endswith('"') or match.group(0).count('"') < 2:
                raise RuleSyntaxError(_("Guillemet non fermé."))
            tokens.append(("phrase", match.group("phrase")))
        elif match.group("minus"):
            tokens.append(("not", "-"))
        else:
            word = match.group("word")
            if word in AND_WORDS:
                tokens.append(("and", word))
            elif word in OR_WORDS:
                tokens.append(("or", word))
            elif word in NOT_WORDS:
                tokens.append(("not", word))
            else:
                tokens.append(("word", word))
    return tokens


class _Parser:
    def __init__(self, tokens: list[tuple[str, str]]) -> None:
        self.tokens = tokens
        self.pos = 0

    def peek(self) -> str | None:
        return self.tokens[self.pos][0] if self.pos < len(self.tokens) else None

    def take(self) -> tuple[str, str]:
        token = self.tokens[self.pos]
        self.pos += 1
        return token

    def parse(self) -> Node:
        if not self.tokens:
            raise RuleSyntaxError(_("L'expression est vide."))
        node = self.or_term()
        if self.pos != len(self.tokens):
            raise RuleSyntaxError(_("« %(token)s » inattendu.") % {"token": self.tokens[self.pos][1]})
        return node

    def or_term(self) -> Node:
        children = [self.and_term()]
        while self.peek() == "or":
            self.take()
            children.append(self.and_term())
        return children[0] if len(children) == 1 else Or(tuple(children))

    def and_term(self) -> Node:
        children = [self.not_term()]
        while self.peek() in ("and", "not", "word", "phrase", "("):
            if self.peek() == "and":
                self.take()
            children.append(self.not_term())
        return children[0] if len(children) == 1 else And(tuple(children))

    def not_term(self) -> Node:
        if self.peek() == "not":
            self.take()
            return Not(self.not_term())
        return self.atom()

    def atom(self) -> Node:
        kind = self.peek()
        if kind is None:
            raise RuleSyntaxError(_("L'expression se termine trop tôt."))
        token_kind, value = self.take()
        if token_kind == "(":
            node = self.or_term()
            if self.peek() != ")":
                raise RuleSyntaxError(_("Parenthèse non fermée."))
            self.take()
            return node
        if token_kind in ("word", "phrase"):
            prefix = token_kind == "word" and value.endswith("*")
            words = tuple(_WORD.findall(fold(value.rstrip("*"))))
            if not words:
                raise RuleSyntaxError(_("Terme vide : « %(token)s ».") % {"token": value})
            if prefix and len(words) > 1:
                prefix = False  # "bio-sourc*" is read as the phrase "bio sourc"
            return Term(words, prefix)
        raise RuleSyntaxError(_("« %(token)s » inattendu.") % {"token": value})


@lru_cache(maxsize=4096)
def parse_rule(expression: str) -> Node:
    """Parse ``expression`` into a tree; raise ``RuleSyntaxError`` with a readable message."""
    return _Parser(_tokenise(expression)).parse()


def rule_matches(expression: str, text: str | Document) -> bool:
    doc = text if isinstance(text, Document) else Document(text)
    return parse_rule(expression).matches(doc)
