#!/bin/sh
# Set up the Mosquitto broker for infusion-kiosk on the nurse-station machine:
# the TLS listener, the ACL, a certificate, and a password for the station and
# each kiosk. Safe to run again, e.g. to add kiosks: it never replaces an
# existing certificate or password. Run deploy/mosquitto/setup-broker.sh --help.
set -eu
set -f  # no file name wildcards anywhere in this script
umask 022
export LC_ALL=C

say() { printf 'setup-broker: %s\n' "$*"; }
warn() { printf 'setup-broker: warning: %s\n' "$*" >&2; }
die() { printf 'setup-broker: %s\n' "$*" >&2; exit 1; }

usage() {
    cat <<'EOF'
Usage: deploy/mosquitto/setup-broker.sh [--root DIR] [--no-apt] [--name NAME]... KIOSK_ID...

Sets up Mosquitto on this machine (as root) for the nurse station and the
kiosks KIOSK_ID... (each kiosk's kiosk.id: letters, digits, _ and -, at most 40):
  /etc/mosquitto/conf.d/infusion-kiosk.conf   the TLS listener on port 8883
  /etc/mosquitto/infusion-kiosk/acl           who may read and write what
  /etc/mosquitto/infusion-kiosk/ca.crt, server.crt, server.key
                  made only when missing (put your own there first if you have a PKI)
  /etc/mosquitto/infusion-kiosk/passwd        hashed passwords
  /etc/mosquitto/infusion-kiosk/passwords/USER   each plain password, to copy
and restarts mosquitto. Run again with more ids to add kiosks.

Options:
  --root DIR   write everything under DIR instead; no service is touched
  --name NAME  another host name or IP address the kiosks use to reach this
               machine, for a new certificate (may be given more than once)
  --no-apt     do not install the mosquitto package
  -h, --help   show this help
EOF
}

usage_error() {
    printf 'setup-broker: %s\n' "$*" >&2
    echo "setup-broker: see deploy/mosquitto/setup-broker.sh --help" >&2
    exit 2
}

# A kiosk id becomes a user name and a topic level: letters, digits, _ and - only.
check_id() {
    case $1 in
        station) die "'station' is the nurse station's own user name; choose another kiosk id" ;;
        ''|*[!A-Za-z0-9_-]*) die "not a kiosk id: '$1' (letters, digits, _ and - only)" ;;
    esac
    [ ${#1} -le 40 ] || die "kiosk id longer than 40 characters: '$1'"
}

check_name() {
    case $1 in
        ''|*[!A-Za-z0-9.:-]*) die "not a host name or IP address: '$1'" ;;
    esac
}

# Every argument is checked before anything changes; ids and names then hold no
# spaces or wildcards, so the lists below can be split on spaces.
ROOT=""
STAGED=no
APT=yes
NAMES=""
IDS=""
while [ $# -gt 0 ]; do
    case $1 in
        --root) [ $# -ge 2 ] || usage_error "--root needs a folder"; ROOT=$2; STAGED=yes; shift 2 ;;
        --root=*) ROOT=${1#--root=}; STAGED=yes; shift ;;
        --name) [ $# -ge 2 ] || usage_error "--name needs a host name or address"; check_name "$2"; NAMES="$NAMES $2"; shift 2 ;;
        --name=*) check_name "${1#--name=}"; NAMES="$NAMES ${1#--name=}"; shift ;;
        --no-apt) APT=no; shift ;;
        -h|--help) usage; exit 0 ;;
        -*) usage_error "unknown option: $1" ;;
        *) check_id "$1"; IDS="$IDS $1"; shift ;;
    esac
done
if [ "$STAGED" = yes ]; then
    [ -n "$ROOT" ] || usage_error "--root needs a folder"
    mkdir -p "$ROOT"
    ROOT=$(cd "$ROOT" && pwd)
elif [ "$(id -u)" -ne 0 ]; then
    die "run this as root (or use --root DIR to stage the files)"
fi

HERE=$(cd "$(dirname "$0")" && pwd)
ETC=$ROOT/etc/mosquitto
DIR=$ETC/infusion-kiosk
PLAIN=$DIR/passwords
PASSWD=$DIR/passwd

# The programs this needs: mosquitto_passwd and openssl; on the real machine, mosquitto itself.
missing=no
command -v mosquitto_passwd >/dev/null 2>&1 || missing=yes
command -v openssl >/dev/null 2>&1 || missing=yes
[ "$STAGED" = yes ] || [ -x /usr/sbin/mosquitto ] || missing=yes
if [ "$missing" = yes ]; then
    [ "$APT" = yes ] || die "install the Debian packages mosquitto and openssl first (or leave out --no-apt)"
    say "installing mosquitto and openssl"
    apt-get update
    DEBIAN_FRONTEND=noninteractive apt-get install -y mosquitto openssl
fi
if [ "$STAGED" = no ]; then
    getent group mosquitto >/dev/null || die "the mosquitto group is missing; is the mosquitto package installed?"
fi

# mode MODE GROUP FILE...: set the mode; on the real machine also owner root and GROUP.
mode() {
    m=$1 g=$2
    shift 2
    chmod "$m" "$@"
    [ "$STAGED" = yes ] || chown "root:$g" "$@"
}

mkdir -p "$ETC/conf.d" "$DIR" "$PLAIN"
mode 0750 mosquitto "$DIR"
mode 0700 root "$PLAIN"
cp "$HERE/infusion-kiosk.conf" "$ETC/conf.d/infusion-kiosk.conf"
cp "$HERE/acl" "$DIR/acl"
mode 0644 root "$ETC/conf.d/infusion-kiosk.conf" "$DIR/acl"
others=$(find "$ETC" -name '*.conf' ! -path "$ETC/conf.d/infusion-kiosk.conf" \
    -exec grep -l -E '^[[:space:]]*(listener|port)[[:space:]]' {} + 2>/dev/null || true)
