"""Flask extensions, created unbound so that create_app() can bind them."""

from typing import TYPE_CHECKING

from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect
from sqlalchemy import MetaData
from sqlalchemy.orm import DeclarativeBase

# Named constraints make Alembic migrations reviewable and portable between
# SQLite (batch mode rebuilds tables by constraint name) and PostgreSQL.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


db = SQLAlchemy(model_class=Base)
migrate = Migrate()
login_manager = LoginManager()
csrf = CSRFProtect()

# Models subclass Model. At run time it is Flask-SQLAlchemy's db.Model (bound to the app's
# session); the type checker cannot see through that attribute, so it is shown the declarative
# base db.Model is built from, which has the same columns, metadata and mapping behaviour.
if TYPE_CHECKING:
    Model = Base
else:
    Model = db.Model
