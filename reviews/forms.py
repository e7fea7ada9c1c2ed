from django import forms

from reviews.models import ModelReview, ReviewReply, ReviewReport

RATING_CHOICES = [
    (5, "5 stars: excellent"),
    (4, "4 stars: good"),
    (3, "3 stars: fair"),
    (2, "2 stars: poor"),
    (1, "1 star: bad"),
]


class ReviewForm(forms.ModelForm):
    rating = forms.TypedChoiceField(
        label="Your rating",
        choices=RATING_CHOICES,
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Choose a rating from 1 to 5 stars.",
            "invalid_choice": "Choose a rating from 1 to 5 stars.",
        },
    )

    class Meta:
        model = ModelReview
        fields = ["rating", "review_title", "review_text"]
        labels = {"review_title": "Title", "review_text": "Your review"}
        widgets = {
            "review_title": forms.TextInput(attrs={"placeholder": "Sum it up in a few words"}),
            "review_text": forms.Textarea(
                attrs={"rows": 6, "placeholder": "What did you use it for? How well did it do?"}
            ),
        }
        error_messages = {
            "review_title": {"required": "Give your review a title."},
            "review_text": {"required": "Write a few words about the model."},
        }


class ReplyForm(forms.ModelForm):
    class Meta:
        model = ReviewReply
        fields = ["reply_text"]
        labels = {"reply_text": "Your public reply"}
        widgets = {"reply_text": forms.Textarea(attrs={"rows": 4})}
        error_messages = {"reply_text": {"required": "Write your reply before sending it."}}


class ReviewReportForm(forms.ModelForm):
    class Meta:
        model = ReviewReport
        fields = ["reason", "details"]
        labels = {"reason": "What is wrong with this review?", "details": "Details (optional)"}
        widgets = {
            "reason": forms.RadioSelect,
            "details": forms.Textarea(
                attrs={"rows": 4, "placeholder": "Anything that helps the moderators decide"}
            ),
        }
        error_messages = {
            "reason": {
                "required": "Choose why you are reporting this review.",
                "invalid_choice": "Choose one of the reasons listed.",
            },
            "details": {"max_length": "Keep the details under %(limit_value)d characters."},
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # A ModelForm's radio list starts with an empty "---------" choice; a reason is required.
        self.fields["reason"].choices = [c for c in self.fields["reason"].choices if c[0]]