[ -z "$others" ] || warn "other Mosquitto settings open ports too; check that none is unencrypted: $others"

# The certificate: made only when there is none, so a clinic's own stays.
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
if [ -e "$DIR/server.crt" ] || [ -e "$DIR/server.key" ]; then
    [ -f "$DIR/server.crt" ] && [ -f "$DIR/server.key" ] ||
        die "$DIR has only one of server.crt and server.key; add the other or remove both"
    [ -f "$DIR/ca.crt" ] || die "$DIR/server.crt has no ca.crt beside it; put the CA certificate that signed it there"
    say "keeping the certificate in $DIR"
else
    if [ ! -f "$DIR/ca.crt" ]; then
        say "making a certificate authority for this clinic's broker"
        (umask 077 && openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
            -keyout "$DIR/ca.key" -out "$DIR/ca.crt" -days 7300 \
            -subj "/CN=infusion-kiosk broker CA $(hostname)" \
            -addext "basicConstraints=critical,CA:TRUE" \
            -addext "keyUsage=critical,keyCertSign,cRLSign" 2>"$WORK/log") ||
            die "openssl could not make the CA: $(cat "$WORK/log")"
    fi
    [ -f "$DIR/ca.key" ] || die "$DIR/ca.crt has no ca.key beside it to sign a server certificate with"
    san=""
    for name in $(hostname) $(hostname -f 2>/dev/null || true) localhost 127.0.0.1 $NAMES; do
        case $name in
            *:*) entry=IP:$name ;;         # an IPv6 address
            *[!0-9.]*) entry=DNS:$name ;;  # a host name
            *) entry=IP:$name ;;           # an IPv4 address
        esac
        case ",$san," in *",$entry,"*) ;; *) san=${san:+$san,}$entry ;; esac
    done
    say "making the server certificate for $san"
    printf '%s\n' "basicConstraints=critical,CA:FALSE" \
        "keyUsage=critical,digitalSignature" "extendedKeyUsage=serverAuth" \
        "subjectKeyIdentifier=hash" "authorityKeyIdentifier=keyid,issuer" \
        "subjectAltName=$san" >"$WORK/server.ext"
    (umask 077 && openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
        -keyout "$DIR/server.key" -out "$WORK/server.csr" -subj "/CN=$(hostname)" 2>"$WORK/log" &&
        openssl x509 -req -in "$WORK/server.csr" -CA "$DIR/ca.crt" -CAkey "$DIR/ca.key" \
            -set_serial "0x$(openssl rand -hex 16)" -days 1825 -extfile "$WORK/server.ext" \
            -out "$DIR/server.crt" 2>"$WORK/log") ||
        { rm -f "$DIR/server.key" "$DIR/server.crt"; die "openssl could not make the server certificate: $(cat "$WORK/log")"; }
fi
mode 0644 root "$DIR/ca.crt" "$DIR/server.crt"
mode 0640 mosquitto "$DIR/server.key"
[ ! -f "$DIR/ca.key" ] || mode 0600 root "$DIR/ca.key"

# Passwords: a new random one for each user without one; existing ones stay.
[ -f "$PASSWD" ] || : >"$PASSWD"
mode 0640 mosquitto "$PASSWD"
for user in station $IDS; do
    if grep -q "^$user:" "$PASSWD"; then
        [ -f "$PLAIN/$user" ] ||
            warn "$user has a password but its plain copy $PLAIN/$user is gone; to make a new one: mosquitto_passwd -D $PASSWD $user, then run this again"
        continue
    fi
    if [ -s "$PLAIN/$user" ]; then
        password=$(head -n 1 "$PLAIN/$user")   # the plain copy is kept; the hash was lost
    else
        password=$(openssl rand -hex 16)
        (umask 077 && printf '%s\n' "$password" >"$PLAIN/$user")
        say "made a password for $user"
    fi
    mosquitto_passwd -b "$PASSWD" "$user" "$password"
done
for user in station $IDS; do
    [ ! -f "$PLAIN/$user" ] || mode 0600 root "$PLAIN/$user"
done
mode 0640 mosquitto "$PASSWD"

if [ "$STAGED" = no ]; then
    systemctl enable mosquitto >/dev/null 2>&1 || warn "could not enable the mosquitto service at boot"
    systemctl restart mosquitto ||
        die "mosquitto did not start; see journalctl -u mosquitto and /var/log/mosquitto/mosquitto.log"
    say "mosquitto restarted with the infusion-kiosk settings (TLS port 8883)"
fi

cat <<EOF

Done. Copy these files to each machine's folder /etc/infusion-kiosk/station/
(the password readable only by the account that runs infusion-kiosk there, e.g.
chown infusion-kiosk password; chmod 0600 password; never send it by e-mail),
then restart infusion-kiosk on that machine:
  the nurse station (kiosk station):
      $DIR/ca.crt  ->  ca.crt
      $PLAIN/station  ->  password
EOF
for id in $IDS; do
    printf '  kiosk %s:\n      %s  ->  ca.crt\n      %s  ->  password\n' "$id" "$DIR/ca.crt" "$PLAIN/$id"
done
cat <<EOF
Each machine's kiosk.toml needs [station] broker = one of the names in the broker's
certificate (see: openssl x509 -in $DIR/server.crt -noout -ext subjectAltName).
The certificate is valid until $(openssl x509 -in "$DIR/server.crt" -noout -enddate | cut -d= -f2).
To renew it or add names: remove server.crt and server.key, run this again with
--name; the kiosks keep their ca.crt.
EOF
