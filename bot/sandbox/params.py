"""Bot API request parameters, decoded from JSON, urlencoded or multipart bodies."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl, unquote

from bot.sandbox.errors import ApiError, bad_request

# Fields whose string values are never JSON; everything else may arrive JSON-encoded in a form.
STRING_FIELDS = frozenset(
    {
        "text", "caption", "parse_mode", "callback_query_id", "url", "secret_token",
        "language_code", "action", "file_id", "inline_message_id", "ip_address", "document",
        "photo", "thumbnail", "emoji", "business_connection_id", "message_effect_id",
    }
)  # fmt: skip
_BOUNDARY = re.compile(r'boundary="?([^";]+)"?', re.IGNORECASE)
_PARAM = re.compile(r'(?:^|;)\s*([A-Za-z*]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^;]*))')
_HTML5_ESCAPE = re.compile(r"%([0-9A-Fa-f]{2})|\\(.)")
_JSONISH = re.compile(r"-?\d+|true|false|null|[\[{].*", re.DOTALL)


@dataclass(frozen=True)
class Upload:
    """A file part of a multipart request."""

    filename: str
    mime_type: str
    data: bytes


class Params:
    """Typed access to a request's parameters, coercing form strings like Telegram does."""

    def __init__(self, values: Mapping[str, Any]) -> None:
        self.values: dict[str, Any] = dict(values)

    def has(self, name: str) -> bool:
        """Whether the parameter was sent (and is not null)."""
        return self.values.get(name) is not None

    def opt_int(self, name: str) -> int | None:
        """An integer parameter, or None when absent."""
        value = self.values.get(name)
        if value is None or value == "":
            return None
        if isinstance(value, bool) or not isinstance(value, int | str):
            raise bad_request(f"field {name!r} must be of type Integer")
        try:
            return int(value)
        except ValueError:
            raise bad_request(f"field {name!r} must be of type Integer") from None

    def req_int(self, name: str) -> int:
        """A required integer parameter ("<name> is empty" otherwise)."""
        value = self.opt_int(name)
        if value is None:
            raise bad_request(f"{name} is empty")
        return value

    def opt_str(self, name: str) -> str | None:
        """A string parameter (numbers are accepted as their text), or None when absent."""
        value = self.values.get(name)
        if value is None:
            return None
        if isinstance(value, Upload | dict | list):
            raise bad_request(f"field {name!r} must be of type String")
        text = value if isinstance(value, str) else json.dumps(value)
        try:
            text.encode("utf-8")
        except UnicodeEncodeError:
            raise bad_request("strings must be encoded in UTF-8") from None
        return text

    def opt_bool(self, name: str) -> bool:
        """A boolean parameter; absent means False."""
        value = self.values.get(name)
        if isinstance(value, str):
            return value.lower() in ("true", "1")
        return bool(value)

    def opt_json(self, name: str) -> Any:
        """An object or array parameter, JSON-decoding it when it came as a string."""
        value = self.values.get(name)
        if isinstance(value, str):
            if not value:
                return None
            try:
                return json.loads(value)
            except ValueError:
                raise bad_request(f"can't parse {name} JSON object") from None
        return value

    def file(self, name: str) -> Upload | str | None:
        """A file parameter: an uploaded part, or a file_id / URL string."""
        value = self.values.get(name)
        if isinstance(value, str) and value.startswith("attach://"):
            value = self.values.get(value.removeprefix("attach://"))
            if not isinstance(value, Upload):
                raise bad_request(f"can't find attached file for {name}")
        if value is None or isinstance(value, Upload | str):
            return value
        raise bad_request(f"wrong type of the {name} field")

    def recorded(self) -> dict[str, Any]:
        """The parameters as a test wants to read them: form values JSON-decoded where meant."""
        return {name: _decode(name, value) for name, value in self.values.items()}


def _decode(name: str, value: Any) -> Any:
    if not isinstance(value, str) or name in STRING_FIELDS or not _JSONISH.fullmatch(value):
        return value
    try:
        return json.loads(value)
    except ValueError:
        return value


def decode_body(content_type: str, body: bytes, query: Mapping[str, str]) -> Params:
    """Parses a request body (JSON, urlencoded or multipart) merged over its query string."""
    values: dict[str, Any] = dict(query)
    kind = content_type.split(";", 1)[0].strip().lower()
    if kind == "application/json" and body.strip():
        try:
            data = json.loads(body)
        except ValueError:
            raise bad_request("can't parse JSON object") from None
        if not isinstance(data, dict):
            raise bad_request("JSON object expected")
        values.update(data)
    elif kind == "application/x-www-form-urlencoded":
        values.update(parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True))
    elif kind == "multipart/form-data":
        found = _BOUNDARY.search(content_type)
        if found is None:
            raise bad_request("multipart boundary is missing")
        values.update(parse_multipart(body, found.group(1)))
    elif body.strip():
        raise ApiError(415, f"Unsupported Media Type: {kind}")
    return Params(values)


def parse_multipart(body: bytes, boundary: str) -> dict[str, str | Upload]:
    """Splits a multipart/form-data body into text fields and file uploads."""
    fields: dict[str, str | Upload] = {}
    chunks = (b"\r\n" + body).split(b"\r\n--" + boundary.encode("latin-1"))
    for chunk in chunks[1:]:
        if chunk.startswith(b"--"):
            break
        head, separator, data = chunk.partition(b"\r\n\r\n")
        if not separator:
            continue
        headers: dict[str, str] = {}
        for line in head.decode("utf-8", "replace").split("\r\n"):
            key, colon, value = line.partition(":")
            if colon:
                headers[key.strip().lower()] = value.strip()
        disposition = _disposition(headers.get("content-disposition", ""))
        name = disposition.get("name")
        if name is None:
            continue
        if "filename" in disposition or "filename*" in disposition:
            filename = disposition.get("filename") or _ext_value(disposition.get("filename*", ""))
            mime = headers.get("content-type", "application/octet-stream")
            fields[name] = Upload(filename, mime, data)
        else:
            fields[name] = data.decode("utf-8", "replace")
    return fields


def _disposition(header: str) -> dict[str, str]:
    params: dict[str, str] = {}
    for match in _PARAM.finditer(header):
        key, quoted, bare = match.groups()
        raw = quoted if quoted is not None else bare.strip()
        # httpx (PTB's transport) escapes names the HTML5 way: %XX for controls and '"', \\ for \.
        params[key.lower()] = _HTML5_ESCAPE.sub(lambda m: m[2] or chr(int(m[1], 16)), raw)
    return params


def _ext_value(value: str) -> str:
    charset, _, rest = value.partition("'")
    _, _, encoded = rest.partition("'")
    return unquote(encoded, encoding=charset or "utf-8", errors="replace")
