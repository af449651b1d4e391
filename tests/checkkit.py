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


def assert_accepted(check, answer, runs: int = RUNS) -> None:
    """``check(answer)`` passes on every one of ``runs`` runs, each well under a quarter of a second.

    Each run's cost is its CPU time, so a run that waited for a core on a busy machine does not count against
    the check; the median wall time must be under the limit too."""
    walls = []
    for run in range(runs):
        start, cpu = time.perf_counter(), time.process_time()
        try:
            check(answer)
        except SelfCheckError as exc:
            pytest.fail(f"run {run + 1} of {runs} rejected a right answer: {exc}")
        walls.append(time.perf_counter() - start)
        used = time.process_time() - cpu
        assert used < SECONDS_PER_CHECK, f"the check took {used:.3f} s of CPU time (more than {SECONDS_PER_CHECK} s)"
    median = sorted(walls)[len(walls) // 2]
    assert median < SECONDS_PER_CHECK, f"the check took {median:.3f} s (median wall time, more than {SECONDS_PER_CHECK} s)"


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
