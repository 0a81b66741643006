package io.soilci.server.site;

/**
 * Which pages this replica renders ({@link Site#renderOnly}). On one box it renders every page; in
 * the distributed mode only the pages of the roles it holds, and another replica's pages reach its
 * folder as that replica announces them. A page changed here that another replica renders is
 * <em>left</em>: it is pending (a read through HTTP waits for it) until the renderer announced its
 * pages as far as the change that left it, or until this replica takes the role and renders it.
 */
public interface PageOwners {
  /** Renders every page: one box. */
  PageOwners ALL =
      new PageOwners() {
        @Override
        public boolean rendersHere(String path) {
          return true;
        }

        @Override
        public long position() {
          return 0;
        }

        @Override
        public long announced(String path) {
          return 0;
        }
      };

  /** Whether this replica renders the page at {@code path} (from the site root) now. */
  boolean rendersHere(String path);

  /** The position of the change being applied (its stream sequence): what leaves a page. */
  long position();

  /**
   * How far the renderer of the page at {@code path} announced its pages, as far as this replica
   * fetched them: a page left by a change at or before it is current already.
   */
  long announced(String path);
}
