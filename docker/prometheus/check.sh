#!/usr/bin/env bash
# Validate the monitoring configuration: Prometheus rules and their unit tests, the Prometheus
# config, the Alertmanager config, and the Grafana dashboard and compose file syntax.
# Needs promtool and amtool (Debian: apt-get install -y prometheus prometheus-alertmanager).
# Runs every check, prints a summary, exits 1 when any failed (2 when a tool is missing).
set -uo pipefail
cd "$(dirname "$0")/../.."   # repo root: every path below is relative to it

for tool in promtool amtool; do
  command -v "$tool" >/dev/null || { echo "check.sh: $tool not found (apt-get install -y prometheus prometheus-alertmanager)" >&2; exit 2; }
done

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
failed=()

run() { # run <name> <command...>
  local name=$1; shift
  printf '\n== %s\n$ %s\n' "$name" "$*"
  if "$@"; then echo "-> ok"; else echo "-> FAILED"; failed+=("$name"); fi
}

run "rules syntax" promtool check rules docker/prometheus/alerts.yml
run "rules unit tests" promtool test rules docker/prometheus/alerts.test.yml

# prometheus.yml names /etc/prometheus/metrics-token, which exists only where Prometheus runs,
# and `promtool check config` insists the file exists. Check a copy whose token path points at a
# placeholder; rule_files resolve next to the copy, so alerts.yml is copied along.
cp docker/prometheus/prometheus.yml docker/prometheus/alerts.yml "$tmp/"
printf 'placeholder\n' > "$tmp/metrics-token"
sed -i "s#/etc/prometheus/metrics-token#$tmp/metrics-token#" "$tmp/prometheus.yml"
if grep -q "$tmp/metrics-token" "$tmp/prometheus.yml"; then
  run "prometheus config" promtool check config "$tmp/prometheus.yml"
else
  echo "check.sh: credentials_file /etc/prometheus/metrics-token not found in prometheus.yml" >&2
  failed+=("prometheus config")
fi

run "alertmanager config" amtool check-config docker/alertmanager/alertmanager.yml

# JSON and YAML syntax with Node (the project's own toolchain; js-yaml comes with @nestjs/swagger).
run "grafana dashboard JSON" node -e 'JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"))' docker/grafana/dashboards/atrium.json
for f in docker/compose.yaml docker/grafana/provisioning/*/*.yml; do
  run "YAML $f" node -e 'require("js-yaml").load(require("fs").readFileSync(process.argv[1], "utf8"))' "$f"
done

echo
if ((${#failed[@]})); then
  printf 'check.sh: FAILED: %s\n' "${failed[@]}"
  exit 1
fi
echo "check.sh: all checks passed"
