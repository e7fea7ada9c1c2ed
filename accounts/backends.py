from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.hashers import check_password

from accounts.notifications import with_unread_count


class UsernameOrEmailBackend(ModelBackend):
    """Sign in with either the username or the email address, both case-insensitive.

    ModelBackend.get_user() and user_can_authenticate() read is_active, which the database derives from
    status: an inactive or suspended user can neither sign in nor keep a session.
    """

    def authenticate(self, request, username=None, password=None, **kwargs):
        """Every failed sign-in hashes the password exactly once, whatever the account's state, so the
        answer's timing does not tell whether an account exists or is suspended. A blocked account (suspended,
        inactive) whose password is right is noted on the request for the sign-in form to explain, from
        this one check (accounts.forms.SignInForm)."""
        User = get_user_model()
        if username is None:
            username = kwargs.get(User.USERNAME_FIELD)
        if not username or password is None:
            return None
        user = User._default_manager.by_login(username).first()
        if user is None:
            User().set_password(password)  # same work as a real check: no timing hint that the user is absent
            return None
        if not self.user_can_authenticate(user):
            # hashers.check_password, not user.check_password: a blocked account's stored hash is not
            # upgraded (which would hash a second time and save).
            if check_password(password, user.password) and request is not None:
                request.blocked_account_status = user.status
            return None
        if user.check_password(password):
            return user
        return None

    def get_user(self, user_id):
        """The session's user with their developer profile and unread count, or None: every page's header
        asks whether the user is a developer and shows the inbox's badge, and the dashboard reads the
        profile, so they come in the same query (a user with no profile gets None cached, and asking costs
        no query either)."""
        User = get_user_model()
        try:
            user = with_unread_count(User._default_manager.select_related("developer")).get(pk=user_id)
        except User.DoesNotExist:
            return None
        return user if self.user_can_authenticate(user) else None
