from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.functions import RandomUUID
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.crypto import salted_hmac

from core.fields import check_in, check_non_negative, counter, created_at, updated_at, uuid_pk


class UserStatus(models.TextChoices):
    ACTIVE = "active", "Active"
    INACTIVE = "inactive", "Inactive"
    SUSPENDED = "suspended", "Suspended"
    PENDING_VERIFICATION = "pending_verification", "Pending verification"


# Statuses that may sign in. pending_verification signs in but cannot review, vote or use the playground.
SIGN_IN_STATUSES = [UserStatus.ACTIVE, UserStatus.PENDING_VERIFICATION]


class NotificationKind(models.TextChoices):
    """What a user can be told, each switched off on its own in the profile."""

    DEVELOPER_DECIDED = "developer_decided", "My developer application is decided"
    MODEL_DECIDED = "model_decided", "My model is approved or rejected"
    REVIEW_REPLY = "review_reply", "A developer replies to my review"
    NEW_REVIEW = "new_review", "Someone reviews my model"
    MODEL_DEPRECATED = "model_deprecated", "A model I called is deprecated"


class UserManager(BaseUserManager):
    use_in_migrations = True

    def get_by_natural_key(self, username):
        return self.get(username__iexact=username)

    def by_login(self, login: str):
        """The account a sign-in names: by email when it holds an @ (usernames cannot), else by username,
        in any letter case."""
        field = "email__iexact" if "@" in login else "username__iexact"
        return self.filter(**{field: login})

    def create_user(self, username: str, email: str, password: str | None = None, **extra):
        if not username:
            raise ValueError("A username is required.")
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(username=username, email=self.normalize_email(email), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, username: str, email: str, password: str | None = None, **extra):
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        extra.setdefault("status", UserStatus.ACTIVE)
        extra.setdefault("email_verified", True)
        return self.create_user(username, email, password, **extra)


