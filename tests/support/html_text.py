"""The text an HTML document shows a reader: for email bodies and HTML reports."""

from html.parser import HTMLParser


class _TextOf(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []

    def handle_data(self, data: str) -> None:
        self.parts.append(data)


def html_text(html: str) -> str:
    """The document's text, tags dropped and character references decoded (`&amp;` is `&`)."""
    parser = _TextOf()
    parser.feed(html)
    parser.close()
    return "".join(parser.parts)
