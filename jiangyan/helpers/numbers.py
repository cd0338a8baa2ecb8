"""One rounding rule for every figure a person reads (pages, printed ledgers, spreadsheets).

Half up on the decimal figure as written (3.625 → 3.63), the rule of Django's ``floatformat`` and of a
person with a pencil — not Python's ``round``/``format`` on a binary float (3.625 → 3.62). Scores, averages
and percentages go through :func:`round_half_up` (template filters ``score`` and ``percent``), so the page,
the A4 ledger and its xlsx say the same number."""

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

SCORE_PLACES = 2


def round_half_up(value, places: int = SCORE_PLACES) -> Decimal | None:
    """``value`` (int, float, Decimal or numeric text) rounded half up to ``places`` decimals; None for
    None or a value that is not a finite number."""
    if value is None or isinstance(value, bool):
        return None
    try:
        # repr() of a float is its shortest decimal form: 3.625, not 3.62499999…
        number = Decimal(repr(value)) if isinstance(value, float) else Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None
    if not number.is_finite():
        return None
    return number.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def score(value) -> str:
    """An average score as people read it: ``3.63``; ``—`` when there is none."""
    rounded = round_half_up(value, SCORE_PLACES)
    return "—" if rounded is None else f"{rounded}"


def percent(value, places: int = 0) -> str:
    """A percentage as people read it: ``62.5%``; ``—`` when there is none."""
    rounded = round_half_up(value, places)
    return "—" if rounded is None else f"{rounded}%"