class User(AbstractBaseUser, PermissionsMixin):
    user_id = uuid_pk()
    username = models.CharField(
        max_length=150,
        unique=True,
        validators=[UnicodeUsernameValidator()],
        help_text="150 characters or fewer. Letters, digits and @/./+/-/_ only.",
        error_messages={"unique": "A user with that username already exists."},
    )
    email = models.EmailField(max_length=254)
    password = models.CharField("password", max_length=128, db_column="password_hash")
    first_name = models.CharField(max_length=150, blank=True, db_default="")
    last_name = models.CharField(max_length=150, blank=True, db_default="")
    phone_number = models.CharField(max_length=32, blank=True, db_default="")
    country = models.CharField(max_length=100, blank=True, db_default="")
    city = models.CharField(max_length=100, blank=True, db_default="")
    profile_picture = models.ImageField(upload_to="profile_pictures/", blank=True, db_default="")
    bio = models.TextField(blank=True, db_default="")
    status = models.CharField(
        max_length=32,
        choices=UserStatus,
        default=UserStatus.PENDING_VERIFICATION,
        db_default=UserStatus.PENDING_VERIFICATION,
    )
    email_verified = models.BooleanField(default=False, db_default=False)
    is_superuser = models.BooleanField(
        default=False, db_default=False, help_text="Has every permission without them being granted."
    )
    is_staff = models.BooleanField(
        default=False, db_default=False, help_text="Can sign in to the staff admin."
    )
    # Derived by the database from status, so Django's auth (which reads is_active) and plain SQL agree.
    is_active = models.GeneratedField(
        expression=models.Q(status__in=SIGN_IN_STATUSES),
        output_field=models.BooleanField(),
        db_persist=True,
    )
    # Kept by the database from credit_ledger (see accounts/sql/functions/credit_ledger_apply.sql); a save()
    # of a loaded user writes back a stale figure, which users_credit_balance_guard throws away.
    credit_balance = models.DecimalField(
        max_digits=12, decimal_places=4, default=0, db_default=0, editable=False
    )
    # Moved by the database only (functions/users_session_epoch.sql): one up each time the account stops
    # being allowed to sign in. Part of the session hash, so no session from before a suspension comes back
    # with a reactivation.
    session_epoch = models.PositiveIntegerField(default=0, db_default=0, editable=False)
    # The notification kinds (accounts.notifications.NotificationKind) the user switched off: on the site
    # (nothing is kept for them) and by mail (kept in the inbox, not mailed).
    notifications_off = ArrayField(models.CharField(max_length=32), default=list, db_default=[], blank=True)
    notification_mails_off = ArrayField(
        models.CharField(max_length=32), default=list, db_default=[], blank=True
    )
    # A change of address asked for and not yet confirmed (accounts.services.email_change): the address
    # becomes `email` only when the link mailed to it is followed. Null when none is pending.
    pending_email = models.EmailField(max_length=254, null=True, blank=True, editable=False)
    pending_email_requested_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_at = created_at()
    updated_at = updated_at()

    objects = UserManager()

    USERNAME_FIELD = "username"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["email"]

    class Meta:
        db_table = "users"
        ordering = ["username"]
        constraints = [
            models.UniqueConstraint(
                Lower("email"),
                name="users_email_ci_unique",
                violation_error_message="A user with that email address already exists.",
            ),
            models.UniqueConstraint(
                Lower("username"),
                name="users_username_ci_unique",
                violation_error_message="A user with that username already exists.",
            ),
            check_in("status", UserStatus.choices, "users_status_valid"),
            check_non_negative("credit_balance", "users_credit_balance_non_negative"),
            models.CheckConstraint(
                condition=models.Q(notifications_off__contained_by=NotificationKind.values),
                name="users_notifications_off_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(notification_mails_off__contained_by=NotificationKind.values),
                name="users_notification_mails_off_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(pending_email__isnull=True, pending_email_requested_at__isnull=True)
                | models.Q(pending_email__isnull=False, pending_email_requested_at__isnull=False),
                name="users_pending_email_with_time",
                violation_error_message="A pending address change has both its address and its time.",
            ),
        ]

    def _get_session_auth_hash(self, secret=None):
        """Django's hash of the password, with the session epoch mixed in once a suspension moved it (an
        account never suspended keeps Django's hash, so its sessions survive this code's deploy)."""
        password_hash = super()._get_session_auth_hash(secret=secret)
        if not self.session_epoch:
            return password_hash
        return salted_hmac(
            "accounts.User.session_epoch",
            f"{password_hash}:{self.session_epoch}",
            secret=secret,
            algorithm="sha256",
        ).hexdigest()

    def __str__(self) -> str:
        return self.username

    @property
    def date_joined(self):
        return self.created_at

    @property
    def is_verified(self) -> bool:
        """May review, vote and use the playground."""
        return self.status == UserStatus.ACTIVE and self.email_verified

    @property
    def display_name(self) -> str:
        full = f"{self.first_name} {self.last_name}".strip()
        return full or self.username

    def get_full_name(self) -> str:
        return self.display_name

    def get_short_name(self) -> str:
        return self.first_name or self.username


class DeveloperStatus(models.TextChoices):
    ACTIVE = "active", "Active"
    INACTIVE = "inactive", "Inactive"
    SUSPENDED = "suspended", "Suspended"
    PENDING_APPROVAL = "pending_approval", "Pending approval"


class DeveloperQuerySet(models.QuerySet):
    def active(self):
        """Developers whose models may be served and shown (Developer.serves)."""
        return self.filter(status=DeveloperStatus.ACTIVE, user__status=UserStatus.ACTIVE)


