from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from tickets.forms import category_choices
from tickets.models import Category

from .models import LANGUAGE_CHOICES, Article

TRANSLATION_SAME_LANGUAGE = _("A translation is in the other language; choose an article in that language.")


class ArticleForm(forms.Form):
    """An article. ``article`` is the one being edited (None for a new one): "Translation of" lists
    only articles in the other language, never the article itself."""

    title = forms.CharField(label=_("Title"), max_length=200)
    slug = forms.SlugField(
        label=_("Address"),
        max_length=200,
        required=False,
        help_text=_(
            "The end of the article's web address, e.g. vpn-setup. Leave empty to make it from the title."
        ),
    )
    body = forms.CharField(label=_("Text (Markdown)"), widget=forms.Textarea(attrs={"rows": 18}))
    kind = forms.ChoiceField(label=_("Kind"), choices=Article.Kind.choices)
    language = forms.ChoiceField(label=_("Language"), choices=LANGUAGE_CHOICES, widget=forms.RadioSelect)
    visibility = forms.ChoiceField(
        label=_("Visibility"), choices=Article.Visibility.choices, widget=forms.RadioSelect
    )
    status = forms.ChoiceField(label=_("Status"), choices=Article.Status.choices, widget=forms.RadioSelect)
    translation_of = forms.ModelChoiceField(
        label=_("Translation of"),
        queryset=Article.objects.none(),
        required=False,
        empty_label=_("None: this is an original"),
    )
    categories = forms.TypedMultipleChoiceField(
        label=_("Categories"), coerce=int, required=False, widget=forms.CheckboxSelectMultiple
    )
    tags = forms.CharField(label=_("Tags"), required=False, help_text=_("Separated by commas."))
    summary = forms.CharField(
        label=_("What changed"), max_length=300, required=False, help_text=_("Shown in the version history.")
    )

    def __init__(self, *args: Any, article: Article | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["categories"].choices = category_choices()[1:]  # in tree order, without "I don't know"
        language = self.data.get("language") if self.is_bound else None
        language = language or self.initial.get("language") or (article.language if article else "en")
        others = Article.objects.exclude(language=language).order_by("title")
        if article is not None:
            others = others.exclude(pk=article.pk)
        self.fields["translation_of"].queryset = others

    def clean_categories(self) -> list[Category]:
        return list(Category.objects.filter(pk__in=self.cleaned_data["categories"]).order_by("name"))

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        original = data.get("translation_of")
        if original is not None and original.language == data.get("language"):
            self.add_error("translation_of", TRANSLATION_SAME_LANGUAGE)
        return data

    def tag_list(self) -> list[str]:
        return [t.strip() for t in self.cleaned_data.get("tags", "").split(",") if t.strip()]


class DeflectionForm(forms.Form):
    article = forms.IntegerField()
    q = forms.CharField(max_length=400, required=False)


class FeedbackForm(forms.Form):
    helpful = forms.TypedChoiceField(choices=[("1", "yes"), ("0", "no")], coerce=lambda v: v == "1")
