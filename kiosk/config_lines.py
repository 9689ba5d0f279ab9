"""Best-effort line numbers for the keys of a TOML text.

tomllib returns values but no positions, and a problem reported without a line
is hard for clinic IT to act on. This small scanner walks a text that tomllib has
already accepted and notes the line where each key path first appears: table
headers, `[[array.of.tables]]` (counting their indices), `key = value` lines with
dotted or quoted keys, inline tables and arrays. It trusts the text to be valid
TOML; on anything it does not follow it stops and keeps what it found.
"""

from __future__ import annotations

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10
    import tomli as tomllib  # type: ignore[no-redef, import-not-found, unused-ignore]

KeyPath = tuple[str | int, ...]

_BARE = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")


def locate(text: str) -> dict[KeyPath, int]:
    """Map each key path in `text` (array items as integer indices) to its 1-based line."""
    scanner = _Scanner(text)
    try:
        scanner.document()
    except (IndexError, ValueError, RecursionError, tomllib.TOMLDecodeError):
        pass  # best effort: keep the lines found so far
    return scanner.lines


def line_of(lines: dict[KeyPath, int], path: KeyPath) -> int:
    """The line of `path`, else of its nearest enclosing key or table, else 1."""
    for end in range(len(path), 0, -1):
        found = lines.get(path[:end])
        if found is not None:
            return found
    return 1


class _Scanner:
    """A forgiving walk over valid TOML that records where keys are."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.pos = 0
        self.line = 1
        self.lines: dict[KeyPath, int] = {}
        self.arrays: dict[KeyPath, int] = {}  # array-of-tables path -> current index

    # -- low level -------------------------------------------------------------
    def peek(self, ahead: int = 0) -> str:
        at = self.pos + ahead
        return self.text[at] if at < len(self.text) else ""

    def move_to(self, end: int) -> None:
        self.line += self.text.count("\n", self.pos, end)
        self.pos = end

    def expect(self, char: str) -> None:
        if self.peek() != char:
            raise ValueError(f"expected {char!r} at line {self.line}")
        self.move_to(self.pos + 1)

    def skip_blank(self, newlines: bool) -> None:
        while self.pos < len(self.text):
            char = self.text[self.pos]
            if char in " \t\r" or (newlines and char == "\n"):
                self.move_to(self.pos + 1)
            elif char == "#":
                end = self.text.find("\n", self.pos)
                self.move_to(len(self.text) if end < 0 else end)
            else:
                return

    def note(self, path: KeyPath, line: int, start: int = 1) -> None:
        """Record `path` and its prefixes from length `start` on; the first sighting wins."""
        for end in range(max(start, 1), len(path) + 1):
            self.lines.setdefault(path[:end], line)

    # -- grammar -----------------------------------------------------------------
    def document(self) -> None:
        table: KeyPath = ()
        while True:
            self.skip_blank(newlines=True)
            if self.pos >= len(self.text):
                return
            line = self.line
            if self.text.startswith("[[", self.pos):
                self.move_to(self.pos + 2)
                table = self.resolve(self.keys(), new_item=True)
                self.skip_blank(newlines=False)
                self.expect("]")
                self.expect("]")
                self.note(table, line)
            elif self.peek() == "[":
                self.move_to(self.pos + 1)
                table = self.resolve(self.keys(), new_item=False)
                self.skip_blank(newlines=False)
                self.expect("]")
                self.note(table, line)
            else:
                path = table + tuple(self.keys())
                self.note(path, line, start=len(table) + 1)
                self.skip_blank(newlines=False)
                self.expect("=")
                self.value(path)

    def resolve(self, keys: list[str], new_item: bool) -> KeyPath:
        """Header keys -> a path with the current index after each array of tables."""
        path: KeyPath = ()
        for number, name in enumerate(keys):
            path += (name,)
            if new_item and number == len(keys) - 1:
                self.arrays[path] = self.arrays.get(path, -1) + 1
                path += (self.arrays[path],)
            elif path in self.arrays:
                path += (self.arrays[path],)
        return path

    def keys(self) -> list[str]:
        """A dotted key: bare, "basic" or 'literal' parts."""
        parts: list[str] = []
        while True:
            self.skip_blank(newlines=False)
            start = self.pos
            if self.peek() == '"':
                self.string()
                parts.append(tomllib.loads("k = " + self.text[start:self.pos])["k"])
            elif self.peek() == "'":
                self.string()
                parts.append(self.text[start + 1:self.pos - 1])
            else:
                while self.peek() and self.peek() in _BARE:
                    self.pos += 1
                if self.pos == start:
                    raise ValueError(f"expected a key at line {self.line}")
                parts.append(self.text[start:self.pos])
            self.skip_blank(newlines=False)
            if self.peek() != ".":
                return parts
            self.pos += 1

    def value(self, path: KeyPath) -> None:
        self.skip_blank(newlines=False)
        char = self.peek()
        if char == "{":
            self.move_to(self.pos + 1)
            while True:
                self.skip_blank(newlines=True)
                if self.peek() == "}":
                    self.move_to(self.pos + 1)
                    return
                line = self.line
                inner = path + tuple(self.keys())
                self.note(inner, line, start=len(path) + 1)
                self.skip_blank(newlines=False)
                self.expect("=")
                self.value(inner)
                self.skip_blank(newlines=True)
                if self.peek() == ",":
                    self.move_to(self.pos + 1)
        elif char == "[":
            self.move_to(self.pos + 1)
            index = 0
            while True:
                self.skip_blank(newlines=True)
                if self.peek() == "]":
                    self.move_to(self.pos + 1)
                    return
                self.note(path + (index,), self.line, start=len(path) + 1)
                self.value(path + (index,))
                index += 1
                self.skip_blank(newlines=True)
                if self.peek() == ",":
                    self.move_to(self.pos + 1)
        elif char in "\"'":
            self.string()
        else:
            start = self.pos
            while self.peek() and self.peek() not in ",]}\n#":
                self.pos += 1
            if self.pos == start:
                raise ValueError(f"expected a value at line {self.line}")

    def string(self) -> None:
        """Skip one string of any of the four kinds, counting its lines."""
        quote = self.peek()
        if self.text.startswith(quote * 3, self.pos):
            end = self.pos + 3
            while True:
                if quote == '"' and self.text[end] == "\\":
                    end += 2
                elif self.text.startswith(quote * 3, end):
                    end += 3
                    while end < len(self.text) and self.text[end] == quote:
                        end += 1  # up to two quotes may end the content
                    break
                else:
                    end += 1
        else:
            end = self.pos + 1
            while self.text[end] != quote:
                end += 2 if quote == '"' and self.text[end] == "\\" else 1
            end += 1
        self.move_to(end)
