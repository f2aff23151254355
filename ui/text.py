"""User-provided text (file names, column names, link values) shown through Markdown."""


def plain_markdown(text: str) -> str:
    """Escape the characters Markdown would interpret, so user text shows as typed."""
    return "".join("\\" + c if c in "\\`*_{}[]()#+-.!|<>~$" else c for c in text)
