"""Bot API methods that send files: sendDocument, sendPhoto, sendMediaGroup, editMessageMedia."""

from __future__ import annotations

import io
import mimetypes
import warnings
from pathlib import PurePosixPath
from typing import Any

from PIL import Image, UnidentifiedImageError

from bot.sandbox.errors import NOT_MODIFIED, ApiError, bad_request
from bot.sandbox.keyboards import parse_markup
from bot.sandbox.limits import (
    MAX_PHOTO_BYTES,
    MAX_PHOTO_RATIO,
    MAX_PHOTO_SIDES,
    MAX_UPLOAD_BYTES,
    MEDIA_GROUP_SIZES,
    stricter,
)
from bot.sandbox.markup import Formatted
from bot.sandbox.models import Attachment, ChatMessage
from bot.sandbox.params import Params, Upload
from bot.sandbox.state import Handler, SandboxState
from bot.sandbox.validation import chat_of, format_caption, reply_target

_GROUP_KINDS = frozenset({"photo", "document"})


def photo_size(data: bytes) -> tuple[int, int]:
    """Width and height of an uploaded photo, refused as Telegram refuses it."""
    if len(data) > MAX_PHOTO_BYTES:
        raise bad_request(
            f"file of size {len(data)} bytes is too big for a photo; "
            f"the maximum size is {MAX_PHOTO_BYTES} bytes"
        )
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as image:
                width, height = image.size
                _check_dimensions(width, height)
                image.load()
    except Image.DecompressionBombError:
        # Over 178 million pixels: width + height is then far above 10000.
        raise bad_request("PHOTO_INVALID_DIMENSIONS") from None
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError):
        raise bad_request("IMAGE_PROCESS_FAILED") from None
    return width, height


def _check_dimensions(width: int, height: int) -> None:
    too_big = width + height > MAX_PHOTO_SIDES
    too_thin = max(width, height) > MAX_PHOTO_RATIO * min(width, height)
    if too_big or too_thin:
        raise bad_request("PHOTO_INVALID_DIMENSIONS")


def attachment(state: SandboxState, value: Upload | str | None, kind: str) -> Attachment:
    """The file a method sends: a new upload (checked), a known file_id of that kind, or a URL."""
    if value is None or value == "":
        raise bad_request(f"there is no {kind} in the request")
    if isinstance(value, str):
        known = state.files.get(value)
        if known is not None:
            if known.kind != kind:
                raise bad_request("type of file mismatch")
            return known
        if not value.lower().startswith(("http://", "https://")):
            raise bad_request("wrong file identifier/HTTP URL specified")
        name = PurePosixPath(value.split("?", 1)[0]).name
        upload = Upload(name, mimetypes.guess_type(name)[0] or "", b"")
        width = height = 0
    else:
        if not value.data:
            raise bad_request("file must be non-empty")
        if len(value.data) > MAX_UPLOAD_BYTES:
            raise ApiError(413, "Request Entity Too Large")
        upload = value
        width, height = photo_size(value.data) if kind == "photo" else (0, 0)
    serial = state.next_serial()
    stored = Attachment(
        file_id=f"SANDBOX-{kind.upper()}-{serial:06d}",
        file_unique_id=f"U{serial:06d}",
        file_path=f"{kind}s/file_{serial}{PurePosixPath(upload.filename).suffix}",
        filename=upload.filename or None,
        mime_type=_mime_type(upload, kind),
        data=upload.data if isinstance(value, Upload) else None,
        url=value if isinstance(value, str) else None,
        kind=kind,
        width=width,
        height=height,
    )
    state.files[stored.file_id] = stored
    return stored


def _mime_type(upload: Upload, kind: str) -> str:
    if kind == "photo":
        return "image/jpeg"  # Telegram re-encodes every photo as JPEG
    return upload.mime_type or "application/octet-stream"


def _store_media(
    state: SandboxState,
    chat_id: int,
    media: Attachment,
    caption: Formatted | None,
    **extra: Any,
) -> ChatMessage:
    message = ChatMessage(
        chat_id=chat_id,
        message_id=state.next_message_id(chat_id),
        sender_id=state.bot.id,
        date=state.now(),
        caption=caption.text if caption is not None else None,
        entities=caption.entities if caption is not None else (),
        document=media if media.kind == "document" else None,
        photo=media if media.kind == "photo" else None,
        **extra,
    )
    state.add_message(message)
    return message


async def _send_file(state: SandboxState, params: Params, kind: str) -> dict[str, Any]:
    chat = chat_of(state, params)
    media = attachment(state, params.file(kind), kind)
    source, parse_mode = params.opt_str("caption"), params.opt_str("parse_mode")
    caption = format_caption(source, parse_mode, params.opt_json("caption_entities"))
    markup, buttons = parse_markup(params.opt_json("reply_markup"))
    reply_to = reply_target(state, chat.id, params)
    message = _store_media(
        state,
        chat.id,
        media,
        caption,
        source=source,
        parse_mode=parse_mode,
        buttons=buttons,
        reply_markup=markup,
        reply_to=reply_to,
    )
    await state.notify()
    return state.render(message)


