#!/bin/sh
# Install infusion-kiosk on a clean Debian 12 machine as a locked kiosk session
# on tty1, or stage the same files under a folder (--root) to copy to a machine.
# Safe to run again: it updates the program and the service, and never
# overwrites /etc/infusion-kiosk/kiosk.toml. Run deploy/install.sh --help.
set -eu
umask 022

say() { printf 'install: %s\n' "$*"; }
warn() { printf 'install: warning: %s\n' "$*" >&2; }
die() { printf 'install: %s\n' "$*" >&2; exit 1; }

usage() {
    cat <<'EOF'
Usage: deploy/install.sh [--root DIR] [--wheel FILE] [--session wayland|x11] [--no-apt]

Installs infusion-kiosk as a full-screen kiosk session on tty1 (as root):
  /opt/infusion-kiosk                the program (a Python venv) and share/
  /etc/infusion-kiosk/kiosk.toml     this machine's settings (kept if present)
  /etc/infusion-kiosk/conf.d/        drop-in settings, read after kiosk.toml
  /var/lib/infusion-kiosk            the kiosk's state and its event log
  /etc/systemd/system/infusion-kiosk.service, enabled at boot
and a system account "infusion-kiosk" to run it.

Options:
  --root DIR       stage everything under DIR instead of this machine: no
                   packages, no accounts, no systemctl on this machine; the
                   kiosk id comes from DIR/etc/hostname if there is one
  --wheel FILE     the infusion_kiosk-*.whl to install (default: the newest in
                   dist/ of this checkout, built with `make wheel` if none)
  --session KIND   wayland (default; the cage compositor) or x11 (Xorg + openbox)
  --no-apt         do not install missing Debian packages
  -h, --help       show this help
EOF
}

usage_error() {
    printf 'install: %s\n' "$*" >&2
    echo "install: see deploy/install.sh --help" >&2
    exit 2
}

ROOT=""
ROOT_GIVEN=no
WHEEL=""
SESSION=wayland
APT=yes
while [ $# -gt 0 ]; do
    case $1 in
        --root) [ $# -ge 2 ] || usage_error "--root needs a folder"; ROOT=$2; ROOT_GIVEN=yes; shift 2 ;;
        --root=*) ROOT=${1#--root=}; ROOT_GIVEN=yes; shift ;;
        --wheel) [ $# -ge 2 ] || usage_error "--wheel needs a file"; WHEEL=$2; shift 2 ;;
        --wheel=*) WHEEL=${1#--wheel=}; shift ;;
        --session) [ $# -ge 2 ] || usage_error "--session needs wayland or x11"; SESSION=$2; shift 2 ;;
        --session=*) SESSION=${1#--session=}; shift ;;
        --no-apt) APT=no; shift ;;
        -h|--help) usage; exit 0 ;;
        *) usage_error "unknown argument: $1" ;;
    esac
done
case $SESSION in
    wayland|x11) ;;
    *) usage_error "--session must be wayland or x11, not '$SESSION'" ;;
esac

DEPLOY=$(cd "$(dirname "$0")" && pwd -P)
REPO=$(dirname "$DEPLOY")
NAME=infusion-kiosk
PYTHON=/usr/bin/python3          # Debian's python3: the venv must not depend on anything else
APP=/opt/infusion-kiosk          # paths as on the installed machine; $ROOT is put in front
ETC=/etc/infusion-kiosk
STATE=/var/lib/infusion-kiosk
UNIT=/etc/systemd/system/infusion-kiosk.service
XORG_CONF=/etc/X11/xorg.conf.d/10-infusion-kiosk.conf

if [ "$ROOT_GIVEN" = yes ]; then
    [ -n "$ROOT" ] || usage_error "--root needs a folder"
    mkdir -p "$ROOT"
    ROOT=$(cd "$ROOT" && pwd -P)
    [ "$ROOT" != / ] || usage_error "--root / is this machine: run without --root"
    say "staging into $ROOT (to be copied to / of the kiosk machine)"
elif [ "$(id -u)" -ne 0 ]; then
    die "must run as root to install on this machine (sudo deploy/install.sh); to stage the files into a folder instead, use --root DIR"
fi

# --- the wheel --------------------------------------------------------------
newest_wheel() {
    # shellcheck disable=SC2012  # names are ours: infusion_kiosk-VERSION-...whl
    ls -t "$REPO"/dist/infusion_kiosk-*.whl 2>/dev/null | head -n 1
}
if [ -z "$WHEEL" ]; then
    WHEEL=$(newest_wheel)
    if [ -z "$WHEEL" ]; then
        command -v make >/dev/null 2>&1 \
            || die "no wheel in $REPO/dist and no make to build one: build it elsewhere with 'make wheel' and pass --wheel FILE"
        say "no wheel in $REPO/dist: building one with 'make wheel'"
        make -C "$REPO" wheel
        WHEEL=$(newest_wheel)
        [ -n "$WHEEL" ] || die "'make wheel' left no dist/infusion_kiosk-*.whl"
    fi
