"""Copy GOV.UK Frontend's built assets from node_modules into changing_lives/static/govuk/.

Run by `make frontend` after `npm ci`. The output is generated, so it is git-ignored.

Two rewrites keep the stylesheet right for this service:
- GOV.UK Frontend's CSS points at `/assets/...`; the URLs are made relative to the CSS
  file so they work under any STATIC_URL and through whitenoise's manifest.
- The GDS Transport font is for GOV.UK's own services only, and this is a local
  authority's service: its @font-face rules are dropped so the page falls back to Arial,
  as the Design System asks of services outside GOV.UK.
"""

import re
import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SOURCE = ROOT / "node_modules" / "govuk-frontend" / "dist" / "govuk"
TARGET = ROOT / "changing_lives" / "static" / "govuk"

FONT_FACE = re.compile(r"@font-face\{[^}]*\}")


def build() -> None:
    if not SOURCE.is_dir():
        sys.exit(f"{SOURCE} is missing: run `npm ci` first (make frontend does).")
    if TARGET.exists():
        shutil.rmtree(TARGET)
    (TARGET / "assets").mkdir(parents=True)

    css = (SOURCE / "govuk-frontend.min.css").read_text(encoding="utf-8")
    css = FONT_FACE.sub("", css).replace("url(/assets/", "url(assets/")
    (TARGET / "govuk-frontend.min.css").write_text(css, encoding="utf-8")

    for name in (
        "govuk-frontend.min.css.map",
        "govuk-frontend.min.js",
        "govuk-frontend.min.js.map",
    ):
        shutil.copy2(SOURCE / name, TARGET / name)
    shutil.copytree(SOURCE / "assets" / "images", TARGET / "assets" / "images")
    print(f"GOV.UK Frontend assets written to {TARGET.relative_to(ROOT)}")


if __name__ == "__main__":
    build()
