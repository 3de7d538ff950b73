"""moto_server with the Lambda behaviour the tests need and moto 5.2 lacks (SPEC section 11).

Run it like moto_server (``python3 moto_server_ext.py -H 127.0.0.1 -p 5000``). Before the server
starts it registers, on moto's own Lambda backend:

- ``ListFunctionUrlConfigs`` (moto answers 404): the URL configuration moto keeps from
  ``CreateFunctionUrlConfig``.
- ``RevisionId`` on every function and version in ``ListFunctions`` / ``GetFunction``, changed by every
  configuration, code or resource-policy change, and returned by ``GetPolicy`` as the policy's revision
  (AWS uses one revision for both).
- Resource-policy statements in the shape AWS stores them: ``lambda:FunctionUrlAuthType`` as a
  ``StringEquals`` condition, ``lambda:InvokedViaFunctionUrl`` as a ``Bool`` condition,
  ``lambda:EventSourceToken`` as a ``StringEquals`` condition, an account id principal as
  ``{"AWS": "arn:aws:iam::<account>:root"}``.
- A published version starts with a policy of its own (moto shares ``$LATEST``'s).

and on CloudFormation:

- ``ActivateOrganizationsAccess`` / ``DescribeOrganizationsAccess`` (trusted access between StackSets
  and Organizations), which moto lacks: off until activated, per calling account.

It also loads ``moto_ext_last_accessed.py`` (IAM ``GenerateServiceLastAccessedDetails`` /
``GetServiceLastAccessedDetails`` with seedable job results).

The product's real request and parsing code runs against these responses; nothing is mocked in the SDK.
"""

import json
import re
import sys
import uuid
from typing import Any
from urllib.parse import unquote

from moto.awslambda import urls as lambda_urls
from moto.awslambda.models import LambdaFunction, LambdaStorage
from moto.awslambda.policy import Policy
from moto.awslambda.responses import LambdaResponse
from moto.cloudformation.responses import CloudFormationResponse
from moto.core.responses import ActionResult, EmptyResult
from moto.server import main

ACCOUNT_ID = re.compile(r"^\d{12}$")


# ---------------------------------------------------------------------------------------------
# RevisionId
# ---------------------------------------------------------------------------------------------


def revision_of(function: LambdaFunction) -> str:
    revision = function.__dict__.get("_ext_revision_id")
    if revision is None:
        revision = str(uuid.uuid4())
        function._ext_revision_id = revision
    return revision


def new_revision(function: LambdaFunction) -> str:
    function._ext_revision_id = str(uuid.uuid4())
    # One revision for the function and its policy, as AWS answers GetFunction and GetPolicy.
    function.policy.revision = function._ext_revision_id
    return function._ext_revision_id


original_get_configuration = LambdaFunction.get_configuration


def get_configuration(self: LambdaFunction, on_create: bool = False) -> dict[str, Any]:
    configuration = original_get_configuration(self, on_create)
    configuration["RevisionId"] = revision_of(self)
    return configuration


original_update_configuration = LambdaFunction.update_configuration


def update_configuration(self: LambdaFunction, updates: dict[str, Any]) -> dict[str, Any]:
    new_revision(self)
    return original_update_configuration(self, updates)


original_update_function_code = LambdaFunction.update_function_code


def update_function_code(self: LambdaFunction, updated_spec: dict[str, Any]) -> Any:
    new_revision(self)
    return original_update_function_code(self, updated_spec)


original_publish_version = LambdaStorage.publish_version


def publish_version(self: LambdaStorage, name_or_arn: str, description: str = "") -> Any:
    latest = self.get_function_by_name_or_arn_forbid_qualifier(name_or_arn)
    version = original_publish_version(self, name_or_arn, description)
    if version is not None and version is not latest and version.policy is latest.policy:
        # A new version: its own (empty) policy, no URL, its own revision.
        version.policy = Policy(version)
        version.url_config = None
        new_revision(version)
    return version


# ---------------------------------------------------------------------------------------------
# Resource-policy statements in AWS's shape
# ---------------------------------------------------------------------------------------------


def add_condition(statement: dict[str, Any], operator: str, key: str, value: Any) -> None:
    statement.setdefault("Condition", {}).setdefault(operator, {})[key] = value