fi
[ -f "$WHEEL" ] || die "no such wheel: $WHEEL"
case $WHEEL in
    /*) ;;
    *) WHEEL=$(pwd -P)/$WHEEL ;;
esac
case $(basename "$WHEEL") in
    infusion_kiosk-*.whl) ;;
    *) die "not an infusion-kiosk wheel (infusion_kiosk-*.whl): $WHEEL" ;;
esac
say "wheel: $WHEEL"

# --- Debian packages ----------------------------------------------------------
# The kiosk's libraries from packaging/debian-packages.txt, less the tools that
# only its tests use there, and what the session needs to run on a clinic machine.
TEST_ONLY="xvfb xauth openbox xdotool x11-utils wmctrl pulseaudio-utils"
BASE="python3 python3-venv pulseaudio fonts-dejavu-core"
# logind sessions (PAMName=login) and the udev rules that create the render and
# input groups; Mesa's graphics drivers, only "recommended" by the Debian packages.
BASE="$BASE dbus libpam-systemd udev libgl1-mesa-dri"
if [ "$SESSION" = wayland ]; then
    # Qt's Wayland plugin needs the two libwayland libraries; cage does not bring them.
    SESSION_PACKAGES="cage libwayland-cursor0 libwayland-egl1"
    SKIP="$TEST_ONLY"
else
    SESSION_PACKAGES="xserver-xorg xinit openbox x11-xserver-utils"
    SKIP="$TEST_ONLY cage"      # the Wayland compositor, listed for the Wayland session
fi

install_packages() {
    command -v dpkg-query >/dev/null 2>&1 && command -v apt-get >/dev/null 2>&1 \
        || die "apt-get/dpkg-query not found: this script is for Debian 12 (or use --no-apt and install the packages yourself)"
    listed=$(sed -e 's/#.*//' -e '/^[[:space:]]*$/d' "$REPO/packaging/debian-packages.txt")
    wanted=""
    for p in $listed; do
        case " $SKIP " in
            *" $p "*) ;;
            *) wanted="$wanted $p" ;;
        esac
    done
    wanted="$wanted $BASE $SESSION_PACKAGES"
    # shellcheck disable=SC2086  # word splitting of the package lists is wanted
    installed=$(dpkg-query -W -f='${Package} ${db:Status-Status}\n' $wanted 2>/dev/null \
                | awk '$2 == "installed" { print $1 }')
    missing=""
    for p in $wanted; do
        case " $missing " in *" $p "*) continue ;; esac
        printf '%s\n' "$installed" | grep -qx "$p" || missing="$missing $p"
    done
    if [ -z "$missing" ]; then
        say "Debian packages: all present"
        return
    fi
    say "installing Debian packages:$missing"
    apt-get update -qq
    # shellcheck disable=SC2086
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $missing
}

if [ -n "$ROOT" ]; then
    say "--root: not installing Debian packages (the kiosk machine needs them: run this script there, or see packaging/debian-packages.txt)"
elif [ "$APT" = yes ]; then
    install_packages
else
    say "--no-apt: not installing Debian packages"
fi

[ -x "$PYTHON" ] || die "$PYTHON not found: install the Debian packages python3 and python3-venv"
"$PYTHON" -c 'import venv, ensurepip' 2>/dev/null \
    || die "$PYTHON cannot create a venv: install the Debian package python3-venv"

# --- the account --------------------------------------------------------------
EXTRA_GROUPS="audio video render input"
if [ -z "$ROOT" ]; then
    if ! getent group "$NAME" >/dev/null; then
        groupadd --system "$NAME"
        say "created group $NAME"
    fi
    if ! getent passwd "$NAME" >/dev/null; then
        useradd --system --gid "$NAME" --home-dir "$STATE" --no-create-home \
            --shell /usr/sbin/nologin --comment "infusion kiosk" "$NAME"
        say "created system user $NAME (home $STATE, no login shell)"
    else
        say "user $NAME exists"
    fi
    groups=""
    for g in $EXTRA_GROUPS; do
        if getent group "$g" >/dev/null; then
            groups="$groups,$g"
        else
            warn "group $g does not exist: infusion-kiosk.service names it (SupplementaryGroups=) and will not start without it; install udev, which creates it, or run: groupadd --system $g"
        fi
    done
    [ -z "$groups" ] || usermod -a -G "${groups#,}" "$NAME"
    CHOWN=yes
