"""The admin building blocks every app's admin shares.

Counters kept by the database are read-only everywhere; actions change many rows in one UPDATE and say how
many changed; a rule only the database knows (a CHECK or unique constraint reached in a race) turns into
an error message, never a server error.
"""

from django.contrib import admin, messages
from django.db import IntegrityError, models
from django.http import HttpResponseRedirect

from core.constraints import violated_constraint


def constraint_message(model, error: IntegrityError) -> str:
    """The friendly text for the constraint an IntegrityError names, from the model's Meta if it has one."""
    name = violated_constraint(error)
    for constraint in model._meta.constraints:
        if constraint.name == name:
            return str(constraint.get_violation_error_message())
    if name:
        return f"The change breaks the database rule “{name}”."
    return "The change breaks a database rule."


def report(modeladmin, request, count: int, done: str, noun: tuple[str, str], unchanged: str) -> None:
    """Tell staff how many rows an action changed: "3 developers approved." or why none did."""
    if count:
        word = noun[0] if count == 1 else noun[1]
        modeladmin.message_user(request, f"{count} {word} {done}.", messages.SUCCESS)
    else:
        modeladmin.message_user(request, f"No {noun[1]} changed: {unchanged}.", messages.WARNING)


class PlatformAdmin(admin.ModelAdmin):
    """Base for every admin of the platform's tables."""

    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        # Forms validate every constraint first (Model.validate_constraints), so this only catches a row
        # that became invalid between validation and save, e.g. another writer taking the same name.
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except IntegrityError as error:
            self.message_user(request, f"Not saved. {constraint_message(self.model, error)}", messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())

    def get_deleted_objects(self, objs, request):
        # Logs, history and rollups belong to the row they describe: deleting a user, developer or model
        # deletes them too (the database cascades either way), although staff may not delete them alone.
        to_delete, model_count, perms_needed, protected = super().get_deleted_objects(objs, request)
        records = {
            model._meta.verbose_name
            for model, model_admin in self.admin_site._registry.items()
            if getattr(model_admin, "deleted_with_parent", False)
        }
        return to_delete, model_count, perms_needed - records, protected


class ReadOnlyAdmin(PlatformAdmin):
    """Rows written by the gateway or by triggers: staff look, nobody edits."""

    deleted_with_parent = True
    show_full_result_count = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
