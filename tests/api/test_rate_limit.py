"""The read API over its rate limit (tracker/core/limits.py): problem details, counted per token."""

from __future__ import annotations

from tests.core.test_rate_limits import limited_app


def test_the_api_answers_over_its_limit_with_problem_details(app, database_url):
    client = limited_app(database_url, API_RATE_LIMIT="2 per minute").test_client()
    headers = {"Authorization": "Bearer trk_not_a_real_token"}
    assert [client.get("/api/v1/programmes", headers=headers).status_code for _ in range(2)] == [401, 401]
    refused = client.get("/api/v1/programmes", headers=headers)
    assert refused.status_code == 429
    assert refused.mimetype == "application/problem+json"
    assert refused.json["status"] == 429 and refused.headers["Retry-After"]
    other_token = client.get("/api/v1/programmes", headers={"Authorization": "Bearer trk_another"})
    assert other_token.status_code == 401, "each token has its own allowance"
