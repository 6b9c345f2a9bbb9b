"""The IME case database: an encrypted, private RDS PostgreSQL instance that forces TLS."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

import pulumi
import pulumi_aws as aws

from .context import PlatformContext
from .guards import require_customer_managed_key
from .policy_documents import service_trust_policy
from .tagging import resource_tags

MIN_BACKUP_RETENTION_DAYS = 7
MAX_BACKUP_RETENTION_DAYS = 35  # RDS's own maximum for automated backups
MIN_LOG_RETENTION_DAYS = 2192
MIN_POSTGRES_MAJOR = 14
LOG_EXPORTS = ("postgresql", "upgrade")
MASTER_USERNAME = "ime_admin"
MONITORING_INTERVAL_SECONDS = 60
DATABASE_NAME = "cases"

_SUBNET_RE = re.compile(r"^subnet-[0-9a-f]{8,17}$")
_SECURITY_GROUP_RE = re.compile(r"^sg-[0-9a-f]{8,17}$")
_ENGINE_VERSION_RE = re.compile(r"^(\d+)(\.\d+)?$")

# Server parameters: TLS is forced (IME-TLS-01), old TLS refused, connections logged.
SERVER_PARAMETERS = {
    "rds.force_ssl": "1",
    "ssl_min_protocol_version": "TLSv1.2",
    "password_encryption": "scram-sha-256",
    "log_connections": "1",
    "log_disconnections": "1",
}


@dataclass
class CaseDatabaseArgs:
    context: PlatformContext
    kms_key_arn: pulumi.Input[str]
    log_key_arn: pulumi.Input[str]
    subnet_ids: Sequence[str]
    security_group_ids: Sequence[str] = field(default_factory=tuple)
    instance_class: str = "db.t4g.medium"
    engine_version: str = "16"
    allocated_storage_gb: int = 50
    max_allocated_storage_gb: int = 200
    multi_az: bool = True
    backup_retention_days: int = MIN_BACKUP_RETENTION_DAYS
    log_retention_days: int = MIN_LOG_RETENTION_DAYS

    def __post_init__(self) -> None:
        require_customer_managed_key(self.kms_key_arn, "the case database")
        require_customer_managed_key(self.log_key_arn, "the case database's log groups")
        if len(self.subnet_ids) < 2:
            raise ValueError(
                "the case database needs at least two subnet ids (in two availability zones)"
            )
        for subnet in self.subnet_ids:
            if not _SUBNET_RE.match(subnet):
                raise ValueError(f"{subnet!r} is not a subnet id (subnet-...)")
        for group in self.security_group_ids:
            if not _SECURITY_GROUP_RE.match(group):
                raise ValueError(f"{group!r} is not a security group id (sg-...)")
        if not self.instance_class.startswith("db."):
            raise ValueError(f"{self.instance_class!r} is not an RDS instance class (db....)")
        if self.major_version < MIN_POSTGRES_MAJOR:
            raise ValueError(
                f"PostgreSQL {self.engine_version} is older than the supported minimum"
                f" {MIN_POSTGRES_MAJOR}"
            )
        retention = self.backup_retention_days
        if not MIN_BACKUP_RETENTION_DAYS <= retention <= MAX_BACKUP_RETENTION_DAYS:
            raise ValueError(
                f"database backup retention must be {MIN_BACKUP_RETENTION_DAYS}-"
                f"{MAX_BACKUP_RETENTION_DAYS} days, got {retention}"
            )
        if self.log_retention_days < MIN_LOG_RETENTION_DAYS:
            raise ValueError(
                f"database log retention of {self.log_retention_days} days is below the"
                f" minimum of {MIN_LOG_RETENTION_DAYS} days"
            )
        if not 20 <= self.allocated_storage_gb <= self.max_allocated_storage_gb:
            raise ValueError(
                "allocated storage must be at least 20 GB and not above the autoscaling maximum"
            )

    @property
    def major_version(self) -> int:
        match = _ENGINE_VERSION_RE.match(self.engine_version)
        if not match:
            raise ValueError(f"{self.engine_version!r} is not a PostgreSQL version like 16 or 16.4")
        return int(match.group(1))


class CaseDatabase(pulumi.ComponentResource):
    COMPONENT = "case-database"

    def __init__(
        self, name: str, args: CaseDatabaseArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("imekit:platform:CaseDatabase", name, None, opts)
        ctx = args.context
        child = pulumi.ResourceOptions(parent=self)
        tags = resource_tags(ctx, self.COMPONENT)
        self.identifier = ctx.physical_name("cases")
        major = args.major_version

        subnet_group = aws.rds.SubnetGroup(
            f"{name}-subnet-group",
            name=ctx.physical_name("cases"),
            description="Private subnets of the IME case database",
            subnet_ids=list(args.subnet_ids),
            tags=tags,
            opts=child,
        )
        self.parameter_group = aws.rds.ParameterGroup(
            f"{name}-parameters",
            name=ctx.physical_name(f"cases-postgres{major}"),
            family=f"postgres{major}",
            description="IME case database: TLS forced, TLS 1.2+, connections logged",
            parameters=[
                aws.rds.ParameterGroupParameterArgs(name=key, value=value)
                for key, value in SERVER_PARAMETERS.items()
            ],
            tags=tags,
            opts=child,
        )
        # Created ahead of the instance so RDS writes into encrypted groups with the retention
        # policy instead of creating unencrypted, never-expiring ones on first export.
        self.log_groups = [
            aws.cloudwatch.LogGroup(
                f"{name}-{export}-logs",
                name=f"/aws/rds/instance/{self.identifier}/{export}",
                kms_key_id=args.log_key_arn,
                retention_in_days=args.log_retention_days,
                tags=resource_tags(ctx, self.COMPONENT, "logs"),
                opts=child,
            )
            for export in LOG_EXPORTS
        ]
        # Enhanced monitoring: OS-level metrics every minute, for activity review and incidents.
        monitoring_role = aws.iam.Role(
            f"{name}-monitoring-role",
            name=ctx.physical_name("rds-monitoring"),
            description="RDS enhanced monitoring publishes OS metrics of the case database",
            assume_role_policy=service_trust_policy(
                "monitoring.rds.amazonaws.com",
                {"StringEquals": {"aws:SourceAccount": ctx.account_id}},
            ),
            tags=tags,
            opts=child,
        )
        monitoring_policy = aws.iam.RolePolicyAttachment(
            f"{name}-monitoring-policy",
            role=monitoring_role.name,
            policy_arn=f"arn:{ctx.partition}:iam::aws:policy/service-role/AmazonRDSEnhancedMonitoringRole",
            opts=child,
        )
        self.instance = aws.rds.Instance(
            f"{name}-instance",
            identifier=self.identifier,
            engine="postgres",
            engine_version=args.engine_version,
            instance_class=args.instance_class,
            allocated_storage=args.allocated_storage_gb,
            max_allocated_storage=args.max_allocated_storage_gb,
            storage_type="gp3",
            storage_encrypted=True,
            kms_key_id=args.kms_key_arn,
            db_name=DATABASE_NAME,
            username=MASTER_USERNAME,
            # The master password is generated and rotated by RDS in Secrets Manager, encrypted
            # with the case-database key: no password exists in config, state or output.
            manage_master_user_password=True,
            master_user_secret_kms_key_id=args.kms_key_arn,
            iam_database_authentication_enabled=True,
            db_subnet_group_name=subnet_group.name,
            vpc_security_group_ids=list(args.security_group_ids) or None,
            parameter_group_name=self.parameter_group.name,
            publicly_accessible=False,
            multi_az=args.multi_az,
            backup_retention_period=args.backup_retention_days,
            backup_window="03:00-04:00",
            maintenance_window="sun:04:30-sun:05:30",
            copy_tags_to_snapshot=True,
            delete_automated_backups=False,
            deletion_protection=True,
            skip_final_snapshot=False,
            final_snapshot_identifier=f"{self.identifier}-final",
            enabled_cloudwatch_logs_exports=list(LOG_EXPORTS),
            monitoring_interval=MONITORING_INTERVAL_SECONDS,
            monitoring_role_arn=monitoring_role.name.apply(ctx.role_arn),
            performance_insights_enabled=True,
            performance_insights_kms_key_id=args.kms_key_arn,
            auto_minor_version_upgrade=True,
            ca_cert_identifier="rds-ca-rsa2048-g1",
            tags=resource_tags(ctx, self.COMPONENT, "phi"),
            opts=pulumi.ResourceOptions(
                parent=self, depends_on=[*self.log_groups, monitoring_policy]
            ),
        )
        # Known during preview and dependent on the instance (see SecureBucket.arn).
        self.arn: pulumi.Output[str] = self.instance.identifier.apply(
            lambda identifier: ctx.arn("rds", f"db:{identifier}")
        )
        self.register_outputs({"identifier": self.instance.identifier, "arn": self.arn})
