"""Guards over every page of the site.

Every named URL of the site's namespaces is listed in ROUTES with the persona that uses it, and each one
answers that persona as expected. Every HTML page it renders has one <h1>, a <main>, a <title>, `lang` on
<html>, a label for every input, alt text on every image, unique ids, and nothing the Content-Security-
Policy (script-src 'self'; style-src 'self') would block: no inline <script>, no <style>, no on*=
handlers, no style= attributes. A new named URL fails the coverage test until it is added here.
"""

import json
import re
from dataclasses import dataclass, field
from datetime import timedelta
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.contrib.auth.tokens import default_token_generator
from django.urls import URLResolver, get_resolver, reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from accounts.models import DeveloperStatus
from accounts.tests.factories import DeveloperFactory, NotificationFactory, UserApiKeyFactory
from accounts.tokens import make_email_verification_token
from activity.tests.factories import ApiUsageLogFactory, UserHistoryFactory
from catalog.models import ModelStatus
from catalog.tests.factories import AIModelFactory
from favourites.tests.factories import CollectionFactory, CollectionModelFactory, ModelLikeFactory
from reviews.tests.factories import ModelReviewFactory, ReviewReplyFactory

TEMPLATES_DIR = Path(__file__).resolve().parent.parent / "templates"
SITE_NAMESPACES = {
    "catalog",
    "reviews",
    "accounts",
    "me",
    "history",
    "spending",
    "keys",
    "apply",
    "dashboard",
    "playground",
    "theme",
    "favourites",
    "docs",
}
LABEL_EXEMPT_INPUTS = {"hidden", "submit", "button", "reset", "image"}
SCRIPT_OK_TYPES = {"application/json", "application/ld+json"}


