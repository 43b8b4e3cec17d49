"""The learned refusal decision: trained on labelled questions over the index it will judge, stored beside it.

Training data: the tuning parts of the question sets in eval/ (never a sealed part), one label each (can the
compendium answer it?). Each question is searched as a user's would be and its `Signals` read; a character
n-gram model scores its wording; a logistic regression over both (standardised, C chosen by cross-validation)
is Platt-calibrated on out-of-fold scores. The threshold is the highest one whose out-of-fold false refusals
stay within MAX_FALSE_REFUSALS. The model is written into the index store with a hash of its inputs, so a
rebuilt index or changed data retrains it on first open (about 20 s), like the passage vectors it depends on.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import pickle
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .refusal import RefusalGate, Signals
from .retrieval import Searcher
from .settings import ROOT

TRAINING_SETS = tuple(ROOT / "eval" / name for name in ("answerability.jsonl", "questions.jsonl", "holdout.jsonl"))
MODEL_FILE = "refusal-model"
FORMAT_VERSION = 2
WORDING = "wording"
# Character 1–3-grams at C = 3: the best out-of-fold AUC among (1–2, 1–3, 2–4) × (1, 3, 10) on the tuning data.
WORDING_NGRAMS, WORDING_C = (1, 3), 3.0
OUT_OF_SCOPE = "out_of_scope"
# A cadre refused a real question loses the whole answer: at most this share of answerable training questions may
# be refused (out of fold), and the threshold is as strict as that allows (the bound is 2%).
MAX_FALSE_REFUSALS = 0.02
FOLDS = 5
C_GRID = (0.03, 0.1, 0.3, 1.0, 3.0)


@dataclass(frozen=True)
class RefusalModel:
    """Signals plus a wording score → logistic score → calibrated probability that the compendium answers.

    The wording score is a character n-gram model of the question text: it learns the vocabulary of what the
    compendium does not cover (社保, 个税, 天气 …) as a whole, where no word list could; its out-of-fold score is
    one more input of the final regression, beside the search signals."""

    names: tuple[str, ...]
    wording: object  # sklearn pipeline: TF-IDF of character n-grams → logistic regression
    signals_model: object  # sklearn pipeline: standardised signals + wording score → logistic regression
    calibration: tuple[float, float]  # Platt: p = sigmoid(a * score + b)
    threshold: float
    training_sha256: str

    def probability(self, signals: Signals, question: str) -> float:
        wording = float(self.wording.decision_function([question])[0])
        score = float(self.signals_model.decision_function([[*signals.as_vector(), wording]])[0])
        a, b = self.calibration
        return 1.0 / (1.0 + math.exp(-(a * score + b)))

    def weights(self) -> dict[str, float]:
        """Each input's weight (per standard deviation): what the decision leans on, for `search` and README."""
        return dict(zip([*self.names, WORDING], (float(c) for c in self.signals_model[-1].coef_[0])))


def training_questions(paths: tuple[Path, ...] = TRAINING_SETS) -> list[tuple[str, bool]]:
    """(question, answerable) for every single-turn question of the tuning sets that exist."""
    items = []
    for path in paths:
        if not path.exists():
            continue
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                item = json.loads(line)
                if isinstance(item.get("question"), str):
                    items.append((item["question"], item["type"] != OUT_OF_SCOPE))
    return items


def _fingerprint(questions: list[tuple[str, bool]], searcher: Searcher) -> str:
    digest = hashlib.sha256(json.dumps([FORMAT_VERSION, Signals.names(), repr(searcher.config), questions],
                                       ensure_ascii=False).encode())
    return digest.hexdigest()


def signal_matrix(questions: list[tuple[str, bool]], searcher: Searcher, gate: RefusalGate,
                  show_progress: bool = False) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """Signals, labels and texts of the questions no exact rule decides (those never reach the model)."""
    from tqdm import tqdm

    rows, labels, texts = [], [], []
    for question, answerable in tqdm(questions, desc="训练拒答模型", unit="题", file=sys.stderr,
                                     disable=not show_progress):
        result = searcher.search(question)
        if gate.exact_rule(question, result) is None:
            rows.append(gate.signals(question, result).as_vector())
            labels.append(answerable)
            texts.append(question)
    return np.asarray(rows, dtype=float), np.asarray(labels, dtype=int), texts


def fit(x: np.ndarray, y: np.ndarray, texts: list[str], fingerprint: str = "") -> RefusalModel:
    """The wording model, then the final regression over signals + out-of-fold wording scores (C by
    cross-validation), Platt calibration and the threshold from its out-of-fold scores."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression, LogisticRegressionCV
    from sklearn.model_selection import StratifiedKFold, cross_val_predict
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    folds = StratifiedKFold(FOLDS, shuffle=True, random_state=0)
    wording = make_pipeline(TfidfVectorizer(analyzer="char_wb", ngram_range=WORDING_NGRAMS, min_df=2, sublinear_tf=True),
                            LogisticRegression(C=WORDING_C, max_iter=3000, class_weight="balanced"))
    x = np.column_stack([x, cross_val_predict(wording, texts, y, cv=folds, method="decision_function")])
    wording.fit(texts, y)
    chosen = LogisticRegressionCV(Cs=list(C_GRID), cv=folds, scoring="roc_auc", max_iter=2000,
                                  class_weight="balanced").fit(StandardScaler().fit_transform(x), y).C_[0]
    final = make_pipeline(StandardScaler(), LogisticRegression(C=chosen, max_iter=2000, class_weight="balanced"))
    scores = cross_val_predict(final, x, y, cv=StratifiedKFold(FOLDS, shuffle=True, random_state=1),
                               method="decision_function")
    platt = LogisticRegression(C=1e6, max_iter=1000).fit(scores.reshape(-1, 1), y)
    a, b = float(platt.coef_[0][0]), float(platt.intercept_[0])
    answerable = np.sort(1.0 / (1.0 + np.exp(-(a * scores[y == 1] + b))))
    threshold = float(answerable[int(math.floor(MAX_FALSE_REFUSALS * len(answerable)))]) if len(answerable) else 0.5
    return RefusalModel(tuple(Signals.names()), wording, final.fit(x, y), (a, b), threshold, fingerprint)


def load_or_train(store: Path, searcher: Searcher, gate: RefusalGate, show_progress: bool = False) -> RefusalModel | None:
    """The model stored with the index, trained first when missing or made from other data (None: no data)."""
    questions = training_questions()
    if not questions:
        return None
    fingerprint = _fingerprint(questions, searcher)
    path = store / f"{Path(MODEL_FILE).stem}-{fingerprint[:12]}.pickle"
    try:
        # Our own file, written below into our own index folder.
        model = pickle.loads(path.read_bytes())
        if isinstance(model, RefusalModel) and model.training_sha256 == fingerprint:
            return model
    except Exception:  # noqa: BLE001 - missing or damaged: train again
        pass
    model = fit(*signal_matrix(questions, searcher, gate, show_progress), fingerprint)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_bytes(pickle.dumps(model))
    os.replace(tmp, path)
    return model
