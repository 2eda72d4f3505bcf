package store

import (
	"testing"
	"time"
)

// TestWritesMoves: every committed write moves Writes, those that add no
// feed entry too; reads and refused writes do not.
func TestWritesMoves(t *testing.T) {
	s := openTest(t)
	steps := []struct {
		name  string
		do    func() error
		moves bool
	}{
		{"a read", func() error { _, err := s.Settings(); return err }, false},
		{"a customer", func() error { mustCustomer(t, s, "Ana Pop", "ana@example.ro", ""); return nil }, true},
		{"a session", func() error {
			return s.CreateSession("h", Session{UserID: 1, Expires: time.Now().Add(time.Hour)})
		}, true},
		{"a refused write", func() error {
			if _, err := s.CreateCustomer(staff, Customer{Name: ""}); err == nil {
				t.Error("a customer without a name was accepted")
			}
			return nil
		}, false},
		{"a logout", func() error { return s.DeleteSession("h") }, true},
	}
	for _, st := range steps {
		before := s.Writes()
		if err := st.do(); err != nil {
			t.Fatalf("%s: %v", st.name, err)
		}
		if moved := s.Writes() != before; moved != st.moves {
			t.Errorf("%s: Writes moved %v, want %v", st.name, moved, st.moves)
		}
	}
}
