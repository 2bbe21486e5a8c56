"""Decision rules of one firm, as pure compiled functions.

Each rule describes what a single firm does with its own numbers and the market's. They are
compiled with Numba (``@njit``) and called row by row from the compiled monthly kernel
(``firm_kernel``), which applies them to every firm in one pass. Written as plain arithmetic,
all but ``happens``, ``benefit_per_yuan`` and ``net_benefit`` also take NumPy arrays from
Python (Numba compiles a version for arrays), which is how tests and the few array callers
use them. None holds state or draws random numbers; ``FirmPopulation`` owns the state and
the draws.
"""

from __future__ import annotations

import numpy as np
from numba import njit

MONTH = 1.0 / 12.0

#: Platform reach is counted in millions of buyers: ``uplift = reach_gain · ln(1 + buyers/1e6)``.
BUYERS_UNIT = 1e6

#: Largest |β·U| the exponentials see: beyond it a firm is certain either way, and exp overflows.
EXPONENT_LIMIT = 50.0


@njit(cache=True)
def monthly_probability(annual_hazard: float) -> float:
    """Probability that an event with the given yearly hazard happens within one month.

    ``1 − exp(−λ·Δt)`` with Δt = 1/12: the exact discretisation of a constant hazard, which
    keeps a monthly model on the continuous-time Bass curve (an annual tick would drift).
    """
    return -np.expm1(-annual_hazard * MONTH)


@njit(cache=True)
def happens(draw: float, annual_hazard: float) -> bool:
    """Whether an event with the given yearly hazard happens this month, for a uniform draw.

    The event happens when ``draw < monthly_probability(hazard)``. As ``1 − e^(−x) ≤ x``, a
    draw at or above ``hazard / 12`` settles it without the exponential; most months, for most
    firms, it does.
    """
    if draw >= annual_hazard * MONTH:
        return False
    return draw < monthly_probability(annual_hazard)


@njit(cache=True)
def _bounded(exponent: float) -> float:
    return np.minimum(np.maximum(exponent, -EXPONENT_LIMIT), EXPONENT_LIMIT)


@njit(cache=True)
def adoption_hazard(
    innovation: float,
    imitation: float,
    propensity: float,
    peer_share: float,
    benefit: float,
    benefit_sensitivity: float,
) -> float:
    """Yearly hazard of going online: ``(p·θ + q·P) · exp(β·U)``.

    ``p`` is the innovation rate, ``θ`` the firm's own propensity (mean one: the *rank effect*
    of firm differences), ``q`` the imitation rate, ``P`` the adopted share among the firm's
    peers, ``U`` the expected net benefit per yuan of revenue and ``β`` how strongly the hazard
    responds to it. With ``β = 0``, ``θ ≡ 1`` and ``P`` the market-wide share this is exactly
    the Bass (1969) hazard ``p + q·F``.
    """
    base = innovation * propensity + imitation * peer_share
    return base * np.exp(_bounded(benefit_sensitivity * benefit))  # exp(0) = 1 exactly


@njit(cache=True)
def abandonment_hazard(
    abandonment_rate: float, benefit: float, benefit_sensitivity: float
) -> float:
    """Yearly hazard that an adopter gives up: ``r · 2 / (1 + exp(β·U))``.

    At zero net benefit the hazard is the base rate ``r``; it falls toward zero for firms that
    profit from being online and rises toward ``2r`` for those that lose money on it.
    """
    return abandonment_rate * 2.0 / (1.0 + np.exp(_bounded(benefit_sensitivity * benefit)))


@njit(cache=True)
def peer_share(
    market_share: float,
    sector_share: float,
    cluster_share: float,
    market_weight: float,
    sector_weight: float,
    cluster_weight: float,
) -> float:
    """Adopted share among a firm's peers: a weighted mix of three circles of peers.

    The market-wide share, the share in the firm's sector, and the share in its cluster (park
    firms of the same sector; a firm outside any park has no cluster and the caller passes its
    sector share instead). ``firm_kernel.peer_groups`` measures the three shares.
    """
    return (
        market_weight * market_share + sector_weight * sector_share + cluster_weight * cluster_share
    )


@njit(cache=True)
def platform_uplift(reach_gain: float, buyers: float) -> float:
    """Extra sales a platform's reach brings, as a share of the sales a firm moves online.

    ``reach_gain · ln(1 + buyers / 1e6)``: concave, because each further million buyers adds
    less new demand for one seller's goods.
    """
    return reach_gain * np.log1p(buyers / BUYERS_UNIT)


