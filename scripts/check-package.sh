#!/usr/bin/env bash
# Packaging checks (issue 19 items 1 and 7), as root, after a Release build:
#   scripts/check-package.sh [BUILD_DIR]      (default build-release/)
#   scripts/check-package.sh --chroot-only [BUILD_DIR]   only make the pristine chroot
#     (debootstrap: minutes of downloads, so CI starts it in the background early)
# 1. builds the .deb with CPack and lists it; lintian (every remaining tag is explained
#    in the overrides below);
# 2. installs it with its Depends on a clean Debian 12 (a debootstrap minbase chroot from
#    the configured mirror, made once per build folder and copied for each run, so each
#    run starts clean), and runs `pgreach --version`, `man pgreach` and the bash completion
#    there;
# 3. the systemd units as installed: `systemd-analyze verify`, and `systemd-analyze
#    security` at most 2.5 (OK);
# 4. the cron example: a run writes its reports; with the lock held, flock skips the run.
# Every step prints its time. Packets go to loopback only.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
chroot_only=0
[ "${1:-}" = --chroot-only ] && { chroot_only=1; shift; }
build=$(cd "${1:-$root/build-release}" && pwd)
t0=$(date +%s)
step() { echo "== check-package: $* ($(($(date +%s) - t0)) s)"; }
fail() { echo "check-package: FAILED: $*" >&2; exit 1; }

