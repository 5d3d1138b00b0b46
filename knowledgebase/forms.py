from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from tickets.models import Category

from .models import Article


class ArticleForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    slug = forms.SlugField(label=_("Slug"), max_length=200, required=False)
    body = forms.CharField(label=_("Text (Markdown)"), widget=forms.Textarea(attrs={"rows": 18}))
    kind = forms.ChoiceField(label=_("Kind"), choices=Article.Kind.choices)
    visibility = forms.ChoiceField(label=_("Visibility"), choices=Article.Visibility.choices)
    status = forms.ChoiceField(label=_("Status"), choices=Article.Status.choices)
    language = forms.ChoiceField(label=_("Language"), choices=Article._meta.get_field("language").choices)
    translation_of = forms.ModelChoiceField(
        label=_("Translation of"), queryset=Article.objects.order_by("title"), required=False
    )
    categories = forms.ModelMultipleChoiceField(
        label=_("Categories"), queryset=Category.objects.order_by("name"), required=False
    )
    tags = forms.CharField(label=_("Tags (comma separated)"), required=False)
    summary = forms.CharField(label=_("What changed"), max_length=300, required=False)

    def tag_list(self) -> list[str]:
        return [t.strip() for t in self.cleaned_data.get("tags", "").split(",") if t.strip()]


class DeflectionForm(forms.Form):
    article = forms.IntegerField()
    q = forms.CharField(max_length=400, required=False)


class FeedbackForm(forms.Form):
    helpful = forms.TypedChoiceField(choices=[("1", "yes"), ("0", "no")], coerce=lambda v: v == "1")
