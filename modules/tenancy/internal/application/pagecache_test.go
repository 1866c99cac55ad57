package application

import "testing"

func TestVersionedCache(t *testing.T) {
	c := NewVersionedCache[string, int](2)
	if _, ok := c.Get("a", 1); ok {
		t.Fatal("hit on an empty cache")
	}
	c.Put("a", 1, 10)
	if v, ok := c.Get("a", 1); !ok || v != 10 {
		t.Fatalf("Get(a, 1) = %d, %v", v, ok)
	}
	if _, ok := c.Get("a", 2); ok {
		t.Fatal("a value read at version 1 served for version 2")
	}
	c.Put("a", 3, 30)
	c.Put("a", 2, 20) // an older read finishing late does not win
	if v, ok := c.Get("a", 3); !ok || v != 30 {
		t.Fatalf("Get(a, 3) = %d, %v", v, ok)
	}
	c.Put("z", 0, 1) // unknown version: never kept
	if _, ok := c.Get("z", 0); ok {
		t.Fatal("version zero hit")
	}
	c.Put("b", 1, 1)
	c.Put("c", 1, 1)
	if n := len(c.entries); n != 2 {
		t.Fatalf("%d entries, want at most 2", n)
	}
}
