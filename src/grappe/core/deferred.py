"""Work that signal handlers postpone to the end of a bulk operation, then do once.

An import saves hundreds of organisations, sites and activities; a handler that refreshes derived
data (the directory's search index) for each save repeats the same work per row: half the time of
an organisation import went there. Inside ``batch()``, a handler calls ``defer(fn, keys)`` instead,
and ``fn`` runs once, with every key collected, when the batch ends without an error (an error
rolls the operation back, so there is nothing to refresh). Outside a batch ``defer`` returns False
and the handler does its work at once, as before.
"""

from collections.abc import Callable, Hashable, Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar

_pending: ContextVar[dict[Callable[[set], object], set] | None] = ContextVar("grappe_deferred", default=None)


@contextmanager
def batch() -> Iterator[None]:
    """Collect deferred work until the block ends; nested batches belong to the outermost one.

    Call it inside the operation's transaction, so that the deferred work is part of it.
    """
    if _pending.get() is not None:
        yield
        return
    pending: dict[Callable[[set], object], set] = {}
    token = _pending.set(pending)
    try:
        yield
    finally:
        _pending.reset(token)
    for work, keys in pending.items():
        work(keys)


def defer(work: Callable[[set], object], keys: Iterable[Hashable]) -> bool:
    """Postpone ``work(keys)`` to the end of the current batch (merged with earlier keys); False when
    no batch is open (the caller does the work now)."""
    pending = _pending.get()
    if pending is None:
        return False
    pending.setdefault(work, set()).update(keys)
    return True
