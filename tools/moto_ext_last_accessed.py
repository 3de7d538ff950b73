"""IAM last-accessed jobs for moto_server, which has none (SPEC section 11).

Importing this module adds ``GenerateServiceLastAccessedDetails`` and ``GetServiceLastAccessedDetails``
to moto's IAM responses. The results are serialised by moto from botocore's IAM model, so the XML has
exactly the shape AWS sends and the product's real request, polling and parsing code runs against it.

What a job returns is seeded per role ARN over HTTP, in the shape ``aws iam
get-service-last-accessed-details`` prints (timestamps as ISO 8601 strings)::

    POST /moto-ext/last-accessed
    {"inProgressPolls": 2,
     "roles": {"arn:aws:iam::123456789012:role/app": {
         "ServicesLastAccessed": [{"ServiceName": "Amazon S3", "ServiceNamespace": "s3",
                                   "LastAuthenticated": "2026-11-20T08:00:00+00:00", ...}],
         "JobStatus": "COMPLETED"}}}

``roleCreateDates`` (role ARN to an ISO 8601 time) backdates roles, which moto creates "now".
``inProgressPolls`` (default 0; it applies to the accounts of the roles in the same request and to
moto's default account) is how many ``GetServiceLastAccessedDetails`` calls of each new job
answer ``IN_PROGRESS`` before it completes; a negative number keeps jobs in progress for ever. A seed
with ``"JobStatus": "FAILED"`` (and an ``Error``) makes the role's jobs fail. A role without a seed gets
a completed job that lists no service. ``GET /moto-ext/last-accessed`` returns counters (jobs created,
polls answered). Seeds live on moto's IAM backend of the role's account, so ``/moto-api/reset`` clears
them with everything else.
"""

from __future__ import annotations

import copy
import json
import uuid
from datetime import datetime, timezone
from typing import Any

from moto.core import DEFAULT_ACCOUNT_ID
from moto.core.responses import ActionResult
from moto.iam.exceptions import InvalidInput, NotFoundException
from moto.iam.models import iam_backends
from moto.iam.responses import IamResponse
from moto.moto_server.werkzeug_app import DomainDispatcherApplication

SEED_PATH = "/moto-ext/last-accessed"
DEFAULT_MAX_ITEMS = 100
TIMESTAMP_FIELDS = ("LastAuthenticated", "LastAccessedTime")


def _state(backend: Any) -> dict[str, Any]:
    """The extension's data on one IAM backend (recreated empty by a moto reset)."""
    state = getattr(backend, "_moto_ext_last_accessed", None)
    if state is None:
        state = {"seeds": {}, "jobs": {}, "in_progress_polls": 0, "counters": {"jobs": 0, "polls": 0}}
        backend._moto_ext_last_accessed = state
    return state


def _parse_time(value: Any) -> Any:
    if isinstance(value, str):
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    return value