class Developer(models.Model):
    developer_id = uuid_pk()
    user = models.OneToOneField(User, on_delete=models.CASCADE, db_column="user_id", related_name="developer")
    username = models.CharField(
        max_length=150,
        unique=True,
        validators=[UnicodeUsernameValidator()],
        error_messages={"unique": "A developer with that public username already exists."},
    )
    email = models.EmailField(
        max_length=254,
        unique=True,
        error_messages={"unique": "A developer with that business email already exists."},
    )
    first_name = models.CharField(max_length=150, blank=True, db_default="")
    last_name = models.CharField(max_length=150, blank=True, db_default="")
    company_name = models.CharField(max_length=200, blank=True, db_default="")
    website_url = models.URLField(max_length=500, blank=True, db_default="")
    github_profile = models.URLField(max_length=500, blank=True, db_default="")
    expertise_areas = ArrayField(
        models.CharField(max_length=50), default=list, db_default=[], blank=True, size=20
    )
    years_experience = models.PositiveSmallIntegerField(default=0, db_default=0)
    api_quota = models.PositiveIntegerField(
        default=10_000, db_default=10_000, help_text="Calls per calendar month (UTC) across all models."
    )
    total_models_created = counter()
    status = models.CharField(
        max_length=32,
        choices=DeveloperStatus,
        default=DeveloperStatus.PENDING_APPROVAL,
        db_default=DeveloperStatus.PENDING_APPROVAL,
    )
    created_at = created_at()
    updated_at = updated_at()

    objects = DeveloperQuerySet.as_manager()

    class Meta:
        db_table = "developers"
        ordering = ["username"]
        constraints = [
            check_in("status", DeveloperStatus.choices, "developers_status_valid"),
            models.CheckConstraint(
                condition=models.Q(years_experience__gte=0, years_experience__lte=80),
                name="developers_years_experience_range",
                violation_error_message="Years of experience must be between 0 and 80.",
            ),
            check_non_negative("api_quota", "developers_api_quota_non_negative"),
            check_non_negative("total_models_created", "developers_total_models_non_negative"),
        ]

    def __str__(self) -> str:
        return self.username

    @property
    def is_active(self) -> bool:
        return self.status == DeveloperStatus.ACTIVE

    @property
    def serves(self) -> bool:
        """The developer is active and so is the account behind it: Developer.objects.active() holds this
        row, and only such a developer's models are served and listed."""
        return self.status == DeveloperStatus.ACTIVE and self.user.status == UserStatus.ACTIVE

    @property
    def display_name(self) -> str:
        return self.company_name or f"{self.first_name} {self.last_name}".strip() or self.username


class LimitPeriod(models.TextChoices):
    DAY = "day", "per day"
    WEEK = "week", "per week"
    MONTH = "month", "per month"
    NONE = "none", "in all"


class UserApiKeyQuerySet(models.QuerySet):
    def active(self):
        return self.filter(revoked_at__isnull=True)


class UserApiKey(models.Model):
    key_id = uuid_pk()
    user = models.ForeignKey(User, on_delete=models.CASCADE, db_column="user_id", related_name="api_keys")
    name = models.CharField(max_length=100)
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    key_prefix = models.CharField(max_length=24, editable=False)
    created_at = created_at()
    last_used_at = models.DateTimeField(null=True, blank=True, editable=False)
    revoked_at = models.DateTimeField(null=True, blank=True)
    spend_limit = models.DecimalField(
        max_digits=12,
        decimal_places=4,
        null=True,
        blank=True,
        help_text="Credits the key may spend per period; empty for no limit.",
    )
    limit_period = models.CharField(
        max_length=8, choices=LimitPeriod, default=LimitPeriod.NONE, db_default=LimitPeriod.NONE
    )
    expires_at = models.DateTimeField(null=True, blank=True)

    objects = UserApiKeyQuerySet.as_manager()

    class Meta:
        db_table = "user_api_keys"
        verbose_name = "user API key"
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(key_hash__regex=r"^[0-9a-f]{64}$"), name="user_api_keys_hash_hex"
            ),
            models.CheckConstraint(
                condition=models.Q(spend_limit__isnull=True) | models.Q(spend_limit__gt=0),
                name="user_api_keys_spend_limit_positive",
            ),
            check_in("limit_period", LimitPeriod.choices, "user_api_keys_limit_period_valid"),
        ]
        indexes = [models.Index(fields=["user", "-created_at"], name="user_api_keys_user_idx")]

    def __str__(self) -> str:
        return f"{self.name} ({self.key_prefix}…)"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None

    def revoke(self) -> None:
        self.revoked_at = timezone.now()


