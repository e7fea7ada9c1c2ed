import uuid

from django import forms
from django.conf import settings
from django.contrib.auth import forms as auth_forms
from django.contrib.auth.forms import AuthenticationForm, SetPasswordMixin, UsernameField
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.core.validators import RegexValidator
from django.utils.html import format_html
from django.utils.safestring import SafeString

from accounts.mail import mail_send_now
from accounts.models import User, UserStatus

MAX_PICTURE_BYTES = 2 * 1024 * 1024
# Pillow's name for each accepted format, and the extension the stored file gets.
PICTURE_FORMATS = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp", "GIF": "gif"}

BLOCKED_MESSAGES = {
    UserStatus.SUSPENDED: "This account is suspended. Contact support at {link} if you think this is a mistake.",
    UserStatus.INACTIVE: "This account is suspended (inactive). Contact support at {link} to reactivate it.",
}


def blocked_message(status: str) -> SafeString:
    """The sign-in form's word for a blocked account, with a mailto link to settings.SUPPORT_EMAIL."""
    text = BLOCKED_MESSAGES.get(status, BLOCKED_MESSAGES[UserStatus.SUSPENDED])
    link = format_html('<a href="mailto:{0}">{0}</a>', settings.SUPPORT_EMAIL)
    return format_html(text, link=link)


class SignUpForm(SetPasswordMixin, forms.ModelForm):
    password1, password2 = SetPasswordMixin.create_password_fields()

    class Meta:
        model = User
        fields = ("username", "email")
        field_classes = {"username": UsernameField}
        widgets = {"email": forms.EmailInput(attrs={"autocomplete": "email"})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["username"].widget.attrs.update({"autofocus": True, "autocomplete": "username"})
        self.fields["username"].help_text = "Up to 150 letters, digits and . + - _ characters."
        self.fields["email"].help_text = "We send a link to this address to confirm it."

    def clean_username(self):
        username = self.cleaned_data["username"]
        if "@" in username:
            raise ValidationError(
                "A username cannot contain @; sign-in tells usernames and emails apart by it."
            )
        if User.objects.filter(username__iexact=username).exists():
            raise ValidationError("A user with that username already exists.", code="unique")
        return username

    def clean_email(self):
        email = User.objects.normalize_email(self.cleaned_data["email"])
        if User.objects.filter(email__iexact=email).exists():
            raise ValidationError("A user with that email address already exists.", code="unique")
        return email

    def clean(self):
        self.validate_passwords()
        return super().clean()

    def _post_clean(self):
        super()._post_clean()
        # Checked against the instance, so a password too close to the username or email is refused.
        self.validate_password_for_user(self.instance, password_field_name="password1")


class SignInForm(AuthenticationForm):
    username = UsernameField(
        label="Username or email",
        max_length=254,
        widget=forms.TextInput(attrs={"autofocus": True, "autocomplete": "username"}),
    )
    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": "That username or email and password do not match an account. "
        "The password is case-sensitive.",
    }

    def clean(self):
        try:
            return super().clean()
        except ValidationError:
            self._explain_blocked_account()
            raise

    def _explain_blocked_account(self) -> None:
        """Say that an account is suspended, but only to someone who knows its password. The backend's one
        password check found that out (accounts.backends): checking again here would make a blocked
        account's failed sign-in twice as slow as any other, and so tell its state by timing."""
        if getattr(self.request, "axes_locked_out", False):
            return
        status = getattr(self.request, "blocked_account_status", None)
        if status is None:
            return
        raise ValidationError(blocked_message(status), code="inactive")


