import assert from "node:assert/strict";
import {
  type ArgvShape,
  closest,
  describeFailure,
  editDistance,
  fileSystemFailure,
  firstPositional,
  logFormatInArgs,
} from "../../src/cli/errors_map.ts";
import {
  AuthError,
  BusyError,
  EXIT,
  exitCodeOf,
  StoreError,
  storeOfAnotherService,
  UsageError,
} from "../../src/errors.ts";

const SHAPE: ArgvShape = {
  commands: ["export", "auth", "simulate", "demo"],
  valueOptions: new Set(["-o", "--output-dir", "--log-format", "--now"]),
  subcommands: { auth: ["login", "status", "logout"] },
};
const granted = () => true;
const refused = () => false;

Deno.test("editDistance() counts an adjacent swap as one edit", () => {
  assert.equal(editDistance("exprot", "export"), 1);
  assert.equal(editDistance("", "abc"), 3);
  assert.equal(editDistance("kitten", "sitting"), 3);
  assert.equal(editDistance("same", "same"), 0);
});

Deno.test("closest() names a near command, a prefix, or nothing", () => {
  const cmds = SHAPE.commands;
  assert.equal(closest("exprot", cmds), "export");
  assert.equal(closest("EXPORT", cmds), "export");
  assert.equal(closest("dmeo", cmds), "demo");
  assert.equal(closest("sim", cmds), "simulate");
  assert.equal(closest("status", cmds), undefined);
  assert.equal(closest("x", cmds), undefined);
});

Deno.test("firstPositional() skips options and their values, stops at --", () => {
  const v = SHAPE.valueOptions;
  assert.equal(firstPositional(["-o", "exprot", "--dry-run"], v), undefined);
  assert.equal(firstPositional(["--log-format", "json", "-v", "exprot"], v), "exprot");
  assert.equal(firstPositional(["--output-dir=x", "auth", "login"], v), "auth");
  assert.equal(firstPositional(["--", "exprot"], v), undefined);
});

Deno.test("logFormatInArgs() finds --log-format json in both spellings, before --", () => {
  assert.equal(logFormatInArgs(["--log-format", "json", "--bogus"]), "json");
  assert.equal(logFormatInArgs(["export", "--log-format=json"]), "json");
  assert.equal(logFormatInArgs(["--log-format", "xml"]), "text");
  assert.equal(logFormatInArgs(["--", "--log-format", "json"]), "text");
  assert.equal(logFormatInArgs([]), "text");
});

Deno.test("StoreError: exit 1 by default, 2 for a store of another service, with its hint", () => {
  const corrupt = new StoreError('Cannot read store file "/s/store.json": not valid JSON');
  assert.equal(corrupt.name, "StoreError");
  assert.equal(exitCodeOf(corrupt), EXIT.failure);
  assert.deepEqual(describeFailure(corrupt, [], SHAPE), { message: corrupt.message, code: 1 });

  const other = storeOfAnotherService("/s", "https://a.example", "https://b.example");
  assert.equal(exitCodeOf(other), EXIT.usage);
  const f = describeFailure(other, [], SHAPE);
  assert.equal(f.code, 2);
  assert.match(
    f.message,
    /"\/s".*"https:\/\/a\.example".*"https:\/\/b\.example": set AUGMENT_API_BASE_URL/,
  );

  // An error of that name from another module (the store's own class) maps the same way.
  class ForeignStoreError extends Error {
    override name = "StoreError";
    readonly exitCode = 1;
  }
  assert.equal(describeFailure(new ForeignStoreError("bad"), [], SHAPE).code, 1);
  assert.doesNotMatch(describeFailure(new ForeignStoreError("bad"), [], SHAPE).message, /report/);
});

