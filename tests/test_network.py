"""The partner network: ties decided once, projections, centrality rankings
worked out by hand from the report."""

from __future__ import annotations

import pytest

from kgraph import network

C = "https://w3id.org/defdip/id/country/"
KOR, USA, PHL, JPN, ITA, DEU = (C + k for k in ("KOR", "USA", "PHL", "JPN", "ITA", "DEU"))


@pytest.fixture(scope="module")
def ties(graph):
    return network.ties(graph)


@pytest.fixture(scope="module")
def ego(graph):
    return network.projection(graph, "ego")


def test_most_kinds_of_tie_is_the_philippines(ego):
    # By hand: 資料5, 資料4, 資料3 (x2), the FA-50 purchase, the Araw unit,
    # attaché offices both ways in the 1950s (図表8), the 1950 UN Command.
    edges = sorted(((d["kinds"], d["weight"], v) for _, v, d in ego.edges(KOR, data=True)), reverse=True)
    assert edges[0] == (7, 9, PHL)
    assert ego[KOR][PHL]["n_defence_industry"] == 2


def test_the_united_states_has_the_most_ties(ego):
    d = ego[KOR][USA]
    assert d["weight"] == 21
    assert (d["n_military_information"], d["n_defence_industry"], d["n_defence_cooperation"]) == (1, 1, 0)
    assert (d["n_deployment"], d["n_attache_office"], d["n_un_command_1950"]) == (2, 2, 1)
    assert d["n_exercise"] == 14
    assert d["first_date"] == "1940s"   # the US attaché office in Korea, dated to the decade


def test_liaison_officers_at_a_us_command_are_a_tie_with_the_us_not_the_host(ties):
    # 資料2: a liaison officer at US Africa Command in Germany since 2016-03.
    africom = [t for t in ties if t.record.endswith("germany-africom-liaison")]
    assert [(t.partner, t.kind) for t in africom] == [(USA, "deployment")]
    assert not any(t.partner == DEU and t.kind == "deployment" for t in ties)


def test_korea_is_never_its_own_partner(ties, ego):
    assert all(t.partner != KOR for t in ties)
    assert ego.degree(KOR) == ego.number_of_nodes() - 1


def test_multiplex_has_one_edge_per_kind(graph):
    m = network.projection(graph, "multiplex")
    assert m.number_of_edges(KOR, USA) == 6
    assert m.number_of_edges(KOR, PHL) == 7
    assert {k for _, _, k in m.edges(KOR, keys=True)} == set(network.TIE_KINDS)


def test_partners_projection_weights_by_shared_context(graph):
    p = network.projection(graph, "partners")
    # Japan and Italy share only the Gulf of Aden exercise (2 foreign partners: 1/1);
    # their defence cooperation agreements with Korea are not a context they shared.
    assert p[JPN][ITA]["weight"] == pytest.approx(1.0)
    assert p[JPN][ITA]["shared"] == 1
    assert p[JPN][ITA]["context_kind"] == "exercise"
    assert KOR not in p
    # Denmark and Norway: NATO (22 members among the partners: 1/21), NORDEFCO (4: 1/3)
    # and the 1950 UN Command (22 participants: 1/21).
    assert p[C + "DNK"][C + "NOR"]["weight"] == pytest.approx(1 / 21 + 1 / 3 + 1 / 21)
    assert p[C + "DNK"][C + "NOR"]["shared"] == 3
    assert p[C + "DNK"][C + "NOR"]["context_kind"] == "membership"
    # Partners whose ties with Korea are all bilateral share nothing: left out, counted.
    assert C + "UZB" not in p and p.graph["isolates_left_out"] == 49
    # No clique of instrument holders: far fewer edges than the 1,866 that rule gave.
    assert p.number_of_edges() == 435


