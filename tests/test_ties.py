"""One definition of a tie and of a partner's type, the same in every output:
the named query, the projections, the centrality table and the main job's summary."""

from __future__ import annotations

import pytest

from kgraph import network
from kgraph.querytext import named_query
from kgraph.ties import KINDS, STATE_TYPES, partner_type

USA = "https://w3id.org/defdip/id/country/USA"
DEU = "https://w3id.org/defdip/id/country/DEU"


@pytest.fixture(scope="module")
def per_partner(kg) -> dict[str, tuple[int, int]]:
    """partner -> (kinds, ties), from the named query."""
    t = kg.ox.select(named_query("partner-tie-kinds").text, labels=False)
    return {r[0]: (r[1], r[2]) for r in t.rows}


def test_the_report_s_ties_by_kind(kg):
    rows = kg.ox.select("""SELECT ?kind (COUNT(?t) AS ?n) WHERE { ?t a dd:Tie ; dd:tieKind ?kind }
                           GROUP BY ?kind""", labels=False).rows
    by_kind = {iri.rsplit("/tie-", 1)[-1]: n for iri, n in rows}
    assert set(by_kind) == set(KINDS)
    assert by_kind["defence-cooperation"] == 49      # 資料5
    assert by_kind["military-information"] == 26     # 資料4
    assert by_kind["defence-industry"] == 42         # 資料3
    assert by_kind["un-command-1950"] == 22          # 図表1: 16 + 6 participants, Korea left out, Germany in
    assert sum(by_kind.values()) == 255


def test_the_third_state_command_rule(per_partner):
    # Liaison officers at US Africa Command (in Germany) tie Korea to the United States.
    assert per_partner[USA] == (6, 21)
    # Germany: 資料5, 資料3 and its footnoted place in 図表1; the 資料2 row printed ドイツ
    # (officers at AFRICOM) is a tie with the United States.
    assert per_partner[DEU] == (3, 3)


def test_every_output_counts_the_same_ties_for_every_partner(kg, per_partner):
    ego = network.projection(kg, "ego")
    multi = network.projection(kg, "multiplex")
    korea = network.KOREA
    assert set(ego.neighbors(korea)) == set(per_partner)
    for partner, (kinds, ties) in per_partner.items():
        edge = ego.edges[korea, partner]
        assert (edge["kinds"], edge["weight"]) == (kinds, ties), partner
        assert sum(edge[f"n_{k.replace('-', '_')}"] for k in KINDS) == ties, partner
        assert multi.number_of_edges(korea, partner) == kinds, partner
        assert sum(d["weight"] for d in multi.get_edge_data(korea, partner).values()) == ties, partner
    strength = network.centrality(ego).set_index("node")["strength"]
    assert all(strength[p] == ties for p, (_, ties) in per_partner.items())


def test_the_main_job_summary_prints_the_same_top_partners(kg, per_partner):
    from kgraph.commands import _summary

    text = _summary(kg, True, 0)
    table = text.split("Partners tied to Korea in the most ways (top 10)\n", 1)[1]
    labels = kg.ox.labels("en")
    top = sorted(per_partner.items(), key=lambda kv: (-kv[1][0], -kv[1][1]))[:10]
    lines = table.splitlines()[2:12]
    for (partner, (kinds, ties)), line in zip(top, lines, strict=True):
        assert line.startswith(labels[partner]), line
        assert line.split()[len(labels[partner].split()):][:2] == [str(kinds), str(ties)], line


def test_partner_types_are_stated_in_the_data(kg):
    attrs = network.node_attributes(kg)
    types = {iri.rsplit("/", 1)[-1]: a["partner_type"] for iri, a in attrs.items()}
    assert types["USA"] == "state"
    assert types["south-vietnam"] == "former state"
    assert types["ESH"] == "territory"
    assert types["nato"] == "organisation"
    assert types["unifil"] == "mission"
    # Every partner of a tie has a type, and the non-states among them are few and named.
    partners = {r[0] for r in kg.ox.select("SELECT DISTINCT ?p WHERE { ?t dd:tiePartner ?p }",
                                            labels=False).rows}
    assert all(attrs[p]["partner_type"] for p in partners)
    non_states = sorted(p.rsplit("/", 1)[-1] for p in partners
                        if attrs[p]["partner_type"] not in STATE_TYPES)
    assert non_states == ["ESH", "nato"]
    assert partner_type(["https://w3id.org/defdip/ontology#Country"]) == "state"


def test_the_readme_table_is_the_named_query(kg):
    from kgraph.formats import render
    from tests.conftest import ROOT

    t = kg.ox.select(named_query("partner-tie-kinds").text)
    expected = render(t.columns, t.rows[:5], "md")
    assert expected in (ROOT / "README.md").read_text(encoding="utf-8")
