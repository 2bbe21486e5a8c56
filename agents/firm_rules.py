"""Decision rules of firms, as pure vectorised functions.

Every function takes NumPy arrays (one entry per firm, or broadcastable) and returns arrays;
none holds state or draws random numbers. ``FirmPopulation`` (in ``firms.py``) owns the state and
the draws and calls these rules, so each rule can be tested on its own and reused by the
benchmark's bare-NumPy floor.

Units: money in yuan, rates per year, one model step is one month (``MONTH = 1/12`` year).
"""

from __future__ import annotations

import numpy as np

MONTH = 1.0 / 12.0

#: Platform reach is counted in millions of buyers: ``uplift = reach_gain · ln(1 + buyers/1e6)``.
BUYERS_UNIT = 1e6


def monthly_probability(annual_hazard: np.ndarray | float) -> np.ndarray:
    """Probability that an event with the given yearly hazard happens within one month.

    ``1 − exp(−λ·Δt)`` with Δt = 1/12: the exact discretisation of a constant hazard, which
    keeps a monthly model on the continuous-time Bass curve (an annual tick would drift).
    """
    return -np.expm1(-np.asarray(annual_hazard, dtype=float) * MONTH)


def adoption_hazard(
    innovation: float,
    imitation: np.ndarray | float,
    propensity: np.ndarray | float,
    peer_share: np.ndarray | float,
    benefit: np.ndarray | float,
    benefit_sensitivity: float,
) -> np.ndarray:
    """Yearly hazard of going online: ``(p·θ + q·P) · exp(β·U)``.

    ``p`` is the innovation rate, ``θ`` the firm's own propensity (mean one: the *rank effect*
    of firm differences), ``q`` the imitation rate, ``P`` the adopted share among the firm's
    peers, ``U`` the expected net benefit per yuan of revenue and ``β`` how strongly the hazard
    responds to it. With ``β = 0``, ``θ ≡ 1`` and ``P`` the market-wide share this is exactly
    the Bass (1969) hazard ``p + q·F``.
    """
    base = innovation * np.asarray(propensity) + np.asarray(imitation) * np.asarray(peer_share)
    if benefit_sensitivity == 0.0:
        return np.asarray(base, dtype=float)
    return base * np.exp(np.clip(benefit_sensitivity * np.asarray(benefit), -50.0, 50.0))


def abandonment_hazard(
    abandonment_rate: float, benefit: np.ndarray, benefit_sensitivity: float
) -> np.ndarray:
    """Yearly hazard that an adopter gives up: ``r · 2 / (1 + exp(β·U))``.

    At zero net benefit the hazard is the base rate ``r``; it falls toward zero for firms that
    profit from being online and rises toward ``2r`` for those that lose money on it.
    """
    if abandonment_rate == 0.0:
        return np.zeros_like(benefit, dtype=float)
    exponent = np.clip(benefit_sensitivity * benefit, -50.0, 50.0)
    return abandonment_rate * 2.0 / (1.0 + np.exp(exponent))


def peer_share(
    adopted: np.ndarray,
    alive: np.ndarray,
    sector: np.ndarray,
    in_park: np.ndarray,
    n_sectors: int,
    market_weight: float,
    sector_weight: float,
    cluster_weight: float,
    weight: np.ndarray | None = None,
) -> np.ndarray:
    """Adopted share among each firm's peers, one value per firm.

    A weighted mix of the market-wide share, the share in the firm's sector, and the share in
    its cluster (park firms of the same sector). Firms outside any park have no cluster, so
    their cluster weight falls back on the sector share. Shares are measured among the firms
    alive this month (after its entries, exits and arrivals), before this month's decisions.
    ``weight`` is how many firms each row stands for (a sampled run); default one.
    """
    live = alive.astype(float) if weight is None else alive * weight
    live_adopters = live * adopted
    market = live_adopters.sum() / max(live.sum(), 1e-12)
    if sector_weight == 0.0 and cluster_weight == 0.0:
        return np.full(sector.shape, market)
    sector_alive = np.bincount(sector, weights=live, minlength=n_sectors)
    sector_adopted = np.bincount(sector, weights=live_adopters, minlength=n_sectors)
    by_sector = np.divide(
        sector_adopted, sector_alive, out=np.zeros(n_sectors), where=sector_alive > 0
    )
    park_alive = np.bincount(sector, weights=live * in_park, minlength=n_sectors)
    park_adopted = np.bincount(sector, weights=live_adopters * in_park, minlength=n_sectors)
    by_cluster = np.divide(park_adopted, park_alive, out=by_sector.copy(), where=park_alive > 0)
    cluster = np.where(in_park, by_cluster[sector], by_sector[sector])
    return market_weight * market + sector_weight * by_sector[sector] + cluster_weight * cluster


