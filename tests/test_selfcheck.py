"""The machinery every exercise check is built on: each class of misjudgement, shown and ruled out."""

import inspect

import numpy as np
import pytest
import torch

from course_utils.selfcheck import SelfCheckError, check_function, compare, describe, failing_input


def reference(x):
    return x * 2.0


CASES = [(np.arange(3.0),), (np.ones((2, 2)),)]


def rejects(fn, match, ref=reference, cases=CASES, **options):
    with pytest.raises(SelfCheckError) as failure:
        check_function(fn, ref, cases, name="f", **options)
    assert match in str(failure.value), str(failure.value)
    return str(failure.value)


def test_accepts_a_right_answer_and_says_so(capsys):
    check_function(lambda x: x + x, reference, CASES, name="double")
    assert capsys.readouterr().out == "✓ double: all 2 checks passed.\n"


def test_accepts_torch_output_for_numpy_reference():
    check_function(lambda x: torch.from_numpy(x) * 2, reference, CASES)


# --------------------------------------------------------------------------------------------- not yet, not a function


def test_stub_is_reported_as_not_written_yet():
    def stub(x):
        raise NotImplementedError("Exercise: write this part, then run the check below.")

    rejects(stub, "`f` is not written yet: replace the `raise NotImplementedError")


def test_torchs_own_not_implemented_error_is_not_called_a_stub():
    class Net(torch.nn.Module):
        def forwrd(self, x):  # misspelt: torch raises NotImplementedError when the module is called
            return x

    def learner(x):
        return Net()(torch.as_tensor(x))

    message = rejects(learner, "raised NotImplementedError")
    assert "not written yet" not in message and "`forward`" in message


@pytest.mark.parametrize("value, kind", [(3.5, "the number 3.5"), (np.zeros(3), "a NumPy array"), (None, "None")])
def test_a_result_instead_of_the_function_says_so(value, kind):
    message = rejects(value, "pass `f`, not `f(...)`")
    assert kind in message


# --------------------------------------------------------------------------------------------- missing return


def test_missing_return_is_named_even_when_the_check_iterates_the_answer():
    def no_return(x):
        x * 2.0

    rejects(no_return, "returned None", ref=lambda x: (x, x), call=lambda fn, x: tuple(fn(x)))
    message = rejects(no_return, "Did you forget `return`?")
    assert "NoneType" not in message


def test_an_unusable_answer_is_reported_with_what_it_was():
    message = rejects(lambda x: 5, "could not be used", ref=lambda x: (x, x), call=lambda fn, x: tuple(fn(x)))
    assert "the number 5" in message


# --------------------------------------------------------------------------------------------- shared and changed inputs


def clip_reference(grads, max_norm):
    total = torch.sqrt(sum((g**2).sum() for g in grads))
    return tuple(g if total <= max_norm else g * max_norm / total for g in grads)


def test_an_in_place_change_to_a_tensor_inside_a_tuple_cannot_reach_the_expected_answer():
    def in_place_nan(grads, max_norm):
        total = torch.sqrt(sum((g**2).sum() for g in grads))
        for g in grads:
            g.mul_(max_norm / total)  # zeros / 0 = nan, and the caller's tensors are changed
        return grads

    zeros = (tuple(torch.zeros(3, dtype=torch.float64) for _ in range(2)), 1.0)
    rejects(in_place_nan, "changed its input `grads` in place", ref=clip_reference, cases=[zeros])
    rejects(in_place_nan, "nan or inf", ref=clip_reference, cases=[zeros], inplace="allow")


def test_an_input_changed_in_place_is_reported_with_its_name():
    def mutating(x):
        x *= 2.0
        return x

    message = rejects(mutating, "changed its input `x` in place")
    assert "z = z - m" in message
    check_function(mutating, reference, CASES, inplace="allow")


def test_nested_inputs_are_copied_for_each_call():
    seen = []

    def learner(pair):
        seen.append(pair)
        return pair[0] * 2.0

    case = ((np.arange(3.0), np.ones(2)),)
    check_function(learner, lambda pair: pair[0] * 2.0, [case, case])
    assert seen[0][0] is not case[0][0] and seen[0][0] is not seen[1][0]


def test_the_expected_answer_is_not_in_any_frame_while_the_learner_runs():
    def stack_walker(x):
        for frame in inspect.stack()[1:]:
            for value in frame.frame.f_locals.values():
                if isinstance(value, np.ndarray) and value.shape == x.shape and np.array_equal(value, x * 2.0):
                    return value  # found the expected answer: return it instead of computing
        return x * 3.0

    rejects(stack_walker, "values differ")


# --------------------------------------------------------------------------------------------- forms that are right


def test_a_list_is_as_good_as_a_tuple_for_several_values():
    pair = lambda x: (x, 2 * x)  # noqa: E731
    check_function(lambda x: [x, 2 * x], pair, CASES)
    check_function(lambda x: (x, 2 * x), pair, CASES)


