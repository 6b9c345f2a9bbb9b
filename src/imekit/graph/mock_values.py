"""Deterministic stand-ins for what AWS would return: ids, ARNs, names and data sources.

Every value is derived from the resource's URN (type, parent chain and name) with SHA-256,
so two runs give the same bytes whatever the hash seed. Nothing here reaches AWS.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from typing import Any

ACCOUNT_ID = "123456789012"
DEFAULT_REGION = "us-east-1"
PARTITION = "aws"
_NAMESPACE = uuid.UUID("6f1d3a52-5c55-4a4e-9a8b-2f0d1e7c9b11")

# The property a resource type uses for its physical name, where it is not `name`.
# Pulumi auto-names these (logical name + random suffix) when the program leaves them out.
NAME_PROPERTY = {
    "aws:s3/bucket:Bucket": "bucket",
    "aws:s3/bucketV2:BucketV2": "bucket",
    "aws:rds/instance:Instance": "identifier",
    "aws:rds/cluster:Cluster": "clusterIdentifier",
    "aws:rds/clusterInstance:ClusterInstance": "identifier",
    "aws:sqs/queue:Queue": "name",
    "aws:lambda/function:Function": "name",
}


def digest(*parts: str, length: int = 12) -> str:
    return hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()[:length]


def physical_name(urn: str, logical: str) -> str:
    """Pulumi's auto-naming shape (`<name>-<7 hex>`), with a suffix derived from the URN."""
    return f"{logical}-{digest(urn, length=7)}"


def _uuid(urn: str) -> str:
    return str(uuid.uuid5(_NAMESPACE, urn))


def _module_and_kind(type_: str) -> tuple[str, str]:
    """`aws:s3/bucket:Bucket` -> ("s3", "bucket")."""
    try:
        _pkg, mod, kind = type_.split(":", 2)
    except ValueError:
        return "", type_
    return mod.split("/")[0], kind[:1].lower() + kind[1:]


def _arn(service: str, region: str, resource: str, *, global_: bool = False) -> str:
    account = "" if service == "s3" else ACCOUNT_ID
    reg = "" if global_ or service in ("s3", "iam") else region
    return f"arn:{PARTITION}:{service}:{reg}:{account}:{resource}"


