"""Resources, in two sets chosen by FLYWHEEL_ENV: `prod` (real APIs, keys from env vars) and `demo` (the
generated company served by a local fake of the same APIs, so the demo runs the production connectors)."""

from __future__ import annotations

import atexit
import functools
import os
import sys
import threading
from datetime import UTC, datetime, time, timedelta
from pathlib import Path

import dagster as dg
from dagster_dbt import DbtCliResource

from orchestration.dbt_project import dbt_project
from python_assets.connectors.graph import GraphClient
from python_assets.connectors.http import HttpClient, RetryPolicy
from python_assets.connectors.windsurf import WindsurfClient
from python_assets.settings import PROJECT_ROOT, duckdb_path


class HttpSettings(dg.Config):
    timeout_s: float = 30.0
    max_attempts: int = 6
    base_delay_s: float = 0.5


class WindsurfResource(dg.ConfigurableResource):
    """The Windsurf analytics API. The service key comes from the environment and is never logged."""

    base_url: str = "https://server.codeium.com"
    service_key: str = ""
    group_name: str | None = None
    max_workers: int = 4
    chunk_days: int = 7
    http: HttpSettings = HttpSettings()

    def client(self) -> WindsurfClient:
        return self._build(self.base_url)

    def _build(self, base_url: str) -> WindsurfClient:
        policy = RetryPolicy(self.http.max_attempts, self.http.base_delay_s, timeout_s=self.http.timeout_s)
        return WindsurfClient(base_url, self.service_key, HttpClient(policy, pool_size=self.max_workers),
                              group_name=self.group_name, max_workers=self.max_workers, chunk_days=self.chunk_days)


class GraphResource(dg.ConfigurableResource):
    """Microsoft Graph (app-only client credentials), the AI tool's group, and the backup drive."""

    graph_url: str = "https://graph.microsoft.com"
    login_url: str = "https://login.microsoftonline.com"
    tenant_id: str = ""
    client_id: str = ""
    client_secret: str = ""
    ai_group_id: str = ""
    page_size: int = 999
    shard_workers: int = 4  # directory shards fetched at once
    http: HttpSettings = HttpSettings()

    def client(self) -> GraphClient:
        return self._build(self.graph_url, self.login_url)

    def _build(self, graph_url: str, login_url: str) -> GraphClient:
        policy = RetryPolicy(self.http.max_attempts, self.http.base_delay_s, timeout_s=self.http.timeout_s)
        return GraphClient(graph_url, login_url, self.tenant_id, self.client_id, self.client_secret,
                           HttpClient(policy), page_size=self.page_size)


class BackupResource(dg.ConfigurableResource):
    """Where dated mart snapshots go: `local` (default) writes to `local_dir`, or when that is empty to
    `<root>/backups` under the storage root (a folder, or the bucket when the root is S3); `sharepoint` uploads to
    a SharePoint/OneDrive drive via Graph."""

    target: str = "local"  # local | sharepoint
    local_dir: str = ""
    drive_id: str = ""
    folder: str = "flywheel-backups"


def _env_list(name: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, "").split(",") if item.strip()]


class WarehouseSettings(dg.ConfigurableResource):
    """The dbt knobs an operator sets per deployment (defaults in dbt_project.yml). The numbers reach dbt as
    vars; the privacy lists (email addresses, any case, added to the seeds) as env vars, so they never appear in
    the logged dbt command line."""

    lookback_days: int = 3
    inactive_after_days: int = 14
    small_group_k: int = 5
    deny_emails: list[str] = []
    allow_emails: list[str] = []

    def dbt_vars(self) -> dict:
        return {"lookback_days": self.lookback_days, "inactive_after_days": self.inactive_after_days,
                "small_group_k": self.small_group_k}

    def dbt_env(self) -> dict[str, str]:
        return {"FLYWHEEL_DENY_LIST": ",".join(self.deny_emails), "FLYWHEEL_ALLOW_LIST": ",".join(self.allow_emails)}

    @classmethod
    def from_env(cls, **overrides) -> WarehouseSettings:
        values = {
            "lookback_days": int(os.environ.get("FLYWHEEL_LOOKBACK_DAYS", "3")),
            "inactive_after_days": int(os.environ.get("FLYWHEEL_INACTIVE_AFTER_DAYS", "14")),
            "small_group_k": int(os.environ.get("FLYWHEEL_SMALL_GROUP_K", "5")),
            "deny_emails": _env_list("FLYWHEEL_DENY_LIST"),
            "allow_emails": _env_list("FLYWHEEL_ALLOW_LIST"),
        }
        return cls(**{**values, **overrides})


