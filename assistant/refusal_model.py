"""The learned refusal decision: trained on labelled questions over the index it will judge, stored beside it.

Training data: the tuning parts of the question sets in eval/ (never a sealed part), one label each (can the
compendium answer it?). Each question is searched as a user's would be, its `Signals` read, and a logistic
regression fitted (standardised signals, C chosen by cross-validation), then Platt-calibrated on out-of-fold
scores. The threshold is the highest one whose out-of-fold false refusals stay within MAX_FALSE_REFUSALS.
The model is written into the index store with a hash of its inputs, so a rebuilt index or changed data
retrains it on first open (about 10 s), like the passage vectors it depends on.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .refusal import RefusalGate, Signals
from .retrieval import Searcher
from .settings import ROOT

TRAINING_SETS = tuple(ROOT / "eval" / name for name in ("answerability.jsonl", "questions.jsonl", "holdout.jsonl"))
MODEL_FILE = "refusal-model.json"
FORMAT_VERSION = 1
OUT_OF_SCOPE = "out_of_scope"
# A cadre refused a real question loses the whole answer: at most this share of answerable training questions may
# be refused (out of fold), and the threshold is as strict as that allows.
MAX_FALSE_REFUSALS = 0.015
FOLDS = 5
C_GRID = (0.03, 0.1, 0.3, 1.0, 3.0)


@dataclass(frozen=True)
class RefusalModel:
    """Standardised signals → logistic score → calibrated probability that the compendium answers."""

    names: tuple[str, ...]
    mean: tuple[float, ...]
    scale: tuple[float, ...]
    coef: tuple[float, ...]
    intercept: float
    calibration: tuple[float, float]  # Platt: p = sigmoid(a * score + b)
    threshold: float
    training_sha256: str

    def probability(self, signals: Signals) -> float:
        z = (np.asarray(signals.as_vector()) - np.asarray(self.mean)) / np.asarray(self.scale)
        score = float(z @ np.asarray(self.coef) + self.intercept)
        a, b = self.calibration
        return 1.0 / (1.0 + math.exp(-(a * score + b)))

    def weights(self) -> dict[str, float]:
        """Each signal's weight (per standard deviation): what the decision leans on, for `search` and README."""
        return dict(zip(self.names, self.coef))


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
                  show_progress: bool = False) -> tuple[np.ndarray, np.ndarray]:
    """Signals and labels of the questions no exact rule decides (those never reach the model)."""
    from tqdm import tqdm

    rows, labels = [], []
    for question, answerable in tqdm(questions, desc="训练拒答模型", unit="题", file=sys.stderr,
                                     disable=not show_progress):
        result = searcher.search(question)
        if gate.exact_rule(question, result) is None:
            rows.append(gate.signals(question, result).as_vector())
            labels.append(answerable)
    return np.asarray(rows, dtype=float), np.asarray(labels, dtype=int)


def fit(x: np.ndarray, y: np.ndarray, fingerprint: str = "") -> RefusalModel:
    """Logistic regression (C by cross-validation), Platt calibration and threshold from out-of-fold scores."""
    from sklearn.linear_model import LogisticRegression, LogisticRegressionCV
    from sklearn.model_selection import StratifiedKFold, cross_val_predict
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    folds = StratifiedKFold(FOLDS, shuffle=True, random_state=0)
    chosen = LogisticRegressionCV(Cs=list(C_GRID), cv=folds, scoring="roc_auc", max_iter=2000,
                                  class_weight="balanced").fit(StandardScaler().fit_transform(x), y).C_[0]
    pipeline = make_pipeline(StandardScaler(), LogisticRegression(C=chosen, max_iter=2000, class_weight="balanced"))
    scores = cross_val_predict(pipeline, x, y, cv=folds, method="decision_function")
    platt = LogisticRegression(C=1e6, max_iter=1000).fit(scores.reshape(-1, 1), y)
    a, b = float(platt.coef_[0][0]), float(platt.intercept_[0])
    probabilities = 1.0 / (1.0 + np.exp(-(a * scores + b)))
    answerable = np.sort(probabilities[y == 1])
    allowed = int(math.floor(MAX_FALSE_REFUSALS * len(answerable)))
    threshold = float(answerable[allowed]) if len(answerable) else 0.5
    pipeline.fit(x, y)
    scaler, regression = pipeline[0], pipeline[1]
    return RefusalModel(tuple(Signals.names()), tuple(scaler.mean_), tuple(np.where(scaler.scale_ > 0, scaler.scale_, 1.0)),
                        tuple(float(c) for c in regression.coef_[0]), float(regression.intercept_[0]), (a, b),
                        threshold, fingerprint)


def load_or_train(store: Path, searcher: Searcher, gate: RefusalGate, show_progress: bool = False) -> RefusalModel | None:
    """The model stored with the index, trained first when missing or made from other data (None: no data)."""
    questions = training_questions()
    if not questions:
        return None
    fingerprint = _fingerprint(questions, searcher)
    path = store / f"{Path(MODEL_FILE).stem}-{fingerprint[:12]}.json"
    try:
        stored = json.loads(path.read_text(encoding="utf-8"))
        model = RefusalModel(**{k: tuple(v) if isinstance(v, list) else v for k, v in stored.items()})
        if model.training_sha256 == fingerprint:
            return model
    except (OSError, ValueError, TypeError):
        pass  # missing or damaged: train again
    x, y = signal_matrix(questions, searcher, gate, show_progress)
    model = fit(x, y, fingerprint)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_text(json.dumps(model.__dict__, ensure_ascii=False, indent=1), encoding="utf-8")
    os.replace(tmp, path)
    return model
