"""Staff moderation of accounts.

Counters kept by the database are read-only everywhere; actions change many rows in one UPDATE and say how
many changed; a rule only the database knows (a CHECK or unique constraint reached in a race) turns into
an error message, never a server error.
"""

from django import forms
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm
from django.core.exceptions import ValidationError
from django.db import IntegrityError
from django.db.models import Case, OuterRef, Subquery, Value, When
from django.db.models.functions import Now

from accounts import services
from accounts.models import (
    SIGN_IN_STATUSES,
    CreditKind,
    CreditLedgerEntry,
    Developer,
    DeveloperStatus,
    User,
    UserApiKey,
    UserStatus,
)
from accounts.services.credits import MANUAL_KINDS
from core.admin import PlatformAdmin, report


class UserCreationForm(AdminUserCreationForm):
    class Meta(AdminUserCreationForm.Meta):
        model = User
        fields = ("username", "email")


class UserEditForm(UserChangeForm):
    class Meta(UserChangeForm.Meta):
        model = User
        fields = "__all__"


@admin.register(User)
class UserAdmin(PlatformAdmin, DjangoUserAdmin):
    form = UserEditForm
    add_form = UserCreationForm
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        (
            "Personal info",
            {
                "fields": (
                    ("first_name", "last_name"),
                    "email",
                    "phone_number",
                    ("country", "city"),
                    "profile_picture",
                    "bio",
                )
            },
        ),
        ("Status", {"fields": ("status", "email_verified")}),
        (
            "Permissions",
            {"fields": ("is_staff", "is_superuser", "groups", "user_permissions"), "classes": ("collapse",)},
        ),
        ("Dates", {"fields": ("last_login", "created_at", "updated_at")}),
    )
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": ("username", "email", "usable_password", "password1", "password2"),
            },
        ),
        ("Status", {"fields": ("status", "email_verified")}),
    )
    readonly_fields = ("last_login", "created_at", "updated_at")
    list_display = (
        "username",
        "email",
        "full_name",
        "status",
        "email_verified",
        "is_staff",
        "credit_balance",
        "created_at",
        "last_login",
    )
    list_filter = ("status", "email_verified", "is_staff", "is_superuser")
    search_fields = ("username", "email", "first_name", "last_name")
    date_hierarchy = "created_at"
    ordering = ("username",)
    actions = ["suspend_users", "reactivate_users"]

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if change and "status" in form.changed_data and obj.status not in SIGN_IN_STATUSES:
            services.user_sessions_end(user_ids=[obj.pk])

    @admin.display(description="Name", ordering="last_name")
    def full_name(self, user: User) -> str:
        return f"{user.first_name} {user.last_name}".strip()

    @admin.action(description="Suspend selected users (signs them out)", permissions=["change"])
    def suspend_users(self, request, queryset):
        if queryset.filter(pk=request.user.pk).exists():
            self.message_user(
                request, "You cannot suspend your own account; it was left as is.", messages.WARNING
            )
        targets = queryset.exclude(pk=request.user.pk).exclude(status=UserStatus.SUSPENDED)
        user_ids = list(targets.values_list("pk", flat=True))
        changed = (
            User.objects.filter(pk__in=user_ids)
            .exclude(status=UserStatus.SUSPENDED)
            .update(status=UserStatus.SUSPENDED)
        )
        services.user_sessions_end(user_ids=user_ids)
        report(self, request, changed, "suspended", ("user", "users"), "they were already suspended")

    @admin.action(description="Reactivate selected users", permissions=["change"])
    def reactivate_users(self, request, queryset):
        # A user whose address was never verified goes back to pending_verification, not to active.
        changed = queryset.filter(status__in=[UserStatus.SUSPENDED, UserStatus.INACTIVE]).update(
            status=Case(
                When(email_verified=True, then=Value(UserStatus.ACTIVE)),
                default=Value(UserStatus.PENDING_VERIFICATION),
            )
        )
        report(self, request, changed, "reactivated", ("user", "users"), "none was suspended or inactive")


