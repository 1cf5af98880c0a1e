import runpy
from pathlib import Path

SETTINGS_FILE = Path(__file__).resolve().parents[2] / "careerrelay" / "settings.py"


def settings_for_environment(monkeypatch, tmp_path, **environ) -> dict:
    """careerrelay/settings.py evaluated again under other environment variables."""
    monkeypatch.setenv("VAR_DIR", str(tmp_path / "var"))
    for name, value in environ.items():
        monkeypatch.setenv(name, value)
    return runpy.run_path(str(SETTINGS_FILE), run_name="careerrelay_settings_under_test")
