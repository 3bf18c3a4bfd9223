#!/usr/bin/env bash
# Regenerates the test data of konsekvens-exchange (all of it made by us):
#   1. the example supplier sheet (.xlsx, .csv) and the bad-input sheets, by
#      examples/make_testdata.rs (rust_xlsxwriter, csv);
#   2. the .ods copies, by LibreOffice (Debian: libreoffice-calc-nogui);
#   3. a password-protected copy, by msoffcrypto-tool (PyPI, in a throwaway virtualenv);
#   4. a damaged copy: the .xlsx cut short.
# The CNIL PIA sample (cnil-pia-aula.json) is written by hand and not regenerated here.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../../.." && pwd)"
(cd "$root" && cargo run -q -p konsekvens-exchange --example make_testdata)

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
soffice --headless -env:UserInstallation="file://$tmp/profile" --convert-to ods --outdir "$here" \
  "$here/KOMBIT-Beskeder.xlsx" "$here/KOMBIT-Beskeder-v2.xlsx" >/dev/null

python3 -m venv "$tmp/venv"
"$tmp/venv/bin/pip" install -q --disable-pip-version-check msoffcrypto-tool
"$tmp/venv/bin/msoffcrypto-tool" -e -p hemmelig "$here/KOMBIT-Beskeder.xlsx" "$here/bad/password.xlsx"

head -c 3000 "$here/KOMBIT-Beskeder.xlsx" > "$here/bad/corrupt.xlsx"
echo "test data written to $here"