@admin.register(Developer)
class DeveloperAdmin(PlatformAdmin):
    list_display = (
        "username",
        "user",
        "company_name",
        "email",
        "status",
        "api_quota",
        "total_models_created",
        "created_at",
    )
    list_filter = ("status",)
    list_select_related = ("user",)
    search_fields = ("username", "email", "company_name", "first_name", "last_name", "user__username")
    date_hierarchy = "created_at"
    autocomplete_fields = ("user",)
    readonly_fields = ("total_models_created", "created_at", "updated_at")
    fieldsets = (
        (None, {"fields": ("user", "username", "email", "status")}),
        (
            "Profile",
            {
                "fields": (
                    ("first_name", "last_name"),
                    "company_name",
                    "website_url",
                    "github_profile",
                    "expertise_areas",
                    "years_experience",
                )
            },
        ),
        ("Quota and figures", {"fields": ("api_quota", "total_models_created")}),
        ("Dates", {"fields": ("created_at", "updated_at")}),
    )
    actions = ["approve_developers", "reject_applications", "suspend_developers"]

    def get_readonly_fields(self, request, obj=None):
        # The sign-in account of an existing developer does not change hands.
        fields = super().get_readonly_fields(request, obj)
        return (*fields, "user") if obj else fields

    @admin.action(description="Approve selected developers (each is told)", permissions=["change"])
    def approve_developers(self, request, queryset):
        changed = services.developers_approve(developers=queryset)
        report(self, request, changed, "approved", ("developer", "developers"), "they were already active")

    @admin.action(
        description="Reject selected applications (inactive; each applicant is told)", permissions=["change"]
    )
    def reject_applications(self, request, queryset):
        changed = services.developers_reject(developers=queryset)
        report(
            self,
            request,
            changed,
            "rejected",
            ("application", "applications"),
            "they were not waiting for approval",
        )

    @admin.action(
        description="Suspend selected developers (their models stop being served)", permissions=["change"]
    )
    def suspend_developers(self, request, queryset):
        changed = queryset.exclude(status=DeveloperStatus.SUSPENDED).update(status=DeveloperStatus.SUSPENDED)
        report(
            self, request, changed, "suspended", ("developer", "developers"), "they were already suspended"
        )


@admin.register(UserApiKey)
class UserApiKeyAdmin(PlatformAdmin):
    """Personal keys are created by their owner (the plain key is shown once there); staff can revoke."""

    list_display = ("name", "user", "key_prefix", "created_at", "last_used_at", "revoked_at")
    list_filter = (("revoked_at", admin.EmptyFieldListFilter),)
    list_select_related = ("user",)
    search_fields = ("name", "key_prefix", "user__username", "user__email")
    date_hierarchy = "created_at"
    fields = ("user", "name", "key_prefix", "key_hash", "created_at", "last_used_at", "revoked_at")
    readonly_fields = ("user", "key_prefix", "key_hash", "created_at", "last_used_at")
    actions = ["revoke_keys"]

    def has_add_permission(self, request, obj=None):
        return False

    @admin.action(description="Revoke selected keys", permissions=["change"])
    def revoke_keys(self, request, queryset):
        changed = queryset.filter(revoked_at__isnull=True).update(revoked_at=Now())
        report(self, request, changed, "revoked", ("key", "keys"), "they were already revoked")


class CreditEntryForm(forms.ModelForm):
    """A staff grant, top-up or adjustment: who it is for, how much, and why (required)."""

    kind = forms.ChoiceField(
        choices=[(kind.value, kind.label) for kind in MANUAL_KINDS],
        help_text="Grants and top-ups add credits; an adjustment adds (positive) or takes away (negative).",
    )
    note = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), help_text="Why: kept with the entry.")

    class Meta:
        model = CreditLedgerEntry
        fields = ("user", "kind", "amount", "note")

    def clean(self):
        data = super().clean()
        amount, kind, user = data.get("amount"), data.get("kind"), data.get("user")
        if amount is None or kind is None:
            return data
        if kind != CreditKind.ADJUSTMENT and amount <= 0:
            self.add_error("amount", "Grants and top-ups add credits: enter an amount above zero.")
        elif amount == 0:
            self.add_error("amount", "An adjustment of zero changes nothing.")
        elif user is not None and amount < 0 and user.credit_balance + amount < 0:
            self.add_error(
                "amount", f"The balance is ${user.credit_balance}: an adjustment cannot take it below zero."
            )
        return data


@admin.register(CreditLedgerEntry)
class CreditLedgerEntryAdmin(PlatformAdmin):
    """The ledger is append-only: staff add grants, top-ups and adjustments (recorded with their name and
    reason); no entry is ever changed or deleted. Calls' reservations, charges and releases are listed
    alongside."""

    form = CreditEntryForm
    list_display = ("created_at", "user", "kind", "amount", "note", "created_by_name")
    list_filter = ("kind",)
    list_select_related = ("user",)
    search_fields = ("user__username", "user__email", "note")
    raw_id_fields = ("user",)
    date_hierarchy = "created_at"

    def get_queryset(self, request):
        # created_by_id is a plain value (the entry outlives its author): the name is read in the same query.
        staff = User.objects.filter(pk=OuterRef("created_by_id")).values("username")[:1]
        return super().get_queryset(request).annotate(created_by_username=Subquery(staff))

    @admin.display(description="by")
    def created_by_name(self, entry: CreditLedgerEntry) -> str:
        if entry.created_by_id is None:
            return "—"
        return getattr(entry, "created_by_username", None) or str(entry.created_by_id)

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def save_model(self, request, obj, form, change) -> None:
        try:
            entry = services.credits_add(
                user=obj.user,
                amount=obj.amount,
                kind=obj.kind,
                note=obj.note,
                created_by=request.user,
            )
        except ValidationError as exc:
            raise IntegrityError(exc.messages[0]) from exc
        obj.pk = entry.pk
        obj.created_at = entry.created_at
