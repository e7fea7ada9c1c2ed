"""Sign-in throttling helpers for django-axes."""

from accounts.models import User


def axes_username(request, credentials: dict | None) -> str:
    """The account a sign-in attempt aims at, so every spelling of it shares one failure counter.

    Sign-in accepts the username or the email address in any letter case; without this, "Alice",
    "ALICE" and "alice@example.com" would each get their own five attempts. Set as
    AXES_USERNAME_CALLABLE = "accounts.throttling.axes_username".
    """
    login = ""
    if credentials:
        login = credentials.get("username") or ""
    if not login and request is not None:
        login = request.POST.get("username", "")
    login = login.strip()
    if not login:
        return ""
    username = User.objects.by_login(login).values_list("username", flat=True).first()
    return (username or login).lower()
