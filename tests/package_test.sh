#!/usr/bin/env bash
# Builds the .deb with cpack, checks its control data and contents (dpkg-deb -I / -c), runs the
# packaged binary from the extracted tree, and checks the systemd units with `systemd-analyze verify`.
# Usage: tests/package_test.sh BUILD_DIR SOURCE_DIR   (ctest runs it: package.DebBuildsAndUnitsVerify;
# exit 77 = skipped, only when systemd-analyze is absent: scripts/install_deps.sh installs systemd)
set -euo pipefail
build=$(cd "$1" && pwd)
src=$(cd "$2" && pwd)
command -v systemd-analyze >/dev/null || { echo "package_test: SKIP: systemd-analyze not installed (package systemd)"; exit 77; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "package_test: FAIL: $*" >&2; exit 1; }

cpack -G DEB -B "$tmp/out" --config "$build/CPackConfig.cmake" >"$tmp/cpack.log" 2>&1 || fail "cpack: $(cat "$tmp/cpack.log")"
deb=$(ls "$tmp"/out/jiebang_*.deb 2>/dev/null | head -1)
[ -n "$deb" ] || fail "no jiebang_*.deb in $tmp/out: $(cat "$tmp/cpack.log")"

# Control data: name, version, and dependencies that are Debian packages (computed by dpkg-shlibdeps
# for the libraries, listed for the data read at run time).
info=$(dpkg-deb -I "$deb")
field() { dpkg-deb -f "$deb" "$1"; }
[ "$(field Package)" = jiebang ] || fail "Package: $(field Package)"
version=$(sed -n 's/^project(jiebang VERSION \([0-9.]*\).*/\1/p' "$src/CMakeLists.txt")
[ "$(field Version)" = "$version" ] || fail "Version: $(field Version), CMakeLists.txt says $version"
depends=$(field Depends)
for dep in libxapian30 libsqlite3-0 libicu72 libfmt9 libcpprest2.10 libopencc1.1 libssl3 python3-jieba libopencc-data; do
  grep -q "\b$dep\b" <<<"$depends" || fail "Depends lacks $dep: $depends"
done
grep -q "^ *[0-9]* bytes, *[0-9]* lines *conffiles" <<<"$info" || fail "control archive lacks conffiles: $info"
for script in postinst prerm postrm; do
  grep -q "^ *[0-9]* bytes, *[0-9]* lines *\* *$script " <<<"$info" || fail "control archive lacks an executable $script: $info"
done

# Contents: the binary, the index definition, the units, the system user, the docs; nothing else
# outside those folders (no headers, no test binaries).
# (Variables are searched with here-strings, never `echo "$x" | grep -q`: grep -q exits at its first
# match, and under pipefail a writer still writing then fails the pipeline with SIGPIPE.)
listing=$(dpkg-deb -c "$deb")
contents=$(awk '{print $NF}' <<<"$listing")
for path in ./usr/bin/jiebang ./usr/share/jiebang/index/ranking.json ./usr/share/jiebang/index/columns.tsv \
            ./usr/lib/systemd/system/jiebang.service ./usr/lib/systemd/system/jiebang-digest.service \
            ./usr/lib/systemd/system/jiebang-digest.timer ./usr/lib/sysusers.d/jiebang.conf \
            ./usr/share/doc/jiebang/GUIDE.md ./etc/jiebang/jiebang.toml; do
  grep -qx -- "$path" <<<"$contents" || fail "package lacks $path; dpkg-deb -c lists:
$listing
cpack said: $(tail -n 20 "$tmp/cpack.log")
free space: $(df -h "$tmp" | tail -n 1)"
done
stray=$(grep -v -x -E '\./etc/|\./etc/jiebang/|\./etc/jiebang/jiebang\.toml|\./usr/|\./usr/(bin|lib|lib/systemd|share|share/doc)/|\./usr/bin/jiebang|\./usr/lib/systemd/system/.*|\./usr/lib/sysusers\.d/.*|\./usr/share/jiebang/.*|\./usr/share/doc/jiebang/.*' || true)
[ -z "$stray" ] || fail "unexpected files in the package: $stray"
awk '$2 != "root/root" {print; bad=1} END {exit bad}' <<<"$listing" || fail "files not owned by root"