# --- The HTML audit --------------------------------------------------------------------------------------
class PageAudit(HTMLParser):
    """Collects what the guards check, from the parsed document rather than by pattern matching."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.h1_count = 0
        self.main_count = 0
        self.html_lang: str | None = None
        self.title_parts: list[str] = []
        self.titles = 0
        self.ids: list[str] = []
        self.label_targets: set[str] = set()
        self.controls: list[dict[str, Any]] = []
        self.images_without_alt: list[str] = []
        self.inline_scripts = 0
        self.style_elements = 0
        self.style_attributes: list[str] = []
        self.handler_attributes: list[str] = []
        self._open_labels = 0
        self._in_title = False
        self._svg_depth = 0

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if attributes.get("id"):
            self.ids.append(attributes["id"])
        for name, _value in attrs:
            if name == "style":
                self.style_attributes.append(tag)
            elif name.startswith("on"):
                self.handler_attributes.append(f"<{tag} {name}>")
        if tag == "html":
            self.html_lang = attributes.get("lang")
        elif tag == "h1":
            self.h1_count += 1
        elif tag == "main":
            self.main_count += 1
        elif tag == "title" and not self._in_svg():
            self.titles += 1
            self._in_title = True
        elif tag == "label":
            self._open_labels += 1
            if attributes.get("for"):
                self.label_targets.add(attributes["for"])
        elif tag == "img" and not (attributes.get("alt") is not None):
            self.images_without_alt.append(attributes.get("src") or "?")
        elif tag == "script":
            if not attributes.get("src") and attributes.get("type") not in SCRIPT_OK_TYPES:
                self.inline_scripts += 1
        elif tag == "style":
            self.style_elements += 1
        elif tag in {"input", "select", "textarea"}:
            kind = (attributes.get("type") or "text").lower() if tag == "input" else tag
            if kind not in LABEL_EXEMPT_INPUTS:
                self.controls.append(
                    {
                        "tag": tag,
                        "name": attributes.get("name"),
                        "id": attributes.get("id"),
                        "aria": bool(attributes.get("aria-label") or attributes.get("aria-labelledby")),
                        "wrapped": self._open_labels > 0,
                    }
                )
        if tag == "svg":
            self._svg_depth += 1

    def handle_endtag(self, tag):
        if tag == "label" and self._open_labels:
            self._open_labels -= 1
        elif tag == "title":
            self._in_title = False
        elif tag == "svg":
            self._svg_depth = max(self._svg_depth - 1, 0)

    def handle_data(self, data):
        if self._in_title:
            self.title_parts.append(data)

    def _in_svg(self) -> bool:
        return self._svg_depth > 0

    # -- verdicts --
    def csp_problems(self) -> list[str]:
        problems = []
        if self.inline_scripts:
            problems.append(f"{self.inline_scripts} inline <script> element(s)")
        if self.style_elements:
            problems.append(f"{self.style_elements} <style> element(s)")
        if self.style_attributes:
            problems.append(f"style= attributes on {sorted(set(self.style_attributes))}")
        if self.handler_attributes:
            problems.append(f"inline event handlers {sorted(set(self.handler_attributes))}")
        return problems

    def fragment_problems(self) -> list[str]:
        problems = self.csp_problems()
        for control in self.controls:
            labelled = control["aria"] or control["wrapped"] or (control["id"] in self.label_targets)
            if not labelled:
                problems.append(f"<{control['tag']} name={control['name']!r}> has no label")
        problems += [f"<img src={src!r}> has no alt" for src in self.images_without_alt]
        duplicates = sorted({i for i in self.ids if self.ids.count(i) > 1})
        if duplicates:
            problems.append(f"duplicate ids {duplicates}")
        dangling = sorted(self.label_targets - set(self.ids))
        if dangling:
            problems.append(f"<label for> pointing at no element: {dangling}")
        return problems

    def page_problems(self) -> list[str]:
        problems = self.fragment_problems()
        if self.h1_count != 1:
            problems.append(f"{self.h1_count} <h1> elements, not exactly one")
        if self.main_count != 1:
            problems.append(f"{self.main_count} <main> elements, not exactly one")
        if self.titles != 1 or not "".join(self.title_parts).strip():
            problems.append("no (or no single, non-empty) <title>")
        if not self.html_lang:
            problems.append("<html> has no lang")
        return problems


def audit(html: str) -> PageAudit:
    parser = PageAudit()
    parser.feed(html)
    parser.close()
    return parser


# --- The world the pages are rendered in ----------------------------------------------------------------
@dataclass
class World:
    personas: dict[str, Any]
    objects: dict[str, Any] = field(default_factory=dict)


@pytest.fixture
def world(alice, bob, pat, dana, eve, staff, model):
    """Rows for every URL kwarg: dana's model with bob's review (and dana's reply), alice's history and
    key, a deprecated and an unlisted model of dana's, a developer still waiting for approval."""
    # The model card in Markdown, as developers write it (the model page renders it, cards show its text).
    model.description = "## Usage\n\nSend **a text**:\n\n- one\n- two\n\n| a | b |\n|---|--:|\n| 1 | 2 |\n"
    model.save(update_fields=["description"])
    review = ModelReviewFactory(model=model, user=bob, rating=5)
    ReviewReplyFactory(review=review)
    ModelReviewFactory(model=model, user=eve.user, rating=3)
    history = UserHistoryFactory(user=alice, model=model)
    ApiUsageLogFactory(model=model, user=alice)
    ApiUsageLogFactory(model=model, developer=dana, response_code=502)
    api_key = UserApiKeyFactory(user=alice)
    deprecated = AIModelFactory(developer=dana, api_name="dana-old", status=ModelStatus.DEPRECATED)
    sunsetting = AIModelFactory(
        developer=dana,
        api_name="dana-sunsetting",
        status=ModelStatus.DEPRECATED,
        sunset_at=timezone.now() + timedelta(days=30),
        replacement=model,
        deprecation_note="Move to the newer one.",
    )
    inactive = AIModelFactory(developer=dana, api_name="dana-paused", status=ModelStatus.INACTIVE)
    unlisted = AIModelFactory(developer=dana, api_name="dana-new", status=ModelStatus.UNDER_REVIEW)
    applicant = DeveloperFactory(username="hopeful", status=DeveloperStatus.PENDING_APPROVAL)
    # alice's inbox: one unread notification about dana's model, one read.
    notification = NotificationFactory(
        user=alice, payload={"title": "Dana replied to your review", "url": f"/models/{model.api_name}/"}
    )
    NotificationFactory(user=alice, kind="model_deprecated", read_at=review.created_at)
    # favourites: alice likes dana's model and keeps it, with a note, in a public and a private collection.
    ModelLikeFactory(user=alice, model=model)
    collection = CollectionFactory(user=alice, title="Alice's picks", note="Models I use.", is_public=True)
    item = CollectionModelFactory(collection=collection, model=model, note="Short summaries.")
    private = CollectionFactory(user=alice, title="Drafts", is_public=False)
    CollectionModelFactory(collection=private, model=deprecated)
    return World(
        personas={
            "anonymous": None,
            "alice": alice,
            "bob": bob,
            "pat": pat,
            "dana": dana.user,
            "staff": staff,
            "applicant": applicant.user,
        },
        objects={
            "model": model,
            "dana": dana,
            "review": review,
            "history": history,
            "api_key": api_key,
            "deprecated": deprecated,
            "sunsetting": sunsetting,
            "inactive": inactive,
            "unlisted": unlisted,
            "alice": alice,
            "pat": pat,
            "notification": notification,
            "collection": collection,
            "item": item,
            "private": private,
        },
    )


# --- Routes: every named URL of the site, who uses it, and what it answers -------------------------------
@dataclass(frozen=True)
class Route:
    persona: str = "anonymous"
    kwargs: Any = None  # a function of World.objects
    method: str = "get"
    data: Any = None  # a function of World.objects, for POSTs
    status: int = 200
    kind: str = "page"  # page, fragment, csv, redirect
    redirect_to: str | None = None  # a path prefix the Location must start with
    headers: dict | None = None


def _model(o):
    return {"api_name": o["model"].api_name}


def _review(o):
    return {"api_name": o["model"].api_name, "review_id": o["review"].pk}


def _history(o):
    return {"history_id": o["history"].pk}


def _collection(o):
    return {"collection_id": o["collection"].pk}


def _item(o):
    return {"collection_id": o["collection"].pk, "item_id": o["item"].pk}


ROUTES: dict[str, Route] = {
    # catalog
    "catalog:home": Route(),
    "catalog:model_list": Route(),
    "catalog:model_suggest": Route(data=lambda o: {"q": "dan"}, kind="fragment"),
    "catalog:model_detail": Route("alice", _model),
    "catalog:model_overview": Route("alice", _model),
    "catalog:model_playground": Route("alice", _model),
    "catalog:model_api": Route(kwargs=_model),
    "catalog:model_reviews": Route("alice", _model),
    "catalog:model_stats": Route(kwargs=_model),
    "catalog:developer_profile": Route(kwargs=lambda o: {"username": o["dana"].username}),
    "catalog:compare": Route(data=lambda o: {"models": "dana-summarizer,dana-old"}),
    # favourites
    "favourites:like": Route(
        "bob",
        _model,
        method="post",
        data=lambda o: {"liked": "1"},
        status=302,
        kind="redirect",
        redirect_to="/models/",
    ),
    "favourites:collect": Route("alice", _model),
    "favourites:my_likes": Route("alice"),
    "favourites:collection_list": Route(),
    "favourites:collection_create": Route("alice"),
    "favourites:collection_detail": Route("bob", _collection),
    "favourites:collection_edit": Route("alice", _collection),
    "favourites:collection_delete": Route("alice", _collection),
    "favourites:item_move": Route(
        "alice",
        _item,
        method="post",
        data=lambda o: {"direction": "down"},
        status=302,
        kind="redirect",
        redirect_to="/collections/",
    ),
    "favourites:item_remove": Route(
        "alice", _item, method="post", status=302, kind="redirect", redirect_to="/collections/"
    ),
    "favourites:item_note": Route("alice", _item),
    # reviews
    "reviews:create": Route("alice", _model),
    "reviews:edit": Route("bob", _review),
    "reviews:delete": Route("bob", _review),
    "reviews:vote": Route(
        "alice", _review, method="post", status=302, kind="redirect", redirect_to="/models/"
    ),
    "reviews:reply": Route("dana", _review),
    "reviews:report": Route("alice", _review),
    # accounts
    "accounts:signup": Route(),
    "accounts:login": Route(),
    "accounts:logout": Route("alice", method="post", status=302, kind="redirect", redirect_to="/"),
    "accounts:locked_out": Route(),
    "accounts:resend_verification": Route(
        "pat", method="post", status=302, kind="redirect", redirect_to="/me/"
    ),
    "accounts:verify_email": Route(kwargs=lambda o: {"token": "not-a-real-token"}, status=400),
    "accounts:password_reset": Route(),
    "accounts:password_reset_done": Route(),
    "accounts:password_reset_confirm": Route(kwargs=lambda o: {"uidb64": "MTIz", "token": "set-password"}),
    "accounts:password_reset_complete": Route(),
    "accounts:password_change": Route("alice"),
    "accounts:password_change_done": Route("alice"),
    # me
    "me:profile": Route("alice"),
    "me:profile_edit": Route("alice"),
    "me:delete_account": Route("alice"),
    "me:notifications": Route("alice"),
    "me:notification_settings": Route("alice"),
    "me:notifications_mark_read": Route(
        "alice", method="post", status=302, kind="redirect", redirect_to="/me/notifications/"
    ),
    "me:notification_open": Route(
        "alice",
        lambda o: {"notification_id": o["notification"].pk},
        status=302,
        kind="redirect",
        redirect_to="/models/dana-summarizer/",
    ),
    # change of email address (docsacct)
    "me:email_change": Route("alice"),
    "me:email_change_cancel": Route("alice", method="post", status=302, kind="redirect", redirect_to="/me/"),
    "accounts:email_change_confirm": Route(kwargs=lambda o: {"token": "not-a-real-token"}, status=400),
    # history
    "history:list": Route("alice"),
    "history:export": Route("alice", kind="csv"),
    "history:detail": Route("alice", _history),
    "history:rate": Route(
        "alice",
        _history,
        method="post",
        data=lambda o: {"rating": "4"},
        status=302,
        kind="redirect",
        redirect_to="/me/history/",
    ),
    "history:delete": Route("alice", _history),
    # A media id the entry does not have: the 404 page (activity/tests/test_call_media.py serves real ones).
    "history:media": Route(
        "alice", lambda o: {"history_id": o["history"].pk, "media_id": o["history"].pk}, status=404
    ),
    # spending (/me/activity/)
    "spending:overview": Route("alice"),
    "spending:export": Route("alice", kind="csv"),
    # keys
    "keys:list": Route("alice"),
    "keys:create": Route("alice", method="post", data=lambda o: {"name": "ci"}),
    "keys:revoke": Route("alice", kwargs=lambda o: {"key_id": o["api_key"].pk}),
    "keys:limits": Route("alice", kwargs=lambda o: {"key_id": o["api_key"].pk}),
    # apply
    "apply:apply": Route("alice"),
    # dashboard
    "dashboard:overview": Route("dana"),
    "dashboard:models": Route("dana"),
    "dashboard:model_create": Route("dana"),
    "dashboard:api_name_check": Route("dana", kind="fragment", headers={"HX-Request": "true"}),
    "dashboard:description_preview": Route(
        "dana",
        method="post",
        data=lambda o: {"description": "## Usage\n\n- **one**\n- two"},
        kind="fragment",
        headers={"HX-Request": "true"},
    ),
    "dashboard:model_detail": Route("dana", _model),
    "dashboard:model_edit": Route("dana", _model),
    "dashboard:model_deactivate": Route(
        "dana", _model, method="post", status=302, kind="redirect", redirect_to="/dashboard/models/"
    ),
    "dashboard:model_reactivate": Route(
        "dana",
        lambda o: {"api_name": o["inactive"].api_name},
        method="post",
        status=302,
        kind="redirect",
        redirect_to="/dashboard/models/",
    ),
    "dashboard:model_deprecate": Route("dana", _model),
    "dashboard:model_undeprecate": Route(
        "dana",
        lambda o: {"api_name": o["sunsetting"].api_name},
        method="post",
        status=302,
        kind="redirect",
        redirect_to="/dashboard/models/",
    ),
    "dashboard:model_delete": Route("dana", _model),
    "dashboard:model_key_rotate": Route("dana", _model),
    "dashboard:logs": Route("dana"),
    "dashboard:logs_export": Route("dana", kind="csv"),
    "dashboard:reviews": Route("dana"),
    "dashboard:earnings": Route("dana"),
    "dashboard:earnings_export": Route("dana", kind="csv"),
    # playground
    "playground:run": Route(
        "alice",
        _model,
        method="post",
        data=lambda o: {"prompt": ""},
        status=302,
        kind="redirect",
        redirect_to="/models/dana-summarizer/",
    ),
    # theme (core/theme.py): the header's colour switch sets its cookie and goes back.
    "theme:set": Route(
        method="post",
        data=lambda o: {"theme": "dark", "next": "/models/"},
        status=302,
        kind="redirect",
        redirect_to="/models/",
    ),
    # The streamed turn (static/js/playground.js): a form error comes back as the panel, with a 400.
    "playground:stream": Route(
        "alice", _model, method="post", data=lambda o: {"prompt": ""}, status=400, kind="fragment"
    ),
    # docs (docsacct)
    "docs:index": Route(),
    "docs:quickstart": Route(),
    "docs:errors": Route(),
    "docs:limits": Route(),
    "docs:upstream": Route(),
}


# Further states of the pages above, each rendered and audited like a page of its own.
VARIANTS: dict[str, tuple[str, Route]] = {
    "model page, anonymous": ("catalog:model_detail", Route("anonymous", _model)),
    "model playground, anonymous": ("catalog:model_playground", Route("anonymous", _model)),
    "model reviews, anonymous": ("catalog:model_reviews", Route("anonymous", _model)),
    "model reviews, its developer": ("catalog:model_reviews", Route("dana", _model)),
    "model reviews, pending user": ("catalog:model_reviews", Route("pat", _model)),
    "model stats, signed in": ("catalog:model_stats", Route("alice", _model)),
    "model playground, deprecated": (
        "catalog:model_playground",
        Route("alice", lambda o: {"api_name": o["deprecated"].api_name}),
    ),
    "model page, pending user": ("catalog:model_detail", Route("pat", _model)),
    "model page, its developer": ("catalog:model_detail", Route("dana", _model)),
    "model page, staff": ("catalog:model_detail", Route("staff", _model)),
    "model page, deprecated": (
        "catalog:model_detail",
        Route("alice", lambda o: {"api_name": o["deprecated"].api_name}),
    ),
    "model page, unlisted for its developer": (
        "catalog:model_detail",
        Route("dana", lambda o: {"api_name": o["unlisted"].api_name}),
    ),
    "catalog, signed in": ("catalog:model_list", Route("alice")),
    "model form, previewed without JavaScript": (
        "dashboard:model_create",
        Route("dana", method="post", data=lambda o: {"description": "## Usage\n\n- **one**", "preview": "1"}),
    ),
    "catalog, most liked": ("catalog:model_list", Route(data=lambda o: {"sort": "likes"})),
    "compare, one model": ("catalog:compare", Route(data=lambda o: {"models": "dana-summarizer"})),
    "compare, unknown names and a search": (
        "catalog:compare",
        Route(data=lambda o: {"models": "dana-summarizer,nope,dana-new", "add": "dana"}),
    ),
    "compare, nothing chosen": ("catalog:compare", Route("alice")),
    "like button (htmx)": (
        "favourites:like",
        Route("bob", _model, method="post", kind="fragment", headers={"HX-Request": "true"}),
    ),
    "collection, its owner": ("favourites:collection_detail", Route("alice", _collection)),
    "collection, private to another user": (
        "favourites:collection_detail",
        Route("bob", lambda o: {"collection_id": o["private"].pk}, status=404),
    ),
    "collection, private to its owner": (
        "favourites:collection_detail",
        Route("alice", lambda o: {"collection_id": o["private"].pk}),
    ),
    "collections, signed in": (
        "favourites:collection_list",
        Route("alice", data=lambda o: {"sort": "models"}),
    ),
    "collection form with errors": (
        "favourites:collection_create",
        Route("pat", method="post", data=lambda o: {"title": " ", "is_public": "on"}),
    ),
    "add to collection with errors": (
        "favourites:collect",
        Route("bob", _model, method="post", data=lambda o: {"collection": "new", "new_title": ""}),
    ),
    "item note with errors": (
        "favourites:item_note",
        Route("alice", _item, method="post", data=lambda o: {"note": "x" * 600}),
    ),
    "likes, none yet": ("favourites:my_likes", Route("bob")),
    # catalog UX: the compact list, a typo's "Did you mean", the results alone for htmx
    "catalog, list view": ("catalog:model_list", Route(data=lambda o: {"view": "list"})),
    "catalog, did you mean": ("catalog:model_list", Route(data=lambda o: {"q": "sumarizer"})),
    "catalog, results for htmx": (
        "catalog:model_list",
        Route(data=lambda o: {"category": "summarization"}, kind="fragment", headers={"HX-Request": "true"}),
    ),
    "home, developer": ("catalog:home", Route("dana")),
    "review form, pending user refused": ("reviews:create", Route("pat", _model)),
    "sign-up with errors": (
        "accounts:signup",
        Route(
            method="post",
            data=lambda o: {"username": "", "email": "nope", "password1": "a", "password2": "b"},
        ),
    ),
    "sign-in with errors": (
        "accounts:login",
        Route(method="post", data=lambda o: {"username": "alice", "password": "wrong"}),
    ),
    "email confirmation page": (
        "accounts:verify_email",
        Route(kwargs=lambda o: {"token": make_email_verification_token(o["pat"])}),
    ),
    "email verified": (
        "accounts:verify_email",
        Route(
            kwargs=lambda o: {"token": make_email_verification_token(o["pat"])},
            method="post",
            status=302,
            kind="redirect",
            redirect_to="/accounts/login/",
        ),
    ),
    "password reset, new password form": (
        "accounts:password_reset_confirm",
        Route(
            kwargs=lambda o: {
                "uidb64": urlsafe_base64_encode(force_bytes(o["alice"].pk)),
                "token": default_token_generator.make_token(o["alice"]),
            },
            status=302,
            kind="redirect",
            redirect_to="/accounts/password/reset/",
        ),
    ),
    "password change with errors": (
        "accounts:password_change",
        Route(
            "alice",
            method="post",
            data=lambda o: {"old_password": "x", "new_password1": "y", "new_password2": "z"},
        ),
    ),
    "profile, pending user": ("me:profile", Route("pat")),
    "quickstart, signed in": ("docs:quickstart", Route("alice")),
    "email change with errors": (
        "me:email_change",
        Route("alice", method="post", data=lambda o: {"email": "bob@example.com", "password": "wrong"}),
    ),
    "profile, developer": ("me:profile", Route("dana")),
    "profile edit with errors": (
        "me:profile_edit",
        Route("alice", method="post", data=lambda o: {"bio": "x" * 5000}),
    ),
    "delete account with errors": (
        "me:delete_account",
        Route("alice", method="post", data=lambda o: {"password": "no"}),
    ),
    "inbox, empty": ("me:notifications", Route("bob")),
    "inbox, one kind": ("me:notifications", Route("alice", data=lambda o: {"kind": "model_deprecated"})),
    "inbox, unknown kind": ("me:notifications", Route("alice", data=lambda o: {"kind": "gossip"})),
    "notification settings with errors": (
        "me:notification_settings",
        Route("alice", method="post", data=lambda o: {"site": ["gossip"]}, status=400),
    ),
    "history, filtered to nothing": ("history:list", Route("alice", data=lambda o: {"q": "no such prompt"})),
    "history, empty": ("history:list", Route("bob")),
    "history, pending user": ("history:list", Route("pat")),
    "history rating with errors": (
        "history:rate",
        Route("alice", _history, method="post", data=lambda o: {"rating": "9"}, status=400),
    ),
    "keys, pending user": ("keys:list", Route("pat")),
    "keys, none yet": ("keys:list", Route("bob")),
    "apply, pending user": ("apply:apply", Route("pat", status=403)),
    "apply, application sent": ("apply:apply", Route("applicant")),
    "apply, active developer": ("apply:apply", Route("dana")),
    "apply with errors": ("apply:apply", Route("alice", method="post", data=lambda o: {"username": ""})),
    "dashboard, not a developer": ("dashboard:overview", Route("alice", status=403)),
    "dashboard, waiting for approval": ("dashboard:overview", Route("applicant", status=403)),
    "dashboard, one model's charts": (
        "dashboard:overview",
        Route("dana", data=lambda o: {"model": "dana-summarizer", "days": "7"}),
    ),
    "dashboard, model form with errors": (
        "dashboard:model_create",
        Route("dana", method="post", data=lambda o: {"api_name": "Bad Name!"}),
    ),
    "dashboard, model created with its key": (
        "dashboard:model_create",
        Route(
            "dana",
            method="post",
            data=lambda o: {
                "model_name": "fresh",
                "display_name": "Fresh",
                "api_name": "dana-fresh",
                "description": "New.",
                "category": "text_generation",
                "tags": "nlp",
                "endpoint_url": "http://127.0.0.1:9/x",
                "price_per_request": "0.01",
                "is_public": "on",
            },
        ),
    ),
    "dashboard, key rotated": (
        "dashboard:model_key_rotate",
        Route("dana", _model, method="post", data=lambda o: {"confirm": "on"}),
    ),
    "dashboard, delete with errors": (
        "dashboard:model_delete",
        Route("dana", _model, method="post", data=lambda o: {"confirm_api_name": "no"}),
    ),
    "dashboard, earnings of one model": (
        "dashboard:earnings",
        Route("dana", data=lambda o: {"model": "dana-summarizer", "month": "2026-01"}),
    ),
    "activity, 7 days": ("spending:overview", Route("alice", data=lambda o: {"days": "7"})),
    "activity, empty": ("spending:overview", Route("bob")),
    "dashboard, logs of server errors": ("dashboard:logs", Route("dana", data=lambda o: {"status": "5xx"})),
    "dashboard, deprecated model": (
        "dashboard:model_detail",
        Route("dana", lambda o: {"api_name": o["deprecated"].api_name}),
    ),
    "dashboard, inactive model": (
        "dashboard:model_detail",
        Route("dana", lambda o: {"api_name": o["inactive"].api_name}),
    ),
    "reply with errors": (
        "reviews:reply",
        Route("dana", _review, method="post", data=lambda o: {"reply_text": ""}),
    ),
    "playground panel (htmx), upstream down": (
        "playground:run",
        Route(
            "alice",
            _model,
            method="post",
            data=lambda o: {"prompt": "Hello"},
            kind="fragment",
            headers={"HX-Request": "true"},
        ),
    ),
    "playground panel (htmx), empty prompt": (
        "playground:run",
        Route(
            "alice",
            _model,
            method="post",
            data=lambda o: {"prompt": ""},
            kind="fragment",
            headers={"HX-Request": "true"},
        ),
    ),
}


def site_url_names() -> set[str]:
    def walk(resolver: URLResolver, prefix: str):
        for pattern in resolver.url_patterns:
            if isinstance(pattern, URLResolver):
                namespace = f"{prefix}{pattern.namespace}:" if pattern.namespace else prefix
                yield from walk(pattern, namespace)
            elif pattern.name:
                yield f"{prefix}{pattern.name}"

    return {name for name in walk(get_resolver(), "") if name.split(":", 1)[0] in SITE_NAMESPACES}


def fetch(client, world: World, name: str, route: Route):
    user = world.personas[route.persona]
    if user is not None:
        client.force_login(user)
    kwargs = route.kwargs(world.objects) if route.kwargs else {}
    url = reverse(name, kwargs=kwargs)
    data = route.data(world.objects) if route.data else None
    headers = route.headers or {}
    if route.method == "post":
        return client.post(url, data or {}, headers=headers)
    return client.get(url, data or {}, headers=headers)


def check(response, route: Route) -> None:
    assert response.status_code == route.status, f"{response.status_code} instead of {route.status}" + (
        f" (to {response.get('Location')})" if response.status_code in (301, 302) else ""
    )
    if route.kind == "redirect":
        location = urlsplit(response["Location"]).path
        assert location.startswith(route.redirect_to), location
        return
    if route.kind == "csv":
        assert response["Content-Type"].startswith("text/csv")
        return
    assert response["Content-Type"].startswith("text/html")
    html = response.content.decode()
    result = audit(html)
    problems = result.page_problems() if route.kind == "page" else result.fragment_problems()
    assert problems == [], problems


# --- The tests ------------------------------------------------------------------------------------------
def test_every_named_url_of_the_site_has_a_route_here():
    names = site_url_names()
    assert names, "no URL found in the site's namespaces"
    assert sorted(names - set(ROUTES)) == [], "named URLs without a guard route"
    assert sorted(set(ROUTES) - names) == [], "routes for URLs that no longer exist"


@pytest.mark.parametrize("name", sorted(ROUTES))
def test_every_named_url_answers_its_persona(client, world, name):
    route = ROUTES[name]
    check(fetch(client, world, name, route), route)


@pytest.mark.parametrize("variant", sorted(VARIANTS))
def test_every_state_of_the_pages_passes_the_guards(client, world, variant):
    name, route = VARIANTS[variant]
    check(fetch(client, world, name, route), route)


@pytest.mark.parametrize(
    "path",
    [
        "/models/no-such-model/",
        "/developers/nobody-here/",
        "/me/history/00000000-0000-0000-0000-000000000000/",
    ],
)
def test_not_found_pages_use_the_site_layout(client, world, path):
    client.force_login(world.personas["alice"])
    response = client.get(path)

    assert response.status_code == 404
    result = audit(response.content.decode())
    assert result.page_problems() == []
    assert b"AI Model Platform" in response.content


def test_a_refused_action_renders_the_forbidden_page_in_the_site_layout(client, world):
    client.force_login(world.personas["pat"])
    response = client.post(reverse("keys:create"), {"name": "ci"})

    assert response.status_code == 403
    assert audit(response.content.decode()).page_problems() == []


def test_a_failed_csrf_check_renders_a_page_in_the_site_layout(world):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    response = strict.post(reverse("accounts:login"), {"username": "alice", "password": "x"})

    assert response.status_code == 403
    assert audit(response.content.decode()).page_problems() == []


def test_the_server_error_page_renders_without_a_request_context():
    from django.template import loader

    html = loader.get_template("500.html").render({})
    assert audit(html).page_problems() == []


INLINE_PATTERNS = {
    "style attribute": re.compile(r"\sstyle\s*=", re.IGNORECASE),
    "inline event handler": re.compile(r"\son[a-z]+\s*=", re.IGNORECASE),
    "inline script": re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE),
    "style element": re.compile(r"<style[\s>]", re.IGNORECASE),
}


