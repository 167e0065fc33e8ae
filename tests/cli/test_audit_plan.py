"""The audit section of `plan`: present only for audited stacks, in each format, with the AWS Config note."""

from __future__ import annotations

from policies.validation import load_stack_file
from redshift_backup.audit_plan import audit_plan_document, audit_plan_markdown, audit_plan_text


def test_stacks_without_audit_get_no_section() -> None:
    dev = load_stack_file("Pulumi.dev.yaml")
    assert (audit_plan_text(dev), audit_plan_markdown(dev), audit_plan_document(dev)) == ("", "", {})


def test_prod_lists_its_framework_the_control_count_and_what_aws_config_must_record() -> None:
    prod = load_stack_file("Pulumi.prod.yaml")
    text = audit_plan_text(prod)
    assert "prod_analytics_audit (policy prod-analytics): 26 controls" in text
    assert "26 of the 50 controls AWS allows per account and region" in text
    assert "AWS::Backup::RecoveryPoint" in text and "AWS Config does not record" in text
    markdown = audit_plan_markdown(prod)
    assert "| control | checks | parameters | scope |" in markdown
    document = audit_plan_document(prod)["audit"]
    assert document["controls_total"] == 26 and document["controls_limit"] == 50
    (framework,) = document["frameworks"]
    assert [r["template"] for r in framework["report_plans"]] == ["CONTROL_COMPLIANCE_REPORT",
                                                                 "RESOURCE_COMPLIANCE_REPORT"]
    assert framework["controls"][0]["parameters"] == {"requiredFrequencyUnit": "days", "requiredFrequencyValue": "1",
                                                      "requiredRetentionDays": "35"}
