"""The README's settings table is the one the code makes."""

from pathlib import Path

from botilbud.settings import settings_table

README = Path(__file__).resolve().parents[2] / "README.md"


def test_readme_settings_table_is_up_to_date():
    text = README.read_text(encoding="utf-8")
    table = text.split("<!-- settings:start -->\n", 1)[1].split("\n<!-- settings:end -->", 1)[0]
    assert table == settings_table(), "run `botilbud settings` and paste it into README.md"
