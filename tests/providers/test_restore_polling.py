"""The restore providers' `Poller`: backoff, cap and deadline, checked against a brute-force oracle."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from components.restore_common import Poller, WaitTimedOut
from tests.providers.restore_support import FakeClock


def expected_sleeps(interval: float, backoff: float, cap: float, timeout: float) -> list[float]:
    """Oracle: step through time one wait at a time."""
    sleeps: list[float] = []
    waited, delay = 0.0, interval
    while waited < timeout:
        step = min(delay, timeout - waited)
        sleeps.append(step)
        waited += step
        delay = min(delay * backoff, cap)
    return sleeps


@given(interval=st.integers(1, 120), backoff=st.sampled_from([1, 1.5, 2, 3]), extra_cap=st.integers(0, 600),
       timeout=st.integers(0, 6 * 3600))
def test_waits_back_off_up_to_the_cap_and_stop_at_the_deadline(interval: int, backoff: float, extra_cap: int,
                                                               timeout: int) -> None:
    clock = FakeClock()
    poller = Poller(interval_seconds=interval, max_interval_seconds=interval + extra_cap, backoff=backoff,
                    sleep=clock.sleep, clock=clock.time)
    calls: list[float] = []
    with pytest.raises(WaitTimedOut):
        poller.until(lambda: calls.append(clock.now), timeout, "thing", lambda: "still going")
    assert clock.sleeps == pytest.approx(expected_sleeps(interval, backoff, interval + extra_cap, timeout))
    assert sum(clock.sleeps) == pytest.approx(timeout)  # never sleeps past the deadline
    assert len(calls) == len(clock.sleeps) + 1  # one last look at the deadline itself


@given(ready_at=st.integers(1, 50))
def test_returns_the_first_value_without_another_sleep(ready_at: int) -> None:
    clock = FakeClock()
    poller = Poller(interval_seconds=5, max_interval_seconds=60, backoff=2, sleep=clock.sleep, clock=clock.time)
    calls = iter(range(1, 10_000))
    result = poller.until(lambda: "done" if next(calls) == ready_at else None, 10**9, "thing")
    assert result == "done"
    assert len(clock.sleeps) == ready_at - 1


def test_the_timeout_message_names_the_wait_and_the_last_status() -> None:
    clock = FakeClock()
    poller = Poller(interval_seconds=30, sleep=clock.sleep, clock=clock.time)
    with pytest.raises(WaitTimedOut, match=r"^restore of cluster x did not finish within 1.5 minutes "
                                           r"\(last status: creating\)$"):
        poller.until(lambda: None, 90, "restore of cluster x", lambda: "creating")


def test_two_waits_on_one_deadline_share_its_time() -> None:
    clock = FakeClock()
    poller = Poller(interval_seconds=30, max_interval_seconds=30, sleep=clock.sleep, clock=clock.time)
    deadline = poller.deadline(100)
    ready = iter([None, None, "first"])
    assert poller.until(lambda: next(ready), deadline, "first") == "first"  # at 60 s
    with pytest.raises(WaitTimedOut, match=r"^second did not finish within 1.66667 minutes"):
        poller.until(lambda: None, deadline, "second")
    assert clock.sleeps == [30, 30, 30, 10]  # 40 s left for the second wait, not another 100
