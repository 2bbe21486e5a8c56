"""The monthly firm kernel: the rules of ``firm_rules`` applied to every firm row, compiled.

A city has 10^5–10^6 firm rows and each month every rule touches all of them. Written as NumPy
expressions, each rule makes a pass over memory and allocates temporaries; here the rules are
fused into three compiled loops (Numba), each reading a row once:

1. ``peer_groups``: the adopted shares among the market, each sector and each sector's park
   cluster (a reduction, needed before any firm decides);
2. ``decide``: revenue moves, the expected net benefit is priced, and each firm adopts, gives
   up or re-chooses its platform;
3. ``flow_month``: adopters deepen their online shares, this month's flows are booked and
   large online firms may list; the city totals platforms and indicators read are tallied.

Platform choice for the few firms choosing this month stays in NumPy (``FirmPopulation``),
between passes 2 and 3.

Per-row helpers take scalars only: handing a helper the whole tuple of arrays would copy it
and touch every array's reference count for each row, which costs more than the rules.

Only *active* rows are visited: the city's rows born so far (rows are in order of birth) and
the relocation candidates, which sit after all city rows. ``ActiveRows`` names the two ranges;
``j`` counts active rows and the per-row random draws are indexed by it.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
from numba import njit

from ecomsim.agents import firm_rules as rules

NO_PLATFORM = -1  # selling online through the firm's own channel


class ActiveRows(NamedTuple):
    """Rows the kernel visits, in this order: enterprises, candidates, household sellers.

    Enterprise rows born so far ``[0, born)``; the relocation candidates
    ``[native, households)``; household-seller rows born so far
    ``[households, households + households_born)``.
    """

    born: int
    native: int
    households: int
    households_born: int


class FirmArrays(NamedTuple):
    """The per-firm state the kernel reads and writes (the arrays of ``FirmPopulation``)."""

    alive: np.ndarray
    adopted: np.ndarray
    platform: np.ndarray
    revenue: np.ndarray
    sector: np.ndarray
    size_class: np.ndarray  # seller class: an enterprise size class or a household kind
    cluster: np.ndarray  # a household seller's village or market cluster; -1 for none
    local: np.ndarray
    rural: np.ndarray
    in_park: np.ndarray
    skill: np.ndarray
    propensity: np.ndarray
    weight: np.ndarray  # rows a sampled row stands for; empty when every row is one firm
    online_share: np.ndarray
    purchase_share: np.ndarray
    push: np.ndarray
    abandon_count: np.ndarray
    adoption_step: np.ndarray
    first_adoption_step: np.ndarray
    online_sales: np.ndarray
    online_purchases: np.ndarray
    volume_to_date: np.ndarray
    listed: np.ndarray
    listing_step: np.ndarray


class SectorArrays(NamedTuple):
    """Per-sector parameters indexed ``[seller class, sector code]`` (``SectorTable``).

    The four enterprise size classes share their sector's values; a household kind has its own
    online ceiling, retail fraction and parcel value, and no above-scale line.
    """

    sales_ceiling: np.ndarray
    purchase_ceiling: np.ndarray
    purchase_share: np.ndarray
    retail_fraction: np.ndarray
    parcel_value: np.ndarray
    margin: np.ndarray
    revenue_growth: np.ndarray
    above_scale_revenue: np.ndarray  # the 规模以上 revenue line (inf where none)
    new_business: np.ndarray  # share of online sales that is new business (0 for enterprises)


class ClassArrays(NamedTuple):
    """Behaviour that differs by seller class (``firms.SELLER_CLASSES``), indexed by class code.

    Enterprises of every size class follow ``[adoption]``; each household kind has its own
    rates and peer weights (``[households]``). ``kind`` says whose adopted shares a class's
    sellers watch: peers are sellers of the same kind.
    """

    kind: np.ndarray  # 0 enterprise, 1 self-employed household, 2 individual
    innovation: np.ndarray
    imitation: np.ndarray
    market_weight: np.ndarray
    sector_weight: np.ndarray
    cluster_weight: np.ndarray
    abandonment_rate: np.ndarray


class RuleParameters(NamedTuple):
    """The scenario's scalar parameters of firm behaviour (``[adoption]`` and ``[firms]``)."""

    park_peer_multiplier: float
    benefit_sensitivity: float
    switch_probability: float  # monthly; zero when nobody re-chooses (or one platform)
    payback_years: float
    skill_cost_discount: float
    park_setup_discount: float
    park_delivery_discount: float
    channel_saving: float
    purchase_saving: float
    delivery_time_cost: float
    deepening_rate: float
    delivery_delay_drag: float
    revenue_volatility: float
    listing_rate: float
    listing_min_volume: float