class ProfileForm(forms.ModelForm):
    phone_number = forms.CharField(
        label="Phone number",
        required=False,
        max_length=32,
        validators=[
            RegexValidator(
                r"^\+?[0-9 ().-]{4,31}$",
                "Enter a phone number with digits, spaces, brackets, dots or dashes, optionally starting with +.",
            )
        ],
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"}),
    )
    bio = forms.CharField(
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text="Up to 2,000 characters.",
    )
    profile_picture = forms.ImageField(
        label="Profile picture",
        required=False,
        help_text="JPEG, PNG, WebP or GIF, up to 2 MB.",
        widget=forms.FileInput(attrs={"accept": "image/jpeg,image/png,image/webp,image/gif"}),
    )
    remove_picture = forms.BooleanField(label="Remove the current picture", required=False)

    class Meta:
        model = User
        fields = ("first_name", "last_name", "phone_number", "country", "city", "bio", "profile_picture")
        widgets = {
            "first_name": forms.TextInput(attrs={"autocomplete": "given-name"}),
            "last_name": forms.TextInput(attrs={"autocomplete": "family-name"}),
            "country": forms.TextInput(attrs={"autocomplete": "country-name"}),
            "city": forms.TextInput(attrs={"autocomplete": "address-level2"}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.instance.profile_picture:
            del self.fields["remove_picture"]

    def clean(self):
        cleaned = super().clean()
        upload = cleaned.get("profile_picture")
        if cleaned.get("remove_picture") and not isinstance(upload, UploadedFile):
            # False tells the model field to clear the picture; None or the stored file keep it.
            cleaned["profile_picture"] = False
        return cleaned

    def clean_profile_picture(self):
        picture = self.cleaned_data.get("profile_picture")
        # Without a new upload this is the picture already stored: only new uploads are checked.
        if not isinstance(picture, UploadedFile):
            return picture
        if picture.size > MAX_PICTURE_BYTES:
            raise ValidationError(
                "The picture is %(size).1f MB; the limit is 2 MB.",
                params={"size": picture.size / 1024 / 1024},
            )
        image_format = (picture.image.format or "").upper()
        if image_format not in PICTURE_FORMATS:
            raise ValidationError("Upload a JPEG, PNG, WebP or GIF picture.", code="invalid_image")
        # A fresh name with the extension of the real content: nothing the uploader named is kept.
        picture.name = f"{uuid.uuid4().hex}.{PICTURE_FORMATS[image_format]}"
        return picture


class PasswordConfirmForm(forms.Form):
    password = forms.CharField(
        label="Your password",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )

    def __init__(self, *args, user: User, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_password(self):
        password = self.cleaned_data["password"]
        if not self.user.check_password(password):
            raise ValidationError("That is not your password.", code="password_incorrect")
        return password


class PasswordResetForm(auth_forms.PasswordResetForm):
    """Django's reset form, its mail sent by the task queue (accounts.mail) rather than in the request; the
    templates are emails/password_reset*. Unknown addresses get no mail and the same page, as before."""

    def send_mail(self, subject_template_name, email_template_name, context, from_email, to_email, **kwargs):
        user = context["user"]
        mail_send_now(
            to=to_email,
            template="password_reset",
            context={
                "user": {"username": user.get_username()},
                **{
                    name: context[name]
                    for name in ("email", "domain", "site_name", "uid", "token", "protocol")
                },
            },
        )


class EmailChangeForm(forms.Form):
    """A new address and the current password (someone at an unlocked screen cannot move the account to
    their own address)."""

    email = forms.EmailField(
        label="New email address",
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
        help_text="We send a link to this address; your address changes when you follow it.",
    )
    password = forms.CharField(
        label="Your current password",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )

    def __init__(self, *args, user: User, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_email(self):
        email = User.objects.normalize_email(self.cleaned_data["email"].strip())
        if email.lower() == self.user.email.lower():
            raise ValidationError("That is already your address.", code="same")
        if User.objects.filter(email__iexact=email).exclude(pk=self.user.pk).exists():
            raise ValidationError("A user with that email address already exists.", code="unique")
        return email

    def clean_password(self):
        password = self.cleaned_data["password"]
        if not self.user.check_password(password):
            raise ValidationError("That is not your password.", code="password_incorrect")
        return password
