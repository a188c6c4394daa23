# Baseline for `npm run bench -- winrm`: pywinrm (Debian python3-winrm) run_ps against a lab host,
# timed here per call. Prints one JSON line: {"ms": [...]}.
import json, sys, time
import winrm

url, user, password, runs = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
session = winrm.Session(url, auth=(user, password), transport='basic')
times = []
for _ in range(runs):
    t = time.perf_counter()
    r = session.run_ps('Write-Output "facts"')
    times.append((time.perf_counter() - t) * 1000)
print(json.dumps({"ms": times, "status": r.status_code}))
