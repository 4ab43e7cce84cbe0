"""A small cache in the user's cache folder, for facts that depend only on versions of installed packages.

What is kept here can always be recomputed, so the cache is safe to delete, a file that cannot be read or does
not have the expected shape is ignored, and nothing is written when the folder cannot be made. Each cache's
file name carries the versions its facts depend on, so a stale file is never read.
Two kinds live here: code checks (JSON) and compiled libraries (pickles of a validated knowledge base, named
for the digest of the library's files and of scenegen's own source, so any edit to either misses the cache).
``SCENEGEN_CACHE_DIR`` moves the folder; ``SCENEGEN_NO_CACHE=1`` turns the cache off.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import sys
from functools import lru_cache
from pathlib import Path
from typing import Any

import orjson

from .files import replace_whole

_MAX_BYTES = 4 * 1024 * 1024  # a cache file larger than this is not ours (or is damaged): ignored


def cache_dir() -> Path | None:
    """The folder for scenegen's cache, or None when the cache is turned off."""
    if os.environ.get("SCENEGEN_NO_CACHE", "") not in ("", "0"):
        return None
    chosen = os.environ.get("SCENEGEN_CACHE_DIR")
    if chosen:
        return Path(chosen)
    if sys.platform == "win32":
        base = os.environ.get("LOCALAPPDATA") or str(Path.home() / "AppData" / "Local")
    elif sys.platform == "darwin":
        base = str(Path.home() / "Library" / "Caches")
    else:
        base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "scenegen"


def read_cache(name: str) -> dict[str, str | None]:
    """The cached mapping ``name`` holds, or an empty one if there is none that can be trusted to be ours."""
    folder = cache_dir()
    if folder is None:
        return {}
    path = folder / name
    try:
        if path.stat().st_size > _MAX_BYTES:
            return {}
        data = orjson.loads(path.read_bytes())
    except (OSError, orjson.JSONDecodeError):
        return {}
    if not isinstance(data, dict) or not all(isinstance(k, str) and (v is None or isinstance(v, str))
                                             for k, v in data.items()):
        return {}
    return data


def write_cache(name: str, data: dict[str, str | None]) -> None:
    """Replace the cached mapping ``name`` whole (atomically); a cache that cannot be written is skipped."""
    folder = cache_dir()
    if folder is None:
        return
    try:
        _replace(folder, name, orjson.dumps(data, option=orjson.OPT_SORT_KEYS))
    except OSError:
        return


def _replace(folder: Path, name: str, data: bytes) -> None:
    """Write ``folder/name`` whole or not at all, in a private folder."""
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    replace_whole(folder / name, data)


_KEEP_COMPILED = 8  # compiled libraries kept; older ones are deleted, so the folder stays small


@lru_cache(maxsize=1)
def code_digest() -> str:
    """A digest of everything a compiled library's shape depends on: scenegen's own source, Python, pydantic."""
    import pydantic

    digest = hashlib.sha256(f"{sys.version}\0{pydantic.VERSION}\0".encode())
    package = Path(__file__).resolve().parent
    for path in sorted(package.rglob("*.py")):
        digest.update(path.relative_to(package).as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()[:24]


def read_compiled(kind: str, content_digest: str) -> Any | None:
    """The object compiled earlier from content with this digest by this exact code, or None.

    The file is a pickle that this code wrote into the user's own cache folder, so it is trusted as the code
    itself is; anything that fails to load is ignored and rebuilt.
    """
    folder = cache_dir()
    if folder is None:
        return None
    path = folder / _compiled_name(kind, content_digest)
    try:
        with path.open("rb") as fh:
            if not _private(os.fstat(fh.fileno())) or not _private(folder.stat()):
                return None  # written or writable by someone else: not trusted, rebuilt instead
            return pickle.load(fh)
    except Exception:  # a missing, partial or foreign file: rebuild rather than fail
        return None


def _compiled_name(kind: str, content_digest: str) -> str:
    return f"{kind}-{content_digest[:32]}-{code_digest()}.pickle"


def _private(st: os.stat_result) -> bool:
    """Owned by this user and writable by nobody else (as ssh asks of its keys); always true where the
    platform has no owners (Windows)."""
    if not hasattr(os, "getuid"):
        return True
    return st.st_uid == os.getuid() and not st.st_mode & 0o022


def write_compiled(kind: str, content_digest: str, value: Any) -> None:
    """Keep ``value`` for the next run, atomically, and prune all but the newest compiled files."""
    folder = cache_dir()
    if folder is None:
        return
    try:
        _replace(folder, _compiled_name(kind, content_digest), pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL))
        old = sorted(folder.glob(f"{kind}-*.pickle"), key=lambda p: p.stat().st_mtime, reverse=True)
        for stale in old[_KEEP_COMPILED:]:
            stale.unlink(missing_ok=True)
    except (OSError, pickle.PicklingError):
        return
