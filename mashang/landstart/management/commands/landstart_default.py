from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from mashang.core.errors import ApplicationError
from mashang.landstart.selectors import template_get
from mashang.landstart.services import template_install_default

MSG_CREATED = "已创建默认事项包模板 {code} 第 {version} 版：{steps} 个事项，预计 {minutes} 分钟。"
MSG_EXISTS = "默认事项包模板 {code} 已存在（第 {version} 版），未做任何改动。"
MSG_FAILED = "无法创建默认事项包模板：{reasons}"


class Command(BaseCommand):
    """Create the default land-start bundle template (code "default": transaction confirmation,
    land contract, land price payment, deed tax, title, land-use planning permit, works planning
    permit, construction permit) unless it exists. Its units (jyzx, zrzy, cz, sw, zjj) must exist.
    Running it again changes nothing."""

    help = __doc__

    def handle(self, *args, **options):
        try:
            template, created = template_install_default()
        except ApplicationError as exc:
            reasons = "；".join(m for msgs in exc.fields.values() for m in msgs) or exc.message
            raise CommandError(MSG_FAILED.format(reasons=reasons)) from exc
        if not created:
            self.stdout.write(MSG_EXISTS.format(code=template.code, version=template.version))
            return
        detail = template_get(actor=None, code=template.code, version=template.version)
        self.stdout.write(
            MSG_CREATED.format(
                code=template.code,
                version=template.version,
                steps=len(detail.steps),
                minutes=f"{detail.plan.total_minutes:g}",
            )
        )
