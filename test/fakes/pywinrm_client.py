# Drives Debian's pywinrm 0.3.0 against the lab WS-Man server for the fidelity tests.
# argv[1]: JSON {url, user, password, transport, message_encryption?, server_cert_validation?, send_cbt?, kerberos_hostname_override?, ops: [...]}
#   op {"type": "run_cmd", "cmd": str, "args": [str]}
#   op {"type": "protocol", "codepage": int, "command": str, "args": [str]}
# stdout: JSON list, one result per op: {status_code, stdout, stderr (base64)} or {error, message}.
import base64
import json
import sys

try:
    import winrm
    from winrm.protocol import Protocol
except ImportError as e:  # the test turns this into an actionable failure
    print(json.dumps({"import_error": str(e)}))
    sys.exit(3)


def b64(b):
    return base64.b64encode(b).decode("ascii")


def main():
    a = json.loads(sys.argv[1])
    extra = {}
    if "message_encryption" in a:
        extra["message_encryption"] = a["message_encryption"]
    if "server_cert_validation" in a:
        extra["server_cert_validation"] = a["server_cert_validation"]
    for key in ("send_cbt", "kerberos_hostname_override"):
        if key in a:
            extra[key] = a[key]
    results = []
    for op in a["ops"]:
        try:
            if op["type"] == "run_cmd":
                s = winrm.Session(a["url"], auth=(a["user"], a["password"]), transport=a["transport"], **extra)
                r = s.run_cmd(op["cmd"], op.get("args", []))
                results.append({"status_code": r.status_code, "stdout": b64(r.std_out), "stderr": b64(r.std_err)})
            else:
                p = Protocol(a["url"], transport=a["transport"], username=a["user"], password=a["password"], **extra)
                shell = p.open_shell(codepage=op.get("codepage", 437))
                cmd = p.run_command(shell, op["command"], op.get("args", []))
                out, err, code = p.get_command_output(shell, cmd)
                p.cleanup_command(shell, cmd)
                p.close_shell(shell)
                results.append({"status_code": code, "stdout": b64(out), "stderr": b64(err)})
        except Exception as e:  # reported, not raised: the test asserts on the class name
            results.append({"error": type(e).__name__, "message": str(e)})
    print(json.dumps(results))


main()
