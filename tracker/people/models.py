"""People who lead items. A person need not have a login: real plans name leads by job title."""

from __future__ import annotations

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from tracker.extensions import Model


class Person(Model):
    """Someone who leads items; leads in real plans are often role titles. A login is optional."""

    __tablename__ = "person"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    job_title: Mapped[str] = mapped_column(String(200), default="")
    email: Mapped[str | None] = mapped_column(String(254), unique=True)

    def __repr__(self) -> str:
        return f"<Person {self.name!r}>"