class MarketArrays(NamedTuple):
    """What firms see this month (``MarketConditions``), as arrays the kernel can read.

    Per-firm incentives and effects (``expected_one_off`` … ``extra_reach``) have either one
    entry per row or a single entry that holds for every row.
    """

    uplift: np.ndarray  # (K,) per platform
    commission: np.ndarray  # (K, 2) net of the local-seller rebate: [k, 0] non-local, [k, 1] local
    best_platform: np.ndarray  # (S, 2): what a non-adopter of sector s, local or not, would pick
    parcel_cost: np.ndarray  # (2,) urban, rural
    delivery_days: np.ndarray  # (2,)
    setup_base: np.ndarray  # (seller classes,) set-up cost of a typical seller
    expected_one_off: np.ndarray
    expected_annual: np.ndarray
    listing_multiplier: np.ndarray
    sales_push: np.ndarray  # yearly growth of online sales a prize's effort adds (0: none)
    setup_discount: np.ndarray  # share of the one-off set-up cost a programme bears (0: none)
    cluster_peer_multiplier: np.ndarray  # weight of a clustered seller's own cluster (1: none)
    extra_reach: np.ndarray  # extra share of online sales from a brand's buyers (0: none)


@njit(cache=True)
def active_count(active: ActiveRows) -> int:
    """Number of active rows (the length of this month's per-row draws)."""
    return active.born + (active.households - active.native) + active.households_born


@njit(cache=True)
def active_row(j: int, active: ActiveRows) -> int:
    """Row index of the ``j``-th active row."""
    if j < active.born:
        return j
    j -= active.born
    candidates = active.households - active.native
    return active.native + j if j < candidates else active.households + (j - candidates)


@njit(cache=True)
def _per_row(values: np.ndarray, i: int) -> float:
    """A per-firm incentive for row ``i``: its own entry, or the single one that holds for all."""
    return values[i] if values.size > 1 else values[0]


N_KINDS = 3  # enterprise, self-employed household, individual (``ClassArrays.kind``)


class PeerShares(NamedTuple):
    """Adopted shares among living sellers, each kind watching its own (``peer_groups``)."""

    market: np.ndarray  # (kinds,) among all sellers of the kind
    sector: np.ndarray  # (kinds, sectors) among the kind's sellers of each sector
    park: np.ndarray  # (kinds, sectors) among the kind's park sellers of each sector
    cluster: np.ndarray  # (clusters,) among the household sellers of each village or market


