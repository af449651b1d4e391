"""Issue 19: self-checks must not accept strings or complex numbers as numbers (confirmed here; the machinery
itself, course_utils/selfcheck.py, is issue 11's and is not changed by this branch)."""

import numpy as np
import pytest

from course_utils.checks import nb00
from course_utils.selfcheck import SelfCheckError, check_function


def square(x):
    return x * x


@pytest.mark.parametrize("answer", ["0", "4", np.array("26"), np.array(["4"]), 4 + 0j, 1 + 5j, np.complex128(4),
                                    np.array([4 + 0j])])
def test_strings_and_complex_numbers_are_refused_where_a_number_is_expected(answer):
    with pytest.raises(SelfCheckError):
        check_function(lambda x: answer, square, [(2.0,)], name="f")


def test_a_right_number_still_passes(capsys):
    check_function(lambda x: x * x, square, [(2.0,), (3.0,)], name="f")
    assert "all 2 checks passed" in capsys.readouterr().out


@pytest.mark.parametrize("answer", [lambda w, x, y: str(np.mean((w * x - y) ** 2)),
                                    lambda w, x, y: complex(np.mean((w * x - y) ** 2))])
def test_a_real_check_refuses_them_too(answer):
    with pytest.raises(SelfCheckError):
        nb00.check_mse_loss(answer)
