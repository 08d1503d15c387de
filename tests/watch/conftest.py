"""Fixtures of the watch tests: the local feed server and settings that let the fetcher reach it."""

import socket

import pytest

from tests.watch.server import FeedServer


@pytest.fixture(scope="session")
def feed_server():
    server = FeedServer().start()
    yield server
    server.stop()


@pytest.fixture
def server(feed_server):
    """The session's server with per-test state reset."""
    feed_server.requests.clear()
    feed_server.slow_seconds = 3.0
    feed_server.page_html = "<html><body><main><p>Version 1</p></main></body></html>"
    return feed_server


@pytest.fixture(autouse=True)
def watch_settings(settings):
    settings.WATCH_ALLOW_PRIVATE_ADDRESSES = True  # the feed server listens on loopback
    settings.WATCH_HOST_MIN_DELAY_MS = 0
    settings.WATCH_FETCH_TIMEOUT_SECONDS = 2
    settings.WATCH_MAX_BODY_BYTES = 5 * 1024 * 1024
    settings.WATCH_MAX_REDIRECTS = 3
    settings.WATCH_AUTO_PAUSE_AFTER = 5
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend"}}
    return settings


@pytest.fixture
def dead_url() -> str:
    """An address where nothing listens: a port we bound then released."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}/feed.xml"
