#!/usr/bin/env bash
# Make sure the console's browser test (tests/integration/test_console_browser.py) can
# drive headless Chromium: find chromium and chromedriver, or install Debian's `chromium`
# and `chromium-driver` when running as root. Never fails the build: without them the
# browser test is skipped and pytest says why.
set -uo pipefail

if command -v chromium >/dev/null && command -v chromedriver >/dev/null; then
    echo "Chromium for the tests: $(chromedriver --version | cut -d' ' -f1-2)"
    exit 0
fi
if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null; then
    echo "Chromium is not installed and cannot be installed here (needs root and apt-get):"
    echo "  the console's browser test will be skipped. To run it: sudo apt-get install chromium chromium-driver"
    exit 0
fi
echo "Chromium is not installed: installing it from Debian's packages for the console's browser test"
echo "  (apt-get update && apt-get install -y chromium chromium-driver; about a minute)..."
export DEBIAN_FRONTEND=noninteractive
if apt-get update -qq && apt-get install -y -qq chromium chromium-driver >/dev/null; then
    echo "Chromium installed: $(chromedriver --version | cut -d' ' -f1-2)"
else
    echo "Installing Chromium failed (see above): the console's browser test will be skipped."
fi
exit 0
