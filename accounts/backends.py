from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend


class UsernameOrEmailBackend(ModelBackend):
    """Sign in with either the username or the email address, both case-insensitive.

    ModelBackend.get_user() and user_can_authenticate() read is_active, which the database derives from
    status: an inactive or suspended user can neither sign in nor keep a session.
    """

    def authenticate(self, request, username=None, password=None, **kwargs):
        User = get_user_model()
        if username is None:
            username = kwargs.get(User.USERNAME_FIELD)
        if not username or password is None:
            return None
        user = User._default_manager.by_login(username).first()
        if user is None:
            User().set_password(password)  # same work as a real check: no timing hint that the user is absent
            return None
        if user.check_password(password) and self.user_can_authenticate(user):
            return user
        return None

    def get_user(self, user_id):
        """The session's user with their developer profile, or None: every page's header asks whether the
        user is a developer, and the dashboard reads the profile, so it comes in the same query (a user
        with no profile gets None cached, and asking costs no query either)."""
        User = get_user_model()
        try:
            user = User._default_manager.select_related("developer").get(pk=user_id)
        except User.DoesNotExist:
            return None
        return user if self.user_can_authenticate(user) else None
