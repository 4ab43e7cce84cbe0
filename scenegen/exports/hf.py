"""Hugging Face `datasets` features for a row model, in the YAML form a dataset card's ``dataset_info`` holds.

Written from the pydantic models (no `datasets` import): a list of scalars is a ``sequence``, a list of
objects a ``list`` of their fields, an object a ``struct``; this form is read by `datasets` 3.x and 5.x alike.
"""

from __future__ import annotations

import types
import typing
from typing import Any, Literal, Union, get_args, get_origin

from pydantic import BaseModel

_DTYPES = {str: "string", int: "int64", float: "float64", bool: "bool"}


def _spec(annotation: Any) -> dict:
    """The feature of one annotation, as the dict entry beside its name."""
    origin = get_origin(annotation)
    if origin in (Union, types.UnionType):
        (inner,) = [a for a in get_args(annotation) if a is not type(None)]
        return _spec(inner)
    if origin is Literal:
        return {"dtype": _DTYPES[type(get_args(annotation)[0])]}
    if origin is list:
        item = _spec(get_args(annotation)[0])
        if "dtype" in item:
            return {"sequence": item["dtype"]}
        if "struct" in item:
            return {"list": item["struct"]}
        raise TypeError(f"no feature for a list of {item}")
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return {"struct": features(annotation)}
    if annotation in _DTYPES:
        return {"dtype": _DTYPES[annotation]}
    raise TypeError(f"no feature for {annotation!r}")


def features(model: type[BaseModel]) -> list[dict]:
    """``dataset_info.features`` for rows of this model, fields in the model's order, by their JSON names."""
    hints = typing.get_type_hints(model)
    out = []
    for name, field in model.model_fields.items():
        out.append({"name": field.alias or name, **_spec(hints[name])})
    return out
