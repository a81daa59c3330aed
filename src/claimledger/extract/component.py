"""A spaCy pipeline component, so users can add claimledger to their own ``nlp``.

    import spacy, claimledger.extract.component  # registers the factory
    nlp = spacy.load("en_core_web_sm")
    nlp.add_pipe("claimledger")
    doc = nlp(text)
    doc._.claims  # list[claimledger.Claim], offsets into doc.text

The component runs the claimledger extractor over ``doc.text`` with the same
``nlp`` object's model, so no second model is loaded.
"""
from __future__ import annotations

# isort: off
from claimledger.extract import _spacy  # noqa: F401  (imports spaCy without its CLI: first)
# isort: on
from spacy.language import Language
from spacy.tokens import Doc

from claimledger.model import Document

if not Doc.has_extension("claims"):
    Doc.set_extension("claims", default=None)


class ClaimComponent:
    def __init__(self, nlp: Language, name: str, doc_id: str) -> None:
        from claimledger.extract.pipeline import Extractor

        self.name = name
        self.doc_id = doc_id
        # a copy of the pipeline without this component parses the sentences
        self._extractor = Extractor(nlp=_InnerPipeline(nlp, name))

    def __call__(self, doc: Doc) -> Doc:
        doc._.claims = self._extractor.extract(Document(doc_id=self.doc_id, text=doc.text))
        return doc


class _InnerPipeline:
    """Runs the host pipeline's components other than claimledger itself."""

    def __init__(self, nlp: Language, own_name: str) -> None:
        self._nlp = nlp
        self._own = own_name

    def pipe(self, texts, batch_size: int = 64):
        with self._nlp.select_pipes(disable=[self._own]):
            yield from self._nlp.pipe(texts, batch_size=batch_size)


@Language.factory("claimledger", default_config={"doc_id": "doc"})
def make_claimledger(nlp: Language, name: str, doc_id: str) -> ClaimComponent:
    return ClaimComponent(nlp, name, doc_id)
