"""`scenegen review DATA_DIR`: a local web page to read one dialogue at a time and judge it.

Bound to 127.0.0.1 unless told otherwise; bound anywhere else, every request must carry a random token (printed
with the address), since the page can write reviews. The page needs no network: one HTML file with its script
and style inline. Standard library only (``http.server``): a reviewer's laptop needs nothing more."""

from __future__ import annotations

import ipaddress
import random
import secrets
import threading
from collections import Counter
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from importlib import resources
from pathlib import Path
from typing import Optional
from urllib.parse import parse_qs, urlsplit

import orjson

from ..errors import ScenegenError
from .dataset import STRATA, Dataset
from .store import REVIEWS_FILE, TURN_FLAGS, ReviewError, append_review, latest, now_utc, parse_review, read_reviews

MAX_BODY = 64 * 1024
MODES = ("unreviewed", "random", "stratified")


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class ReviewSession:
    """What the page works on: the dataset, the reviews file beside it, and one reviewer's progress."""

    def __init__(self, folder: Path, reviewer: str, reviews_path: Optional[Path] = None):
        from ..generate import generator_version

        self.dataset = Dataset(folder)
        self.reviewer = reviewer
        self.path = Path(reviews_path) if reviews_path else self.dataset.folder / REVIEWS_FILE
        self.version = generator_version()
        self.library = self.dataset.library_id()
        if "content_sha256" not in self.library:
            raise ScenegenError(f"{self.dataset.folder}/manifest.json: missing or without library.content_sha256; "
                                "review a folder 'scenegen generate' wrote, manifest included")
        self._lock = threading.Lock()
        self.mine: dict[str, dict] = {}
        for (who, rid), r in latest(read_reviews(self.path)).items():
            if who == reviewer:
                self.mine[rid] = r.model_dump(mode="json", by_alias=True, exclude_none=True)

    def next_id(self, mode: str, by: str, after: Optional[str]) -> Optional[str]:
        """The next record to show: in dataset order after ``after`` among those not yet reviewed by this
        reviewer; at random among them; or from the stratum (disposition, complaint or persona) this reviewer
        has reviewed least. None when every record is reviewed."""
        order = self.dataset.order
        todo = [rid for rid in order if rid not in self.mine]
        if not todo:
            return None
        if mode == "unreviewed":
            if after in self.dataset.entries:
                start = self.dataset.position[after] + 1
                for rid in order[start:] + order[:start]:
                    if rid not in self.mine:
                        return rid
            return todo[0]
        rng = random.Random(f"{self.reviewer}\0{len(self.mine)}\0{after}")  # a fresh, explicit stream per pick
        if mode == "random":
            return rng.choice(todo)
        field = STRATA.index(by)
        done = Counter(self._stratum(rid, field) for rid in self.mine if rid in self.dataset.entries)
        groups: dict[str, list[str]] = {}
        for rid in todo:
            groups.setdefault(self._stratum(rid, field), []).append(rid)
        least = min(groups, key=lambda g: (done[g], g))
        return rng.choice(groups[least])

    def _stratum(self, rid: str, field: int) -> str:
        e = self.dataset.entries[rid]
        return (e.disposition, e.complaint, e.persona)[field]

    def record_view(self, rid: str) -> Optional[dict]:
        record = self.dataset.record(rid)
        if record is None:
            return None
        return {"id": rid, "messages": record["messages"], "persona": record.get("persona"),
                "case": record.get("case"), "gold": record.get("gold"), "turns": record.get("turns"),
                "review": self.mine.get(rid), "position": self.dataset.position[rid] + 1,
                "total": len(self.dataset.order), "reviewed": len(self.mine)}

    def save(self, body: dict) -> dict:
        rid = body.get("record_id") if isinstance(body, dict) else None
        record = self.dataset.record(rid) if isinstance(rid, str) else None
        if record is None:
            raise ReviewError(f"record_id: {rid!r} is not a record of this dataset")
        review = parse_review({"reviewer": self.reviewer, "time": now_utc(), "record_id": rid,
                               "gold_disposition": record["gold"]["disposition"], "library": self.library,
                               "scenegen_version": self.version, "judgement": body.get("judgement")})
        with self._lock:
            append_review(self.path, review)
            self.mine[rid] = review.model_dump(mode="json", by_alias=True, exclude_none=True)
        return self.mine[rid]


def _page() -> bytes:
    return resources.files("scenegen.review").joinpath("page.html").read_bytes()


