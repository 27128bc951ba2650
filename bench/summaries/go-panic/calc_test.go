package calc

import "testing"

type box struct{ value int }

func TestAdds(t *testing.T) {}

func TestDereferences(t *testing.T) {
	var b *box
	t.Log("reading the box")
	if b.value != 0 {
		t.Fatal("unreachable")
	}
}
