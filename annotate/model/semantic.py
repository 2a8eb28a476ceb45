"""A semantic layer for stance: dense sentence embeddings next to the target-dependent features.

Lexical features cannot see that "would gladly welcome" is supportive or that "could accept ...
if" is wary. `wordllama` ships its embedding weights inside its wheel (MIT; 256 dimensions, 16 MB),
so the layer needs no download: `embedder()` loads it from the package folder with
`disable_download=True` (plain `WordLlama.load()` would try to fetch its tokenizer).

`SemanticStanceClassifier` is `StanceClassifier` with four embeddings per actor span appended to
its sparse features, each scaled by `semantic_weight`: the actor's clause, the sentence with the
actor masked, and the words left and right of the span. Only the logistic regression's weights
are saved with the model (the embedder is loaded from the package at run time), so the model file
grows by a few kilobytes.
"""

from __future__ import annotations

import functools
import importlib.util

import numpy as np
import scipy.sparse as sp

from annotate.errors import ModelError
from annotate.model.stance import StanceClassifier

MASK = "someone"


@functools.cache
def embedder():
    """The WordLlama model shipped in the `wordllama` package, loaded once per process."""
    spec = importlib.util.find_spec("wordllama")
    if spec is None:
        raise ModelError("this model uses the semantic layer, which needs the `wordllama` "
                         "package: pip install wordllama")
    from wordllama import WordLlama  # heavy import, only for models that use the layer

    folder = spec.submodule_search_locations[0]
    return WordLlama.load(cache_dir=folder, disable_download=True)


def embed_texts(texts: list[str]) -> np.ndarray:
    """(n, 256) unit-length embeddings; an empty text gets the zero vector."""
    if not texts:
        return np.zeros((0, 256), dtype=np.float32)
    unique = sorted(set(texts))
    index = {text: i for i, text in enumerate(unique)}
    with np.errstate(invalid="ignore", divide="ignore"):  # wordllama divides 0 by 0 for ""
        vectors = embedder().embed(unique, norm=True)
    vectors = np.nan_to_num(np.asarray(vectors, dtype=np.float32))
    return vectors[[index[t] for t in texts]]


def span_texts(views, items) -> list[list[str]]:
    """The four texts embedded per span: clause, masked sentence, left and right context."""
    masked = [f"{text[:start]}{MASK}{text[end:]}" for text, start, end in items]
    return [[v.clause_text or v.left_text + " " + v.right_text for v in views], masked,
            [v.left_text for v in views], [v.right_text for v in views]]


def embed_spans(views, items) -> np.ndarray:
    """(n_items, 4 * 256) embeddings; each text is embedded once however often it recurs."""
    groups = span_texts(views, items)
    flat = embed_texts([t for group in groups for t in group])
    n = len(items)
    return np.hstack([flat[i * n:(i + 1) * n] for i in range(len(groups))])


class SemanticStanceClassifier(StanceClassifier):
    """`StanceClassifier` plus dense blocks: WordLlama embeddings of the span's clause, the masked
    sentence and both contexts (see the module docstring), times `semantic_weight`, and MiniLM's
    contextual states over the span and the sentence (annotate.model.contextual), times
    `contextual_weight` (the accurate tier's block). Both 0 make it the plain classifier."""

    def __init__(self, C=1.0, window=6, char_ngrams=False, max_features=40000, dense_weight=0.3,
                 context_weight=1.0, clause_weight=1.0, class_weight="balanced",
                 calibration_folds=3, random_state=0, cue_weight=0.0, semantic_weight=0.5,
                 object_cues=False, contextual_weight=0.0):
        super().__init__(C=C, window=window, char_ngrams=char_ngrams, max_features=max_features,
                         dense_weight=dense_weight, context_weight=context_weight,
                         clause_weight=clause_weight, class_weight=class_weight,
                         calibration_folds=calibration_folds, random_state=random_state,
                         cue_weight=cue_weight, object_cues=object_cues)
        self.semantic_weight = semantic_weight
        # contextual_weight > 0 appends MiniLM's states over the span and the sentence
        # (annotate.model.contextual) times that weight
        self.contextual_weight = contextual_weight

    def __setstate__(self, state):
        super().__setstate__({"contextual_weight": 0.0, **state})

    def _matrix(self, items, tone_memo=None, fit=False):
        blocks = [super()._matrix(items, tone_memo, fit)]
        if self.semantic_weight > 0:
            views = self.features_._views(items)
            blocks.append(sp.csr_matrix(embed_spans(views, items) * self.semantic_weight))
        if getattr(self, "contextual_weight", 0.0) > 0:
            from annotate.model.contextual import encoder

            blocks.append(sp.csr_matrix(encoder().span_vectors(items) * self.contextual_weight))
        return blocks[0] if len(blocks) == 1 else sp.hstack(blocks, format="csr")

