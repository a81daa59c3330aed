"""The speed-ups of issue 5 give exactly what they replace.

- Extractor.extract_each / extract_many / stream (many documents' sentences in one
  nlp.pipe call) give the claims of Extractor.extract, one document at a time; a bad
  document is its own result.
- extract/ruler.py sets the attributes spaCy's attribute ruler sets.
- extract/lemmas.py's rule lemmas are spaCy's rule_lemmatize.
- extract/places.py's MentionIndex finds what one regex per name found.
- extract/_spacy.py leaves spacy.info and spacy.cli working.
"""
from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from claimledger.extract import lemmas, places
from claimledger.extract.pipeline import get_extractor
from claimledger.extract.ruler import FastRuler
from claimledger.extract.segment import sentences
from claimledger.ingest import read_paths
from claimledger.model import Document

SHARED = Path(__file__).resolve().parents[2] / "shared"
SEEDS = SHARED / "corpus" / "seeds" / "articles.jsonl"
EXTRA = [
    "They ain't gonna do it, y'all. Let's go. There were 5 people.  Gotta run \n\n now. C'mon, there's 12 more.",
    "About 1,200 people fled eastern Aleppo on Monday, officials said. “We counted 40 buses,” he said.",
    "Russia's General Staff said 300 fighters left Syria's Aleppo and the Idlib province, according to Ivan Petrov.",
]


@pytest.fixture(scope="module")
def docs() -> list[Document]:
    out = [d for d in read_paths([SEEDS]) if isinstance(d, Document)] if SEEDS.exists() else []
    out += [Document(doc_id=f"extra-{i}", text=t) for i, t in enumerate(EXTRA)]
    return out


def test_batched_extraction_gives_the_claims_of_one_at_a_time(docs: list[Document]) -> None:
    ex = get_extractor()
    one = [[c.to_dict() for c in ex.extract(d)] for d in docs]
    assert sum(map(len, one)) > 5
    many = [[c.to_dict() for c in cs] for cs in ex.extract_many(docs)]
    assert many == one
    small = [[c.to_dict() for c in cs] for r in [ex.extract_each(docs, batch_sentences=3)] for cs in r]
    assert small == one
    streamed = [(d.doc_id, [c.to_dict() for c in cs]) for d, cs in ex.stream(docs, batch_docs=2)]
    assert streamed == [(d.doc_id, cs) for d, cs in zip(docs, one, strict=True)]


def test_a_bad_document_in_a_batch_is_its_own_result(docs: list[Document]) -> None:
    ex = get_extractor()
    bad = Document(doc_id="bad", text=12345)  # type: ignore[arg-type]
    got = ex.extract_each([docs[-1], bad, docs[-2]])
    assert isinstance(got[1], Exception)
    assert [c.to_dict() for c in got[0]] == [c.to_dict() for c in ex.extract(docs[-1])]
    assert [c.to_dict() for c in got[2]] == [c.to_dict() for c in ex.extract(docs[-2])]
    with pytest.raises(type(got[1])):
        ex.extract_many([docs[-1], bad])


def test_the_table_ruler_sets_what_spacys_attribute_ruler_sets(docs: list[Document]) -> None:
    from spacy.attrs import DEP, HEAD, LEMMA, MORPH, POS, TAG

    nlp = get_extractor().nlp
    ruler = FastRuler.of(nlp.get_pipe("attribute_ruler"))
    assert ruler is not None
    texts = [d.text[s.start:s.end] for d in docs for s in sentences(d.text)][:400]
    cols = [TAG, POS, MORPH, LEMMA, DEP, HEAD]
    theirs = list(nlp.pipe(texts, disable=["lemmatizer", "ner"]))
    ours = [ruler(d) for d in nlp.pipe(texts, disable=["attribute_ruler", "lemmatizer", "ner"])]
    for a, b in zip(theirs, ours, strict=True):
        assert (a.to_array(cols) == b.to_array(cols)).all(), a.text
        assert [str(t.morph) for t in a] == [str(t.morph) for t in b], a.text


