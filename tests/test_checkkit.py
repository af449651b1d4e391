"""The harness every exercise test uses must itself be able to fail: on a slow check, a rejected right answer,
an accepted wrong one."""

import time

import pytest

from tests.checkkit import assert_accepted, assert_rejected
from course_utils.selfcheck import SelfCheckError


def busy_check(answer):
    end = time.process_time() + 0.3
    while time.process_time() < end:  # 0.3 s of CPU work
        pass


def very_busy_check(answer):
    end = time.process_time() + 1.1
    while time.process_time() < end:  # one run that freezes the notebook
        pass


def sleepy_check(answer):
    time.sleep(0.3)  # no CPU, but a learner still waits


def rejecting_check(answer):
    raise SelfCheckError("not right yet")


@pytest.mark.parametrize("check, said", [(busy_check, "of CPU time .the median"), (very_busy_check, "for one run"),
                                         (sleepy_check, "of wall time .the median"),
                                         (rejecting_check, "rejected a right answer")])
def test_assert_accepted_fails_on_a_slow_or_rejecting_check(check, said):
    with pytest.raises(pytest.fail.Exception if check is rejecting_check else AssertionError, match=said):
        assert_accepted(check, None, runs=3)


def test_assert_rejected_fails_when_the_check_passes_or_says_something_else():
    with pytest.raises(pytest.fail.Exception):
        assert_rejected(lambda answer: None, None, "anything", runs=3)
    with pytest.raises(AssertionError, match="does not say"):
        assert_rejected(rejecting_check, None, "overflow", runs=3)


def test_assert_accepted_forgives_one_slow_run_in_many():
    calls = []

    def once_slow(answer):  # a garbage collection or a busy core, once in ten runs
        calls.append(None)
        if len(calls) == 5:
            busy_check(answer)

    assert_accepted(once_slow, None, runs=10)
