"""Every way a password changes or an account is deactivated — the sign-in page's change, the
admin, ``changepassword``, a script calling ``set_password`` and ``save`` — ends in saving the
User; these receivers revoke all of that person's API tokens in the same transaction.
(Connected in ``ApiConfig.ready``; a bulk ``QuerySet.update`` is not seen, but a deactivated
person's tokens are refused at authentication anyway.)"""

from __future__ import annotations

from mashang.api.models import ApiToken
from mashang.api.tokens import api_tokens_revoke_all
from mashang.org.models import User


def user_before_save(sender, instance: User, raw=False, update_fields=None, **kwargs) -> None:
    instance._api_tokens_revoke_because = ""
    if raw or instance.pk is None:
        return
    if update_fields is not None and not {"password", "is_active"} & set(update_fields):
        return  # e.g. last_login at every sign-in: no query
    before = User.objects.filter(pk=instance.pk).values_list("password", "is_active").first()
    if before is None:
        return
    password, is_active = before
    if is_active and not instance.is_active:
        instance._api_tokens_revoke_because = ApiToken.RevokedBecause.DEACTIVATED
    elif password != instance.password:
        instance._api_tokens_revoke_because = ApiToken.RevokedBecause.PASSWORD_CHANGED


def user_after_save(sender, instance: User, created=False, raw=False, **kwargs) -> None:
    because = getattr(instance, "_api_tokens_revoke_because", "")
    if because and not raw:
        instance._api_tokens_revoke_because = ""
        api_tokens_revoke_all(user=instance, because=because)
