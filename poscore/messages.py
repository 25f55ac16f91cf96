"""The Spanish (es-MX) and English texts for every reason code and UI label poscore emits, and for every refusal
the ERP answers (its API's rejections and its back office's refusals to cancel or undo).

``t(code, lang="es", **params)`` is how both sides turn a code into words. A refusal travels as a code and its
parameters, never words: the ERP answers ``{"error": code, "params": {...}, "message": render(code, lang,
params)}`` and the POS and the back office show ``render(code, lang, params)`` in their reader's language.
poscore's refusals are ``CodedError``s: they carry the code and its parameters, and the edge that shows one renders
it with ``exc.text(lang)`` (the English till says "Not enough stock", not the Spanish text). An unknown code comes
back unchanged (a missing text must never crash a sale); an unknown language falls back to Spanish. Every code
has a Spanish and an English text naming the same parameters (tests/core/test_messages.py, and
tests/server/test_error_codes.py for the codes the ERP emits).

Must not: hold business rules, or texts that only one side uses for its own pages (those live in
web/ or server/ templates).
"""

from __future__ import annotations

from collections.abc import Mapping
from string import Formatter

from .messages_en import EN
from .messages_es import ES

# The tables live in their own modules (one per language); they are part of this module's face.
__all__ = ["EN", "ES", "LANGS", "SUFFIX_PARAMS", "CodedError", "answer_text", "known", "placeholders", "render", "t"]

LANGS = ("es", "en")

_TABLES = {"es": ES, "en": EN}


def known(code: str) -> bool:
    """True when the catalogue has a text for ``code`` (the rest is shown as the ERP wrote it)."""
    return code in ES


def t(code: str, lang: str = "es", /, **params: object) -> str:
    """The text for ``code`` in ``lang`` ("es" or "en"), with ``{name}`` placeholders filled.

    Unknown codes return the code itself; a placeholder without its parameter is left as written.
    """
    table = _TABLES.get(lang, ES)
    text = table.get(code)
    if text is None:
        text = ES.get(code, code)
    if params:
        try:
            return text.format(**params)
        except (KeyError, IndexError, ValueError):
            return text
    return text


# Parameters a code's text does not name but that a rejection may carry; ``render`` adds them in parentheses after
# the text, in this order: where in the record (``line`` and ``product``, ``price``) and ``detail`` (a code of this
# catalogue rendered in the reader's language, or a record field's name, shown as written in every language).
SUFFIX_PARAMS = ("line", "product", "price", "detail")


def render(code: str, lang: str = "es", params: Mapping[str, object] | None = None) -> str:
    """The text of a refusal sent as ``{"error": code, "params": params}``: ``t(code, lang, **params)`` and, in
    parentheses, what the suffix parameters (``SUFFIX_PARAMS``) say. The ERP's ``message`` and the POS and the
    back office all read a refusal through this one function."""
    params = dict(params or {})
    text = t(code, lang, **params)
    extra = []
    if "line" in params:
        extra.append(t("at_line", lang, line=params["line"], product=params.get("product", "")))
    if "price" in params:
        extra.append(t("at_price", lang, price=params["price"]))
    detail = params.get("detail")
    if detail is not None and detail != "":
        extra.append(t(str(detail), lang) if known(str(detail)) else str(detail))
    return f"{text} ({', '.join(extra)})" if extra else text


def answer_text(answer: Mapping[str, object], lang: str = "es") -> str:
    """The words of one of the ERP's rejections (``{"error", "params", "message"}``) in ``lang``: its code and
    parameters rendered when the catalogue knows the code. An answer without parameters (an ERP from before they
    were sent) keeps its Spanish message in Spanish, and is rendered in another language only when the code's
    text needs no parameter; a code the catalogue does not know shows the ERP's message."""
    code = str(answer.get("error") or "")
    message = answer.get("message")
    params = answer.get("params")
    if code and known(code):
        if isinstance(params, Mapping):
            return render(code, lang, params)
        if "{" not in t(code) and (lang != "es" or not message):
            return t(code, lang)
    return str(message) if message else t(code or "rejected", lang)


def placeholders(text: str) -> set[str]:
    """The ``{name}`` parameters a catalogue text uses."""
    return {name for _, name, _, _ in Formatter().parse(text) if name}


class CodedError(ValueError):
    """A refusal as a ``code`` (a key of the tables above) and its parameters; ``text(lang)`` renders it.

    ``message`` is the Spanish text (the ERP's default answer and the logs); a ``detail`` given instead names what
    the catalogue cannot (a field of a malformed record) and is shown as written in every language.
    """

    def __init__(self, code: str, detail: str | None = None, **params: object) -> None:
        self.code = code
        self.params = params
        self.detail = detail
        self.message = detail if detail is not None else t(code, **params)
        super().__init__(f"{code}: {self.message}")

    def text(self, lang: str = "es") -> str:
        return self.detail if self.detail is not None else t(self.code, lang, **self.params)
