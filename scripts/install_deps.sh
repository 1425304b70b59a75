#!/usr/bin/env bash
# Installs the Debian packages jiebang builds and runs with (only those missing). Needs root or sudo.
set -euo pipefail

packages=(
  build-essential cmake ninja-build pkg-config
  libxapian-dev libsqlitecpp-dev libsqlite3-dev libfmt-dev nlohmann-json3-dev libcli11-dev
  libicu-dev libopencc-dev libopencc-data libcsv-dev libboost-dev libzip-dev libpugixml-dev
  libspdlog-dev  # the structured log
  libgtest-dev libgmock-dev libxlsxwriter-dev  # tests only: libxlsxwriter writes the .xlsx test workbooks
  libtomlplusplus-dev  # the configuration file (TOML)
  libcpprest-dev libssl-dev  # the web API: cpprestsdk's http_listener; OpenSSL for key hashing (SHA-256) and RAND_bytes
  xapian-tools  # tests only: xapian-tcpsrv serves the index to the remote-backend ranking test
  wrk  # bench/load_api.sh only
  systemd  # tests only: systemd-analyze verifies the units in packaging/ (tests/package_test.sh)
  curl  # tests only: tests/install_test.sh asks the installed server for one request
  python3
  chromium chromium-driver python3-selenium fonts-wqy-microhei  # tests only: the pages' browser tests (a CJK font for the screenshots)
  python3-jieba  # data only: jieba's dictionary, HMM tables and IDF list, read at run time by src/text/word_segmenter.cpp
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "install_deps: all ${#packages[@]} packages present"
  exit 0
fi

sudo_cmd=()
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null || { echo "install_deps: need root or sudo to install: ${missing[*]}" >&2; exit 1; }
  sudo_cmd=(sudo)
fi
echo "install_deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
"${sudo_cmd[@]}" apt-get update -q
"${sudo_cmd[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}"
