import { deepEqual, equal, throws } from "node:assert/strict";
import { EXIT, exitCodeOf, UsageError } from "../../src/errors.ts";
import {
  checkNetHost,
  DESTINATION_NET_HOSTS,
  endpointNetHost,
  parseDestinations,
} from "../../src/destinations/mod.ts";
import {
  endpointOf,
  netHostOf,
  objectKey,
  objectUrl,
  parseDestination,
} from "../../src/destinations/url.ts";

function usageError(fn: () => unknown, pattern: RegExp): UsageError {
  let caught: unknown;
  throws(() => {
    try {
      fn();
    } catch (err) {
      caught = err;
      throw err;
    }
  });
  if (!(caught instanceof UsageError)) throw new Error(`not a UsageError: ${caught}`);
  equal(exitCodeOf(caught), EXIT.usage);
  if (!pattern.test(caught.message)) {
    throw new Error(`"${caught.message}" does not match ${pattern}`);
  }
  return caught;
}

Deno.test("parseDestination() reads s3:// and gs:// URLs, with and without a prefix", () => {
  deepEqual(parseDestination("s3://my-bucket/exports/augment/"), {
    url: "s3://my-bucket/exports/augment",
    scheme: "s3",
    bucket: "my-bucket",
    prefix: "exports/augment",
  });
  deepEqual(parseDestination("S3://my-bucket"), {
    url: "s3://my-bucket",
    scheme: "s3",
    bucket: "my-bucket",
    prefix: "",
  });
  deepEqual(parseDestination("gs://warehouse_raw/augment"), {
    url: "gs://warehouse_raw/augment",
    scheme: "gs",
    bucket: "warehouse_raw",
    prefix: "augment",
  });
  equal(parseDestination("s3://b-1/day%3D1").prefix, "day=1");
});

Deno.test("parseDestination() refuses bad URLs with one line naming the problem and the forms", () => {
  usageError(() => parseDestination("https://bucket/x"), /scheme "https" is not supported/);
  usageError(() => parseDestination("bucket/x"), /expected s3:\/\/bucket/);
  usageError(() => parseDestination("s3:///x"), /bucket name is missing/);
  usageError(() => parseDestination("s3://Bucket/x"), /lowercase/);
  usageError(() => parseDestination("s3://my_bucket"), /3 to 63 lowercase letters/);
  usageError(() => parseDestination("s3://b/x"), /3 to 63/);
  usageError(() => parseDestination("s3://bucket/a//b"), /empty/);
  usageError(() => parseDestination("s3://bucket/a/../b"), /"\.\."/);
  usageError(() => parseDestination("s3://bucket/a?versionId=1"), /query string/);
  const err = usageError(() => parseDestination("s3://AKIAXXXX:s3cr3t@bucket/x"), /credentials/);
  equal(err.message.includes("s3cr3t"), false);
  equal(err.message.includes("AKIAXXXX"), false);
  equal(/s3:\/\/bucket\[\/prefix\] or gs:\/\/bucket\[\/prefix\]/.test(err.hint ?? ""), true);
});

Deno.test("parseDestinations() splits AUGMENT_DESTINATIONS and drops duplicates", () => {
  deepEqual(
    parseDestinations(["s3://a-bucket/x, gs://g-bucket", "s3://a-bucket/x/"]).map((d) => d.url),
    ["s3://a-bucket/x", "gs://g-bucket"],
  );
});

Deno.test("endpointOf(): AWS virtual host by default, path-style for dotted buckets and custom endpoints", () => {
  const aws = endpointOf(parseDestination("s3://my-bucket/p"), { region: "eu-west-1" });
  equal(aws.base.href, "https://my-bucket.s3.eu-west-1.amazonaws.com/");
  equal(aws.pathStyle, false);
  equal(
    objectUrl(aws, "my-bucket", "p/tables/activity/day=2025-01-01/part-0.parquet").href,
    "https://my-bucket.s3.eu-west-1.amazonaws.com/p/tables/activity/day%3D2025-01-01/part-0.parquet",
  );
  equal(endpointOf(parseDestination("s3://my-bucket")).region, "us-east-1");

  const dotted = endpointOf(parseDestination("s3://my.bucket"), { region: "us-west-2" });
  equal(
    objectUrl(dotted, "my.bucket", "a b/c").href,
    "https://s3.us-west-2.amazonaws.com/my.bucket/a%20b/c",
  );

  const minio = endpointOf(parseDestination("s3://data/x"), {
    endpointUrl: "http://127.0.0.1:9000",
    region: "auto",
  });
  equal(minio.pathStyle, true);
  equal(minio.region, "auto");
  equal(objectUrl(minio, "data", "x/y.json").href, "http://127.0.0.1:9000/data/x/y.json");
  equal(
    objectUrl(minio, "data", "", { "list-type": "2", prefix: "x/" }).href,
    "http://127.0.0.1:9000/data/?list-type=2&prefix=x%2F",
  );
});

Deno.test("endpointOf(): gs:// goes to the XML API on storage.googleapis.com, region auto, service s3", () => {
  const gs = endpointOf(parseDestination("gs://warehouse/augment"), {
    region: "eu-west-1",
    endpointUrl: "http://127.0.0.1:9000",
  });
  deepEqual(
    { base: gs.base.href, pathStyle: gs.pathStyle, region: gs.region, service: gs.service },
    {
      base: "https://storage.googleapis.com/",
      pathStyle: true,
      region: "auto",
      service: "s3",
    },
  );
  equal(
    objectUrl(gs, "warehouse", "augment/latest/metrics.csv").href,
    "https://storage.googleapis.com/warehouse/augment/latest/metrics.csv",
  );
});

Deno.test("endpointOf() refuses a malformed endpoint or region", () => {
  const d = parseDestination("s3://data");
  usageError(() => endpointOf(d, { endpointUrl: "ftp://x" }), /AWS_ENDPOINT_URL_S3.*"ftp"/);
  usageError(() => endpointOf(d, { endpointUrl: "https://k:s@x" }), /credentials/);
  usageError(() => endpointOf(d, { region: "eu west" }), /region/);
});

Deno.test("objectKey() joins the prefix; net hosts are spelt as --allow-net wants them", () => {
  equal(objectKey(parseDestination("s3://bkt/a/b"), "latest/x.json"), "a/b/latest/x.json");
  equal(objectKey(parseDestination("s3://bkt"), "latest/x.json"), "latest/x.json");
  equal(netHostOf(new URL("https://minio.example.com/")), "minio.example.com:443");
  equal(endpointNetHost("http://10.0.0.5:9000/base"), "10.0.0.5:9000");
  equal(checkNetHost("*.Example.com:9000"), "*.example.com:9000");
  usageError(() => checkNetHost("http://x"), /Invalid destination host/);
  equal(DESTINATION_NET_HOSTS.includes("*.amazonaws.com:443"), true);
});
