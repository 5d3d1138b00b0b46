from django.contrib.auth.models import Group, User
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Create or change a person at the provider: address, name, groups, active."

    def add_arguments(self, parser):  # noqa: ANN001, ANN201
        parser.add_argument("username")
        parser.add_argument("--password")
        parser.add_argument("--email")
        parser.add_argument("--name")
        parser.add_argument("--groups", help="comma-separated; empty string: none")
        parser.add_argument("--inactive", action="store_true")

    def handle(self, *args, username, password, email, name, groups, inactive, **options):  # noqa: ANN001, ANN201
        user, _ = User.objects.get_or_create(username=username)
        if password:
            user.set_password(password)
        if email is not None:
            user.email = email
        if name is not None:
            user.first_name, _, user.last_name = name.partition(" ")
        user.is_active = not inactive
        user.save()
        if groups is not None:
            user.groups.set([Group.objects.get_or_create(name=g)[0] for g in groups.split(",") if g])
        self.stdout.write(f"{username}: {user.pk}")