class FreshnessSettings(dg.ConfigurableResource):
    """How old the newest pull may be, judged against `now` (ISO datetime; empty = the real clock). The demo sets
    `now` to the morning after its fixed history, so its checks judge the data as a daily run would."""

    max_age_hours: float = 36.0
    now: str = ""

    def clock(self) -> datetime:
        return datetime.fromisoformat(self.now) if self.now else datetime.now(UTC)

    @classmethod
    def from_env(cls, **overrides) -> FreshnessSettings:
        values = {"max_age_hours": float(os.environ.get("FLYWHEEL_MAX_AGE_HOURS", "36")),
                  "now": os.environ.get("FLYWHEEL_FRESHNESS_NOW", "")}
        return cls(**{**values, **overrides})


_DEMO_SERVERS: dict = {}
_DEMO_LOCK = threading.Lock()


def _demo_key(people: int, seed: int) -> tuple:
    from datetime import date

    from python_assets.demo.company import DEMO_DAYS, DEMO_START  # the demo enters only here

    start = date.fromisoformat(os.environ.get("FLYWHEEL_DEMO_START", DEMO_START.isoformat()))
    return people, seed, start, int(os.environ.get("FLYWHEEL_DEMO_DAYS", DEMO_DAYS))


@functools.cache
def _demo_company(people: int, seed: int, start, days: int):
    from python_assets.demo.company import generate_company

    return generate_company(seed=seed, people=people, start=start, days=days)


def demo_company(people: int = 2000, seed: int = 7):
    """The generated demo company (cheap: no usage). FLYWHEEL_DEMO_START / FLYWHEEL_DEMO_DAYS change its range."""
    return _demo_company(*_demo_key(people, seed))


def demo_server(people: int = 2000, seed: int = 7):
    """The fake Windsurf + Graph server over the demo company and its usage: one per process, started on first
    use (the benchmark uses a year)."""
    from python_assets.demo.fake_api import FakeApiServer
    from python_assets.demo.usage import generate_usage

    with _DEMO_LOCK:
        key = _demo_key(people, seed)
        if key not in _DEMO_SERVERS:
            company = _demo_company(*key)
            server = FakeApiServer(company, generate_usage(company, seed=seed), seed=seed)
            server.start()
            atexit.register(server.stop)
            _DEMO_SERVERS[key] = server
        return _DEMO_SERVERS[key]


class DemoWindsurfResource(WindsurfResource):
    """The production Windsurf connector pointed at the demo's fake server."""

    people: int = int(os.environ.get("FLYWHEEL_DEMO_PEOPLE", "2000"))
    seed: int = 7
    service_key: str = "demo-service-key"

    def client(self) -> WindsurfClient:
        return self._build(demo_server(self.people, self.seed).url)


class DemoGraphResource(GraphResource):
    """The production Graph connector pointed at the demo's fake server."""

    people: int = int(os.environ.get("FLYWHEEL_DEMO_PEOPLE", "2000"))
    seed: int = 7
    tenant_id: str = "demo-tenant"
    client_id: str = "demo-client"
    client_secret: str = "demo-secret"

    def client(self) -> GraphClient:
        url = demo_server(self.people, self.seed).url
        return self._build(url, url)


