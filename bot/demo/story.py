"""The demo's script: a coordinator and three ministries working the bundled plan for weeks."""

from __future__ import annotations

import asyncio
import datetime as dt
import re
import shlex
import zoneinfo
from contextlib import AsyncExitStack
from dataclasses import dataclass
from pathlib import Path

import httpx
from pydantic import SecretStr
from rich.console import Console

from bot.database import open_database
from bot.delivery.pacing import Pacer
from bot.demo.transcript import Transcript
from bot.i18n import N_, tr
from bot.render import fmt_date
from bot.runtime import Runtime
from bot.sandbox import ChatMessage, SandboxServer
from bot.sandbox.driver import BotDriver, Clock, VirtualTime, running_bot
from bot.settings import Settings
from bot.web.app import build_web_app, module_routes, serve
from workflows.holiday_calendar import load_calendar
from workflows.importing.service import bundled_annex, import_annex
from workflows.invites import create_invite
from workflows.rehearsal import shift_plan_dates
from workflows.workdays import WorkingCalendar

PLAN = "gf-2015-5"
TIMEZONE = "Asia/Shanghai"
FIRST_YEAR_END = dt.date(2015, 12, 31)  # the annex's first deadline (task 12, every checkpoint)
DAYS_TO_FIRST_DEADLINE = 9
REMINDER_OFFSETS = [7, 1]
BOSS, MOST, MIIT, NDRC = 1001, 2001, 2002, 2003
START_CODE = re.compile(r"\?start=([A-Za-z0-9_-]+)")


@dataclass(frozen=True)
class Person:
    """Somebody in the story: Telegram id, name per language, where they work, and agency."""

    user_id: int
    name_zh: str
    name_en: str
    office_zh: str
    office_en: str
    agency: str | None

    def name(self, language: str) -> str:
        """The person's name in the demo's language."""
        return self.name_zh if language == "zh" else self.name_en

    def label(self, language: str) -> str:
        """The name with the office, for the transcript."""
        if language == "zh":
            return f"{self.name_zh}（{self.office_zh}）"
        return f"{self.name_en} ({self.office_en})"


CAST = (
    Person(BOSS, "王主任", "Director Wang", "督查室", "supervision office", None),
    Person(MOST, "李明", "Li Ming", "科技部", "MOST", "科技部"),
    Person(MIIT, "张华", "Zhang Hua", "工业和信息化部", "MIIT", "工业和信息化部"),
    Person(NDRC, "赵强", "Zhao Qiang", "发展改革委", "NDRC", "发展改革委"),
)


@dataclass(frozen=True)
class DemoResult:
    """What the demo leaves behind, and how much the bot said."""

    directory: Path
    database: Path
    chart: Path | None
    feed_file: Path | None
    feed_url: str | None
    bot_messages: int
    lines: tuple[str, ...]