def test_rule_lemmas_are_spacys(docs: list[Document]) -> None:
    nlp = get_extractor().nlp
    lem = nlp.get_pipe("lemmatizer")
    tables = lemmas._RuleTables.of(lem)
    assert tables is not None
    texts = [d.text for d in docs][:20] + EXTRA
    seen = 0
    for doc in nlp.pipe(texts, disable=["lemmatizer", "ner"]):
        for t in doc:
            if t.pos_ in lemmas._RULE_POS:
                assert lemmas._rule_lemmatize(tables, t) == lem.rule_lemmatize(t), (t.text, t.pos_)
                seen += 1
    assert seen > 100


def _old_mentions(text: str, start: int, end: int, names: set[str]) -> list[tuple[int, int, str]]:
    """places.mentions before the index: one regex per name per call (ties in length by name)."""
    org_heads, directions = places._ORG_HEADS, places._DIRECTIONS
    found: list[tuple[int, int, str]] = []
    seg = text[start:end]
    for name in sorted(names, key=lambda n: (-len(n), n)):
        for m in re.finditer(rf"(?<![\w-]){re.escape(name)}(?![\w-])", seg):
            s, e = start + m.start(), start + m.end()
            if any(s < fe and e > fs for fs, fe, _ in found):
                continue
            after = text[e:e + 40]
            pm = re.match(r"[’']s\s+([\w-]+)(?:\s+([\w-]+))?(?:\s+([\w-]+))?", after)
            if pm:
                nxt = [w for w in pm.groups() if w]
                if any(w.lower() in org_heads for w in nxt):
                    continue
                if nxt and nxt[0][:1].isupper() and nxt[0] in {p.split()[0] for p in names}:
                    continue
            if re.match(r"\s+(?:" + "|".join(org_heads) + r")\b", after, re.I) and not re.match(
                    r"\s+(?:area|region|district)", after, re.I):
                continue
            dm = re.search(rf"\b({directions})\s+$", text[max(0, s - 20):s], re.I)
            label = f"{dm.group(1)} {name}" if dm else name
            found.append((s - (len(dm.group(0)) if dm else 0), e, label))
    found.sort()
    merged: list[tuple[int, int, str]] = []
    for f in found:
        if merged and re.fullmatch(r"\s+and\s+(?:the\s+)?", text[merged[-1][1]:f[0]]):
            ps, _, pl = merged[-1]
            merged[-1] = (ps, f[1], f"{pl} and {f[2]}")
        else:
            merged.append(f)
    return merged


def test_mention_index_finds_what_one_regex_per_name_found(docs: list[Document]) -> None:
    text = ("Fighting in eastern Aleppo and Idlib went on. East Aleppo-Idlib road; xAleppo; Aleppo City was hit. "
            "In Homs, Aleppo City and the Homs were quiet; Homsville is not Homs. Russia's General Staff said "
            "Syria's Aleppo and Russia army units left. Idlib's Homs district.")
    cases = [(text, {"Aleppo", "Idlib", "Aleppo City", "Homs", "City", "Russia", "Syria"})]
    cases += [(d.text, places.gazetteer([], d.text)) for d in docs]
    for t, names in cases:
        index = places.MentionIndex(t, names)
        step = max(1, len(t) // 60)
        for start in range(0, len(t), step):
            for end in (start + 37, start + 150, start + 1500, len(t)):
                assert index.mentions(start, min(end, len(t))) == _old_mentions(t, start, min(end, len(t)), names)


def test_spacy_info_and_cli_still_work() -> None:
    code = ("import claimledger.extract.pipeline, spacy, sys; "
            "assert 'spacy.cli' not in sys.modules; "
            "import spacy.cli; assert callable(spacy.cli.download); "
            "assert isinstance(spacy.info(), dict); print('ok')")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.strip() == "ok"