class GitResource(dg.ConfigurableResource):
    """Git repositories to read, and the branches to follow in each: local clones (a path, or `name=path` to name
    it) and hosted ones read through their API (`github:owner/repo`, `gitlab:<project id or path>`,
    `bitbucket:workspace/slug`; API roots and credentials from the environment, see git_hosts.hosted_reader)."""

    repos: list[str] = []
    hosted: list[str] = []
    branches: list[str] = ["main"]
    http: HttpSettings = HttpSettings()

    def repo_configs(self) -> list:
        from python_assets.connectors.git_hosts import hosted_reader
        from python_assets.ingest.git_sync import RepoConfig

        out = []
        for entry in self.repos:
            name, _, path = entry.rpartition("=")
            out.append(RepoConfig(name or Path(path).name, path, tuple(self.branches)))
        policy = RetryPolicy(self.http.max_attempts, self.http.base_delay_s, timeout_s=self.http.timeout_s)
        for entry in self.hosted:
            out.append(RepoConfig(entry, "", tuple(self.branches), reader=hosted_reader(entry, HttpClient(policy))))
        return out


@functools.cache
def _demo_repos(people: int, seed: int, start, days: int, root: str) -> tuple[str, ...]:
    from python_assets.demo.git_repos import build_demo_repos

    return tuple(str(r.path) for r in build_demo_repos(_demo_company(people, seed, start, days), Path(root)))


class DemoGitResource(GitResource):
    """The demo company's generated repositories (real git, built once per process under `root`)."""

    people: int = int(os.environ.get("FLYWHEEL_DEMO_PEOPLE", "2000"))
    seed: int = 7
    root: str = str(PROJECT_ROOT / "lake" / "demo_repos")

    def repo_configs(self) -> list:
        paths = _demo_repos(*_demo_key(self.people, self.seed), self.root)
        return GitResource(repos=list(paths), branches=self.branches).repo_configs()


class LogSourcesResource(dg.ConfigurableResource):
    """The log sources to ingest: `config` is JSON, `[{"name", "path", "glob", "format"}, ...]`, or the path of a
    file holding it (FLYWHEEL_LOG_SOURCES). Empty: no log sources (the adoption pipeline runs without them)."""

    config: str = ""

    def sources(self) -> list:
        from python_assets.logs.ingest import sources_from_config

        text = self.config.strip()
        if not text:
            return []
        if not text.startswith("["):
            path = Path(text).expanduser()
            if not path.is_file():
                raise FileNotFoundError(f"FLYWHEEL_LOG_SOURCES: {path} is neither JSON nor a file")
            return sources_from_config(path.read_text(), base=path.parent)
        return sources_from_config(text, base=PROJECT_ROOT)


@functools.cache
def _demo_logs(people: int, seed: int, start, days: int, root: str) -> str:
    from python_assets.demo.logs import generate_logs

    generate_logs(_demo_company(people, seed, start, days), Path(root), seed=seed)
    return root


class DemoLogSourcesResource(LogSourcesResource):
    """The demo company's generated logs, one source per format (written once per process under `root`)."""

    people: int = int(os.environ.get("FLYWHEEL_DEMO_PEOPLE", "2000"))
    seed: int = 7
    root: str = str(PROJECT_ROOT / "lake" / "demo_logs")

    def sources(self) -> list:
        from python_assets.logs.formats import FORMATS
        from python_assets.logs.ingest import sources_from_config

        root = _demo_logs(*_demo_key(self.people, self.seed), self.root)
        return sources_from_config([{"name": f"demo_{fmt}", "path": str(Path(root) / fmt), "glob": "*",
                                     "format": fmt} for fmt in FORMATS])


class LogSettings(dg.ConfigurableResource):
    """Segmentation: a session splits into separate training units after this much inactivity."""

    gap_minutes: int = int(os.environ.get("FLYWHEEL_LOG_GAP_MINUTES", "30"))