# The pristine chroot is made once per build folder (debootstrap minbase from the mirror
# apt uses) and copied for each run, so each run starts from a clean system. It also holds
# what the checks use and a Debian system would have: man-db, bash-completion, zsh, and
# systemd for systemd-analyze (it brings libssl3 too; libpq5, libpcap0.8 and zlib1g's
# users come from the package's Depends alone).
pristine="$build/debian12-root"
extras="man-db bash-completion zsh systemd"
make_chroot() {
  [ "$(cat "$pristine/.complete" 2>/dev/null)" = "$extras" ] && return 0
  if [ ! -f "$pristine/.debootstrapped" ]; then
    local mirror
    mirror=$({ sed -n 's/^URIs: *//p; s/^deb \(http[^ ]*debian\) bookworm .*/\1/p' /etc/apt/sources.list.d/*.sources \
                 /etc/apt/sources.list 2>/dev/null || true; } | grep -m1 '/debian$' || true)
    [ -n "$mirror" ] || mirror=http://deb.debian.org/debian
    rm -rf "$pristine"
    debootstrap --variant=minbase bookworm "$pristine" "$mirror" >/dev/null
    touch "$pristine/.debootstrapped"
    step "debootstrap from $mirror done"
  fi
  # shellcheck disable=SC2086
  chroot "$pristine" env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin DEBIAN_FRONTEND=noninteractive \
    apt-get install -y -qq --no-install-recommends $extras >/dev/null 2>&1
  echo "$extras" > "$pristine/.complete"
  step "chroot has $extras"
}
if [ $chroot_only -eq 1 ]; then
  make_chroot
  exit 0
fi

step "cpack"
(cd "$build" && cpack -G DEB >/dev/null)
deb=$(ls -t "$build"/pgreach_*.deb | head -1)
dpkg-deb -f "$deb"
dpkg-deb -c "$deb"

step "lintian"
# Tags left, and why (the run fails on any other):
#   no-copyright-file: the project has not stated a licence yet, and a package must not
#     invent one.
#   no-changelog: the changes are in git; this is a CPack package, not a Debian source
#     package with a debian/changelog.
allowed='no-copyright-file|no-changelog'
lintian_out=$(lintian --tag-display-limit 0 "$deb" 2>&1 || true)
echo "$lintian_out"
unexplained=$(echo "$lintian_out" | grep -E '^[EWI]: ' | grep -vE ": ($allowed)( |$)" || true)
[ -z "$unexplained" ] || fail "lintian tags not explained: $unexplained"

step "clean Debian 12 chroot"
make_chroot
chroot_dir="$build/debian12-test"
umount "$chroot_dir/proc" 2>/dev/null || true
rm -rf "$chroot_dir"
cp -a "$pristine" "$chroot_dir"
cleanup() { umount "$chroot_dir/proc" 2>/dev/null || true; }
trap cleanup EXIT
mount -t proc proc "$chroot_dir/proc"
in_chroot() {
  chroot "$chroot_dir" env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root TERM=dumb DEBIAN_FRONTEND=noninteractive "$@"
}
cp "$deb" "$chroot_dir/tmp/pgreach.deb"
# dpkg -i alone stops on the missing dependencies (a clean system has no libpq5); apt
# installs the same file with what its Depends names.
in_chroot dpkg -i /tmp/pgreach.deb >/dev/null 2>&1 || true
in_chroot apt-get install -y -qq -f >/dev/null
in_chroot dpkg -s pgreach | grep -q '^Status: install ok installed' || fail "pgreach not installed in the chroot"
step "installed"
version=$(in_chroot pgreach --version) || fail "pgreach --version"
echo "pgreach --version: $version"
[[ $version == "pgreach "* ]] || fail "pgreach --version printed '$version'"
man_text=$(in_chroot man -P cat pgreach 2>&1) || fail "man pgreach: $man_text"
echo "$man_text" | grep -q 'pgreach audit' || fail "man pgreach has no audit section"
echo "$man_text" | grep -q -- '--aws-json' || fail "man pgreach lists no --aws-json"
echo "man pgreach: $(echo "$man_text" | wc -l) lines"
completion=$(in_chroot bash -c 'source /usr/share/bash-completion/bash_completion
  _completion_loader pgreach; COMP_WORDS=(pgreach audit --aw); COMP_CWORD=2; _pgreach; echo "${COMPREPLY[*]}"
  COMP_WORDS=(pgreach diag); COMP_CWORD=1; _pgreach; echo "${COMPREPLY[*]}"')
echo "bash completion: $completion"
[ "$completion" = $'--aws-json\ndiagnose' ] || fail "bash completion: got '$completion'"
in_chroot id pgreach >/dev/null || fail "the package did not create user pgreach"
# zsh: the completion is found on zsh's own fpath and registered for pgreach by compinit.
zsh_comp=$(in_chroot zsh -fc 'autoload -U compinit && compinit -u -d /tmp/zcompdump && print -r -- $_comps[pgreach]')
echo "zsh completion: $zsh_comp"
[ "$zsh_comp" = _pgreach ] || fail "zsh does not know the pgreach completion (got '$zsh_comp')"
in_chroot zsh -n /usr/share/zsh/vendor-completions/_pgreach || fail "_pgreach: zsh syntax"

step "systemd units"
for unit in pgreach.service pgreach.timer; do
  f="$chroot_dir/usr/lib/systemd/system/$unit"
  [ -f "$f" ] || fail "$unit not installed in /usr/lib/systemd/system"
done
grep -q '^ExecStart=/usr/bin/pgreach ' "$chroot_dir/usr/lib/systemd/system/pgreach.service" || fail "ExecStart is not /usr/bin/pgreach"
# verify checks ExecStart's binary and Documentation='s man page on the system itself.
verify=$(in_chroot systemd-analyze verify /usr/lib/systemd/system/pgreach.service \
           /usr/lib/systemd/system/pgreach.timer 2>&1) || fail "systemd-analyze verify: $verify"
[ -z "$verify" ] || fail "systemd-analyze verify warns: $verify"
echo "systemd-analyze verify: clean"
security=$(in_chroot systemd-analyze security --offline=true /usr/lib/systemd/system/pgreach.service 2>&1 | tail -1)
echo "systemd-analyze security: $security"
score=$(echo "$security" | grep -oE 'level for [^:]*: [0-9.]+' | grep -oE '[0-9.]+$')
awk -v s="$score" 'BEGIN { exit !(s != "" && s <= 2.5) }' || fail "exposure $score above 2.5"

step "cron example"
cron_line=$(grep -E '^\*/5 ' "$chroot_dir/usr/share/doc/pgreach/examples/pgreach.cron")
command=$(echo "$cron_line" | cut -d' ' -f7-)  # five time fields and the user
mkdir -p "$chroot_dir/etc/pgreach"
printf 'only = tcp\ntimeout = 1s\n[target.loop]\nconninfo = host=127.0.0.1 port=1 dbname=app\n' \
  > "$chroot_dir/etc/pgreach/fleet.ini"
in_chroot sh -c "$command" && rc=0 || rc=$?
[ -f "$chroot_dir/var/lib/pgreach/loop.prom" ] || fail "the cron line wrote no report (exit $rc)"
rm -f "$chroot_dir/var/lib/pgreach/loop.prom"
# Another run holding the lock for 5 s (it ends by itself).
in_chroot flock /var/lib/pgreach/cron.lock sleep 5 &
holder=$!
for _ in $(seq 50); do in_chroot flock -n /var/lib/pgreach/cron.lock true || break; sleep 0.1; done
in_chroot sh -c "$command" && rc=0 || rc=$?
[ $rc -eq 1 ] || fail "with the lock held the cron line exited $rc, not 1 (flock -n)"
[ ! -f "$chroot_dir/var/lib/pgreach/loop.prom" ] || fail "with the lock held a second run wrote its report"
wait "$holder"
echo "cron: first run wrote loop.prom; with the lock held flock skipped the run (exit 1)"

step "the unit's privileges"
# What pgreach.service hands the run (user pgreach, CAP_NET_RAW alone, ambient and in the
# bounding set), given with setpriv since a chroot has no systemd to start the unit: the
# run captures its packet evidence. Without the capability it cannot (the control).
unit_run() {  # output folder, then setpriv's capability options
  local out=$1; shift
  in_chroot install -d -o pgreach -g pgreach "$out"
  in_chroot setpriv --reuid=pgreach --regid=pgreach --init-groups "$@" \
    pgreach diagnose --config /etc/pgreach/fleet.ini --format json --output-dir "$out" >/dev/null 2>&1 || true
  grep -o '"capture": *"[a-z-]*"' "$chroot_dir$out/loop.json" || echo "no report"
}
with=$(unit_run /tmp/unit-caps --inh-caps=-all,+net_raw --ambient-caps=-all,+net_raw --bounding-set=-all,+net_raw)
without=$(unit_run /tmp/unit-nocaps --inh-caps=-all --bounding-set=-all)
echo "as user pgreach with ambient CAP_NET_RAW: $with; without: $without"
[[ $with =~ pcap|icmp ]] || fail "with the unit's capability the run captured nothing ($with)"
[[ $without =~ none ]] || fail "the control without CAP_NET_RAW captured ($without)"

step "done"
