"""core.admin: constraint messages, action reports, and the two admin base classes."""

import pytest
from django.contrib import admin, messages
from django.contrib.messages.storage.cookie import CookieStorage
from django.db import IntegrityError

from accounts.models import Developer
from activity.models import ApiUsageLog
from catalog.models import AIModel
from core.admin import PlatformAdmin, ReadOnlyAdmin, constraint_message, report


@pytest.fixture
def staff_request(rf, staff):
    request = rf.post("/admin/")
    request.user = staff
    request._messages = CookieStorage(request)
    return request


def told(request) -> list[tuple[int, str]]:
    return [(message.level, message.message) for message in request._messages]


# constraint_message ------------------------------------------------------------------------------------


def test_a_constraint_the_models_meta_lists_speaks_its_own_message(check_violation):
    assert constraint_message(Developer, check_violation) == "Years of experience must be between 0 and 80."


def test_any_other_constraint_is_named(unique_violation):
    assert constraint_message(Developer, unique_violation) == (
        "The change breaks the database rule “developers_username_key”."
    )


def test_an_error_naming_no_constraint_still_says_a_rule_was_broken():
    assert constraint_message(Developer, IntegrityError("raised in Python")) == (
        "The change breaks a database rule."
    )


# report ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "count, text",
    [(1, "1 developer approved."), (3, "3 developers approved.")],
)
def test_an_action_reports_how_many_rows_it_changed(staff_request, count, text):
    modeladmin = admin.site._registry[Developer]

    report(
        modeladmin, staff_request, count, "approved", ("developer", "developers"), "they were already active"
    )

    assert told(staff_request) == [(messages.SUCCESS, text)]


def test_an_action_that_changed_nothing_says_why_as_a_warning(staff_request):
    modeladmin = admin.site._registry[Developer]

    report(modeladmin, staff_request, 0, "approved", ("developer", "developers"), "they were already active")

    assert told(staff_request) == [(messages.WARNING, "No developers changed: they were already active.")]


# PlatformAdmin and ReadOnlyAdmin -----------------------------------------------------------------------


def test_a_url_typed_without_a_scheme_is_taken_as_https(staff_request):
    form = PlatformAdmin(AIModel, admin.site).get_form(staff_request, fields=["endpoint_url"])

    assert (
        form.base_fields["endpoint_url"].clean("upstream.example.com/v1") == "https://upstream.example.com/v1"
    )


def test_read_only_rows_cannot_be_added_changed_or_deleted_even_by_a_superuser(staff_request):
    read_only = ReadOnlyAdmin(ApiUsageLog, admin.site)
    editable = PlatformAdmin(ApiUsageLog, admin.site)

    assert staff_request.user.is_superuser
    assert not read_only.has_add_permission(staff_request)
    assert not read_only.has_change_permission(staff_request)
    assert not read_only.has_delete_permission(staff_request)
    assert editable.has_add_permission(staff_request) and editable.has_change_permission(staff_request)
