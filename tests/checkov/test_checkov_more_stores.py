"""checkov through the bridge on PHI stores beyond S3 and RDS (tests/policy/programs/more_stores):
DocumentDB, Redshift, OpenSearch/Elasticsearch, ElastiCache and EC2 block devices. The
catalog's mandatory ids for these types must see the properties the bridge writes."""

from __future__ import annotations

from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
MORE_STORES = REPO / "tests" / "policy" / "programs" / "more_stores"

# check id -> (resources it fails, resources it passes), by Pulumi name.
EXPECTED = {
    "CKV_AWS_74": ({"notes-bad"}, {"notes-ok"}),
    "CKV_AWS_5": ({"search-bad"}, {"search-ok", "legacy-search"}),
    "CKV_AWS_191": ({"cache-bad"}, {"cache-ok", "cache-valkey"}),
    "CKV_AWS_228": ({"search-bad", "legacy-search"}, {"search-ok"}),
    "CKV_AWS_105": ({"warehouse-lax-params"}, {"warehouse-params"}),
    "CKV_AWS_8": ({"worker-bad", "worker-data"}, {"worker-ok"}),
    # documented known false results (controls/checkov.yaml), advisory for that reason
    "CKV_AWS_29": ({"cache-bad", "cache-valkey"}, {"cache-ok"}),
    "CKV_AWS_87": (
        {"warehouse-bad", "warehouse-defaults", "warehouse-shared"},
        {"warehouse-ok"},
    ),
}


def _name(urn: str) -> str:
    return urn.rsplit("::", 1)[-1]


@pytest.mark.needs_checkov
def test_mandatory_ids_for_more_phi_stores_see_the_bridged_properties(checkov_env) -> None:
    from imekit.checkov import run_checkov
    from imekit.graph.synth import synthesize

    result = run_checkov([synthesize(MORE_STORES, stack="test")])
    failed: dict[str, set[str]] = {}
    for finding in result.findings:
        failed.setdefault(finding.check_id, set()).add(_name(finding.urn))
    for check_id, (fails, passes) in EXPECTED.items():
        assert failed.get(check_id, set()) == fails, check_id
        assert {_name(u) for u in result.passed.get(check_id, set())} == passes, check_id
    assert not result.unmapped_types
    enforcement = {f.check_id: f.enforcement for f in result.findings}
    assert enforcement["CKV_AWS_74"] == "mandatory" and enforcement["CKV_AWS_87"] == "advisory"
