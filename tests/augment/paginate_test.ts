import assert from "node:assert/strict";
import { type Page, pageLimitFromMetadata, paginate } from "../../src/augment/paginate.ts";
import { ServiceError } from "../../src/errors.ts";

/** A page source from a fixed list of pages; records the cursors it was asked for. */
function pages(list: Page<number>[]) {
  const asked: (string | undefined)[] = [];
  return {
    asked,
    fetchPage: (cursor: string | undefined) => {
      asked.push(cursor);
      const page = list[asked.length - 1];
      if (!page) throw new Error("asked for a page past the end");
      return Promise.resolve(page);
    },
  };
}

async function collect(
  list: Page<number>[],
  extra: { maxPages?: number; pageSize?: number } = {},
) {
  const src = pages(list);
  const items: number[] = [];
  for await (
    const n of paginate({ endpoint: "/x", pageSize: extra.pageSize ?? 2, ...src, ...extra })
  ) items.push(n);
  return { items, asked: src.asked };
}

Deno.test("paginate() follows next_cursor while has_more is true", async () => {
  const { items, asked } = await collect([
    { items: [1, 2], pagination: { next_cursor: "a", has_more: true } },
    { items: [3, 4], pagination: { next_cursor: "b", has_more: true } },
    { items: [5], pagination: { next_cursor: "", has_more: false } },
  ]);
  assert.deepEqual(items, [1, 2, 3, 4, 5]);
  assert.deepEqual(asked, [undefined, "a", "b"]);
});

Deno.test("paginate() stops when has_more is false even with a cursor", async () => {
  const { items, asked } = await collect([
    { items: [1, 2], pagination: { next_cursor: "a", has_more: false } },
  ]);
  assert.deepEqual(items, [1, 2]);
  assert.equal(asked.length, 1);
});

Deno.test("paginate() stops when next_cursor is null though has_more is true", async () => {
  const { items, asked } = await collect([
    { items: [1, 2], pagination: { next_cursor: "a", has_more: true } },
    { items: [3, 4], pagination: { next_cursor: null, has_more: true } },
  ]);
  assert.deepEqual(items, [1, 2, 3, 4]);
  assert.equal(asked.length, 2);
});

Deno.test("paginate() stops when next_cursor is empty or pagination is missing", async () => {
  assert.deepEqual(
    (await collect([{ items: [1], pagination: { next_cursor: "", has_more: true } }])).items,
    [1],
  );
  assert.deepEqual((await collect([{ items: [7] }])).items, [7]);
});

Deno.test("paginate() goes on with a cursor when has_more is absent", async () => {
  const { items } = await collect([
    { items: [1, 2], pagination: { next_cursor: "a" } },
    { items: [3], pagination: { next_cursor: null } },
  ]);
  assert.deepEqual(items, [1, 2, 3]);
});

Deno.test("paginate() yields nothing for an empty single page", async () => {
  const { items } = await collect([{
    items: [],
    pagination: { next_cursor: null, has_more: false },
  }]);
  assert.deepEqual(items, []);
});

Deno.test("paginate() fails with a ServiceError when a cursor repeats", async () => {
  await assert.rejects(
    collect([
      { items: [1, 2], pagination: { next_cursor: "a", has_more: true } },
      { items: [3, 4], pagination: { next_cursor: "b", has_more: true } },
      { items: [5, 6], pagination: { next_cursor: "a", has_more: true } },
    ]),
    (err) => {
      assert.ok(err instanceof ServiceError);
      assert.match(err.message, /^Cannot page through "\/x": .*same cursor twice/);
      assert.equal(err.details.endpoint, "/x");
      return true;
    },
  );
});

Deno.test("paginate() fails when pages go far beyond the metadata's totals", async () => {
  // 4 records at 2 a page = 2 pages; margin 3; the 5th page with more to come is too many.
  const endless: Page<number>[] = Array.from({ length: 20 }, (_, i) => ({
    items: [i],
    pagination: { next_cursor: `c${i}`, has_more: true },
    metadata: { total_record_count: 4 },
  }));
  const src = pages(endless);
  await assert.rejects(
    (async () => {
      for await (const _ of paginate({ endpoint: "/x", pageSize: 2, ...src })) { /* drain */ }
    })(),
    (err) => {
      assert.ok(err instanceof ServiceError);
      assert.match(err.message, /more than the 5 pages its totals imply/);
      return true;
    },
  );
  assert.equal(src.asked.length, 5);
});

Deno.test("paginate() fails past the hard page cap without metadata", async () => {
  const endless: Page<number>[] = Array.from({ length: 50 }, (_, i) => ({
    items: [i],
    pagination: { next_cursor: `c${i}`, has_more: true },
  }));
  await assert.rejects(collect(endless, { maxPages: 10 }), /more than 10 pages/);
});

Deno.test("pageLimitFromMetadata() allows the implied pages plus a margin", () => {
  assert.equal(pageLimitFromMetadata(undefined, 100), undefined);
  assert.equal(pageLimitFromMetadata({ returned_record_count: 5 }, 100), undefined);
  assert.equal(pageLimitFromMetadata({ total_record_count: 0 }, 100), 4);
  assert.equal(pageLimitFromMetadata({ total_user_count: 250 }, 100), 6);
  assert.equal(pageLimitFromMetadata({ total_record_count: 10_000 }, 100), 110);
});