original_add_statement = Policy.add_statement


def add_statement(self: Policy, raw: str, qualifier: str | None = None) -> tuple[Any, str]:
    request = json.loads(raw)
    statement, revision = original_add_statement(self, raw, qualifier)
    auth_type = statement.pop("FunctionUrlAuthType", None)
    if auth_type is not None:
        add_condition(statement, "StringEquals", "lambda:FunctionUrlAuthType", auth_type)
    via_url = statement.pop("InvokedViaFunctionUrl", None)
    if via_url is not None:
        add_condition(statement, "Bool", "lambda:InvokedViaFunctionUrl", str(via_url).lower())
    token = request.get("EventSourceToken")
    if token:
        add_condition(statement, "StringEquals", "lambda:EventSourceToken", token)
    parent_arn = getattr(self.parent, "function_arn", None)
    if qualifier and parent_arn and parent_arn.endswith(f":{qualifier}"):
        # moto appends the qualifier to a version's ARN, which already ends with it.
        statement["Resource"] = parent_arn
    principal = statement.get("Principal")
    if isinstance(principal, str) and ACCOUNT_ID.match(principal):
        statement["Principal"] = {"AWS": f"arn:aws:iam::{principal}:root"}
    if isinstance(self.parent, LambdaFunction):
        revision = new_revision(self.parent)
    return statement, revision


original_del_statement = Policy.del_statement


def del_statement(self: Policy, sid: str, revision: str = "") -> None:
    original_del_statement(self, sid, revision)
    if isinstance(self.parent, LambdaFunction):
        new_revision(self.parent)


original_get_policy = Policy.get_policy


def get_policy(self: Policy) -> dict[str, Any]:
    policy = original_get_policy(self)
    if isinstance(self.parent, LambdaFunction):
        policy["RevisionId"] = revision_of(self.parent)
    return policy


# ---------------------------------------------------------------------------------------------
# ListFunctionUrlConfigs
# ---------------------------------------------------------------------------------------------


def list_function_url_configs(self: LambdaResponse) -> str:
    function_name = unquote(self.path.rstrip("/").split("/")[-2])
    function = self.backend.get_function(function_name)
    configs = []
    if function.url_config is not None:
        config = function.url_config.to_dict()
        # AWS leaves out what is not set and spells the invoke mode in capitals.
        configs.append(
            {
                key: value.upper() if key == "InvokeMode" else value
                for key, value in config.items()
                if value is not None
            }
        )
    return json.dumps({"FunctionUrlConfigs": configs})


# ---------------------------------------------------------------------------------------------
# CloudFormation: trusted access with Organizations
# ---------------------------------------------------------------------------------------------

# Accounts that activated trusted access (an organization setting, kept by its management account).
organizations_access: set[str] = set()


def activate_organizations_access(self: CloudFormationResponse) -> EmptyResult:
    organizations_access.add(self.current_account)
    return EmptyResult()


def describe_organizations_access(self: CloudFormationResponse) -> ActionResult:
    status = "ENABLED" if self.current_account in organizations_access else "DISABLED"
    return ActionResult({"Status": status})


def install() -> None:
    LambdaFunction.get_configuration = get_configuration
    LambdaFunction.update_configuration = update_configuration
    LambdaFunction.update_function_code = update_function_code
    LambdaStorage.publish_version = publish_version
    Policy.add_statement = add_statement
    Policy.del_statement = del_statement
    Policy.get_policy = get_policy
    LambdaResponse.list_function_url_configs = list_function_url_configs
    CloudFormationResponse.activate_organizations_access = activate_organizations_access
    CloudFormationResponse.describe_organizations_access = describe_organizations_access
    lambda_urls.url_paths[r"{0}/(?P<api_version>[^/]+)/functions/(?P<function_name>[\w_:%-]+)/urls/?$"] = (
        LambdaResponse.dispatch
    )


if __name__ == "__main__":
    install()
    # IAM last-accessed jobs (seedable): registers itself on import, next to this file.
    import moto_ext_last_accessed  # noqa: F401

    sys.exit(main(sys.argv[1:]))
