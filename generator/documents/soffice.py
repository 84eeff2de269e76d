"""Where LibreOffice's ``soffice`` is: the places its installers put it, not only the PATH.

Looked for in this order:
1. ``AFTERSALES_SOFFICE`` (a path, or a command on the PATH): when set, only there;
2. ``soffice`` / ``libreoffice`` on the PATH;
3. Windows: the registry's App Paths entry for soffice.exe (HKLM, then HKCU), then
   ``LibreOffice\\program\\soffice.exe`` under Program Files and Program Files (x86);
4. macOS: /Applications (and ~/Applications) LibreOffice.app; Linux: the distribution paths.

Every outside fact (environment, PATH look-up, file existence, registry) is a parameter so the
tests can fake a Windows or macOS machine on Linux.
"""
from __future__ import annotations

import os
import shutil
import sys
from pathlib import PureWindowsPath

ENV_VAR = "AFTERSALES_SOFFICE"
APP_PATHS_KEY = r"SOFTWARE\Microsoft\Windows\CurrentVersion\App Paths\soffice.exe"
LINUX_PATHS = ("/usr/bin/soffice", "/usr/lib/libreoffice/program/soffice", "/opt/libreoffice/program/soffice",
               "/snap/bin/libreoffice")
MAC_APP = "LibreOffice.app/Contents/MacOS/soffice"


def registry_app_path() -> str | None:
    """soffice.exe's default value under App Paths (what the Windows installer registers)."""
    try:
        import winreg  # Windows only
    except ImportError:
        return None
    for hive in (winreg.HKEY_LOCAL_MACHINE, winreg.HKEY_CURRENT_USER):
        try:
            with winreg.OpenKey(hive, APP_PATHS_KEY) as key:
                value, _ = winreg.QueryValueEx(key, "")
                if value:
                    return str(value).strip('"')
        except OSError:
            continue
    return None


def candidates(platform: str, env: dict, home: str | None = None) -> list[str]:
    """The absolute paths where an installer puts soffice on this platform, most likely first."""
    if platform == "win32":
        roots = [env.get(k) for k in ("ProgramFiles", "ProgramW6432", "ProgramFiles(x86)")]
        roots += [r"C:\Program Files", r"C:\Program Files (x86)"]
        out = []
        for root in roots:
            if root:
                p = str(PureWindowsPath(root, "LibreOffice", "program", "soffice.exe"))
                if p not in out:
                    out.append(p)
        return out
    if platform == "darwin":
        return [f"/Applications/{MAC_APP}"] + ([f"{home}/Applications/{MAC_APP}"] if home else [])
    return list(LINUX_PATHS)


def find_soffice(*, env: dict | None = None, platform: str | None = None, which=shutil.which,
                 exists=os.path.isfile, registry=registry_app_path) -> str | None:
    """The soffice executable, or None when LibreOffice is not installed."""
    env = os.environ if env is None else env
    platform = platform or sys.platform
    chosen = env.get(ENV_VAR)
    if chosen:
        return chosen if exists(chosen) else which(chosen)
    for name in ("soffice", "libreoffice"):
        found = which(name)
        if found:
            return found
    if platform == "win32":
        found = registry()
        if found and exists(found):
            return found
    return next((p for p in candidates(platform, env, env.get("HOME")) if exists(p)), None)


__all__ = ["ENV_VAR", "candidates", "find_soffice", "registry_app_path"]
