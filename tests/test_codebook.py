"""`kgraph codebook`: the codebook of the tables, generated from the ontology and the
CSVW metadata, checked against the report, the ontology and the tables themselves."""

from __future__ import annotations

import os
import re
import stat
from html.parser import HTMLParser

import pytest

from kgraph.prefixes import BASE, DD

JAPANESE = re.compile(r"[\u3040-\u30ff\u3400-\u9fff]")
VOID = {"meta", "br", "hr", "img", "link", "input", "col", "area", "base", "source", "wbr"}


@pytest.fixture(scope="module")
def built(kg):
    from kgraph.codebook import build_codebook

    docs, meta = build_codebook(kg)
    return {d.name: d for d in docs}, meta


@pytest.fixture(scope="module")
def written(kg, tmp_path_factory):
    from kgraph.codebook import write_codebook

    out = tmp_path_factory.mktemp("cb") / "codebook"
    old = os.umask(0o022)   # the usual umask, whatever the runner's: files must come out 0644
    try:
        files = write_codebook(kg, out)
    finally:
        os.umask(old)
    return out, files


def _var(built, table, name):
    docs, _ = built
    return next(v for v in docs[table].variables if v.name == name)


def test_a_variable_has_its_ontology_term_and_datatype(built):
    v = _var(built, "agreements", "signedOn_as_printed")
    assert v.term.iri == DD + "signedOnAsPrinted" and v.datatype == "string"
    assert v.term.label_en == "signed on, as printed" and v.term.label_ja == "署名日（出典の表記）"
    assert v.term.definition_en.startswith("The date an agreement was signed")
    earliest = _var(built, "agreements", "signedOn_earliest")
    assert earliest.term.iri == DD + "signedOnEarliest" and earliest.datatype == "date"
    stated = _var(built, "white-papers", "stated_administration")
    assert stated.term.iri == DD + "statedAdministration" and stated.datatype == "anyURI"
    # A term of another vocabulary: defined by it, described from the codebook's notes.
    src = _var(built, "un-command", "sources")
    assert src.term.defined_by == "http://www.w3.org/ns/prov#" and src.many


def test_allowed_values_of_the_agreement_kind(built):
    kind = _var(built, "agreements", "kind")
    got = {a.iri.removeprefix(DD): (a.label_en, a.count) for a in kind.allowed}
    # 資料5: 49 defence cooperation agreements; 資料4: 26 GSOMIAs; 資料3: 42 MOUs and treaties.
    assert got == {"DefenseCooperationAgreement": ("defence cooperation agreement", 49),
                   "MilitaryInformationAgreement": ("military information protection agreement", 26),
                   "DefenseIndustryAgreement": ("defence-industry cooperation agreement", 42)}
    role = _var(built, "un-command", "role")
    counts = {a.iri.removeprefix(BASE + "concept/"): a.count for a in role.allowed}
    assert role.scheme == BASE + "concept/participation-roles"
    assert counts == {"role-combat": 17, "role-medical": 6, "role-material": 0}   # 図表1
    # 資料2 / 図表7: 22 multinational, 14 UN PKO, 2 exchange and cooperation, 1 emergency relief.
    cat = _var(built, "deployments", "category")
    assert {a.iri.removeprefix(BASE + "concept/deployment-"): a.count for a in cat.allowed} == {
        "multinational": 22, "un-pko": 14, "defense-cooperation": 2, "emergency-relief": 1}


def test_coverage_figures(built):
    # By hand: only 資料4 prints an effective date, for all its 26 GSOMIAs; 資料3 and 資料5
    # print none. 26 of 117 agreements; in the 2010s, 13 of 64 (the GSOMIAs signed 2010-2019).
    v = _var(built, "agreements", "inForceFrom_as_printed")
    assert (v.filled, v.total) == (26, 117) and f"{100 * v.share:.1f}" == "22.2"
    assert ("2010s", 13, 64) in v.by_decade
    docs, _ = built
    # 資料1: two papers in the 1960s (1967, 1968), two in the 1980s (1988, 1989).
    assert dict(docs["white-papers"].histogram) == {"1960s": 2, "1980s": 2, "1990s": 10, "2000s": 6,
                                                     "2010s": 5}
    # 図表8 dates every office by decade only.
    assert docs["attache-offices"].precisions == [("Decade", 27)]


