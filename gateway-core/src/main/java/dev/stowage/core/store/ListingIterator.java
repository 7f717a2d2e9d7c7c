package dev.stowage.core.store;

import java.util.Iterator;
import java.util.NoSuchElementException;

/** Walks a listing page by page; fetches the next page only when the current one is used up. Not thread-safe. */
final class ListingIterator implements Iterator<ObjectInfo> {
    private static final int PAGE_SIZE = 1000;

    private final ObjectStore store;
    private final String prefix;
    private Iterator<ObjectInfo> page;
    private String continuation;
    private boolean last;

    ListingIterator(ObjectStore store, String prefix) {
        this.store = store;
        this.prefix = prefix;
    }

    @Override
    public boolean hasNext() {
        while ((page == null || !page.hasNext()) && !last) {
            ListPage next = store.list(prefix, continuation, PAGE_SIZE);
            page = next.objects().iterator();
            continuation = next.continuation();
            last = next.isLast();
        }
        return page != null && page.hasNext();
    }

    @Override
    public ObjectInfo next() {
        if (!hasNext()) {
            throw new NoSuchElementException();
        }
        return page.next();
    }
}
