"""Property tests: ranges, monotonicity in each input, vectorised == scalar, band order."""

from __future__ import annotations

import doctest
import importlib

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from immunobalance.indices import (
    AcrCoreSet,
    acr20,
    acr50,
    acr70,
    cdai,
    das28_crp,
    das28_esr,
    eular_response,
    harvey_bradshaw,
    mayo_score,
    pasi,
    sdai,
    sledai_2k,
)

joints = st.integers(0, 28)
vas = st.floats(0, 100)
esr = st.floats(1, 150)
crp = st.floats(0, 300)


@given(joints, joints, esr, vas, crp, vas)
def test_ra_scores_ranges(t: int, s: int, e: float, g: float, c: float, ph: float) -> None:
    assert (
        0
        <= float(das28_esr(t, s, e, g))
        <= 0.56 * 28**0.5 + 0.28 * 28**0.5 + 0.7 * np.log(150) + 1.4 + 1e-9
    )
    assert float(das28_crp(t, s, c, g)) >= 0.96
    assert 0 <= float(cdai(t, s, g, ph)) <= 76
    assert float(sdai(t, s, g, ph, c)) == pytest.approx(float(cdai(t, s, g, ph)) + c / 10)


@given(joints, joints, esr, crp, vas, st.sampled_from(range(4)), st.floats(0.1, 20))
def test_das28_monotone_in_each_input(
    t: int, s: int, e: float, c: float, g: float, which: int, step: float
) -> None:
    args_esr = [t, s, e, g]
    args_crp = [t, s, c, g]
    bumped_esr, bumped_crp = list(args_esr), list(args_crp)
    limits = [28, 28, 150, 100]
    bumped_esr[which] = min(bumped_esr[which] + step, limits[which])
    bumped_crp[which] = min(bumped_crp[which] + step, [28, 28, 1000, 100][which])
    assert float(das28_esr(*bumped_esr)) >= float(das28_esr(*args_esr))
    assert float(das28_crp(*bumped_crp)) >= float(das28_crp(*args_crp))


@settings(max_examples=50)
@given(st.lists(st.tuples(joints, joints, esr, vas), min_size=1, max_size=20))
def test_vectorised_equals_scalar(rows: list[tuple[int, int, float, float]]) -> None:
    t, s, e, g = (np.array(col, dtype=float) for col in zip(*rows, strict=True))
    vector = das28_esr(t, s, e, g)
    scalar = [float(das28_esr(*row)) for row in rows]
    np.testing.assert_allclose(vector, scalar, rtol=0, atol=1e-12)
    np.testing.assert_allclose(cdai(t, s, g, g), [float(cdai(a, b, c, c)) for a, b, _, c in rows])


@given(st.floats(0, 10), st.floats(0, 10), st.floats(0, 3))
def test_eular_lower_current_is_never_worse(base: float, current: float, drop: float) -> None:
    better = max(current - drop, 0.0)
    assert int(eular_response(base, better)) >= int(eular_response(base, current))


severity = st.lists(st.integers(0, 4), min_size=4, max_size=4)
area = st.lists(st.integers(0, 6), min_size=4, max_size=4)


@given(severity, severity, severity, area, st.integers(0, 3), st.integers(0, 15))
def test_pasi_range_and_monotone(e, i, d, a, region: int, comp: int) -> None:  # type: ignore[no-untyped-def]
    value = float(pasi(e, i, d, a))
    assert 0 <= value <= 72
    arrays = [list(e), list(i), list(d), list(a)]
    which = comp % 4
    arrays[which][region] = min(arrays[which][region] + 1, 6 if which == 3 else 4)
    assert float(pasi(*arrays)) >= value


@given(st.lists(st.booleans(), min_size=24, max_size=24), st.integers(0, 23))
def test_sledai_range_and_monotone(items: list[bool], k: int) -> None:
    x = np.array(items, dtype=float)
    value = float(sledai_2k(x))
    assert 0 <= value <= 105
    x[k] = 1
    assert float(sledai_2k(x)) >= value


@given(*(st.integers(0, 3) for _ in range(4)))
def test_mayo_range(s: int, b: int, e: int, p: int) -> None:
    assert 0 <= float(mayo_score(s, b, e, p)) <= 12


@given(st.integers(0, 4), st.integers(0, 3), st.integers(0, 20), st.integers(0, 3),
       st.integers(0, 8))  # fmt: skip
def test_hbi_nonnegative(w: int, p: int, s: int, m: int, c: int) -> None:
    assert float(harvey_bradshaw(w, p, s, m, c)) == w + p + s + m + c >= 0


core = st.tuples(
    st.integers(1, 68), st.integers(1, 66), st.floats(1, 100), st.floats(1, 100),
    st.floats(1, 100), st.floats(0.125, 3), st.floats(1, 200),
)  # fmt: skip


@given(core, st.lists(st.floats(0, 1), min_size=7, max_size=7))
def test_acr_levels_nest(base: tuple[float, ...], fractions: list[float]) -> None:
    follow = tuple(b * f for b, f in zip(base, fractions, strict=True))
    b, f = AcrCoreSet(*base), AcrCoreSet(*follow)
    r20, r50, r70 = bool(acr20(b, f)), bool(acr50(b, f)), bool(acr70(b, f))
    assert r20 >= r50 >= r70  # ACR70 implies ACR50 implies ACR20


@pytest.mark.parametrize(
    "module",
    ["_acr", "_base", "_cdai_sdai", "_crohns", "_das28", "_eular", "_mayo", "_ms", "_pasi",
     "_sledai", "_sri", "_t1d"],
)  # fmt: skip
def test_docstring_examples(module: str) -> None:
    mod = importlib.import_module(f"immunobalance.indices.{module}")
    result = doctest.testmod(mod, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.failed == 0
