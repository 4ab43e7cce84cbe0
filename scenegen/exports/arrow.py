"""The record schema as an Arrow schema, read off the pydantic models, and Parquet writing.

pyarrow is an optional extra (``pip install 'scenegen[parquet]'``): it is imported only here, and only when
asked for, so the core install stays small.
"""

from __future__ import annotations

from pathlib import Path
from typing import Iterable

from pydantic import BaseModel

from ..errors import UsageError
from ..records import Record
from .shape import Shape, model_fields


def _pyarrow():
    try:
        import pyarrow
        import pyarrow.parquet  # noqa: F401  (the submodule is used through the package)
    except ImportError:
        raise UsageError("Parquet, zstd and the Arrow schema need pyarrow: pip install 'scenegen[parquet]'") from None
    return pyarrow


def _arrow_type(pa, shape: Shape, inside_null: bool = False):
    if shape.scalar is not None:
        return {"string": pa.string(), "int64": pa.int64(), "float64": pa.float64(), "bool": pa.bool_()}[shape.scalar]
    if shape.fields is not None:
        return pa.struct(_fields(pa, shape.fields, inside_null or shape.nullable))
    return pa.list_(_arrow_type(pa, shape.item, inside_null))


def _fields(pa, fields: tuple[tuple[str, Shape], ...], inside_null: bool = False) -> list:
    """Arrow fields; inside a struct that can be null (a record's ``twin``) every child can be too, since a null
    struct's children are null in Arrow's columns (readers refuse a required child there)."""
    return [pa.field(name, _arrow_type(pa, shape, inside_null), nullable=shape.nullable or inside_null)
            for name, shape in fields]


def arrow_schema(model: type[BaseModel] = Record):
    """The Arrow schema of one record (every field one type; nullable where the JSON Schema allows null)."""
    pa = _pyarrow()
    return pa.schema(_fields(pa, model_fields(model)))


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
