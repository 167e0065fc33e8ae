"""Rule and plan presets in the manner of the AWS CDK: named shorthands that expand into ordinary rules.

The numbers follow `aws-cdk-lib/aws-backup` (`BackupPlanRule.daily()`, `monthly5Year()`, ...), less cold storage,
which Amazon Redshift recovery points do not support.
"""

from __future__ import annotations

from typing import Any, Literal

DEFAULT_SCHEDULE = "cron(0 5 ? * * *)"

RulePresetName = Literal["daily", "weekly", "monthly_1_year", "monthly_5_year", "monthly_7_year"]
PlanPresetName = Literal[
    "daily_35_day_retention",
    "daily_monthly_1_year_retention",
    "daily_weekly_monthly_5_year_retention",
    "daily_weekly_monthly_7_year_retention",
]

# preset name -> (rule name, schedule, delete_after_days)
RULE_PRESETS: dict[str, tuple[str, str, int]] = {
    "daily": ("daily", "cron(0 5 * * ? *)", 35),
    "weekly": ("weekly", "cron(0 5 ? * SAT *)", 90),
    "monthly_1_year": ("monthly-1-year", "cron(0 5 1 * ? *)", 365),
    "monthly_5_year": ("monthly-5-year", "cron(0 5 1 * ? *)", 1825),
    "monthly_7_year": ("monthly-7-year", "cron(0 5 1 * ? *)", 2555),
}

PLAN_PRESETS: dict[str, tuple[str, ...]] = {
    "daily_35_day_retention": ("daily",),
    "daily_monthly_1_year_retention": ("daily", "monthly_1_year"),
    "daily_weekly_monthly_5_year_retention": ("daily", "weekly", "monthly_5_year"),
    "daily_weekly_monthly_7_year_retention": ("daily", "weekly", "monthly_7_year"),
}


def rule_preset(preset: str) -> dict[str, Any]:
    """The hand-written shape of a rule preset."""
    name, schedule, days = RULE_PRESETS[preset]
    return {"name": name, "preset": preset, "schedule": schedule, "delete_after_days": days}


def expand_rule(data: dict[str, Any]) -> dict[str, Any]:
    """Fill a rule's missing keys from its preset; keys written next to the preset win."""
    preset = data.get("preset")
    if preset not in RULE_PRESETS:
        return data  # the `preset` field's own validation reports the unknown name
    return {**rule_preset(preset), **data}


def expand_plan(data: dict[str, Any]) -> dict[str, Any]:
    """Put a plan preset's rules before the hand-written ones."""
    preset = data.get("preset")
    rules = data.get("rules", [])
    if preset not in PLAN_PRESETS or not isinstance(rules, list):
        return data
    return {**data, "rules": [rule_preset(p) for p in PLAN_PRESETS[preset]] + rules}
