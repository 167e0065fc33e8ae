"""AWS Backup calls `redshift-backup audit` reads and moto 5.2.5 lacks, added to moto's own backend and responses.

Modelled on the AWS Backup API reference (request and response shapes from botocore's service model), not observed
against AWS:

- Backup selections: `CreateBackupSelection`, `ListBackupSelections` (paginated by `MaxResults`/`NextToken`),
  `GetBackupSelection`, `DeleteBackupSelection`, stored per plan on moto's backend.
- `ListProtectedResources` (paginated): every resource with a recovery point, its `LastBackupTime` and vault. There
  is no API to create a recovery point without a backup job, so tests seed them with `seed_recovery_point` (any
  creation time: that is how a stale cluster is made). Recovery points seeded by `moto_backup.add_recovery_point`
  (another module's) count too.

`install()` adds the response methods and URL paths; call it before the server answers its first AWS Backup
request (importing this module from a test module is early enough: pytest imports every test module first).
"""

from __future__ import annotations

import json
import uuid
from datetime import datetime
from typing import Any
from urllib.parse import unquote

from moto.backup import models, responses, urls
from moto.backup.exceptions import ResourceNotFoundException

NEW_PATHS = ("{0}/resources/?$",)


def _state(backend: Any) -> dict[str, Any]:
    return backend.__dict__.setdefault("_audit_state", {"selections": {}, "recovery_points": []})


def _backend(response: Any) -> Any:
    return models.backup_backends[response.current_account][response.region]


def _page(items: list[Any], response: Any) -> tuple[list[Any], str | None]:
    """One page of `items` by the request's maxResults/nextToken (a token is the next offset)."""
    start = int(response.querystring.get("nextToken", ["0"])[0] or 0)
    size = int(response.querystring.get("maxResults", ["1000"])[0] or 1000)
    chunk = items[start:start + size]
    return chunk, (str(start + size) if start + size < len(items) else None)


def _plan_id(response: Any) -> str:
    plan_id = unquote(response.uri_match["backupPlanId"])
    if plan_id not in _backend(response).plans:
        raise ResourceNotFoundException(f"Failed reading Backup plan with provided version {plan_id}")
    return plan_id


def create_backup_selection(self: Any) -> str:
    self._get_action()
    plan_id = _plan_id(self)
    body = json.loads(self.body or "{}")
    selection_id = str(uuid.uuid4())
    created = datetime.now().timestamp()
    _state(_backend(self))["selections"].setdefault(plan_id, {})[selection_id] = {
        "SelectionId": selection_id, "BackupPlanId": plan_id, "CreationDate": created,
        "CreatorRequestId": body.get("CreatorRequestId"), "BackupSelection": body["BackupSelection"]}
    return json.dumps({"SelectionId": selection_id, "BackupPlanId": plan_id, "CreationDate": created})


def list_backup_selections(self: Any) -> str:
    self._get_action()
    plan_id = _plan_id(self)
    selections = list(_state(_backend(self))["selections"].get(plan_id, {}).values())
    page, token = _page(selections, self)
    out: dict[str, Any] = {"BackupSelectionsList": [{
        "SelectionId": s["SelectionId"], "SelectionName": s["BackupSelection"]["SelectionName"],
        "BackupPlanId": plan_id, "CreationDate": s["CreationDate"],
        "IamRoleArn": s["BackupSelection"]["IamRoleArn"]} for s in page]}
    if token:
        out["NextToken"] = token
    return json.dumps(out)


def _selection(response: Any) -> dict[str, Any]:
    plan_id = _plan_id(response)
    selection_id = unquote(response.uri_match["selectionId"])
    found = _state(_backend(response))["selections"].get(plan_id, {}).get(selection_id)
    if found is None:
        raise ResourceNotFoundException(f"Backup selection {selection_id} not found in plan {plan_id}")
    return found  # type: ignore[no-any-return]


def get_backup_selection(self: Any) -> str:
    self._get_action()
    found = _selection(self)
    return json.dumps({k: v for k, v in found.items() if v is not None})


def delete_backup_selection(self: Any) -> str:
    self._get_action()
    found = _selection(self)
    del _state(_backend(self))["selections"][found["BackupPlanId"]][found["SelectionId"]]
    return "{}"


def seed_recovery_point(account_id: str, region: str, vault_name: str, resource_arn: str, created: datetime,
                        resource_type: str = "Redshift") -> str:
    """A completed recovery point of `resource_arn` in `vault_name`, created at `created`; returns its ARN."""
    backend = models.backup_backends[account_id][region]
    vault = backend.describe_backup_vault(vault_name)
    arn = f"arn:aws:backup:{region}:{account_id}:recovery-point:{uuid.uuid4()}"
    _state(backend)["recovery_points"].append({
        "RecoveryPointArn": arn, "ResourceArn": resource_arn, "ResourceType": resource_type,
        "BackupVaultArn": vault.backup_vault_arn, "CreationDate": created.timestamp()})
    return arn


def _recovery_points(backend: Any) -> list[dict[str, Any]]:
    points = list(_state(backend)["recovery_points"])
    # Recovery points seeded by moto_backup (restores) are recovery points too.
    points += list(backend.__dict__.get("_restore_state", {}).get("recovery_points", {}).values())
    return points


def list_protected_resources(self: Any) -> str:
    self._get_action()
    newest: dict[str, dict[str, Any]] = {}
    for point in _recovery_points(_backend(self)):
        current = newest.get(point["ResourceArn"])
        if current is None or point["CreationDate"] > current["CreationDate"]:
            newest[point["ResourceArn"]] = point
    results = [{"ResourceArn": arn, "ResourceType": p.get("ResourceType", "Redshift"),
                "LastBackupTime": p["CreationDate"], "LastRecoveryPointArn": p["RecoveryPointArn"],
                **({"LastBackupVaultArn": p["BackupVaultArn"]} if p.get("BackupVaultArn") else {})}
               for arn, p in sorted(newest.items())]
    page, token = _page(results, self)
    out: dict[str, Any] = {"Results": page}
    if token:
        out["NextToken"] = token
    return json.dumps(out)


NEW_ACTIONS = {
    "create_backup_selection": create_backup_selection,
    "list_backup_selections": list_backup_selections,
    "get_backup_selection": get_backup_selection,
    "delete_backup_selection": delete_backup_selection,
    "list_protected_resources": list_protected_resources,
}


def install() -> None:
    """Add the calls above to moto's AWS Backup (idempotent)."""
    response_class = responses.BackupResponse
    if getattr(response_class, "_redshift_backup_audit_extended", False):
        return
    for name, function in NEW_ACTIONS.items():
        setattr(response_class, name, function)
    for path in NEW_PATHS:
        urls.url_paths.setdefault(path, response_class.dispatch)
    response_class._redshift_backup_audit_extended = True  # type: ignore[attr-defined]