else
    if [ "$(id -u)" -eq 0 ] && getent passwd "$NAME" >/dev/null && getent group "$NAME" >/dev/null; then
        CHOWN=yes
        say "--root: not creating accounts; user and group $NAME exist on this machine, so files get their owners by the numbers of this machine"
    else
        CHOWN=no
        say "--root: not creating accounts, and user/group $NAME do not exist here (or not root): files stay owned by $(id -un); give /etc/infusion-kiosk to root:$NAME and /var/lib/infusion-kiosk to $NAME:$NAME on the kiosk machine"
    fi
fi

# --- helpers: folders and files with exact modes and owners ------------------
own() {  # OWNER:GROUP PATH
    if [ "$CHOWN" = yes ]; then chown "$1" "$2"; fi
}
make_dir() {  # MODE OWNER:GROUP PATH
    mkdir -p "$ROOT$3"
    chmod "$1" "$ROOT$3"
    own "$2" "$ROOT$3"
}
put_file() {  # MODE OWNER:GROUP SOURCE PATH  (replaced whole, never half-written)
    mkdir -p "$(dirname "$ROOT$4")"
    cp "$3" "$ROOT$4.new"
    chmod "$1" "$ROOT$4.new"
    own "$2" "$ROOT$4.new"
    mv -f "$ROOT$4.new" "$ROOT$4"
}

# --- the program: a venv in /opt/infusion-kiosk ---------------------------------
make_dir 0755 root:root "$APP"
if [ ! -x "$ROOT$APP/bin/python" ]; then
    say "creating the Python environment $APP"
    "$PYTHON" -m venv "$ROOT$APP"
fi
pip_install() {
    "$ROOT$APP/bin/python" -m pip --disable-pip-version-check --no-input --quiet install "$@"
}
say "installing $(basename "$WHEEL") into $APP"
# Our package always replaced (the version number may be unchanged); then its
# dependencies (PySide6) installed if missing, left alone if already there.
pip_install --force-reinstall --no-deps "$WHEEL"
pip_install "$WHEEL"

if [ -n "$ROOT" ]; then
    # The venv's scripts name the Python they run with by its full path, which is
    # under $ROOT now; on the kiosk machine it is /opt/infusion-kiosk/bin/python.
    # The compiled .pyc files name their sources, for tracebacks: the same.
    "$PYTHON" - "$ROOT" "$APP" <<'EOF'
import os
import sys

root, app = sys.argv[1], sys.argv[2]
staged, target = (root + app).encode(), app.encode()
bindir = root + app + "/bin"
for name in sorted(os.listdir(bindir)):
    path = os.path.join(bindir, name)
    if os.path.islink(path) or not os.path.isfile(path):
        continue
    with open(path, "rb") as f:
        data = f.read()
    lines = data.split(b"\n")
    if lines[0].startswith(b"#!" + staged + b"/bin/"):
        lines[0] = b"#!" + target + b"/bin/python"
    elif lines[0] == b"#!/bin/sh" and len(lines) > 2 and lines[1].startswith(b"'''exec' ") \
            and staged in lines[1]:
        # pip's form for paths too long for a #! line
        lines[0:3] = [b"#!" + target + b"/bin/python"]
    elif name.startswith("activate"):
        pass
    else:
        continue
    new = b"\n".join(lines).replace(staged, target)
    if new != data:
        mode = os.stat(path).st_mode
        with open(path + ".new", "wb") as f:
            f.write(new)
        os.chmod(path + ".new", mode)
        os.replace(path + ".new", path)
EOF
    # (Exit status ignored: PySide6 ships template files named .py that are not Python.)
    "$ROOT$APP/bin/python" -m compileall -q -f -j 0 -s "$ROOT" -p / "$ROOT$APP/lib" >/dev/null 2>&1 || true
fi

make_dir 0755 root:root "$APP/share"
put_file 0644 root:root "$REPO/config/kiosk.toml" "$APP/share/kiosk.example.toml"
put_file 0755 root:root "$DEPLOY/x11/x11-session" "$APP/share/x11-session"
put_file 0644 root:root "$REPO/README.md" "$APP/share/README.md"

# --- settings: /etc/infusion-kiosk ----------------------------------------------
make_dir 0750 "root:$NAME" "$ETC"
if [ -e "$ROOT$ETC/kiosk.toml" ]; then
    say "kept the existing $ETC/kiosk.toml (never overwritten)"