def test_known_inconsistencies_are_listed(built):
    docs, _ = built
    wp = docs["white-papers"].issues
    kim = [i for i in wp if BASE + "document/white-paper-1997-1998" in i.records]
    assert len(kim) == 1 and kim[0].kind == "inconsistency"
    assert "Kim Dae-jung" in kim[0].text and "Kim Young-sam" in kim[0].text
    # The 1993 paper straddles a change of president: naming either one is no inconsistency.
    assert not [i for i in wp if BASE + "document/white-paper-1993-1994" in i.records]
    dep = docs["deployments"].issues
    airlift = [i for i in dep if i.records == [BASE + "deployment/gulf-war-airlift"]]
    assert airlift and airlift[0].kind == "inconsistency" and "1992" in airlift[0].text
    zaytun = [i for i in dep if BASE + "deployment/iraq-zaytun" in i.records]
    assert zaytun and "3,600" in zaytun[0].text and zaytun[0].sources == [BASE + "source/appendix-2"]
    vt = docs["vietnam-troops"].issues
    assert any("48,510" in i.text and "48,512" in i.text for i in vt)


def test_every_csvw_column_is_in_the_codebook(built, written):
    from kgraph.tables import TABLES

    _, meta = built
    out, _ = written
    md = (out / "codebook.md").read_text(encoding="utf-8")
    page = (out / "index.html").read_text(encoding="utf-8")
    assert [t["url"] for t in meta["tables"]] == [f"{s.name}.csv" for s in TABLES]
    sections = re.split(r"^## ", md, flags=re.M)
    for table in meta["tables"]:
        name = table["url"].removesuffix(".csv")
        section = next(s for s in sections if s.startswith(name + "\n"))
        for col in table["tableSchema"]["columns"]:
            assert f"#### `{col['name']}`" in section, (name, col["name"])
            assert f'id="{name}-{col["name"]}"' in page, (name, col["name"])
            if "propertyUrl" in col:
                assert col["propertyUrl"] in section


