"""Accounts: the published sign-ins, the studios' developer accounts, and the marketplace's people."""

from datetime import timedelta

from django.db.models.functions import Lower

from accounts import keys
from accounts.models import Developer, User, UserApiKey, UserStatus
from accounts.services.credits import welcome_grant
from demo.data.developers import DEVELOPERS
from demo.data.people import PEOPLE, SIGN_INS
from demo.seeding.state import BATCH, Seeding

PASSWORDS = {sign_in.username: sign_in.password for sign_in in SIGN_INS}


def ensure_user(seeding: Seeding, username: str, *, password: str | None = None, **fields) -> User:
    user = User.objects.filter(username__iexact=username).first()
    if user is None:
        user = User(username=username, **fields)
        if password:
            user.set_password(password)
        else:
            user.password = seeding.unusable_password
        user.save()
        if user.email_verified:
            welcome_grant(user=user)  # as verifying the address gives a new user
        seeding.created.users += 1
    return user


def ensure_sign_ins(seeding: Seeding) -> User:
    """The staff and user sign-ins (demo-dev comes with its studio); returns demo-user."""
    ensure_user(
        seeding,
        "admin",
        password=PASSWORDS["admin"],
        email="admin@example.com",
        first_name="Avery",
        last_name="Admin",
        status=UserStatus.ACTIVE,
        email_verified=True,
        is_staff=True,
        is_superuser=True,
        created_at=seeding.days_ago(400),
    )
    return ensure_user(
        seeding,
        "demo-user",
        password=PASSWORDS["demo-user"],
        email="demo-user@example.com",
        first_name="Jordan",
        last_name="Lee",
        country="Ireland",
        city="Dublin",
        bio="Product manager trying out models for our support team.",
        status=UserStatus.ACTIVE,
        email_verified=True,
        created_at=seeding.days_ago(150),
    )


def ensure_developers(seeding: Seeding) -> dict[str, Developer]:
    rng = seeding.rng
    developers = {
        d.username: d for d in Developer.objects.filter(username__in=[spec.username for spec in DEVELOPERS])
    }
    for spec in DEVELOPERS:
        if spec.username in developers:
            continue
        domain = f"{spec.username}.example.com"
        user = ensure_user(
            seeding,
            spec.username,
            password=PASSWORDS.get(spec.username),
            email=f"{spec.first_name.lower()}@{domain}",
            first_name=spec.first_name,
            last_name=spec.last_name,
            status=UserStatus.ACTIVE,
            email_verified=True,
            created_at=seeding.days_ago(rng.randint(200, 420)),
        )
        developers[spec.username] = Developer.objects.create(
            user=user,
            username=spec.username,
            email=f"hello@{domain}",
            first_name=spec.first_name,
            last_name=spec.last_name,
            company_name=spec.company,
            website_url=f"https://{domain}/",
            github_profile=f"https://github.com/{spec.username}",
            expertise_areas=list(spec.expertise),
            years_experience=spec.years_experience,
            api_quota=spec.api_quota,
            status=spec.status,
            created_at=user.created_at + timedelta(days=rng.randint(1, 30)),
        )
        seeding.created.developers += 1
    return developers


def ensure_people(seeding: Seeding, *, demo_user: User) -> list[User]:
    """The forty people of the marketplace, and personal API keys for a third of the active ones."""
    usernames = [f"{person.first_name}.{person.last_name}".lower() for person in PEOPLE]
    existing = set(
        User.objects.annotate(name=Lower("username"))
        .filter(name__in=usernames)
        .values_list("name", flat=True)
    )
    new = [
        User(
            username=username,
            email=f"{username}@example.net",
            password=seeding.unusable_password,
            first_name=person.first_name,
            last_name=person.last_name,
            country=person.country,
            city=person.city,
            status=person.status,
            email_verified=person.email_verified,
            created_at=seeding.days_ago(seeding.rng.randint(91, 420)),
        )
        for username, person in zip(usernames, PEOPLE, strict=True)
        if username not in existing
    ]
    User.objects.bulk_create(new, batch_size=BATCH)
    seeding.created.users += len(new)
    keys_for = [user for user in new if user.status == UserStatus.ACTIVE][::3]
    if not demo_user.api_keys.exists():
        keys_for.append(demo_user)
    UserApiKey.objects.bulk_create([personal_key(seeding, user) for user in keys_for])
    return list(
        User.objects.annotate(name=Lower("username")).filter(name__in=usernames).prefetch_related("api_keys")
    )


def personal_key(seeding: Seeding, user: User) -> UserApiKey:
    key = keys.generate_personal_key()
    return UserApiKey(
        user=user,
        name=seeding.rng.choice(["laptop", "ci", "notebook", "staging"]),
        key_hash=keys.hash_key(key),
        key_prefix=keys.display_prefix(key),
        created_at=seeding.days_ago(seeding.rng.randint(60, 90)),
    )
