"""The Slack adapter: slack-bolt AsyncApp, Socket Mode or HTTP mode, Block Kit answers from the core."""

from bot.slack.app import build_app
from bot.slack.config import OAuthConfig, SlackConfigError
from bot.slack.manifest import manifest
from bot.slack.runner import run_slack_http, run_slack_socket, start_slack_http, start_slack_socket

__all__ = [
    "OAuthConfig",
    "SlackConfigError",
    "build_app",
    "manifest",
    "run_slack_http",
    "run_slack_socket",
    "start_slack_http",
    "start_slack_socket",
]
