from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

from scenegen import load_knowledge_base
from scenegen.load import bundled_library

# CI sets CI=true, which makes Hypothesis load its own 'ci' profile (derandomized, no database);
# re-registering it here keeps those settings and fixes the number of examples.
settings.register_profile("ci", settings.get_profile("ci"), max_examples=60,
                          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
settings.register_profile("dev", max_examples=40, deadline=None,
                          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
settings.register_profile("nightly", max_examples=2000, deadline=None,
                          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
if settings._current_profile == "default":  # noqa: SLF001 - pick dev unless a profile was chosen
    settings.load_profile("dev")

TINY = Path(__file__).parent / "libraries" / "tiny"


@pytest.fixture(scope="session")
def tiny_kb():
    return load_knowledge_base(TINY)


@pytest.fixture(scope="session")
def bundled_kb():
    return load_knowledge_base(bundled_library())


@pytest.fixture(scope="session")
def library():
    """The bundled library as the generator loads it (knowledge base, personas, templates), once per run."""
    from scenegen.generate import Library

    return Library.load()


@pytest.fixture
def tiny_copy(tmp_path: Path) -> Path:
    """A writable copy of the tiny library, for tests that break it on purpose."""
    dest = tmp_path / "lib"
    shutil.copytree(TINY, dest)
    return dest
