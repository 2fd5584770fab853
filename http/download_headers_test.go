package http

import "testing"

// TestAccessoryDownloadsAreNotCached: DownloadAccessories, one file or a
// zip, carries Cache-Control: no-store like the signed links do, so no
// shared cache keeps a customer's attachment. It used to carry none.
func TestAccessoryDownloadsAreNotCached(t *testing.T) {
	env := newTestEnv(t)
	u := env.Account("acme").User("alice")
	a := uploadViaAPI(u, "a.txt", []byte("one"))
	b := uploadViaAPI(u, "b.txt", []byte("two"))
	for _, path := range []string{accessorysPath + "/" + a, accessorysPath + "/" + a + "," + b} {
		res := u.Do("GET", path, nil).Expect(200)
		if got := res.Header.Get("Cache-Control"); got != "private, no-store" {
			t.Errorf("GET %s: Cache-Control = %q, want %q", path, got, "private, no-store")
		}
	}
}