def test_a_generator_or_zip_is_as_good_as_a_list():
    ref = lambda n: [(i, i + 1) for i in range(n)]  # noqa: E731
    check_function(lambda n: ((i, i + 1) for i in range(n)), ref, [(3,), (1,)])
    check_function(lambda n: zip(range(n), range(1, n + 1)), ref, [(3,), (1,)])
    check_function(lambda n: [[i, i + 1] for i in range(n)], ref, [(3,)])


def test_integer_zero_is_a_right_float_answer():
    check_function(lambda x: 0, lambda x: 0.0, [(1.0,), (2.0,)])
    check_function(lambda x: np.int64(0), lambda x: 0.0, [(1.0,)])


def test_float32_answers_are_compared_with_float32_precision():
    z = np.random.default_rng(0).normal(size=(50, 10))

    def softmax(z):
        e = np.exp(z - z.max(axis=1, keepdims=True))
        return e / e.sum(axis=1, keepdims=True)

    check_function(lambda z: torch.softmax(torch.tensor(z, dtype=torch.float32), dim=1), softmax, [(z,)])
    rejects(lambda z: softmax(z).astype(np.float32) * 1.001, "values differ", ref=softmax, cases=[(z,)])


# --------------------------------------------------------------------------------------------- forms that are wrong


@pytest.mark.parametrize("answer, said", [
    ("0", "the string '0'"),
    (np.array("26"), "expected numbers"),
    (1 + 5j, "complex"),
    (True, "True or False"),
    ([1.0, 2.0], "one number"),
])
def test_strings_complex_numbers_and_bools_are_not_numbers(answer, said):
    with pytest.raises(SelfCheckError, match=said):
        check_function(lambda n: answer, lambda n: float(n) if n else 0.0, [(0,), (1,)], name="f")


@pytest.mark.parametrize("returns, answer, said", [
    ("numpy", lambda x: list(x * 2.0), "return a NumPy array"),
    ("numpy", lambda x: torch.from_numpy(x * 2.0), "return a NumPy array"),
    ("number", lambda x: torch.tensor(float(x.sum())), "return a plain number"),
])
def test_a_type_the_lesson_cannot_use_is_rejected_with_the_reason(returns, answer, said):
    ref = reference if returns == "numpy" else (lambda x: float(x.sum()))
    message = rejects(answer, said, ref=ref, returns=returns)
    assert "the cells after this one" in message


def test_the_type_of_each_returned_value_is_checked_and_named():
    ref = lambda x: (x, float(x.sum()))  # noqa: E731
    rejects(lambda x: (x, torch.tensor(1.0)), "`total`: return a plain number", ref=ref,
            returns=("numpy", "number"), output_names=("values", "total"))


# --------------------------------------------------------------------------------------------- messages


@pytest.mark.parametrize(
    "wrong, message",
    [
        (lambda x: (x * 2).sum(), "expected shape (3,), got shape ()"),
        (lambda x: x + np.inf, "nan or inf where finite values were expected"),
        (lambda x: x * 3.0, "2 of 3 values differ; e.g. at index (1,) expected 2, got 3"),
        (lambda x: 1 / 0, "raised ZeroDivisionError: division by zero (for input (x=array([0., 1., 2.], float64)))"),
    ],
)
def test_rejects_typical_mistakes_with_a_helpful_message(wrong, message):
    rejects(wrong, message)


def test_the_axis_hint_appears_only_where_an_axis_was_lost():
    lost = rejects(lambda x: x.sum(axis=0), "check which axis", cases=[(np.ones((2, 3)),)])
    assert "(3,)" in lost
    other = rejects(lambda x: np.zeros(5), "expected shape (3,), got shape (5,)", cases=[(np.arange(3.0),)])
    assert "axis you sum" not in other
    assert "transposed" in rejects(lambda x: (2 * x).T, "transposed", cases=[(np.ones((2, 3)),)])


def test_several_values_are_named_by_position_not_as_a_tuple():
    message = rejects(lambda x: [x, 3 * x], "the second value you returned", ref=lambda x: (x, 2 * x))
    assert "tuple" not in message
    rejects(lambda x: [x, 3 * x], "`dW`:", ref=lambda x: (x, 2 * x), output_names=("W", "dW"))


def test_diagnose_adds_a_hint_and_a_broken_diagnosis_adds_nothing():
    rejects(lambda x: x * 3, "Hint: you tripled", diagnose=lambda a, g, e: "you tripled")
    message = rejects(lambda x: x * 3, "values differ", diagnose=lambda a, g, e: 1 / 0)
    assert "Hint" not in message


