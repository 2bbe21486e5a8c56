"""Instruments aimed at household sellers: Taobao-village support and specialty-brand lines.

Household sellers (``[households]``) are reached by the general instruments through
``eligibility.seller_kinds`` (net-merchant training is a ``training_subsidy``, incubation a
``park``, village delivery a ``logistics_investment``). The two kinds here act on what only
household sellers and local specialty producers have: their village or market cluster, and the
buyers a local brand or a Taobao pavilion brings.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, ClassVar, Literal

import numpy as np

from ecomsim.model.instruments.base import (
    FirmInstrument,
    Instrument,
    Proposal,
    first_call_this_year,
    funded_in,
)
from ecomsim.model.ranges import MULTIPLE, PROGRAMME, FirmCount, Money, Multiple, Share

if TYPE_CHECKING:
    from ecomsim.model.counterfactual import CounterfactualRecord
    from ecomsim.model.ecosystem import EcommerceModel


class ClusterSupport(Instrument):
    """Yearly support to villages or market clusters once they have enough online shops.

    The Taobao-village criterion of 阿里研究院 (2013): a village with at least 50 online shops
    (``min_shops``) and 1000 万 yuan of online sales a year (``min_annual_sales``). Once a year,
    in its first month in force, the funder assesses every cluster of ``[households.clusters]``
    on its living household sellers that are online and their sales this month (at a yearly
    rate); the clusters that qualify apply, most shops first, and each accepted one gets
    ``amount`` for the year (``slots_per_year`` caps how many). With ``min_shops = 0`` the
    instrument picks pilot villages: the most advanced clusters, up to the slots.

    Effect: for the year it is supported (and into the next January, while its renewal is
    decided), a cluster's sellers not yet online see its adopters count ``peer_multiplier``
    times in their peer share (7.4: a village service centre, demonstrations and visible
    successes make neighbours imitate more) and pay ``setup_discount`` less of their set-up cost
    (shared photography, packaging, a parcel point). Why this design: support that follows a
    cluster's own adoption is a second feedback on top of the cluster peer effect, so clustering
    can *emerge* rather than be assigned. Which clusters tip is decided by the sellers' own
    dynamics (cluster sizes and draws); support then speeds the leaders and leaves the rest, so
    adoption spreads unevenly across clusters, village by village. It is measurable against
    the paired counterfactual: clusters at the threshold, shops in supported clusters, and the
    spread of adoption shares across clusters (``FirmPopulation.cluster_totals``).

    Deadweight: a supported cluster that had ``min_shops`` online shops at the end of the
    no-policy run too (shops only: the counterfactual keeps no sales by cluster); no test for
    pilots (``min_shops = 0``), which are paid whatever they do.
    """

    kind: Literal["cluster_support"]
    min_shops: FirmCount
    min_annual_sales: Money = 0.0
    amount: Money  # a supported cluster, a year
    peer_multiplier: Annotated[float, MULTIPLE.at_least(1.0)] = 1.0
    setup_discount: Share = 0.0

    summary: ClassVar[str] = (
        "yearly support to villages or market clusters with enough online shops (Taobao villages)"
    )

    def qualifying(self, model: EcommerceModel) -> np.ndarray:
        """Clusters meeting the thresholds now, most online shops first (then the largest)."""
        living, shops, sales = model.firms.cluster_totals()
        ok = (living > 0) & (shops >= self.min_shops) & (sales >= self.min_annual_sales)
        ids = np.flatnonzero(ok)
        return ids[np.lexsort((ids, -living[ids], -shops[ids]))]

    def propose(self, model: EcommerceModel, name: str) -> Proposal | None:
        """Once a year: every qualifying cluster applies for the year's support."""
        memory = model.funder.memory(name)
        if not first_call_this_year(memory, model.month.year) or model.firms.n_households == 0:
            return None
        ids = self.qualifying(model)
        return Proposal("cluster", ids, np.full(ids.size, self.amount))

    def on_award(
        self, model: EcommerceModel, name: str, recipients: np.ndarray, amounts: np.ndarray
    ) -> None:
        """The accepted clusters are the supported ones for the year."""
        memory = model.funder.memory(name)
        memory["supported"] = recipients.copy()
        memory["funded_year"] = model.month.year

    def prepare(self, model: EcommerceModel, name: str) -> None:
        """Sellers not yet online in supported clusters: stronger village peers, cheaper set-up."""
        memory = model.funder.memory(name)
        if not funded_in(memory, model.month.year):
            return
        if self.peer_multiplier == 1.0 and self.setup_discount == 0.0:
            return
        firms = model.firms
        members = firms.cluster_members(memory["supported"])
        members = members[~firms.adopted[members]]
        if self.peer_multiplier != 1.0:
            model.effects.apply("cluster_peer_multiplier", self.peer_multiplier, rows=members)
        if self.setup_discount > 0.0:
            model.effects.apply("setup_discount", self.setup_discount, rows=members)

    def deadweight(
        self,
        recipients: np.ndarray,
        approved_steps: np.ndarray,
        counterfactual: CounterfactualRecord,
        model: EcommerceModel,
    ) -> np.ndarray | None:
        """Deadweight if the cluster had its ``min_shops`` shops without the policy too."""
        if self.min_shops == 0:
            return None
        _, shops, _ = model.firms.cluster_totals(online=counterfactual.online_at_end)
        return shops[recipients] >= self.min_shops


