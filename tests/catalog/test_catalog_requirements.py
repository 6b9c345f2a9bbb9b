"""requirements.yaml against the text of 45 CFR 164.308-164.316 as amended in 2013.

The expected sets below are written from the regulation, independently of the YAML, so a
mislabelled paragraph (e.g. an (ii)(B) that is really (ii)(C)) or a wrong required /
addressable flag fails here.
"""

from __future__ import annotations

from imekit.catalog import Catalog

STANDARDS = {
    "164.308(a)(1)(i)": "Security management process",
    "164.308(a)(2)": "Assigned security responsibility",
    "164.308(a)(3)(i)": "Workforce security",
    "164.308(a)(4)(i)": "Information access management",
    "164.308(a)(5)(i)": "Security awareness and training",
    "164.308(a)(6)(i)": "Security incident procedures",
    "164.308(a)(7)(i)": "Contingency plan",
    "164.308(a)(8)": "Evaluation",
    "164.308(b)(1)": "Business associate contracts and other arrangements",
    "164.310(a)(1)": "Facility access controls",
    "164.310(b)": "Workstation use",
    "164.310(c)": "Workstation security",
    "164.310(d)(1)": "Device and media controls",
    "164.312(a)(1)": "Access control",
    "164.312(b)": "Audit controls",
    "164.312(c)(1)": "Integrity",
    "164.312(d)": "Person or entity authentication",
    "164.312(e)(1)": "Transmission security",
    "164.314(a)(1)": "Business associate contracts or other arrangements",
    "164.314(b)(1)": "Requirements for group health plans",
    "164.316(a)": "Policies and procedures",
    "164.316(b)(1)": "Documentation",
}

REQUIRED_SPECIFICATIONS = {
    "164.308(a)(1)(ii)(A)": "Risk analysis",
    "164.308(a)(1)(ii)(B)": "Risk management",
    "164.308(a)(1)(ii)(C)": "Sanction policy",
    "164.308(a)(1)(ii)(D)": "Information system activity review",
    "164.308(a)(4)(ii)(A)": "Isolating health care clearinghouse functions",
    "164.308(a)(6)(ii)": "Response and reporting",
    "164.308(a)(7)(ii)(A)": "Data backup plan",
    "164.308(a)(7)(ii)(B)": "Disaster recovery plan",
    "164.308(a)(7)(ii)(C)": "Emergency mode operation plan",
    "164.308(b)(3)": "Written contract or other arrangement",
    "164.310(d)(2)(i)": "Disposal",
    "164.310(d)(2)(ii)": "Media re-use",
    "164.312(a)(2)(i)": "Unique user identification",
    "164.312(a)(2)(ii)": "Emergency access procedure",
    "164.314(a)(2)(i)": "Business associate contracts",
    "164.314(a)(2)(i)(A)": None,
    "164.314(a)(2)(i)(B)": None,
    "164.314(a)(2)(i)(C)": None,
    "164.314(a)(2)(ii)": "Other arrangements",
    "164.314(a)(2)(iii)": "Business associate contracts with subcontractors",
    "164.314(b)(2)(i)": None,
    "164.314(b)(2)(ii)": None,
    "164.314(b)(2)(iii)": None,
    "164.314(b)(2)(iv)": None,
    "164.316(b)(2)(i)": "Time limit",
    "164.316(b)(2)(ii)": "Availability",
    "164.316(b)(2)(iii)": "Updates",
}

ADDRESSABLE_SPECIFICATIONS = {
    "164.308(a)(3)(ii)(A)": "Authorization and/or supervision",
    "164.308(a)(3)(ii)(B)": "Workforce clearance procedure",
    "164.308(a)(3)(ii)(C)": "Termination procedures",
    "164.308(a)(4)(ii)(B)": "Access authorization",
    "164.308(a)(4)(ii)(C)": "Access establishment and modification",
    "164.308(a)(5)(ii)(A)": "Security reminders",
    "164.308(a)(5)(ii)(B)": "Protection from malicious software",
    "164.308(a)(5)(ii)(C)": "Log-in monitoring",
    "164.308(a)(5)(ii)(D)": "Password management",
    "164.308(a)(7)(ii)(D)": "Testing and revision procedures",
    "164.308(a)(7)(ii)(E)": "Applications and data criticality analysis",
    "164.310(a)(2)(i)": "Contingency operations",
    "164.310(a)(2)(ii)": "Facility security plan",
    "164.310(a)(2)(iii)": "Access control and validation procedures",
    "164.310(a)(2)(iv)": "Maintenance records",
    "164.310(d)(2)(iii)": "Accountability",
    "164.310(d)(2)(iv)": "Data backup and storage",
    "164.312(a)(2)(iii)": "Automatic logoff",
    "164.312(a)(2)(iv)": "Encryption and decryption",
    "164.312(c)(2)": "Mechanism to authenticate electronic protected health information",
    "164.312(e)(2)(i)": "Integrity controls",
    "164.312(e)(2)(ii)": "Encryption",
}


