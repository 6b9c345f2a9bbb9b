"""Listeners, IAM and key policies in the styles a user may write, each expecting exact findings.

aws.alb.Listener next to aws.lb.Listener and a Classic Load Balancer; IAM documents as JSON
strings (the Python SDK refuses objects) and from aws.iam.get_policy_document; wildcard
principals in their different spellings. tests/policy/test_user_programs.py holds the
expected (rule, resource) findings.
"""

import json

import pulumi
import pulumi_aws as aws

ACCOUNT = "123456789012"
MODERN_TLS = "ELBSecurityPolicy-TLS13-1-2-2021-06"


def document(*statements: dict) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


# --- load balancer listeners --------------------------------------------------------------

lb = aws.lb.LoadBalancer(
    "portal", load_balancer_type="application", subnets=["subnet-1", "subnet-2"]
)
forward = [
    aws.lb.ListenerDefaultActionArgs(
        type="forward",
        target_group_arn="arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/portal/1",
    )
]
aws.alb.Listener(
    "alb-http-forward", load_balancer_arn=lb.arn, port=80, protocol="HTTP", default_actions=forward
)
aws.alb.Listener(
    "alb-http-redirect",
    load_balancer_arn=lb.arn,
    port=80,
    protocol="HTTP",
    default_actions=[
        aws.alb.ListenerDefaultActionArgs(
            type="redirect",
            redirect=aws.alb.ListenerDefaultActionRedirectArgs(
                protocol="HTTPS", port="443", status_code="HTTP_301"
            ),
        )
    ],
)
aws.lb.Listener(
    "lb-https-modern",
    load_balancer_arn=lb.arn,
    port=443,
    protocol="HTTPS",
    ssl_policy=MODERN_TLS,
    certificate_arn="arn:aws:acm:us-east-1:123456789012:certificate/1",
    default_actions=forward,
)
aws.lb.Listener(
    "lb-https-lower-case",
    load_balancer_arn=lb.arn,
    port=8443,
    protocol="https",
    ssl_policy=MODERN_TLS,
    certificate_arn="arn:aws:acm:us-east-1:123456789012:certificate/1",
    default_actions=forward,
)
aws.lb.Listener(
    "lb-https-2016",
    load_balancer_arn=lb.arn,
    port=9443,
    protocol="HTTPS",
    ssl_policy="ELBSecurityPolicy-2016-08",
    certificate_arn="arn:aws:acm:us-east-1:123456789012:certificate/1",
    default_actions=forward,
)
aws.alb.Listener(
    "alb-https-no-policy",
    load_balancer_arn=lb.arn,
    port=10443,
    protocol="HTTPS",
    certificate_arn="arn:aws:acm:us-east-1:123456789012:certificate/1",
    default_actions=forward,
)
aws.elb.LoadBalancer(
    "classic",
    availability_zones=["us-east-1a"],
    listeners=[
        aws.elb.LoadBalancerListenerArgs(
            lb_port=443,
            lb_protocol="https",
            instance_port=8080,
            instance_protocol="http",
            ssl_certificate_id="arn:aws:acm:us-east-1:123456789012:certificate/1",
        )
    ],
)

# --- IAM: every action on every resource ---------------------------------------------------------

aws.iam.Policy("admin-json", policy=document({"Effect": "Allow", "Action": "*", "Resource": "*"}))
# One statement as an object rather than a list, and "*" inside lists.
aws.iam.Policy(
    "admin-single-statement",
    policy=json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": {"Effect": "Allow", "Action": ["*"], "Resource": ["*"]},
        }
    ),
)
aws.iam.Policy(
    "admin-not-resource",
    policy=document(
        {"Effect": "Allow", "Action": "*", "NotResource": "arn:aws:s3:::audit-trail/*"}
    ),
)
aws.iam.Policy(
    "admin-document",
    policy=aws.iam.get_policy_document(
        statements=[aws.iam.GetPolicyDocumentStatementArgs(actions=["*"], resources=["*"])]
    ).json,
)
aws.iam.Policy(
    "reader-document",
    policy=aws.iam.get_policy_document(
        statements=[
            aws.iam.GetPolicyDocumentStatementArgs(
                actions=["s3:GetObject"], resources=["arn:aws:s3:::records/*"]
            )
        ]
    ).json,
)

