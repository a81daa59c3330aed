"""The cross-document checks on small articles of our own: each kind, and what must not be flagged.

Claims come from the real extractor, so these are end-to-end; where a case
needs a shape the extractor may not produce (a list declared complete), the
claims are written out as data.
"""
from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from claimledger.check import run_checks
from claimledger.check.indicators import counted_class, place_root
from claimledger.check.sources import affiliation, org_key
from claimledger.check.timing import period_for
from claimledger.extract.pipeline import get_extractor
from claimledger.model import Claim, Document


@pytest.fixture(scope="module")
def extractor():
    return get_extractor()


def check(extractor, *docs: Document, duplicates=None):
    claims = [c for d in docs for c in extractor.extract(d)]
    return claims, run_checks(docs, claims, duplicates)


def kinds(result) -> list[str]:
    return [f.kind for f in result.findings]


def doc(doc_id: str, text: str, published: str | None = None, outlet: str | None = None) -> Document:
    return Document(doc_id=doc_id, text=text, published=published, outlet=outlet)


def surfaces(finding, docs) -> set[str]:
    texts = {d.doc_id: d.text for d in docs}
    claims_by_ref = {}
    for d in docs:
        claims_by_ref[d.doc_id] = texts[d.doc_id]
    out = set()
    for ref in finding.claims:
        text = texts[ref.doc_id]
        out.add(text[ref.start:ref.start + 40].split(" (")[0])
    return out


# --- conversions -----------------------------------------------------------------------------------

def test_a_conversion_that_drops_a_million_is_flagged(extractor):
    d = doc("c1", "Engineers have demined a total area of 24 hectares (2.6 square feet) near the river.")
    claims, result = check(extractor, d)
    found = [f for f in result.findings if f.kind == "conversion_mismatch"]
    assert len(found) == 1
    refs = {(r.doc_id, r.start) for r in found[0].claims}
    starts = {c.surface: c.start for c in claims}
    assert refs == {("c1", starts["24 hectares"]), ("c1", starts["2.6 square feet"])}
    assert "million" in found[0].message


@pytest.mark.parametrize("text", [
    "The militants now hold less than 3 square kilometers (1.1 square miles) of the city.",  # 5% off
    "The convoy drove 40 kilometers (25 miles) to the border crossing.",
    "Floods covered 10 square kilometers, or about 3.9 square miles, of farmland.",
])
def test_a_conversion_within_ten_percent_is_not_flagged(extractor, text):
    _, result = check(extractor, doc("c2", text))
    assert "conversion_mismatch" not in kinds(result)


def test_a_wrong_unit_conversion_is_flagged(extractor):
    _, result = check(extractor, doc("c3", "The convoy drove 40 kilometers (40 miles) to the border crossing."))
    assert kinds(result) == ["conversion_mismatch"]


# --- sums --------------------------------------------------------------------------------------------

def test_parts_larger_than_their_total_are_flagged(extractor):
    d = doc("s1", "A total of 1,200 people were evacuated from the town, including 800 women and 700 children.")
    claims, result = check(extractor, d)
    assert [c.part_of for c in claims if c.surface in ("800", "700")] == [claims[0].start] * 2
    assert kinds(result) == ["sum_mismatch"]
    assert "more than the total" in result.findings[0].message


@pytest.mark.parametrize("text", [
    # qualifiers: over 4,000 of more than 10,500 fits
    "Over the past day, more than 10,500 people, including over 4,000 children, left the city.",
    # the parts add up exactly
    "A total of 3,690 people were moved to the north, including 2,079 fighters and 1,611 relatives.",
    # 'including' does not promise a complete list: a shortfall is fine
    "Some 5,000 people were evacuated from the town, including 800 women and 700 children.",
])
def test_parts_that_fit_their_total_are_not_flagged(extractor, text):
    _, result = check(extractor, doc("s2", text))
    assert "sum_mismatch" not in kinds(result)


def _claim(doc_id, text, surface, value, counted, qualifier="exact", part_of=None, **kw):
    start = text.index(surface)
    return Claim(doc_id=doc_id, start=start, end=start + len(surface), surface=surface, value=value,
                 qualifier=qualifier, counted=counted, event=kw.get("event", "evacuation"),
                 location=kw.get("location", "Idlib"), part_of=part_of)


