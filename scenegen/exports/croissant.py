"""Croissant metadata (MLCommons, http://mlcommons.org/croissant/1.0) for an export: what the files are, their
checksums, and a record set per split whose fields name the columns.

Scalar columns become plain fields; a list of objects with scalar members (the chat messages) becomes a
repeated field with sub-fields; other nested columns are described by the record schema, not here.
"""

from __future__ import annotations

from typing import Any

#: the Croissant 1.0 JSON-LD context, as the specification defines it
_CONTEXT: dict[str, Any] = {
    "@language": "en", "@vocab": "https://schema.org/", "sc": "https://schema.org/",
    "cr": "http://mlcommons.org/croissant/", "rai": "http://mlcommons.org/croissant/RAI/",
    "dct": "http://purl.org/dc/terms/",
    "citeAs": "cr:citeAs", "column": "cr:column", "conformsTo": "dct:conformsTo",
    "data": {"@id": "cr:data", "@type": "@json"}, "dataType": {"@id": "cr:dataType", "@type": "@vocab"},
    "equivalentProperty": "cr:equivalentProperty", "examples": {"@id": "cr:examples", "@type": "@json"},
    "extract": "cr:extract", "field": "cr:field", "fileProperty": "cr:fileProperty", "fileObject": "cr:fileObject",
    "fileSet": "cr:fileSet", "format": "cr:format", "includes": "cr:includes", "isLiveDataset": "cr:isLiveDataset",
    "jsonPath": "cr:jsonPath", "key": "cr:key", "md5": "cr:md5", "parentField": "cr:parentField", "path": "cr:path",
    "recordSet": "cr:recordSet", "references": "cr:references", "regex": "cr:regex", "repeated": "cr:repeated",
    "replace": "cr:replace", "samplingRate": "cr:samplingRate", "separator": "cr:separator", "source": "cr:source",
    "subField": "cr:subField", "transform": "cr:transform",
}

_TYPES = {bool: "sc:Boolean", int: "sc:Integer", float: "sc:Float", str: "sc:Text", type(None): "sc:Text"}
_ENCODING = {".jsonl": "application/jsonlines", ".gz": "application/gzip", ".parquet": "application/x-parquet"}


def _field(split: str, file_id: str, name: str, value: Any) -> dict | None:
    source = {"fileObject": {"@id": file_id}, "extract": {"column": name}}
    if type(value) in _TYPES:
        return {"@type": "cr:Field", "@id": f"{split}/{name}", "name": name, "dataType": _TYPES[type(value)],
                "source": source}
    if isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
        members = value[0]
        if all(type(v) in _TYPES for v in members.values()):
            return {"@type": "cr:Field", "@id": f"{split}/{name}", "name": name, "repeated": True,
                    "dataType": "sc:Text", "source": source,
                    "subField": [{"@type": "cr:Field", "@id": f"{split}/{name}/{k}", "name": k,
                                  "dataType": _TYPES[type(v)],
                                  "source": {"fileObject": {"@id": file_id}, "extract": {"jsonPath": k}}}
                                 for k, v in members.items()]}
    return None


def croissant(name: str, description: str, version: str, license_text: str, cite_as: str,
              files: dict[str, tuple[str, str, dict]]) -> dict:
    """The Croissant document. ``files`` maps split -> (file name, sha256, a first row of that file)."""
    distribution, record_sets = [], []
    for split, (file_name, digest, row) in sorted(files.items()):
        suffix = "." + file_name.rsplit(".", 1)[-1]
        distribution.append({"@type": "cr:FileObject", "@id": file_name, "name": file_name, "contentUrl": file_name,
                             "encodingFormat": _ENCODING.get(suffix, "application/octet-stream"), "sha256": digest})
        fields = [f for f in (_field(split, file_name, k, v) for k, v in row.items()) if f is not None]
        record_sets.append({"@type": "cr:RecordSet", "@id": split, "name": split, "field": fields})
    return {"@context": _CONTEXT, "@type": "sc:Dataset", "name": name, "description": description,
            "conformsTo": "http://mlcommons.org/croissant/1.0", "citeAs": cite_as, "license": license_text,
            "version": version,
            "distribution": distribution, "recordSet": record_sets}
