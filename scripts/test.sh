#!/usr/bin/env bash
# The project's one test command (README "Run the tests"; .ci/run calls exactly this).
# 1. makes sure the real servers the integration tests start are installed (Mosquitto, PostgreSQL);
# 2. builds the whole solution, including the device projects compiled against nanoFramework's mscorlib;
# 3. runs the nanoFramework metadata check on every device assembly;
# 4. runs every test project.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

need=()
command -v mosquitto >/dev/null 2>&1 || [ -x /usr/sbin/mosquitto ] || need+=(mosquitto)
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || need+=(postgresql)
command -v openssl >/dev/null 2>&1 || need+=(openssl)
if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "test.sh: missing ${need[*]}; install them (sudo apt-get install ${need[*]}) and run again" >&2
    exit 1
  fi
  echo "test.sh: installing ${need[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
  # Debian starts the packaged services; the tests start their own instances on free ports.
  (service mosquitto stop; service postgresql stop) >/dev/null 2>&1 || true
fi

config=Release
echo "== build"
dotnet build Enrollment.sln -c "$config" -nologo -clp:ErrorsOnly

echo "== nanoFramework device check"
mapfile -t nano < <(find shared firmware -name '*.Nano.csproj' | sort)
dlls=()
for p in "${nano[@]}"; do
  name=$(sed -n 's:.*<AssemblyName>\(.*\)</AssemblyName>.*:\1:p' "$p")
  dlls+=("$(dirname "$p")/bin/$config/netstandard2.0/${name}.dll")
done
dotnet "tools/Enrollment.NanoCheck/bin/$config/net10.0/Enrollment.NanoCheck.dll" "${dlls[@]}"

echo "== tests"
results="$root/artifacts/test-results"
rm -rf "$results"
status=0
# A hung test fails the run within minutes (and names the test) instead of eating the CI budget.
dotnet test Enrollment.sln -c "$config" --no-build -nologo --logger "trx" --results-directory "$results" \
  --blame-hang-timeout 10m --blame-hang-dump-type none || status=$?

# One closing line over all projects, in the form CI reads.
python3 - "$results" <<'PY' || true
import glob, sys, xml.etree.ElementTree as ET
p = f = s = 0
for t in glob.glob(sys.argv[1] + "/*.trx"):
    c = ET.parse(t).getroot().find(".//{*}Counters")
    if c is None: continue
    p += int(c.get("passed", 0)); f += int(c.get("failed", 0)) + int(c.get("error", 0)) + int(c.get("timeout", 0))
    s += int(c.get("notExecuted", 0))
print(f"Tests: {p} passed, {f} failed, {s} skipped")
PY
exit $status