def make_handler(session: ReviewSession, token: Optional[str]):
    page = _page()

    class Handler(BaseHTTPRequestHandler):
        server_version = "scenegen-review"

        def log_message(self, format, *args):  # noqa: A002 - the page polls; keep the terminal quiet
            pass

        def _send(self, status: int, body: bytes, kind: str = "application/json") -> None:
            self.send_response(status)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Cache-Control", "no-store")
            self.send_header("X-Content-Type-Options", "nosniff")
            self.send_header("Content-Security-Policy", "default-src 'self'; script-src 'unsafe-inline'; "
                                                        "style-src 'unsafe-inline'; connect-src 'self'")
            self.end_headers()
            self.wfile.write(body)

        def _json(self, status: int, obj) -> None:
            self._send(status, orjson.dumps(obj))

        def _allowed(self, query: dict) -> bool:
            if token is None:
                return True
            given = self.headers.get("X-Review-Token") or (query.get("token") or [""])[0]
            return secrets.compare_digest(given, token)

        def do_GET(self) -> None:  # noqa: N802 - http.server's name
            url = urlsplit(self.path)
            query = parse_qs(url.query)
            if not self._allowed(query):
                return self._json(HTTPStatus.FORBIDDEN, {"error": "this page needs its token (see the address "
                                                                  "'scenegen review' printed)"})
            if url.path == "/":
                return self._send(HTTPStatus.OK, page, "text/html; charset=utf-8")
            if url.path == "/api/state":
                return self._json(HTTPStatus.OK, {"reviewer": session.reviewer, "modes": MODES, "strata": STRATA,
                                                  "flags": TURN_FLAGS, "total": len(session.dataset.order),
                                                  "reviewed": len(session.mine), "file": str(session.path)})
            if url.path == "/api/next":
                mode = (query.get("mode") or ["unreviewed"])[0]
                by = (query.get("by") or ["disposition"])[0]
                if mode not in MODES or by not in STRATA:
                    return self._json(HTTPStatus.BAD_REQUEST, {"error": f"mode must be one of {MODES}, by one of "
                                                                        f"{STRATA}"})
                return self._json(HTTPStatus.OK, {"id": session.next_id(mode, by, (query.get("after") or [None])[0])})
            if url.path == "/api/record":
                view = session.record_view((query.get("id") or [""])[0])
                if view is None:
                    return self._json(HTTPStatus.NOT_FOUND, {"error": "no record with that id"})
                return self._json(HTTPStatus.OK, view)
            return self._json(HTTPStatus.NOT_FOUND, {"error": "not found"})

        def do_POST(self) -> None:  # noqa: N802
            url = urlsplit(self.path)
            if not self._allowed(parse_qs(url.query)):
                return self._json(HTTPStatus.FORBIDDEN, {"error": "this page needs its token"})
            if url.path != "/api/review":
                return self._json(HTTPStatus.NOT_FOUND, {"error": "not found"})
            try:
                length = int(self.headers.get("Content-Length", "0"))
            except ValueError:
                length = -1
            if not 0 < length <= MAX_BODY:
                return self._json(HTTPStatus.BAD_REQUEST, {"error": f"a review is a JSON body of 1 to {MAX_BODY} "
                                                                    "bytes"})
            try:
                body = orjson.loads(self.rfile.read(length))
                saved = session.save(body)
            except orjson.JSONDecodeError:
                return self._json(HTTPStatus.BAD_REQUEST, {"error": "the body is not JSON"})
            except ReviewError as exc:
                return self._json(HTTPStatus.BAD_REQUEST, {"error": str(exc)})
            except OSError as exc:
                return self._json(HTTPStatus.INTERNAL_SERVER_ERROR, {"error": f"could not save: {exc}"})
            return self._json(HTTPStatus.OK, {"saved": True, "review": saved})

    return Handler


def make_server(session: ReviewSession, host: str = "127.0.0.1", port: int = 8765) -> tuple[ThreadingHTTPServer, str]:
    """The server and the address to open (with its token when bound beyond this machine)."""
    token = None if is_loopback(host) else secrets.token_urlsafe(24)
    try:
        server = ThreadingHTTPServer((host, port), make_handler(session, token))
    except OSError as exc:
        raise ScenegenError(f"cannot listen on {host}:{port} ({exc.strerror or exc}); try another --port") from None
    server.daemon_threads = True
    shown = "127.0.0.1" if host in ("0.0.0.0", "::") else host
    address = f"http://{shown}:{server.server_address[1]}/" + (f"?token={token}" if token else "")
    return server, address
