"""The inbox's filter and the notification settings (/me/notifications/settings/)."""

from django import forms

from accounts.models import NotificationKind, User

UNKNOWN_KIND = "“%(value)s” is not a kind of notification. Choose among the kinds listed."


class InboxFilterForm(forms.Form):
    kind = forms.ChoiceField(
        label="Kind",
        required=False,
        choices=[("", "All notifications"), *NotificationKind.choices],
        error_messages={"invalid_choice": UNKNOWN_KIND},
    )


class NotificationPreferencesForm(forms.Form):
    """Which kinds the user keeps, on the site and by mail: a ticked box is a kind kept. What is saved is
    the opposite, the kinds switched off (users.notifications_off, users.notification_mails_off), so a kind
    added later reaches everyone until they switch it off."""

    site = forms.MultipleChoiceField(
        choices=NotificationKind.choices,
        required=False,
        error_messages={"invalid_choice": UNKNOWN_KIND},
    )
    mail = forms.MultipleChoiceField(
        choices=NotificationKind.choices,
        required=False,
        error_messages={"invalid_choice": UNKNOWN_KIND},
    )

    @classmethod
    def for_user(cls, user: User, data=None) -> "NotificationPreferencesForm":
        initial = {
            "site": [kind for kind in NotificationKind.values if kind not in user.notifications_off],
            "mail": [kind for kind in NotificationKind.values if kind not in user.notification_mails_off],
        }
        return cls(data, initial=initial)

    def switched_off(self) -> dict[str, list[str]]:
        """The kinds whose box was left empty, as accounts.notifications.preferences_set takes them."""
        return {
            "off": [kind for kind in NotificationKind.values if kind not in self.cleaned_data["site"]],
            "mails_off": [kind for kind in NotificationKind.values if kind not in self.cleaned_data["mail"]],
        }

    def rows(self) -> list[dict]:
        """One row per kind for the settings table: its name and whether each box is ticked (the posted
        values when the form was sent back with an error, the saved ones otherwise)."""
        if self.is_bound:
            site, mail = self.data.getlist("site"), self.data.getlist("mail")
        else:
            site, mail = self.initial["site"], self.initial["mail"]
        return [
            {"value": value, "label": label, "site": value in site, "mail": value in mail}
            for value, label in NotificationKind.choices
        ]