@njit(cache=True)
def peer_groups(
    active: ActiveRows, firm: FirmArrays, classes: ClassArrays, n_sectors: int, n_clusters: int
) -> PeerShares:
    """Adopted share among living sellers: by kind, by kind and sector, in parks, in clusters.

    A park without sellers of a kind and sector gives them their sector share (the fallback a
    seller outside any park gets too). Measured after this month's entries, exits and
    arrivals, before its decisions; in a sampled run each row counts with its weight.
    """
    living = np.zeros((N_KINDS, n_sectors))
    adopters = np.zeros((N_KINDS, n_sectors))
    park_living = np.zeros((N_KINDS, n_sectors))
    park_adopters = np.zeros((N_KINDS, n_sectors))
    cluster_living = np.zeros(n_clusters)
    cluster_adopters = np.zeros(n_clusters)
    weighted = firm.weight.size > 0
    for j in range(active_count(active)):
        i = active_row(j, active)
        if not firm.alive[i]:
            continue
        w = firm.weight[i] if weighted else 1.0
        s = firm.sector[i]
        kind = classes.kind[firm.size_class[i]]
        online = firm.adopted[i]
        living[kind, s] += w
        if online:
            adopters[kind, s] += w
        if firm.in_park[i]:
            park_living[kind, s] += w
            if online:
                park_adopters[kind, s] += w
        c = firm.cluster[i]
        if c >= 0:
            cluster_living[c] += w
            if online:
                cluster_adopters[c] += w
    market = np.zeros(N_KINDS)
    by_sector = np.zeros((N_KINDS, n_sectors))
    by_park = np.zeros((N_KINDS, n_sectors))
    for kind in range(N_KINDS):
        market[kind] = adopters[kind].sum() / max(living[kind].sum(), 1e-12)
        for s in range(n_sectors):
            if living[kind, s] > 0:
                by_sector[kind, s] = adopters[kind, s] / living[kind, s]
            if park_living[kind, s] > 0:
                by_park[kind, s] = park_adopters[kind, s] / park_living[kind, s]
            else:
                by_park[kind, s] = by_sector[kind, s]
    by_cluster = np.zeros(n_clusters)
    for c in range(n_clusters):
        if cluster_living[c] > 0:
            by_cluster[c] = cluster_adopters[c] / cluster_living[c]
    return PeerShares(market, by_sector, by_park, by_cluster)


@njit(cache=True)
def benefit_table(
    sectors: SectorArrays, params: RuleParameters, market: MarketArrays, extra_uplift: float = 0.0
) -> np.ndarray:
    """Gain of being online per yuan of revenue, for every kind of seller this month.

    Indexed ``[seller class, sector, platform + 1, local, rural, in park]``: platform ``-1`` is
    the seller's own channel (no uplift, no commission); local sellers may get a rebate on a
    local platform's commission; rural sellers pay rural delivery; park sellers get the park's
    delivery discount. Every seller of a kind gains the same per yuan
    (``rules.benefit_per_yuan``). ``extra_uplift`` is added to every platform's uplift (and
    the own channel's): the gain is linear in the uplift, so the table at ``extra_uplift = 1``
    less the table at 0 is the gain per unit of extra reach (``decide``).
    """
    n_classes, n_sectors = sectors.sales_ceiling.shape
    n_platforms = market.uplift.size
    table = np.zeros((n_classes, n_sectors, n_platforms + 1, 2, 2, 2))
    for c in range(n_classes):
        for s in range(n_sectors):
            for k in range(-1, n_platforms):
                for local in range(2):
                    for rural in range(2):
                        for park in range(2):
                            park_discount = params.park_delivery_discount if park else 0.0
                            table[c, s, k + 1, local, rural, park] = rules.benefit_per_yuan(
                                sales_ceiling=sectors.sales_ceiling[c, s],
                                uplift=(market.uplift[k] if k >= 0 else 0.0) + extra_uplift,
                                margin=sectors.margin[c, s],
                                channel_saving=params.channel_saving,
                                commission=market.commission[k, local] if k >= 0 else 0.0,
                                retail_fraction=sectors.retail_fraction[c, s],
                                parcel_value=sectors.parcel_value[c, s],
                                parcel_cost=market.parcel_cost[rural] * (1.0 - park_discount)
                                + params.delivery_time_cost * market.delivery_days[rural],
                                purchase_share=sectors.purchase_share[c, s],
                                purchase_ceiling=sectors.purchase_ceiling[c, s],
                                purchase_saving=params.purchase_saving,
                                new_business=sectors.new_business[c, s],
                            )
    return table