def test_the_failing_input_is_shown_in_full_when_small_and_can_be_fetched_when_large():
    small = rejects(lambda x: x * 3, "x=array([1000., -1000., 0.], float64)", cases=[(np.array([1000., -1000., 0.]),)])
    assert "failing_input" not in small
    big = rejects(lambda x: x * 3, "array of shape (40, 10), float64", cases=[(np.ones((40, 10)),)])
    assert "failing_input()" in big
    (x,) = failing_input()
    assert x.shape == (40, 10)
    x[:] = 5.0  # a learner's change to it does not change the next copy
    assert failing_input()[0][0, 0] == 1.0


def test_describe_names_the_arguments():
    assert describe((np.zeros(2), 3), names=("w", "n")) == "(w=array([0., 0.], float64), n=3)"
    assert describe((torch.ones(20, 3),)) == "(tensor of shape (20, 3), float32)"


def test_a_learner_who_made_numpy_raise_on_overflow_still_gets_a_verdict():
    def overflowing_reference(z):
        return np.exp(z) / np.exp(z).sum()  # overflows inside the check, not in the learner's code

    old = np.seterr(all="raise")
    try:
        with pytest.raises(SelfCheckError, match="values differ|nan or inf"):
            check_function(lambda z: np.ones_like(z), overflowing_reference, [(np.array([1.0, 800.0]),)], name="f",
                           diagnose=lambda a, g, e: str(np.exp(a[0])))
    finally:
        np.seterr(**old)


def test_compare_tuples_and_types():
    assert compare((1.0, np.zeros(2)), (1.0, np.zeros(2))) is None
    assert "expected 2 values" in compare(1.0, (1.0, 2.0))
    assert "the second value you returned" in compare((1.0, 3.0), (1.0, 2.0))
    assert "expected numbers" in compare(np.array(["a"], dtype=object), np.array([1.0]))


def test_a_check_without_cases_is_a_bug():
    with pytest.raises(ValueError, match="at least one case"):
        check_function(reference, reference, [])


# --------------------------------------------------------------------------------------------- found by attackers


def test_a_number_replaced_inside_a_list_argument_is_an_in_place_change():
    def overwrites(losses):  # a running minimum written into the caller's list, then the right answer
        for i in range(1, len(losses)):
            losses[i] = min(losses[i], losses[i - 1])
        return min(losses)

    def reverses(layers):
        layers.reverse()
        return len(layers)

    rejects(overwrites, "changed its input `losses` in place", ref=min, cases=[([1.0, 0.5, 0.7, 0.4],)])
    said = rejects(reverses, "changed its input `layers` in place", ref=len, cases=[([(3, 1), (2, 2)],)])
    assert "[(3, 1), (2, 2)]" in said  # small tuples inside a list are shown, not "tuple of 2 items"
    check_function(lambda losses: min(losses), min, [([1.0, float("nan"), 0.4],)])  # reading it is fine


def test_a_learner_who_made_numpy_raise_on_underflow_gets_the_stable_formula_accepted():
    def stable_softmax(z):
        e = np.exp(z - z.max())  # exp(-1000) underflows to 0: expected, and harmless
        return e / e.sum()

    old = np.seterr(all="raise")
    try:
        check_function(stable_softmax, stable_softmax, [(np.array([0.0, -1000.0]),)])
    finally:
        np.seterr(**old)


def test_a_string_answer_gets_no_hint_that_reads_it_as_a_number():
    said = rejects(lambda x: f"{x.sum():.4f}", "got the string", ref=lambda x: float(x.sum() * 2),
                   cases=[(np.array([1.0, 2.0]),)], diagnose=lambda args, got, expected: "that is the plain sum")
    assert "Hint" not in said


def test_numbers_in_messages_read_as_plain_numbers():
    said = rejects(lambda x: np.float64(1.5), "the number 1.5", ref=lambda x: (x, x), cases=[(2.0,)])
    assert "np.float64" not in said


def test_an_array_holding_the_values_is_as_good_as_a_tuple_of_them():
    pair = lambda x: (x.sum(), x.mean())  # noqa: E731
    check_function(lambda x: np.array([x.sum(), x.mean()]), pair, CASES, output_names=("total", "mean"))
    check_function(lambda x: np.stack([x, 2 * x]), lambda x: (x, 2 * x), CASES, returns=("numpy", "numpy"))
    rejects(lambda x: np.array([x.sum(), x.mean(), 0.0]), "expected 2 values", ref=pair)


def test_two_values_in_the_wrong_order_are_called_swapped():
    said = rejects(lambda x: (x.mean(), x), "swapped", ref=lambda x: (x, x.mean()), output_names=("w", "b"))
    assert "`w` first, then `b`" in said and "axis" not in said


def test_a_single_number_where_an_array_was_expected_gets_no_axis_hint():
    said = rejects(lambda x: float(x.sum()), "expected shape (3,), got shape ()", cases=[(np.arange(3.0),)])
    assert "axis" not in said


def test_a_check_with_one_case_says_the_check_passed(capsys):
    check_function(lambda x: x + x, reference, CASES[:1], name="double")
    assert capsys.readouterr().out == "✓ double: the check passed.\n"