def _with_datetimes(services: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Seeded services with their timestamps as datetimes, as the serializer expects."""
    result = copy.deepcopy(services)
    for service in result:
        for field in TIMESTAMP_FIELDS:
            if field in service:
                service[field] = _parse_time(service[field])
        for action in service.get("TrackedActionsLastAccessed") or []:
            for field in TIMESTAMP_FIELDS:
                if field in action:
                    action[field] = _parse_time(action[field])
    return result


def _backend_of_arn(arn: str) -> Any:
    parts = arn.split(":")
    if len(parts) < 6 or parts[0] != "arn":
        raise ValueError(f"not an ARN: {arn}")
    return iam_backends[parts[4]][parts[1]]


def generate_service_last_accessed_details(self: IamResponse) -> ActionResult:
    arn = self._get_param("Arn")
    granularity = self._get_param("Granularity") or "SERVICE_LEVEL"
    if granularity not in ("SERVICE_LEVEL", "ACTION_LEVEL"):
        raise InvalidInput(f"Invalid Granularity: {granularity}")
    role_name = arn.split(":role/", 1)[1].rsplit("/", 1)[-1] if ":role/" in (arn or "") else None
    if role_name is None:
        raise InvalidInput(f"This extension only generates reports for roles, got {arn}")
    role = self.backend.get_role(role_name)
    if role.arn != arn:
        raise NotFoundException(f"Role {arn} not found")
    state = _state(self.backend)
    job_id = str(uuid.uuid4())
    state["jobs"][job_id] = {
        "arn": arn,
        "granularity": granularity,
        "created": datetime.now(timezone.utc),
        "polls_left": state["in_progress_polls"],
    }
    state["counters"]["jobs"] += 1
    return ActionResult({"JobId": job_id})


def get_service_last_accessed_details(self: IamResponse) -> ActionResult:
    job_id = self._get_param("JobId")
    state = _state(self.backend)
    job = state["jobs"].get(job_id)
    if job is None:
        raise InvalidInput(f"JobId {job_id} is not valid")
    state["counters"]["polls"] += 1
    result: dict[str, Any] = {"JobType": job["granularity"], "JobCreationDate": job["created"]}
    if job["polls_left"] != 0:
        if job["polls_left"] > 0:
            job["polls_left"] -= 1
        result.update({"JobStatus": "IN_PROGRESS", "ServicesLastAccessed": []})
        return ActionResult(result)
    job.setdefault("completed", datetime.now(timezone.utc))
    seed = state["seeds"].get(job["arn"], {})
    result["JobCompletionDate"] = job["completed"]
    if seed.get("JobStatus") == "FAILED":
        result.update(
            {
                "JobStatus": "FAILED",
                "ServicesLastAccessed": [],
                "Error": seed.get("Error") or {"Code": "InternalFailure", "Message": "the job failed"},
            }
        )
        return ActionResult(result)
    services = _with_datetimes(seed.get("ServicesLastAccessed") or [])
    if job["granularity"] == "SERVICE_LEVEL":
        for service in services:
            service.pop("TrackedActionsLastAccessed", None)
    max_items = int(self._get_param("MaxItems") or DEFAULT_MAX_ITEMS)
    marker = self._get_param("Marker")
    start = int(marker) if marker else 0
    page = services[start : start + max_items]
    result.update({"JobStatus": "COMPLETED", "ServicesLastAccessed": page})
    if start + max_items < len(services):
        result.update({"IsTruncated": True, "Marker": str(start + max_items)})
    else:
        result["IsTruncated"] = False
    return ActionResult(result)


IamResponse.generate_service_last_accessed_details = generate_service_last_accessed_details  # type: ignore[attr-defined]
IamResponse.get_service_last_accessed_details = get_service_last_accessed_details  # type: ignore[attr-defined]


def _seed(body: dict[str, Any]) -> dict[str, Any]:
    roles = body.get("roles") or {}
    if not isinstance(roles, dict):
        raise ValueError("roles must be an object of role ARN to last-accessed details")
    backends = {id(iam_backends[DEFAULT_ACCOUNT_ID]["aws"]): iam_backends[DEFAULT_ACCOUNT_ID]["aws"]}
    for arn, details in roles.items():
        backend = _backend_of_arn(arn)
        _state(backend)["seeds"][arn] = details
        backends[id(backend)] = backend
    # moto creates every role "now"; the usage rules skip roles younger than their window.
    for arn, created in (body.get("roleCreateDates") or {}).items():
        role = _backend_of_arn(arn).get_role_by_arn(arn)
        role.create_date = _parse_time(created).astimezone(timezone.utc).replace(tzinfo=None)
    if "inProgressPolls" in body:
        for backend in backends.values():
            _state(backend)["in_progress_polls"] = int(body["inProgressPolls"])
    return {"seeded": len(roles)}


def _counters() -> dict[str, Any]:
    totals = {"jobs": 0, "polls": 0}
    for account in list(iam_backends.keys()):
        counters = _state(iam_backends[account]["aws"])["counters"]
        totals["jobs"] += counters["jobs"]
        totals["polls"] += counters["polls"]
    return totals


def _respond(start_response: Any, status: str, payload: dict[str, Any]) -> list[bytes]:
    body = json.dumps(payload).encode("utf-8")
    start_response(status, [("Content-Type", "application/json"), ("Content-Length", str(len(body)))])
    return [body]


_dispatch = DomainDispatcherApplication.__call__


def _call(self: DomainDispatcherApplication, environ: dict[str, Any], start_response: Any) -> Any:
    """Answers the seed endpoint; every other request goes on to moto (or to another extension)."""
    if environ.get("PATH_INFO") != SEED_PATH:
        return _dispatch(self, environ, start_response)
    try:
        if environ.get("REQUEST_METHOD") == "GET":
            return _respond(start_response, "200 OK", _counters())
        length = int(environ.get("CONTENT_LENGTH") or 0)
        body = json.loads(environ["wsgi.input"].read(length) or b"{}")
        with self.lock:
            return _respond(start_response, "200 OK", _seed(body))
    except (ValueError, KeyError, TypeError) as error:
        return _respond(start_response, "400 Bad Request", {"error": str(error)})


DomainDispatcherApplication.__call__ = _call  # type: ignore[method-assign]
