"""Pages of demands — being built (issue 3); this module is replaced by its page set."""

from django.http import HttpResponse


def _pending(request, *args, **kwargs):
    return HttpResponse("This page is being built.", status=501, content_type="text/plain")


my_demands = new_demand = _pending
