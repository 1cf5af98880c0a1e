"""Net Promoter Score arithmetic, with no database in it.

On the 0–10 question, promoters answered 9 or 10, passives 7 or 8, detractors 0 to 6.
NPS = 100 × (promoters − detractors) / responses, from −100 to +100.

The confidence interval is the usual normal approximation for NPS. Each answer scores +1
(promoter), 0 (passive) or −1 (detractor); NPS/100 is the mean of those scores. With p = the
share of promoters and d = the share of detractors, the variance of one score is
    E[x²] − E[x]² = (p + d) − (p − d)²
so the standard error of NPS (in points) is
    SE = 100 × sqrt(((p + d) − (p − d)²) / n)
and the 95 % interval is NPS ± 1.96 × SE, cut to [−100, 100]. It is an approximation: with few
answers, or when nearly everybody gave the same kind of answer, the true uncertainty is larger
than it says (the interval is 0 wide when every answer is a promoter). The difference between
two independent groups (template A against B, before against after) has
    SE = sqrt(SE_a² + SE_b²).
"""

import math
from dataclasses import dataclass

Z_95 = 1.96
PROMOTER_FROM = 9
DETRACTOR_UP_TO = 6


def category(score: int) -> str:
    if score >= PROMOTER_FROM:
        return "promoter"
    if score <= DETRACTOR_UP_TO:
        return "detractor"
    return "passive"


@dataclass(frozen=True)
class Nps:
    responses: int
    promoters: int
    detractors: int

    @property
    def passives(self) -> int:
        return self.responses - self.promoters - self.detractors

    @property
    def score(self) -> float | None:
        if not self.responses:
            return None
        return 100 * (self.promoters - self.detractors) / self.responses

    @property
    def standard_error(self) -> float | None:
        if not self.responses:
            return None
        p = self.promoters / self.responses
        d = self.detractors / self.responses
        variance = max((p + d) - (p - d) ** 2, 0.0)
        return 100 * math.sqrt(variance / self.responses)

    @property
    def margin(self) -> float | None:
        se = self.standard_error
        return None if se is None else Z_95 * se

    @property
    def interval(self) -> tuple[float, float] | None:
        if self.score is None or self.margin is None:
            return None
        return max(-100.0, self.score - self.margin), min(100.0, self.score + self.margin)

    def percent(self, count: int) -> float:
        return 100 * count / self.responses if self.responses else 0.0


@dataclass(frozen=True)
class Difference:
    """B − A (after − before) in NPS points, with its 95 % margin."""

    change: float
    margin: float

    @property
    def interval(self) -> tuple[float, float]:
        return self.change - self.margin, self.change + self.margin

    @property
    def is_clear(self) -> bool:
        """The interval of the difference leaves out 0."""
        low, high = self.interval
        return low > 0 or high < 0


def difference(a: Nps, b: Nps) -> Difference | None:
    if a.score is None or b.score is None or a.standard_error is None or b.standard_error is None:
        return None
    return Difference(change=b.score - a.score, margin=Z_95 * math.hypot(a.standard_error, b.standard_error))
