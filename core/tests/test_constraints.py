"""core.constraints.violated_constraint: the name of the constraint PostgreSQL says an error broke."""

from django.db import IntegrityError

from core.constraints import violated_constraint


def test_it_reads_a_unique_constraints_name_from_postgresql(unique_violation):
    assert violated_constraint(unique_violation) == "developers_username_key"


def test_it_reads_a_check_constraints_name_from_postgresql(check_violation):
    assert violated_constraint(check_violation) == "developers_years_experience_range"


def test_an_error_postgresql_did_not_raise_names_no_constraint():
    assert violated_constraint(IntegrityError("raised in Python")) is None


def test_an_error_whose_cause_has_no_diagnostics_names_no_constraint():
    error = IntegrityError("wrapped")
    error.__cause__ = ValueError("not a database error")

    assert violated_constraint(error) is None
