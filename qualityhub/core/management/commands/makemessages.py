"""makemessages that also collects ``gettext_lazy as _l``.

Forms and views import the lazy gettext as ``_l`` beside the eager ``_``; xgettext only
knows the standard keywords, so without this those labels would silently drop out of
the catalogues.
"""

from django.core.management.commands import makemessages


class Command(makemessages.Command):
    xgettext_options = [*makemessages.Command.xgettext_options, "--keyword=_l"]
