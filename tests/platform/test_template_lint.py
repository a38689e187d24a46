"""DSFR markup rules our templates must follow, checked statically because the failure is silent on screen."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
GROUP = re.compile(r'<ul class="(fr-btns-group[^"]*)"(.*?)</ul>', re.S)
ICON_BUTTON = re.compile(r'class="(fr-btn\b[^"]*\bfr-icon-[^"]*)"')


def test_icon_buttons_in_a_group_keep_their_text():
    # Inside fr-btns-group, DSFR draws a button with an icon class as icon-only unless the group itself says
    # fr-btns-group--icon-left/right: the home page's « Ouvrir un ticket » once showed as a bare « + ».
    wrong = []
    for path in sorted(ROOT.glob("*/**/templates/**/*.html")):
        if ".venv" in path.parts or "node_modules" in path.parts:
            continue
        for group in GROUP.finditer(path.read_text(encoding="utf-8")):
            classes, body = group.groups()
            if "icon-left" in classes or "icon-right" in classes or path.name == "base.html":
                continue  # the header's tool links follow their own DSFR pattern
            wrong += [f"{path.relative_to(ROOT)}: {m.group(1)}" for m in ICON_BUTTON.finditer(body)]
    assert not wrong, "\n".join(wrong)
