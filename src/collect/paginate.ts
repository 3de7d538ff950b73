/** What a paginated read produced: the items, and whether the last page was reached. */
export interface PaginatedItems<Item> {
  items: Item[];
  complete: boolean;
}

export interface PaginateOptions<Item> {
  /** Called with each page's items as soon as the page arrives (to start dependent work early). */
  onPage?: (items: Item[]) => void;
  /** Checked before each further page is requested; false ends the read early (`complete: false`). */
  canContinue?: () => boolean;
}

/** The continuation tokens of AWS APIs: Lambda `NextMarker`, IAM `IsTruncated` + `Marker`, EC2 `NextToken`. */
function hasNextPage(page: unknown): boolean {
  if (typeof page !== 'object' || page === null) return false;
  const { NextMarker, NextToken, IsTruncated, Marker } = page as Record<string, unknown>;
  return Boolean(NextMarker) || Boolean(NextToken) || (IsTruncated === true && Boolean(Marker));
}

/**
 * The one pagination helper: drains an SDK v3 paginator (`paginateListFunctions`,
 * `paginateGetAccountAuthorizationDetails`, …), picking the items of each page. A failing page
 * rejects; items of the pages before it are lost to the caller unless it kept them via `onPage`.
 *
 * @example
 * const { items } = await paginate(paginateListRolePolicies({ client: iam }, { RoleName: 'app' }), (page) => page.PolicyNames);
 */
export async function paginate<Page, Item>(
  pages: AsyncIterable<Page>,
  itemsOf: (page: Page) => Item[] | undefined,
  options: PaginateOptions<Item> = {},
): Promise<PaginatedItems<Item>> {
  const items: Item[] = [];
  const iterator = pages[Symbol.asyncIterator]();
  while (true) {
    const next = await iterator.next();
    if (next.done) return { items, complete: true };
    const pageItems = itemsOf(next.value) ?? [];
    for (const item of pageItems) items.push(item);
    options.onPage?.(pageItems);
    if (!hasNextPage(next.value)) continue;
    // Leaving the generator before asking for the next page means no further request is made.
    if (options.canContinue && !options.canContinue()) {
      await iterator.return?.();
      return { items, complete: false };
    }
  }
}
