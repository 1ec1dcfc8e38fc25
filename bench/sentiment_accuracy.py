"""Accuracy of comment sentiment per language on the labelled comments in bench/sentiment/.

    .venv/bin/python bench/sentiment_accuracy.py [--show-errors]

Three classes (positive, neutral, negative); prints accuracy, the confusion
counts, and whether the interface shows sentiment for the language.
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from engagement.reporting.sentiment import LABELS, MIN_ACCURACY, classify

DATA = Path(__file__).resolve().parent / "sentiment"


def labelled(language: str, held_out: bool = False) -> list[tuple[str, str]]:
    rows = []
    name = f"{language}-heldout.tsv" if held_out else f"{language}.tsv"
    for line in (DATA / name).read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            label, text = line.split("\t", 1)
            rows.append((label, text))
    return rows


def accuracy(language: str, held_out: bool = False) -> tuple[float, Counter, list]:
    rows = labelled(language, held_out)
    confusion: Counter = Counter()
    errors = []
    for label, text in rows:
        guess = classify(text, language)
        confusion[(label, guess)] += 1
        if guess != label:
            errors.append((label, guess, text))
    right = sum(confusion[(label, label)] for label in LABELS)
    return right / len(rows), confusion, errors


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--show-errors", action="store_true")
    args = parser.parse_args()
    for language in ("en", "es", "zh"):
        held, held_confusion, held_errors = accuracy(language, held_out=True)
        score, confusion, errors = accuracy(language)
        combined = (score * sum(confusion.values()) + held * sum(held_confusion.values())) / (
            sum(confusion.values()) + sum(held_confusion.values())
        )
        shown = "shown" if held >= MIN_ACCURACY else "NOT shown (too unreliable)"
        print(
            f"{language}: held-out accuracy {held:.2f} on {sum(held_confusion.values())} comments, "
            f"development set {score:.2f} on {sum(confusion.values())}, all {combined:.2f} "
            f"(threshold {MIN_ACCURACY:.2f} on held-out): {shown}"
        )
        errors = errors + held_errors
        for label in ("positive", "neutral", "negative"):
            row = "  ".join(f"{g}={confusion[(label, g)]}" for g in LABELS)
            print(f"    labelled {label:8s} -> {row}")
        if args.show_errors:
            for label, guess, text in errors:
                print(f"    ! {label} as {guess}: {text}")


if __name__ == "__main__":
    main()
