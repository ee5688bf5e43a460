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
    # Japan and Italy share the Gulf of Aden exercise (2 foreign partners: 1/1)
    # and the defence cooperation agreements (49 partners: 1/48).
    assert p[JPN][ITA]["weight"] == pytest.approx(1 + 1 / 48, abs=1e-6)
    assert p[JPN][ITA]["shared"] == 2
    assert KOR not in p


def test_partner_centrality_ranks(graph):
    p = network.projection(graph, "partners")
    df = network.centrality(p, sort_by="strength")
    # Newman weighting: a partner's strength is the number of contexts it is in.
    # US: GSOMIA, defence industry, Cobra Gold, submarine rescue, UN Command, NATO.
    assert df.iloc[0]["label"] == "United States"
    assert df.iloc[0]["strength"] == pytest.approx(6, abs=1e-4)
    japan = df.set_index("label").loc["Japan"]
    assert japan["strength"] == pytest.approx(5, abs=1e-4)
    assert df.attrs["graph"] == "partners"
    by_eigen = network.centrality(p, sort_by="eigenvector")
    assert list(by_eigen["label"][:2]) == ["United States", "Japan"]


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
