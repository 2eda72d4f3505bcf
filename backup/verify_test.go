package backup

import (
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/klauspost/compress/zstd"
	bolt "go.etcd.io/bbolt"

	"pitlane/store"
)

// TestVerifyRefuses: a backup that is cut short, has a byte changed, is
// opened with the wrong passphrase or comes from a newer Pitlane is refused
// with the message that says so.
func TestVerifyRefuses(t *testing.T) {
	a := newAppliance(t)
	pass := Key{Passphrase: "the right passphrase"}
	plain := backupOf(t, a, Key{})
	sealed := backupOf(t, a, pass)
	newer := newerSchemaBackup(t, a)

	cases := []struct {
		name string
		file string
		key  Key
		want string
	}{
		{"plain truncated", cut(t, plain, 0.5), Key{}, keyTruncated},
		{"plain truncated near the end", cut(t, plain, 0.98), Key{}, keyTruncated},
		{"plain cut in its header", cut(t, plain, 0.0001), Key{}, keyTruncated},
		{"plain byte flipped", flip(t, plain, 0.5), Key{}, ""},
		{"plain last byte flipped", flip(t, plain, 0.9999), Key{}, ""},
		// age authenticates each chunk, and cannot tell one cut short
		// from one changed: both are "damaged or incomplete".
		{"encrypted truncated", cut(t, sealed, 0.5), pass, keyDamaged},
		{"encrypted byte flipped", flip(t, sealed, 0.5), pass, keyDamaged},
		{"wrong passphrase", sealed, Key{Passphrase: "a wrong passphrase"}, keyWrongKey},
		{"no passphrase", sealed, Key{}, keyEncrypted},
		{"empty file", write(t, nil), Key{}, keyTruncated},
		{"not a backup", write(t, []byte("PK\x03\x04 a zip file, say")), Key{}, keyNotBackup},
		{"newer schema", newer, Key{}, keySchemaNewer},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Verify(t.Context(), tc.file, tc.key, nil)
			if err == nil {
				t.Fatal("Verify accepted it")
			}
			key := KeyOf(err)
			switch {
			case tc.want == "" && key != keyDamaged && key != keyChecksum:
				t.Fatalf("error %q (%s), want damaged or a checksum mismatch", err, key)
			case tc.want != "" && key != tc.want:
				t.Fatalf("error %q (%s), want %s", err, key, tc.want)
			}
			if tc.want == keySchemaNewer && !errors.Is(err, store.ErrSchemaTooNew) {
				t.Errorf("error %q does not wrap store.ErrSchemaTooNew", err)
			}
		})
	}
	if _, err := Verify(t.Context(), plain, Key{}, nil); err != nil {
		t.Errorf("the intact backup: %v", err)
	}
}

func write(t *testing.T, data []byte) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "pitlane-20260101-000000.tar.zst")
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func read(t *testing.T, path string) []byte {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// cut copies path keeping the first fraction of it.
func cut(t *testing.T, path string, fraction float64) string {
	t.Helper()
	data := read(t, path)
	return write(t, data[:max(1, int(float64(len(data))*fraction))])
}

// flip copies path with one byte changed, at the fraction at of its length
// or the first byte after it whose change reaches the content. A zstd stream
// has bits its decoder never reads (the run that flipped byte 2059 of 4118
// decoded to the same 78,848 bytes, checksum and all): a backup changed
// there restores exactly, and Verify rightly accepts it. An encrypted
// backup has no such bits: age authenticates every byte.
func flip(t *testing.T, path string, at float64) string {
	t.Helper()
	data := read(t, path)
	want := plainContent(data)
	for i := int(float64(len(data)-1) * at); i < len(data); i++ {
		data[i] ^= 0x20
		if want == nil || !bytes.Equal(plainContent(data), want) {
			return write(t, data)
		}
		data[i] ^= 0x20
	}
	t.Fatalf("no byte of %s from %.0f %% on changes its content", path, 100*at)
	return ""
}

// plainContent is what an unencrypted backup decompresses to; nil when it
// does not decompress (or is encrypted).
func plainContent(data []byte) []byte {
	if !bytes.HasPrefix(data, zstdMagic) {
		return nil
	}
	zr, err := zstd.NewReader(bytes.NewReader(data))
	if err != nil {
		return nil
	}
	defer zr.Close()
	out, err := io.ReadAll(zr)
	if err != nil {
		return nil
	}
	return out
}

// newerSchemaBackup is a well-formed backup of a database that says it has
// a schema this build does not know.
func newerSchemaBackup(t *testing.T, a *appliance) string {
	t.Helper()
	dir := t.TempDir()
	db := filepath.Join(dir, "newer.db")
	if _, err := a.st.Snapshot(db); err != nil {
		t.Fatal(err)
	}
	src := &boltSnapshot{t: t, path: db}
	err := src.update(func(tx *bolt.Tx) error {
		v := make([]byte, 8)
		v[7] = byte(store.SchemaVersion() + 1)
		return tx.Bucket([]byte("meta")).Put([]byte("schema_version"), v)
	})
	if err != nil {
		t.Fatal(err)
	}
	res, err := create(t.Context(), src, a.media.Path, t.TempDir(), Options{})
	if err != nil {
		t.Fatal(err)
	}
	return res.Path
}

// boltSnapshot streams a bbolt file the test prepared, as the store would.
type boltSnapshot struct {
	t    *testing.T
	path string
}

func (b *boltSnapshot) update(fn func(tx *bolt.Tx) error) error {
	db, err := bolt.Open(b.path, 0o600, nil)
	if err != nil {
		return err
	}
	defer db.Close()
	return db.Update(fn)
}

func (b *boltSnapshot) StreamSnapshot(fn func(store.SnapshotInfo, func(io.Writer) (int64, error)) error) error {
	db, err := bolt.Open(b.path, 0o600, &bolt.Options{ReadOnly: true})
	if err != nil {
		return err
	}
	defer db.Close()
	return db.View(func(tx *bolt.Tx) error {
		counts := map[string]int64{}
		tx.ForEach(func(name []byte, bk *bolt.Bucket) error {
			counts[string(name)] = int64(bk.Stats().KeyN)
			return nil
		})
		v := tx.Bucket([]byte("meta")).Get([]byte("schema_version"))
		return fn(store.SnapshotInfo{Size: tx.Size(), Schema: int(v[7]), Counts: counts}, tx.WriteTo)
	})
}
