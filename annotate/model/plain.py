"""Fitted scikit-learn parts in a plain form: saved as arrays, loaded and applied without sklearn.

Training fits `TfidfVectorizer`s and `LogisticRegression`s; a saved model keeps only what their
`transform` and `decision_function` read (terms, idf weights, coefficients), and these classes
apply them with the same operations in the same order, so a loaded model gives the very numbers
the fitted one gave (tests/test_model_format.py compares them on real news) while pre-labelling
imports neither scikit-learn (about a second) nor skops.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

import numpy as np
import scipy.sparse as sp

_WHITE_SPACES = re.compile(r"\s\s+")


def softmax(x, axis: int = 1) -> np.ndarray:
    """scipy.special.softmax, the same operations (importing scipy.special costs ~0.2 s)."""
    x = np.asarray(x)
    shifted = np.exp(x - np.max(x, axis=axis, keepdims=True))
    return shifted / np.sum(shifted, axis=axis, keepdims=True)


class PlainTfidf:
    """`TfidfVectorizer.transform` for a fitted vectorizer with no preprocessor, tokenizer, stop
    words or accent stripping (what `annotate train` fits): word or `char_wb` n-grams, counted
    against the vocabulary, optionally sublinear, times idf, rows L2-normalised."""

    SETTINGS = ("analyzer", "ngram_range", "token_pattern", "lowercase", "sublinear_tf", "norm",
                "binary")

    def __init__(self, terms: Iterable[str], idf, *, analyzer="word", ngram_range=(1, 1),
                 token_pattern=r"(?u)\b\w\w+\b", lowercase=True, sublinear_tf=False, norm="l2",
                 binary=False):
        if analyzer not in ("word", "char_wb"):
            raise ValueError(f"analyzer {analyzer!r} is not supported (word or char_wb)")
        if norm not in ("l2", None):
            raise ValueError(f"norm {norm!r} is not supported (l2 or none)")
        self.terms = [str(term) for term in terms]
        self.vocabulary_ = {term: i for i, term in enumerate(self.terms)}
        self.idf_ = np.asarray(idf, dtype=np.float64)
        if self.idf_.shape != (len(self.terms),):
            raise ValueError(f"{len(self.terms)} terms but {self.idf_.shape} idf weights")
        if len(self.vocabulary_) != len(self.terms):
            raise ValueError("the terms repeat")
        self.analyzer = analyzer
        self.ngram_range = (int(ngram_range[0]), int(ngram_range[1]))
        self.token_pattern = token_pattern
        self.lowercase = bool(lowercase)
        self.sublinear_tf = bool(sublinear_tf)
        self.norm = norm
        self.binary = bool(binary)
        self._tokens = re.compile(token_pattern).findall

    @classmethod
    def from_fitted(cls, vectorizer) -> PlainTfidf:
        """The plain form of a fitted `TfidfVectorizer` (refused if it needs more than this)."""
        params = vectorizer.get_params()
        unsupported = [name for name in ("preprocessor", "tokenizer", "stop_words", "strip_accents")
                       if params.get(name)]
        if unsupported or not params.get("use_idf", True) or params.get("input") != "content":
            raise ValueError(f"cannot save a TfidfVectorizer with {', '.join(unsupported) or 'these'}"
                             " settings in plain form")
        vocabulary = vectorizer.vocabulary_
        return cls(sorted(vocabulary, key=vocabulary.get), vectorizer.idf_,
                   **{name: params[name] for name in cls.SETTINGS})

    def settings(self) -> dict:
        return {name: getattr(self, name) for name in self.SETTINGS}

    def _analyze(self, doc: str) -> list[str]:
        if self.lowercase:
            doc = doc.lower()
        min_n, max_n = self.ngram_range
        if self.analyzer == "char_wb":
            return _char_wb_ngrams(doc, min_n, max_n)
        tokens = self._tokens(doc)
        if max_n == 1:
            return tokens
        grams = list(tokens) if min_n == 1 else []
        for n in range(max(min_n, 2), min(max_n + 1, len(tokens) + 1)):
            grams.extend(" ".join(tokens[i:i + n]) for i in range(len(tokens) - n + 1))
        return grams

    def transform(self, docs: Iterable[str]):
        vocabulary = self.vocabulary_
        indices: list[int] = []
        counts: list[int] = []
        indptr = [0]
        for doc in docs:
            counter: dict[int, int] = {}
            for feature in self._analyze(doc):
                index = vocabulary.get(feature)
                if index is not None:
                    counter[index] = counter.get(index, 0) + 1
            indices.extend(counter)
            counts.extend(counter.values())
            indptr.append(len(indices))
        index_type = np.int64 if indptr[-1] > np.iinfo(np.int32).max else np.int32
        X = sp.csr_array((np.asarray(counts, dtype=np.intc), np.asarray(indices, dtype=index_type),
                          np.asarray(indptr, dtype=index_type)),
                         shape=(len(indptr) - 1, len(vocabulary)), dtype=np.float64)
        X.sort_indices()
        if self.binary:
            X.data.fill(1)
        if self.sublinear_tf:
            np.log(X.data, X.data)
            X.data += 1.0
        X.data *= self.idf_[X.indices]
        if self.norm == "l2":
            _normalize_rows(X)
        return X


def _char_wb_ngrams(text: str, min_n: int, max_n: int) -> list[str]:
    """scikit-learn's `char_wb` analyzer: character n-grams inside words padded with a space."""
    grams = []
    for word in _WHITE_SPACES.sub(" ", text).split():
        word = f" {word} "
        for n in range(min_n, max_n + 1):
            offset = 0
            grams.append(word[offset:offset + n])
            while offset + n < len(word):
                offset += 1
                grams.append(word[offset:offset + n])
            if offset == 0:  # the word is shorter than n: one n-gram only
                break
    return grams


