"""Errors raised by labelspace.

The hierarchy is small on purpose::

    LabelspaceError                      root of everything labelspace raises
    ├── LabelRowError (ValueError)       misuse of the label model: frames, overlaps, answers
    ├── OntologyError (ValueError)       a malformed ontology or a lookup that found nothing
    ├── InnotaterError (ValueError)      an Innotater given data or arguments it cannot use
    ├── MediaError (ValueError)          an image, video or volume that cannot be read
    ├── FormatError (ValueError)         a labels file that cannot be read as its format, or cannot be written
    ├── StoreError (RuntimeError)        a label store that cannot be opened, read or written
    │   └── ConflictError                an edit based on an instance someone else has changed since
    └── MissingExtraError (ImportError)  an optional extra (labelspace[video], [medical]) is not installed

Every error carries a ``message`` that says what was expected, what arrived and what to do.
"""

from __future__ import annotations


class LabelspaceError(Exception):
    """Root of every error raised by labelspace."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class LabelRowError(LabelspaceError, ValueError):
    """A label-model call was given input it cannot take; nothing was changed."""


class OntologyError(LabelspaceError, ValueError):
    """An ontology is malformed, or an element asked for is not in it."""


class InnotaterError(LabelspaceError, ValueError):
    """The Innotater or one of its Innotations was given data or arguments it cannot use."""


class MediaError(LabelspaceError, ValueError):
    """An image, video or volume could not be read; the message names the file."""


class MissingExtraError(LabelspaceError, ImportError):
    """A reader needs an optional extra that is not installed; the message names the pip command."""


class FormatError(LabelspaceError, ValueError):
    """A labels file cannot be read as its format, or an output cannot be written; nothing was changed.

    The message names the file, the record and the field (or the size past the reader's limits).
    """


class StoreError(LabelspaceError, RuntimeError):
    """A label store cannot be opened, read or written (bad URL, newer schema, locked file, lost connection).

    Nothing was written: a store's writes are transactions.
    """


class ConflictError(StoreError):
    """An edit was based on an instance that someone else changed since, on the same frames; it was not made.

    The row now shows the other person's version; make the edit again if it still applies.
    """
