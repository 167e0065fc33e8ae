"""What `plan` and `diff` must assume offline, and how they say so.

Without credentials the program's account id, and the ids and ARNs AWS assigns at creation, are unknown. The
account is taken from the config where it names it (ARNs of the stack's own clusters, namespaces, vaults or roles:
`policies.models.stack_account`); everything else unknown is a visible placeholder in angle brackets, in ARNs of
the shape AWS gives them, and the output says once, at the top, which placeholders it shows.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from policies.backup_plan import partition_of
from policies.models import stack_account
from policies.validation import Stack
from redshift_backup.mockrun import RecordingMocks

ACCOUNT = "<account>"
KEY_ID = "<key-id>"
RANDOM = "<random>"
_PLACEHOLDER = re.compile(r"<[a-z][a-z0-9_.@-]*(?: id)?>")
DESCRIPTIONS = {
    ACCOUNT: "the stack's AWS account id (no ARN in the config names it; `pulumi up` asks AWS)",
    KEY_ID: "the id AWS gives a KMS key it creates",
    RANDOM: "the suffix Pulumi appends to an auto-named resource",
}
ASSIGNED_ID = "`<NAME id>`: an id AWS assigns when it creates resource NAME"


@dataclass(frozen=True)
class Account:
    """The account the resources are shown in, and where it came from."""

    id: str
    from_config: bool

    def note(self) -> str | None:
        return (f"Account {self.id} is the one the config's ARNs name (its own clusters, namespaces, vaults or "
                "roles)." if self.from_config else None)


def account_of(*stacks: Stack | None) -> Account:
    """The first account a stack's config reveals (the new side first in a diff), else the placeholder: one
    account for both sides, so that a diff never shows ARNs changing from a placeholder to an account."""
    for stack in stacks:
        found = stack_account(stack.policies) if stack is not None else None
        if found:
            return Account(found, True)
    return Account(ACCOUNT, False)


def placeholders_in(texts: Iterable[str]) -> list[str]:
    """Each placeholder that occurs in `texts`, explained, in a fixed order."""
    found = {m for text in texts for m in _PLACEHOLDER.findall(text)}
    out = [f"`{p}`: {d}" for p, d in DESCRIPTIONS.items() if p in found]
    if any(p.endswith(" id>") for p in found):
        out.append(ASSIGNED_ID)
    return out


def assumptions_lines(account: Account, texts: Iterable[str]) -> list[str]:
    """The note printed once at the top: the account's origin and the placeholders shown."""
    lines = [note for note in [account.note()] if note]
    shown = placeholders_in(texts)
    if shown:
        lines.append("Placeholders for values known only in AWS: " + "; ".join(shown) + ".")
    return lines


class PlanMocks(RecordingMocks):
    """Mocks for `plan` and `diff`: ARNs in the shape AWS gives each type, ids AWS assigns as placeholders.

    The component tests keep `RecordingMocks` (a fixed example account, simple ARNs) and their snapshots.
    """

    def new_resource(self, args: Any) -> tuple[str | None, dict[str, Any]]:
        _id, outputs = super().new_resource(args)
        inputs = dict(args.inputs)
        region = inputs.get("region") or self.resource_region(args.provider)
        prefix = f"arn:{partition_of(region)}"
        account = self.account_id
        name = args.name
        by_type: dict[str, tuple[str, str]] = {
            # type: (id, arn)
            "aws:kms/key:Key": (KEY_ID, f"{prefix}:kms:{region}:{account}:key/{KEY_ID}"),
            "aws:kms/alias:Alias": (str(inputs.get("name")), f"{prefix}:kms:{region}:{account}:{inputs.get('name')}"),
            "aws:backup/vault:Vault": (str(inputs.get("name")),
                                       f"{prefix}:backup:{region}:{account}:backup-vault:{inputs.get('name')}"),
            "aws:backup/plan:Plan": (f"<{name} id>", f"{prefix}:backup:{region}:{account}:backup-plan:<{name} id>"),
            "aws:backup/reportPlan:ReportPlan": (
                str(inputs.get("name")), f"{prefix}:backup:{region}:{account}:report-plan:{inputs.get('name')}"),
            "aws:iam/role:Role": (str(inputs.get("name")), f"{prefix}:iam::{account}:role/{inputs.get('name')}"),
            "aws:sns/topic:Topic": (f"{prefix}:sns:{region}:{account}:{inputs.get('name')}",
                                    f"{prefix}:sns:{region}:{account}:{inputs.get('name')}"),
            "aws:redshift/snapshotSchedule:SnapshotSchedule": (
                str(inputs.get("identifier")),
                f"{prefix}:redshift:{region}:{account}:snapshotschedule:{inputs.get('identifier')}"),
            "aws:redshift/snapshotCopyGrant:SnapshotCopyGrant": (
                str(inputs.get("snapshotCopyGrantName")),
                f"{prefix}:redshift:{region}:{account}:snapshotcopygrant:{inputs.get('snapshotCopyGrantName')}"),
            "aws:redshift/eventSubscription:EventSubscription": (
                str(inputs.get("name")),
                f"{prefix}:redshift:{region}:{account}:eventsubscription:{inputs.get('name')}"),
        }
        if args.typ == "aws:s3/bucket:Bucket":
            bucket = inputs.get("bucket") or f"{name}-{RANDOM}"
            outputs.update(bucket=bucket, arn=f"{prefix}:s3:::{bucket}")
            return str(bucket), outputs
        if args.typ in by_type:
            resource_id, arn = by_type[args.typ]
            outputs["arn"] = arn
            if args.typ == "aws:kms/key:Key":
                outputs["keyId"] = KEY_ID
            return resource_id, outputs
        if args.typ.startswith("aws:") and "arn" not in inputs:
            service = args.typ.split(":")[1].split("/")[0]
            outputs["arn"] = f"{prefix}:{service}:{region}:{account}:<{name} id>"
        return f"<{name} id>" if args.custom else _id, outputs