# The configuration file is a conffile, the one the binary reads by default.
conffiles=$(dpkg-deb --ctrl-tarfile "$deb" | tar -xO ./conffiles)
grep -qx /etc/jiebang/jiebang.toml <<<"$conffiles" || fail "conffiles does not list /etc/jiebang/jiebang.toml"

# The packaged binary runs from the extracted tree and uses the packaged index definition.
dpkg-deb -x "$deb" "$tmp/root"
jb="$tmp/root/usr/bin/jiebang"
v=$("$jb" --version)
grep -qx "jiebang $version" <<<"$v" || fail "--version: $v"
mkdir "$tmp/data"
st=$(cd "$tmp" && "$jb" --data-dir "$tmp/data" status --json 2>&1) || fail "status: $st"
grep -q "\"index_dir\":\"$tmp/root/usr/share/jiebang/index\"" <<<"$st" || fail "index definition not the packaged one: $st"
# Its default configuration file is /etc/jiebang/jiebang.toml; the packaged one read from there
# (moved into the extracted tree by JIEBANG_SYSTEM_CONFIG) sets the service's data directory.
cfg=$(cd "$tmp" && env -u JIEBANG_SYSTEM_CONFIG -u JIEBANG_CONFIG "$jb" config --json 2>&1) || fail "config: $cfg"
grep -q '"default_file":"/etc/jiebang/jiebang.toml"' <<<"$cfg" || fail "default configuration file: $cfg"
cfg=$(cd "$tmp" && env -u JIEBANG_CONFIG -u JIEBANG_DATA_DIR JIEBANG_SYSTEM_CONFIG="$tmp/root/etc/jiebang/jiebang.toml" "$jb" config --json 2>&1) \
  || fail "config with the packaged file: $cfg"
grep -q "\"file\":\"$tmp/root/etc/jiebang/jiebang.toml\",\"file_from\":\"the default path\"" <<<"$cfg" \
  || fail "the packaged configuration file was not read by default: $cfg"
grep -q '"data_dir":{"env":"JIEBANG_DATA_DIR","source":"[^"]*jiebang.toml:[0-9]*","value":"/var/lib/jiebang"}' <<<"$cfg" \
  || fail "data_dir not from the packaged configuration file: $cfg"

# The units: systemd-analyze verify, with ExecStart pointed at the extracted binary (verify checks that
# the command exists and is executable); any message (unknown key, bad value) is a failure.
mkdir "$tmp/units"
units=(jiebang.service jiebang-digest.service jiebang-digest.timer)
for u in "${units[@]}"; do
  sed "s#/usr/bin/jiebang#$jb#g" "$tmp/root/usr/lib/systemd/system/$u" >"$tmp/units/$u"
done
grep -q '^User=jiebang$' "$tmp/units/jiebang.service" || fail "jiebang.service does not run as the jiebang user"
grep -q '^StateDirectory=jiebang$' "$tmp/units/jiebang.service" || fail "jiebang.service has no StateDirectory"
grep -q '^u jiebang ' "$tmp/root/usr/lib/sysusers.d/jiebang.conf" || fail "sysusers.d does not create the jiebang user"
out=$(cd "$tmp/units" && SYSTEMD_LOG_COLOR=0 systemd-analyze verify --man=no "${units[@]}" 2>&1) \
  || fail "systemd-analyze verify: $out"
[ -z "$out" ] || fail "systemd-analyze verify: $out"
echo "package_test: 1 passed, 0 failed ($(basename "$deb"), $(du -h "$deb" | cut -f1))"