def test_centrality_on_a_small_fixture_by_hand():
    # Exercise X with A, B, C (n=3: each pair 1/2) and exercise Y with A, D (1/1);
    # A and B also hold defence cooperation agreements with Korea (not shared).
    T = network.Tie
    ts = [T(v, "exercise", "X", "X", None, None, None) for v in "ABC"]
    ts += [T(v, "exercise", "Y", "Y", None, None, None) for v in "AD"]
    ts += [T(v, "defence-cooperation", "dca-" + v, "dca-" + v, None, None, None) for v in "AB"]
    p = network.partners(ts, {})
    assert sorted((a, b, w) for a, b, w in p.edges(data="weight")) == [
        ("A", "B", 0.5), ("A", "C", 0.5), ("A", "D", 1.0), ("B", "C", 0.5)]
    df = network.centrality(p).set_index("node")
    # Strength: contexts each is in (A: X and Y).  Edge length 1/w: A-B, A-C, B-C are 2,
    # A-D is 1.  Shortest paths B-D and C-D run through A (3 < anything else); B-C is
    # direct (2 < 4).  Betweenness of A: 2 of the 3 pairs of others, normalized
    # 2 / ((n-1)(n-2)/2) = 2/3.  Closeness = (n-1) / sum of distances: A 3/5, B 3/7, D 3/7.
    assert df["strength"].to_dict() == {"A": 2.0, "B": 1.0, "C": 1.0, "D": 1.0}
    assert df["degree"].to_dict() == {"A": 3, "B": 2, "C": 2, "D": 1}
    assert df.loc["A", "betweenness"] == pytest.approx(2 / 3)
    assert df.loc["B", "betweenness"] == df.loc["D", "betweenness"] == 0
    assert df.loc["A", "closeness"] == pytest.approx(3 / 5)
    assert df.loc["B", "closeness"] == pytest.approx(3 / 7)
    assert df.loc["D", "closeness"] == pytest.approx(3 / 7)
    s = network.summary(p)
    assert (s["nodes"], s["edges"], s["components"]) == (4, 4, 1)
    assert s["density"] == pytest.approx(4 / 6)


def test_values_are_rounded_to_significant_digits():
    assert network.significant(4.999999) == 5.0
    assert network.significant(6.000004) == 6.0
    assert network.significant(0.0755213) == 0.07552


def test_partner_centrality_ranks(graph):
    p = network.projection(graph, "partners")
    df = network.centrality(p, sort_by="strength")
    # Newman weighting: a partner's strength is the number of contexts it is in.
    # US: Cobra Gold, the submarine rescue exercise, the UN Command, NATO.
    assert df.iloc[0]["label"] == "United States"
    assert df.iloc[0]["strength"] == 4
    japan = df.set_index("label").loc["Japan"]
    # Japan: Cobra Gold, the submarine rescue exercise, the Gulf of Aden exercise.
    assert japan["strength"] == 3
    assert df.attrs["graph"] == "partners"
    by_between = network.centrality(p, sort_by="betweenness")
    assert list(by_between["label"][:2]) == ["United States", "Singapore"]


def test_states_only_leaves_out_organisations_and_missions(graph):
    ego = network.projection(graph, "ego", states=True)
    types = {d.get("partner_type") for v, d in ego.nodes(data=True) if v != KOR}
    assert types <= {"state", "former state"}
    assert "https://w3id.org/defdip/id/organization/nato" not in ego


def test_unknown_administration_lists_the_valid_ones(graph):
    from kgraph.errors import KgraphError

    with pytest.raises(KgraphError) as e:
        network.projection(graph, "partners", administration="lee-myung")
    assert "lee-myung-bak" in e.value.hint and "moon-jae-in" in e.value.hint


def test_year_slices_fill_a_decade_with_inferred_ties(graph):
    # The US attaché office in Korea is dated to the 1940s: it is in 1945's slice, flagged.
    g = network.projection(graph, "ego", years=(1945, 1945))
    assert USA in g and g.graph["inferred_ties"] >= 1
    assert network.projection(graph, "ego", years=(2009, 2009)).graph["inferred_ties"] == 0


def _networkx_path_measures(g):
    """Betweenness and closeness as networkx computes them, edge length 1/weight."""
    import networkx as nx

    d = nx.Graph()
    d.add_nodes_from(g)
    d.add_weighted_edges_from(((a, b, 1 / w) for a, b, w in g.edges(data="weight")), weight="distance")
    return (nx.betweenness_centrality(d, weight="distance", normalized=True),
            nx.closeness_centrality(d, distance="distance"))


def test_path_measures_are_networkxs(graph):
    # Dense graphs (the partners projection; the small graph below, with two shortest
    # paths from a to d) take the shared shortest-path route, which must give networkx's values.
    import networkx as nx

    tied = nx.Graph(name="tied")
    tied.add_weighted_edges_from([("a", "b", 1), ("b", "d", 1), ("a", "c", 1), ("c", "d", 1),
                                  ("d", "e", 2), ("a", "e", 0.5), ("f", "g", 1)])
    for g in (network.projection(graph, "partners"), tied):
        df = network.centrality(g).set_index("node")
        between, close = _networkx_path_measures(g)
        for v in g:
            assert df.loc[v, "betweenness"] == pytest.approx(between[v], abs=1e-6), v
            assert df.loc[v, "closeness"] == pytest.approx(close[v], abs=1e-6), v
    assert 0 < between["b"] == between["c"]   # each on one of the two paths from a to d


