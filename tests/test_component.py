"""The spaCy component gives the same claims as the Python API, on a real model."""
import claimledger
from claimledger.extract.component import make_claimledger  # noqa: F401  registers the factory
from claimledger.extract.pipeline import load_model

TEXT = ("More than 1,200 civilians, including 400 children, left the town on Sunday, "
        "the regional governor Amal Nasser said.")


def test_component_matches_api():
    nlp = load_model()
    nlp.add_pipe("claimledger")
    doc = nlp(TEXT)
    got = [c.contract_dict() for c in doc._.claims]
    want = [c.contract_dict() for c in claimledger.extract_text(TEXT)]
    assert got == want
    assert [c["surface"] for c in got] == ["More than 1,200", "400"]
    assert got[1]["part_of"] == got[0]["start"]
    assert got[0]["speaker"] == "Amal Nasser"