def _normalize_rows(X) -> None:
    """Rows to unit L2 norm in place, summing each row's squares left to right as scikit-learn's
    `inplace_csr_row_normalize_l2` does (a sparse product with ones sums them in that order)."""
    squares = sp.csr_array((X.data * X.data, X.indices, X.indptr), shape=X.shape)
    norms = np.sqrt(squares @ np.ones(X.shape[1]))
    lengths = np.diff(X.indptr)
    norms[norms == 0.0] = 1.0
    X.data /= np.repeat(norms, lengths)


class PlainLogistic:
    """`LogisticRegression.decision_function` from its coefficients and intercepts."""

    def __init__(self, coef, intercept, classes):
        self.coef_ = np.asarray(coef, dtype=np.float64)
        self.intercept_ = np.asarray(intercept, dtype=np.float64)
        self.classes_ = np.array(list(classes), dtype=object)
        rows = 1 if len(self.classes_) == 2 else len(self.classes_)
        if self.coef_.ndim != 2 or self.coef_.shape[0] != rows or self.intercept_.shape != (rows,):
            raise ValueError(f"coefficients {self.coef_.shape} and intercepts "
                             f"{self.intercept_.shape} do not fit {len(self.classes_)} classes")

    @classmethod
    def from_fitted(cls, logistic) -> PlainLogistic:
        return cls(logistic.coef_, logistic.intercept_, logistic.classes_)

    @property
    def n_features_in_(self) -> int:
        return self.coef_.shape[1]

    def decision_function(self, X) -> np.ndarray:
        if X.shape[1] != self.coef_.shape[1]:
            raise ValueError(f"X has {X.shape[1]} features, the model expects "
                             f"{self.coef_.shape[1]}")
        scores = X @ self.coef_.T + self.intercept_
        if sp.issparse(scores):
            scores = scores.toarray()
        scores = np.asarray(scores)
        return scores.reshape(-1) if scores.shape[1] == 1 else scores
