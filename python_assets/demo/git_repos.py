"""Real git repositories for the demo: commits by the demo company's engineers over the demo range, written with
`git fast-import` (one process per repository, so thousands of commits take a second), so the local-git
connector runs `git` for real.

What a real history holds and the pipeline must handle: feature branches merged back (merge commits), renames,
deletions, binary files, vendored, generated and lock files, a mass reformat, bot authors, AI-assistant trailers
(Co-authored-by, Made-with, Generated with), authors who commit under an alias, a case variant or an address the
directory does not know. Seeded: the same company gives the same commits, byte for byte (and the same shas).
"""

from __future__ import annotations

import random
import subprocess
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from python_assets.demo.company import Company, Person

REPOS = (
    # name, language, departments whose people commit there
    ("payments-api", "py", ("Engineering",)),
    ("web-app", "ts", ("Engineering", "Design")),
    ("data-pipelines", "py", ("Data Science", "Engineering")),
)
BRANCH = "main"
BOTS = (
    ("dependabot[bot]", "49699333+dependabot[bot]@users.noreply.github.com"),
    ("renovate[bot]", "29139614+renovate[bot]@users.noreply.github.com"),
)
# an AI coding agent committing under its own identity
AGENT = ("copilot-swe-agent[bot]", "198982749+Copilot@users.noreply.github.com")
AI_TRAILERS = (
    "Co-authored-by: Claude <noreply@anthropic.com>",
    "Co-authored-by: Copilot <175728472+Copilot@users.noreply.github.com>",
    "Made-with: Cursor",
    "Generated with [Claude Code](https://claude.com/claude-code)",
)
_VERBS = ("Add", "Fix", "Refactor", "Update", "Remove", "Rename", "Document", "Test", "Speed up", "Clean up")
_THINGS = ("retry logic", "invoice export", "login flow", "rate limiter", "date parsing", "cache layer",
           "metrics endpoint", "schema migration", "error messages", "feature flag", "pagination", "CSV import")
_PNG = bytes.fromhex("89504e470d0a1a0a0000000d4948445200000001000000010806000000")  # a PNG header: binary


@dataclass
class DemoRepo:
    name: str
    path: Path
    commits: int = 0
    authors: set[str] = field(default_factory=set)


def _line(rng: random.Random, lang: str) -> str:
    name = rng.choice(("total", "items", "user", "rows", "result", "config", "payload", "retries"))
    if lang == "py":
        return f"    {name} = compute_{rng.choice(_THINGS).replace(' ', '_')}({rng.randint(0, 999)})"
    return f"  const {name} = compute{rng.choice(_THINGS).title().replace(' ', '')}({rng.randint(0, 999)});"


class _Writer:
    """A fast-import stream for one repository, with the files' current contents."""

    def __init__(self, lang: str, rng: random.Random):
        self.lang, self.rng = lang, rng
        self.files: dict[str, list[str]] = {}
        self.out: list[bytes] = []
        self.mark = 0
        self.heads: dict[str, int] = {}  # branch -> mark of its tip
        self.touched: dict[str, set[str]] = {}  # feature branch -> paths it changed

    def _data(self, payload: bytes) -> None:
        self.out.append(b"data %d\n" % len(payload) + payload + b"\n")

    def commit(self, branch: str, who: tuple[str, str], when: datetime, message: str,
               changes: list[tuple[str, str, object]], merge_from: str | None = None) -> int:
        """changes: ("M", path, lines | bytes), ("D", path, None), ("R", old, new)."""
        self.mark += 1
        stamp = f"{int(when.timestamp())} {when.strftime('%z')}"
        name, email = who
        head = [f"commit refs/heads/{branch}", f"mark :{self.mark}",
                f"author {name} <{email}> {stamp}", f"committer {name} <{email}> {stamp}"]
        self.out.append(("\n".join(head) + "\n").encode())
        self._data(message.encode())
        if branch in self.heads:
            self.out.append(f"from :{self.heads[branch]}\n".encode())
        if merge_from is not None:
            self.out.append(f"merge :{self.heads[merge_from]}\n".encode())
        if branch != BRANCH:
            self.touched.setdefault(branch, set()).update(
                p for op, a, b in changes for p in ((a, b) if op == "R" else (a,)))
        for op, a, b in changes:
            if op == "M":
                payload = b if isinstance(b, bytes) else ("\n".join(b) + "\n").encode()
                self.out.append(f"M 100644 inline {a}\n".encode())
                self._data(payload)
                if not isinstance(b, bytes):
                    self.files[a] = list(b)
            elif op == "D":
                self.out.append(f"D {a}\n".encode())
                self.files.pop(a, None)
            else:  # rename
                self.out.append(f'R "{a}" "{b}"\n'.encode())
                self.files[b] = self.files.pop(a)
        self.out.append(b"\n")
        self.heads[branch] = self.mark
        return self.mark

    def merge(self, branch: str, who: tuple[str, str], when: datetime) -> int:
        """Merge `branch` into BRANCH: the merge's tree is BRANCH's plus every file the feature touched, as the
        feature left it (BRANCH did not move meanwhile, so this is the merge git would make)."""
        touched = self.touched.pop(branch)
        changes = [("M", f, self.files[f]) if f in self.files else ("D", f, None) for f in sorted(touched)]
        mark = self.commit(BRANCH, who, when, f"Merge branch '{branch}'\n", changes, merge_from=branch)
        del self.heads[branch]
        return mark

    def edit(self, path: str, add: int, remove: int) -> tuple[str, str, list[str]]:
        lines = list(self.files.get(path, []))
        for _ in range(min(remove, len(lines))):
            lines.pop(self.rng.randrange(len(lines)))
        for _ in range(add):
            lines.insert(self.rng.randint(0, len(lines)), _line(self.rng, self.lang))
        return ("M", path, lines)