def platform_uplift(reach_gain: float, buyers: np.ndarray) -> np.ndarray:
    """Extra sales a platform's reach brings, as a share of the sales a firm moves online.

    ``reach_gain · ln(1 + buyers / 1e6)``: concave, because each further million buyers adds
    less new demand for one seller's goods.
    """
    return reach_gain * np.log1p(np.asarray(buyers, dtype=float) / BUYERS_UNIT)


def net_benefit(
    *,
    revenue: np.ndarray,
    sales_ceiling: np.ndarray,
    uplift: np.ndarray,
    margin: np.ndarray,
    channel_saving: float,
    commission: np.ndarray,
    retail_fraction: np.ndarray,
    parcel_value: np.ndarray,
    parcel_cost: np.ndarray,
    purchase_share: np.ndarray,
    purchase_ceiling: np.ndarray,
    purchase_saving: float,
    setup_cost: np.ndarray,
    expected_support: np.ndarray | float,
    payback_years: float,
    annual_relief: np.ndarray | float,
) -> np.ndarray:
    """Expected yearly net gain of being online, per yuan of revenue (the ``U`` of the hazard).

    A firm expects to move ``sales_ceiling`` of its sales online. Through its platform those
    sales grow by ``uplift`` (new buyers, earning the firm's ``margin``) and cost less to make
    (``channel_saving``); buying inputs online saves ``purchase_saving`` on them. Against that
    it pays the platform's ``commission`` on all online sales and a delivery cost per parcel
    (price plus the cost of slow delivery) on the retail part. The one-off set-up cost, net of
    the subsidies the firm expects (``expected_support``), is spread over ``payback_years``;
    tax relief it expects each year (``annual_relief``) is added.
    """
    potential = revenue * sales_ceiling
    online_sales = potential * (1.0 + uplift)
    gain = potential * (uplift * margin + channel_saving)
    gain = gain + revenue * purchase_share * purchase_ceiling * purchase_saving
    parcels = np.divide(
        online_sales * retail_fraction,
        parcel_value,
        out=np.zeros_like(online_sales),
        where=parcel_value > 0,
    )
    costs = online_sales * commission + parcels * parcel_cost
    setup_per_year = (setup_cost - expected_support) / payback_years
    net = gain - costs - setup_per_year + annual_relief
    return np.divide(net, revenue, out=np.zeros_like(net), where=revenue > 0)


def deepening_speed(
    deepening_rate: float,
    skill: np.ndarray,
    uplift: np.ndarray,
    delivery_days: np.ndarray,
    delay_drag: float,
) -> np.ndarray:
    """Yearly speed at which an adopter's online share closes the gap to its ceiling.

    Skill scales the speed between half and one-and-a-half times the base rate (training
    raises it); busier platforms (more traffic, higher uplift) and faster delivery speed it up.
    """
    return deepening_rate * (0.5 + skill) * (1.0 + uplift) / (1.0 + delay_drag * delivery_days)


def deepen(share: np.ndarray, ceiling: np.ndarray, speed: np.ndarray) -> np.ndarray:
    """Move ``share`` one month toward ``ceiling`` at yearly ``speed`` (exponential approach)."""
    return share + monthly_probability(speed) * (ceiling - share)


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
    local platform. A firm's own taste for each platform is added by the caller.
    """
    common = buyers_weight * np.log1p(buyers / BUYERS_UNIT) - commission_weight * commission
    return common[None, :] + local_preference * (firm_local[:, None] & platform_local[None, :])