# --- IAM: PHI access and MFA --------------------------------------------------------------------

PHI = {"data-class": "phi", "component": "identity"}
READ = {
    "Effect": "Allow",
    "Action": ["s3:GetObject", "s3:ListBucket"],
    "Resource": ["arn:aws:s3:::records", "arn:aws:s3:::records/*"],
}
MFA_DENY = {
    "Effect": "Deny",
    "NotAction": [
        "iam:CreateVirtualMFADevice",
        "iam:EnableMFADevice",
        "iam:ListMFADevices",
        "sts:GetSessionToken",
    ],
    "Resource": "*",
    "Condition": {"BoolIfExists": {"aws:MultiFactorAuthPresent": "false"}},
}
aws.iam.Policy("phi-readers", policy=document(READ, MFA_DENY), tags=PHI)
aws.iam.Policy(
    "phi-readers-deny-elsewhere",
    policy=document(READ, {**MFA_DENY, "Resource": "arn:aws:s3:::other-bucket/*"}),
    tags=PHI,
)
aws.iam.Policy(
    "phi-readers-deny-in-one-region",
    policy=document(
        READ,
        {
            **MFA_DENY,
            "Condition": {
                **MFA_DENY["Condition"],
                "StringEquals": {"aws:RequestedRegion": "us-east-1"},
            },
        },
    ),
    tags=PHI,
)
aws.iam.Policy(
    "phi-readers-document",
    policy=aws.iam.get_policy_document(
        statements=[
            aws.iam.GetPolicyDocumentStatementArgs(
                actions=["s3:GetObject"],
                resources=["arn:aws:s3:::records/*"],
                conditions=[
                    aws.iam.GetPolicyDocumentStatementConditionArgs(
                        test="Bool", variable="aws:MultiFactorAuthPresent", values=["true"]
                    )
                ],
            )
        ]
    ).json,
    tags=PHI,
)
aws.iam.Role(
    "examiner",
    assume_role_policy=document(
        {
            "Effect": "Allow",
            "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"},
            "Action": "sts:AssumeRole",
        }
    ),
    inline_policies=[aws.iam.RoleInlinePolicyArgs(name="read", policy=document(READ))],
    tags=PHI,
)

# --- key policies ---------------------------------------------------------------------------

ROOT = {
    "Sid": "Root",
    "Effect": "Allow",
    "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"},
    "Action": "kms:*",
    "Resource": "*",
}


def key(name: str, *statements: dict) -> None:
    aws.kms.Key(
        name,
        enable_key_rotation=True,
        deletion_window_in_days=30,
        policy=document(ROOT, *statements),
    )


USE = {
    "Sid": "Use",
    "Effect": "Allow",
    "Action": ["kms:Decrypt", "kms:GenerateDataKey"],
    "Resource": "*",
}
key("key-named")
key("key-aws-star", {**USE, "Principal": {"AWS": "*"}})
key("key-aws-star-list", {**USE, "Principal": {"AWS": ["*"]}})
key(
    "key-star-other-accounts",
    {**USE, "Principal": "*", "Condition": {"StringNotEquals": {"aws:PrincipalAccount": ACCOUNT}}},
)
key(
    "key-star-pinned",
    {**USE, "Principal": "*", "Condition": {"StringEquals": {"kms:CallerAccount": ACCOUNT}}},
)
key(
    "key-not-principal", {**USE, "NotPrincipal": {"AWS": f"arn:aws:iam::{ACCOUNT}:role/breakglass"}}
)
pulumi.export("lb", lb.arn)
