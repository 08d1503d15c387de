"""Contract tests: schemathesis generates requests from /api/v1/openapi.json for every operation and
every role, and checks there is never a server error and every response matches the documented schema.

Every operation (reads and writes, with a token holding every scope, so the role decides) is fuzzed
with valid and invalid parameters and bodies; the examples per operation and role are bounded
(``GRAPPE_CONTRACT_EXAMPLES``, 10 by default; ``GRAPPE_CONTRACT_EXAMPLES=200`` for a deep run).
Observers have no token: they use the browser session (their role decides); a forged token is a sixth
"role" (401 expected, never a 500).
"""

import os

import pytest
import schemathesis
from django.test import Client
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import content_type_conformance, response_schema_conformance

from grappe.accounts import tokens
from grappe.wsgi import application

schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application)
EXAMPLES = int(os.environ.get("GRAPPE_CONTRACT_EXAMPLES", "10"))
ALL_SCOPES = list(tokens.SCOPES)


@pytest.fixture(autouse=True)
def _keep_the_test_connection():
    """schemathesis calls the WSGI application directly: like Django's test client, keep the request
    signals from closing the test transaction's connection (PostgreSQL would lose the transaction)."""
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture(params=["anonymous", "forged_token", "member_a", "observer_user", "staff_user", "admin_user"])
def credentials(request, db) -> tuple[dict[str, str], dict[str, str]]:
    """(headers, cookies) of the role."""
    if request.param == "anonymous":
        return {}, {}
    if request.param == "forged_token":
        return {"Authorization": "Bearer grp_forged_token"}, {}
    user = request.getfixturevalue(request.param)
    if request.param == "observer_user":  # observers have no token: the browser session
        client = Client()
        client.force_login(user)
        return {}, {"sessionid": client.cookies["sessionid"].value}
    _t, plaintext = tokens.token_create(actor=None, user=user, name="contract", scopes=ALL_SCOPES)
    return {"Authorization": f"Bearer {plaintext}"}, {}


@schema.parametrize()
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.filter_too_much],
    derandomize=True,
)
def test_operations_never_fail_and_match_their_schema(case, credentials, org_a, org_b):
    headers, cookies = credentials
    response = case.call(headers=headers, cookies=cookies)
    case.validate_response(response, checks=[not_a_server_error, response_schema_conformance, content_type_conformance])
