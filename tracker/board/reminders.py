"""Reminders by e-mail: to each lead who still owes updates in the current round, and to leads with overdue items.

One message per lead and kind ("round": items not updated since the round opened; "overdue":
actions and projects whose deadline has passed, as ``programme.models.ActionTiming`` judges it). A
``ReminderSent`` row, unique per programme, person, kind and day, is written in the same transaction
as each message is sent, so running the command twice in a day (or two runs at once) sends nothing
twice. Leads without an e-mail address are reported, not failed on. A dry run reads only.
"""

from __future__ import annotations

import smtplib
from collections.abc import Callable
from contextlib import ExitStack
from dataclasses import dataclass, field
from datetime import date
from email.message import EmailMessage
from typing import Any
from urllib.parse import urlsplit

from flask import current_app, render_template
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from tracker.auth.models import User
from tracker.board.mail import MailSettings, build_message, smtp_connection
from tracker.board.models import ReminderSent
from tracker.board.round_queries import current_round, round_status
from tracker.core.templating import plural
from tracker.extensions import db
from tracker.people.models import Person
from tracker.programme.models import Action, ActionTiming, Programme, Project

ROUND = "round"
OVERDUE = "overdue"
KINDS = (ROUND, OVERDUE)


def short_date(day: date) -> str:
    """10 March: the day and month, as the subject line says it."""
    return f"{day.day} {day.strftime('%B')}"


@dataclass(frozen=True)
class ReminderItem:
    """One item named in a reminder, with the absolute link to its page."""

    kind: str  # "Action" or "Project"
    ref: str
    title: str
    due: date | None
    url: str


@dataclass
class Reminder:
    """One message to one lead of one programme: its kind and the items it lists."""

    programme: Programme
    kind: str
    person_id: int
    name: str
    email: str | None
    items: list[ReminderItem]
    today: date
    round_id: int | None = None
    due_by: date | None = None  # the round's update deadline
    meets_on: date | None = None
    my_actions_url: str = ""

    @property
    def subject(self) -> str:
        count = len(self.items)
        if self.kind == ROUND and self.due_by is not None:
            verb = "are" if count != 1 else "is"
            if self.due_by < self.today:
                verb = "were" if count != 1 else "was"
            owed = f"your {plural(count, 'item')} {verb} due for update by {short_date(self.due_by)}"
            return f"{self.programme.name}: {owed}"
        return (
            f"{self.programme.name}: {plural(count, 'item')} you lead {'is' if count == 1 else 'are'} past the deadline"
        )

    def describe(self) -> str:
        """One line for the command's report."""
        return f"{self.name} <{self.email or 'no e-mail address'}>: {self.subject}"

    def render(self) -> tuple[str, str]:
        """Return the plain-text and HTML bodies."""
        context: dict[str, Any] = {"reminder": self, "short_date": short_date}
        return (
            render_template(f"board/email/{self.kind}.txt", **context),
            render_template(f"board/email/{self.kind}.html", **context),
        )

    def message(self, sender: str) -> EmailMessage:
        text, html = self.render()
        return build_message(sender, f"{self.name} <{self.email}>", self.subject, text, html)


@dataclass
class ReminderRun:
    """What a run did (or, in a dry run, would do)."""

    dry_run: bool
    sent: list[Reminder] = field(default_factory=list)
    already_sent: list[Reminder] = field(default_factory=list)
    no_email: list[Reminder] = field(default_factory=list)
    failed: list[tuple[Reminder, str]] = field(default_factory=list)


class LinkMaker:
    """Absolute links to pages, from SERVER_BASE_URL: no request is needed (the command runs from cron)."""

    def __init__(self, base_url: str):
        parts = urlsplit(base_url.strip() or "http://localhost")
        self.adapter = current_app.url_map.bind(
            parts.netloc or "localhost", script_name=parts.path or "/", url_scheme=parts.scheme or "http"
        )

    def __call__(self, endpoint: str, **values: Any) -> str:
        return self.adapter.build(endpoint, values, force_external=True)


@dataclass(frozen=True)
class _Lead:
    name: str
    email: str | None


def _leads(person_ids: set[int]) -> dict[int, _Lead]:
    """Return each lead's name and address: their own, else that of the active account linked to them."""
    if not person_ids:
        return {}
    rows = db.session.execute(
        select(Person.id, Person.name, Person.email, User.email)
        .outerjoin(User, (User.person_id == Person.id) & User.active.is_(True))
        .where(Person.id.in_(person_ids))
    )
    return {pid: _Lead(name, (own or account or "").strip() or None) for pid, name, own, account in rows}


def _round_reminders(programme: Programme, today: date, link: LinkMaker) -> list[Reminder]:
    update_round = current_round(programme, today)
    if update_round is None:
        return []
    behind = [lead for lead in round_status(update_round).leads if lead.lead_id is not None and lead.not_updated]
    people = _leads({lead.lead_id for lead in behind if lead.lead_id is not None})
    reminders = []
    for lead in behind:
        assert lead.lead_id is not None
        items = [
            ReminderItem(
                item.kind_label,
                item.ref,
                item.title,
                item.due,
                link(item.endpoint, programme=programme.short_name, ref=item.slug),
            )
            for item in lead.not_updated
        ]
        person = people.get(lead.lead_id, _Lead(lead.name, None))
        reminders.append(
            Reminder(
                programme,
                ROUND,
                lead.lead_id,
                person.name,
                person.email,
                items,
                today,
                round_id=update_round.id,
                due_by=update_round.meeting.update_deadline,
                meets_on=update_round.meeting.meets_on,
            )
        )
    return reminders


