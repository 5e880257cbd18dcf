"""HTML reports: packaged Jinja2 templates, figures as inline PNG (self-contained, no CDN)."""

from immunobalance.report._figures import figure_to_img, pyplot
from immunobalance.report._recommendation import recommendation_html, trajectory_figure
from immunobalance.report._render import render_template, write_html

__all__ = [
    "figure_to_img",
    "pyplot",
    "recommendation_html",
    "render_template",
    "trajectory_figure",
    "write_html",
]
