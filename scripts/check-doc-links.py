#!/usr/bin/env python3
"""Fails when a relative link in the project's Markdown does not resolve.

Checks every [text](target) in README.md, CONTRIBUTING.md, ARCHITECTURE.md, docs/*.md,
bench/README.md and tests/corpus/README.md: a path must exist (relative to the file that links
it) and a #fragment must be a heading of the target file, spelled as GitHub spells heading
anchors. Links to other sites (http:, https:,
mailto:) are not followed. Usage: check-doc-links.py [ROOT]; exit 0 when every link resolves,
1 otherwise, listing each broken one as FILE:LINE: TARGET: WHY.
"""
import pathlib
import re
import sys

DOCUMENTS = ["README.md", "CONTRIBUTING.md", "ARCHITECTURE.md", "docs/*.md", "bench/README.md", "tests/corpus/README.md"]

LINK = re.compile(r"\[(?:[^\[\]]|\[[^\]]*\])*\]\(([^()\s]+)\)")
HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
FENCE = re.compile(r"^\s*(```|~~~)")


def github_anchor(heading):
    """The id GitHub gives a heading: lower case, punctuation dropped, each blank a hyphen."""
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", heading)  # a link in a heading: its text
    text = text.strip().lower()
    text = re.sub(r"[^\w\- ]", "", text)  # keeps letters, digits, _, - and blanks
    return text.replace(" ", "-")


def prose_lines(path):
    """(line number, text) of every line outside fenced code blocks."""
    in_fence = False
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if FENCE.match(line):
            in_fence = not in_fence
            continue
        if not in_fence:
            yield number, line


def anchors(path):
    seen = {}
    result = set()
    for _, line in prose_lines(path):
        match = HEADING.match(line)
        if not match:
            continue
        anchor = github_anchor(match.group(2))
        count = seen.get(anchor, 0)
        seen[anchor] = count + 1
        result.add(anchor if count == 0 else f"{anchor}-{count}")  # repeated headings: -1, -2, ...
    return result


def without_code_spans(line):
    return re.sub(r"`[^`]*`", "", line)


def broken_links(root):
    problems = []
    anchor_cache = {}
    files = sorted({p for pattern in DOCUMENTS for p in root.glob(pattern) if p.is_file()})
    for doc in files:
        for number, line in prose_lines(doc):
            for target in LINK.findall(without_code_spans(line)):
                if re.match(r"^[a-z][a-z0-9+.-]*:", target):
                    continue
                path_part, _, fragment = target.partition("#")
                dest = (doc.parent / path_part).resolve() if path_part else doc.resolve()
                where = f"{doc.relative_to(root)}:{number}: {target}"
                if not dest.exists():
                    problems.append(f"{where}: no such file")
                    continue
                if fragment:
                    if dest.suffix != ".md" or dest.is_dir():
                        problems.append(f"{where}: an anchor into a file that is not Markdown")
                        continue
                    if dest not in anchor_cache:
                        anchor_cache[dest] = anchors(dest)
                    if fragment not in anchor_cache[dest]:
                        problems.append(f"{where}: no heading with this anchor")
    return files, problems


def main():
    root = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else pathlib.Path(__file__).parent.parent).resolve()
    files, problems = broken_links(root)
    for problem in problems:
        print(problem, file=sys.stderr)
    if problems:
        print(f"check-doc-links: {len(problems)} broken link(s)", file=sys.stderr)
        return 1
    print(f"check-doc-links: every relative link of {len(files)} file(s) resolves")
    return 0


if __name__ == "__main__":
    sys.exit(main())