class _Page(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.stack: list[tuple[str, dict]] = []
        self.urls: list[str] = []
        self.tags: list[str] = []
        self.texts: list[tuple[list[tuple[str, dict]], str]] = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        self.tags.append(tag)
        self.urls += [v for k, v in attrs if k in ("src", "href") and v]
        if tag not in VOID:
            self.stack.append((tag, a))

    def handle_endtag(self, tag):
        assert self.stack and self.stack[-1][0] == tag, f"</{tag}> does not close {self.stack[-1:]}"
        self.stack.pop()

    def handle_data(self, data):
        if data.strip():
            self.texts.append((list(self.stack), data))


def test_html_is_self_contained_and_keeps_japanese_apart(built, written):
    out, _ = written
    raw = (out / "index.html").read_bytes()
    text = raw.decode("utf-8")
    assert '<meta charset="utf-8">' in text
    page = _Page()
    page.feed(text)
    page.close()
    assert page.stack == []   # every element closed
    assert "script" not in page.tags and "link" not in page.tags
    assert page.urls and not [u for u in page.urls if re.match(r"(?i)([a-z][a-z0-9+.-]*:|//)", u)]
    assert not re.search(r"url\(|@import", text)
    ids = set(re.findall(r' id="([^"]+)"', text))
    assert [u for u in page.urls if u.startswith("#") and u[1:] not in ids] == []   # no broken anchor
    assert {u for u in page.urls if not u.startswith("#")} == {"CITATION.cff", "LICENSE-DATA"}
    # Every variable heading is English; its Japanese label follows in an element of its own.
    headings = re.findall(r"<h4>(.*?)</h4>\n(<p class=\"ja\" lang=\"ja\">.*?</p>)?", text)
    _, meta = built
    assert len(headings) == sum(len(t["tableSchema"]["columns"]) for t in meta["tables"])
    for h4, ja in headings:
        assert not JAPANESE.search(h4), h4
        assert not ja or JAPANESE.search(ja), ja
    assert sum(1 for _, ja in headings if ja) > 150   # nearly every term has a Japanese label
    assert '<h4><code>signedOn_as_printed</code>: signed on, as printed</h4>\n' \
           '<p class="ja" lang="ja">署名日（出典の表記）</p>' in text
    # Japanese definitions too: a paragraph of their own, never glued to the English one.
    assert '<p class="ja" lang="ja">導出値：署名日として可能な最も早い日。</p>' in text
    ja_paras = [d for st, d in page.texts if st and st[-1][1].get("lang") == "ja" and st[-1][0] == "p"]
    assert ja_paras and all(JAPANESE.search(d) for d in ja_paras)


def test_written_as_a_set_readable_by_all(written):
    out, files = written
    assert sorted(p.name for p in files) == ["CITATION.cff", "LICENSE-DATA", "codebook.md", "index.html"]
    for f in files:
        assert stat.S_IMODE(f.stat().st_mode) == 0o644, f
    assert (out / ".kgraph-set.json").is_file()
    md = (out / "codebook.md").read_text(encoding="utf-8")
    assert "## How to cite" in md and "Ito Kotaro" in md and "CC BY 4.0" in md
    assert (out / "LICENSE-DATA").read_text(encoding="utf-8").startswith("Attribution 4.0 International")


def test_a_curated_issue_naming_a_missing_record_is_refused(kg, tmp_path, monkeypatch):
    import kgraph.codebook as cb
    from kgraph.errors import KgraphError

    bad = tmp_path / "notes.ttl"
    original = cb.NOTES_FILE.read_text(encoding="utf-8")
    bad.write_text(original + """
cb:typo a cb:KnownIssue ; cb:table "wars" ; cb:kind cb:Gap ; rdfs:comment "x"@en ;
    cb:record <https://w3id.org/defdip/id/event/no-such-war> .
""", encoding="utf-8")
    monkeypatch.setattr(cb, "NOTES_FILE", bad)
    with pytest.raises(KgraphError, match="no-such-war"):
        cb.build_codebook(kg)
    bad.write_text(cb.NOTES_FILE.read_text(encoding="utf-8").replace('cb:table "wars"', 'cb:table "war"'),
                   encoding="utf-8")
    with pytest.raises(KgraphError, match="'war'"):
        cb.build_codebook(kg)
    # An issue missing its remark would vanish silently: refused instead, named.
    bad.write_text(original + """
cb:no-remark a cb:KnownIssue ; cb:table "wars" ; cb:kind cb:Gap .
""", encoding="utf-8")
    with pytest.raises(KgraphError, match="no-remark.*rdfs:comment"):
        cb.build_codebook(kg)


def test_a_graph_of_ones_own_gets_a_codebook(tmp_path):
    """With --data naming part of the graph, the curated issues about records it does
    not hold are left out, never an error; those it holds stay."""
    from kgraph.cli import main
    from kgraph.data import bundled

    files = [f for f in bundled().graph if f.name in ("korean-war.ttl", "countries.ttl", "sources.ttl",
                                                      "organizations.ttl", "administrations.ttl")]
    argv = ["codebook", "--out", str(tmp_path / "cb")] + [a for f in files for a in ("--data", str(f))]
    assert main(argv) == 0
    md = (tmp_path / "cb" / "codebook.md").read_text(encoding="utf-8")
    assert "File `un-command.csv`, 23 rows" in md and "File `agreements.csv`, 0 rows" in md
    assert "17 combat entries" in md and "48,510" not in md


def test_cli_codebook(tmp_path):
    from kgraph.cli import main

    assert main(["codebook", "--out", str(tmp_path / "cb")]) == 0
    assert (tmp_path / "cb" / "index.html").is_file() and (tmp_path / "cb" / "codebook.md").is_file()


def test_docstring_examples():
    import doctest

    import kgraph.codebook

    assert doctest.testmod(kgraph.codebook).failed == 0