class VenvDbtCliResource(DbtCliResource):
    """dbt of this interpreter's environment (the venv), found without PATH. Its version is the installed
    dbt-core's: dagster-dbt would otherwise run `dbt --version` in a subprocess on every run (~4 s here)."""

    @functools.cached_property
    def _cli_version(self):
        from dbt.version import __version__
        from packaging import version

        return version.parse(__version__)


def dbt_resource() -> DbtCliResource:
    executable = Path(sys.executable).parent / "dbt"
    if not executable.exists():  # not a venv: whatever dbt PATH finds, asked for its version
        return DbtCliResource(project_dir=dbt_project, profiles_dir=str(dbt_project.profiles_dir))
    return VenvDbtCliResource(project_dir=dbt_project, profiles_dir=str(dbt_project.profiles_dir),
                              dbt_executable=str(executable))


def resources_for(env: str | None = None) -> dict:
    env = env or os.environ.get("FLYWHEEL_ENV", "demo")
    dbt = dbt_resource()
    backup = BackupResource(
        target=os.environ.get("FLYWHEEL_BACKUP_TARGET", "local"),
        local_dir=os.environ.get("FLYWHEEL_BACKUP_DIR", ""),
        drive_id=os.environ.get("FLYWHEEL_BACKUP_DRIVE_ID", ""),
        folder=os.environ.get("FLYWHEEL_BACKUP_FOLDER", "flywheel-backups"),
    )
    os.environ.setdefault("FLYWHEEL_DUCKDB_PATH", duckdb_path())
    if env == "prod":
        return {
            "windsurf": WindsurfResource(base_url=os.environ.get("WINDSURF_BASE_URL", "https://server.codeium.com"),
                                         service_key=dg.EnvVar("WINDSURF_SERVICE_KEY"),
                                         group_name=os.environ.get("WINDSURF_GROUP_NAME") or None),
            "graph": GraphResource(tenant_id=dg.EnvVar("GRAPH_TENANT_ID"), client_id=dg.EnvVar("GRAPH_CLIENT_ID"),
                                   client_secret=dg.EnvVar("GRAPH_CLIENT_SECRET"),
                                   ai_group_id=dg.EnvVar("GRAPH_AI_GROUP_ID")),
            "backup_target": backup,
            "dbt": dbt,
            "git": GitResource(repos=_env_list("FLYWHEEL_GIT_REPOS"), hosted=_env_list("FLYWHEEL_GIT_HOSTED"),
                               branches=_env_list("FLYWHEEL_GIT_BRANCHES") or ["main"]),
            "log_sources": LogSourcesResource(config=os.environ.get("FLYWHEEL_LOG_SOURCES", "")),
            "log_settings": LogSettings(),
        }
    if env != "demo":
        raise ValueError(f"FLYWHEEL_ENV must be demo or prod, not {env!r}")
    from python_assets.demo.company import AI_GROUP_ID

    # The demo company's people who asked to be left out join the configured deny list.
    company = demo_company(DemoWindsurfResource().people)
    settings = WarehouseSettings.from_env()
    morning_after = datetime.combine(company.end + timedelta(days=1), time(12), UTC).isoformat()
    return {
        "windsurf": DemoWindsurfResource(),
        "graph": DemoGraphResource(ai_group_id=AI_GROUP_ID),
        "git": DemoGitResource(),
        "log_sources": DemoLogSourcesResource(),
        "log_settings": LogSettings(),
        "backup_target": backup,
        "dbt": dbt,
        "warehouse": settings.model_copy(update={"deny_emails": [*settings.deny_emails,
                                                                 *company.deny_list_emails]}),
        "freshness": FreshnessSettings.from_env(now=os.environ.get("FLYWHEEL_FRESHNESS_NOW") or morning_after),
    }