def test_ego_centrality_is_a_star(ego):
    df = network.centrality(ego)
    assert df.iloc[0]["label"] == "South Korea" and df.iloc[0]["betweenness"] == 1.0
    assert (df["betweenness"][1:] == 0).all()
    assert df.iloc[1]["label"] == "United States" and df.iloc[1]["strength"] == 21
    assert list(df.columns[:4]) == ["node", "label", "type", "region"]


def test_bipartite_projection_links_partners_through_shared_events(graph):
    b = network.projection(graph, "bipartite")
    assert {d["bipartite"] for _, d in b.nodes(data=True)} == {0, 1}
    p = network.bipartite_projection(b)
    # Japan and the US share Cobra Gold and the Western Pacific submarine rescue exercise.
    assert p[JPN][USA]["weight"] == 2


def test_slices(graph):
    lee = network.projection(graph, "ego", administration="lee-myung-bak")
    # 34 agreements under Lee Myung-bak plus deployments, sales and events.
    assert sum(d["n_defence_cooperation"] for _, _, d in lee.edges(data=True)) == 15
    assert sum(d["n_military_information"] for _, _, d in lee.edges(data=True)) == 9
    early = network.projection(graph, "ego", years=(1987, 1993))
    partners = {v for v in early if v != KOR}
    assert {USA, C + "THA", C + "ESP", C + "FRA", C + "GBR"} <= partners


def test_regions_come_from_un_m49(graph):
    attrs = network.node_attributes(graph)
    assert attrs[KOR]["region"] == "Eastern Asia"
    assert attrs[USA]["region"] == "Northern America"
    assert attrs["https://w3id.org/defdip/id/organization/nato"]["region"] == "International organization"
    # A former state takes its successor's region.
    assert attrs[C + "soviet-union"]["region"] == "Eastern Europe"


def test_graphml_and_gexf_open_in_networkx(graph, tmp_path):
    import networkx as nx

    g = network.projection(graph, "ego")
    network.to_file(g, tmp_path / "ego.graphml", "graphml")
    network.to_file(g, tmp_path / "ego.gexf", "gexf")
    back = nx.read_graphml(tmp_path / "ego.graphml")
    assert back.number_of_nodes() == g.number_of_nodes()
    assert back.nodes[PHL]["label_ja"] == "フィリピン"
    assert nx.read_gexf(tmp_path / "ego.gexf").number_of_edges() == g.number_of_edges()


def test_the_page_leaves_out_views_too_large_to_draw(kg):
    from kgraph.viz import build_views

    left_out: list[str] = []
    views = build_views(kg, projections=("ego", "bipartite"), by_administration=False,
                        max_nodes=100, left_out=left_out)
    # The bundled ego network has 92 nodes (Korea and 91 partners); the bipartite one 316.
    assert {v.projection: v.graph.number_of_nodes() for v in views} == {"ego": 92}
    assert left_out == ["bipartite (all years, 316 nodes)"]


def test_gexf_plays_in_time(kg, tmp_path):
    import xml.etree.ElementTree as ET

    g = network.projection(kg, "multiplex")
    network.to_file(g, tmp_path / "m.gexf", "gexf")
    root = ET.parse(tmp_path / "m.gexf").getroot()
    ns = {"g": root.tag.split("}")[0][1:]}
    graph_el = root.find("g:graph", ns)
    assert graph_el.get("mode") == "dynamic" and graph_el.get("timeformat") == "double"
    spells = {}
    for e in root.iter(f"{{{ns['g']}}}edge"):
        ends = {e.get("source"), e.get("target")}
        if ends == {KOR, USA} and e.get("label", e.get("id")) is not None:
            kind = next((a.get("value") for a in e.iter(f"{{{ns['g']}}}attvalue")
                         if a.get("value") in network.TIE_KINDS), None)
            spells[kind] = [(s.get("start"), s.get("end")) for s in e.iter(f"{{{ns['g']}}}spell")]
    # The US attaché office in Korea, printed "1940s": one spell over the whole decade.
    assert ("1940.0", "1949.0") in spells["attache-office"]
    # The 2019 exercises: all in 2019 (years, never an invented day).
    assert set(spells["exercise"]) == {("2019.0", "2019.0")}
    nodes = {n.get("id"): n.get("start") for n in root.iter(f"{{{ns['g']}}}node")}
    assert nodes[USA] == "1940.0"
