"""Exercise checks, one module per notebook: ``from course_utils.checks.nb00 import check_loss``.

Each check wraps ``course_utils.selfcheck.check_function`` with a reference and inputs chosen for that exercise
(random ones and edge cases). ``tests/test_checks.py`` proves each accepts a correct answer and rejects the
typical wrong ones.
"""
