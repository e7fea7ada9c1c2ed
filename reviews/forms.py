from django import forms

from reviews.models import ModelReview, ReviewReply

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
