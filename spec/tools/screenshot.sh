#!/usr/bin/env bash
# Loads the rendered API reference in headless Chromium, checks that the page shows both
# operations and the error-code tables, and saves a screenshot.
#
#   spec/tools/screenshot.sh URL OUT.png
#
# URL is the built Redoc page (file://…/docs-build/index.html) or a running mock's
# http://127.0.0.1:8080/docs. Needs Debian's `chromium` package (apt-get install -y chromium).
# Exit status: 0 when the page passed every check and the screenshot was written.
set -euo pipefail

url=${1:?usage: screenshot.sh URL OUT.png}
out=${2:?usage: screenshot.sh URL OUT.png}
chromium=${CHROMIUM:-chromium}
width=${WIDTH:-1400}
height=${HEIGHT:-2400}

if ! command -v "$chromium" >/dev/null 2>&1; then
	echo "screenshot.sh: '$chromium' not found; install Debian's chromium package (apt-get install -y chromium)" >&2
	exit 2
fi

case "$url" in
file://*)
	if [ ! -f "${url#file://}" ]; then
		echo "screenshot.sh: ${url#file://} does not exist; run 'make docs' first" >&2
		exit 2
	fi
	;;
esac

profile=$(mktemp -d)
dom=$(mktemp)
trap 'rm -rf "$profile" "$dom"' EXIT

# Flags: no sandbox (CI runs as root), no GPU, no first-run/network side-traffic, and a
# virtual-time budget so the page's scripts finish before the DOM is read.
flags=(
	--headless
	--no-sandbox
	--disable-gpu
	--disable-dev-shm-usage
	--no-first-run
	--no-default-browser-check
	--disable-background-networking
	--disable-component-update
	--disable-sync
	--hide-scrollbars
	--user-data-dir="$profile"
	--virtual-time-budget=15000
	--window-size="$width,$height"
)

# Only what is rendered counts: drop <script>/<style> bodies (Redoc embeds the whole spec
# as JSON in a script, which would satisfy the checks without rendering anything).
"$chromium" "${flags[@]}" --dump-dom "$url" 2>/dev/null |
	perl -0777 -pe 's{<(script|style)\b.*?</\1>}{}gis' >"$dom"

# What a reader must see: both operations (operationId or summary), and the error-code
# tables (codes from both pages and the common ones).
missing=0
for want in \
	'查询渠道额度' \
	'查询二级商户账户实时余额' \
	'/v3/aggracct-bc/wb-channel/account/balance' \
	'/v3/ecommerce/fund/balance/' \
	'PARAM_ERROR' 'INVALID_REQUEST' 'SIGN_ERROR' 'NO_AUTH' 'ORDER_NOT_EXISTS' \
	'FREQUENCY_LIMITED' 'SYSTEM_ERROR' 'ACCOUNT_NOT_VERIFIED' \
	'输入账户类型未开通' '受理关系无效'; do
	if ! grep -qF -- "$want" "$dom"; then
		echo "screenshot.sh: $url does not show '$want'" >&2
		missing=1
	fi
done
if [ "$missing" -ne 0 ]; then
	exit 1
fi
echo "screenshot.sh: $url shows both operations and the error-code tables ($(wc -c <"$dom") bytes of rendered DOM)"

mkdir -p "$(dirname "$out")"
"$chromium" "${flags[@]}" --screenshot="$out" "$url" >/dev/null 2>&1
if [ ! -s "$out" ]; then
	echo "screenshot.sh: no screenshot written to $out" >&2
	exit 1
fi
echo "screenshot.sh: wrote $out"