else
    # The kiosk's id: this machine's short name, with anything but letters,
    # digits, - and _ made a '-', at most 40 characters.
    if [ -n "$ROOT" ] && [ -s "$ROOT/etc/hostname" ]; then
        host=$(head -n 1 "$ROOT/etc/hostname")
    else
        host=$(hostname 2>/dev/null || uname -n)
    fi
    kiosk_id=$(printf '%s' "${host%%.*}" | LC_ALL=C tr -c 'A-Za-z0-9_-' '-' | cut -c 1-40)
    [ -n "$kiosk_id" ] || kiosk_id=kiosk-1
    sed "s/^id = .*/id = \"$kiosk_id\"/" "$DEPLOY/kiosk.toml" > "$ROOT$ETC/kiosk.toml.new"
    chmod 0640 "$ROOT$ETC/kiosk.toml.new"
    own "root:$NAME" "$ROOT$ETC/kiosk.toml.new"
    mv "$ROOT$ETC/kiosk.toml.new" "$ROOT$ETC/kiosk.toml"
    say "wrote $ETC/kiosk.toml (kiosk id \"$kiosk_id\"; set the room there)"
fi
make_dir 0750 "root:$NAME" "$ETC/conf.d"
put_file 0640 "root:$NAME" "$DEPLOY/conf.d-README" "$ETC/conf.d/README"

# --- state and event log: /var/lib/infusion-kiosk -------------------------------
make_dir 0750 "$NAME:$NAME" "$STATE"
make_dir 0750 "$NAME:$NAME" "$STATE/events"

# --- the service ------------------------------------------------------------------
if [ "$SESSION" = wayland ]; then
    put_file 0644 root:root "$DEPLOY/infusion-kiosk.service" "$UNIT"
    if [ -e "$ROOT$XORG_CONF" ]; then
        rm -f "$ROOT$XORG_CONF"
        say "removed $XORG_CONF of the X11 session"
    fi
else
    put_file 0644 root:root "$DEPLOY/x11/infusion-kiosk-x11.service" "$UNIT"
    put_file 0644 root:root "$DEPLOY/x11/10-infusion-kiosk.conf" "$XORG_CONF"
fi
say "installed $UNIT ($SESSION session)"

if [ -z "$ROOT" ]; then
    if [ -d /run/systemd/system ]; then
        systemctl daemon-reload
    else
        say "systemd is not running here: skipping systemctl daemon-reload"
    fi
    systemctl enable "$NAME.service"
    systemctl set-default graphical.target
else
    WANTS=/etc/systemd/system/graphical.target.wants
    if command -v systemctl >/dev/null 2>&1; then
        systemctl --root="$ROOT" --quiet enable "$NAME.service" 2>/dev/null || true
    fi
    if [ "$(readlink "$ROOT$WANTS/$NAME.service" 2>/dev/null)" != "$UNIT" ]; then
        make_dir 0755 root:root "$WANTS"
        ln -sfn "$UNIT" "$ROOT$WANTS/$NAME.service"
    fi
    # What `systemctl set-default graphical.target` does, for the staged tree.
    ln -sfn /lib/systemd/system/graphical.target "$ROOT/etc/systemd/system/default.target"
    say "enabled $NAME.service at boot (graphical.target) under $ROOT"
fi

# --- check the settings with the installed program -------------------------------
set -- "$ROOT$ETC/kiosk.toml"
for f in "$ROOT$ETC"/conf.d/*.toml; do
    if [ -e "$f" ]; then set -- "$@" "$f"; fi
done
# -I: the installed package only, never a kiosk/ folder of the current directory.
if ! report=$("$ROOT$APP/bin/python" -I -m kiosk check-config "$@" 2>&1); then
    printf '%s\n' "$report" >&2
    die "the settings above have problems: fix them, then run deploy/install.sh again"
fi
say "check-config: $report"

if [ -n "$ROOT" ]; then
    cat <<EOF
install: staged in $ROOT ($SESSION session). On the kiosk machine: copy the tree
install: to /, install the Debian packages (run this script there, or see
install: packaging/debian-packages.txt), create the account $NAME, set the owners
install: (above), then continue with the steps below.
EOF
fi
cat <<EOF
install: done. Next steps:
install:   1. Set this kiosk's room (and anything else) in $ETC/kiosk.toml;
install:      all settings: $APP/share/kiosk.example.toml
install:   2. Set the staff PIN: run $APP/bin/kiosk hash-pin and paste the line it
install:      prints into [staff] pin_hash = "..." in $ETC/kiosk.toml
install:   3. Check: $APP/bin/kiosk check-config $ETC/kiosk.toml $ETC/conf.d/*.toml
install:      (leave out conf.d/*.toml while that folder has no .toml file)
install:   4. Start or restart the kiosk: systemctl restart infusion-kiosk
install:      (or reboot); its messages: journalctl -t infusion-kiosk
EOF
