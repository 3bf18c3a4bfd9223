# Shared by scripts/test, scripts/open-sample and scripts/screenshot. Source it; do not run it.
# Everything here is idempotent: on a prepared machine each step is a quick check.

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export PATH="$HOME/.cargo/bin:$PATH"

# Debian packages Tauri 2 needs to build (measured on Debian 12; see docs of tauri.app/start/prerequisites).
TAURI_BUILD_PACKAGES=(
  build-essential pkg-config curl ca-certificates
  libssl-dev libwebkit2gtk-4.1-dev libgtk-3-dev librsvg2-dev libsoup-3.0-dev
  libjavascriptcoregtk-4.1-dev libayatana-appindicator3-dev libxdo-dev
)
# Running the app headless and looking at it; the PDF crate's tests use poppler, qpdf, openssl, certutil.
DESKTOP_TEST_PACKAGES=(xvfb xauth imagemagick x11-utils xdotool fonts-liberation2)
PDF_TEST_PACKAGES=(poppler-utils qpdf openssl libnss3-tools)
# The app's tests (tests/app): its views in Debian's Chromium driven by playwright-core (npm
# cannot download a browser here), and the real app driven through tauri-driver in front of
# WebKitGTK's own WebDriver (webkit2gtk-driver → /usr/bin/WebKitWebDriver), both under xvfb.
# Chromium is the big one: ~114 MB to download.
APP_TEST_PACKAGES=(chromium webkit2gtk-driver)
# The Word export's test converts our .docx to PDF with LibreOffice (writer without the GUI:
# ~82 MB download, ~20 s to install here) and reads it with pdftotext (poppler-utils above);
# the sheet gallery has LibreOffice Calc save its sheets again as .ods and CSV (calc: ~10 MB more);
# libxml2's xmllint validates the .docx parts against the ECMA-376 schemas (tests/ooxml-xsd/, <1 MB).
EXCHANGE_TEST_PACKAGES=(libreoffice-writer-nogui libreoffice-calc-nogui libxml2-utils)
# The hub in operation (tests/hub.rs, tests/packaging.rs): nginx in front of it with TLS
# (packaging/hub/nginx/), curl for /healthz through it, systemd-analyze for the unit's
# verification and sandboxing score (packaging/hub/). ~3 MB to download.
HUB_TEST_PACKAGES=(nginx-light systemd curl)
# The Debian package's test (tests/app/installed.rs): desktop-file-validate on its desktop
# entry, dpkg-shlibdeps (dpkg-dev) for the libraries its binaries load. ~0.2 MB to download.
DEB_TEST_PACKAGES=(desktop-file-utils dpkg-dev)

NODE_MIN_MAJOR=20 NODE_MIN_MINOR=19 # vite 7 needs Node 20.19+ (Debian 12's own nodejs is 18)
RUST_MIN=1.90                       # tauri 2.12's rust-version

log() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

# Runs a command as root: directly when we are root, through sudo otherwise.
as_root() {
  if [ "$(id -u)" -eq 0 ]; then
    "$@"
  elif command -v sudo >/dev/null 2>&1; then
    sudo "$@"
  else
    die "need root for: $* (run as root or install sudo)"
  fi
}

apt_get() {
  as_root env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 "$@"
}

# Installs the Debian packages that are not installed yet (nothing to do → no apt call at all).
ensure_apt() {
  local missing=() p
  for p in "$@"; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q '^install ok installed$'; then
      missing+=("$p")
    fi
  done
  if [ "${#missing[@]}" -eq 0 ]; then
    return 0
  fi
  log "apt-get install ${missing[*]}"
  apt_get update -q
  apt_get install -y -q --no-install-recommends "${missing[@]}"
}

version_ge() { # version_ge A B: A >= B (dotted numbers)
  [ "$(printf '%s\n%s\n' "$2" "$1" | sort -V | head -n1)" = "$2" ]
}

# Rust via rustup when cargo is missing or older than tauri needs.
ensure_rust() {
  if ! command -v cargo >/dev/null 2>&1; then
    ensure_apt curl ca-certificates
    log "installing Rust (rustup, stable, minimal profile)"
    curl --proto '=https' --tlsv1.2 -sSf https://sh.rustup.rs | sh -s -- -y --profile minimal --default-toolchain stable
    export PATH="$HOME/.cargo/bin:$PATH"
  fi
  local v
  v="$(rustc --version | awk '{print $2}')"
  if ! version_ge "$v" "$RUST_MIN"; then
    if command -v rustup >/dev/null 2>&1; then
      log "rustc $v is older than $RUST_MIN: rustup update stable"
      rustup update stable
      rustup default stable
    else
      die "rustc $v is older than $RUST_MIN and rustup is not installed"
    fi
  fi
}

# Node.js 22 from NodeSource when node is missing or older than vite 7 needs.
ensure_node() {
  local ok=0 v
  if command -v node >/dev/null 2>&1 && command -v npm >/dev/null 2>&1; then
    v="$(node --version | sed 's/^v//')"
    version_ge "$v" "$NODE_MIN_MAJOR.$NODE_MIN_MINOR" && ok=1
  fi
  if [ "$ok" -eq 0 ]; then
    ensure_apt curl ca-certificates gnupg
    log "installing Node.js 22 (NodeSource)"
    curl -fsSL https://deb.nodesource.com/setup_22.x -o /tmp/nodesource_setup.sh
    as_root bash /tmp/nodesource_setup.sh
    apt_get install -y -q nodejs
  fi
}

