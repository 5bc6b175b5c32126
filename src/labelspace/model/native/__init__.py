"""The native format of a label row: a dict (JSON) that holds every field, losslessly.

Version 1 looks like this (``[...]`` are JSON arrays of numbers)::

    {
      "format": "labelspace.label_row", "version": 1,
      "ontology": {...},                                     # Ontology.to_dict()
      "objects": [{"object_hash": "1a2b3c4d", "feature_node_hash": "...",
                   "answers": {"<attribute hash>": <answer>}}],          # static answers
      "classifications": [{"classification_hash": "...", "feature_node_hash": "...", "answers": {...}}],
      "spaces": [{
        "id": "cam-1", "kind": "video", "width": 1920, "height": 1080, "number_of_frames": 10000,
        "fps": 25.0,                                         # video only; "modality" for medical
        "media": "videos/cam-1.mp4",                         # where the pixels are, if known
        "metadata": {"created_at": [...], "last_edited_at": [...],       # µs since the epoch, UTC
                     "created_by": [...], "last_edited_by": [...],        # index into users, -1 none
                     "confidence": [...], "manual_annotation": [...], "users": ["ann@x.org"]},
        "objects": [{"object_hash": "...", "starts": [...], "ends": [...], "meta": [...],
                     "rows": [...],                          # boxes, rotated boxes, points: flat rows
                     "coordinates": [{...}],                 # other shapes: one dict per run
                     "dynamic": [{"attribute": "<hash>", "answers": [<answer>, ...],
                                  "starts": [...], "ends": [...], "answer": [...]}]}],
        "classifications": [{"classification_hash": "...", "global_meta": 0}     # global
                            | {"classification_hash": "...", "starts": [...], "ends": [...], "meta": [...]}]
      }]
    }

Every ``[...]`` column may instead be packed, as ``{"dtype": "<i4", "base64": "..."}``: the
base64 of the column's little-endian bytes, with dtype ``<i4``, ``<i8``, ``<f8`` or ``|b1``.
Saved files pack long columns (they load without parsing a number at a time); ``to_dict``
gives plain lists. Readers accept both everywhere.

Annotations are runs of frames: run ``i`` covers frames ``starts[i]..ends[i]`` (inclusive) with
metadata record ``meta[i]`` and value row ``i`` (``rows[i*k:(i+1)*k]``, ``k`` = 4 for boxes
``x, y, w, h``, 5 for rotated boxes ``x, y, w, h, theta``, 2 for points ``x, y``; all normalised).
An answer is a str (text), a number (numeric), an option hash (radio) or a list of option hashes
(checklist). Images are spaces of one frame.
"""

from __future__ import annotations

from labelspace.model.native.columns import PACK_AT, DictReader, pack_column
from labelspace.model.native.decode import label_row_from_dict
from labelspace.model.native.encode import FORMAT, VERSION, label_row_to_dict
from labelspace.model.native.ontology_match import matching_ontology, ontology_difference
from labelspace.model.native.values import (
    answer_label,
    coordinates_from_dict,
    coordinates_to_dict,
    decode_answer,
    encode_answer,
)

__all__ = [
    "FORMAT",
    "PACK_AT",
    "VERSION",
    "DictReader",
    "answer_label",
    "coordinates_from_dict",
    "coordinates_to_dict",
    "decode_answer",
    "encode_answer",
    "label_row_from_dict",
    "label_row_to_dict",
    "matching_ontology",
    "ontology_difference",
    "pack_column",
]