class CreditKind(models.TextChoices):
    GRANT = "grant", "Grant"
    TOP_UP = "top_up", "Top-up"
    RESERVATION = "reservation", "Reservation"
    CHARGE = "charge", "Charge"
    RELEASE = "release", "Release"
    ADJUSTMENT = "adjustment", "Adjustment"


# The sign each kind of entry must have: credits come in by grants, top-ups and releases, and go out by
# reservations and charges; staff adjustments go either way.
CREDIT_SIGNS = {
    CreditKind.GRANT: "positive",
    CreditKind.TOP_UP: "positive",
    CreditKind.RELEASE: "positive",
    CreditKind.RESERVATION: "negative",
    CreditKind.CHARGE: "negative",
    CreditKind.ADJUSTMENT: "nonzero",
}


class CreditLedgerEntry(models.Model):
    """One movement of a user's credits. Append-only: the database refuses updates, and deletes except of a
    deleted user's entries; every insert moves users.credit_balance by `amount` (credit_ledger_apply), and
    users_credit_balance_non_negative refuses the insert that would take the balance below zero.

    A user's call of a priced model reserves its price before it is forwarded (a negative reservation);
    when the call is recorded the reservation is released (positive) and, when the upstream answered, the
    price is charged (negative), all three naming the call's history entry. A hold whose call was never
    recorded (a process killed mid-call) is released by `manage.py release_stale_holds` once it is older
    than CREDIT_HOLD_MAX_SECONDS (credit_release_stale in SQL). history_id and model_id are
    plain values, not foreign keys: the entry outlives the history row and the model it names.
    created_by_id is the staff member who granted or adjusted, kept as a plain value for the same reason.
    """

    entry_id = uuid_pk()
    # DO_NOTHING in Django: the database's cascade deletes a deleted user's entries after the user's row,
    # which is when credit_ledger_append_only lets them go (Django's own cascade would delete them first).
    user = models.ForeignKey(
        User, on_delete=models.DO_NOTHING, db_column="user_id", related_name="credit_entries", db_index=False
    )
    amount = models.DecimalField(max_digits=12, decimal_places=4)
    kind = models.CharField(max_length=16, choices=CreditKind)
    history_id = models.UUIDField(null=True, blank=True, editable=False)
    model_id = models.UUIDField(null=True, blank=True, editable=False)
    note = models.TextField(blank=True, db_default="")
    created_by_id = models.UUIDField(null=True, blank=True, editable=False)
    created_at = created_at()

    class Meta:
        db_table = "credit_ledger"
        verbose_name = "credit ledger entry"
        verbose_name_plural = "credit ledger"
        ordering = ["-created_at"]
        constraints = [
            check_in("kind", CreditKind.choices, "credit_ledger_kind_valid"),
            models.CheckConstraint(
                condition=(
                    models.Q(kind__in=["grant", "top_up", "release"], amount__gt=0)
                    | models.Q(kind__in=["reservation", "charge"], amount__lt=0)
                    | (models.Q(kind="adjustment") & ~models.Q(amount=0))
                ),
                name="credit_ledger_amount_sign",
            ),
            # A call is reserved, released and charged at most once each, whoever settles it (the gateway
            # or credit_release_stale): ON CONFLICT on this index makes either the second to come a no-op.
            models.UniqueConstraint(
                fields=["history_id", "kind"],
                condition=models.Q(history_id__isnull=False),
                name="credit_ledger_once_per_call",
            ),
        ]
        indexes = [
            models.Index(fields=["user", "-created_at"], name="credit_ledger_user_idx"),
            models.Index(
                fields=["created_at"],
                name="credit_ledger_reservation_idx",
                condition=models.Q(kind="reservation"),
            ),
            models.Index(
                fields=["model_id", "created_at"],
                name="credit_ledger_model_charge_idx",
                condition=models.Q(kind="charge"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.amount:+} for {self.user_id}"


class ApiKeySpend(models.Model):
    """Credits a personal key with a spending limit has spent in one period (its limit_period, from
    period_start UTC): the key limit's counter. The gateway adds a call's price with one conditional upsert
    (spent + price <= spend_limit) and takes it back when the call is released unanswered."""

    id = uuid_pk()
    api_key = models.ForeignKey(
        UserApiKey, on_delete=models.CASCADE, db_column="key_id", related_name="spend", db_index=False
    )
    period_start = models.DateTimeField()
    spent = models.DecimalField(max_digits=12, decimal_places=4, default=0, db_default=0)

    class Meta:
        db_table = "api_key_spend"
        verbose_name_plural = "API key spend"
        constraints = [
            models.UniqueConstraint(fields=["api_key", "period_start"], name="api_key_spend_unique"),
            check_non_negative("spent", "api_key_spend_spent_non_negative"),
        ]


class UserSession(models.Model):
    """Which sessions a user holds, so they can be deleted when the account is suspended: the session
    store has no index by user. Kept by the user_logged_in and user_logged_out signals (accounts.signals);
    a session it misses (one whose key cycled without a sign-in) still dies by the session epoch."""

    session_key = models.CharField(max_length=40, primary_key=True)
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+")
    created_at = created_at()

    class Meta:
        db_table = "user_sessions"


class SentMail(models.Model):
    """A mail the task queue has sent, by the key its sender gave it: the task that sends a mail inserts this
    row in the transaction that sends it, so a repeat of the task (a redelivered message) finds the row and
    sends nothing (accounts/tasks.py). Kept a week (`prune_sent_mails`), far past any redelivery."""

    mail_id = models.UUIDField(primary_key=True, db_default=RandomUUID(), editable=False)
    template = models.CharField(max_length=100)
    created_at = created_at()

    class Meta:
        db_table = "sent_mails"
        indexes = [models.Index(fields=["created_at"], name="sent_mails_created_at_idx")]

    def __str__(self) -> str:
        return f"{self.template} {self.mail_id}"


class Notification(models.Model):
    """One message of a user's inbox (/me/notifications/), written by accounts.notifications.notify. The
    payload holds what the message says as it was when it was sent: at least `title` and `url`, then what
    its kind adds (the model's api_name, the review's id, a sunset date)."""

    notification_id = uuid_pk()
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="notifications")
    kind = models.CharField(max_length=32, choices=NotificationKind)
    payload = models.JSONField(default=dict, db_default={})
    read_at = models.DateTimeField(null=True, blank=True)
    created_at = created_at()

    class Meta:
        db_table = "notifications"
        ordering = ["-created_at", "-notification_id"]
        indexes = [
            models.Index(fields=["user", "-created_at"], name="notifications_user_idx"),
            models.Index(
                fields=["user"], name="notifications_unread_idx", condition=models.Q(read_at__isnull=True)
            ),
        ]
        constraints = [
            check_in("kind", NotificationKind.choices, "notifications_kind_valid"),
            models.CheckConstraint(
                condition=models.Q(payload__has_keys=["title", "url"]), name="notifications_payload_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} for {self.user_id}"

    @property
    def title(self) -> str:
        return str(self.payload.get("title", ""))

    @property
    def url(self) -> str:
        return str(self.payload.get("url", ""))

    @property
    def is_unread(self) -> bool:
        return self.read_at is None
