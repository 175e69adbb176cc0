"""Factories for the people, units, enterprises and categories of a small zone."""

from __future__ import annotations

import random

import factory

from mashang.org.credit_code import ALPHABET, check_character
from mashang.org.models import Category, Enterprise, Unit, User


def valid_credit_code(rng: random.Random | None = None) -> str:
    rng = rng or random.Random()
    body = "91440" + "".join(rng.choice("0123456789") for _ in range(3)) + "".join(
        rng.choice(ALPHABET) for _ in range(9)
    )
    return body + check_character(body)


class UnitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Unit
        django_get_or_create = ["code"]

    code = factory.Sequence(lambda n: f"unit{n}")
    name = factory.Sequence(lambda n: f"单位{n}")


class EnterpriseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Enterprise

    credit_code = factory.LazyFunction(valid_credit_code)
    name = factory.Sequence(lambda n: f"测试企业{n}有限公司")


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    display_name = factory.Sequence(lambda n: f"用户{n}")
    role = User.Role.OFFICER
    password = factory.PostGenerationMethodCall("set_password", "pw")
    # User.set_password also sets password_changed_at: the password's 90 days start now.

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class CategoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Category
        django_get_or_create = ["code"]

    code = factory.Sequence(lambda n: f"cat{n}")
    name = factory.Sequence(lambda n: f"类别{n}")
