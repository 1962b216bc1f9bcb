"""With CSRF protection on, KPI value and import forms refuse posts without the form's token and write nothing."""

from __future__ import annotations

import io
import re
from datetime import date

import pytest
from sqlalchemy import func, select

from tests.conftest import make_test_config
from tests.factories import DEFAULT_TEST_PASSWORD, make_programme, make_user
from tests.kpis.factories import make_kpi, make_value
from tracker.extensions import db
from tracker.kpis.models import Kpi, KpiValue


@pytest.fixture
def app_config(database_url):
    return make_test_config(database_url, WTF_CSRF_ENABLED=True)


@pytest.fixture
def admin(app, client):
    make_programme()
    kpi = make_kpi("KPI01", target=4, tolerance_high=4.5, polarity="lower")
    make_value(kpi, date(2022, 6, 30), 5, "Q1 2022/23")
    user = make_user("admin")
    db.session.commit()
    response = client.post(
        "/sign-in",
        data={"email": user.email, "password": DEFAULT_TEST_PASSWORD, "csrf_token": token_on(client, "/sign-in")},
    )
    assert response.status_code == 302
    return client


def token_on(client, url: str) -> str:
    return re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', client.get(url).get_data(as_text=True))[1]


VALUE = {"period_end": ["30", "9", "2022"], "period_label": "Q2 2022/23", "value": "4.2"}
KPIS_CSV = (
    b"ref,title,unit,polarity,frequency,target,tolerance_low,tolerance_high,description\n"
    b"KPI02,New,number,higher,annual,1,,,\n"
)


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


@pytest.mark.parametrize("token", [None, "forged"])
def test_forms_without_the_token_are_refused(admin, token):
    extra = {} if token is None else {"csrf_token": token}
    response = admin.post("/p/test/kpis/KPI01/values/new", data={**VALUE, **extra})
    assert response.status_code == 400 and "Your form expired" in response.get_data(as_text=True)
    response = admin.post(
        "/p/test/admin/kpis/import",
        data={"kind": "kpis", "file": (io.BytesIO(KPIS_CSV), "k.csv"), **extra},
        content_type="multipart/form-data",
    )
    assert response.status_code == 400
    assert (count(KpiValue), count(Kpi)) == (1, 1)


def test_forms_with_their_token_save(admin):
    token = token_on(admin, "/p/test/kpis/KPI01/values/new")
    response = admin.post("/p/test/kpis/KPI01/values/new", data={**VALUE, "csrf_token": token})
    assert response.status_code == 302
    response = admin.post(
        "/p/test/admin/kpis/import",
        content_type="multipart/form-data",
        data={
            "kind": "kpis",
            "file": (io.BytesIO(KPIS_CSV), "k.csv"),
            "csrf_token": token_on(admin, "/p/test/admin/kpis/import"),
        },
    )
    assert response.status_code == 302
    assert (count(KpiValue), count(Kpi)) == (2, 2)
