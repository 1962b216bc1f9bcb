"""Every model, imported in one place for Alembic and the test suite."""

from tracker.audit.models import AuditEvent  # noqa: F401
from tracker.auth.models import LoginAttempt, PasswordResetToken, Role, User, WorkstreamEditor  # noqa: F401
from tracker.history.models import ChangeRecord  # noqa: F401
from tracker.kpis.models import Kpi, KpiTarget, KpiValue, KpiValueHistory  # noqa: F401
from tracker.people.models import Person  # noqa: F401
from tracker.programme.models import Action, Programme, Project, ProjectAmbition, Workstream  # noqa: F401
