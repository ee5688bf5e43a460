"""No output shows a day the report did not print: a record known to a month, a
year or a decade comes out at that precision in the main job's summary, the
network files for Gephi and Cytoscape, and the network page."""

from __future__ import annotations

from datetime import date

import pytest

from kgraph import network
from tests.datescan import invented_days, printed_days, scan_files

TODAY = date.today().isoformat()


@pytest.fixture(scope="module")
def allowed(kg) -> set[str]:
    days = printed_days(kg)
    assert "2016-11-23" in days          # GSOMIA with Japan, printed to the day
    assert "1950-01-01" not in days      # the 1950s attaché offices: a decade, never a day
    return days


def test_the_main_job_summary(kg, allowed):
    from kgraph.commands import _summary

    text = _summary(kg, True, 0)
    assert "1940s" in text               # the United States' first tie: its attaché office in Korea
    assert invented_days(text, allowed) == []


@pytest.mark.parametrize("projection", ["ego", "multiplex", "bipartite"])
@pytest.mark.parametrize("fmt", ["graphml", "gexf"])
def test_network_files(kg, allowed, tmp_path, projection, fmt):
    path = tmp_path / f"{projection}.{fmt}"
    network.to_file(network.projection(kg, projection), path, fmt)
    # networkx's GEXF writer stamps the day of writing; to_file removes it, so
    # a file written on any day holds only the data's days (and two runs agree).
    assert scan_files([path], allowed) == {}
    again = tmp_path / f"again.{fmt}"
    network.to_file(network.projection(kg, projection), again, fmt)
    assert again.read_bytes() == path.read_bytes()


def test_the_network_page(kg, allowed, tmp_path):
    from kgraph.viz import write_network_page

    page = write_network_page(kg, tmp_path)
    # The embedded vis-network states its own release day in a comment.
    assert scan_files([page], allowed, ignore=[TODAY, "2022-03-28"]) == {}