class Story:
    """The scripted weeks, acted through the real bot; each step prints as it happens."""

    def __init__(self, driver: BotDriver, transcript: Transcript, language: str) -> None:
        self.driver = driver
        self.transcript = transcript
        self.language = language
        self.zone = zoneinfo.ZoneInfo(TIMEZONE)

    def _(self, message: str, **params: object) -> str:
        return tr(self.language, message, **params)

    def at(self, day: dt.date, hour: int, minute: int = 0) -> None:
        """Move the clock to a local time of a day."""
        moment = dt.datetime.combine(day, dt.time(hour, minute), tzinfo=self.zone)
        self.driver.clock.current = moment.astimezone(dt.UTC)

    async def say(self, user_id: int, text: str) -> list[ChatMessage]:
        """A person sends a message; the bot's answers print."""
        self.transcript.action(self.driver.clock(), user_id, text)
        answers = await self.driver.send(user_id, text)
        self.transcript.flush()
        return answers

    async def answer(self, user_id: int, message: ChatMessage, text: str) -> list[ChatMessage]:
        """A person replies to one of the bot's messages."""
        self.transcript.action(self.driver.clock(), user_id, f"↩ {text}")
        answers = await self.driver.reply(user_id, message.message_id, text)
        self.transcript.flush()
        return answers

    def pick(self, zh: str, en: str) -> str:
        """A button label in the members' language."""
        return zh if self.language == "zh" else en

    async def tap(
        self, user_id: int, message: ChatMessage, label: str, *, quiet: bool = False
    ) -> ChatMessage:
        """A person presses the first button whose label contains `label`; returns the message."""
        current = self._current(user_id, message.message_id)
        found = next(
            ((text, target) for row in current.buttons for text, target in row if label in text),
            None,
        )
        if found is None:
            labels = [text for row in current.buttons for text, _ in row]
            raise RuntimeError(f"no button {label!r} on the message; it has {labels}")
        if not quiet:
            self.transcript.action(self.driver.clock(), user_id, f"[{found[0]}]")
        await self.driver.press(user_id, message.message_id, found[1])
        if quiet:
            self.transcript.skip()
        else:
            self.transcript.flush()
        return self._current(user_id, message.message_id)

    def has_button(self, chat_id: int, message: ChatMessage, label: str) -> bool:
        """Whether a message (as it stands now) still has a button with `label`."""
        current = self._current(chat_id, message.message_id)
        return any(label in text for row in current.buttons for text, _ in row)

    def _current(self, chat_id: int, message_id: int) -> ChatMessage:
        return next(m for m in self.driver.sandbox.messages(chat_id) if m.message_id == message_id)

    def newest(self, chat_id: int, containing: str) -> ChatMessage:
        """The bot's newest message in a chat whose text or caption contains a phrase."""
        for message in reversed(self.driver.sandbox.messages(chat_id)):
            if containing in (message.text or message.caption or ""):
                return message
        raise RuntimeError(f"no message with {containing!r} in chat {chat_id}")

    async def tick(self) -> None:
        """The scheduler's turn: every sweep runs once and the outbox drains."""
        await self.driver.run_jobs()
        self.transcript.flush()

    async def join(self, person: Person) -> None:
        """The coordinator invites an agency; its liaison opens the link and signs for all."""
        assert person.agency is not None
        [invite] = await self.say(BOSS, f"/invite {person.agency}")
        found = START_CODE.search(invite.text or "")
        assert found is not None, invite.text
        notices = await self.say(person.user_id, f"/start {found[1]}")
        ack = self.pick("签收", "Acknowledge")
        signed = 0
        for notice in notices:
            while self.has_button(person.user_id, notice, ack):
                await self.tap(person.user_id, notice, ack, quiet=True)
                signed += 1
        self.transcript.action(
            self.driver.clock(),
            person.user_id,
            tr(self.language, "[{ack}] × {count}", ack=ack, count=signed),
        )

    async def report(self, person: Person, number: int, status: str, percent: str) -> None:
        """A liaison opens a task from /mytasks and reports with the buttons."""
        [listing] = await self.say(person.user_id, "/mytasks")
        card_message = await self._open_task(person.user_id, listing, number)
        await self.tap(person.user_id, card_message, status)
        if percent:
            await self.tap(person.user_id, card_message, percent)

    async def _open_task(self, user_id: int, listing: ChatMessage, number: int) -> ChatMessage:
        before = len(self.driver.sandbox.messages(user_id))
        label = next(
            text for row in listing.buttons for text, _ in row if re.match(rf"\D*{number}\b", text)
        )
        await self.tap(user_id, listing, label)
        return self.driver.sandbox.messages(user_id)[before]


