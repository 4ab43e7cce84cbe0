"""A small cache in the user's cache folder, for facts that depend only on versions of installed packages.

What is kept here can always be recomputed, so the cache is safe to delete, a file that cannot be read or does
not have the expected shape is ignored, and nothing is written when the folder cannot be made. Each cache's
file name carries the versions its facts depend on, so a stale file is never read.
``SCENEGEN_CACHE_DIR`` moves the folder; ``SCENEGEN_NO_CACHE=1`` turns the cache off.
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

import orjson

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
        folder.mkdir(parents=True, exist_ok=True)
        fd, temp = tempfile.mkstemp(prefix=f".{name}.", dir=folder)
        try:
            with os.fdopen(fd, "wb") as out:
                out.write(orjson.dumps(data, option=orjson.OPT_SORT_KEYS))
            os.replace(temp, folder / name)
        except BaseException:
            Path(temp).unlink(missing_ok=True)
            raise
    except OSError:
        return
