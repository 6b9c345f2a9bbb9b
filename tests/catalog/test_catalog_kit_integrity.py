"""The kit's own catalog against the kit's own pack, runbooks and infra (the real files).

An area whose folder is still empty is skipped with the reason; once it holds files,
every dangling reference fails here.
"""

from __future__ import annotations

import pytest

from imekit.catalog import Catalog
from imekit.catalog.integrity import (
    AreaResult,
    check_components,
    check_coverage,
    check_policies,
    check_runbooks,
)
from imekit.paths import kit_root


def _assert_clean(result: AreaResult) -> None:
    if result.skipped:
        pytest.skip(f"{result.area} not checked: {result.skipped}")
    assert result.checked > 0
    assert [str(p) for p in result.problems] == []


def test_every_requirement_is_covered(catalog: Catalog) -> None:
    _assert_clean(check_coverage(catalog))


def test_pack_rules_and_catalog_agree(catalog: Catalog) -> None:
    root = kit_root()
    _assert_clean(check_policies(catalog, root / "policies", root))


def test_runbooks_and_catalog_agree(catalog: Catalog) -> None:
    root = kit_root()
    _assert_clean(check_runbooks(catalog, root / "runbooks", root))


def test_infra_components_exist(catalog: Catalog) -> None:
    root = kit_root()
    _assert_clean(check_components(catalog, root / "infra", root))


def test_line_reader_agrees_with_the_pack_loader() -> None:
    """Two independent readers of the pack (lines here, the Rego AST in imekit.policy)."""
    from imekit.catalog.rego_scan import scan_pack

    root = kit_root()
    scan = scan_pack(root / "policies")
    if not scan.files:
        pytest.skip("policies/ holds no .rego files yet")
    pack_module = pytest.importorskip("imekit.policy.pack")
    pack = pack_module.load_pack(root / "policies")
    assert sorted(scan.rules) == sorted(pack.rule_names())
    for rule in pack.rules:
        assert scan.rules[rule.name].controls == {rule.control}, rule.name
