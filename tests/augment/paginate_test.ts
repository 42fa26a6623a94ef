import assert from "node:assert/strict";
import {
  DEFAULT_MAX_PAGES,
  type Page,
  PAGE_MARGIN,
  pageBound,
  pageLimitFromMetadata,
  paginate,
} from "../../src/augment/paginate.ts";
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

/** A source whose cursor never repeats and never ends; counts the pages asked for. */
function endless(metadata?: Page<number>["metadata"]) {
  let asked = 0;
  return {
    get asked() {
      return asked;
    },
    fetchPage: () => {
      asked++;
      return Promise.resolve<Page<number>>({
        items: [asked],
        pagination: { next_cursor: `c${asked}`, has_more: true },
        metadata,
      });
    },
  };
}

async function drain(it: AsyncIterable<unknown>): Promise<void> {
  for await (const _ of it) { /* drain */ }
}

Deno.test("pageBound() allows the pages the identities can fill, plus a margin", () => {
  assert.equal(PAGE_MARGIN, 5);
  assert.deepEqual(pageBound(12, 64, 100), { pages: 8 + 5, basis: "12 active identities" });
  assert.deepEqual(pageBound(1, 1, 250), { pages: 1 + 5, basis: "1 active identity" });
  assert.deepEqual(pageBound(0, 64, 100), { pages: 5, basis: "0 active identities" });
  assert.equal(pageBound(undefined, 64, 100), undefined);
  assert.equal(pageBound(-1, 64, 100), undefined);
  assert.equal(pageBound(1.5, 64, 100), undefined);
});

Deno.test("paginate() stops a never-ending cursor at the caller's bound, naming endpoint, day and pages", async () => {
  const src = endless();
  await assert.rejects(
    drain(paginate({
      endpoint: "/x",
      scope: "2026-03-17",
      pageSize: 100,
      fetchPage: src.fetchPage,
      bound: pageBound(12, 64, 100),
    })),
    (err) => {
      assert.ok(err instanceof ServiceError);
      assert.equal(
        err.message,
        'Cannot page through "/x" for 2026-03-17: the service still had more after 13 pages, ' +
          "more than the 13 pages its own counts imply (12 active identities); try again " +
          "later, or report it if it persists",
      );
      assert.equal(err.details.attempts, 13);
      return true;
    },
  );
  assert.equal(src.asked, 13);
});

Deno.test("paginate() follows the metadata's totals when they allow more than the bound", async () => {
  const src = endless({ total_record_count: 2_000 });
  await assert.rejects(
    drain(paginate({
      endpoint: "/x",
      pageSize: 100,
      fetchPage: src.fetchPage,
      bound: pageBound(1, 1, 100),
    })),
    /more than the 23 pages its totals imply/,
  );
  assert.equal(src.asked, 23);
});

Deno.test("paginate() stops at DEFAULT_MAX_PAGES when nothing says how many pages to expect", async () => {
  const src = endless();
  await assert.rejects(
    drain(paginate({ endpoint: "/x", scope: "2026-03-17", pageSize: 100, ...src })),
    (err) => {
      assert.ok(err instanceof ServiceError);
      assert.match(
        err.message,
        /^Cannot page through "\/x" for 2026-03-17: the service still had more after 1000 pages, more than 1000 pages, with no count to say how many to expect; /,
      );
      return true;
    },
  );
  assert.equal(src.asked, DEFAULT_MAX_PAGES);
});

Deno.test("paginate() reads a series that ends within the bound in full", async () => {
  const list: Page<number>[] = Array.from({ length: 13 }, (_, i) => ({
    items: [i],
    pagination: i < 12 ? { next_cursor: `c${i}`, has_more: true } : { next_cursor: "" },
  }));
  const src = pages(list);
  const items: number[] = [];
  for await (
    const n of paginate({ endpoint: "/x", pageSize: 100, ...src, bound: pageBound(12, 64, 100) })
  ) items.push(n);
  assert.equal(items.length, 13);
});
