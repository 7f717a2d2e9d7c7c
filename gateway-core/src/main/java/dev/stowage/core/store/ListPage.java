package dev.stowage.core.store;

import java.util.List;

/**
 * One page of a listing.
 *
 * @param objects      entries in key order (metadata maps are empty in listings)
 * @param continuation token for the next page, or null when this is the last page
 */
public record ListPage(List<ObjectInfo> objects, String continuation) {

    public ListPage {
        objects = List.copyOf(objects);
    }

    public boolean isLast() {
        return continuation == null;
    }
}
