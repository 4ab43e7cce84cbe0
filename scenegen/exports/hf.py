"""Hugging Face `datasets` features for a row model, in the YAML form a dataset card's ``dataset_info`` holds.

Written from the pydantic models (no `datasets` import): a list of scalars is a ``sequence``, a list of
objects a ``list`` of their fields, an object a ``struct``; this form is read by `datasets` 3.x and 5.x alike.
"""

from __future__ import annotations

from pydantic import BaseModel

from .shape import Shape, model_fields


def _spec(shape: Shape) -> dict:
    """The feature of one field, as the dict entry beside its name."""
    if shape.scalar is not None:
        return {"dtype": shape.scalar}
    if shape.fields is not None:
        return {"struct": [{"name": n, **_spec(s)} for n, s in shape.fields]}
    item = _spec(shape.item)  # type: ignore[arg-type]
    if "dtype" in item:
        return {"sequence": item["dtype"]}
    if "struct" in item:
        return {"list": item["struct"]}
    raise TypeError(f"no feature for a list of {item}")


def features(model: type[BaseModel]) -> list[dict]:
    """``dataset_info.features`` for rows of this model, fields in the model's order, by their JSON names."""
    return [{"name": name, **_spec(shape)} for name, shape in model_fields(model)]
