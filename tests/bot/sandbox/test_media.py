"""Photos, media groups and media edits are checked the way Telegram checks them, over real HTTP."""

from __future__ import annotations

import httpx
import pytest
from telegram import Bot, InputMediaDocument, InputMediaPhoto
from telegram.error import BadRequest

from bot.sandbox import SandboxServer
from tests.bot.sandbox.images import png

ALICE = 42
TEN_MB = 10 * 1024 * 1024


async def test_an_oversized_photo_is_refused(bot: Bot, sandbox: SandboxServer) -> None:
    await bot.send_photo(ALICE, png(800, 600, pad_to=TEN_MB))
    with pytest.raises(
        BadRequest,
        match=r"(?i)file of size 10485761 bytes is too big for a photo; "
        r"the maximum size is 10485760 bytes",
    ):
        await bot.send_photo(ALICE, png(800, 600, pad_to=TEN_MB + 1))
    assert len(sandbox.messages(ALICE)) == 1
    # The same bytes go as a document, up to 50 MB.
    sent = await bot.send_document(ALICE, png(800, 600, pad_to=TEN_MB + 1), filename="chart.png")
    assert sent.document is not None
    assert sent.document.file_size == TEN_MB + 1


@pytest.mark.parametrize(
    ("width", "height"),
    [(9001, 1000), (5000, 5001), (2100, 100), (100, 2001), (1, 21)],
)
async def test_photo_dimensions_past_telegrams_limits(bot: Bot, width: int, height: int) -> None:
    with pytest.raises(BadRequest, match=r"(?i)PHOTO_INVALID_DIMENSIONS"):
        await bot.send_photo(ALICE, png(width, height))


async def test_photo_dimensions_at_the_limits(bot: Bot) -> None:
    for width, height in [(9000, 1000), (5000, 5000), (2000, 100), (1, 20)]:
        sent = await bot.send_photo(ALICE, png(width, height))
        assert (sent.photo[-1].width, sent.photo[-1].height) == (width, height)


async def test_a_photo_must_decode(bot: Bot) -> None:
    whole = png(300, 200)
    for broken in (b"\x89PNG\r\n\x1a\n" + b"\0" * 64, whole[: len(whole) // 2], b"not an image"):
        with pytest.raises(BadRequest, match=r"(?i)IMAGE_PROCESS_FAILED"):
            await bot.send_photo(ALICE, broken)


async def test_file_ids_keep_their_kind(bot: Bot) -> None:
    document = await bot.send_document(ALICE, b"a,b\n", filename="a.csv")
    assert document.document is not None
    with pytest.raises(BadRequest, match=r"(?i)type of file mismatch"):
        await bot.send_photo(ALICE, document.document.file_id)
    photo = await bot.send_photo(ALICE, png(20, 20))
    again = await bot.send_photo(ALICE, photo.photo[-1].file_id)
    assert again.photo[-1].file_id == photo.photo[-1].file_id
    with pytest.raises(BadRequest, match=r"(?i)file must be non-empty"):
        await bot.send_document(ALICE, b"", filename="empty.txt")


async def test_uploads_over_50_mb_are_too_large(sandbox: SandboxServer) -> None:
    async with httpx.AsyncClient(base_url=sandbox.base_url + sandbox.token) as client:
        answer = await client.post(
            "/sendDocument",
            data={"chat_id": str(ALICE)},
            files={"document": ("big.bin", b"\0" * (50 * 1024 * 1024 + 1))},
        )
    assert (answer.status_code, answer.json()["description"]) == (413, "Request Entity Too Large")


async def test_a_media_group_of_pages(bot: Bot, sandbox: SandboxServer) -> None:
    pages = [InputMediaPhoto(png(1280, 900 + n), caption=f"第 {n + 1} 页") for n in range(3)]
    sent = await bot.send_media_group(ALICE, pages)
    assert [m.caption for m in sent] == ["第 1 页", "第 2 页", "第 3 页"]
    assert len({m.media_group_id for m in sent}) == 1
    assert sent[0].media_group_id is not None
    stored = sandbox.messages(ALICE)
    assert [m.photo.height for m in stored if m.photo] == [900, 901, 902]
    files = [InputMediaDocument(b"x", filename=f"{n}.xlsx") for n in range(2)]
    assert len(await bot.send_media_group(ALICE, files)) == 2


async def test_media_group_sizes_and_contents(bot: Bot, sandbox: SandboxServer) -> None:
    def photos(count: int) -> list[InputMediaPhoto]:
        return [InputMediaPhoto(png(50, 50)) for _ in range(count)]

    await bot.send_media_group(ALICE, photos(10))
    with pytest.raises(BadRequest, match=r"(?i)too many messages to send as an album"):
        await bot.send_media_group(ALICE, photos(11))
    with pytest.raises(BadRequest, match=r"(?i)2-10 items.*\(sandbox limit\)"):
        await bot.send_media_group(ALICE, photos(1))
    async with httpx.AsyncClient(base_url=sandbox.base_url + sandbox.token) as client:
        empty = await client.post("/sendMediaGroup", json={"chat_id": ALICE, "media": []})
    assert empty.json()["description"] == "Bad Request: there are no messages to send"
    mixed = [*photos(1), InputMediaDocument(b"x", filename="a.csv")]
    with pytest.raises(BadRequest, match=r"(?i)document can't be mixed"):
        await bot.send_media_group(ALICE, mixed)
    with pytest.raises(BadRequest, match=r"(?i)PHOTO_INVALID_DIMENSIONS"):
        await bot.send_media_group(ALICE, [*photos(1), InputMediaPhoto(png(9000, 1001))])
    with pytest.raises(BadRequest, match=r"(?i)message caption is too long"):
        await bot.send_media_group(ALICE, [*photos(1), InputMediaPhoto(png(9, 9), "x" * 1025)])
    assert len(sandbox.messages(ALICE)) == 10


async def test_edit_message_media(bot: Bot, sandbox: SandboxServer) -> None:
    chart = await bot.send_photo(ALICE, png(640, 480), caption="本周")
    edited = await bot.edit_message_media(
        InputMediaPhoto(png(1280, 960), caption="本周（更新）"), ALICE, chart.message_id
    )
    assert not isinstance(edited, bool)
    assert (edited.photo[-1].width, edited.caption) == (1280, "本周（更新）")
    assert sandbox.last_message(ALICE).history == ("本周",)
    same = InputMediaPhoto(edited.photo[-1].file_id, caption="本周（更新）")
    with pytest.raises(BadRequest, match=r"(?i)message is not modified"):
        await bot.edit_message_media(same, ALICE, chart.message_id)
    with pytest.raises(BadRequest, match=r"(?i)PHOTO_INVALID_DIMENSIONS"):
        await bot.edit_message_media(InputMediaPhoto(png(100, 2500)), ALICE, chart.message_id)
    text = await bot.send_message(ALICE, "plain")
    with pytest.raises(BadRequest, match=r"(?i)message media can't be edited"):
        await bot.edit_message_media(InputMediaPhoto(png(10, 10)), ALICE, text.message_id)
    with pytest.raises(BadRequest, match=r"(?i)there is no text in the message to edit"):
        await bot.edit_message_text("text", ALICE, chart.message_id)
