"""User-provided text (file names, column names, link values) shown through Markdown.

Every such string goes through :func:`plain_markdown` wherever Streamlit renders Markdown
(markdown, captions, alerts, titles, widget labels): a column named ``![t](http://…)`` must not
make every visitor's browser fetch that URL, and ``**``, ``$…$``, ``:red[…]`` or a link show as
typed. Charts, tables and downloads take the text as it is (they render no Markdown).
"""

import re

#: Characters that Markdown, KaTeX or Streamlit's directives (``:red[…]``, ``:material/…:``)
#: would interpret.
MARKDOWN_SPECIALS = "\\`*_{}[]()#+-.!|<>~$:&="


def plain_markdown(text: str) -> str:
    """Escape the characters Markdown would interpret, and fold line breaks and other control
    characters into spaces (a new line could start a heading or a list), so that user text
    shows as typed, on one line."""
    text = re.sub(r"[\x00-\x1f\x7f\u2028\u2029]+", " ", str(text))
    return "".join("\\" + c if c in MARKDOWN_SPECIALS else c for c in text)
