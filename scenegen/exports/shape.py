"""The shape of a row, read once off its pydantic model: what the Arrow schema and the Hugging Face features
are both written from, so the two cannot disagree about a field."""

from __future__ import annotations

import types
import typing
from dataclasses import dataclass
from typing import Any, Literal, Optional, Union, get_args, get_origin

from pydantic import BaseModel

_SCALARS = {str: "string", int: "int64", float: "float64", bool: "bool"}


@dataclass(frozen=True)
class Shape:
    """One field's type: a scalar (``scalar`` names it: string, int64, float64, bool), a list of ``item``, or a
    struct of ``fields`` (name, shape) pairs in the model's order; ``nullable`` where the JSON allows null."""

    scalar: Optional[str] = None
    item: Optional["Shape"] = None
    fields: Optional[tuple[tuple[str, "Shape"], ...]] = None
    nullable: bool = False


def shape_of(annotation: Any) -> Shape:
    """The shape of one annotation; a field of several non-null types has none (TypeError)."""
    origin = get_origin(annotation)
    if origin in (Union, types.UnionType):
        inner = [a for a in get_args(annotation) if a is not type(None)]
        if len(inner) != 1:
            raise TypeError(f"a field of several types has no single column type: {annotation}")
        return Shape(**{**shape_of(inner[0]).__dict__, "nullable": True})
    if origin is Literal:
        kinds = {type(a) for a in get_args(annotation)}
        if len(kinds) != 1:
            raise TypeError(f"a literal of several types has no single column type: {annotation}")
        return Shape(scalar=_SCALARS[kinds.pop()])
    if origin is list:
        return Shape(item=shape_of(get_args(annotation)[0]))
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return Shape(fields=model_fields(annotation))  # nested objects by their JSON names, as rows hold them
    if annotation in _SCALARS:
        return Shape(scalar=_SCALARS[annotation])
    raise TypeError(f"no column type for {annotation!r}")


def model_fields(model: type[BaseModel]) -> tuple[tuple[str, Shape], ...]:
    """(JSON name, shape) for each field of the model, in its order: the alias where it has one ('from')."""
    hints = typing.get_type_hints(model)
    return tuple((f.alias or name, shape_of(hints[name])) for name, f in model.model_fields.items())