def test_a_complete_list_that_falls_short_is_flagged_and_one_that_adds_up_is_not():
    text = ("The convoy carried 500 people: 200 men and 100 women. "
            "The second convoy carried 300 people: 200 men and 100 women.")
    d = doc("s3", text)
    first = _claim("s3", text, "500", 500, "people")
    second_start = text.index("300 people")
    claims = [
        first,
        _claim("s3", text, "200 men", 200, "men", part_of=first.start),
        _claim("s3", text, "100 women", 100, "women", part_of=first.start),
        Claim(doc_id="s3", start=second_start, end=second_start + 3, surface="300", value=300,
              counted="people", event="evacuation", location="Idlib"),
    ]
    tail = text[second_start:]
    for surface, value, counted in (("200 men", 200, "men"), ("100 women", 100, "women")):
        s = second_start + tail.index(surface)
        claims.append(Claim(doc_id="s3", start=s, end=s + len(surface), surface=surface, value=value,
                            counted=counted, event="evacuation", location="Idlib", part_of=second_start))
    result = run_checks([d], claims)
    sums = [f for f in result.findings if f.kind == "sum_mismatch"]
    assert len(sums) == 1
    assert sums[0].claims[0].start == first.start
    assert "less than the total" in sums[0].message


# --- conflicts ---------------------------------------------------------------------------------------

def test_two_figures_for_the_same_window_in_one_article_conflict(extractor):
    d = doc("k1", "More than two dozen facilities in Aleppo have been cleared of mines over the past 24 hours.\n\n"
                  "“Over the past 24 hours alone, 21 sites in Aleppo have been cleared of mines,” "
                  "General Ivan Petrov said.")
    claims, result = check(extractor, d)
    assert kinds(result) == ["conflict"]
    f = result.findings[0]
    assert {r.start for r in f.claims} == {c.start for c in claims if c.surface in ("More than two dozen", "21")}
    assert "cannot both hold" in f.message


@pytest.mark.parametrize("text", [
    # compatible through the qualifier
    "More than 1,000 fighters left Aleppo over the past 24 hours.\n\n"
    "“Over the past 24 hours, 1,096 fighters left Aleppo,” the general said.",
    # no stated period: two different groups, not evidence of a conflict
    "Security agencies pardoned 2,039 fighters in Idlib.\n\nOfficials pardoned 1,595 fighters in Idlib.",
    # different windows
    "Over the past 24 hours, 2,124 civilians were evacuated from Aleppo.\n\n"
    "Since the start of the operation, more than 78,000 civilians have been evacuated from Aleppo.",
    # the second figure's window is only carried over from the sentence before: too weak
    "Over the past 24 hours, 40 fighters surrendered in Aleppo.\n\n"
    "Later, 60 fighters surrendered in Aleppo after talks.",
    # one sentence listing two figures speaks of two groups
    "Over the past 24 hours, 400 fighters surrendered in Aleppo, while 60 fighters surrendered in Aleppo "
    "after talks.",
    # nothing says what is counted
    "Over the past 24 hours, the index in Aleppo rose to 40.\n\nOver the past 24 hours, it hit 60 in Aleppo.",
    # a part of the city is not the city
    "Over the past day, 5,000 people were evacuated from eastern Aleppo.\n\n"
    "Over the past day, 9,000 people were evacuated from Aleppo.",
])
def test_figures_that_can_both_hold_do_not_conflict(extractor, text):
    _, result = check(extractor, doc("k2", text))
    assert "conflict" not in kinds(result)


def test_dated_articles_that_disagree_on_the_same_day_conflict(extractor):
    a = doc("k3a", "On Monday, 5,000 people were evacuated from Aleppo, the ministry said.",
            published="2016-12-12", outlet="Outlet A")
    b = doc("k3b", "On Monday, 9,000 people were evacuated from Aleppo, aid workers said.",
            published="2016-12-13", outlet="Outlet B")
    _, result = check(extractor, a, b)
    assert kinds(result) == ["conflict"]
    assert {r.doc_id for r in result.findings[0].claims} == {"k3a", "k3b"}
    assert result.findings[0].details["period"]["end"] == "2016-12-12"