# npm ci in ui/ — skipped when node_modules already matches the lockfile, unless "force".
ensure_ui_deps() {
  local stamp="$ROOT/ui/node_modules/.konsekvens-lock"
  if [ "${1:-}" != force ] && [ -f "$stamp" ] && cmp -s "$stamp" "$ROOT/ui/package-lock.json"; then
    return 0
  fi
  log "npm ci (ui)"
  (cd "$ROOT/ui" && npm ci --no-audit --no-fund)
  cp "$ROOT/ui/package-lock.json" "$stamp"
}

# tauri-driver (the WebDriver front for Tauri apps) from crates.io into ~/.cargo/bin: ≈50 s to
# build once, then found on PATH. Pinned, as the end-to-end test relies on its capabilities.
TAURI_DRIVER_VERSION=2.1.0
ensure_tauri_driver() {
  if command -v tauri-driver >/dev/null 2>&1; then
    return 0
  fi
  log "cargo install tauri-driver@$TAURI_DRIVER_VERSION"
  cargo install --locked --quiet tauri-driver --version "=$TAURI_DRIVER_VERSION"
}

# npm packages of the JavaScript test peers (the official Yjs client for the hub's interop
# test; the certified OpenID provider `oidc-provider` for the hub's sign-in test), each from
# its own lockfile.
JS_TEST_DIRS=(crates/hub/tests/js crates/hub/tests/oidc)
ensure_js_test_deps() {
  local d stamp
  for d in "${JS_TEST_DIRS[@]}"; do
    stamp="$ROOT/$d/node_modules/.konsekvens-lock"
    if [ -f "$stamp" ] && cmp -s "$stamp" "$ROOT/$d/package-lock.json"; then
      continue
    fi
    log "npm ci ($d)"
    (cd "$ROOT/$d" && npm ci --no-audit --no-fund)
    cp "$ROOT/$d/package-lock.json" "$stamp"
  done
}

# Python tools the tests use as independent verifiers, in a virtualenv under target/ so the
# system Python stays untouched: pyHanko checks our PAdES signatures, jsonschema checks our
# JSON against the schemas we publish, check-jsonschema the release workflow against GitHub's
# workflow schema (vendored in the package: no download at test time), pikepdf and outloud
# the PDF/A rules and PDF/UA (Matterhorn) checks of crates/pdf/tests/pdfa_check.py.
PY_TEST_PACKAGES=(pyhanko pyhanko-certvalidator pyhanko-cli jsonschema check-jsonschema pikepdf outloud)
PY_VENV="$ROOT/target/pyenv"
ensure_py_test_tools() {
  # a stamp of the package list, so a venv from an older list gets the new packages
  local stamp="$PY_VENV/.konsekvens-packages"
  if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "${PY_TEST_PACKAGES[*]}" ]; then
    command -v python3 >/dev/null 2>&1 || ensure_apt python3 python3-venv
    [ -x "$PY_VENV/bin/pip" ] || python3 -m venv "$PY_VENV" 2>/dev/null || { ensure_apt python3-venv; python3 -m venv "$PY_VENV"; }
    log "pip install ${PY_TEST_PACKAGES[*]} (into $PY_VENV)"
    "$PY_VENV/bin/pip" install -q --disable-pip-version-check "${PY_TEST_PACKAGES[@]}"
    echo "${PY_TEST_PACKAGES[*]}" >"$stamp"
  fi
  export PATH="$PY_VENV/bin:$PATH"
}

# ui/dist: Tauri embeds it into the binary at compile time.
build_ui() {
  log "npm run build (ui)"
  (cd "$ROOT/ui" && npm run --silent build)
}

# The app binary (debug by default; it embeds ui/dist, so build the UI first).
APP_BIN="$ROOT/target/debug/konsekvens-app"
build_app() {
  log "cargo build -p konsekvens-app"
  (cd "$ROOT" && cargo build --locked -p konsekvens-app)
}

# The Tauri CLI (its bundler builds the .deb), from npm into packaging/linux/node_modules:
# prebuilt, ≈10 s against ≈8 min for `cargo install tauri-cli`. Its own lockfile, so the
# UI's `npm ci` does not carry it.
TAURI_CLI_DIR="$ROOT/packaging/linux"
TAURI_CLI="$TAURI_CLI_DIR/node_modules/.bin/tauri"
ensure_tauri_cli() {
  local stamp="$TAURI_CLI_DIR/node_modules/.konsekvens-lock"
  if [ -x "$TAURI_CLI" ] && [ -f "$stamp" ] && cmp -s "$stamp" "$TAURI_CLI_DIR/package-lock.json"; then
    return 0
  fi
  log "npm ci (packaging/linux: @tauri-apps/cli)"
  (cd "$TAURI_CLI_DIR" && npm ci --no-audit --no-fund)
  cp "$TAURI_CLI_DIR/package-lock.json" "$stamp"
}
