"""The shapes of the demo data: one frozen record per developer, model, person, sign-in and review."""

from dataclasses import dataclass
from decimal import Decimal


@dataclass(frozen=True, kw_only=True)
class DemoSignIn:
    """A demo account whose password is published (printed by seed_demo, listed in the README)."""

    role: str
    username: str
    password: str


@dataclass(frozen=True, kw_only=True)
class DemoDeveloper:
    """A studio: its developer account and the person who signs in for it."""

    username: str
    company: str
    first_name: str
    last_name: str
    status: str
    api_quota: int
    years_experience: int
    expertise: tuple[str, ...]


@dataclass(frozen=True, kw_only=True)
class DemoModel:
    """A model listing of a demo developer (named by its username)."""

    developer: str
    api_name: str
    display_name: str
    category: str
    tags: tuple[str, ...]
    price: Decimal
    status: str
    is_public: bool
    description: str
    # A deprecation with notice: the sunset this many days after the seeding, the replacement's api_name.
    sunset_days: int | None = None
    replacement: str | None = None
    deprecation_note: str = ""


@dataclass(frozen=True, kw_only=True)
class DemoPerson:
    """A marketplace user; the username is `first.last` in lower case."""

    first_name: str
    last_name: str
    country: str
    city: str
    status: str = "active"
    email_verified: bool = True


@dataclass(frozen=True, kw_only=True)
class DemoReview:
    """A review's title and text; `{name}` becomes the model's display name and `{use}` a use case."""

    title: str
    text: str
