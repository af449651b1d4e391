"""How the exercise tests prove a self-check: it accepts right answers and rejects wrong ones, every run.

A check draws fresh random inputs on every call, so one passing run proves little: a wrong answer that slips
through one run in thirty would pass a single run 29 times in 30. These helpers run a check many times.
With ``RUNS = 100`` a wrong answer that passes one run in thirty is caught with probability 1 - (29/30)^100,
about 97%, in each test run; across the suite's runs it cannot hide for long.
"""

import re
import time

import pytest

from course_utils.selfcheck import SelfCheckError

RUNS = 100
SECONDS_PER_CHECK = 0.25  # a learner waits for every check: it must feel instant
SECONDS_ONE_RUN = 1.0  # no single run may freeze the notebook


def assert_accepted(check, answer, runs: int = RUNS) -> None:
    """``check(answer)`` passes on every one of ``runs`` runs, in well under a quarter of a second.

    What a learner feels is the typical run, so the limit is on the median, of CPU time (the check's own work)
    and of wall time (which also counts sleeping and waiting). One run may be slow for reasons outside the check:
    a garbage collection of the whole test session's heap, a core taken by another process; it fails only past
    ``SECONDS_ONE_RUN`` of CPU time, a pause a learner would notice. (A per-run limit of 0.25 s failed CI twice on
    such a run, 0.31 s and 0.47 s, of a check whose median is 6 ms.)"""
    walls, cpus = [], []
    for run in range(runs):
        start, cpu = time.perf_counter(), time.process_time()
        try:
            check(answer)
        except SelfCheckError as exc:
            pytest.fail(f"run {run + 1} of {runs} rejected a right answer: {exc}")
        walls.append(time.perf_counter() - start)
        cpus.append(time.process_time() - cpu)
        assert cpus[-1] < SECONDS_ONE_RUN, \
            f"run {run + 1} took {cpus[-1]:.3f} s of CPU time (more than {SECONDS_ONE_RUN} s for one run)"
    for times, what in [(cpus, "CPU time"), (walls, "wall time")]:
        median = sorted(times)[len(times) // 2]
        assert median < SECONDS_PER_CHECK, \
            f"the check took {median:.3f} s of {what} (the median of {runs} runs, more than {SECONDS_PER_CHECK} s)"


def assert_rejected(check, answer, match: str, runs: int = RUNS) -> str:
    """``check(answer)`` raises ``SelfCheckError`` whose message matches ``match`` on every run; returns one."""
    message = ""
    for run in range(runs):
        with pytest.raises(SelfCheckError) as failure:
            check(answer)
        message = str(failure.value)
        assert re.search(match, message), f"run {run + 1}: message does not say {match!r}:\n{message}"
        assert "Traceback" not in message and len(message) < 1200, message
    return message