@njit(cache=True)
def decide(
    step: int,
    active: ActiveRows,
    firm: FirmArrays,
    sectors: SectorArrays,
    classes: ClassArrays,
    params: RuleParameters,
    market: MarketArrays,
    peers: PeerShares,
    revenue_shocks: np.ndarray,
    event_draws: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """Revenue moves; each living firm adopts, gives up or re-chooses its platform.

    Draws are indexed by active row. One uniform ``event_draws[j]`` decides a firm's month
    (competing risks, ``rules`` bands): an offline firm adopts on a draw in the adoption band;
    an online one re-chooses its platform on a draw in the lowest band, gives up on one in the
    band above it, and may list (``flow_month``) on one in the top band. Firms giving up go
    offline here; new adopters are marked adopted. Returns the rows of the new adopters and
    of the switchers, which choose a platform next.
    """
    sigma = params.revenue_volatility
    drift_noise = sigma * np.sqrt(rules.MONTH)
    # With β = 0 neither adopting nor giving up depends on the benefit (the Bass limit).
    priced = params.benefit_sensitivity > 0
    per_yuan = benefit_table(sectors, params, market)
    # A brand's extra reach adds to the uplift; the gain is linear in it (``benefit_table``).
    reached = market.extra_reach.size > 1 or market.extra_reach[0] != 0.0
    per_reach = benefit_table(sectors, params, market, 1.0) - per_yuan if reached else per_yuan
    new_rows = np.empty(active_count(active), dtype=np.int64)
    switch_rows = np.empty(active_count(active), dtype=np.int64)
    n_new = 0
    n_switch = 0
    for j in range(active_count(active)):
        i = active_row(j, active)
        if not firm.alive[i]:
            continue
        s = firm.sector[i]
        c = firm.size_class[i]
        local = 1 if firm.local[i] else 0
        rural = 1 if firm.rural[i] else 0
        in_park = firm.in_park[i]
        # Geometric random walk around the sector's trend growth.
        drift = (sectors.revenue_growth[c, s] - 0.5 * sigma * sigma) * rules.MONTH
        firm.revenue[i] *= np.exp(drift + drift_noise * revenue_shocks[j])

        benefit = 0.0
        if priced:
            # An adopter judges its own platform, with its set-up cost sunk and adoption
            # subsidies past; a non-adopter the platform a firm like it would pick.
            if firm.adopted[i]:
                platform = firm.platform[i]
                setup = 0.0
                one_off = 0.0
            else:
                platform = market.best_platform[s, local]
                setup = rules.setup_cost(
                    market.setup_base[c],
                    firm.skill[i],
                    1.0 if in_park else 0.0,
                    params.skill_cost_discount,
                    params.park_setup_discount,
                ) * (1.0 - _per_row(market.setup_discount, i))
                one_off = _per_row(market.expected_one_off, i)
            k, park = platform + 1, 1 if in_park else 0
            gain = per_yuan[c, s, k, local, rural, park]
            if reached:
                gain += _per_row(market.extra_reach, i) * per_reach[c, s, k, local, rural, park]
            benefit = rules.net_benefit(
                gain,
                firm.revenue[i],
                setup,
                one_off,
                params.payback_years,
                _per_row(market.expected_annual, i),
            )

        if not firm.adopted[i]:
            kind = classes.kind[c]
            # The seller's closest circle: its village or market, else its park, else its sector.
            if firm.cluster[i] >= 0:
                # A supported cluster's adopters weigh more (cluster_support).
                cluster = peers.cluster[firm.cluster[i]] * _per_row(
                    market.cluster_peer_multiplier, i
                )
            elif in_park:
                cluster = peers.park[kind, s]
            else:
                cluster = peers.sector[kind, s]
            peer = rules.peer_share(
                peers.market[kind],
                peers.sector[kind, s],
                cluster,
                classes.market_weight[c],
                classes.sector_weight[c],
                classes.cluster_weight[c],
            )
            imitation = classes.imitation[c] * (params.park_peer_multiplier if in_park else 1.0)
            hazard = rules.adoption_hazard(
                classes.innovation[c],
                imitation,
                firm.propensity[i],
                peer,
                benefit,
                params.benefit_sensitivity,
            )
            if rules.happens(event_draws[j], hazard):
                firm.adopted[i] = True
                firm.adoption_step[i] = step
                if firm.first_adoption_step[i] > step:  # never adopted before
                    firm.first_adoption_step[i] = step
                new_rows[n_new] = i
                n_new += 1
            continue

        draw = event_draws[j]
        if draw < params.switch_probability:
            switch_rows[n_switch] = i
            n_switch += 1
        elif classes.abandonment_rate[c] > 0:
            give_up = rules.abandonment_hazard(
                classes.abandonment_rate[c], benefit, params.benefit_sensitivity
            )
            if rules.happens(draw - params.switch_probability, give_up):
                firm.adopted[i] = False
                firm.online_share[i] = 0.0
                firm.purchase_share[i] = 0.0
                firm.platform[i] = NO_PLATFORM
                firm.push[i] = 1.0
                firm.abandon_count[i] += 1
    return new_rows[:n_new], switch_rows[:n_switch]


@njit(cache=True)
def _flows(
    revenue: float,
    online_share: float,
    purchase_share: float,
    push: float,
    uplift: float,
    sector_purchase_share: float,
    retail_fraction: float,
    parcel_value: float,
) -> tuple[float, float, float, float]:
    """A month's online sales, purchases, retail sales and parcels of one online firm.

    Sales are the firm's online share of revenue, grown by its platform's reach and by any
    push a performance reward pays for; purchases are its online share of its inputs.
    """
    monthly_revenue = revenue * rules.MONTH
    sales = monthly_revenue * online_share * (1.0 + uplift) * push
    retail = sales * retail_fraction
    parcels = retail / parcel_value if parcel_value > 0 else 0.0
    return sales, monthly_revenue * sector_purchase_share * purchase_share, retail, parcels


# Columns of the tallies ``flow_month`` keeps by size class (``BY_SIZE``) and by sector
# (the first two), and the entries of its city-wide tally; all over living firms.
LIVING, ADOPTERS, REVENUE, PURCHASE_BASE, SALES, PURCHASES = range(6)
ABOVE_SCALE_LIVING, ABOVE_SCALE_ADOPTERS, RETAIL, PARCELS, RURAL_PARCELS, ONLINE_SHARE, LISTED = (
    range(7)
)


class MonthTotals(NamedTuple):
    """City totals of the month's flows and firm counts, tallied while the flows are booked.

    A sampled row counts with its weight. ``by_size`` has the columns ``LIVING`` …
    ``PURCHASES`` per seller class (``firms.SELLER_CLASSES``: the enterprise size classes,
    then the household kinds); ``by_sector`` ``LIVING`` and ``ADOPTERS`` of enterprises per
    sector; ``city`` holds ``ABOVE_SCALE_LIVING`` … ``LISTED`` (retail and parcels of every
    seller, the online-share sum of enterprises); ``above_volume[t]`` counts online sellers
    whose yearly online volume reaches ``volume_thresholds[t]``.
    """

    platform_sales: np.ndarray  # (K,) sales by city firms on each platform
    platform_sellers: np.ndarray  # (K,) city firms selling on each platform
    local_seller_sales: np.ndarray  # (K,) sales by local firms on each platform
    by_size: np.ndarray
    by_sector: np.ndarray
    city: np.ndarray
    above_volume: np.ndarray


@njit(cache=True)
def flow_month(
    step: int,
    active: ActiveRows,
    firm: FirmArrays,
    sectors: SectorArrays,
    classes: ClassArrays,
    params: RuleParameters,
    market: MarketArrays,
    event_draws: np.ndarray,
    volume_thresholds: np.ndarray,
    advance: bool,
) -> tuple:
    """Adopters deepen their online shares; flows are booked; large online firms may list.

    Deepening closes part of the gap to the sector ceilings, faster for skilled firms, busy
    platforms and quick delivery; firms a performance reward pushes grow their sales further.
    Listing takes the top band of the month's event draw (``decide``). With ``advance`` false
    only the flows of the firms as they stand are booked (the month before the start).

    While each row is at hand, its flows and counts are added to the city totals the
    platforms and the indicators read (the fields of ``MonthTotals``, in order): one pass
    over memory instead of three. Rows are added in row order.
    """
    n_platforms = market.uplift.size
    platform_sales = np.zeros(n_platforms)
    platform_sellers = np.zeros(n_platforms)
    local_seller_sales = np.zeros(n_platforms)
    by_size = np.zeros((market.setup_base.size, 6))  # one set-up cost per seller class
    by_sector = np.zeros((sectors.sales_ceiling.shape[1], 2))
    city = np.zeros(7)
    above_volume = np.zeros(volume_thresholds.size)
    weighted = firm.weight.size > 0
    for j in range(active_count(active)):
        i = active_row(j, active)
        online = firm.alive[i] and firm.adopted[i]
        sales, purchases, retail, parcels = 0.0, 0.0, 0.0, 0.0
        if online:
            s, c, platform = firm.sector[i], firm.size_class[i], firm.platform[i]
            uplift = market.uplift[platform] if platform >= 0 else 0.0
            uplift += _per_row(market.extra_reach, i)  # a brand's or pavilion's buyers
            if advance and params.deepening_rate > 0:
                speed = rules.deepening_speed(
                    params.deepening_rate,
                    firm.skill[i],
                    uplift,
                    market.delivery_days[1 if firm.rural[i] else 0],
                    params.delivery_delay_drag,
                )
                gap_closed = rules.monthly_probability(speed)
                firm.online_share[i] = rules.deepen(
                    firm.online_share[i], sectors.sales_ceiling[c, s], gap_closed
                )
                firm.purchase_share[i] = rules.deepen(
                    firm.purchase_share[i], sectors.purchase_ceiling[c, s], gap_closed
                )
            push_rate = _per_row(market.sales_push, i)
            if advance and push_rate != 0.0:  # most firms are not pushed: spare the exp
                firm.push[i] *= np.exp(push_rate * rules.MONTH)
            sales, purchases, retail, parcels = _flows(
                firm.revenue[i],
                firm.online_share[i],
                firm.purchase_share[i],
                firm.push[i],
                uplift,
                sectors.purchase_share[c, s],
                sectors.retail_fraction[c, s],
                sectors.parcel_value[c, s],
            )
            if advance:
                firm.volume_to_date[i] += sales + purchases
                if (
                    params.listing_rate > 0
                    and not firm.listed[i]
                    and 12.0 * (sales + purchases) >= params.listing_min_volume
                ):
                    hazard = params.listing_rate * _per_row(market.listing_multiplier, i)
                    if rules.happens(1.0 - event_draws[j], hazard):  # the top band
                        firm.listed[i] = True
                        firm.listing_step[i] = step
        firm.online_sales[i] = sales
        firm.online_purchases[i] = purchases
        if not firm.alive[i]:
            continue

        # The city totals: every living seller, and what the online ones sell and buy. The
        # sector tallies and the mean online share are of enterprises (the plans' 企业).
        w = firm.weight[i] if weighted else 1.0
        s, size = firm.sector[i], firm.size_class[i]
        enterprise = classes.kind[size] == 0
        revenue = firm.revenue[i]
        by_size[size, LIVING] += w
        by_size[size, REVENUE] += w * revenue
        by_size[size, PURCHASE_BASE] += w * revenue * sectors.purchase_share[size, s]
        if enterprise:
            by_sector[s, LIVING] += w
        above_scale = revenue >= sectors.above_scale_revenue[size, s]
        if above_scale:
            city[ABOVE_SCALE_LIVING] += w
        if firm.listed[i]:
            city[LISTED] += w
        if not online:
            continue
        platform = firm.platform[i]
        if platform >= 0:
            row_sales = sales * w if weighted else sales
            platform_sales[platform] += row_sales
            platform_sellers[platform] += w
            if firm.local[i]:
                local_seller_sales[platform] += row_sales
        by_size[size, ADOPTERS] += w
        by_size[size, SALES] += w * sales
        by_size[size, PURCHASES] += w * purchases
        if enterprise:
            by_sector[s, ADOPTERS] += w
            city[ONLINE_SHARE] += w * firm.online_share[i]
        if above_scale:
            city[ABOVE_SCALE_ADOPTERS] += w
        city[RETAIL] += w * retail
        city[PARCELS] += w * parcels
        if firm.rural[i]:
            city[RURAL_PARCELS] += w * parcels
        yearly_volume = 12.0 * (sales + purchases)
        for t in range(volume_thresholds.size):
            if yearly_volume >= volume_thresholds[t]:
                above_volume[t] += w
    return (
        platform_sales,
        platform_sellers,
        local_seller_sales,
        by_size,
        by_sector,
        city,
        above_volume,
    )