def resource_outputs(
    type_: str, logical: str, urn: str, inputs: dict[str, Any], region: str
) -> tuple[str, dict[str, Any]]:
    """(id, outputs) a deployed resource would plausibly report: inputs echoed, plus the
    identifiers programs commonly read (`id`, `arn`, names, endpoints)."""
    if type_.startswith("pulumi:providers:"):
        return _uuid(urn), dict(inputs)

    mod, kind = _module_and_kind(type_)
    name_prop = NAME_PROPERTY.get(type_, "name")
    given = inputs.get(name_prop)
    name = given if isinstance(given, str) and given else physical_name(urn, logical)
    outputs: dict[str, Any] = dict(inputs)
    outputs.setdefault(name_prop, name)
    rid = name
    arn: str | None = None

    if type_ in ("aws:s3/bucket:Bucket", "aws:s3/bucketV2:BucketV2"):
        arn = _arn("s3", region, name)
        outputs["bucketDomainName"] = f"{name}.s3.amazonaws.com"
        outputs["bucketRegionalDomainName"] = f"{name}.s3.{region}.amazonaws.com"
        outputs["hostedZoneId"] = "Z3AQBSTGFYJSTF"
        outputs["region"] = region
    elif type_ == "aws:kms/key:Key":
        rid = _uuid(urn)
        arn = _arn("kms", region, f"key/{rid}")
        outputs["keyId"] = rid
    elif type_ == "aws:kms/alias:Alias":
        alias = inputs.get("name") if isinstance(inputs.get("name"), str) else f"alias/{name}"
        rid = alias
        arn = _arn("kms", region, alias)
        outputs["name"] = alias
        outputs["targetKeyArn"] = _arn("kms", region, f"key/{_uuid(urn + '#target')}")
    elif mod == "iam" and kind in ("role", "user", "group", "policy", "instanceProfile"):
        path = inputs.get("path") if isinstance(inputs.get("path"), str) else "/"
        prefix = {"instanceProfile": "instance-profile"}.get(kind, kind)
        arn = _arn("iam", region, f"{prefix}{path}{name}")
        if kind == "policy":
            rid = arn
            outputs["policyId"] = "ANPA" + digest(urn, length=17).upper()
        elif kind in ("role", "user", "group"):
            outputs["uniqueId"] = "AROA" + digest(urn, length=17).upper()
    elif type_ == "aws:rds/instance:Instance":
        arn = _arn("rds", region, f"db:{name}")
        port = inputs.get("port", 5432.0)
        outputs["identifier"] = name
        outputs["resourceId"] = "db-" + digest(urn, length=26).upper()
        outputs["address"] = f"{name}.{digest(urn, length=12)}.{region}.rds.amazonaws.com"
        outputs["endpoint"] = f"{outputs['address']}:{int(port)}"
        outputs.setdefault("port", port)
    elif type_ == "aws:rds/cluster:Cluster":
        arn = _arn("rds", region, f"cluster:{name}")
        outputs["clusterResourceId"] = "cluster-" + digest(urn, length=26).upper()
        outputs["endpoint"] = f"{name}.cluster-{digest(urn, length=12)}.{region}.rds.amazonaws.com"
        outputs["readerEndpoint"] = outputs["endpoint"].replace(".cluster-", ".cluster-ro-")
    elif mod == "rds":
        short = {
            "subnetGroup": "subgrp",
            "parameterGroup": "pg",
            "clusterParameterGroup": "cluster-pg",
            "optionGroup": "og",
            "clusterInstance": "db",
        }.get(kind, kind.lower())
        arn = _arn("rds", region, f"{short}:{name}")
    elif type_ == "aws:cloudwatch/logGroup:LogGroup":
        arn = _arn("logs", region, f"log-group:{name}")
    elif type_ == "aws:cloudwatch/metricAlarm:MetricAlarm":
        arn = _arn("cloudwatch", region, f"alarm:{name}")
    elif type_ == "aws:cloudwatch/eventRule:EventRule":
        arn = _arn("events", region, f"rule/{name}")
    elif type_ == "aws:sns/topic:Topic":
        arn = _arn("sns", region, name)
        rid = arn
    elif type_ == "aws:sns/topicSubscription:TopicSubscription":
        arn = _arn("sns", region, f"{name}:{_uuid(urn)}")
        rid = arn
    elif type_ == "aws:sqs/queue:Queue":
        arn = _arn("sqs", region, name)
        rid = f"https://sqs.{region}.amazonaws.com/{ACCOUNT_ID}/{name}"
        outputs["url"] = rid
    elif type_ == "aws:cloudtrail/trail:Trail":
        arn = _arn("cloudtrail", region, f"trail/{name}")
        rid = arn
        outputs["homeRegion"] = region
    elif type_ == "aws:backup/vault:Vault":
        arn = _arn("backup", region, f"backup-vault:{name}")
    elif type_ == "aws:backup/plan:Plan":
        rid = _uuid(urn)
        arn = _arn("backup", region, f"backup-plan:{rid}")
        outputs["version"] = digest(urn, length=32)
    elif type_ == "aws:backup/selection:Selection":
        rid = _uuid(urn)
    elif type_ == "aws:cognito/userPool:UserPool":
        rid = f"{region}_{digest(urn, length=9)}"
        arn = _arn("cognito-idp", region, f"userpool/{rid}")
        outputs["endpoint"] = f"cognito-idp.{region}.amazonaws.com/{rid}"
    elif type_ == "aws:cognito/userPoolClient:UserPoolClient":
        rid = digest(urn, length=26)
    elif type_ == "aws:secretsmanager/secret:Secret":
        arn = _arn("secretsmanager", region, f"secret:{name}-{digest(urn, length=6)}")
        rid = arn
    elif type_ == "aws:lambda/function:Function":
        arn = _arn("lambda", region, f"function:{name}")
        outputs["invokeArn"] = (
            f"arn:{PARTITION}:apigateway:{region}:lambda:path/2015-03-31/functions/{arn}/invocations"
        )
    elif type_ == "aws:dynamodb/table:Table":
        arn = _arn("dynamodb", region, f"table/{name}")
    elif mod == "ec2":
        prefix = {"vpc": "vpc", "subnet": "subnet", "securityGroup": "sg"}.get(kind, kind.lower())
        rid = f"{prefix}-{digest(urn, length=17)}"
        arn = _arn("ec2", region, f"{kind.lower()}/{rid}")
    elif mod in ("lb", "alb", "elasticloadbalancingv2"):
        kind_path = {"loadBalancer": "loadbalancer/app", "targetGroup": "targetgroup"}.get(
            kind, f"listener/app/{digest(urn, length=8)}"
        )
        arn = _arn("elasticloadbalancing", region, f"{kind_path}/{name}/{digest(urn, length=16)}")
        rid = arn
        if kind == "loadBalancer":
            outputs["dnsName"] = f"{name}-{digest(urn, length=10)}.{region}.elb.amazonaws.com"
    elif mod and mod not in ("index",):
        arn = _arn(mod, region, f"{kind.lower()}/{name}")
    outputs["id"] = rid
    if arn is not None:
        outputs["arn"] = arn
    return rid, outputs


# ---- invokes (data sources) -------------------------------------------------------------


def _one_or_list(values: Any) -> Any:
    """The AWS policy-document data source writes a single element as a plain string."""
    if isinstance(values, list) and len(values) == 1:
        return values[0]
    return values


