"""MLflow tracking used by every job: one run per job, rank-0-only logging.

Tracking URI: ``tracking.uri`` if set, else ``$MLFLOW_TRACKING_URI``, else a sqlite file
``<run.dir>/mlflow.db`` with artifacts in ``<run.dir>/mlartifacts``. Non-zero ranks (and
``tracking.enabled: false``) get a tracker whose calls do nothing.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Any

from songsage.config import Config, flatten, to_dict
from songsage.config.paths import is_uri, join, run_dir
from songsage.storage import local_copy

RUN_DIR_TAG = "run_dir"  # every run's run.dir: finds the runs of one pipeline run (lineage)
# MLflow caps a param value at 6000 characters (older servers: 500); longer ones go in config.json.
MAX_PARAM_CHARS = 500


def tracking_uri(cfg: Config) -> str:
    """Resolve the MLflow tracking URI for this config."""
    if cfg.tracking.uri:
        return cfg.tracking.uri
    if os.environ.get("MLFLOW_TRACKING_URI"):
        return os.environ["MLFLOW_TRACKING_URI"]
    base = run_dir(cfg)
    if is_uri(base):
        raise ValueError("tracking.uri must be set when run.dir is a URI (sqlite needs a local file)")
    Path(base).mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{base}/mlflow.db"


def _artifact_location(cfg: Config) -> str | None:
    if cfg.tracking.artifact_location:
        return cfg.tracking.artifact_location
    uri = tracking_uri(cfg)
    if uri.startswith("sqlite:///"):
        return Path(join(run_dir(cfg), "mlartifacts")).resolve().as_uri()
    return None


class Tracker:
    """A thin MLflow wrapper. Use as a context manager: ``with Tracker(cfg, "curate") as t: ...``."""

    def __init__(
        self,
        cfg: Config,
        job: str,
        rank: int = 0,
        tags: dict[str, str] | None = None,
        nested: bool = False,
    ) -> None:
        self.cfg = cfg
        self.job = job
        self.active = cfg.tracking.enabled and rank == 0
        self.nested = nested  # a child of the process's active run (the main job's parent run)
        self.tags = {"job": job, "profile": cfg.run.name, RUN_DIR_TAG: run_dir(cfg), **(tags or {})}
        self.run_id: str | None = None
        self.uri: str | None = None
        self._mlflow: Any = None

    def __enter__(self) -> Tracker:
        if not self.active:
            return self
        import mlflow

        self._mlflow = mlflow
        self.uri = tracking_uri(self.cfg)
        # mlflow.set_tracking_uri also exports MLFLOW_TRACKING_URI; put the user's value back so the
        # next job in this process (another run.dir) resolves its own URI instead of inheriting ours.
        user_env = os.environ.get("MLFLOW_TRACKING_URI")
        mlflow.set_tracking_uri(self.uri)
        if user_env is None:
            os.environ.pop("MLFLOW_TRACKING_URI", None)
        else:
            os.environ["MLFLOW_TRACKING_URI"] = user_env
        name = self.cfg.tracking.experiment
        if mlflow.get_experiment_by_name(name) is None:
            mlflow.create_experiment(name, artifact_location=_artifact_location(self.cfg))
        mlflow.set_experiment(name)
        run = mlflow.start_run(run_name=f"{self.job}-{self.cfg.run.name}", tags=self.tags, nested=self.nested)
        self.run_id = run.info.run_id
        self.log_config()
        return self

    def __exit__(self, exc_type: Any, exc: Any, tb: Any) -> None:
        if self._mlflow is not None:
            self._mlflow.end_run(status="FAILED" if exc_type else "FINISHED")

    def log_config(self) -> None:
        """Params = flattened config (long values truncated) + the full config as config.json."""
        tree = to_dict(self.cfg)
        params = {}
        for k, v in flatten(tree).items():
            text = json.dumps(v, ensure_ascii=False) if not isinstance(v, str) else v
            params[k] = text[:MAX_PARAM_CHARS]
        self.log_params(params)
        self.log_dict(tree, "config.json")

    def log_params(self, params: dict[str, Any]) -> None:
        if self.active:
            self._mlflow.log_params(params)

    def log_metrics(self, metrics: dict[str, float], step: int | None = None) -> None:
        if self.active:
            clean = {k: float(v) for k, v in metrics.items() if isinstance(v, (int, float))}
            self._mlflow.log_metrics(clean, step=step)

    def set_tags(self, tags: dict[str, str]) -> None:
        if self.active:
            self._mlflow.set_tags(tags)

    def log_dict(self, data: Any, name: str) -> None:
        if self.active:
            self._mlflow.log_dict(data, name)

    def log_text(self, text: str, name: str) -> None:
        if self.active:
            self._mlflow.log_text(text, name)

    def log_artifact(self, path: str, artifact_path: str | None = None) -> None:
        """Log one file (local path or URI: read through the node-local cache)."""
        if self.active:
            self._mlflow.log_artifact(local_copy(path), artifact_path)

    def log_artifacts(self, path: str, artifact_path: str | None = None) -> None:
        """Log a directory's files (local path or URI: read through the node-local cache)."""
        if self.active:
            self._mlflow.log_artifacts(local_copy(path), artifact_path)

    def register_model(self, artifact_path: str, name: str) -> str:
        """Register this run's logged artifact directory ``artifact_path`` as a new version of the registered
        model ``name`` (created when missing); returns ``models:/<name>/<version>`` ('' when inactive).

        A model-registry version whose source is the run's own artifacts: MLflow 3's ``register_model`` wants
        a logged MLflow model flavour, while the stages log plain HF/PEFT directories that every loader reads."""
        if not self.active or self.run_id is None:
            return ""
        from mlflow import MlflowClient
        from mlflow.exceptions import MlflowException

        client = MlflowClient(tracking_uri=self.uri)
        try:
            client.create_registered_model(name)
        except MlflowException as exc:
            if exc.error_code != "RESOURCE_ALREADY_EXISTS":
                raise
        source = f"{client.get_run(self.run_id).info.artifact_uri.rstrip('/')}/{artifact_path}"
        version = client.create_model_version(name, source, run_id=self.run_id, tags={"job": self.job})
        uri = f"models:/{name}/{version.version}"
        self.set_tags({"registered_model": uri})
        return uri

    def where(self) -> str:
        """Human-readable location of this run (for closing summaries)."""
        if not self.active or self.run_id is None:
            return "tracking disabled"
        return f"{self.uri} (experiment {self.cfg.tracking.experiment!r}, run {self.run_id})"


def scratch_dir() -> str:
    """A temp dir for files that are logged as artifacts then discarded."""
    return tempfile.mkdtemp(prefix="songsage-")


def latest_run_id(cfg: Config, job: str) -> str:
    """Run id of the newest finished MLflow run of ``job`` under this ``run.dir`` ('' when none or tracking
    is off). Used for lineage: a stage tags the runs that made its inputs."""
    if not cfg.tracking.enabled:
        return ""
    from mlflow import MlflowClient

    client = MlflowClient(tracking_uri=tracking_uri(cfg))
    exp = client.get_experiment_by_name(cfg.tracking.experiment)
    if exp is None:
        return ""
    runs = client.search_runs(
        [exp.experiment_id],
        filter_string=f"tags.job = '{job}' and tags.{RUN_DIR_TAG} = '{run_dir(cfg)}' and attributes.status = 'FINISHED'",
        order_by=["attributes.start_time DESC"],
        max_results=1,
    )
    return runs[0].info.run_id if runs else ""