def _overdue_rows(programme: Programme, today: date) -> list[tuple[int | None, ReminderItem, str]]:
    """(lead id, item, endpoint slug) of every live overdue action and project of the programme: two statements."""
    actions = db.session.execute(
        select(Action.lead_id, Action.ref, Action.slug, Action.title, Action.deadline)
        .join(Project, Action.project_id == Project.id)
        .where(
            Action.programme_id == programme.id,
            Action.lead_id.is_not(None),
            Action.archived_at.is_(None),
            Project.archived_at.is_(None),
            ActionTiming.overdue_clause(today),
        )
        .order_by(Action.deadline, Action.ref_sort)
    )
    projects = db.session.execute(
        select(Project.lead_id, Project.ref, Project.slug, Project.title, Project.target_date)
        .where(
            Project.programme_id == programme.id,
            Project.lead_id.is_not(None),
            Project.archived_at.is_(None),
            ActionTiming.overdue_clause(today, Project.target_date, Project.status),
        )
        .order_by(Project.target_date, Project.ref_sort)
    )
    rows = [(lead, ReminderItem("Project", ref, title, due, ""), slug) for lead, ref, slug, title, due in projects]
    rows += [(lead, ReminderItem("Action", ref, title, due, ""), slug) for lead, ref, slug, title, due in actions]
    return rows


def _overdue_reminders(programme: Programme, today: date, link: LinkMaker) -> list[Reminder]:
    by_lead: dict[int, list[ReminderItem]] = {}
    for lead_id, item, slug in _overdue_rows(programme, today):
        if lead_id is None:
            continue
        endpoint = "programme.action" if item.kind == "Action" else "programme.project"
        url = link(endpoint, programme=programme.short_name, ref=slug)
        by_lead.setdefault(lead_id, []).append(ReminderItem(item.kind, item.ref, item.title, item.due, url))
    people = _leads(set(by_lead))
    reminders = [
        Reminder(programme, OVERDUE, lead_id, people[lead_id].name, people[lead_id].email, items, today)
        for lead_id, items in by_lead.items()
        if lead_id in people
    ]
    return sorted(reminders, key=lambda reminder: reminder.name.lower())


def reminders_for(programme: Programme, today: date, base_url: str | None = None) -> list[Reminder]:
    """Return the reminders the programme's leads are due today (before anything already sent is left out)."""
    link = LinkMaker(base_url if base_url is not None else current_app.config.get("SERVER_BASE_URL", ""))
    reminders = _round_reminders(programme, today, link) + _overdue_reminders(programme, today, link)
    for reminder in reminders:
        reminder.my_actions_url = link("updates.my_actions", programme=programme.short_name)
    return reminders


def _sent_today(programmes: list[Programme], today: date) -> set[tuple[int, int, str]]:
    rows = db.session.execute(
        select(ReminderSent.programme_id, ReminderSent.person_id, ReminderSent.kind).where(
            ReminderSent.programme_id.in_([p.id for p in programmes]), ReminderSent.sent_on == today
        )
    )
    return {(programme_id, person_id, kind) for programme_id, person_id, kind in rows}


def send_reminders(
    programmes: list[Programme],
    today: date,
    *,
    dry_run: bool = False,
    settings: MailSettings | None = None,
    on_progress: Callable[[str, Reminder], None] | None = None,
) -> ReminderRun:
    """E-mail every reminder due today and not yet sent today; commits after each message it sends.

    A dry run works out the same messages, sends nothing and writes nothing.
    """
    run = ReminderRun(dry_run=dry_run)
    settings = settings or MailSettings.from_config(current_app.config)
    reminders = [reminder for programme in programmes for reminder in reminders_for(programme, today)]
    done = _sent_today(programmes, today)
    with ExitStack() as stack:
        smtp: smtplib.SMTP | None = None
        unreachable = ""  # why the server could not be reached: every message is then reported as failed
        for reminder in reminders:
            if (reminder.programme.id, reminder.person_id, reminder.kind) in done:
                run.already_sent.append(reminder)
            elif not reminder.email:
                run.no_email.append(reminder)
            elif dry_run:
                run.sent.append(reminder)
            else:
                if smtp is None and not unreachable:
                    try:
                        smtp = stack.enter_context(smtp_connection(settings))
                    except (smtplib.SMTPException, OSError) as error:
                        unreachable = f"could not reach {settings.host}:{settings.port}: {error}"
                if smtp is None:
                    run.failed.append((reminder, unreachable))
                else:
                    _send_one(smtp, settings, reminder, run)
            if on_progress is not None:
                on_progress(_outcome_of(run, reminder), reminder)
    return run


def _outcome_of(run: ReminderRun, reminder: Reminder) -> str:
    if reminder in run.already_sent:
        return "already sent today"
    if reminder in run.no_email:
        return "no e-mail address"
    if any(failed is reminder for failed, _ in run.failed):
        return "failed"
    return "would send" if run.dry_run else "sent"


def _send_one(smtp: smtplib.SMTP, settings: MailSettings, reminder: Reminder, run: ReminderRun) -> None:
    """Claim the day's slot, send, commit; a slot taken by a concurrent run means it was sent already."""
    assert reminder.email is not None
    record = ReminderSent(
        programme_id=reminder.programme.id,
        person_id=reminder.person_id,
        round_id=reminder.round_id,
        kind=reminder.kind,
        sent_on=reminder.today,
        email=reminder.email[:254],
        item_count=len(reminder.items),
    )
    try:
        with db.session.begin_nested():
            db.session.add(record)
            db.session.flush()
            smtp.send_message(reminder.message(settings.sender))
    except IntegrityError:
        run.already_sent.append(reminder)
        return
    except (smtplib.SMTPException, OSError) as error:
        run.failed.append((reminder, str(error) or type(error).__name__))
        return
    db.session.commit()
    run.sent.append(reminder)
