"""The estimators: a target-dependent stance classifier and fitted sentiment thresholds.

(The sentence sentiment model that `annotate train` fits, `SentimentLayer`, is in
`annotate.model.sentiment`: a calibrated layer over these thresholds and a news-tone lexicon.)

Both follow the scikit-learn contract (`__init__` stores parameters, `fit` validates, learned
state ends in `_`) so they can be cross-validated and cloned; scikit-learn itself is imported
only to fit them (annotate.model.estimator), and a saved model predicts without it.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp
from threadpoolctl import threadpool_limits

from annotate.model.estimator import Estimator, check_fitted
from annotate.model.features import StanceFeatures, check_items, polarity_subjectivity
from annotate.model.plain import softmax


class StanceClassifier(Estimator):
    """Stance of one actor span: items are `(sentence_text, actor_start, actor_end)`.

    A multinomial logistic regression over `StanceFeatures`. Its probabilities are calibrated
    with one temperature fitted on out-of-fold decision values (`calibration_folds`; 0 turns
    it off), because later work orders annotation tasks by how unsure the model is.
    """

    def __init__(self, C=1.0, window=6, char_ngrams=False, max_features=40000, dense_weight=0.3,
                 context_weight=1.0, clause_weight=1.0, class_weight="balanced",
                 calibration_folds=3, random_state=0, cue_weight=0.0, object_cues=False):
        # cue_weight > 0 appends annotate.model.cues' modality/negation features times it
        self.cue_weight = cue_weight
        # object_cues: the clause block reads the word that governs the span (StanceFeatures)
        self.object_cues = object_cues
        self.context_weight = context_weight
        self.clause_weight = clause_weight
        self.C = C
        self.window = window
        self.char_ngrams = char_ngrams
        self.max_features = max_features
        self.dense_weight = dense_weight
        self.class_weight = class_weight
        self.calibration_folds = calibration_folds
        self.random_state = random_state

    def __setstate__(self, state):
        # A model saved before clause or cue features existed keeps predicting as it did.
        super().__setstate__({"clause_weight": 0.0, "cue_weight": 0.0, "object_cues": False,
                              **state})

    def _new_logistic(self):
        from sklearn.linear_model import LogisticRegression

        # tol=1e-3: ten times faster than the default on NewsMTSC, same dev macro-F1.
        return LogisticRegression(C=self.C, max_iter=3000, tol=1e-3,
                                  class_weight=self.class_weight, random_state=self.random_state)

    def fit(self, items, y):
        items = check_items(items)
        y = np.asarray(y, dtype=object)
        if len(items) != len(y):
            raise ValueError(f"{len(items)} items but {len(y)} labels")
        self.classes_ = np.array(sorted(set(y)), dtype=object)
        if len(self.classes_) < 2:
            raise ValueError("stance training needs at least two different labels")
        self.features_ = StanceFeatures(window=self.window, char_ngrams=self.char_ngrams,
                                        max_features=self.max_features,
                                        dense_weight=self.dense_weight,
                                        context_weight=self.context_weight,
                                        clause_weight=self.clause_weight,
                                        object_cues=getattr(self, "object_cues", False))
        X = self._fit_matrix(items)
        # One BLAS thread: L-BFGS on these sparse problems is 4x slower with a thread pool
        # (measured on NewsMTSC, 2 cores), and results do not depend on the thread count.
        with threadpool_limits(limits=1):
            self.temperature_ = fit_temperature(self._new_logistic, X, y, self.classes_,
                                                self.calibration_folds, self.random_state)
            self.logistic_ = self._new_logistic().fit(X, y)
        return self

    def _fit_matrix(self, items):
        """The training matrix, fitting `features_` on the way."""
        return self._matrix(items, fit=True)

    def _matrix(self, items, tone_memo=None, fit=False):
        """Sparse features of checked items, plus the cue block when `cue_weight` > 0
        (subclasses append more columns)."""
        sparse = (self.features_.fit_transform(items) if fit
                  else self.features_.transform(items, tone_memo))
        if getattr(self, "cue_weight", 0.0) <= 0:
            return sparse
        from annotate.model.cues import cue_matrix

        cues = np.asarray(cue_matrix(items), dtype=float).reshape(len(items), -1)
        return sp.hstack([sparse, sp.csr_matrix(self.cue_weight * cues)], format="csr")

    def decision_function(self, items, tone_memo=None):
        check_fitted(self, "logistic_")
        return self.logistic_.decision_function(self._matrix(check_items(items), tone_memo))

    def predict_proba(self, items, tone_memo=None):
        """(n_items, n_classes) calibrated probabilities, columns in `classes_` order.

        `tone_memo`: optional dict shared with `polarity_subjectivity` calls for the same
        texts (pre-labelling computes each sentence's TextBlob tone once for both models).
        """
        return softmax(self.decision_function(items, tone_memo) / self.temperature_, axis=1)

    def predict(self, items):
        return self.classes_[np.argmax(self.predict_proba(items), axis=1)]


def fit_temperature(new_logistic, X, y, classes, folds: int, seed: int) -> float:
    """One softmax temperature minimising the log-loss of out-of-fold decision values.

    `new_logistic()` makes an unfitted classifier; `classes` fixes the column order. With fewer
    examples of some label than 2 folds need, the temperature stays 1.
    """
    _, counts = np.unique(y, return_counts=True)
    folds = min(folds, int(counts.min()))
    if folds < 2:
        return 1.0
    from scipy.optimize import minimize_scalar
    from scipy.special import log_softmax
    from sklearn.model_selection import StratifiedKFold

    split = StratifiedKFold(folds, shuffle=True, random_state=seed)
    logits = np.zeros((len(y), len(classes)))
    for train, test in split.split(X, y):
        fold_model = new_logistic().fit(X[train], y[train])
        columns = [list(classes).index(label) for label in fold_model.classes_]
        decision = fold_model.decision_function(X[test])
        if decision.ndim == 1:  # two labels: sklearn gives one score, for the second
            decision = np.column_stack([np.zeros_like(decision), decision])
        logits[np.ix_(test, columns)] = decision
    truth = np.array([list(classes).index(label) for label in y])

    def nll(log_t):
        return -log_softmax(logits / np.exp(log_t), axis=1)[np.arange(len(y)), truth].mean()

    return float(np.exp(minimize_scalar(nll, bounds=(-3, 3), method="bounded").x))


# Margin bins (distance of the polarity from the nearest decision threshold) for the score.
_MARGIN_EDGES = (0.05, 0.15, 0.3)


class SentimentThresholds(Estimator):
    """Sentence sentiment from TextBlob polarity and subjectivity, thresholds fitted on gold.

    `labels` are (positive, neutral, negative) in that order; by default the schema's sentiment
    labels, which `schemas/labels.toml` lists from positive to negative. Prediction: positive
    when polarity > `positive_above_` and subjectivity >= `min_subjectivity_`, negative when
    polarity < `negative_below_` (same subjectivity floor), neutral otherwise. The thresholds
    are the grid point with the best macro-F1 on the training data. `predict_proba`'s score
    for the chosen label is its (smoothed) precision on the training data among sentences at a
    similar distance from the threshold.
    """

    def __init__(self, labels=None, polarity_grid=41, subjectivity_grid=(0.0, 0.1, 0.2, 0.3,
                                                                       0.4, 0.5)):
        self.labels = labels
        self.polarity_grid = polarity_grid
        self.subjectivity_grid = subjectivity_grid

    def _labels(self):
        if self.labels is not None:
            return tuple(self.labels)
        from annotate.schema import load_schema
        return load_schema().sentiments

    def fit(self, texts, y):
        return self.fit_scores(polarity_subjectivity(list(texts)), y)

    def fit_scores(self, scores, y, texts=None):
        """Fit from precomputed TextBlob (polarity, subjectivity) rows (`texts` unused: the
        same call as `SentimentLayer.fit_scores`)."""
        scores = np.asarray(scores, dtype=float)
        y = np.asarray(y, dtype=object)
        self.classes_ = np.array(self._labels(), dtype=object)
        if scores.ndim != 2 or scores.shape[1] != 2 or len(scores) != len(y):
            raise ValueError("expected one (polarity, subjectivity) row per label")
        unknown = set(y) - set(self.classes_)
        if unknown:
            raise ValueError(f"unknown sentiment labels {sorted(unknown)}")
        index = {label: i for i, label in enumerate(self.classes_)}
        truth = np.array([index[label] for label in y], dtype=int)
        grid = np.round(np.linspace(-0.5, 0.5, self.polarity_grid), 6)
        best = (-1.0, 0.0, 0.0, 0.0)
        for floor in self.subjectivity_grid:
            for low in grid:
                for high in grid[grid >= low]:
                    pred = self._assign(scores, low, high, floor)
                    f1 = _macro_f1(truth, pred, len(self.classes_))
                    if f1 > best[0] + 1e-12:
                        best = (f1, low, high, floor)
        self.train_macro_f1_, self.negative_below_, self.positive_above_, \
            self.min_subjectivity_ = (float(v) for v in best)
        self.score_table_ = self._score_table(scores, truth)
        return self

    @staticmethod
    def _assign(scores, low, high, floor):
        polarity, subjective = scores[:, 0], scores[:, 1] >= floor
        pred = np.ones(len(scores), dtype=int)  # neutral
        pred[(polarity > high) & subjective] = 0
        pred[(polarity < low) & subjective] = 2
        return pred

    def _margin_bins(self, scores):
        polarity = scores[:, 0]
        margin = np.minimum(np.abs(polarity - self.positive_above_),
                            np.abs(polarity - self.negative_below_))
        return np.digitize(margin, _MARGIN_EDGES)

    def _score_table(self, scores, truth):
        """`proba_table_[chosen, bin, k]`: how often the gold was label k among training sentences
        given `chosen` at that distance from a threshold; the score of the chosen label is the
        diagonal (its precision there)."""
        pred = self._assign(scores, self.negative_below_, self.positive_above_,
                            self.min_subjectivity_)
        bins = self._margin_bins(scores)
        n = len(self.classes_)
        self.proba_table_ = np.zeros((n, len(_MARGIN_EDGES) + 1, n))
        for label in range(n):
            for b in range(self.proba_table_.shape[1]):
                chosen = (pred == label) & (bins == b)
                # Laplace smoothing towards 1/n_labels keeps empty bins sensible.
                counts = np.bincount(truth[chosen], minlength=n)
                self.proba_table_[label, b] = (counts + 1) / (chosen.sum() + n)
        return self.proba_table_[np.arange(n), :, np.arange(n)]

    def predict_scores(self, scores, texts=None):
        """(labels, score of each chosen label) from (polarity, subjectivity) rows."""
        check_fitted(self, "score_table_")
        scores = np.asarray(scores, dtype=float).reshape(-1, 2)
        pred = self._assign(scores, self.negative_below_, self.positive_above_,
                            self.min_subjectivity_)
        return self.classes_[pred], self.score_table_[pred, self._margin_bins(scores)]

    def label_distribution(self, scores, texts=None):
        """(n, n_labels) estimated probability of each label (columns in `classes_` order) from
        (polarity, subjectivity) rows, or None for a model saved without the table."""
        if getattr(self, "proba_table_", None) is None:
            return None
        scores = np.asarray(scores, dtype=float).reshape(-1, 2)
        pred = self._assign(scores, self.negative_below_, self.positive_above_,
                            self.min_subjectivity_)
        return self.proba_table_[pred, self._margin_bins(scores)]

    def predict_with_distribution(self, scores, texts=None):
        """(labels, score of each chosen label, `label_distribution` or None)."""
        return (*self.predict_scores(scores), self.label_distribution(scores))

    def predict(self, texts):
        return self.predict_scores(polarity_subjectivity(list(texts)))[0]


def _macro_f1(truth, pred, n_labels) -> float:
    """Macro-F1 over the labels present in `truth` (the grid-search objective, vectorised)."""
    total = 0.0
    present = 0
    for label in range(n_labels):
        is_true, is_pred = truth == label, pred == label
        support = is_true.sum()
        if not support:
            continue
        present += 1
        tp = (is_true & is_pred).sum()
        denominator = support + is_pred.sum()
        total += 2 * tp / denominator if denominator else 0.0
    return total / present if present else 0.0