@pytest.mark.parametrize(
    "template",
    sorted(
        str(path.relative_to(TEMPLATES_DIR))
        for path in TEMPLATES_DIR.rglob("*.html")
        # Mail is read by mail programs, not under the site's Content-Security-Policy.
        if path.relative_to(TEMPLATES_DIR).parts[0] != "emails"
    ),
)
def test_no_template_carries_what_the_content_security_policy_blocks(template):
    text = (TEMPLATES_DIR / template).read_text()
    found = [label for label, pattern in INLINE_PATTERNS.items() if pattern.search(text)]
    assert found == []


class MetaTags(HTMLParser):
    def __init__(self):
        super().__init__()
        self.meta: dict[str, str] = {}

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "meta" and attributes.get("name"):
            self.meta[attributes["name"]] = attributes.get("content") or ""


def test_htmx_is_configured_to_stay_within_the_content_security_policy(client, db):
    parser = MetaTags()
    parser.feed(client.get(reverse("catalog:home")).content.decode())
    config = json.loads(parser.meta["htmx-config"])

    # htmx would otherwise add a <style> for its indicators, run eval'd code, and, when it swaps an element
    # the user resized (a textarea), copy its style attribute: all three are refused by the policy.
    assert config["includeIndicatorStyles"] is False
    assert config["allowEval"] is False
    assert config["allowScriptTags"] is False
    assert "style" not in config["attributesToSettle"]


def test_the_audit_catches_what_it_guards():
    bad = audit(
        "<html><head><title> </title><style>p{}</style></head><body><h1>a</h1><h1>b</h1>"
        '<input name="q"><select id="s"></select><label for="gone">x</label>'
        '<img src="x.png"><p style="color:red" onclick="go()">x</p><script>alert(1)</script>'
        '<i id="d"></i><b id="d"></b></body></html>'
    )
    problems = " | ".join(bad.page_problems())
    for expected in (
        "inline <script>",
        "<style> element",
        "style= attributes",
        "inline event handlers",
        "<input name='q'> has no label",
        "<select name=None> has no label",
        "has no alt",
        "duplicate ids",
        "pointing at no element",
        "2 <h1>",
        "0 <main>",
        "<title>",
        "no lang",
    ):
        assert expected in problems

    good = audit(
        '<html lang="en"><head><title>t</title><script src="/s.js"></script></head><body><main><h1>a</h1>'
        '<label for="q">Q</label><input id="q" name="q"><label>W <input name="w"></label>'
        '<input aria-label="x" name="x"><input type="hidden" name="h"><img src="i.png" alt="">'
        "</main></body></html>"
    )
    assert good.page_problems() == []