class BrandSupport(FirmInstrument):
    """A funded specialty-brand or pavilion programme that brings buyers to eligible sellers.

    Suichang's three brand lines (竹炭, 干货, 茶叶: standards, certification, packaging and
    express behind each), a county Taobao pavilion (淘宝馆, a 地方特色馆 storefront on Taobao),
    Lishui's 网货 brands, Dongguan's 莞货, Guangdong's 广货网上行. The programme runs ``lines``
    brand lines or pavilions, each costing ``cost_per_line_per_year`` (up to ``cap``), paid once
    a year to the body running it (kind institution), in the first month in force that year
    and only if some seller qualifies (``eligibility``: typically local sellers of named
    sectors, of any kind).

    Effect: while funded, every eligible seller's online sales are ``extra_reach`` larger (the
    brand's or pavilion's buyers, added to its platform's uplift, 7.7 and 7.10), and sellers not
    yet online that would qualify once online count it in their net benefit (7.5), so a brand
    can draw new sellers as well as grow existing ones. A year funded in part (the budget ran
    out after some lines) brings that share of the reach. Several programmes add up. No
    deadweight test (the money pays for the programme, not for what a seller did).
    """

    kind: Literal["brand_support"]
    lines: Annotated[int, PROGRAMME.at_least(1)]
    cost_per_line_per_year: Money
    extra_reach: Multiple  # share of online sales

    summary: ClassVar[str] = (
        "brand lines or a pavilion, paid yearly; more buyers for eligible sellers' online sales"
    )
    size_fields: ClassVar[tuple[str, ...]] = (*FirmInstrument.size_fields, "lines")

    def propose(self, model: EcommerceModel, name: str) -> Proposal | None:
        """Once a year, one payment per line, if any seller could use it."""
        memory = model.funder.memory(name)
        if not first_call_this_year(memory, model.month.year):
            return None
        if not self.eligible(model.firms, assume_adopted=True).any():
            return None
        cost = self.capped(np.array([self.cost_per_line_per_year]))[0]
        return Proposal("institution", np.arange(self.lines), np.full(self.lines, cost))

    def on_award(
        self, model: EcommerceModel, name: str, recipients: np.ndarray, amounts: np.ndarray
    ) -> None:
        """The lines funded this year, as a share of the programme."""
        memory = model.funder.memory(name)
        memory["funded_year"] = model.month.year
        memory["funded_share"] = recipients.size / self.lines

    def prepare(self, model: EcommerceModel, name: str) -> None:
        """Eligible sellers, and those that would be once online, reach the brand's buyers."""
        memory = model.funder.memory(name)
        if self.extra_reach == 0.0 or not funded_in(memory, model.month.year):
            return
        rows = np.flatnonzero(self.eligible(model.firms, assume_adopted=True))
        model.effects.apply("extra_reach", self.extra_reach * memory["funded_share"], rows=rows)
