"""Recomputes SigV4 signatures with botocore (moto's dependency), independently of the program.

Reads JSON from stdin: {"secret": ..., "access": ..., "requests": [{"method", "url", "headers"}]}
(`headers`: the request's headers as sent). Prints one line per request: the signature botocore
computes for the headers the request says it signed, with its own date and payload hash.
"""
import json
import sys

from botocore.auth import S3SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

data = json.load(sys.stdin)
for req in data["requests"]:
    headers = {k.lower(): v for k, v in req["headers"].items()}
    auth_header = headers["authorization"]
    fields = dict(
        part.strip().split("=", 1) for part in auth_header.split(" ", 1)[1].split(",")
    )
    _access, _date, region, service, _term = fields["Credential"].split("/")
    signed = fields["SignedHeaders"].split(";")
    request = AWSRequest(
        method=req["method"],
        url=req["url"],
        headers={name: headers[name] for name in signed},
    )
    request.context["timestamp"] = headers["x-amz-date"]
    auth = S3SigV4Auth(Credentials(data["access"], data["secret"]), service, region)
    canonical = auth.canonical_request(request)
    print(auth.signature(auth.string_to_sign(request, canonical), request))
