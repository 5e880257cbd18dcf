"""Save and load a learned model: joblib files plus the model card that vouches for them.

scikit-learn's own persistence is a pickle (via joblib). **Loading a pickle runs code**: only
load model directories you made or trust (scikit-learn, "Model persistence", security section).
The card stores the SHA-256 of each joblib file and :func:`load_model` refuses a file whose hash
differs — which catches corruption and accidental swaps, not an attacker who can rewrite the card
as well. The card also records the scikit-learn version; a model is best loaded with the same one.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

import joblib
from sklearn.pipeline import Pipeline

from immunobalance.errors import InvalidInputError, Problem
from immunobalance.learn._card import ModelCard, card_markdown

__all__ = [
    "CARD_JSON",
    "CARD_MD",
    "INTERVAL_FILE",
    "MODEL_FILE",
    "LoadedModel",
    "file_sha256",
    "load_model",
    "save_model_files",
    "write_card",
]

MODEL_FILE = "model.joblib"
INTERVAL_FILE = "interval_models.joblib"
CARD_JSON = "model_card.json"
CARD_MD = "model_card.md"


def file_sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def save_model_files(
    out_dir: Path, pipeline: Pipeline, interval_models: list[Pipeline]
) -> dict[str, str]:
    """Dump the fitted pipeline and the bootstrap refits; return file name → SHA-256."""
    out_dir.mkdir(parents=True, exist_ok=True)
    joblib.dump(pipeline, out_dir / MODEL_FILE)
    joblib.dump(interval_models, out_dir / INTERVAL_FILE)
    return {name: file_sha256(out_dir / name) for name in (MODEL_FILE, INTERVAL_FILE)}


def write_card(out_dir: Path, card: ModelCard) -> None:
    """Write the card as JSON (for programs) and Markdown (for people)."""
    data = card.model_dump(mode="json", by_alias=True)
    (out_dir / CARD_JSON).write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n")
    (out_dir / CARD_MD).write_text(card_markdown(card), encoding="utf-8")


@dataclass(frozen=True)
class LoadedModel:
    """A learned model read back from its directory, hashes verified."""

    card: ModelCard
    pipeline: Pipeline
    interval_models: list[Pipeline]

    @property
    def treatments(self) -> list[str]:
        return list(self.card.treatment_levels)


def load_model(model_dir: str | Path) -> LoadedModel:
    """Load a model directory written by :func:`~immunobalance.learn.learn_response_model`.

    Raises
    ------
    InvalidInputError
        Missing files, an unreadable card, or a joblib file whose SHA-256 differs from the card.
    """
    root = Path(model_dir)
    problems: list[Problem] = []
    card_path = root / CARD_JSON
    if not card_path.is_file():
        raise InvalidInputError([Problem(str(card_path), "no model card here")], what="model")
    try:
        card = ModelCard.model_validate_json(card_path.read_text(encoding="utf-8"))
    except ValueError as exc:
        raise InvalidInputError(
            [Problem(str(card_path), f"not a valid model card: {exc}")], what="model"
        ) from None
    for name in (MODEL_FILE, INTERVAL_FILE):
        path = root / name
        if not path.is_file():
            problems.append(Problem(str(path), "missing"))
        elif file_sha256(path) != card.files.get(name):
            problems.append(
                Problem(
                    str(path),
                    "SHA-256 differs from the model card: the file was changed or replaced; "
                    "refusing to unpickle it",
                )
            )
    if problems:
        raise InvalidInputError(problems, what="model")
    pipeline = joblib.load(root / MODEL_FILE)
    interval_models = joblib.load(root / INTERVAL_FILE)
    return LoadedModel(card=card, pipeline=pipeline, interval_models=list(interval_models))