async def play(directory: Path, *, language: str, console: Console, now: dt.datetime) -> DemoResult:
    """Run the whole demo in `directory`, starting on the working day of `now`; say what's left."""
    zone = zoneinfo.ZoneInfo(TIMEZONE)
    async with SandboxServer() as sandbox, AsyncExitStack() as stack:
        settings = Settings(
            data_dir=directory,
            database_url=None,
            timezone=TIMEZONE,
            telegram_token=SecretStr(sandbox.token),
            telegram_api_url=sandbox.url,
            telegram_proxy=None,  # the sandbox is local, whatever the environment says
            reminder_offsets=REMINDER_OFFSETS,
        )
        for person in CAST:
            sandbox.add_user(
                person.user_id,
                person.name(language),
                language_code="zh-hans" if language == "zh" else "en",
            )
        names = {person.user_id: person.label(language) for person in CAST}
        transcript = Transcript(
            console, sandbox, names, zone, more_label=tr(language, "… and {count} more like it")
        )
        sessions = await stack.enter_async_context(open_database(settings))
        async with sessions() as session:
            calendar = await load_calendar(session)
        start = calendar.next_working_day(now.astimezone(zone).date())
        deadline = start + dt.timedelta(days=DAYS_TO_FIRST_DEADLINE)
        shift = (deadline - FIRST_YEAR_END).days
        clock = Clock(dt.datetime.combine(start, dt.time(9, 0), tzinfo=zone).astimezone(dt.UTC))
        web = Runtime(settings=settings, sessions=sessions, clock=clock)
        port = await stack.enter_async_context(
            serve(build_web_app(web, routes=module_routes(web)), host="127.0.0.1", port=0)
        )
        settings = settings.model_copy(update={"public_base_url": f"http://127.0.0.1:{port}"})
        async with sessions() as session:
            await import_annex(
                session=session,
                data=bundled_annex(PLAN),
                now=clock(),
                timezone=TIMEZONE,
                plan_code=PLAN,
            )
        async with sessions() as session:
            await shift_plan_dates(session, plan_code=PLAN, days=shift, now=clock())
        transcript.narrate(
            tr(
                language,
                "The bundled plan 国发〔2015〕5号 is imported with every date moved {days} "
                "days later, so its first deadline (task 12, and every year-end checkpoint) "
                "falls on {deadline}. Reminders go {offsets} days before each date.",
                days=shift,
                deadline=fmt_date(deadline, language),
                offsets=", ".join(str(o) for o in REMINDER_OFFSETS),
            )
        )
        virtual = VirtualTime()
        pacer = Pacer(clock=virtual, sleep=virtual.sleep)
        async with running_bot(
            settings, sessions, clock, sandbox=sandbox, kind=BotDriver, pacer=pacer
        ) as bot:
            story = Story(bot, transcript, language)
            await _weeks(story, calendar, start, deadline)
            feed_url = await _subscribe(story, directory / "plan.ics")
        sent = len(sandbox.calls("sendMessage")) + len(sandbox.calls("sendPhoto"))
        chart = _save_chart(sandbox, directory / "chart.png")
    database = directory / "annexbot.sqlite3"
    feed_file = directory / "plan.ics"
    return DemoResult(
        directory,
        database,
        chart,
        feed_file if feed_file.exists() else None,
        feed_url,
        sent,
        tuple(transcript.lines),
    )


FEED_LINK = re.compile(r"http://127\.0\.0\.1:\d+/feeds/[A-Za-z0-9_-]+\.ics")


async def _subscribe(story: Story, target: Path) -> str | None:
    """The coordinator asks for the plan's calendar link; a calendar app fetches it twice."""
    _ = story._
    story.transcript.narrate(_("The coordinator subscribes to the plan's calendar."))
    answers = await story.say(BOSS, "/calendar")
    found = next(
        (FEED_LINK.search(m.text or "") for m in answers if FEED_LINK.search(m.text or "")), None
    )
    if found is None:
        return None
    url = found[0]
    async with httpx.AsyncClient() as client:
        first = await client.get(url)
        again = await client.get(url, headers={"If-None-Match": first.headers.get("ETag", "")})
    await asyncio.to_thread(target.write_bytes, first.content)
    story.transcript.narrate(
        _(
            "A calendar app fetching it gets {events} events (HTTP {status}); "
            "asking again with its ETag gets HTTP {again}.",
            events=first.content.count(b"BEGIN:VEVENT"),
            status=first.status_code,
            again=again.status_code,
        )
    )
    return url


def _save_chart(sandbox: SandboxServer, target: Path) -> Path | None:
    """Keep the chart the coordinator got with the digest, as the file it was sent as."""
    for message in reversed(sandbox.messages(BOSS)):
        if message.photo is not None and message.photo.data:
            target.write_bytes(message.photo.data)
            return target
    return None


