"""Where a task's media is: Label Studio's media references (uploads, local files, URLs) <-> media paths."""

from __future__ import annotations

import posixpath
import re

from labelspace.formats._paths import is_url

_UPLOAD = re.compile(r"^/data/upload/(?:[^/]+/)?(?P<name>[^/?#]+)$")
_UPLOAD_PREFIX = re.compile(r"^[0-9a-f]{8}-(?P<name>.+)$")


def _server_path(path: str, query: str) -> tuple[str, list[str]] | None:
    """The file a Label Studio server path serves, and where to look for it: uploads and local files."""
    if path.startswith("/data/local-files"):
        for part in query.split("&"):
            key, _, value = part.partition("=")
            if key == "d":
                from urllib.parse import unquote

                local = unquote(value)
                return local, [local]
        return None
    upload = _UPLOAD.match(path)
    if upload is None:
        return None
    from urllib.parse import unquote

    name = unquote(upload["name"])
    original = _UPLOAD_PREFIX.match(name)
    return (original["name"], [original["name"], name]) if original else (name, [name])


def media_reference(raw: str) -> tuple[str | None, list[str]]:
    """The media path (or URL) to keep for a task's data value, and file names to look for under the media folder."""
    from urllib.parse import unquote, urlsplit

    if raw.startswith("data:"):
        return None, []
    if is_url(raw):
        parts = urlsplit(raw)
        served = _server_path(parts.path, parts.query)
        if served is not None:
            return raw, served[1]
        path = unquote(parts.path).lstrip("/")
        return raw, [p for p in (path, posixpath.basename(path)) if p]
    path, _, query = raw.partition("?")
    served = _server_path(path, query)
    if served is not None:
        return served
    return raw, [raw]


def media_value(media: str | None) -> str:
    """A task's data value: URLs as they are, file paths as Label Studio local files."""
    if not media:
        return ""
    if is_url(media):
        return media
    from urllib.parse import quote

    return "/data/local-files/?d=" + quote(media.replace("\\", "/"), safe="/")
