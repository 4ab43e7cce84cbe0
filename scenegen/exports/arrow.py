"""The record schema as an Arrow schema, read off the pydantic models, and Parquet writing.

pyarrow is an optional extra (``pip install 'scenegen[parquet]'``): it is imported only here, and only when
asked for, so the core install stays small.
"""

from __future__ import annotations

import types
import typing
from pathlib import Path
from typing import Any, Iterable, Literal, Union, get_args, get_origin

from pydantic import BaseModel

from ..errors import UsageError
from ..records import Record


def _pyarrow():
    try:
        import pyarrow
        import pyarrow.parquet  # noqa: F401  (the submodule is used through the package)
    except ImportError:
        raise UsageError("Parquet, zstd and the Arrow schema need pyarrow: pip install 'scenegen[parquet]'") from None
    return pyarrow


def _arrow_type(pa, annotation: Any):
    """(Arrow type, nullable) for one field annotation."""
    origin = get_origin(annotation)
    if origin in (Union, types.UnionType):
        inner = [a for a in get_args(annotation) if a is not type(None)]
        if len(inner) != 1:
            raise TypeError(f"a field of several types has no Arrow type: {annotation}")
        return _arrow_type(pa, inner[0])[0], True
    if origin is Literal:
        kinds = {type(a) for a in get_args(annotation)}
        return ({str: pa.string(), int: pa.int64(), bool: pa.bool_()}[kinds.pop()], False)
    if origin is list:
        return pa.list_(_arrow_type(pa, get_args(annotation)[0])[0]), False
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return pa.struct(_fields(pa, annotation)), False
    simple = {str: pa.string(), int: pa.int64(), float: pa.float64(), bool: pa.bool_()}
    if annotation in simple:
        return simple[annotation], False
    raise TypeError(f"no Arrow type for {annotation!r}")


def _fields(pa, model: type[BaseModel]) -> list:
    hints = typing.get_type_hints(model)
    out = []
    for name in model.model_fields:
        arrow, nullable = _arrow_type(pa, hints[name])
        out.append(pa.field(name, arrow, nullable=nullable))
    return out


def arrow_schema(model: type[BaseModel] = Record):
    """The Arrow schema of one record (every field one type; nullable where the JSON Schema allows null)."""
    pa = _pyarrow()
    return pa.schema(_fields(pa, model))


def write_parquet(rows: Iterable[dict], path: Path, schema=None, batch: int = 2048) -> int:
    """Write rows under the declared schema in record batches (memory bounded by ``batch``); return the count."""
    pa = _pyarrow()
    schema = schema if schema is not None else arrow_schema()
    n = 0
    with pa.parquet.ParquetWriter(str(path), schema, compression="zstd") as writer:
        chunk: list[dict] = []
        for row in rows:
            chunk.append(row)
            if len(chunk) >= batch:
                writer.write_table(pa.Table.from_pylist(chunk, schema=schema))
                n += len(chunk)
                chunk = []
        if chunk or n == 0:
            writer.write_table(pa.Table.from_pylist(chunk, schema=schema))
            n += len(chunk)
    return n