async def _weeks(
    story: Story, calendar: WorkingCalendar, start: dt.date, deadline: dt.date
) -> None:
    """The scripted days, from the invitations to the Monday digest after the escalation."""
    _ = story._
    transcript = story.transcript
    boss, most, miit, _ndrc = CAST
    extension_day = calendar.add_working_days(start, 3)
    done_day = calendar.add_working_days(start, 5)
    first_nudge_day = calendar.add_working_days(deadline, 1)
    answer_day = calendar.add_working_days(deadline, 4)  # the day after the coordinators heard
    digest_day = answer_day + dt.timedelta(days=7 - answer_day.weekday())
    day = start
    while day <= digest_day:
        transcript.day(f"{fmt_date(day, story.language)} · {_(WEEKDAYS[day.weekday()])}")
        if day == first_nudge_day:
            transcript.narrate(_("Task 12 (MIIT) passed its deadline with no report."))
        if day == digest_day:
            transcript.narrate(_("Monday 09:00: the weekly digest goes out."))
        story.at(day, 9, 5)
        await story.tick()
        story.at(day, 10, 0)
        if day == start:
            await _first_day(story, deadline)
        elif day == extension_day:
            transcript.narrate(_("MOST asks for more time on task 4; the coordinator approves."))
            await story.say(
                most.user_id,
                f"/extend 4 {(deadline + dt.timedelta(days=30)).isoformat()} "
                + _("waiting for the pilot's evaluation"),
            )
            request = story.newest(boss.user_id, "4")
            await story.tap(boss.user_id, request, story.pick("批准", "Approve"))
        elif day == done_day:
            transcript.narrate(_("MOST reports task 3 done; the coordinator closes it."))
            await story.report(most, 3, story.pick("已完成", "Done"), "")
            notice = story.newest(boss.user_id, "3")
            await story.tap(boss.user_id, notice, story.pick("办结", "Close"))
        elif day == answer_day:
            transcript.narrate(_("After the escalation, MIIT reports task 12 at risk."))
            await story.report(miit, 12, story.pick("存在风险", "At risk"), "75%")
            card = story.newest(miit.user_id, "75%")
            await story.answer(miit.user_id, card, _("Waiting for the inter-ministry sign-off."))
        day += dt.timedelta(days=1)


async def _first_day(story: Story, deadline: dt.date) -> None:
    """Day one: the first coordinator, the invitations, a report and a date brought forward."""
    _ = story._
    transcript = story.transcript
    boss, most, miit, ndrc = CAST
    transcript.narrate(
        _("The operator makes the first coordinator: annexbot invite --coordinator.")
    )
    async with story.driver.runtime.session() as session:
        invite = await create_invite(
            session=session, by_telegram_id=None, now=story.driver.clock(), coordinator=True
        )
    await story.say(boss.user_id, f"/start {invite.code}")
    transcript.narrate(_("The coordinator invites three ministries; each liaison signs."))
    for person in (most, miit, ndrc):
        await story.join(person)
    transcript.narrate(_("MOST reports progress on task 3 with buttons, then adds a note."))
    await story.report(most, 3, story.pick("正常推进", "On track"), "50%")
    card = story.newest(most.user_id, "50%")
    await story.answer(most.user_id, card, _("The pilot plan is drafted."))
    transcript.narrate(_("The coordinator brings task 4's deadline forward."))
    await story.say(
        boss.user_id,
        f"/due 4 {(deadline + dt.timedelta(days=4)).isoformat()} "
        + _("aligned with the annual review"),
    )


WEEKDAYS = (
    N_("Monday"),
    N_("Tuesday"),
    N_("Wednesday"),
    N_("Thursday"),
    N_("Friday"),
    N_("Saturday"),
    N_("Sunday"),
)


def summary(
    console: Console, result: DemoResult, language: str, *, command: str = "annexbot"
) -> None:
    """Where the demo's database, chart and feed are, and how to look at them with `command`."""
    _ = lambda message, **params: tr(language, message, **params)  # noqa: E731
    console.print()
    console.print(_("The bot sent {count} messages.", count=result.bot_messages))
    console.print(_("Database: {path}", path=result.database))
    console.print(
        _(
            "Look around: ANNEXBOT_DATA_DIR={path} {annexbot} tasks",
            path=shlex.quote(str(result.directory)),
            annexbot=command,
        )
    )
    if result.chart is not None:
        console.print(_("Chart: {path}", path=result.chart))
    if result.feed_file is not None:
        console.print(_("Calendar feed: {path}", path=result.feed_file))
    if result.feed_url is not None:
        console.print(_("It was served at {url} during the demo.", url=result.feed_url))
