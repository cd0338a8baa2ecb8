"""Top-1 / top-3 hit rates of the coding assistant (surveys.coding) on held-out coded demo suggestions.

    DATABASE_URL=... .venv/bin/python bench/surveys_coding_accuracy.py [--test-share 0.2] [--seed 7]

Needs the demo data (``manage.py seed_demo``). The coded suggestions are split 80/20 at random (fixed
seed); the ranker is built from the problem items plus the 80 % and asked for the top 3 of each of the
20 %. Also reports the ranker built from the problem items alone (what the office has on day one)."""

import argparse
import os
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jiangyan.settings.local")

import django  # noqa: E402

django.setup()

from surveys.coding import Ranker  # noqa: E402
from surveys.models import ProblemItem, Suggestion  # noqa: E402


def evaluate(ranker: Ranker, test: list[tuple[int, str]]) -> tuple[float, float]:
    top1 = top3 = 0
    for item_id, text in test:
        ranked = [c.item_id for c in ranker.rank(text, 3)]
        top1 += bool(ranked) and ranked[0] == item_id
        top3 += item_id in ranked
    return top1 / len(test), top3 / len(test)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--test-share", type=float, default=0.2)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()

    items = list(ProblemItem.objects.values_list("id", "title", "keywords"))
    coded = list(
        Suggestion.objects.filter(problem_item__isnull=False)
        .order_by("id")
        .values_list("problem_item_id", "text")
    )
    if not coded:
        sys.exit("没有已编码的建议：请先运行 manage.py seed_demo")
    random.Random(args.seed).shuffle(coded)
    cut = int(len(coded) * (1 - args.test_share))
    train, test = coded[:cut], coded[cut:]

    started = time.monotonic()
    ranker = Ranker.build(items, train)
    built = time.monotonic() - started
    started = time.monotonic()
    top1, top3 = evaluate(ranker, test)
    per_query = (time.monotonic() - started) / len(test) * 1000
    cold1, cold3 = evaluate(Ranker.build(items, []), test)

    print(
        f"problem items: {len(items)}, coded suggestions: {len(coded)} (train {len(train)}, test {len(test)})"
    )
    print(
        f"items + coded suggestions: top-1 {top1:.1%}, top-3 {top3:.1%}"
        f"  (build {built:.2f}s, {per_query:.2f} ms/query)"
    )
    print(f"items only (no coding yet): top-1 {cold1:.1%}, top-3 {cold3:.1%}")


if __name__ == "__main__":
    main()