Deno.test("describeFailure(): the project's kinds keep their codes; a bug says so", () => {
  assert.equal(describeFailure(new UsageError("Bad", "fix"), [], SHAPE).message, "Bad: fix");
  assert.equal(describeFailure(new AuthError("No", 401), [], SHAPE).code, 3);
  assert.equal(describeFailure(new BusyError("Busy"), [], SHAPE).code, 5);
  const bug = describeFailure(new TypeError("x is undefined\nmore"), [], SHAPE);
  assert.equal(bug.code, 1);
  assert.equal(
    bug.message,
    "Unexpected failure: x is undefined (run with --verbose for details, and please report it)",
  );
  assert.ok(bug.stack);
});

Deno.test("describeFailure(): a broken pipe ends quietly with exit 0", () => {
  assert.deepEqual(
    describeFailure(new Deno.errors.BrokenPipe("Broken pipe (os error 32)"), [], SHAPE),
    { message: "", code: 0 },
  );
});

Deno.test("describeFailure(): the permission set refusing a host still speaks of the network", () => {
  const f = describeFailure(
    new Deno.errors.NotCapable(
      'Requires net access to "example.com:443", run again with the --allow-net flag',
    ),
    [],
    SHAPE,
  );
  assert.equal(f.code, 2);
  assert.match(f.message, /^Not permitted: .*example\.com.*--allow-net/);
});

Deno.test("fileSystemFailure(): the OS's permission denied vs the permission set's", () => {
  const os = new Deno.errors.PermissionDenied("Permission denied (os error 13): mkdir '/srv/m'");
  const byOs = fileSystemFailure(os, [], granted)!;
  assert.equal(byOs.code, 2);
  assert.equal(
    byOs.message,
    'Cannot write "/srv/m": the operating system denied it (permission denied); make it ' +
      "writable for this user (chmod, chown), or choose another --output-dir (or AUGMENT_OUTPUT_DIR)",
  );
  // The same error class, when the permission set does not grant the path (older Deno).
  const bySet = fileSystemFailure(os, [], refused)!;
  assert.match(bySet.message, /^Not permitted to write "\/srv\/m": .*--allow-write/);

  const capable = fileSystemFailure(
    new Deno.errors.NotCapable(
      'Requires write access to "/srv/m", run again with the --allow-write flag',
    ),
    [],
    granted,
  )!;
  assert.match(capable.message, /^Not permitted to write "\/srv\/m"/);
  assert.doesNotMatch(capable.message, /connect|network/);

  const read = fileSystemFailure(
    new Deno.errors.PermissionDenied("Permission denied (os error 13): readfile '/srv/x'"),
    [],
    granted,
  )!;
  assert.match(read.message, /^Cannot read "\/srv\/x": .*make it readable/);
});

Deno.test("fileSystemFailure(): read-only, a file in the way, a path from the arguments", () => {
  const ro = Object.assign(new Error("Read-only file system (os error 30): mkdir '/mnt/ro/out'"), {
    code: "EROFS",
  });
  assert.match(
    fileSystemFailure(ro, [], granted)!.message,
    /^Cannot write "\/mnt\/ro\/out": the file system is read-only/,
  );

  // No path in the message: the one given with -o is named.
  const notDir = new Deno.errors.NotADirectory("Not a directory (os error 20)");
  const f = fileSystemFailure(notDir, ["export", "-o", "/data/file.txt"], granted)!;
  assert.match(f.message, /^Cannot write "\/data\/file\.txt": a part of that path is a file/);

  const exists = new Deno.errors.AlreadyExists("File exists (os error 17): mkdir '/data/x'");
  assert.match(
    fileSystemFailure(exists, [], granted)!.message,
    /^Cannot create the folder "\/data\/x": a file of that name/,
  );

  // Wrapped errors are found through `cause`.
  const wrapped = new Error("writing failed", { cause: notDir });
  assert.equal(fileSystemFailure(wrapped, ["--output-dir=/o"], granted)!.code, 2);

  assert.equal(fileSystemFailure(new Error("something else"), [], granted), undefined);
});