def test_undated_articles_that_disagree_are_not_called_a_conflict(extractor):
    a = doc("k4a", "On Monday, 5,000 people were evacuated from Aleppo, the ministry said.")
    b = doc("k4b", "On Monday, 9,000 people were evacuated from Aleppo, aid workers said.")
    _, result = check(extractor, a, b)
    assert "conflict" not in kinds(result)


# --- series --------------------------------------------------------------------------------------------

def test_a_level_reported_later_makes_a_dated_series(extractor):
    a = doc("r1a", "The army now controls 93% of Aleppo's territory, the general said.", published="2016-12-09")
    b = doc("r1b", "The army controls over 98 percent of Aleppo's territory, the ministry said.",
            published="2016-12-13")
    _, result = check(extractor, b, a)
    assert kinds(result) == ["series"]
    points = result.findings[0].details["points"]
    assert [p["doc_id"] for p in points] == ["r1a", "r1b"]  # in date order
    assert [p["date"] for p in points] == ["2016-12-09", "2016-12-13"]
    assert "->" in result.findings[0].message


@pytest.mark.parametrize("texts", [
    # the same figure relayed is not a trend
    ("The army now controls 93% of Aleppo's territory.", "The army controls 93 percent of Aleppo's territory."),
    # undated daily counts measure different days: no series without dates
    ("Over the past 24 hours, 30 fighters surrendered in Aleppo.",
     "Over the past 24 hours, 291 fighters surrendered in Aleppo."),
    # a new batch is not a running total
    ("Another group of 8,000 civilians was evacuated from Aleppo.",
     "Since the start of the operation, more than 78,000 civilians were evacuated from Aleppo."),
    # different places
    ("The army controls 93% of Aleppo.", "The army controls 40% of Raqqa."),
])
def test_no_series_without_a_change_over_time(extractor, texts):
    docs = [doc(f"r2{i}", t) for i, t in enumerate(texts)]
    _, result = check(extractor, *docs)
    assert "series" not in kinds(result)


def test_two_dates_inside_one_article_are_not_a_series(extractor):
    d = doc("r3", "On December 9 the army controlled 93% of Aleppo's territory.\n\n"
                  "On December 13 the army controlled 98% of Aleppo's territory.", published="2016-12-14")
    _, result = check(extractor, d)
    assert "series" not in kinds(result)


def test_a_near_duplicate_does_not_double_a_figure(extractor):
    text = "The army now controls 93% of Aleppo's territory, the general said."
    a = doc("d1", text, outlet="Wire")
    b = doc("d2", text + " Reporting by a staff writer.", outlet="Reprint Daily")
    c = doc("d3", "The army controls over 98 percent of Aleppo's territory, the ministry said.")
    _, result = check(extractor, a, b, c, duplicates={"d2": "d1"})
    series = [f for f in result.findings if f.kind == "series"]
    assert len(series) == 1
    assert "d2" not in {r.doc_id for r in series[0].claims}
    fig = next(f for f in result.figures if f.value == 93)
    assert set(fig.outlets) == {"Wire", "Reprint Daily"}  # the copy still carries it


# --- source independence --------------------------------------------------------------------------------

def test_a_figure_relayed_by_two_outlets_rests_on_one_primary_source(extractor):
    a = doc("p1", "Defense Ministry spokesman Ivan Petrov said 2,124 civilians were evacuated from Aleppo.",
            outlet="Outlet A")
    b = doc("p2", "According to the Defense Ministry, 2,124 civilians were evacuated from Aleppo.",
            outlet="Outlet B")
    c = doc("p3", "The Red Cross said 2,124 civilians were evacuated from Aleppo.", outlet="Outlet C")
    _, result = check(extractor, a, b)
    fig = next(f for f in result.figures if f.value == 2124)
    assert fig.single_primary_source and fig.primary_sources == ("Defense Ministry",)
    assert set(fig.outlets) == {"Outlet A", "Outlet B"}
    _, result = check(extractor, a, b, c)
    fig = next(f for f in result.figures if f.value == 2124)
    assert not fig.single_primary_source and len(fig.primary_sources) == 2


def test_findings_say_whether_they_rest_on_one_primary_source(extractor):
    d = doc("p4", "More than two dozen facilities in Aleppo have been cleared of mines over the past 24 hours.\n\n"
                  "“Over the past 24 hours alone, 21 sites in Aleppo have been cleared of mines,” "
                  "General Ivan Petrov said.", outlet="Outlet D")
    _, result = check(extractor, d)
    f = result.findings[0].to_dict()
    assert list(f)[:3] == ["kind", "claims", "message"]
    assert f["single_primary_source"] is True and f["outlets"] == ["Outlet D"]