def _author(rng: random.Random, person: Person) -> tuple[str, str]:
    """The name and address a person commits under: mostly their mail, sometimes an alias or a case variant."""
    roll = rng.random()
    if roll < 0.15 and person.aliases:
        return person.display_name, person.aliases[0]
    if roll < 0.25:
        return person.display_name, person.mail.upper() if rng.random() < 0.5 else person.mail.title()
    return person.display_name, person.mail


def _stamp(day: date, person_zone: str | None, rng: random.Random) -> datetime:
    """An instant inside the UTC day (so days never overlap), shown with the person's own offset as git does."""
    instant = datetime.combine(day, time(rng.randint(1, 22), rng.randint(0, 59), rng.randint(0, 59)),
                               tzinfo=ZoneInfo("Etc/UTC"))
    return instant.astimezone(ZoneInfo(person_zone or "Etc/UTC"))


def build_demo_repos(company: Company, root: Path) -> list[DemoRepo]:
    """(Re)create the demo repositories under `root` (one bare-bones repo per entry of REPOS)."""
    rng = random.Random(f"git:{company.seed}")
    root.mkdir(parents=True, exist_ok=True)
    out = []
    for name, lang, departments in REPOS:
        devs = [p for p in company.people if p.department in departments and p.enabled]
        devs = rng.sample(devs, min(len(devs), max(4, len(devs) // 3)))
        outsider = ("Sam Contractor", f"sam.{name}@vendor.example")  # not in the directory: reported unmatched
        repo = DemoRepo(name, root / name)
        w = _Writer(lang, rng)
        ext = lang
        src = [f"src/{t.replace(' ', '_')}.{ext}" for t in _THINGS[:8]]
        lock = "poetry.lock" if lang == "py" else "package-lock.json"
        generated = "gen/api_pb2.py" if lang == "py" else "dist/app.min.js"
        first = datetime.combine(company.start - timedelta(days=1), time(8, 0), tzinfo=ZoneInfo("Etc/UTC"))
        w.commit(BRANCH, _author(rng, devs[0]), first, "Initial commit\n",
                 [("M", p, [_line(rng, lang) for _ in range(rng.randint(20, 60))]) for p in src]
                 + [("M", "README.md", ["# " + name, "", "Demo service."]),
                    ("M", lock, [f"pkg-{i} = {rng.randint(1, 9)}.{rng.randint(0, 20)}" for i in range(80)]),
                    ("M", "vendor/lib/util.js", ["function util() {}"] * 30)])
        repo.commits += 1
        feature = dev_commits = 0
        for d in range(company.days):
            day = company.start + timedelta(days=d)
            # the day's commits in time order, so every branch's history runs forward in time
            plan = [("dev", rng.choice(devs)) for _ in range(rng.randint(0, 1) if day.weekday() >= 5
                                                                else rng.randint(2, 6))]
            if d % 7 == 3:
                plan.append(("bot", None))  # a weekly dependency bump: lock file only
            if d % 11 == 5:
                plan.append(("agent", None))  # the coding agent lands a change itself
            if d == company.days // 2:
                plan.append(("reformat", rng.choice(devs)))  # every line of every source file
            timed = sorted((_stamp(day, p.timezone if p else None, rng), i, kind, p)
                           for i, (kind, p) in enumerate(plan))
            for when, _, kind, person in timed:
                repo.commits += 1
                if kind == "bot":
                    w.commit(BRANCH, rng.choice(BOTS), when, "Bump dependencies\n",
                             [w.edit(lock, rng.randint(2, 8), rng.randint(2, 8))])
                    continue
                if kind == "agent":
                    w.commit(BRANCH, AGENT, when, f"Fix {rng.choice(_THINGS)}\n",
                             [w.edit(rng.choice(sorted(f for f in w.files if f.startswith("src/"))),
                                     rng.randint(3, 30), 2)])
                    continue
                dev_commits += 1
                who = outsider if dev_commits % 25 == 7 else _author(rng, person)
                repo.authors.add(who[1])
                if kind == "reformat":
                    changes = [("M", f, [x.replace("    ", "\t") if lang == "py" else x.replace("  ", "    ")
                                         for x in lines]) for f, lines in sorted(w.files.items())
                               if f.startswith("src/")]
                    w.commit(BRANCH, who, when, "Reformat the code base\n", changes)
                    continue
                message = f"{rng.choice(_VERBS)} {rng.choice(_THINGS)}\n"
                # Windsurf users sometimes let another assistant co-author; a few others use one too
                if (person.uses_tool and rng.random() < 0.35) or dev_commits % 13 == 4:
                    message += "\n" + AI_TRAILERS[dev_commits % len(AI_TRAILERS)] + "\n"
                sources = sorted(f for f in w.files if f.startswith("src/"))
                changes = [w.edit(f, rng.randint(1, 25), rng.randint(0, 10))
                           for f in rng.sample(sources, min(len(sources), rng.randint(1, 3)))]
                roll = rng.random()
                if roll < 0.04:
                    changes.append(("M", f"assets/logo-{d}.png", _PNG + bytes([d % 256])))
                elif roll < 0.08:
                    changes.append(w.edit(generated, rng.randint(50, 200), rng.randint(0, 50)))
                elif roll < 0.11 and (top := [f for f in sources if f.count("/") == 1]):
                    old = rng.choice(top)  # a move into a package, once per file
                    changes = [c for c in changes if c[1] != old] + [("R", old, old.replace("src/", "src/core/"))]
                if rng.random() < 0.2:  # a feature branch: two commits, merged back
                    feature += 1
                    branch = f"feature/{feature}"
                    w.heads[branch] = w.heads[BRANCH]
                    w.commit(branch, who, when, message, changes)
                    touched = next(c[1] for c in changes if c[0] == "M") if changes[0][0] == "M" else sources[0]
                    w.commit(branch, who, when + timedelta(seconds=30), "Address review comments\n",
                             [w.edit(touched if touched in w.files else sources[0], rng.randint(1, 5), 1)])
                    w.merge(branch, who, when + timedelta(seconds=60))
                    repo.commits += 2
                else:
                    w.commit(BRANCH, who, when, message, changes)
        _fast_import(repo.path, b"".join(w.out))
        out.append(repo)
    return out


def _fast_import(path: Path, stream: bytes) -> None:
    if path.exists():
        subprocess.run(["rm", "-rf", str(path)], check=True)
    subprocess.run(["git", "init", "-q", "-b", BRANCH, str(path)], check=True)
    subprocess.run(["git", "-C", str(path), "fast-import", "--quiet"], input=stream, check=True)
    # feature branches were merged; delete their refs as a host does after a merge
    refs = subprocess.run(["git", "-C", str(path), "for-each-ref", "--format=%(refname)", "refs/heads/feature"],
                          capture_output=True, text=True, check=True).stdout.split()
    for ref in refs:
        subprocess.run(["git", "-C", str(path), "update-ref", "-d", ref], check=True)
    subprocess.run(["git", "-C", str(path), "checkout", "-q", BRANCH], check=True)


def rewrite_last_commits(path: Path, when: date, n: int = 2) -> tuple[str, list[str]]:
    """Rewrite the branch's last `n` non-merge commits (reworded, same changes, committed on `when`), as
    `git rebase -i` + `git push --force` would. Returns the fork point and every commit the branch no longer
    has (the rewritten ones and anything after them)."""
    import os

    env = {**os.environ, "GIT_COMMITTER_DATE": f"{when}T12:00:00+00:00",
           "GIT_COMMITTER_NAME": "Release Bot", "GIT_COMMITTER_EMAIL": "release@corp.example"}

    def git(*args: str) -> str:
        return subprocess.run(["git", "-C", str(path), *args], check=True, capture_output=True, text=True,
                              env=env).stdout

    old = git("rev-list", f"-{n}", "--no-merges", "--first-parent", BRANCH).split()
    base = git("rev-parse", f"{old[-1]}^").strip()
    dropped = git("rev-list", f"{base}..{BRANCH}").split()
    git("reset", "-q", "--hard", base)
    for sha in reversed(old):
        git("cherry-pick", "--allow-empty", "-x", sha)
    return base, dropped
