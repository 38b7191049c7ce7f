#!/usr/bin/env bash
# The plugin author kit, end to end, as an author meets it: the docs build without
# warnings; a plugin made by `crm plugins new` installs, passes its own tests and the
# contract checker; the worked example under examples/ does the same as a
# distribution of its own; and the checker fails, one readable line per finding, on
# fixture plugins that break the contract.
#
# Run from the repository root inside the CI virtualenv (crm-host installed with its
# test extras). Everything else happens in a temporary folder that is removed.
set -euo pipefail
cd "$(dirname "$0")/.."

export PIP_DISABLE_PIP_VERSION_CHECK=1
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
# The CLI's own database: a throw-away SQLite file, never the developer's.
export CRM_DATABASE_URL="sqlite:///$WORK/crm.sqlite3"
export CRM_INSTANCE_PATH="$WORK/instance"

step() { printf '\n== %s\n' "$*"; }

step "docs: the hook and SDK references are current, and MkDocs builds with warnings as errors"
python -m crm_host.authoring.hookref docs/reference/hooks.md --check
python -m crm_host.authoring.sdkref docs/authors/sdk.md --check
mkdocs build --strict --site-dir "$WORK/site" --quiet

step "crm plugins new: generate, install, run its tests, check it"
crm plugins new water --dest "$WORK" --label "Water utility" --label-zh "水务"
pip install --quiet --no-deps --no-build-isolation --target "$WORK/new-site" "$WORK/crm-water"
(
    export PYTHONPATH="$WORK/new-site${PYTHONPATH:+:$PYTHONPATH}"
    cd "$WORK/crm-water"
    python -m pytest -q -p no:cacheprovider
    crm init
    crm plugins check water
    crm plugins install water
    crm plugins list | grep -E '^water +water +0\.1\.0 +yes'
)

step "examples/crm-loyalty: its own distribution, its tests, the checker"
# A copy, so that pip's build folder never lands in the repository.
cp -r examples/crm-loyalty "$WORK/crm-loyalty"
pip install --quiet --no-deps --no-build-isolation --target "$WORK/example-site" "$WORK/crm-loyalty"
(
    export PYTHONPATH="$WORK/example-site${PYTHONPATH:+:$PYTHONPATH}"
    cd "$WORK/crm-loyalty"
    python -m pytest -q -p no:cacheprovider
    crm plugins check loyalty
)

step "tests/fixtures/crm-loyalty-legacy: a plugin written before the SDK, on the old paths"
# The example as it was before crm_host.sdk, frozen: it must still pass its tests, with
# deprecation warnings (each naming its SDK replacement) and no other warning.
cp -r tests/fixtures/crm-loyalty-legacy "$WORK/crm-loyalty-legacy"
pip install --quiet --no-deps --no-build-isolation --target "$WORK/legacy-site" "$WORK/crm-loyalty-legacy"
(
    export PYTHONPATH="$WORK/legacy-site${PYTHONPATH:+:$PYTHONPATH}"
    cd "$WORK/crm-loyalty-legacy"
    python -m pytest -q -p no:cacheprovider -W error -W default::DeprecationWarning | tee "$WORK/legacy-tests"
    grep -qF "DeprecationWarning: crm_host.models.Customer is deprecated; import it from crm_host.sdk" "$WORK/legacy-tests"
    # The plugin shape came after this plugin: its findings may be about the shape only.
    status=0
    crm plugins check loyaltylegacy >"$WORK/legacy-findings" 2>"$WORK/legacy-check" || status=$?
    if [ "$status" -ne 0 ] && grep -v "is not in the plugin shape" "$WORK/legacy-findings"; then
        echo "crm plugins check loyaltylegacy found more than the plugin shape" >&2
        exit 1
    fi
    grep -qF "imports crm_host.models.Customer outside the SDK: use from crm_host.sdk import Customer" "$WORK/legacy-check"
)

step "crm plugins check fails, readably, on plugins that break the contract"
must_fail() {
    local fixture="$1" expected="$2" status=0
    printf -- '-- crm plugins check %s\n' "$fixture"
    PYTHONPATH="tests/fixtures/plugins${PYTHONPATH:+:$PYTHONPATH}" crm plugins check "$fixture" >"$WORK/findings" || status=$?
    cat "$WORK/findings"
    if [ "$status" -ne 1 ] || ! grep -qF "$expected" "$WORK/findings"; then
        echo "expected exit status 1 and '$expected' from crm plugins check $fixture" >&2
        exit 1
    fi
}
must_fail crm_fx_unknown "implements crm_no_such_hook, a hook that neither the host nor"
must_fail crm_fx_around "is registered on the application directly"
must_fail crm_fx_baddown "migrations do not downgrade"
must_fail crm_fx_peek "names table sales_opportunities of plugin sales"
must_fail crm_fx_badsource "selects ref as INTEGER, but the contract wants a string"

step "author kit: all green"