def _principals(blocks: Any) -> Any:
    out: dict[str, Any] = {}
    for block in blocks or []:
        ptype = block.get("type")
        identifiers = block.get("identifiers") or []
        if ptype == "*" or (ptype == "AWS" and identifiers == ["*"] and not out):
            return "*"
        existing = out.get(ptype)
        merged = existing if isinstance(existing, list) else [existing] if existing else []
        merged += list(identifiers)
        out[ptype] = _one_or_list(sorted(set(merged)))
    return out


def _conditions(blocks: Any) -> dict[str, Any]:
    out: dict[str, dict[str, Any]] = {}
    for block in blocks or []:
        test = block.get("test")
        variable = block.get("variable")
        out.setdefault(test, {})[variable] = _one_or_list(list(block.get("values") or []))
    return out


def policy_document(args: dict[str, Any]) -> dict[str, Any]:
    """aws.iam.get_policy_document, built from its arguments like the real data source."""
    statements: list[dict[str, Any]] = []
    for source in args.get("sourcePolicyDocuments") or []:
        try:
            statements.extend(json.loads(source).get("Statement", []))
        except (ValueError, AttributeError):
            continue
    for block in args.get("statements") or []:
        stmt: dict[str, Any] = {}
        if block.get("sid"):
            stmt["Sid"] = block["sid"]
        stmt["Effect"] = block.get("effect") or "Allow"
        for key, field in (
            ("Action", "actions"),
            ("NotAction", "notActions"),
            ("Resource", "resources"),
            ("NotResource", "notResources"),
        ):
            if block.get(field):
                stmt[key] = _one_or_list(list(block[field]))
        if block.get("principals"):
            stmt["Principal"] = _principals(block["principals"])
        if block.get("notPrincipals"):
            stmt["NotPrincipal"] = _principals(block["notPrincipals"])
        if block.get("conditions"):
            stmt["Condition"] = _conditions(block["conditions"])
        statements.append(stmt)
    for override in args.get("overridePolicyDocuments") or []:
        try:
            for stmt in json.loads(override).get("Statement", []):
                sid = stmt.get("Sid")
                statements = [s for s in statements if not sid or s.get("Sid") != sid]
                statements.append(stmt)
        except (ValueError, AttributeError):
            continue
    doc: dict[str, Any] = {"Version": args.get("version") or "2012-10-17"}
    if args.get("policyId"):
        doc["Id"] = args["policyId"]
    doc["Statement"] = statements
    text = json.dumps(doc, indent=2)
    return {
        "json": text,
        "minifiedJson": json.dumps(doc, separators=(",", ":")),
        "id": digest(text, length=10),
        "statements": args.get("statements") or [],
    }


def invoke_result(token: str, args: dict[str, Any], region: str) -> dict[str, Any]:
    """Deterministic answers for the data sources programs commonly call; {} otherwise."""
    if token == "aws:index/getCallerIdentity:getCallerIdentity":
        return {
            "accountId": ACCOUNT_ID,
            "arn": f"arn:{PARTITION}:iam::{ACCOUNT_ID}:user/imekit-synth",
            "userId": "AIDA" + digest(token, length=17).upper(),
            "id": ACCOUNT_ID,
        }
    if token == "aws:index/getRegion:getRegion":
        reg = args.get("region") or args.get("name") or region
        return {
            "name": reg,
            "region": reg,
            "id": reg,
            "description": reg,
            "endpoint": f"ec2.{reg}.amazonaws.com",
        }
    if token == "aws:index/getPartition:getPartition":
        return {
            "partition": PARTITION,
            "id": PARTITION,
            "dnsSuffix": "amazonaws.com",
            "reverseDnsPrefix": "com.amazonaws",
        }
    if token == "aws:index/getAvailabilityZones:getAvailabilityZones":
        names = [f"{region}{suffix}" for suffix in "abc"]
        return {
            "names": names,
            "zoneIds": [f"use1-az{i}" for i in (1, 2, 3)],
            "groupNames": [region],
            "id": region,
        }
    if token == "aws:iam/getPolicyDocument:getPolicyDocument":
        return policy_document(args)
    if token == "aws:ec2/getVpc:getVpc":
        vid = "vpc-" + digest(token, length=17)
        return {
            "id": vid,
            "arn": _arn("ec2", region, f"vpc/{vid}"),
            "cidrBlock": "10.0.0.0/16",
            "default": True,
        }
    if token == "aws:ec2/getSubnets:getSubnets":
        return {"ids": ["subnet-" + digest(token, str(i), length=17) for i in range(3)]}
    if token == "aws:iam/getPolicy:getPolicy":
        name = args.get("name") or "policy"
        arn = args.get("arn") or f"arn:{PARTITION}:iam::aws:policy/{name}"
        return {"arn": arn, "name": name, "id": arn, "policy": "{}"}
    return {}
