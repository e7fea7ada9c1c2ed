from django import forms

from favourites.models import COLLECTION_NOTE_MAX, ITEM_NOTE_MAX, TITLE_MAX, Collection

NEW_COLLECTION = "new"


def _no_nul(value: str) -> str:
    if "\x00" in value:
        raise forms.ValidationError("Null characters are not allowed.")
    return value


class CollectionForm(forms.ModelForm):
    class Meta:
        model = Collection
        fields = ["title", "note", "is_public"]
        labels = {"is_public": "Public: anyone can see it and it is listed under Collections"}
        help_texts = {
            "note": f"Optional: what the collection is for ({COLLECTION_NOTE_MAX} characters at most)."
        }
        widgets = {"note": forms.Textarea(attrs={"rows": 4})}
        error_messages = {
            "title": {
                "required": "Give the collection a title.",
                "max_length": f"A title has at most {TITLE_MAX} characters.",
            },
            "note": {"max_length": f"A note has at most {COLLECTION_NOTE_MAX} characters."},
        }

    def clean_title(self) -> str:
        title = _no_nul(self.cleaned_data["title"].strip())
        if not title:
            raise forms.ValidationError("Give the collection a title.")
        return title

    def clean_note(self) -> str:
        return _no_nul(self.cleaned_data["note"])


class ItemNoteForm(forms.Form):
    note = forms.CharField(
        label="Note",
        required=False,
        max_length=ITEM_NOTE_MAX,
        strip=True,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=f"Why this model is here ({ITEM_NOTE_MAX} characters at most); empty for none.",
        error_messages={"max_length": f"A note has at most {ITEM_NOTE_MAX} characters."},
    )

    def clean_note(self) -> str:
        return _no_nul(self.cleaned_data["note"])


class AddToCollectionForm(forms.Form):
    """Pick one of the user's collections, or name a new one."""

    collection = forms.ChoiceField(label="Collection")
    new_title = forms.CharField(
        label="New collection's title",
        required=False,
        max_length=TITLE_MAX,
        error_messages={"max_length": f"A title has at most {TITLE_MAX} characters."},
    )

    def __init__(self, *args, collections, **kwargs):
        super().__init__(*args, **kwargs)
        self.collections = {str(collection.pk): collection for collection in collections}
        self.fields["collection"].choices = [
            (key, collection.title) for key, collection in self.collections.items()
        ] + [(NEW_COLLECTION, "New collection…")]
        if not self.collections:
            self.fields["collection"].initial = NEW_COLLECTION

    def clean_new_title(self) -> str:
        return _no_nul(self.cleaned_data["new_title"].strip())

    def clean(self):
        cleaned = super().clean()
        wants_new = cleaned.get("collection") == NEW_COLLECTION
        if wants_new and not cleaned.get("new_title") and "new_title" not in self.errors:
            self.add_error("new_title", "Give the new collection a title.")
        return cleaned

    @property
    def chosen(self):
        """The chosen collection, or None for a new one."""
        return self.collections.get(self.cleaned_data["collection"])
