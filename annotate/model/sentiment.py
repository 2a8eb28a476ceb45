"""Sentence sentiment: a small fitted layer over TextBlob polarity/subjectivity and news tone.

TextBlob's lexicon is built from product reviews; it misses most of the tone of news about
violence and politics ("gangs killed", "displaced", "the mission restored"), which annotators
label negative or positive. `SentimentLayer` keeps TextBlob at the core: its features are the
sentence's polarity and subjectivity, the label the fitted `SentimentThresholds` give them
(one-hot), and counts of a news-tone lexicon and of the stance cues, with negation; with
`word_weight` > 0 (the shipped models) also TF-IDF word 1-2-grams of the sentence, which learn
the tone of phrases no lexicon holds ("only a fraction of", "set to expire"). A
multinomial logistic regression over them (balanced class weights, so the rare `positive` is
not drowned) is calibrated by one temperature fitted on out-of-fold decision values. Its
learned state is plain numbers, saved as JSON by `annotate.model.store` (no pickle).
"""

from __future__ import annotations

import functools
from types import MappingProxyType

import numpy as np
from threadpoolctl import threadpool_limits

from annotate.model.estimator import Estimator, check_fitted
from annotate.model.features import (
    CUE_CLASSES,
    NEGATIONS,
    cue_class,
    name_words,
    polarity_subjectivity,
    tokens_with_offsets,
)
from annotate.model.plain import PlainTfidf, softmax
from annotate.model.stance import SentimentThresholds, fit_temperature

# News-tone word prefixes (lowercase), chosen from general news vocabulary, not from the gold.
NEWS_TONE = MappingProxyType({
    "negative": (
        "kill", "attack", "violen", "gang", "crisis", "crises", "displac", "abus", "cholera",
        "kidnap", "massacr", "fear", "collaps", "shortfall", "murder", "deadly", "death", "died",
        "dying", "wound", "injur", "rape", "loot", "burn", "flee", "fled", "hunger", "famine",
        "starv", "threat", "terror", "chaos", "chaotic", "insecur", "unrest", "clash", "gunfire",
        "shooting", "bloods", "victim", "destroy", "destruct", "suffer", "poverty", "corrupt",
        "fail", "delay", "stall", "lack", "shortage", "underfund", "struggl", "worse",
        "deteriorat", "condemn", "protest", "accus", "critici", "reject", "oppos", "denounc",
        "blame", "outrag", "scandal", "alleg", "misconduct", "exploit", "troubl", "problem",
        "danger", "risk", "concern", "worr", "warn", "setback", "casualt", "hostage", "siege",
        "blockad", "extort", "emergenc", "catastroph", "disaster", "devastat", "grim", "dire",
        "desperat", "paralys", "overwhelm", "halt", "suspend", "ambush", "raid", "brutal",
        "abduct", "ransom", "lynch", "vigilant", "riot", "unconstitution", "illegal", "doubt",
        "skeptic", "sceptic", "undermin",
        # shortfalls, deadlines and precarious situations ("only a fraction of its force",
        # "its mandate was set to expire", "the situation remained critical")
        "fraction", "insufficien", "inadequa", "dwindl", "scarc", "deplet", "overstretch",
        "understaff", "underequip", "unpaid", "expir", "deadline", "loom", "urgen", "critical",
        "precari", "fragil", "grave", "volatil", "untenab",
    ),
    "positive": (
        "welcom", "progress", "restor", "reopen", "hope", "prais", "success", "secured",
        "agreed", "agreement", "improv", "calm", "peace", "pledg", "commend", "applaud",
        "celebrat", "relief", "rebuil", "stabili", "achiev", "boost", "strengthen", "grateful",
        "thank", "optimis", "encourag", "milestone", "breakthrough", "freed", "rescu",
        "liberat", "resum", "recover", "endors", "approv", "donat", "cooperat", "credit",
        "effective",
    ),
})
TONES = tuple(NEWS_TONE)
_NEGATION_WINDOW = 3  # a negation this many tokens before a word flips it ("not restored")


@functools.lru_cache(maxsize=1 << 16)
def news_tone(token: str) -> str | None:
    """The news tone a lowercase token belongs to, or None (cached: tokens repeat)."""
    return next((tone for tone in TONES if token.startswith(NEWS_TONE[tone])), None)


