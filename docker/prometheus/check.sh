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

if command -v python3 >/dev/null; then
  run "grafana dashboard JSON" python3 -m json.tool docker/grafana/dashboards/atrium.json /dev/null
  if python3 -c 'import yaml' 2>/dev/null; then
    for f in docker/compose.yaml docker/grafana/provisioning/*/*.yml; do
      run "YAML $f" python3 -c 'import sys, yaml; yaml.safe_load(open(sys.argv[1]))' "$f"
    done
  else
    echo; echo "== YAML syntax: skipped (python3-yaml not installed)"
  fi
else
  echo; echo "== dashboard JSON and YAML syntax: skipped (python3 not installed)"
fi

echo
if ((${#failed[@]})); then
  printf 'check.sh: FAILED: %s\n' "${failed[@]}"
  exit 1
fi
echo "check.sh: all checks passed"
