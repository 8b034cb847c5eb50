"""Telegram's limits the sandbox enforces, and how it words each refusal.

Refused with Telegram's own words (read in the Bot API server's and TDLib's sources, or seen
returned by api.telegram.org):
- text of 1-4096 and captions of 0-1024 UTF-16 code units after entity parsing ("message text is
  empty", "message is too long", editMessageText "MESSAGE_TOO_LONG", "message caption is too
  long"), and HTML that Telegram cannot parse ("can't parse entities: ...");
- inline keyboards: at most 100 buttons ("reply markup is too long"), callback_data of at most 64
  bytes ("BUTTON_DATA_INVALID"), a button without an action, empty callback_data included ("...
  Text buttons are unallowed in the inline keyboard"), URLs other than http(s) and tg
  ("BUTTON_URL_INVALID");
- photos: at most 10 MB ("file of size N bytes is too big for a photo; ..."), decodable
  ("IMAGE_PROCESS_FAILED", read with Pillow), width + height at most 10000 and the longer side at
  most 20 times the shorter ("PHOTO_INVALID_DIMENSIONS"); a file_id of another kind ("type of file
  mismatch"); any upload non-empty and at most 50 MB (HTTP 413);
- sendMediaGroup: no items ("there are no messages to send"), more than 10 ("too many messages to
  send as an album"), documents mixed with photos; editMessageMedia of a text message;
- setMyCommands: at most 100 commands ("BOT_COMMANDS_TOO_MUCH"); names of 1-32 characters of a-z,
  0-9 and _ ("BOT_COMMAND_INVALID"), descriptions of 1-256 characters, both after trimming; the
  seven scope types with their fields ("can't parse BotCommandScope: ..."), in chats the bot
  knows; language codes empty or two lower-case letters ("invalid language code specified");
- chats the bot never saw ("chat not found"), edits that change nothing ("message is not
  modified") or carry another keyboard than an inline one ("inline keyboard expected"), a second
  answer to a callback query.

Refused although Telegram accepts them, where Telegram silently shows less than was sent or the
Bot API documents a limit; these answers end in "(sandbox limit)":
- more than 100 entities, nested ones included, in a text or caption (Telegram drops the
  formatting after the 100th);
- an empty button text (Telegram drops the button), more than 8 inline buttons in a row, more than
  12 reply keyboard buttons in a row or 300 in all (Telegram cuts them);
- an input field placeholder over 64 characters; a media group of one item (documented as 2-10).

Not checked: the total size of a keyboard (about 10 kB), the total length of entity URLs, the
entities Telegram adds by itself (links, mentions and /commands in the bot's text), Markdown, and
photos sent by URL (the sandbox does not fetch them).
"""

from __future__ import annotations

from bot.sandbox.errors import ApiError, bad_request

MAX_TEXT = 4096
MAX_CAPTION = 1024
MAX_ENTITIES = 100
MAX_INLINE_BUTTONS = 100
MAX_INLINE_ROW = 8
MAX_REPLY_BUTTONS = 300
MAX_REPLY_ROW = 12
MAX_CALLBACK_DATA = 64
MAX_PLACEHOLDER = 64
MAX_PHOTO_BYTES = 10 * 1024 * 1024
MAX_PHOTO_SIDES = 10_000
MAX_PHOTO_RATIO = 20
MAX_UPLOAD_BYTES = 50 * 1024 * 1024
MEDIA_GROUP_SIZES = range(2, 11)
MAX_COMMANDS = 100
MAX_COMMAND = 32
MAX_COMMAND_DESCRIPTION = 256


def stricter(detail: str) -> ApiError:
    """A 400 for a limit Telegram degrades silently; the sandbox refuses it and says so."""
    return bad_request(f"{detail} (sandbox limit)")
