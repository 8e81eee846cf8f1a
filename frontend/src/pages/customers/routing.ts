import { useCallback, useEffect, useMemo } from "react";
import { useLocation, useSearch } from "wouter";

import { updateRouting } from "../../core/dashboard";

/**
 * The page's state lives in its URL (filters, sort, cursor), so a reload, the browser's back button
 * and a link pasted to a colleague all show the same screen. Every change is reported to the
 * dashboard (App Bridge `updateRouting`) so its own address bar follows the app's route.
 */
export function useRouteState(): {
  params: URLSearchParams;
  setParams: (change: Record<string, string | null>, options?: { replace?: boolean }) => void;
  go: (path: string) => void;
} {
  const [location, navigate] = useLocation();
  const search = useSearch();
  const params = useMemo(() => new URLSearchParams(search), [search]);

  useEffect(() => {
    void updateRouting(search ? `${location}?${search}` : location);
  }, [location, search]);

  const setParams = useCallback(
    (change: Record<string, string | null>, { replace = false } = {}) => {
      const next = new URLSearchParams(search);
      for (const [name, value] of Object.entries(change)) {
        if (value === null || value === "") next.delete(name);
        else next.set(name, value);
      }
      const query = next.toString();
      navigate(query ? `${location}?${query}` : location, { replace });
    },
    [location, navigate, search],
  );

  const go = useCallback((path: string) => navigate(path), [navigate]);
  return { params, setParams, go };
}