def tone_counts(text: str) -> list[float]:
    """Per news tone: plain and negated counts; per stance-cue class: count; any negation."""
    names = name_words(text)  # "Support" in "Security Support Mission" states no tone
    tokens = [token for token, start, _ in tokens_with_offsets(text) if start not in names]
    plain, negated = dict.fromkeys(TONES, 0.0), dict.fromkeys(TONES, 0.0)
    cues = dict.fromkeys(CUE_CLASSES, 0.0)
    for i, token in enumerate(tokens):
        cue = cue_class(token)
        if cue:
            cues[cue] += 1
        tone = news_tone(token)
        if tone:
            flipped = NEGATIONS.intersection(tokens[max(0, i - _NEGATION_WINDOW):i])
            (negated if flipped else plain)[tone] += 1
    return [*plain.values(), *negated.values(), *cues.values(),
            float(bool(NEGATIONS.intersection(tokens)))]


# The word block's vectorizer settings: fitted with scikit-learn, applied by PlainTfidf.
_WORD_SETTINGS = MappingProxyType({"ngram_range": (1, 2), "sublinear_tf": True})


def _new_words(**params):
    from sklearn.feature_extraction.text import TfidfVectorizer

    return TfidfVectorizer(**_WORD_SETTINGS, **params)


class SentimentLayer(Estimator):
    """Sentence sentiment: `SentimentThresholds` plus a calibrated logistic regression.

    `fit(texts, y)` / `fit_scores(tone, y, texts)`; prediction needs the texts too (the tone
    lexicon reads them) and their TextBlob (polarity, subjectivity) rows, which pre-labelling
    shares with the stance features. Labels and their order are the thresholds' (the schema's).
    """

    def __init__(self, C=1.0, class_weight="balanced", calibration_folds=3, random_state=0,
                 semantic_weight=0.0, word_weight=0.0, word_min_df=2, contextual_weight=0.0):
        # word_weight > 0 adds TF-IDF word 1-2-grams (seen in >= word_min_df training sentences)
        # times that weight; off by default, so models saved before it load unchanged.
        self.word_weight = word_weight
        self.word_min_df = word_min_df
        # semantic_weight > 0 appends the sentence's WordLlama embedding (annotate.model.semantic)
        # times that weight to the standardised features: the "accurate" tier
        self.semantic_weight = semantic_weight
        # contextual_weight > 0 appends the sentence's MiniLM vector (annotate.model.contextual)
        self.contextual_weight = contextual_weight
        self.C = C
        self.class_weight = class_weight
        self.calibration_folds = calibration_folds
        self.random_state = random_state

    def _new_logistic(self):
        from sklearn.linear_model import LogisticRegression

        return LogisticRegression(C=self.C, max_iter=2000, class_weight=self.class_weight,
                                  random_state=self.random_state)

    def fit(self, texts, y):
        texts = list(texts)
        return self.fit_scores(polarity_subjectivity(texts), y, texts)

    def fit_scores(self, scores, y, texts=None):
        if texts is None:
            raise ValueError("SentimentLayer needs the sentence texts, not only their tone")
        self.thresholds_ = SentimentThresholds().fit_scores(scores, y)
        self.classes_ = self.thresholds_.classes_
        y = np.asarray(y, dtype=object)
        raw = self._raw_features(scores, texts)
        self.vocabulary_, self.idf_ = None, None
        if getattr(self, "word_weight", 0.0) > 0:
            vectorizer = _new_words(min_df=self.word_min_df).fit(texts)
            self.vocabulary_ = sorted(vectorizer.vocabulary_, key=vectorizer.vocabulary_.get)
            self.idf_ = vectorizer.idf_
        self.mean_ = raw.mean(axis=0)
        self.scale_ = np.where(raw.std(axis=0) > 0, raw.std(axis=0), 1.0)
        X = self._design(raw, texts)
        # Rows in `classes_` order; a label absent from the training gold never wins.
        self.coef_ = np.zeros((len(self.classes_), X.shape[1]))
        self.intercept_ = np.full(len(self.classes_), -1e3)
        index = {label: i for i, label in enumerate(self.classes_)}
        if len(set(y)) < 2:  # one label only (a small gold set, a fold of one): always it
            self.temperature_ = 1.0
            self.intercept_[index[y[0]]] = 0.0
            return self
        with threadpool_limits(limits=1):  # as for stance: one BLAS thread, same result
            self.temperature_ = fit_temperature(self._new_logistic, X, y, self.classes_,
                                                self.calibration_folds, self.random_state)
            logistic = self._new_logistic().fit(X, y)
        rows = [index[label] for label in logistic.classes_]
        if len(rows) == 2:  # binary: one coefficient row, for the second class
            self.coef_[rows[1]], self.intercept_[rows[1]] = logistic.coef_[0], logistic.intercept_[0]
            self.intercept_[rows[0]] = 0.0
        else:
            self.coef_[rows], self.intercept_[rows] = logistic.coef_, logistic.intercept_
        return self

    def _design(self, raw, texts) -> np.ndarray:
        """Standardised features, then (accurate tier) the weighted sentence embeddings."""
        X = (raw - self.mean_) / self.scale_
        if getattr(self, "semantic_weight", 0.0) > 0:
            from annotate.model.semantic import embed_texts

            X = np.hstack([X, self.semantic_weight * embed_texts(list(texts))])
        if getattr(self, "contextual_weight", 0.0) > 0:
            from annotate.model.contextual import encoder

            X = np.hstack([X, self.contextual_weight * encoder().sentence_vectors(list(texts))])
        if getattr(self, "vocabulary_", None):  # sparse: most of the vocabulary is absent
            import scipy.sparse as sp

            words = self._words().transform(list(texts))
            X = sp.hstack([sp.csr_matrix(X), self.word_weight * words], format="csr")
        return X

    def _words(self):
        """The fitted TF-IDF vectorizer, rebuilt once from the stored terms and idf weights."""
        cached = getattr(self, "_vectorizer", None)
        if cached is None or cached[0] is not self.vocabulary_:
            vectorizer = PlainTfidf(self.vocabulary_, self.idf_, **_WORD_SETTINGS)
            self._vectorizer = cached = (self.vocabulary_, vectorizer)
        return cached[1]

    def n_design_features(self) -> int:
        extra = 256 if getattr(self, "semantic_weight", 0.0) > 0 else 0
        extra += 384 if getattr(self, "contextual_weight", 0.0) > 0 else 0
        extra += len(getattr(self, "vocabulary_", None) or ())
        return self._raw_features([[0.0, 0.0]], [""]).shape[1] + extra

    def _raw_features(self, scores, texts) -> np.ndarray:
        scores = np.asarray(scores, dtype=float).reshape(-1, 2)
        if len(texts) != len(scores):
            raise ValueError(f"{len(texts)} texts but {len(scores)} tone rows")
        chosen, _ = self.thresholds_.predict_scores(scores)
        onehot = (chosen[:, None] == self.thresholds_.classes_[None, :]).astype(float)
        counts = np.log1p(np.array([tone_counts(text) for text in texts], dtype=float))
        return np.hstack([scores, scores[:, :1] * scores[:, 1:], onehot,
                          counts.reshape(len(texts), -1)])

    def label_distribution(self, scores, texts=None) -> np.ndarray:
        """(n, n_labels) calibrated probability of each label, columns in `classes_` order."""
        check_fitted(self, "coef_")
        if texts is None:
            raise ValueError("SentimentLayer needs the sentence texts, not only their tone")
        X = self._design(self._raw_features(scores, list(texts)), list(texts))
        return softmax((np.asarray(X @ self.coef_.T) + self.intercept_) / self.temperature_, axis=1)

    def predict_scores(self, scores, texts=None):
        """(labels, probability of each chosen label)."""
        labels, chosen, _ = self.predict_with_distribution(scores, texts)
        return labels, chosen

    def predict_with_distribution(self, scores, texts=None):
        """(labels, probability of each chosen label, `label_distribution`), computed once."""
        proba = self.label_distribution(scores, texts)
        best = proba.argmax(axis=1)
        return self.classes_[best], proba[np.arange(len(best)), best], proba

    def predict_proba(self, texts):
        texts = list(texts)
        return self.label_distribution(polarity_subjectivity(texts), texts)

    def predict(self, texts):
        texts = list(texts)
        return self.predict_scores(polarity_subjectivity(texts), texts)[0]
