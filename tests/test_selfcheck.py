import numpy as np
import pytest
import torch

from course_utils.selfcheck import SelfCheckError, check_function, compare


def reference(x):
    return x * 2.0


CASES = [(np.arange(3.0),), (np.ones((2, 2)),)]


def test_accepts_a_right_answer_and_says_so(capsys):
    check_function(lambda x: x + x, reference, CASES, name="double")
    assert capsys.readouterr().out == "✓ double: all 2 checks passed.\n"


def test_accepts_torch_output_for_numpy_reference():
    check_function(lambda x: torch.from_numpy(x) * 2, reference, CASES)


def test_stub_is_reported_as_not_written_yet():
    def stub(x):
        raise NotImplementedError("Exercise: write this part")

    with pytest.raises(SelfCheckError, match="`stub` is not written yet: replace the `raise NotImplementedError"):
        check_function(stub, reference, CASES)


@pytest.mark.parametrize(
    "wrong, message",
    [
        (lambda x: None, "returned None. Did you forget `return`?"),
        (lambda x: (x * 2).sum(), r"expected shape \(3,\), got shape \(\)"),
        (lambda x: x + np.inf, "nan or inf where finite values were expected"),
        (lambda x: x * 3.0, r"2 of 3 values differ; e.g. at index \(1,\) expected 2, got 3"),
        (lambda x: 1 / 0, r"raised ZeroDivisionError: division by zero \(for input \(ndarray of shape \(3,\)\)\)"),
    ],
)
def test_rejects_typical_mistakes_with_a_helpful_message(wrong, message):
    with pytest.raises(SelfCheckError, match=message):
        check_function(wrong, reference, CASES, name="f")


def test_diagnose_adds_a_hint():
    with pytest.raises(SelfCheckError, match="Hint: you tripled"):
        check_function(lambda x: x * 3, reference, CASES, diagnose=lambda a, g, e: "you tripled")


def test_inputs_are_copied_so_mutation_cannot_spoil_the_comparison():
    def mutating(x):
        x *= 2.0
        return x

    check_function(mutating, reference, CASES)


def test_compare_tuples_and_types():
    assert compare((1.0, np.zeros(2)), (1.0, np.zeros(2))) is None
    assert "expected a tuple of 2 values" in compare(1.0, (1.0, 2.0))
    assert "item 1 of the returned tuple" in compare((1.0, 3.0), (1.0, 2.0))
    assert "expected floating-point values" in compare(np.array(["a"], dtype=object), np.array([1.0]))


def test_a_check_without_cases_is_a_bug():
    with pytest.raises(ValueError, match="at least one case"):
        check_function(reference, reference, [])
