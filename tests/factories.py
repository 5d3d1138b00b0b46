from __future__ import annotations

import factory
from django.utils import timezone

from accounts.models import Team, User
from tickets.models import Category, EscalationPath, Message, Ticket


class TeamFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Team
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"Team {n}")
    tier = 1


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.com")
    role = User.Role.CUSTOMER
    language = "en"
    password = factory.PostGenerationMethodCall("set_password", "pw-Secret-123")

    @factory.post_generation
    def teams(self, create: bool, extracted: list[Team] | None, **kwargs: object) -> None:
        if create and extracted:
            self.teams.set(extracted)
        if create:
            self.save()


class CategoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Category

    name = factory.Sequence(lambda n: f"Category {n}")


class EscalationPathFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = EscalationPath


class TicketFactory(factory.django.DjangoModelFactory):
    """A ticket row as the service would leave it; use services in tests of behaviour."""

    class Meta:
        model = Ticket

    subject = factory.Sequence(lambda n: f"Printer {n} does not print")
    description = "Since this morning nothing comes out."
    requester = factory.SubFactory(UserFactory)
    created_at = factory.LazyFunction(timezone.now)


class MessageFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Message

    ticket = factory.SubFactory(TicketFactory)
    author = factory.SelfAttribute("ticket.requester")
    body = "Any news?"