async def send_document(state: SandboxState, params: Params) -> dict[str, Any]:
    """sendDocument (multipart upload, known file_id or URL)."""
    return await _send_file(state, params, "document")


async def send_photo(state: SandboxState, params: Params) -> dict[str, Any]:
    """sendPhoto (multipart upload, known file_id or URL) within Telegram's photo limits."""
    return await _send_file(state, params, "photo")


def _input_media(
    state: SandboxState, params: Params, item: Any
) -> tuple[Attachment, Formatted | None, dict[str, Any]]:
    if not isinstance(item, dict):
        raise bad_request("can't parse InputMedia: expected an Object")
    kind = item.get("type")
    if kind not in _GROUP_KINDS:
        raise bad_request(f"can't parse InputMedia: type {kind!r} is not supported by the sandbox")
    value = item.get("media")
    if isinstance(value, str) and value.startswith("attach://"):
        value = params.values.get(value.removeprefix("attach://"))
    if not isinstance(value, Upload | str) or value == "":
        raise bad_request("can't parse InputMedia: media not found")
    caption = format_caption(
        item.get("caption"), item.get("parse_mode"), item.get("caption_entities")
    )
    return attachment(state, value, kind), caption, item


async def send_media_group(state: SandboxState, params: Params) -> list[dict[str, Any]]:
    """sendMediaGroup of photos or of documents: one message each, sharing a media_group_id."""
    chat = chat_of(state, params)
    items = params.opt_json("media")
    if items is None:
        raise bad_request('parameter "media" is required')
    if not isinstance(items, list):
        raise bad_request("expected an Array of InputMedia")
    if not items:
        raise bad_request("there are no messages to send")
    if len(items) > MEDIA_GROUP_SIZES.stop - 1:
        raise bad_request("too many messages to send as an album")
    if len(items) < MEDIA_GROUP_SIZES.start:
        raise stricter("a media group must include 2-10 items; send one with sendPhoto")
    kinds = {item.get("type") for item in items if isinstance(item, dict)}
    if "document" in kinds and len(kinds) > 1:
        raise bad_request("document can't be mixed with other media types")
    media = [_input_media(state, params, item) for item in items]
    reply_to = reply_target(state, chat.id, params)
    group_id = str(10_000_000_000 + state.next_serial())
    sent = [
        _store_media(
            state,
            chat.id,
            stored,
            caption,
            source=item.get("caption"),
            parse_mode=item.get("parse_mode"),
            media_group_id=group_id,
            reply_to=reply_to,
        )
        for stored, caption, item in media
    ]
    await state.notify()
    return [state.render(message) for message in sent]


async def edit_message_media(state: SandboxState, params: Params) -> dict[str, Any]:
    """editMessageMedia: a photo or document message gets a new file and caption."""
    if params.has("inline_message_id"):
        raise bad_request("inline messages are not supported by the sandbox")
    chat = chat_of(state, params)
    message = state.get_message(chat.id, params.req_int("message_id"))
    if message is None or message.deleted:
        raise bad_request("message to edit not found")
    if not message.from_bot or (message.photo is None and message.document is None):
        raise bad_request("message media can't be edited")
    item = params.opt_json("media")
    if item is None:
        raise bad_request('parameter "media" is required')
    new, caption, _ = _input_media(state, params, item)
    if message.media_group_id is not None and new.kind != _kind(message):
        raise bad_request("message content type can't be used in an album")
    markup, buttons = parse_markup(params.opt_json("reply_markup"), inline_only=True)
    old = (_kind_file(message), message.caption, message.entities, message.reply_markup)
    text = caption.text if caption is not None else None
    entities = caption.entities if caption is not None else ()
    if (new.file_id, text, entities, markup) == old:
        raise bad_request(NOT_MODIFIED)
    changed = state.update_message(
        message,
        photo=new if new.kind == "photo" else None,
        document=new if new.kind == "document" else None,
        caption=text,
        entities=entities,
        source=item.get("caption"),
        parse_mode=item.get("parse_mode"),
        buttons=buttons,
        reply_markup=markup,
        edited=True,
        edit_date=state.now(),
        history=(*message.history, message.caption),
    )
    await state.notify()
    return state.render(changed)


def _kind(message: ChatMessage) -> str:
    return "photo" if message.photo is not None else "document"


def _kind_file(message: ChatMessage) -> str:
    media = message.photo or message.document
    return media.file_id if media is not None else ""


MEDIA_METHODS: dict[str, Handler] = {
    "sendDocument": send_document,
    "sendPhoto": send_photo,
    "sendMediaGroup": send_media_group,
    "editMessageMedia": edit_message_media,
}
