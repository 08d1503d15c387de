"""Text folding for accent- and case-insensitive matching on every database."""

import re
import unicodedata

_SPACES = re.compile(r"\s+")
_LIGATURES = str.maketrans({"œ": "oe", "Œ": "oe", "æ": "ae", "Æ": "ae", "ß": "ss", "’": "'"})


def fold(text: str | None) -> str:
    """Lower-case ``text`` without accents and with single spaces: ``"Liège  Œuvre"`` -> ``"liege oeuvre"``."""
    if not text:
        return ""
    decomposed = unicodedata.normalize("NFKD", text.translate(_LIGATURES))
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return _SPACES.sub(" ", stripped).strip().lower()
