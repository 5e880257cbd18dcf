"""The browser UI, served by the HTTP service at ``/``: static HTML/JS/CSS, no CDN.

Plotly's JavaScript is served from the ``plotly`` Python package's own bundled
``package_data/plotly.min.js`` (the UI works offline); everything else is in ``web/static``.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from fastapi import FastAPI, HTTPException
from fastapi.responses import FileResponse
from fastapi.staticfiles import StaticFiles

__all__ = ["mount_web", "plotly_js_path", "static_dir"]


def static_dir() -> Path:
    """Directory of the UI's own files."""
    return Path(str(resources.files("immunobalance.web") / "static"))


def plotly_js_path() -> Path:
    """``plotly.min.js`` as shipped inside the installed ``plotly`` package."""
    import plotly

    return Path(plotly.__file__).parent / "package_data" / "plotly.min.js"


def mount_web(app: FastAPI) -> None:
    """Serve ``/`` (the single-page UI), ``/static/*`` and ``/static/vendor/plotly.min.js``."""

    @app.get("/", include_in_schema=False)
    def index() -> FileResponse:
        return FileResponse(static_dir() / "index.html", media_type="text/html")

    @app.get("/static/vendor/plotly.min.js", include_in_schema=False)
    def plotly_js() -> FileResponse:
        path = plotly_js_path()
        if not path.is_file():
            raise HTTPException(404, "plotly.min.js is not in the installed plotly package")
        return FileResponse(
            path,
            media_type="text/javascript",
            headers={"Cache-Control": "public, max-age=86400"},
        )

    app.mount("/static", StaticFiles(directory=static_dir()), name="static")
