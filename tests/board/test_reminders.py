"""Reminders, sent to a real SMTP server the test starts on this machine (aiosmtpd)."""

from __future__ import annotations

import socket
from datetime import date, timedelta
from email import message_from_bytes, policy
from email.message import EmailMessage

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import func, select

from tests.conftest import TODAY, make_test_config
from tests.factories import make_action, make_person, make_programme, make_project, make_user, make_workstream
from tracker.auth.models import User
from tracker.board.models import ReminderSent, RoundScope
from tracker.board.rounds import open_round
from tracker.extensions import db
from tracker.programme.models import BoardMeeting
from tracker.programme.status import Status

BASE_URL = "https://tracker.example.gov.uk"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Collector:
    """An aiosmtpd handler keeping every message it is given."""

    def __init__(self) -> None:
        self.messages: list[tuple[list[str], EmailMessage]] = []

    async def handle_DATA(self, _server, _session, envelope):  # aiosmtpd's hook name
        parsed = message_from_bytes(envelope.original_content or envelope.content, policy=policy.default)
        self.messages.append((list(envelope.rcpt_tos), parsed))
        return "250 Message accepted for delivery"


@pytest.fixture
def smtp_server():
    collector = Collector()
    controller = Controller(collector, hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        yield controller, collector
    finally:
        controller.stop()


@pytest.fixture
def app_config(database_url, smtp_server):
    controller, _collector = smtp_server
    return make_test_config(
        database_url,
        MAIL_SERVER="127.0.0.1",
        MAIL_PORT=controller.port,
        MAIL_USE_TLS=False,
        MAIL_DEFAULT_SENDER="Programme office <pmo@council.example.gov.uk>",
        SERVER_BASE_URL=BASE_URL,
    )


@pytest.fixture
def received(smtp_server) -> Collector:
    return smtp_server[1]


@pytest.fixture
def world(app):
    """A round for the board on 10 December (updates by 3 December) in which three leads owe updates.

    Alex (own address) owes 4 items; Blake has no address of their own but an account with one, and
    an overdue action; Casey has no address at all; Dana owes nothing. Another programme has a lead too.
    """
    programme = make_programme(name="Children's improvement programme")
    alex = make_person(name="Alex Lead", email="alex@council.example.gov.uk")
    blake = make_person(name="Blake Lead")
    make_user("lead", person=blake, name="Blake Lead", email="blake.account@council.example.gov.uk")
    casey = make_person(name="Casey Lead")
    dana = make_person(name="Dana Lead", email="dana@council.example.gov.uk")
    workstream = make_workstream("W")
    alex_project = make_project(workstream, "P1", lead=alex, title="Early help <front door>")
    for n in range(1, 4):
        make_action(alex_project, f"P1.{n}", lead=alex)
    blakes = make_project(workstream, "P2", lead=blake, status=Status.GREEN)
    make_action(blakes, "P2.1", lead=blake, deadline=date(2026, 11, 1), title="Recruit advocates")  # overdue
    make_action(make_project(workstream, "P3", lead=casey, status=Status.GREEN), "P3.1", lead=casey)
    make_action(make_project(workstream, "P4", lead=dana, status=Status.GREEN), "P4.1", lead=dana, status=Status.BLUE)
    meeting = BoardMeeting(programme=programme, meets_on=date(2026, 12, 10), update_deadline=date(2026, 12, 3))
    db.session.add(meeting)
    db.session.flush()
    open_round(make_user("admin"), meeting, RoundScope.OPEN, TODAY)
    db.session.commit()
    return {"programme": programme}


def by_recipient(collector: Collector) -> dict[str, EmailMessage]:
    return {recipients[0]: message for recipients, message in collector.messages}


def parts(message: EmailMessage) -> tuple[str, str]:
    plain = message.get_body(preferencelist=("plain",))
    html = message.get_body(preferencelist=("html",))
    assert plain is not None and html is not None
    return plain.get_content(), html.get_content()


def test_each_lead_who_owes_updates_gets_one_message_with_plain_and_html_parts(world, runner, received):
    result = runner.invoke(args=["reminders", "send"])
    assert result.exit_code == 0, result.output

    messages = by_recipient(received)
    assert set(messages) == {"alex@council.example.gov.uk", "blake.account@council.example.gov.uk"}
    alex = messages["alex@council.example.gov.uk"]
    assert (
        str(alex["Subject"]).strip()
        == "Children's improvement programme: your 4 items are due for update by 3 December"
    )
    assert alex["From"] == "Programme office <pmo@council.example.gov.uk>"
    assert alex["To"] == "Alex Lead <alex@council.example.gov.uk>"
    text, html = parts(alex)
    assert "Dear Alex Lead" in text and "by 3 December 2026" in text and "meets on 10 December 2026" in text
    for ref in ("P1", "P1.1", "P1.2", "P1.3"):
        assert f" {ref}: " in text
    assert f"{BASE_URL}/p/test/projects/p1" in text.lower() and f"{BASE_URL}/p/test/actions/" in text
    assert f"{BASE_URL}/p/test/my-actions" in text
    assert '<a href="https://tracker.example.gov.uk/p/test/actions/' in html
    assert "Early help &lt;front door&gt;" in html and "Early help <front door>" in text  # escaped in HTML only
    # Blake owes an update on an overdue action, so gets both kinds, each as a message of its own.
    blakes = [
        message for recipients, message in received.messages if recipients == ["blake.account@council.example.gov.uk"]
    ]
    subjects = sorted(str(message["Subject"]).strip() for message in blakes)
    assert subjects == [
        "Children's improvement programme: 1 item you lead is past the deadline",
        "Children's improvement programme: your 1 item is due for update by 3 December",
    ]
    rows = db.session.execute(
        select(ReminderSent.kind, ReminderSent.email, ReminderSent.item_count, ReminderSent.sent_on)
    )
    assert sorted(rows) == [
        ("overdue", "blake.account@council.example.gov.uk", 1, TODAY),
        ("round", "alex@council.example.gov.uk", 4, TODAY),
        ("round", "blake.account@council.example.gov.uk", 1, TODAY),
    ]


def test_the_overdue_reminder_lists_the_overdue_items_with_links(world, runner, received):
    assert runner.invoke(args=["reminders", "send", "--programme", "test"]).exit_code == 0
    overdue = next(message for _to, message in received.messages if "past the deadline" in str(message["Subject"]))
    text, html = parts(overdue)
    assert "Action P2.1: Recruit advocates (deadline 1 November 2026)" in text
    assert f"{BASE_URL}/p/test/actions/p2.1\r\n" in text or f"{BASE_URL}/p/test/actions/p2.1\n" in text
    assert "passed its deadline" in html and 'href="https://tracker.example.gov.uk/p/test/actions/' in html


def test_a_second_run_the_same_day_sends_nothing_and_the_next_day_sends_again(world, runner, received, app):
    assert runner.invoke(args=["reminders", "send"]).exit_code == 0
    assert len(received.messages) == 3
    again = runner.invoke(args=["reminders", "send"])
    assert again.exit_code == 0, again.output
    assert len(received.messages) == 3
    assert "0 sent, 3 already sent today" in again.output
    assert db.session.scalar(select(func.count()).select_from(ReminderSent)) == 3

    app.config["FIXED_TODAY"] = TODAY + timedelta(days=1)
    assert runner.invoke(args=["reminders", "send"]).exit_code == 0
    assert len(received.messages) == 6


def test_a_dry_run_prints_what_it_would_send_and_sends_and_writes_nothing(world, runner, received):
    result = runner.invoke(args=["reminders", "send", "--dry-run"])
    assert result.exit_code == 0, result.output
    assert (
        "would send: Alex Lead <alex@council.example.gov.uk>: Children's improvement programme: your 4 items"
        in result.output
    )
    assert "3 would be sent" in result.output
    assert received.messages == []
    assert db.session.scalar(select(func.count()).select_from(ReminderSent)) == 0


def test_a_lead_without_an_email_address_is_reported_and_the_others_are_sent(world, runner, received):
    result = runner.invoke(args=["reminders", "send"])
    assert result.exit_code == 0
    assert "1 without an e-mail address" in result.output
    assert "No e-mail address for Casey Lead" in result.output
    assert len(received.messages) == 3
    assert db.session.scalar(select(func.count()).select_from(ReminderSent).where(ReminderSent.email == "")) == 0


def test_once_a_lead_has_updated_they_are_not_chased(world, runner, received, signed_in_client):
    client = signed_in_client(db.session.scalar(select(User).where(User.name == "Blake Lead")))
    form = {
        "status": "amber",
        "progress_note": "Recruiting.",
        "version": "1",
        "deadline": ["31", "12", "2026"],
        "deadline_reason": "Interviews moved.",
    }
    assert client.post("/p/test/actions/P2.1/update", data=form).status_code == 302
    assert runner.invoke(args=["reminders", "send"]).exit_code == 0
    assert set(by_recipient(received)) == {"alex@council.example.gov.uk"}  # Blake's one item is updated and on time


def test_an_unreachable_server_is_reported_and_nothing_is_recorded(world, runner, received, app):
    app.config["MAIL_PORT"] = free_port()  # nothing listens there
    result = runner.invoke(args=["reminders", "send"])
    assert result.exit_code == 1
    assert "3 failed" in result.output
    assert db.session.scalar(select(func.count()).select_from(ReminderSent)) == 0


def test_no_round_and_nothing_overdue_sends_nothing(app, runner, received):
    make_programme()
    db.session.commit()
    result = runner.invoke(args=["reminders", "send"])
    assert result.exit_code == 0 and "0 sent" in result.output and received.messages == []
