"""Instruments that build people's skills: subsidised training courses and talent salaries."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, ClassVar, Literal

import numpy as np

from ecomsim.model.instruments.base import FirmInstrument, Proposal, spread_over_year
from ecomsim.model.ranges import FIRMS, PROGRAMME, FirmCount, Money, ProgrammeCount, Share, Years

if TYPE_CHECKING:
    from ecomsim.model.ecosystem import EcommerceModel


def raise_skill(model: EcommerceModel, firm_ids: np.ndarray, gain: float) -> None:
    """Close a share ``gain`` of the gap between each firm's digital skill and full skill."""
    skill = model.firms.skill
    skill[firm_ids] += gain * (1.0 - skill[firm_ids])


class TrainingSubsidy(FirmInstrument):
    """Subsidised e-commerce training courses run by training institutions.

    Guangzhou (四.1): 30 % of total training cost, at most 50 万 per organising institution;
    Jining: a yearly quota of courses. ``courses_per_year`` courses are spread evenly over the
    year; the funder pays ``min(cost_share × cost_per_course, cap)`` to the institution; each
    course trains ``firms_per_course`` eligible firms drawn at random, closing ``skill_gain`` of
    their skill gap. Trained firms face lower set-up costs and deepen their online sales faster.
    Without the plan these courses do not take place (the counterfactual has none); nor does a
    course when nobody in the city is eligible for it (a youth course in a city without
    household sellers, say).
    """

    kind: Literal["training_subsidy"]
    courses_per_year: ProgrammeCount
    firms_per_course: Annotated[int, FIRMS.at_least(1)]
    cost_per_course: Money
    cost_share: Share
    skill_gain: Share

    summary: ClassVar[str] = "share of the cost of training courses; raises firms' skills"
    size_fields: ClassVar[tuple[str, ...]] = (*FirmInstrument.size_fields, "courses_per_year")

    def propose(self, model: EcommerceModel, name: str) -> Proposal | None:
        """This month's share of the year's courses, one award per course."""
        courses = spread_over_year(self.courses_per_year, model.month)
        if courses == 0 or not self.eligible(model.firms).any():
            return None  # no course is held without anyone to train
        memory = model.funder.memory(name)
        first = memory.get("courses_proposed", 0)
        memory["courses_proposed"] = first + courses
        amount = self.capped(np.array([self.cost_share * self.cost_per_course]))[0]
        return Proposal("institution", np.arange(first, first + courses), np.full(courses, amount))

    def on_award(
        self, model: EcommerceModel, name: str, recipients: np.ndarray, amounts: np.ndarray
    ) -> None:
        """Each funded course trains its firms."""
        pool = np.flatnonzero(self.eligible(model.firms))
        places = min(
            pool.size,
            model.firms.sample_count(
                recipients.size * self.firms_per_course, model.streams.selection
            ),
        )
        trainees = model.streams.selection.choice(pool, size=places, replace=False)
        raise_skill(model, trainees, self.skill_gain)
        model.firms.trained[trainees] += 1


class TalentSubsidy(FirmInstrument):
    """A share of the salary of highly paid e-commerce staff, paid for several years.

    Guangzhou (四.2): staff paid more than 30 万 a year in demonstration or park firms receive a
    share of their salary for three consecutive years. Each year (January, or the instrument's
    first month) enrolled firms' talents are paid ``salary × salary_share × talents_per_firm``
    for ``years`` years, and up to ``new_firms_per_year`` new eligible online firms enrol (ranked
    or first come). A firm that enrols gains ``skill_gain`` of its skill gap. Payments go to
    individuals, so the non-stacking rule for enterprises does not apply.
    """

    kind: Literal["talent_subsidy"]
    salary: Money  # a year
    salary_share: Share
    talents_per_firm: Annotated[int, PROGRAMME.at_least(1)]
    years: Years
    new_firms_per_year: FirmCount
    skill_gain: Share = 0.0

    summary: ClassVar[str] = "share of talents' salaries in eligible firms, for several years"
    size_fields: ClassVar[tuple[str, ...]] = (*FirmInstrument.size_fields, "new_firms_per_year")

    def propose(self, model: EcommerceModel, name: str) -> Proposal | None:
        """Once a year: renewals for enrolled firms first, then new enrolments."""
        memory = model.funder.memory(name)
        year = model.month.year
        if memory.get("last_year") == year:
            return None
        memory["last_year"] = year
        enrolled: dict[int, int] = memory.setdefault("enrolled", {})
        firms = model.firms
        renewals = np.array(
            [i for i, first in enrolled.items() if year - first < self.years and firms.alive[i]],
            dtype=np.int64,
        )
        candidates = np.flatnonzero(self.eligible(firms) & firms.adopted)
        if enrolled:
            candidates = np.setdiff1d(candidates, np.fromiter(enrolled, dtype=np.int64))
        rows = firms.sample_count(self.new_firms_per_year, model.streams.selection)
        newcomers = self.order(model, candidates, limit=rows)
        ids = np.concatenate([renewals, newcomers])
        yearly = self.salary * self.salary_share * self.talents_per_firm
        pay = self.capped(np.full(ids.size, yearly))
        return Proposal("talent", ids, pay)

    def on_award(
        self, model: EcommerceModel, name: str, recipients: np.ndarray, amounts: np.ndarray
    ) -> None:
        """New enrolees gain skill; everyone paid is remembered with their first year."""
        enrolled: dict[int, int] = model.funder.memory(name)["enrolled"]
        new = np.array([i for i in recipients.tolist() if i not in enrolled], dtype=np.int64)
        for i in new.tolist():
            enrolled[i] = model.month.year
        raise_skill(model, new, self.skill_gain)
