#!/bin/sh
# Prepare this machine for `make run` / `make test`: the Debian packages Qt
# needs (packaging/debian-packages.txt), a .venv, and the package installed
# into it. Safe to run again; with nothing to do it returns in about a second.
set -eu
cd "$(dirname "$0")/.."

PYTHON=${PYTHON:-python3}
VENV=.venv

# --- system packages -------------------------------------------------------
wanted=$(sed -e 's/#.*//' -e '/^[[:space:]]*$/d' packaging/debian-packages.txt)
if ! "$PYTHON" -c 'import ensurepip, venv' 2>/dev/null; then
    wanted="$wanted python3-venv"   # Debian's python3 ships venv separately
fi

if command -v dpkg-query >/dev/null 2>&1; then
    installed=$(dpkg-query -W -f='${Package} ${db:Status-Status}\n' $wanted 2>/dev/null \
                | awk '$2 == "installed" { print $1 }')
    missing=""
    for p in $wanted; do
        echo "$installed" | grep -qx "$p" || missing="$missing $p"
    done
    if [ -n "$missing" ]; then
        if [ "$(id -u)" = 0 ]; then
            echo "bootstrap: installing system packages:$missing"
            apt-get update -qq
            DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $missing
        else
            echo "bootstrap: these system packages are missing:$missing" >&2
            echo "bootstrap: install them as root, then run make again:" >&2
            echo "    apt-get install -y --no-install-recommends$missing" >&2
            exit 1
        fi
    fi
else
    echo "bootstrap: not a Debian system; install the equivalents of" \
         "packaging/debian-packages.txt yourself" >&2
fi

# --- virtual environment and the package -----------------------------------
# Reinstall only when pyproject.toml (the dependency list) changes.
stamp="$VENV/.installed-$(cksum pyproject.toml | cut -d' ' -f1)"
if [ ! -f "$stamp" ]; then
    if [ ! -x "$VENV/bin/python" ]; then
        echo "bootstrap: creating $VENV with $("$PYTHON" --version)"
        "$PYTHON" -m venv "$VENV"
    fi
    echo "bootstrap: installing infusion-kiosk and its test tools into $VENV"
    "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check -e '.[test]'
    rm -f "$VENV"/.installed-*
    touch "$stamp"
fi

# --- translations of the kiosk's own words (staff screens) -----------------
# Qt loads compiled .qm files; build each from its .ts when missing or older.
for ts in kiosk/i18n/*.ts; do
    [ -e "$ts" ] || continue
    qm="${ts%.ts}.qm"
    if [ ! -f "$qm" ] || [ "$ts" -nt "$qm" ]; then
        if ! out=$("$VENV/bin/pyside6-lrelease" -silent "$ts" -qm "$qm" 2>&1); then
            printf '%s\n' "$out" >&2
            echo "bootstrap: pyside6-lrelease could not build $qm from $ts;" \
                 "fix the .ts file (open it in pyside6-linguist) and run make setup again" >&2
            rm -f "$qm"
            exit 1
        fi
    fi
done
