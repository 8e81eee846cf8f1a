"""The template language of a message: the tags and filters a message needs, nothing more.

A merchant's template runs in a worker for every shopper it reaches, so the language has no tag
that reads files or other templates (``include``, ``extends``, ``load``), prints the context
(``debug``) or generates text (``lorem``), and no filter that pads or repeats its input
(``ljust:"999999999"``, ``center``, ``stringformat``, ``floatformat`` to thousands of places).
Loops run over a placeholder, never over a literal, and nest at most ``MAX_LOOP_NESTING`` deep,
so output grows with the data, not with what a template can spell. The rendered output is
bounded too (``rendering.MAX_OUTPUT``).
"""

from __future__ import annotations

from django.template import Library, TemplateSyntaxError, defaultfilters, defaulttags
from django.template.base import Variable

TAGS = ("if", "comment", "firstof", "spaceless", "autoescape", "verbatim")
FILTERS = (
    "add", "capfirst", "cut", "date", "default", "default_if_none", "divisibleby", "escape", "first",
    "join", "last", "length", "linebreaks", "linebreaksbr", "lower", "pluralize", "slice", "striptags",
    "time", "timesince", "timeuntil", "title", "truncatechars", "truncatewords", "upper", "urlencode",
    "wordcount", "yesno",
)  # fmt: skip
MAX_LOOP_NESTING = 2

register = Library()
for _name in TAGS:
    register.tag(_name, defaulttags.register.tags[_name])
for _name in FILTERS:
    register.filter(_name, defaultfilters.register.filters[_name])


@register.tag("for")
def bounded_for(parser, token):
    """Django's ``{% for %}`` over a placeholder, at most ``MAX_LOOP_NESTING`` loops deep."""
    depth = sum(command == "for" for command, _ in parser.command_stack)
    if depth > MAX_LOOP_NESTING:
        raise TemplateSyntaxError(f"Loops nest at most {MAX_LOOP_NESTING} deep.")
    node = defaulttags.do_for(parser, token)
    if not isinstance(node.sequence.var, Variable):
        raise TemplateSyntaxError("A loop runs over a placeholder (like cart_lines), not over a literal.")
    return node