def test_every_standard_is_listed_with_its_title(catalog: Catalog) -> None:
    standards = {c: r.title for c, r in catalog.requirements.items() if r.is_standard}
    assert standards == STANDARDS
    assert all(catalog.requirements[c].is_required for c in STANDARDS)


def test_required_specifications(catalog: Catalog) -> None:
    required = {c for c, r in catalog.requirements.items() if not r.is_standard and r.is_required}
    assert required == set(REQUIRED_SPECIFICATIONS)
    for citation, title in REQUIRED_SPECIFICATIONS.items():
        if title:
            assert catalog.requirements[citation].title == title


def test_addressable_specifications(catalog: Catalog) -> None:
    addressable = {c: r.title for c, r in catalog.requirements.items() if r.is_addressable}
    assert addressable == ADDRESSABLE_SPECIFICATIONS


def test_nothing_outside_the_five_sections(catalog: Catalog) -> None:
    expected = set(STANDARDS) | set(REQUIRED_SPECIFICATIONS) | set(ADDRESSABLE_SPECIFICATIONS)
    assert set(catalog.requirements) == expected
    assert {r.section for r in catalog.requirements.values()} == {
        "164.308",
        "164.310",
        "164.312",
        "164.314",
        "164.316",
    }


def test_safeguard_category_follows_the_section(catalog: Catalog) -> None:
    expected = {
        "164.308": "administrative",
        "164.310": "physical",
        "164.312": "technical",
        "164.314": "organizational",
        "164.316": "documentation",
    }
    for requirement in catalog.requirements.values():
        assert requirement.safeguard == expected[requirement.section], requirement.citation


def test_specifications_hang_under_their_standard(catalog: Catalog) -> None:
    assert catalog.requirements["164.308(a)(1)(ii)(A)"].parent == "164.308(a)(1)(i)"
    assert catalog.requirements["164.308(b)(3)"].parent == "164.308(b)(1)"
    assert catalog.requirements["164.312(c)(2)"].parent == "164.312(c)(1)"
    assert catalog.requirements["164.314(a)(2)(i)(B)"].parent == "164.314(a)(2)(i)"
    assert catalog.requirements["164.316(b)(2)(iii)"].parent == "164.316(b)(1)"
    for requirement in catalog.requirements.values():
        if requirement.is_standard:
            assert requirement.parent is None
        else:
            assert requirement.parent in catalog.requirements


def test_listed_in_regulation_order(catalog: Catalog) -> None:
    citations = list(catalog.requirements)
    assert citations == sorted(citations, key=lambda c: catalog.requirements[c].sort_key)


def test_every_addressable_specification_records_its_assessment(catalog: Catalog) -> None:
    for citation in ADDRESSABLE_SPECIFICATIONS:
        decision = catalog.requirements[citation].decision
        assert decision is not None, citation
        assert decision.rationale


def test_nist_800_53_mapping_on_every_requirement(catalog: Catalog) -> None:
    for requirement in catalog.requirements.values():
        assert requirement.nist_800_53r5, requirement.citation
    assert "SC-28" in catalog.requirements["164.312(a)(2)(iv)"].nist_800_53r5
    assert "CP-9" in catalog.requirements["164.308(a)(7)(ii)(A)"].nist_800_53r5
    assert catalog.regulation.nist_800_53r5_source


def test_aliases_resolve_to_the_standard(catalog: Catalog) -> None:
    assert catalog.resolve_citation("164.308(a)(1)") == "164.308(a)(1)(i)"
    assert catalog.requirement("164.312(a)").citation == "164.312(a)(1)"
    assert catalog.resolve_citation("164.399(a)") is None


def test_regulation_version_policy(catalog: Catalog) -> None:
    regulation = catalog.regulation
    assert regulation.text_version == "2013-03-26"
    assert "78 FR 5566" in regulation.text_version_note
    [nprm] = regulation.pending_changes
    assert nprm.kind == "proposed-rule"
    assert nprm.published == "2025-01-06"
    assert "90 FR 898" in nprm.reference
    assert "not in force" in nprm.note