@njit(cache=True)
def setup_cost(
    base_cost: float,
    skill: float,
    in_park: float,
    skill_cost_discount: float,
    park_setup_discount: float,
) -> float:
    """One-off cost of going online, yuan.

    The size class's typical cost, lower for skilled firms (up to ``skill_cost_discount`` off)
    and for firms in an e-commerce park.
    """
    return base_cost * (1.0 - skill_cost_discount * skill) * (1.0 - park_setup_discount * in_park)


@njit(cache=True)
def benefit_per_yuan(
    sales_ceiling: float,
    uplift: float,
    margin: float,
    channel_saving: float,
    commission: float,
    retail_fraction: float,
    parcel_value: float,
    parcel_cost: float,
    purchase_share: float,
    purchase_ceiling: float,
    purchase_saving: float,
    new_business: float = 0.0,
) -> float:
    """Expected yearly gain of being online per yuan of revenue, before one-off costs.

    A firm expects to move ``sales_ceiling`` of its sales online. Through its platform those
    sales grow by ``uplift`` (new buyers, earning the firm's ``margin``) and cost less to make
    (``channel_saving``); buying inputs online saves ``purchase_saving`` on them. For a seller
    whose online sales are partly new business rather than sales moved from a shop (a person
    with no business opens one: ``new_business = 1``), that part earns its margin in full.
    Against that it pays the platform's ``commission`` on all online sales and a delivery cost
    per parcel (price plus the cost of slow delivery) on the retail part. Every term is
    proportional to revenue, so this part of the benefit is the same for all sellers of a
    kind and sector on the same platform with the same delivery terms.
    """
    online_sales = sales_ceiling * (1.0 + uplift)
    moved = uplift * margin + channel_saving
    new = (1.0 + uplift) * margin
    gain = sales_ceiling * ((1.0 - new_business) * moved + new_business * new)
    gain += purchase_share * purchase_ceiling * purchase_saving
    parcels = online_sales * retail_fraction / parcel_value if parcel_value > 0.0 else 0.0
    return gain - online_sales * commission - parcels * parcel_cost


@njit(cache=True)
def net_benefit(
    benefit_per_yuan: float,
    revenue: float,
    setup_cost: float,
    expected_support: float,
    payback_years: float,
    annual_relief: float,
) -> float:
    """Expected yearly net gain of being online per yuan of revenue (the ``U`` of the hazard).

    The gain per yuan (``benefit_per_yuan``), less the one-off set-up cost net of the
    subsidies the firm expects (``expected_support``) spread over ``payback_years``, plus the
    tax relief it expects each year (``annual_relief``), both per yuan of its revenue. Zero
    for a firm without revenue (no benefit per yuan is defined).
    """
    if revenue <= 0.0:
        return 0.0
    setup_per_year = (setup_cost - expected_support) / payback_years
    return benefit_per_yuan + (annual_relief - setup_per_year) / revenue


@njit(cache=True)
def deepening_speed(
    deepening_rate: float, skill: float, uplift: float, delivery_days: float, delay_drag: float
) -> float:
    """Yearly speed at which an adopter's online share closes the gap to its ceiling.

    Skill scales the speed between half and one-and-a-half times the base rate (training
    raises it); busier platforms (more traffic, higher uplift) and faster delivery speed it up.
    """
    return deepening_rate * (0.5 + skill) * (1.0 + uplift) / (1.0 + delay_drag * delivery_days)


@njit(cache=True)
def deepen(share: float, ceiling: float, gap_closed: float) -> float:
    """Move ``share`` toward ``ceiling`` by the fraction ``gap_closed`` of the gap.

    At yearly speed ``v`` a month closes ``monthly_probability(v)`` of the gap: an exponential
    approach that never overshoots the ceiling.
    """
    return share + gap_closed * (ceiling - share)


def choice_utility(
    *,
    buyers: np.ndarray,
    commission: np.ndarray,
    platform_local: np.ndarray,
    firm_local: np.ndarray,
    buyers_weight: float,
    commission_weight: float,
    local_preference: float,
) -> np.ndarray:
    """Deterministic part of a firm's utility of each platform (firms × platforms).

    Following Rochet & Tirole (2003), a seller values a platform for its buyers on the other
    side (here their logarithm) and dislikes its per-transaction fee; local firms may prefer a
    local platform. A firm's own taste for each platform is added by the caller. (Platform
    choice touches only the few firms choosing this month, so it stays plain NumPy.)
    """
    common = buyers_weight * np.log1p(buyers / BUYERS_UNIT) - commission_weight * commission
    return common[None, :] + local_preference * (firm_local[:, None] & platform_local[None, :])