def test_organisation_spellings_fold_and_affiliations_are_read_from_the_text():
    assert org_key("Russian Center for Reconciliation") == org_key("Russian reconciliation centre")
    assert org_key("Russia's General Staff") == org_key("Russian General Staff")
    assert org_key("Defense Ministry") != org_key("Health Ministry")
    text = ("“We evacuated 300 people,” the head of the Main Operations Department at Russia’s General Staff, "
            "Lieutenant-General Ivan Petrov, said on Friday. Anna Smith, a spokeswoman for the World Food "
            "Programme, said 40 tonnes arrived.")
    assert affiliation(text, "Ivan Petrov") == "Russia’s General Staff"
    assert affiliation(text, "Anna Smith") == "World Food Programme"
    assert affiliation(text, "Nobody Here") is None


# --- the parts: periods, indicators ---------------------------------------------------------------------

@pytest.mark.parametrize("sentence,kind,label", [
    ("Over the past 24 hours, 2,124 civilians were evacuated.", "window", "past 24 hours"),
    ("Over the past night, 2,124 civilians were evacuated.", "window", "past 24 hours"),
    ("In the past three days, 3,000 residents returned.", "window", "past three days"),
    ("Since the start of the operation, 78,000 civilians left.", "cumulative", "since the start"),
    ("Overall, 108,076 civilians were taken out.", "cumulative", "overall"),
    ("The center evacuated another group of 8,000 civilians.", "increment", "another batch"),
    ("On Sunday, 8,000 civilians were evacuated.", "point", "Sunday"),
    ("The army controls 93% of the city.", "unspecified", ""),
])
def test_periods_are_read_from_the_sentence(sentence, kind, label):
    p = period_for(sentence, [], None)
    assert (p.kind, p.label) == (kind, label)


def test_periods_resolve_against_the_publication_date():
    thursday = dt.date(2016, 12, 15)
    assert period_for("On Sunday, 8,000 people left.", [], thursday).end == dt.date(2016, 12, 11)
    assert period_for("On Thursday, 8,000 people left.", [], thursday).end == thursday
    window = period_for("Over the past three days, 3,000 returned.", [], thursday)
    assert (window.start, window.end) == (dt.date(2016, 12, 12), thursday)
    assert period_for("Last week 200 people left.", [], thursday).end == dt.date(2016, 12, 8)


def test_a_period_stated_once_covers_the_rest_of_its_paragraph():
    p = period_for("Thirty fighters gave themselves up.", ["Over the past 24 hours, 10,500 people left."], None)
    assert (p.kind, p.label) == ("window", "past 24 hours")
    # "a total of" belongs to its own number only
    p = period_for("Officials pardoned 1,595 fighters.", ["A total of 2,054 people were moved."], None)
    assert p.kind == "unspecified"


@pytest.mark.parametrize("a,b,same", [
    ("facilities", "sites", True),
    ("militants", "gunmen", True),
    ("civilians", "people", False),
    ("explosive objects", "objects", False),
    ("former militants", "militants", False),
    ("relief aid supplies", "humanitarian aid", True),
    ("field kitchens", "kitchens", True),
])
def test_counted_things_fold_by_meaning(a, b, same):
    assert (counted_class(a) == counted_class(b)) is same


@pytest.mark.parametrize("location,root", [
    ("eastern Aleppo", "Aleppo"), ("East Aleppo", "Aleppo"), ("Syria’s Aleppo", "Aleppo"),
    ("Khan al-Shih", "Khan al-Shih"), ("the old city", "City"),
])
def test_places_reduce_to_the_containing_place(location, root):
    assert place_root(location) == root


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 3), st.sampled_from("abc"), st.sampled_from("xyz")), max_size=12))
def test_series_pair_search_equals_the_pairwise_one(keys: list[tuple[int, str, str]]) -> None:
    from claimledger.check.series import has_differing_pair

    pairwise = any(a[0] != b[0] and a[1] != b[1] and a[2] != b[2] for i, a in enumerate(keys) for b in keys[i + 1:])
    assert has_differing_pair(keys) == pairwise
